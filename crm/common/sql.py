"""Small SQL helpers shared by queries."""
from __future__ import annotations


def like(text: str) -> str:
    """A LIKE pattern for a substring, with the wildcard characters escaped (use escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
