"""Home page (My work), language choice and record suggestions."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from crm.auth.permissions import permissions_for
from crm.common.forms import ConfirmForm, record_option
from crm.common.views import require, safe_next
from crm.extensions import db
from crm.common.suggest import SUGGESTERS
from crm.main.my_work import items_for
from crm.search_views import KIND_LABELS
from crm.notify.marks import start_visit

bp = Blueprint("main", __name__)


#: The navbar menus rendered in this process: (language, permissions, section, script root) ->
#: HTML. A handful of keys (roles x sections x 2 languages); bounded all the same.
_MENUS: dict[tuple, Markup] = {}
_MENUS_MAX = 1000


@bp.app_template_global()
def nav_menu() -> Markup:
    """The navbar's menus (templates/main/_menu.html) for the current user: what they hold
    depends only on the user's permissions, the language and the section shown (which item is
    active), so each is rendered once per process and reused for everyone with the same."""
    endpoint = request.endpoint or ""
    key = (str(get_locale()), frozenset(permissions_for(current_user.roles))
           if current_user.is_authenticated else None, request.blueprint,
           endpoint.split(".")[0], request.script_root)
    html = _MENUS.get(key)
    if html is None:
        html = Markup(render_template("main/_menu.html"))
        if len(_MENUS) >= _MENUS_MAX:
            _MENUS.clear()
        _MENUS[key] = html
    return html


#: The session key holding when the previous visit of My work began (ISO text, UTC).
VISIT_KEY = "work_since"


@bp.get("/")
@require("records.view")
def home():
    """My work: what this person has to do next, by role (crm/main/my_work.py)."""
    since = _visit_since()
    sections = items_for(current_user, since=since)
    any_new = any(item.new for s in sections for item in s.items)
    return render_template("main/home.html", sections=sections, since=since if any_new else None)


def _visit_since() -> datetime | None:
    """When the previous visit began: read once per login session (the first home page of a
    session starts a new visit), so what is new stays marked new while the user works."""
    if VISIT_KEY in session:
        raw = session[VISIT_KEY]
        return datetime.fromisoformat(raw) if raw else None
    try:
        before = start_visit(current_user.id)
        db.session.commit()  # a GET that writes: the visit mark only (not audited)
    except IntegrityError:  # another tab made the first mark at the same moment
        db.session.rollback()
        before = None
    session[VISIT_KEY] = before.isoformat() if before else ""
    return before


@bp.post("/language/<lang>")
def language(lang: str):
    """Switch the interface language (kept on the user when logged in)."""
    if lang not in ("ja", "en") or not ConfirmForm().validate_on_submit():
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))


@bp.get("/suggest/<kind>")
@login_required
def suggest(kind: str):
    """Up to 15 records whose name contains what the user typed, as <option>s."""
    spec = SUGGESTERS.get(kind)
    if spec is None:
        abort(404)
    if not current_user.can(spec.permission):
        abort(403)
    text = (request.args.get(request.args.get("field", "q")) or "").strip()
    options = []
    if text and "[#" not in text:
        options = db.session.execute(spec.search(text).limit(15)).scalars().all()
    # A person marked do-not-contact says so in the list, before they are picked.
    return render_template("main/_options.html", options=[
        (record_option(o), _("Do not contact") if getattr(o, "do_not_contact", False) else "")
        for o in options])


#: The navbar's quick search: these kinds of the suggestion registry, in this order, this many
#: of each (the search page, /search?q=, has them all).
QUICK_KINDS = ("company", "contact", "researcher", "seed")
QUICK_PER_KIND = 5
#: Longer input is cut (a name is never this long; the LIKE stays bounded).
QUICK_MAX_CHARS = 100


@bp.get("/quick")
@login_required
def quick():
    """Type-ahead for the navbar: up to QUICK_PER_KIND records of each kind the user may see
    whose name, reading or English name contains the text (the record pickers' queries)."""
    # A NUL in a parameter is refused before any view (crm/common/params.py).
    text = (request.args.get("q") or "").strip()[:QUICK_MAX_CHARS].strip()
    groups = []
    if text:
        for kind in QUICK_KINDS:
            spec = SUGGESTERS[kind]
            if current_user.can(spec.permission):
                records = db.session.scalars(spec.quick(text).limit(QUICK_PER_KIND)).all()
                if records:
                    groups.append((kind, records))
    return render_template("main/_quick.html", q=text, groups=groups, labels=KIND_LABELS)


@bp.get("/healthz")
def healthz():
    """Liveness check (the process answers) and the benchmark's bare route: touches nothing,
    not even the database."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Readiness for load balancers and deploy scripts: database reachable, schema at the
    newest migration, search index open, index lag in seconds; 503 when not ready."""
    from crm.ops.health import readiness

    ready, report = readiness()
    response = jsonify(report)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
