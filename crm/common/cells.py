"""Spreadsheet cells that Excel will not run: the one rule every CSV and .xlsx we write follows."""
from __future__ import annotations

#: A text cell starting with one of these is a formula to Excel (or becomes one when edited);
#: the full-width forms and U+2212 are what Japanese input methods type, and what CP932 writes
#: as －.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "\u2212")


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as (the start of) a formula?"""
    return text.startswith(FORMULA_STARTS)


def quoted(text: str) -> str:
    """Text for a CSV cell: formula-like text behind an apostrophe, everything else as is."""
    return "'" + text if formula_like(text) else text
