"""The index outbox: "this record changed", written in the same transaction as the change and
drained into the search index after commit (so a crash between the two loses nothing)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db, utcnow


class IndexOutbox(db.Model):
    __tablename__ = "index_outbox"
    __table_args__ = (Index("ix_index_outbox_entity", "kind", "entity_id"),)
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Document kind in the index: "company", "contact", "researcher", "seed", "event", ...
    kind: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<IndexOutbox {self.kind}:{self.entity_id}>"
