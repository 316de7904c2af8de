"""Export-control screening: lists, their entries, screenings, hits and decisions."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (JSON, CheckConstraint, Date, Float, ForeignKey, Index, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db, utcnow
from crm.screening.kinds import DECISION_STATUS, LIST_KINDS  # noqa: F401 (re-exported)
from crm.screening.kinds import DECISIONS as _DECISIONS
from crm.screening.kinds import HIT_STATUSES as _HIT_STATUSES

if TYPE_CHECKING:
    from crm.auth.models import User
    from crm.companies.models import Company
    from crm.contacts.models import Contact


HIT_STATUSES = tuple(_HIT_STATUSES)
DECISIONS = tuple(_DECISIONS)


class ScreeningList(db.Model):
    """One imported version of a list; the newest of each kind is `current`. Old versions stay
    (their entries are replaced) so past screenings can say what they were screened against."""
    __tablename__ = "screening_lists"
    __table_args__ = (CheckConstraint(f"kind IN {LIST_KINDS!r}", name="kind_known"),
                      Index("ix_screening_lists_kind_current", "kind", "current"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: as given on import, else the list's own date, else the import date (YYYY-MM-DD)
    version: Mapped[str] = mapped_column(String(100))
    published_on: Mapped[date | None] = mapped_column(Date)
    source_filename: Mapped[str | None] = mapped_column(String(300))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    entry_count: Mapped[int] = mapped_column(default=0)
    current: Mapped[bool] = mapped_column(default=True)

    imported_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.kind} {self.version}"

    def __repr__(self) -> str:
        return f"<ScreeningList {self.id} {self.kind} {self.version}>"


class ListEntry(db.Model):
    """One listed party of the current version of a list (names, country, programmes)."""
    __tablename__ = "screening_list_entries"
    __table_args__ = (UniqueConstraint("list_id", "entry_key", name="entry_once"),)
    __audited__ = False  # thousands per import: the list row records the import

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("screening_lists.id", ondelete="CASCADE"), index=True)
    #: the entry's id in the list (SDN ent_num, UN reference number, EUL number ...)
    entry_key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    #: other names, one per line
    aliases: Mapped[str | None] = mapped_column(Text)
    entry_type: Mapped[str | None] = mapped_column(String(20))
    #: countries as the list writes them, one per line
    countries: Mapped[str | None] = mapped_column(Text)
    programs: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    #: every folded matching key of every name, one per line (what the matcher indexes)
    folded_keys: Mapped[str] = mapped_column(Text, default="")
    #: hash of the folded names: a remembered false positive holds while it stays the same
    fingerprint: Mapped[str] = mapped_column(String(16))

    list: Mapped[ScreeningList] = relationship()

    @property
    def names(self) -> list[str]:
        return [self.name] + [a for a in (self.aliases or "").splitlines() if a]

    def __repr__(self) -> str:
        return f"<ListEntry {self.id} list={self.list_id} {self.entry_key} {self.name}>"


class Screening(db.Model):
    """One screening of a company (with its contacts) or of a typed name, kept for the record."""
    __tablename__ = "screenings"
    __table_args__ = (
        CheckConstraint("result IN ('clear', 'hits')", name="result_known"),
        Index("ix_screenings_company_at", "company_id", "screened_at"),
    )
    __audited__ = False  # a screening is itself the record (who, when, which lists, result)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"))
    #: the name screened (the company's name, or the typed name)
    subject_name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    screened_at: Mapped[datetime] = mapped_column(default=utcnow)
    screened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: 'web', 'cli', 'list import' ...
    trigger: Mapped[str] = mapped_column(String(30), default="web")
    #: [{"list_id", "kind", "version", "entries"}] of every list used
    list_versions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: hash of the company's and its contacts' names and country when screened
    subject_fingerprint: Mapped[str | None] = mapped_column(String(16))
    threshold: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(String(10), default="clear")

    company: Mapped[Company | None] = relationship()
    screened_by: Mapped[User | None] = relationship()
    hits: Mapped[list[Hit]] = relationship(back_populates="screening",
                                           cascade="all, delete-orphan",
                                           order_by="Hit.score.desc()")

    @property
    def label(self) -> str:
        return self.subject_name

    def __repr__(self) -> str:
        return f"<Screening {self.id} {self.subject_name} company={self.company_id}>"


class Hit(db.Model):
    """A candidate match of one of our names with a list entry; the entry is copied in so the
    record survives the next version of the list."""
    __tablename__ = "screening_hits"
    __table_args__ = (CheckConstraint(f"status IN {HIT_STATUSES!r}", name="status_known"),
                      Index("ix_screening_hits_memory", "list_kind", "entry_key"))
    __audited__ = False  # part of its screening; decisions on it are audited

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screenings.id", ondelete="CASCADE"), index=True)
    list_id: Mapped[int | None] = mapped_column(
        ForeignKey("screening_lists.id", ondelete="SET NULL"), index=True)
    list_kind: Mapped[str] = mapped_column(String(20))
    list_version: Mapped[str] = mapped_column(String(100))
    entry_key: Mapped[str] = mapped_column(String(100))
    entry_name: Mapped[str] = mapped_column(String(500))
    #: {"names": [...], "type", "countries": [...], "programs", "remarks"}
    entry_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entry_fingerprint: Mapped[str] = mapped_column(String(16))
    #: which of ours matched: 'company' or 'contact:<id>'
    subject_key: Mapped[str] = mapped_column(String(40))
    subject_fingerprint: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    query_name: Mapped[str] = mapped_column(String(300))
    matched_name: Mapped[str] = mapped_column(String(500))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="open")
    #: set when the status was carried over from an earlier decision (a remembered clearance);
    #: the decision's id, without a foreign key (hits and decisions would refer to each other)
    carried_from_id: Mapped[int | None] = mapped_column()

    screening: Mapped[Screening] = relationship(back_populates="hits")
    contact: Mapped[Contact | None] = relationship()
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="hit", cascade="all, delete-orphan", order_by="Decision.decided_at")

    @property
    def label(self) -> str:
        return f"{self.query_name} ~ {self.entry_name}"

    def __repr__(self) -> str:
        return f"<Hit {self.id} screening={self.screening_id} {self.list_kind}/{self.entry_key}>"


class Decision(db.Model):
    """An officer's decision on a hit: clear (a false positive), escalate, or block."""
    __tablename__ = "screening_decisions"
    __table_args__ = (CheckConstraint(f"decision IN {DECISIONS!r}", name="decision_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hit_id: Mapped[int] = mapped_column(
        ForeignKey("screening_hits.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    hit: Mapped[Hit] = relationship(back_populates="decisions")
    decided_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return self.decision

    def __repr__(self) -> str:
        return f"<Decision {self.id} hit={self.hit_id} {self.decision}>"
