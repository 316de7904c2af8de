"""Dashboards for managers: plotly charts, a table and a CSV of each. (placeholder: replaced by the feature)"""
from __future__ import annotations

from flask import Blueprint

from crm.common.views import require

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/")
@require("reports.view")
def index():
    return "Not built yet."
