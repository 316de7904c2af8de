"""Collaborations: the nine-step pipeline, board and list, minutes. (placeholder: replaced by the feature)"""
from __future__ import annotations

from flask import Blueprint

from crm.common.views import require

bp = Blueprint("collaborations", __name__, url_prefix="/collaborations")


@bp.get("/")
@require("collaborations.view")
def index():
    return "Not built yet."
