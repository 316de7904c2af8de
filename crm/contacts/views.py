"""Placeholder: being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("contacts", __name__, url_prefix="/contacts")


@bp.get("/")
@require("records.view")
def index():
    return "contacts"


@bp.get("/<int:contact_id>")
@require("records.view")
def show(contact_id: int):
    return "contact"


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@require("records.edit")
def edit(contact_id: int | None = None):
    return "edit"
