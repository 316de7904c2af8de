"""Placeholder: being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.get("/")
@require("records.view")
def index():
    return "events"


@bp.get("/<int:event_id>")
@require("records.view")
def show(event_id: int):
    return "event"
