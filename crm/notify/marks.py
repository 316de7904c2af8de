"""The moments "new since" is measured from: the last visit of My work, the last digest."""
from __future__ import annotations

from datetime import datetime

from crm.extensions import db
from crm.notify.models import UserMark
from crm.common.time import naive_utc


def mark_of(user_id: int) -> UserMark:
    """The user's row (made on first use)."""
    mark = db.session.get(UserMark, user_id)
    if mark is None:
        mark = UserMark(user_id=user_id)
        db.session.add(mark)
    return mark


def start_visit(user_id: int, now: datetime | None = None) -> datetime | None:
    """A new visit of My work begins: returns when the previous one began (None: the first)
    and remembers this one. Flushes; the caller commits."""
    mark = mark_of(user_id)
    before = mark.seen_at
    mark.seen_at = naive_utc(now)
    db.session.flush()
    return before
