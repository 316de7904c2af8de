"""Imports: upload, map columns, preview (dry run), commit. (placeholder: replaced by the feature)"""
from __future__ import annotations

from flask import Blueprint

from crm.common.views import require

bp = Blueprint("imports", __name__, url_prefix="/imports")


@bp.get("/")
@require("import")
def index():
    return "Not built yet."
