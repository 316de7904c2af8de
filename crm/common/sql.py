"""Small SQL helpers shared by queries."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false

from crm.extensions import db


def like(text: str) -> str:
    """A LIKE pattern for a substring, with the wildcard characters escaped (use escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """The column's text begins with prefix (compared as stored: fold both sides alike),
    in the form the database answers from an index on the column; an empty prefix matches
    nothing. SQLite: a range on the column's binary order (its LIKE is case-insensitive and
    never uses a plain index); PostgreSQL: LIKE 'abc%' (the trigram indexes serve it, and
    a range would depend on the database's collation)."""
    if not prefix:
        return false()
    if db.session.get_bind().dialect.name == "sqlite":
        return and_(column >= prefix, column < prefix + "\U0010ffff")
    return column.like(like(prefix)[1:], escape="\\")
