"""Data-entry requests: a researcher asks the business-development team to record a contact."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.companies.models import Company
    from crm.contacts.models import Contact
    from crm.events.models import Encounter, Event

#: submitted → claimed → entered; claimed → returned (a question) → submitted again; or withdrawn.
REQUEST_STATUSES = ("submitted", "claimed", "returned", "entered", "withdrawn")


class DataEntryRequest(db.Model):
    __tablename__ = "data_entry_requests"
    __table_args__ = (
        CheckConstraint(f"status IN {REQUEST_STATUSES!r}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    # What the researcher learned, as they wrote it: never changed by the team.
    person_name: Mapped[str] = mapped_column(String(200))
    person_reading: Mapped[str | None] = mapped_column(String(200))
    person_title: Mapped[str | None] = mapped_column(String(200))
    company_name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    #: Where they met (free text) and, when known, the event.
    where_met: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    met_on: Mapped[date | None] = mapped_column(Date)
    discussed: Mapped[str | None] = mapped_column(Text)
    interests: Mapped[str | None] = mapped_column(Text)
    small_talk: Mapped[str | None] = mapped_column(Text)
    #: A business-card photo or a vCard file, kept as sent.
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # The team's side.
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column()
    entered_at: Mapped[datetime | None] = mapped_column()
    #: What the request became.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    encounter_id: Mapped[int | None] = mapped_column(
        ForeignKey("encounters.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    event: Mapped[Event | None] = relationship()
    company: Mapped[Company | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    encounter: Mapped[Encounter | None] = relationship()
    messages: Mapped[list[RequestMessage]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestMessage.id")

    def __repr__(self) -> str:
        return f"<DataEntryRequest {self.id} {self.status}>"

    @property
    def label(self) -> str:
        return f"{self.person_name} ({self.company_name or '?'})"


class RequestMessage(db.Model):
    """A question from the team or an answer from the researcher, on one request."""

    __tablename__ = "request_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("data_entry_requests.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[DataEntryRequest] = relationship(back_populates="messages")
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<RequestMessage {self.id} on {self.request_id}>"

    @property
    def label(self) -> str:
        return self.body[:80]


class HeldUpload(db.Model):
    """A file attached to a request form that came back with an error: kept here, named by a
    random token in the form's hidden field, so nobody has to attach it again."""

    __tablename__ = "held_uploads"
    #: A passing copy of a file, not a record: its token is a secret, kept out of the audit trail.
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random and unguessable; only its owner can use it.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<HeldUpload {self.id} {self.filename!r}>"
