"""The calendar feed of a user's open tasks (/me/tasks.ics?token=...), for Outlook, Google
Calendar or a phone's calendar to subscribe to.

The feed needs no session: its token says whose it is. The token is "<user id>-<mac>", the mac
an HMAC of the user's `calendar_key` under the app's SECRET_KEY: the database alone does not
give anyone a working link, the link can be shown again whenever the user asks, and a new
`calendar_key` (reset) ends the old link at once. Each open task is a VTODO (with DUE when it
has a due date) and, when dated, an all-day VEVENT on that day: calendar apps that ignore
to-dos (Google Calendar) still show it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, request, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event, Todo

from crm.auth.models import User
from crm.common.params import to_int
from crm.extensions import db
from crm.tasks.models import Task

PRODID = "-//Kakehashi//Tasks//JA"


def _mac(user: User) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"calendar:{user.id}:{user.calendar_key}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(user: User) -> str:
    """The secret token of the user's calendar link (the user must have a calendar_key)."""
    return f"{user.id}-{_mac(user)}"


def reset(user: User) -> None:
    """A new calendar link: the old one stops working."""
    user.calendar_key = secrets.token_hex(16)
    db.session.flush()


def user_for_token(token: str | None) -> User | None:
    """The active user whose link carries this token, or None."""
    if not token or len(token) > 100 or "-" not in token:
        return None
    ident, _sep, mac = token.partition("-")
    user_id = to_int(ident)
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.active or not user.calendar_key or not user.can("tasks.own"):
        return None
    return user if hmac.compare_digest(mac.encode(), _mac(user).encode()) else None


def _description(task: Task) -> str:
    lines = []
    record = task.linked
    if record is not None:
        lines.append(str(record.label))
    if task.notes:
        lines.append(task.notes)
    return "\n\n".join(lines)


def feed(user: User, tasks: list[Task]) -> bytes:
    """The iCalendar text of these tasks (the user's open ones)."""
    host = request.host.split(":")[0] if request else "kakehashi"
    stamp = datetime.now(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Kakehashi tasks: %(name)s", name=user.name))
    for task in tasks:
        link = url_for("tasks.edit", task_id=task.id, _external=True)
        description = _description(task)
        todo = Todo()
        todo.add("uid", f"task-{task.id}@{host}")
        todo.add("dtstamp", stamp)
        todo.add("summary", task.title)
        todo.add("status", "NEEDS-ACTION")
        todo.add("url", link)
        if description:
            todo.add("description", description)
        if task.due_on is not None:
            todo.add("due", task.due_on)
        cal.add_component(todo)
        if task.due_on is not None:
            day = Event()
            day.add("uid", f"task-{task.id}-due@{host}")
            day.add("dtstamp", stamp)
            day.add("summary", task.title)
            day.add("dtstart", task.due_on)
            day.add("dtend", task.due_on + timedelta(days=1))
            day.add("transp", "TRANSPARENT")
            day.add("url", link)
            if description:
                day.add("description", description)
            cal.add_component(day)
    return cal.to_ical()
