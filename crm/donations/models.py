"""Donations (寄付) from companies or alumni."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.alumni.models import Alumnus
    from crm.companies.models import Company


class Donation(db.Model, Versioned):
    __tablename__ = "donations"
    __table_args__ = (
        CheckConstraint(
            "(company_id IS NULL) <> (alumnus_id IS NULL)", name="one_donor"
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        # The company and contact lists' choice of currencies (a DISTINCT read from the index
        # alone, not from every donation): migration 0025.
        Index("ix_donations_currency_company", "currency", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The donor: a company or an alumnus, exactly one of them.
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    alumnus_id: Mapped[int | None] = mapped_column(
        ForeignKey("alumni.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    #: ISO 4217 code (JPY, USD, EUR ...).
    currency: Mapped[str] = mapped_column(String(3), default="JPY")
    received_on: Mapped[date] = mapped_column(Date, index=True)
    purpose: Mapped[str | None] = mapped_column(String(300))
    #: Restricted to the stated purpose (指定寄付) rather than general funds.
    restricted: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company | None] = relationship(back_populates="donations")
    alumnus: Mapped[Alumnus | None] = relationship()

    def __repr__(self) -> str:
        return f"<Donation {self.id} {self.amount} {self.currency}>"

    @property
    def donor_label(self) -> str:
        if self.company is not None:
            return self.company.name
        return self.alumnus.display_name if self.alumnus else "?"

    @property
    def label(self) -> str:
        return f"{self.donor_label} {self.amount} {self.currency}"
