"""Small SQL helpers shared by queries."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false


def like(text: str) -> str:
    """A LIKE pattern for a substring, with the wildcard characters escaped (use escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """The column's text begins with prefix (compared as stored: fold both sides alike), as a
    range that a plain B-tree index on the column serves on both engines: prefix <= column <
    prefix + the highest code point. (LIKE 'abc%' uses no plain index: SQLite's LIKE ignores
    case, PostgreSQL's needs the C collation.) Exact for SQLite and for PostgreSQL databases
    collated by code point (C, C.UTF-8); under a linguistic collation (ja_JP) the range can
    also take in a few near-equal spellings. An empty prefix matches nothing."""
    if not prefix:
        return false()
    return and_(column >= prefix, column < prefix + "\U0010ffff")
