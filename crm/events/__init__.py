"""Events (trade shows, seminars, visits) and the people met at them.

The blueprint is declared here so the event pages (views.py) and the fair form (quick.py) each
add their routes to it without importing each other.
"""
from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
