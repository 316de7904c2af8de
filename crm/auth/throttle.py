"""Login throttling: too many refused logins for one account, or from one address, in a window.

Why a table and not Flask-Limiter: the limits must hold across every gunicorn worker and host,
and the one store they all share is the database (Flask-Limiter needs Redis or Memcached for
that). A refused login writes one ``login_attempts`` row and commits it at once (the login
answer itself rolls back); a login is refused with 429 while the account has
``CRM_LOGIN_MAX_FAILURES`` failures, or the address ``CRM_LOGIN_MAX_FAILURES_PER_ADDRESS``,
within the last ``CRM_LOGIN_WINDOW_MINUTES``. The password is then not even checked, so a right
password after many wrong ones is refused too. A successful login, or an administrator setting a
new password, clears the account's failures (not the address's). Rows older than the window are
deleted as new ones are written.

Locking an account this way lets someone who knows an e-mail keep its owner out for a window
at a time; the per-address limit and a short window keep that cost small, and an administrator
can let the user in sooner by setting a new password.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from crm.auth.models import LoginAttempt
from crm.common.time import naive_utc
from crm.extensions import db


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["CRM_LOGIN_WINDOW_MINUTES"])


def _key(email: str) -> str:
    return (email or "").strip().lower()[:254]


def _unlocks_at(column, value: str, limit: int, now: datetime) -> datetime | None:
    """When the limit-th most recent failure leaves the window, if there are that many."""
    if limit <= 0:
        return None
    at = db.session.scalar(
        select(LoginAttempt.at).where(column == value, LoginAttempt.at > now - _window())
        .order_by(LoginAttempt.at.desc()).offset(limit - 1).limit(1))
    return at + _window() if at is not None else None


def wait_seconds(email: str, address: str) -> int:
    """0 when a login may be tried now, else the seconds until it may."""
    now = naive_utc()
    config = current_app.config
    times = [t for t in (
        _unlocks_at(LoginAttempt.email, _key(email), config["CRM_LOGIN_MAX_FAILURES"], now),
        _unlocks_at(LoginAttempt.address, address[:64],
                    config["CRM_LOGIN_MAX_FAILURES_PER_ADDRESS"], now),
    ) if t is not None and t > now]
    return max(1, math.ceil((max(times) - now).total_seconds())) if times else 0


def record_failure(email: str, address: str) -> None:
    """Count a refused login, committed now: the refusal's own response rolls back."""
    now = naive_utc()
    db.session.rollback()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - _window()))
    db.session.add(LoginAttempt(at=now, email=_key(email), address=address[:64]))
    db.session.commit()


def clear(email: str) -> None:
    """Forget the account's failures (a successful login, a new password set by an admin)."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == _key(email)))
