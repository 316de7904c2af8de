"""Partner-list exports (CSV, xlsx, vCard) of the filtered company and contact lists.

GET /exports/companies?format=csv|csv-cp932|xlsx&<the company list's filters>
GET /exports/contacts?format=csv|csv-cp932|xlsx|vcard&<the contact list's filters>[&dnc_details=1]

Each export is checked against the `export` permission, exports what the role may see (donation
columns and filters only with donations.view), and is written to the audit trail before any data
leaves. UTF-8 CSV and vCard are streamed from the database cursor; CP932 CSV and .xlsx are built
in a temporary file first (the replaced-character count, and the workbook, need the whole list)
and then sent from it.
"""
from __future__ import annotations

import tempfile

from flask import Blueprint, Response, flash, render_template, request
from flask_login import current_user

from crm.common.services import ValidationError
from crm.common.users import officer_choices
from crm.common.views import require
from crm.companies.forms import STATUS_LABELS, TIER_LABELS
from crm.companies.queries import donation_currencies, industries
from crm.exports import services
from crm.extensions import db

bp = Blueprint("exports", __name__, url_prefix="/exports")


@bp.get("/")
@require("export")
def index():
    """Both lists' filters and the export buttons, for staff who come from the menu."""
    donations = current_user.can("donations.view")
    return render_template(
        "exports/index.html", args=request.args, officers=officer_choices(),
        industries=industries(),
        currencies=donation_currencies() if donations else [],
        STATUS_LABELS=STATUS_LABELS, TIER_LABELS=TIER_LABELS)


@bp.get("/companies")
@require("export")
def companies():
    """The company list as filtered, as a file."""
    return _export("companies")


@bp.get("/contacts")
@require("export")
def contacts():
    """The contact list as filtered, as a file."""
    return _export("contacts")


def _send(spool, size: int = 64 * 1024):
    """A finished temporary file in pieces; it is closed (and so deleted) once sent."""
    try:
        while piece := spool.read(size):
            yield piece
    finally:
        spool.close()


def _export(kind: str):
    return send_export(services.Request(
        kind=kind, format=request.args.get("format", "csv"), args=request.args.to_dict(),
        donations=current_user.can("donations.view"),
        dnc_details=kind == "contacts" and request.args.get("dnc_details") in ("1", "yes", "on")))


def send_export(req: services.Request):
    """Check, audit and send one export (the list pages' bulk "export the selection" too)."""
    kind = req.kind
    try:
        req.check()
    except ValidationError as err:
        # Nothing is exported rather than a list wider than the one asked for.
        return render_template("exports/refused.html", errors=err.errors, kind=kind), 400
    name = services.filename(req)
    # content_type, not mimetype: Werkzeug would append a second "; charset=utf-8".
    mimetype = services.MIMETYPES[req.format]
    by = current_user._get_current_object()
    if req.format in ("csv", "vcard"):
        # The trail is written (and committed) before the first byte goes out.
        services.record_export(req, services.count(req), by=by)
        db.session.commit()
        return Response(services.stream(req), content_type=mimetype, headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store"})
    spool = tempfile.TemporaryFile()
    try:
        result = services.write(req, spool)
    except BaseException:
        spool.close()
        raise
    services.record_export(req, result.rows, by=by)
    db.session.commit()
    if result.replaced:
        flash(result.replaced_message(), "warning")
    spool.seek(0)
    response = Response(_send(spool), content_type=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
    if req.format == "csv-cp932":
        response.headers["X-Replaced-Characters"] = str(result.replaced)
    return response

