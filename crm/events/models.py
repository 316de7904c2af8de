"""Events (展示会, conferences, seminars, visits) and the encounters made at them."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.contacts.models import Contact

EVENT_KINDS = ("trade_show", "conference", "seminar", "visit")


class Event(db.Model, Versioned):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(f"kind IN {EVENT_KINDS!r}", name="kind_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="trade_show")
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    encounters: Mapped[list[Encounter]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.name}>"

    @property
    def label(self) -> str:
        return self.name


class Encounter(db.Model, Versioned):
    """A contact met at an event, by one of our users."""

    __tablename__ = "encounters"
    __table_args__ = (
        # Reports: encounters by day and by event, answered from the index alone (0009).
        Index("ix_encounters_met_on_user", "met_on", "user_id", "contact_id"),
        Index("ix_encounters_event_contact", "event_id", "contact_id", "met_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    #: The user who met the contact.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    met_on: Mapped[date | None] = mapped_column(Date)
    research_interests: Mapped[str | None] = mapped_column(Text)
    #: Small talk (雑談): family, hobbies, what they mentioned in passing.
    small_talk: Mapped[str | None] = mapped_column(Text)
    follow_up_wanted: Mapped[bool] = mapped_column(default=False)
    follow_up_by: Mapped[date | None] = mapped_column(Date, index=True)
    follow_up_done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="encounters")
    contact: Mapped[Contact] = relationship(back_populates="encounters")
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Encounter {self.id} event={self.event_id} contact={self.contact_id}>"

    @property
    def label(self) -> str:
        return f"{self.contact.display_name if self.contact else '?'} @ {self.event.name if self.event else '?'}"
