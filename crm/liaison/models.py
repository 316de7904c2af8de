"""Portfolios (officer ↔ companies, 7–10 each) and coverage (officer ↔ departments), with history."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.companies.models import Company
    from crm.research.models import Department

#: The programme's rule: each officer holds between 7 and 10 companies.
PORTFOLIO_MIN = 7
PORTFOLIO_MAX = 10


class PortfolioAssignment(db.Model):
    """One officer holding one company for a period; the open row (ended_at NULL) is current."""

    __tablename__ = "portfolio_assignments"
    __table_args__ = (
        # A company has at most one responsible officer at a time.
        Index("uq_portfolio_assignments_open", "company_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    #: The manager who made the assignment.
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why the 7–10 rule was overridden, when it was.
    override_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    company: Mapped[Company] = relationship()
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])

    def __repr__(self) -> str:
        return f"<PortfolioAssignment company={self.company_id} officer={self.officer_id}>"

    @property
    def label(self) -> str:
        return f"company {self.company_id} → officer {self.officer_id}"


class Coverage(db.Model):
    """An officer covering a department (and through it its researchers) for a period."""

    __tablename__ = "coverages"
    __table_args__ = (
        Index("uq_coverages_open", "officer_id", "department_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    department: Mapped[Department] = relationship()

    def __repr__(self) -> str:
        return f"<Coverage officer={self.officer_id} department={self.department_id}>"

    @property
    def label(self) -> str:
        return f"officer {self.officer_id} covers department {self.department_id}"
