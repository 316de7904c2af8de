"""Contacts (担当者): people at companies."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.text import person_name
from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.companies.models import Company
    from crm.events.models import Encounter


class Contact(db.Model, Versioned):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str | None] = mapped_column(String(100))
    #: Readings (ふりがな) in katakana.
    family_name_reading: Mapped[str | None] = mapped_column(String(100))
    given_name_reading: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    #: Main e-mail, stored lower-case: the duplicate key for people.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    #: Further e-mail addresses, one per line.
    other_emails: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(50))
    #: How and where we met (free text; encounters record the structured version).
    how_we_met: Mapped[str | None] = mapped_column(Text)
    #: The person agreed to be contacted (newsletters, events).
    consent: Mapped[bool] = mapped_column(default=False)
    #: Never contact: exports flag such people.
    do_not_contact: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company | None] = relationship(back_populates="contacts")
    encounters: Mapped[list[Encounter]] = relationship(
        back_populates="contact", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.display_name}>"

    @property
    def display_name(self) -> str:
        return person_name(self.family_name, self.given_name)

    @property
    def reading(self) -> str:
        return " ".join(p for p in (self.family_name_reading, self.given_name_reading) if p)

    @property
    def label(self) -> str:
        return self.display_name
