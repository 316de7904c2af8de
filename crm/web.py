"""Request-wide wiring: login, locale, one commit per request, error pages, template helpers."""
from __future__ import annotations

from flask import (
    Flask, Response, g, has_request_context, redirect, render_template, request, session,
)
from flask_babel import format_currency, gettext as _
from flask_login import current_user, login_url
from flask_wtf.csrf import CSRFError

import crm.audit.services  # noqa: F401  (registers the audit hooks)
import crm.models  # noqa: F401
from crm.audit.services import set_actor
from crm.auth.permissions import ROLE_LABELS
from crm.common.time import format_day, format_moment
from crm.config import LANGUAGES
from crm.extensions import db, login_manager
from importers.i18n import set_translator as set_importer_translator

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def select_locale() -> str:
    """The user's chosen language, else the one chosen this session, else the browser's."""
    languages = list(LANGUAGES)
    if not has_request_context():  # commands print English
        return "en"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or "ja"


@login_manager.user_loader
def _load_user(user_id: str):
    from crm.auth.sessions import load_user  # checks the session is still valid

    return load_user(user_id)


def _importer_gettext(message: str) -> str:
    return _(message) if has_request_context() else message


def _money(amount, currency: str = "JPY") -> str:
    if amount is None:
        return ""
    return format_currency(amount, currency)


def _date(value, fmt: str = "medium") -> str:
    """Every date shown: one format per language, a timestamp's day in the office's zone
    (crm.common.time); fmt is kept for the templates that name one."""
    return format_day(value)


def _datetime(value, fmt: str = "medium") -> str:
    """Every timestamp shown, in the office's zone (CRM_TIMEZONE)."""
    return format_moment(value)


def init_app(app: Flask) -> None:
    """Register blueprints, hooks, error pages and template helpers."""
    from crm.common import locking, params

    params.init_app(app)  # the bounded <int:> converter must be in place before any route
    locking.init_app(app)
    from crm.activities.views import bp as activities_bp
    from crm.alumni.views import bp as alumni_bp
    from crm.audit.views import bp as audit_bp
    from crm.auth.views import bp as auth_bp
    from crm.companies.views import bp as companies_bp
    from crm.contacts.views import bp as contacts_bp
    from crm.donations.views import bp as donations_bp
    from crm.events.views import bp as events_bp
    from crm.main.views import bp as main_bp
    from crm.liaison.views import bp as liaison_bp
    from crm.requests.views import bp as requests_bp
    from crm.research.views import bp as research_bp
    from crm.search_views import bp as search_bp
    from crm.imports.views import bp as imports_bp
    from crm.duplicates.views import bp as duplicates_bp
    from crm.exports.views import bp as exports_bp
    from crm.reports.views import bp as reports_bp
    from crm.collaborations.views import bp as collaborations_bp
    from crm.ndas.views import bp as ndas_bp
    from crm.screening.views import bp as screening_bp
    from crm.notify.views import bp as notify_bp
    from crm.timeline.views import bp as timeline_bp
    from crm.tasks.views import bp as tasks_bp
    from crm.lists.views import bp as lists_bp
    from crm.glossary.views import bp as glossary_bp
    import crm.search  # noqa: F401  (registers the search-index outbox hooks)

    for bp in (main_bp, auth_bp, companies_bp, contacts_bp, events_bp, activities_bp,
               alumni_bp, donations_bp, research_bp, audit_bp, liaison_bp, requests_bp,
               search_bp, imports_bp, duplicates_bp, exports_bp, reports_bp,
               collaborations_bp, ndas_bp, screening_bp, tasks_bp, notify_bp, timeline_bp,
               lists_bp, glossary_bp):
        app.register_blueprint(bp)

    from crm.common import limits

    limits.init_app(app)  # request size caps, 413 page, importer bounds from config

    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.unauthorized_handler
    def _log_in_first() -> Response:
        """Not logged in, or the session ended: the login page, then back here. An htmx request
        (a list filter, a suggestion box) would draw the login page inside the fragment it
        replaces: it gets HX-Redirect instead, so the browser goes to the login page and comes
        back to the page the user was on."""
        if request.headers.get("HX-Request"):
            back = request.headers.get("HX-Current-URL") or request.url
            answer = Response(status=401)
            answer.headers["HX-Redirect"] = login_url(login_manager.login_view, next_url=back)
            return answer
        return redirect(login_url(login_manager.login_view, next_url=request.url))

    @app.before_request
    def _who() -> None:
        if current_user.is_authenticated:
            set_actor(current_user.id, current_user.email)
        else:
            set_actor(None, "anonymous")

    @app.after_request
    def _commit(response: Response) -> Response:
        """One commit per state-changing request; anything that failed is rolled back."""
        if request.method in STATE_CHANGING:
            if response.status_code < 400:
                db.session.commit()
            else:
                db.session.rollback()
        return response

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    def _error(code: int, title: str, message: str):
        return render_template("errors/error.html", code=code, title=title,
                               message=message), code

    @app.errorhandler(403)
    def _forbidden(e):
        return _error(403, _("Not allowed"), _("Your role does not allow this page or action."))

    @app.errorhandler(404)
    def _not_found(e):
        return _error(404, _("Not found"), _("There is no such page or record."))

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return _error(400, _("Form expired or forged"),
                      _("The form was missing its security token. Go back, reload the page "
                        "and send it again."))

    @app.errorhandler(500)
    def _server_error(e):
        db.session.rollback()
        return _error(500, _("Something went wrong"),
                      _("Nothing was saved. The error has been logged."))

    # importers/ knows nothing of Flask: its messages ("is empty", "appears twice" ...) are
    # translated through this hook, in the user's language during a request, English elsewhere.
    set_importer_translator(_importer_gettext)

    app.jinja_env.filters.update(money=_money, date=_date, datetime=_datetime)
    app.jinja_env.globals.update(ROLE_LABELS=ROLE_LABELS)

    @app.context_processor
    def _helpers() -> dict:
        def can(permission: str) -> bool:
            return current_user.is_authenticated and current_user.can(permission)

        return {"can": can, "current_locale": select_locale(), "g": g}
