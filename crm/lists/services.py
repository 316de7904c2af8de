"""Saved views and bulk actions.

A saved view keeps only the parameters its list reads (filters, sort, direction), each value
bounded; opening it sends the user to the list with that query string, whose own checks name any
value that no longer makes sense (a list never answers 500 to its own query string).

A bulk action runs every row through the service the single action uses, in one transaction:
the first row refused raises `RowRefused` naming it and why, and the caller rolls everything
back, so a batch is done whole or not at all.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask_babel import gettext as _
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.audit.services import current_actor
from crm.auth.models import User
from crm.common.services import ValidationError
from crm.companies.models import Company
from crm.companies.queries import KEYS
from crm.extensions import db
from crm.lists.models import NAME_MAX, QUERY_MAX, VIEW_KINDS, SavedView
from crm.liaison import services as liaison
from crm.tasks import services as tasks
from crm.tasks.models import Task

#: The parameters each list reads from its query string (page numbers are not kept).
VIEW_KEYS: dict[str, tuple[str, ...]] = {
    "companies": KEYS["companies"] + ("sort", "dir"),
    "contacts": KEYS["contacts"] + ("sort", "dir"),
    "tasks": ("officer",),
}
#: The list page each kind of view opens.
VIEW_ENDPOINTS = {"companies": "companies.index", "contacts": "contacts.index",
                  "tasks": "tasks.team"}
#: The longest value a view keeps for one parameter.
VALUE_MAX = 200
#: The most rows one bulk action takes (a list page shows at most 1,000).
BULK_MAX = 1000


class RowRefused(Exception):
    """One row of a bulk action was refused: nothing of the batch is kept."""

    def __init__(self, row: str, reason: str):
        super().__init__(f"{row}: {reason}")
        self.row, self.reason = row, reason

    @property
    def message(self) -> str:
        return _("Nothing was changed: %(row)s was refused (%(reason)s).", row=self.row,
                 reason=self.reason)


# -- saved views -----------------------------------------------------------------------------

def clean_query(kind: str, raw: str | None) -> str:
    """The query string a view of this list keeps: known parameters only, first value of each,
    trimmed and bounded."""
    kept: dict[str, str] = {}
    for key, value in parse_qsl((raw or "")[:QUERY_MAX * 4], keep_blank_values=False):
        value = value.strip()
        if key in VIEW_KEYS[kind] and key not in kept and value:
            kept[key] = value[:VALUE_MAX]
    return urlencode(kept)


def views_for(user_id: int, kind: str) -> list[SavedView]:
    return list(db.session.scalars(select(SavedView).where(
        SavedView.user_id == user_id, SavedView.kind == kind).order_by(SavedView.name)))


def save_view(user: User, kind: str, name: str | None, query: str | None) -> SavedView:
    """Keep the list's current filters and sort under a name (the same name again: replaced)."""
    if kind not in VIEW_KINDS:
        raise ValidationError({"kind": _("Unknown list.")})
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("A view's name has at most %(max)s characters.",
                                         max=NAME_MAX)})
    query = clean_query(kind, query)
    if len(query) > QUERY_MAX:
        raise ValidationError({"query": _("These filters are too long to save as a view.")})
    view = db.session.scalar(select(SavedView).where(
        SavedView.user_id == user.id, SavedView.kind == kind, SavedView.name == name))
    if view is None:
        view = SavedView(user_id=user.id, kind=kind, name=name)
        db.session.add(view)
    view.query = query
    db.session.flush()
    return view


def owned_view(view_id: int, user: User) -> SavedView | None:
    """The view, if it is this user's (another user's view is as good as absent)."""
    view = db.session.get(SavedView, view_id)
    return view if view is not None and view.user_id == user.id else None


def delete_view(view: SavedView, *, by: User) -> None:
    if view.user_id != by.id:
        raise PermissionError("only the owner deletes a saved view")
    db.session.delete(view)
    db.session.flush()


# -- bulk actions ----------------------------------------------------------------------------

def rows_for(model: type, ids: Iterable[int], label) -> list[Any]:
    """The records, in the order ticked; an id that names none refuses the batch."""
    ids = list(dict.fromkeys(ids))
    found = {r.id: r for r in db.session.scalars(select(model).where(model.id.in_(ids)))}
    for ident in ids:
        if ident not in found:
            raise RowRefused(label(ident), _("no such record"))
    return [found[i] for i in ids]


def record_bulk(action: str, entity: str, ids: list[int], *, by: User | None,
                **details: Any) -> AuditEntry:
    """One audit-trail entry for the batch (each row's own change is audited too)."""
    number = (db.session.scalar(select(db.func.max(AuditEntry.entity_id))
                                .where(AuditEntry.entity == "bulk_actions")) or 0) + 1
    user_id, actor = (by.id, by.email) if by is not None else current_actor()
    changes = {"action": [None, action], "list": [None, entity], "ids": [None, ids],
               **{k: [None, v] for k, v in details.items()}}
    entry = AuditEntry(user_id=user_id, actor=str(actor)[:254], action="create",
                       entity="bulk_actions", entity_id=number,
                       label=f"Bulk {action} on {entity} ({len(ids)} rows)", changes=changes)
    db.session.add(entry)
    db.session.flush()
    return entry


def bulk_assign(ids: list[int], officer: User | None, *, by: User,
                override_reason: str | None = None) -> list[Company]:
    """Give every ticked company to the officer, by the rules of a single assignment (who may,
    7–10); the first refusal names its company and refuses all."""
    if officer is None:
        raise ValidationError({"officer": _("Pick an officer.")})
    companies = rows_for(Company, ids, lambda i: _("Company #%(id)s", id=i))
    for company in companies:
        try:
            liaison.assign_company(company, officer, by=by, override_reason=override_reason)
        except ValidationError as err:
            raise RowRefused(company.name, "; ".join(err.errors.values())) from None
    record_bulk("assign", "companies", [c.id for c in companies], by=by, officer=officer.id)
    return companies


def bulk_done(ids: list[int], *, by: User) -> list[Task]:
    """Mark every ticked task done; one the user may not change refuses all."""
    rows = rows_for(Task, ids, lambda i: _("Task #%(id)s", id=i))
    for task in rows:
        if not tasks.can_change(task, by):
            raise RowRefused(f"“{task.title}”", _("you may not change this task"))
        tasks.complete_task(task, by=by)
    record_bulk("done", "tasks", [t.id for t in rows], by=by)
    return rows
