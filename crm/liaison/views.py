"""Placeholder: portfolios and coverage are being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("liaison", __name__, url_prefix="/liaison")


@bp.get("/mine")
@require("records.view")
def mine():
    """The logged-in officer's portfolio."""
    return "my portfolio"


@bp.get("/")
@require("portfolio.manage")
def overview():
    """Every officer's load."""
    return "portfolios"
