"""Export-control screening services (placeholder: the screening feature fills this in)."""
from __future__ import annotations

#: What a company's screening state may be.
CLEARANCES = ("unscreened", "clear", "open", "blocked")


def company_clearance(company_id: int) -> str:
    """'clear' when the company (and its contacts) were screened against every current list and
    no hit is open or blocking; 'open' when a candidate hit awaits a decision; 'blocked' when an
    officer blocked it; 'unscreened' when never screened (or the lists changed since)."""
    return "unscreened"
