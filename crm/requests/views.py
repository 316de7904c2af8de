"""Placeholder: data-entry requests are being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("requests", __name__, url_prefix="/requests")


@bp.get("/")
@require("requests.submit")
def index():
    """My requests (researchers) or the queue (the team)."""
    return "requests"
