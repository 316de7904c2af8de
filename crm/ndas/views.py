"""The NDA register and its disclosure logs. (placeholder: replaced by the feature)"""
from __future__ import annotations

from flask import Blueprint

from crm.common.views import require

bp = Blueprint("ndas", __name__, url_prefix="/ndas")


@bp.get("/")
@require("collaborations.view")
def index():
    return "Not built yet."
