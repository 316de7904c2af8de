"""The NDA register (秘密保持契約) and each NDA's disclosure log."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.collaborations.models import Collaboration
    from crm.companies.models import Company
    from crm.contacts.models import Contact

NDA_STATUSES = ("draft", "negotiating", "signed", "terminated")
CLASSIFICATIONS = ("public", "internal", "confidential", "strictly_confidential",
                   "export_controlled")
DIRECTIONS = ("to_partner", "from_partner")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Nda(db.Model, Versioned):
    __tablename__ = "ndas"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(NDA_STATUSES)}", name="status_known"),
        CheckConstraint("term_months > 0", name="term_positive"),
        CheckConstraint("survival_months >= 0", name="survival_not_negative"),
        CheckConstraint("expires_on >= effective_from", name="expires_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"),
                                            index=True)
    #: The collaboration the NDA was signed for, if any (its NDA step shows it).
    collaboration_id: Mapped[int | None] = mapped_column(
        ForeignKey("collaborations.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    #: Every party to the agreement as written in it, one per line.
    parties: Mapped[str | None] = mapped_column(Text)
    #: Both sides disclose (mutual) or only one (one-way).
    mutual: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    signed_on: Mapped[date | None] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    term_months: Mapped[int] = mapped_column()
    #: The last day the NDA is in force: effective_from + term, less one day (computed).
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    #: Confidentiality obligations survive this many months after expiry.
    survival_months: Mapped[int] = mapped_column(default=0)
    #: The last day the obligations survive (computed).
    survives_until: Mapped[date] = mapped_column(Date)
    governing_law: Mapped[str | None] = mapped_column(String(100))
    arbitration_place: Mapped[str | None] = mapped_column(String(200))
    #: ISO 3166-1 alpha-2 country of the arbitration place: the third-country rule reads it.
    arbitration_country: Mapped[str | None] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()
    collaboration: Mapped[Collaboration | None] = relationship()
    disclosures: Mapped[list[Disclosure]] = relationship(
        back_populates="nda", cascade="all, delete-orphan",
        order_by=lambda: [Disclosure.disclosed_on.desc(), Disclosure.id.desc()])

    def __repr__(self) -> str:
        return f"<Nda {self.id} {self.title}>"

    @property
    def label(self) -> str:
        return self.title

    def shown_status(self, today: date) -> str:
        """The status, with "expired" for a signed NDA past its last day."""
        if self.status == "signed" and today > self.expires_on:
            return "expired"
        return self.status


class Disclosure(db.Model):
    """One disclosure of information under an NDA: what, how confidential, by whom, to whom."""

    __tablename__ = "nda_disclosures"
    __table_args__ = (
        CheckConstraint(f"classification IN {_in(CLASSIFICATIONS)}", name="classification_known"),
        CheckConstraint(f"direction IN {_in(DIRECTIONS)}", name="direction_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nda_id: Mapped[int] = mapped_column(ForeignKey("ndas.id", ondelete="CASCADE"), index=True)
    disclosed_on: Mapped[date] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(String(20), default="to_partner")
    #: What confidential information went (a description, never the information itself).
    description: Mapped[str] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(String(30))
    disclosed_by: Mapped[str] = mapped_column(String(200))
    disclosed_to_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    #: The recipient as written (the contact's name when one was picked: kept if they are removed).
    disclosed_to: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                       index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nda: Mapped[Nda] = relationship(back_populates="disclosures")
    disclosed_to_contact: Mapped[Contact | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.disclosed_on} {self.classification}"

    def __repr__(self) -> str:
        return f"<Disclosure {self.id} nda={self.nda_id} {self.direction} {self.disclosed_on}>"

