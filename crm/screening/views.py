"""Export-control screening: lists, screenings, hits and decisions. (placeholder: replaced by the feature)"""
from __future__ import annotations

from flask import Blueprint

from crm.common.views import require

bp = Blueprint("screening", __name__, url_prefix="/screening")


@bp.get("/")
@require("screening.view")
def index():
    return "Not built yet."
