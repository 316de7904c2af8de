"""Saved views (save, open, delete: each user's own only) and the bulk actions of the company and
task lists (one POST of the rows ticked on the page, with its CSRF token)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Forbidden

from crm.auth.models import User
from crm.common.params import BadParameter, to_int
from crm.common.services import ValidationError
from crm.common.views import require, safe_next
from crm.companies.models import Company
from crm.exports import services as exports
from crm.exports.views import send_export
from crm.extensions import db
from crm.lists import services
from crm.lists.models import VIEW_KINDS

bp = Blueprint("lists", __name__)

#: Who may keep views of each list: those who may open it.
VIEW_PERMISSIONS = {"companies": "records.view", "contacts": "records.view",
                    "tasks": "tasks.team"}
BULK_EXPORT_FORMATS = ("csv", "csv-cp932", "xlsx")


@bp.app_template_global()
def my_views(kind: str) -> list:
    """The current user's saved views of a list, by name (for the list pages)."""
    if not current_user.is_authenticated:
        return []
    return services.views_for(current_user.id, kind)


@bp.app_template_global()
def view_query() -> str:
    """The list's current query string, as a view would keep it (no page number)."""
    return "&".join(part for part in request.query_string.decode("utf-8", "replace").split("&")
                    if part and not part.startswith("page="))


def _list_url(kind: str, query: str = "") -> str:
    url = url_for(services.VIEW_ENDPOINTS[kind])
    return f"{url}?{query}" if query else url


@bp.post("/views/<kind>/save")
@require("records.view")
def save(kind: str):
    """Keep the list's filters and sort under a name; then show the list as saved."""
    if kind not in VIEW_KINDS:
        abort(404)
    if not current_user.can(VIEW_PERMISSIONS[kind]):
        abort(403)
    back = _list_url(kind, services.clean_query(kind, request.form.get("query")))
    try:
        view = services.save_view(current_user, kind, request.form.get("name"),
                                  request.form.get("query"))
    except ValidationError as err:
        db.session.rollback()
        for message in err.errors.values():
            flash(message, "danger")
        return redirect(back)
    except IntegrityError:  # the same name saved at the same moment from another tab
        db.session.rollback()
        flash(_("A view of that name was saved meanwhile; save again to replace it."), "warning")
        return redirect(back)
    db.session.commit()
    flash(_("Saved the view “%(name)s”.", name=view.name), "success")
    return redirect(_list_url(kind, view.query))


@bp.get("/views/<int:view_id>")
@require("records.view")
def open_view(view_id: int):
    """The list as the view keeps it (its values are checked again by the list itself)."""
    view = services.owned_view(view_id, current_user)
    if view is None:
        abort(404)
    return redirect(_list_url(view.kind, services.clean_query(view.kind, view.query)))


@bp.post("/views/<int:view_id>/delete")
@require("records.view")
def delete_view(view_id: int):
    """Delete one of my saved views (another user's is a 404), then back to its list."""
    view = services.owned_view(view_id, current_user)
    if view is None:
        abort(404)
    kind, name = view.kind, view.name
    services.delete_view(view, by=current_user)
    db.session.commit()
    flash(_("Deleted the view “%(name)s”.", name=name), "success")
    return redirect(_list_url(kind))


# -- bulk actions ----------------------------------------------------------------------------

def _ticked() -> list[int]:
    """The ids of the ticked rows: every one a record number, at most BULK_MAX (else 400)."""
    raw = request.form.getlist("ids")
    if len(raw) > services.BULK_MAX:
        raise BadParameter("ids", _("Tick at most %(max)s rows at once.", max=services.BULK_MAX))
    ids = [to_int(value) for value in raw]
    if any(ident is None for ident in ids):
        raise BadParameter("ids", _("The parameter “%(name)s” must be a whole number from "
                                    "%(min)s to %(max)s.", name="ids", min=0, max=2**31 - 1))
    return list(dict.fromkeys(ids))


def _run(action, back: str, done):
    """Run a bulk action in one transaction: all rows, or none and the refused row named."""
    try:
        rows = action()
    except (services.RowRefused, ValidationError) as err:
        db.session.rollback()
        message = err.message if isinstance(err, services.RowRefused) else \
            _("Nothing was changed: %(reason)s", reason="; ".join(err.errors.values()))
        flash(message, "danger")
        return redirect(back)
    db.session.commit()
    flash(done(len(rows)), "success")
    return redirect(back)


@bp.post("/companies/bulk")
@require("records.view")
def companies_bulk():
    """Assign the ticked companies to an officer (managers), or export them."""
    back = safe_next(request.form.get("next"), url_for("companies.index"))
    action = request.form.get("action")
    if action not in ("assign", "export"):
        abort(400)
    ids = _ticked()
    if not ids:
        flash(_("Tick at least one row first."), "warning")
        return redirect(back)
    if action == "export":
        if not current_user.can("export"):
            abort(403)
        try:
            services.rows_for(Company, ids, lambda i: _("Company #%(id)s", id=i))
        except services.RowRefused as err:
            flash(err.message, "danger")
            return redirect(back)
        fmt = request.form.get("format", "csv")
        if fmt not in BULK_EXPORT_FORMATS:
            abort(400)
        return send_export(exports.Request(
            kind="companies", format=fmt, args={},
            donations=current_user.can("donations.view"), ids=tuple(ids)))
    if not current_user.can("portfolio.manage"):
        raise Forbidden(_("Only a manager can change who is responsible for a company."))
    officer_id = to_int(request.form.get("officer"))
    officer = db.session.get(User, officer_id) if officer_id is not None else None
    return _run(lambda: services.bulk_assign(ids, officer, by=current_user,
                                             override_reason=request.form.get("override_reason")),
                back, lambda n: ngettext("Assigned %(num)s company.",
                                         "Assigned %(num)s companies.", n))


@bp.post("/tasks/bulk-done")
@require("tasks.own")
def tasks_done():
    """Mark the ticked tasks done (mine; a manager's team view: anyone's)."""
    back = safe_next(request.form.get("next"), url_for("tasks.index"))
    ids = _ticked()
    if not ids:
        flash(_("Tick at least one row first."), "warning")
        return redirect(back)
    return _run(lambda: services.bulk_done(ids, by=current_user), back,
                lambda n: ngettext("Marked %(num)s task done.", "Marked %(num)s tasks done.", n))
