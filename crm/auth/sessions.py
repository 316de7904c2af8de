"""Login sessions that can end: revocation, idle and absolute timeouts.

The session is Flask's signed cookie. Besides Flask-Login's ``_user_id`` it carries
``_sv`` (the user's ``session_token`` when the session began), ``_since`` (when the user logged
in) and ``_seen`` (the last request), as Unix seconds. Every request checks them in the user
loader: a token that no longer matches the user's (logout, password change or reset,
deactivation, a role taken away: ``User.end_sessions()``), an idle time past
``CRM_SESSION_IDLE_MINUTES`` or an age past ``CRM_SESSION_MAX_HOURS`` ends the session, so a
cookie copied before any of these stops working everywhere at once.
"""
from __future__ import annotations

import hmac
import time
from typing import Any

from flask import current_app, flash, session
from flask_babel import gettext as _
from flask_login import login_user

from crm.extensions import db

#: Session keys of a login (Flask-Login's and ours); cleared together.
KEYS = ("_user_id", "_fresh", "_id", "_sv", "_since", "_seen")
#: ``_seen`` is rewritten at most this often (each rewrite sends a new cookie).
SEEN_RESOLUTION = 60


def fields(user: Any, now: float | None = None) -> dict[str, Any]:
    """The session entries of a fresh login of this user (tests write them directly too)."""
    now = int(now if now is not None else time.time())
    return {"_user_id": str(user.id), "_fresh": True, "_sv": user.session_token,
            "_since": now, "_seen": now}


def start(user: Any) -> None:
    """Log the user in on this browser: a new session bound to their current token."""
    for key in KEYS:
        session.pop(key, None)
    login_user(user)
    session.update(fields(user))


def refresh(user: Any) -> None:
    """Keep this browser logged in after ``user.end_sessions()`` ended all the others."""
    session["_sv"] = user.session_token
    session["_seen"] = int(time.time())


def end() -> None:
    """Forget the login in this browser's cookie (the language choice stays)."""
    for key in KEYS:
        session.pop(key, None)


def _ended(user: Any, now: int) -> bool:
    token = session.get("_sv")
    if not isinstance(token, str) or not hmac.compare_digest(token, user.session_token or ""):
        return True
    since, seen = session.get("_since"), session.get("_seen")
    if not isinstance(since, int) or not isinstance(seen, int):
        return True
    config = current_app.config
    if now - since > config["CRM_SESSION_MAX_HOURS"] * 3600:
        return True
    return now - seen > config["CRM_SESSION_IDLE_MINUTES"] * 60


def load_user(user_id: str) -> Any:
    """Flask-Login's user loader: the user of a session that is still valid, else None."""
    from crm.auth.models import User

    try:
        ident = int(user_id)
    except (TypeError, ValueError):
        ident = None
    user = db.session.get(User, ident) if ident is not None and 0 < ident < 2**31 else None
    now = int(time.time())
    if user is None or not user.active or _ended(user, now):
        end()
        if user is not None:  # shown on the login page (htmx requests get there by HX-Redirect)
            flash(_("Your session has ended. Please log in again."), "info")
        return None
    if now - session["_seen"] >= SEEN_RESOLUTION:
        session["_seen"] = now
    return user
