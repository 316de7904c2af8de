"""The audit trail: one row per create, update or delete of an audited record."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("action IN ('create', 'update', 'delete')", name="action_known"),
        Index("ix_audit_log_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Kept as a plain id (no foreign key) so the trail survives the user's removal.
    user_id: Mapped[int | None] = mapped_column()
    #: Who did it, as shown: the user's e-mail, or "cli" / "import" for commands.
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int] = mapped_column()
    #: Short human label of the record at the time (its name or title).
    label: Mapped[str | None] = mapped_column(String(300))
    #: {field: [before, after]}; on create before is None, on delete after is None.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} {self.entity}:{self.entity_id}>"
