"""Optimistic locking: a save from a form opened before someone else saved is refused, and the
other person's change is shown instead of being overwritten.

Every editable record carries a ``version`` column (the ``Versioned`` mixin), which SQLAlchemy
uses as its ``version_id_col``: each UPDATE says ``WHERE id = ? AND version = ?`` and adds one.
The edit form carries the version it was rendered with (a hidden field written by the
``form_card`` macro). ``guarded(record, sent)`` refuses a save whose version is not the row's,
and turns the StaleDataError of a save that raced another one (both read version 3, one wrote
first) into the same ``Conflict``. ``describe(conflict, form)`` says who changed what since, with
the values saved now; ``crm.common.views.save_form`` wires it all for every edit page.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from crm.common.params import to_int
from crm.extensions import db

#: The name of the hidden form field and of the column.
FIELD = "version"


class Versioned:
    """Mixin for an editable record: a version counter that every UPDATE checks and bumps."""

    version: Mapped[int] = mapped_column(server_default=text("1"), nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


@event.listens_for(Session, "before_flush", insert=True)
def _bump_on_link_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """A record whose only change is a many-to-many list (an activity's contacts, a user's
    roles, a seed's researchers) gets no UPDATE of its own row, so SQLAlchemy would not bump
    its version: bump it here, so that change conflicts with a stale form like any other."""
    for obj in session.dirty:
        if not isinstance(obj, Versioned):
            continue
        state = inspect(obj)
        if state.attrs[FIELD].history.has_changes():
            continue
        columns_changed = any(state.attrs[a.key].history.has_changes()
                              for a in state.mapper.column_attrs)
        if not columns_changed and session.is_modified(obj, include_collections=True):
            obj.version = obj.version + 1  # the UPDATE still checks the version it was read at


class Conflict(Exception):
    """The record was saved by someone else after this form was opened."""

    def __init__(self, record: Any, sent: int | None):
        super().__init__(f"{type(record).__name__} {record.id}: form version {sent}, "
                         "row changed since")
        self.record = record
        self.sent = sent


def sent_version(value: Any) -> int | None:
    """The version a form came back with; None when it carries none; -1 (which matches no
    row) when it is not a version number."""
    if value is None or value == "":
        return None
    number = to_int(value)
    return -1 if number is None else number


def check(record: Any, sent: int | None) -> None:
    """Refuse (Conflict) a save from a form rendered with another version than the row's."""
    if sent is not None and sent != record.version:
        raise Conflict(record, sent)


@contextmanager
def guarded(record: Any, sent: int | None) -> Iterator[None]:
    """Check the version, run the save inside, flush it: a stale form or a save that lost the
    race raises Conflict, with everything of this transaction rolled back (nothing written)."""
    if record is not None:
        check(record, sent)
    try:
        yield
        db.session.flush()
    except StaleDataError as err:
        db.session.rollback()
        if record is None:
            raise
        raise Conflict(record, sent) from err


@dataclass
class Difference:
    field: str
    label: str
    saved: str
    yours: str


@dataclass
class ConflictReport:
    """What the page says: who saved since the form was opened, and the fields they changed
    with the values saved now (what the user typed stays in the form)."""

    by: list[str] = field(default_factory=list)
    at: dt.datetime | None = None
    #: Fields both changed: the form keeps the user's value.
    differences: list[Difference] = field(default_factory=list)
    #: Fields only they changed: the form now shows their value.
    taken: list[Difference] = field(default_factory=list)


def _show(value: Any, form_field: Any = None) -> str:
    """A value as a person reads it: choice labels, record labels, dates, yes/no."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple, set, frozenset)):
        shown = [_show(v, form_field) for v in value]
        return ", ".join(sorted(shown))
    if hasattr(value, "__table__"):  # a record
        label = getattr(value, "label", None) or getattr(value, "name", None)
        return str(label) if label is not None else f"#{value.id}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    choices = getattr(form_field, "choices", None)
    if choices:
        for choice in choices:
            key, label = (choice.value, choice.label) if hasattr(choice, "value") \
                else (choice[0], choice[1])
            if str(key) == str(value):
                return str(label)
    return str(value)


def _key(value: Any) -> Any:  # noqa: C901
    """Values compared as the form and the row hold them (a record by id, blanks alike)."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted(str(_key(v)) for v in value))
    if hasattr(value, "__table__"):
        return str(value.id)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return value
    if isinstance(value, (Decimal, float)):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _saved_value(record: Any, name: str) -> tuple[bool, Any]:
    """The saved value behind a form field: the attribute of that name (a relation for
    company/officer, a list for contacts/roles)."""
    for attr in (name, name + "_id"):
        if hasattr(type(record), attr):
            return True, getattr(record, attr)
    return False, None


def _form_value(form_field: Any) -> Any:
    """What the form holds: a field's data; for a record picked by "Name [#12]" that no longer
    exists (merged away), the id it names."""
    if getattr(form_field, "type", "") == "FieldList":
        return [_form_value(entry) for entry in form_field.entries if entry.data]
    if form_field.data is None and getattr(form_field, "_raw", ""):
        from crm.common.forms import _ID_RE

        match = _ID_RE.search(form_field._raw)
        if match:
            return to_int(match.group(1))
    return form_field.data


def _changes_since(record: Any, sent: int | None) -> tuple[dict[str, Any], list[str], Any]:
    """Columns changed since version `sent` with their value at that version, who changed
    them and when, from the audit trail: every UPDATE of the row adds one to its version and
    writes one trail line, so the last (current - sent) update lines are the changes since."""
    from crm.audit.models import AuditEntry

    current = record.version
    if sent is None or sent < 0 or current <= sent or current - sent > 200:
        return {}, [], None
    entries = db.session.execute(
        select(AuditEntry).where(AuditEntry.entity == record.__tablename__,
                                 AuditEntry.entity_id == record.id,
                                 AuditEntry.action == "update")
        .order_by(AuditEntry.id.desc()).limit(current - sent)
    ).scalars().all()
    before: dict[str, Any] = {}
    actors: list[str] = []
    for entry in entries:  # newest first: the oldest line's "before" is the value at `sent`
        for column, change in (entry.changes or {}).items():
            before[column] = change[0] if isinstance(change, list) and change else None
        if entry.actor not in actors:
            actors.append(entry.actor)
    return before, actors, entries[0].at if entries else None


def _same(then: Any, value: Any) -> bool:
    """Is a form value the one the trail recorded (dates as ISO text, money as text, links by
    id)?"""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool) \
            and isinstance(then, (str, int, float)) and not isinstance(then, bool):
        try:
            return Decimal(str(then)) == Decimal(str(value))
        except ArithmeticError:
            return False
    return _key(then) == _key(value)


def _take_saved(form_field: Any, record: Any, name: str) -> bool:
    """Put the saved value into a form field the user had left as it was, so that saving
    again keeps the other person's change. Only plain fields; lists stay as they are."""
    if form_field.type in ("FieldList", "SelectMultipleField", "MultiCheckboxField",
                           "CheckboxesField"):
        return False
    if hasattr(form_field, "kind"):  # a RecordField: the linked record
        value = getattr(record, name, None)
    elif hasattr(type(record), name + "_id"):
        value = getattr(record, name + "_id")
    else:
        value = getattr(record, name)
    if isinstance(value, (list, set, tuple)):
        return False
    form_field.data = value
    form_field.raw_data = []
    form_field.errors = []  # what the user sent for it is replaced, and so is its error
    if hasattr(form_field, "_raw"):
        form_field._raw = ""
    return True


def describe(conflict: Conflict, form: Any) -> ConflictReport:
    """The other person's change: the form's fields they changed since this form's version,
    with the values saved now. A field the user had left as it was takes the saved value (saving
    again keeps their change); one the user changed too keeps what the user typed, and the page
    shows both. Without a trail to go by, every field where the saved record and this form
    differ is listed, and the form keeps what the user sent."""
    record = conflict.record
    before, actors, at = _changes_since(record, conflict.sent)
    report = ConflictReport(by=actors, at=at)
    for name, form_field in form._fields.items():
        if name in ("csrf_token", FIELD) or form_field.type in ("PasswordField", "HiddenField"):
            continue
        known, saved = _saved_value(record, name)
        if not known:
            continue
        yours = _form_value(form_field)
        if before:
            column = name if name in before else name + "_id" if name + "_id" in before else None
            if column is None or _key(saved) == _key(yours):
                continue
            if _same(before[column], yours) and _take_saved(form_field, record, name):
                report.taken.append(Difference(
                    field=name, label=str(form_field.label.text), saved=_show(saved, form_field),
                    yours=_show(yours, form_field)))
                continue
        elif _key(saved) == _key(yours):
            continue
        report.differences.append(Difference(
            field=name, label=str(form_field.label.text), saved=_show(saved, form_field),
            yours=_show(yours, form_field)))
    return report


def init_app(app: Any) -> None:
    """A write that is not an edit form (a sign-off, a claim, a follow-up ticked) and lost the
    race for its row to someone else's save answers 409 with a message, not a 500."""
    from flask import render_template

    @app.errorhandler(StaleDataError)
    def _stale(e: StaleDataError):
        db.session.rollback()
        return render_template(
            "errors/error.html", code=409, title=_("Saved by someone else meanwhile"),
            message=_("Someone else changed this record at the same moment; nothing of yours "
                      "was saved. Reload the page and try again.")), 409
