"""Placeholder: being built."""
from flask import Blueprint

from crm.common.views import require

bp = Blueprint("donations", __name__, url_prefix="/donations")


@bp.get("/")
@require("donations.view")
def index():
    return "donations"


@bp.get("/<int:donation_id>")
@require("donations.view")
def show(donation_id: int):
    return "donation"
