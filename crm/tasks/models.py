"""A task: a title, a due date, an owner, open or done, optionally about one record.

Tasks are written by hand (the task form), from an activity's "next step", and from a wanted
follow-up of an encounter (the fair form, the data-entry queue, an import): such a task keeps
the encounter's id, and the follow-up and the task stay one thing (crm.tasks.services).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.collaborations.models import Collaboration
    from crm.companies.models import Company
    from crm.contacts.models import Contact
    from crm.events.models import Encounter
    from crm.ndas.models import Nda
    from crm.requests.models import DataEntryRequest

TASK_STATUSES = ("open", "done")
#: Where a task came from: the task form, an activity's next step, a fair follow-up.
TASK_SOURCES = ("manual", "activity", "fair")
TITLE_MAX = 200
#: The records a task may be about, as (column, relationship) names.
LINKS = ("company", "contact", "collaboration", "nda", "request")


class Task(db.Model, Versioned):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(f"status IN {TASK_STATUSES!r}", name="status_known"),
        CheckConstraint(f"source IN {TASK_SOURCES!r}", name="source_known"),
        CheckConstraint("(status = 'done') = (done_at IS NOT NULL)", name="done_has_time"),
        # My tasks, the team view, overdue counts: owner's open tasks by due date.
        Index("ix_tasks_owner_status_due", "owner_id", "status", "due_on"),
        # The team view: everyone's open tasks, a few hundred among tens of thousands done.
        Index("ix_tasks_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    notes: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open")
    done_at: Mapped[datetime | None] = mapped_column()
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    collaboration_id: Mapped[int | None] = mapped_column(
        ForeignKey("collaborations.id", ondelete="CASCADE"), index=True)
    nda_id: Mapped[int | None] = mapped_column(
        ForeignKey("ndas.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_entry_requests.id", ondelete="CASCADE"), index=True)
    #: The encounter whose follow-up this task is (source "fair").
    encounter_id: Mapped[int | None] = mapped_column(
        ForeignKey("encounters.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(10), default="manual")

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    company: Mapped[Company | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    collaboration: Mapped[Collaboration | None] = relationship()
    nda: Mapped[Nda | None] = relationship()
    request: Mapped[DataEntryRequest | None] = relationship()
    encounter: Mapped[Encounter | None] = relationship()

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.status} {self.title!r}>"

    @property
    def label(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    @property
    def linked(self):
        """The record the task is about (the most specific one), or None."""
        for name in ("request", "nda", "collaboration", "contact", "company"):
            record = getattr(self, name)
            if record is not None:
                return record
        return None
