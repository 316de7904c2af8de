"""Placeholder: being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("alumni", __name__, url_prefix="/alumni")


@bp.get("/")
@require("records.view")
def index():
    return "alumni"


@bp.get("/<int:alumnus_id>")
@require("records.view")
def show(alumnus_id: int):
    return "alumnus"
