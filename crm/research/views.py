"""Placeholder: being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("research", __name__, url_prefix="/research")


@bp.get("/seeds/")
@require("records.view")
def seeds():
    return "seeds"


@bp.get("/researchers/")
@require("records.view")
def researchers():
    return "researchers"


@bp.get("/researchers/<int:researcher_id>")
@require("records.view")
def researcher(researcher_id: int):
    return "researcher"


@bp.get("/departments/")
@require("records.view")
def departments():
    return "departments"
