"""Activities: meetings, calls, e-mails and visits with a company, with minutes."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.companies.models import Company
    from crm.contacts.models import Contact

ACTIVITY_KINDS = ("meeting", "call", "email", "visit")

activity_contacts = Table(
    "activity_contacts",
    db.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Activity(db.Model, Versioned):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACTIVITY_KINDS!r}", name="kind_known"),
        Index("ix_activities_company_occurred", "company_id", "occurred_on"),
        Index("ix_activities_occurred_user", "occurred_on", "user_id", "company_id"),  # reports
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="meeting")
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    subject: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[str | None] = mapped_column(Text)
    #: The user who logged it (the officer who met the company).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Minutes only the author, managers and admins may read.
    confidential: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship(back_populates="activities")
    user: Mapped[User | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(secondary=activity_contacts)

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.kind} {self.occurred_on}>"

    @property
    def label(self) -> str:
        return self.subject

    def can_read_minutes(self, user) -> bool:
        """Confidential minutes are for their author, managers and admins."""
        if not self.confidential:
            return True
        return user.id == self.user_id or user.has_role("manager", "admin")
