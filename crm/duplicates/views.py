"""Likely duplicate companies and contacts, and merging two of them. (placeholder: replaced by the feature)"""
from __future__ import annotations

from flask import Blueprint

from crm.common.views import require

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")


@bp.get("/")
@require("records.delete")
def index():
    return "Not built yet."
