"""Placeholder: being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("activities", __name__, url_prefix="/activities")


@bp.get("/")
@require("records.view")
def index():
    return "activities"


@bp.get("/<int:activity_id>")
@require("records.view")
def show(activity_id: int):
    return "activity"


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@require("records.edit")
def edit(activity_id: int | None = None):
    return "edit"
