"""Records every create, update and delete of a record in the same transaction."""
from __future__ import annotations

import contextvars
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Mapper, Session

from crm.audit.models import AuditEntry
from crm.extensions import utcnow

#: (user id or None, actor label) for the code running now; set per request and per command.
_actor: contextvars.ContextVar[tuple[int | None, str]] = contextvars.ContextVar(
    "audit_actor", default=(None, "system")
)

#: Columns not worth a line in the trail.
_SKIP = {"created_at", "updated_at", "name_folded", "sort_name", "search_text", "password_hash",
         "session_token", "calendar_key"}


def set_actor(user_id: int | None, label: str) -> None:
    """Name who is making the changes that follow (a user, "cli", "import" ...)."""
    _actor.set((user_id, label))


def current_actor() -> tuple[int | None, str]:
    """(user id or None, actor label) of the code running now, for rows written by hand."""
    return _actor.get()


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):  # a file: its size, not its bytes
        return f"<{len(value)} bytes>"
    return value


def _audited(obj: Any) -> bool:
    return getattr(obj, "__audited__", True) and not isinstance(obj, AuditEntry)


def _entity(obj: Any) -> str:
    return obj.__tablename__


def _label(obj: Any) -> str | None:
    try:
        label = getattr(obj, "label", None)
    except Exception:  # a label that needs an unloaded relation of a deleted row
        label = None
    return str(label)[:300] if label is not None else None


def _column_changes(obj: Any, mode: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIP:
            continue
        if mode == "create":
            value = getattr(obj, key)
            if value is not None and key not in ("id", "version"):  # version: always 1
                changes[key] = [None, _plain(value)]
        elif mode == "delete":
            value = state.dict.get(key)
            if value is not None:
                changes[key] = [_plain(value), None]
        else:
            hist = state.attrs[key].history
            if hist.has_changes():
                before = hist.deleted[0] if hist.deleted else None
                after = hist.added[0] if hist.added else None
                if before != after:
                    changes[key] = [_plain(before), _plain(after)]
    return changes


def _relation_changes(obj: Any) -> dict[str, list[Any]]:
    """Many-to-many lists (contacts of an activity, researchers of a seed) as lists of ids."""
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue
        hist = state.attrs[rel.key].history
        if hist.has_changes():
            after = sorted(o.id for o in (hist.added + hist.unchanged) if o.id is not None)
            before = sorted(o.id for o in (hist.deleted + hist.unchanged) if o.id is not None)
            if before != after:
                changes[rel.key] = [before, after]
    return changes


@event.listens_for(Mapper, "mapper_configured")
def _keep_old_values(mapper: Mapper, cls: type) -> None:
    """Load a column's old value before it is overwritten, even on an expired object,
    so the trail can say what it was (SQLAlchemy's "active history")."""
    if not getattr(cls, "__audited__", True) or cls is AuditEntry:
        return
    for attr in mapper.column_attrs:
        if attr.key not in _SKIP:
            event.listen(getattr(cls, attr.key), "set", _noop, active_history=True)


def _noop(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
    return None


def _pending_rows(session: Session) -> list[dict[str, Any]]:
    rows = session.info.setdefault("audit_rows", [])
    return rows


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Capture updates and deletes while their before-values are still known."""
    rows = _pending_rows(session)
    for obj in session.dirty:
        if not _audited(obj) or not session.is_modified(obj, include_collections=True):
            continue
        changes = _column_changes(obj, "update") | _relation_changes(obj)
        if changes:
            rows.append({"action": "update", "obj": obj, "changes": changes})
    for obj in session.deleted:
        if _audited(obj):
            rows.append({"action": "delete", "obj": obj, "id": obj.id,
                         "label": _label(obj), "changes": _column_changes(obj, "delete")})
    session.info["audit_new"] = [o for o in session.new if _audited(o)]


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: Any) -> None:
    """Write the trail for this flush; new rows have their ids now."""
    rows = session.info.pop("audit_rows", [])
    for obj in session.info.pop("audit_new", []):
        rows.append({"action": "create", "obj": obj,
                     "changes": _column_changes(obj, "create") | _relation_changes(obj)})
    if not rows:
        return
    user_id, actor = _actor.get()
    now = utcnow()
    values = []
    for row in rows:
        obj = row["obj"]
        entity_id = row.get("id", getattr(obj, "id", None))
        if entity_id is None:  # association rows without a single id
            continue
        values.append({
            "at": now, "user_id": user_id, "actor": actor, "action": row["action"],
            "entity": _entity(obj), "entity_id": entity_id,
            "label": row.get("label") or _label(obj), "changes": row["changes"],
        })
    if values:
        session.connection().execute(insert(AuditEntry), values)
