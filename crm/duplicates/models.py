"""Pairs a user said are not the same record, so the duplicate finder stops proposing them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db, utcnow

#: What kind of records a pair is made of.
DUPLICATE_KINDS = ("companies", "contacts")


class DuplicateDismissal(db.Model):
    """"Not the same": companies or contacts first_id and second_id (first_id < second_id).

    The ids carry no foreign key (one column serves two tables); a pair whose record is deleted
    is simply never proposed again. A merge moves the loser's dismissals to the survivor."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (
        CheckConstraint(f"kind IN {DUPLICATE_KINDS!r}", name="kind_known"),
        CheckConstraint("first_id < second_id", name="ordered_pair"),
        UniqueConstraint("kind", "first_id", "second_id", name="uq_duplicate_dismissals_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    first_id: Mapped[int] = mapped_column()
    second_id: Mapped[int] = mapped_column(index=True)
    dismissed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<DuplicateDismissal {self.kind} {self.first_id}/{self.second_id}>"

    @property
    def label(self) -> str:
        return f"{self.kind} #{self.first_id} ≠ #{self.second_id}"
