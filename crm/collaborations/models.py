"""Collaborations (共同研究・受託研究・ライセンス …) and their nine-step pipeline.

A collaboration moves through the guideline's nine steps (section IV.2), then is active and
finally closed. Each step has a checklist (crm.collaborations.steps); a ticked item is a
CollaborationCheck row, a signed-off step a CollaborationSignoff row, a meeting a
CollaborationMinute. Every change reaches the audit trail through the ORM.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint, Column, Date, ForeignKey, Numeric, String, Table, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.companies.models import Company
    from crm.research.models import Researcher, ResearchSeed

KINDS = ("joint_research", "contract_research", "licence", "consulting", "membership")
#: The guideline's nine steps, in order (section IV.2, 1) to 9)).
STEPS = ("partner_search", "intent_check", "partner_info", "scheme", "nda", "research_plan",
         "contract_terms", "confirmation", "export_control")
STAGES = STEPS + ("active", "closed")
OPEN_STAGES = STAGES[:-1]
EXCLUSIVITY = ("exclusive", "non_exclusive")
#: The contract's language: Japanese, or the partner's (a higher indirect cost rate).
CONTRACT_LANGUAGES = ("ja", "partner")
MINUTE_KINDS = ("meeting", "progress")

collaboration_seeds = Table(
    "collaboration_seeds",
    db.metadata,
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("seed_id", ForeignKey("research_seeds.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)

collaboration_researchers = Table(
    "collaboration_researchers",
    db.metadata,
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("researcher_id", ForeignKey("researchers.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Collaboration(db.Model, Versioned):
    __tablename__ = "collaborations"
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(KINDS)}", name="kind_known"),
        CheckConstraint(f"stage IN {_in(STAGES)}", name="stage_known"),
        CheckConstraint(f"exclusivity IS NULL OR exclusivity IN {_in(EXCLUSIVITY)}",
                        name="exclusivity_known"),
        CheckConstraint(f"contract_language IN {_in(CONTRACT_LANGUAGES)}",
                        name="language_known"),
        CheckConstraint("direct_costs IS NULL OR direct_costs >= 0", name="costs_not_negative"),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        CheckConstraint("planned_end IS NULL OR planned_start IS NULL "
                        "OR planned_end >= planned_start", name="planned_order"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"),
                                            index=True)
    #: The responsible officer (担当者) in the office.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   index=True)
    stage: Mapped[str] = mapped_column(String(20), default="partner_search", index=True)
    description: Mapped[str | None] = mapped_column(Text)

    # -- money: indirect costs are computed by the service from the direct costs ------------
    direct_costs: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="JPY")
    indirect_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    indirect_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: Why that rate: "default", "quarterly_reports", "partner_language" or both joined by "+".
    indirect_reason: Mapped[str | None] = mapped_column(String(40))
    #: The company wants quarterly progress reports managed by a URA (case 23: 30 %).
    quarterly_reports: Mapped[bool] = mapped_column(default=False)
    contract_language: Mapped[str] = mapped_column(String(10), default="ja")

    # -- dates ---------------------------------------------------------------------------
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(Text)

    # -- IP ------------------------------------------------------------------------------
    exclusivity: Mapped[str | None] = mapped_column(String(20))
    #: The collaboration assigns or transfers IP (besides a licence, which always counts).
    transfers_ip: Mapped[bool] = mapped_column(default=False)
    #: Japanese Bayh-Dole: the ministry's prior approval to license / transfer government-funded IP.
    bayh_dole_agency: Mapped[str | None] = mapped_column(String(200))
    bayh_dole_approved_on: Mapped[date | None] = mapped_column(Date)
    bayh_dole_reference: Mapped[str | None] = mapped_column(String(100))

    # -- the conflict check when opened (case 26) ------------------------------------------
    #: Ids of the collaborations listed as conflicts that the user confirmed having reviewed.
    conflicts_reviewed_ids: Mapped[str | None] = mapped_column(Text)
    conflicts_reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    conflicts_reviewed_at: Mapped[datetime | None] = mapped_column()

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    conflicts_reviewed_by: Mapped[User | None] = relationship(
        foreign_keys=[conflicts_reviewed_by_id])
    seeds: Mapped[list[ResearchSeed]] = relationship(secondary=collaboration_seeds,
                                                     order_by="ResearchSeed.id")
    researchers: Mapped[list[Researcher]] = relationship(secondary=collaboration_researchers,
                                                         order_by="Researcher.id")
    checks: Mapped[list[CollaborationCheck]] = relationship(
        back_populates="collaboration", cascade="all, delete-orphan")
    signoffs: Mapped[list[CollaborationSignoff]] = relationship(
        back_populates="collaboration", cascade="all, delete-orphan",
        order_by="CollaborationSignoff.id")
    minutes: Mapped[list[CollaborationMinute]] = relationship(
        back_populates="collaboration", cascade="all, delete-orphan",
        order_by=lambda: [CollaborationMinute.held_on.desc(), CollaborationMinute.id.desc()])

    def __repr__(self) -> str:
        return f"<Collaboration {self.id} {self.kind} {self.stage}>"

    @property
    def label(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.stage != "closed"

    @property
    def step_index(self) -> int:
        """Position of the stage in STAGES (0 = partner search, 9 = active, 10 = closed)."""
        return STAGES.index(self.stage)

    @property
    def reviewed_conflict_ids(self) -> set[int]:
        return {int(x) for x in (self.conflicts_reviewed_ids or "").split(",") if x.isdigit()}

    @property
    def licenses_or_transfers(self) -> bool:
        return self.kind == "licence" or bool(self.transfers_ip)

    @property
    def government_funded_seeds(self) -> list[ResearchSeed]:
        return [s for s in self.seeds if s.government_funded]

    @property
    def needs_bayh_dole_approval(self) -> bool:
        """Licensing or transferring a government-funded seed needs prior approval."""
        return self.licenses_or_transfers and bool(self.government_funded_seeds)

    @property
    def has_bayh_dole_approval(self) -> bool:
        return bool(self.bayh_dole_agency and self.bayh_dole_approved_on
                    and self.bayh_dole_reference)


class CollaborationCheck(db.Model):
    """One checklist item of one step, once someone ticked it (unticking keeps the row, done=False,
    so the audit trail follows one record per item)."""

    __tablename__ = "collaboration_checks"
    __table_args__ = (
        UniqueConstraint("collaboration_id", "step", "item", name="uq_collaboration_checks_item"),
        CheckConstraint(f"step IN {_in(STEPS)}", name="step_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaborations.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    item: Mapped[str] = mapped_column(String(40))
    done: Mapped[bool] = mapped_column(default=True)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                      index=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)

    collaboration: Mapped[Collaboration] = relationship(back_populates="checks")
    checked_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.step}.{self.item}"

    def __repr__(self) -> str:
        return f"<CollaborationCheck {self.id} {self.collaboration_id}/{self.step}/{self.item} done={self.done}>"


class CollaborationSignoff(db.Model):
    """A step signed off by a named user on a date; an override keeps its reason."""

    __tablename__ = "collaboration_signoffs"
    __table_args__ = (
        UniqueConstraint("collaboration_id", "step", name="uq_collaboration_signoffs_step"),
        CheckConstraint(f"step IN {_in(STEPS)}", name="step_known"),
        CheckConstraint("missing_items IS NULL OR override_reason IS NOT NULL",
                        name="override_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaborations.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                     index=True)
    #: Kept as text too, so the sign-off still names its user if the account is removed.
    signed_by_name: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date] = mapped_column(Date)
    #: Set when a manager moved past unfinished items: why, and which items (codes, comma-separated).
    override_reason: Mapped[str | None] = mapped_column(Text)
    missing_items: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    collaboration: Mapped[Collaboration] = relationship(back_populates="signoffs")
    signed_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return self.step

    @property
    def missing_list(self) -> list[str]:
        return [m for m in (self.missing_items or "").split(",") if m]

    def __repr__(self) -> str:
        return f"<CollaborationSignoff {self.id} {self.collaboration_id}/{self.step} on {self.signed_on}>"


class CollaborationMinute(db.Model):
    """Minutes of a meeting or a progress note on an active collaboration (case 28)."""

    __tablename__ = "collaboration_minutes"
    __table_args__ = (CheckConstraint(f"kind IN {_in(MINUTE_KINDS)}", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaborations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="meeting")
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    collaboration: Mapped[Collaboration] = relationship(back_populates="minutes")
    author: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.kind} {self.held_on}"

    def __repr__(self) -> str:
        return f"<CollaborationMinute {self.id} {self.collaboration_id} {self.kind} {self.held_on}>"
