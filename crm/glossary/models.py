"""A glossary entry: one Japanese term and one English term that mean the same thing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.common.locking import Versioned
from crm.extensions import db, utcnow

JA_MAX = 100
EN_MAX = 200


class GlossaryEntry(db.Model, Versioned):
    __tablename__ = "glossary_entries"
    __table_args__ = (UniqueConstraint("ja", "en", name="uq_glossary_entries_ja_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ja: Mapped[str] = mapped_column(String(JA_MAX), index=True)
    en: Mapped[str] = mapped_column(String(EN_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<GlossaryEntry {self.id} {self.ja!r} = {self.en!r}>"
