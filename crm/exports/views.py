"""Partner-list exports (CSV, xlsx, vCard) of filtered company and contact lists. (placeholder: replaced by the feature)"""
from __future__ import annotations

from flask import Blueprint

from crm.common.views import require

bp = Blueprint("exports", __name__, url_prefix="/exports")


@bp.get("/")
@require("export")
def index():
    return "Not built yet."
