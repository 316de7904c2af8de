"""Placeholder: the global search page is being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("/")
@require("records.view")
def index():
    """Search everything."""
    return "search"
