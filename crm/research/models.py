"""Departments, researchers (研究者) and their research seeds (研究シーズ)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.text import person_name
from crm.common.locking import Versioned
from crm.extensions import db, utcnow

IP_STATUSES = ("none", "filed", "granted", "licensed")
SEED_STATUSES = ("draft", "available", "in_discussion", "licensed", "closed")
#: The 14 emerging-technology fields under US export-control review (guideline table 6).
TECH_FIELDS = ("biotechnology", "ai_ml", "pnt", "microprocessors", "advanced_computing",
               "data_analytics", "quantum", "logistics", "additive_manufacturing", "robotics",
               "bci", "hypersonics", "advanced_materials", "advanced_surveillance")

seed_researchers = Table(
    "seed_researchers",
    db.metadata,
    Column("seed_id", ForeignKey("research_seeds.id", ondelete="CASCADE"), primary_key=True),
    Column("researcher_id", ForeignKey("researchers.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Department(db.Model, Versioned):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(200))
    #: Short code used in imports and exports (e.g. ENG, MED).
    code: Mapped[str | None] = mapped_column(String(20), unique=True)

    researchers: Mapped[list[Researcher]] = relationship(back_populates="department")

    def __repr__(self) -> str:
        return f"<Department {self.id} {self.name}>"

    @property
    def label(self) -> str:
        return self.name


class Researcher(db.Model, Versioned):
    __tablename__ = "researchers"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name_reading: Mapped[str | None] = mapped_column(String(100))
    given_name_reading: Mapped[str | None] = mapped_column(String(100))
    #: Name in Latin letters as published (e.g. "Taro Yamada").
    name_en: Mapped[str | None] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    lab: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    #: Research keywords, comma or line separated.
    keywords: Mapped[str | None] = mapped_column(Text)
    profile: Mapped[str | None] = mapped_column(Text)
    #: The researcher's researchmap permalink (https://researchmap.jp/<id>), else its member id:
    #: how a researchmap import finds them again (crm/research/importing.py).
    researchmap_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: JSON {field: value}: what the last researchmap import wrote. A value that differs from it
    #: now was edited by hand, and a later import lists it rather than overwriting it.
    researchmap_values: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship(back_populates="researchers")
    seeds: Mapped[list[ResearchSeed]] = relationship(
        secondary=seed_researchers, back_populates="researchers"
    )

    def __repr__(self) -> str:
        return f"<Researcher {self.id} {self.display_name}>"

    @property
    def display_name(self) -> str:
        return person_name(self.family_name, self.given_name)

    @property
    def label(self) -> str:
        return self.display_name


class ResearchSeed(db.Model, Versioned):
    __tablename__ = "research_seeds"
    __table_args__ = (
        CheckConstraint(f"ip_status IN {IP_STATUSES!r}", name="ip_status_known"),
        CheckConstraint(f"status IN {SEED_STATUSES!r}", name="status_known"),
        CheckConstraint("readiness IS NULL OR readiness BETWEEN 1 AND 9", name="trl_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    #: Technology readiness level, 1 (idea) to 9 (proven in operation).
    readiness: Mapped[int | None] = mapped_column()
    ip_status: Mapped[str] = mapped_column(String(20), default="none")
    #: Result of a government-funded project: licensing or transfer needs prior approval
    #: under the Japanese Bayh-Dole rule (産業技術力強化法 第17条).
    government_funded: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="available")
    #: Emerging-technology fields (TECH_FIELDS codes, space-separated): a flag for export control.
    tech_fields: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Indexed: the seed list's default order, the latest changed first (migration 0025).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    department: Mapped[Department | None] = relationship()
    researchers: Mapped[list[Researcher]] = relationship(
        secondary=seed_researchers, back_populates="seeds"
    )

    def __repr__(self) -> str:
        return f"<ResearchSeed {self.id} {self.title}>"

    @property
    def label(self) -> str:
        return self.title

    @property
    def tech_field_list(self) -> list[str]:
        """The seed's emerging-technology fields, in the order of TECH_FIELDS."""
        tags = set((self.tech_fields or "").split())
        return [f for f in TECH_FIELDS if f in tags]

    def can_edit(self, user) -> bool:
        """Research editors may edit any seed; a researcher only the seeds they are named on."""
        if user.can("research.edit"):
            return True
        return user.researcher_id is not None and any(
            r.id == user.researcher_id for r in self.researchers
        )
