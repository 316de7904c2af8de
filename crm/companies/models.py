"""Companies (企業): the heart of the CRM."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.sql import like, starts_with
from crm.common.textsearch import contains_any
from crm.common.text import (
    company_sort_reading,
    fold_company_name,
    fold_reading,
    fold_text,
    legal_form,
)
from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.activities.models import Activity
    from crm.alumni.models import Alumnus
    from crm.auth.models import User
    from crm.contacts.models import Contact
    from crm.donations.models import Donation

COMPANY_STATUSES = ("prospect", "active", "dormant", "former")
COMPANY_SIZES = ("startup", "sme", "large", "public")
MEMBERSHIP_TIERS = ("associate", "standard", "premium")
#: Why the corporate-number register closed a company (国税庁 法人番号: closeCause).
CLOSE_CAUSES = ("01", "11", "21", "31")


class Company(db.Model, Versioned):
    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint(
            "corporate_number IS NULL OR length(corporate_number) = 13", name="corporate_number_len"
        ),
        CheckConstraint(f"status IN {COMPANY_STATUSES!r}", name="status_known"),
        CheckConstraint(
            f"size IS NULL OR size IN {COMPANY_SIZES!r}", name="size_known"
        ),
        CheckConstraint(
            f"membership_tier IS NULL OR membership_tier IN {MEMBERSHIP_TIERS!r}",
            name="tier_known",
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint(
            f"close_cause IS NULL OR close_cause IN {CLOSE_CAUSES!r}", name="close_cause_known"
        ),
        Index("ix_companies_sort", "sort_name", "id"),
        # LIKE '%…%' on the search text: a trigram index on PostgreSQL, a plain one on SQLite
        # (scanned instead of the table).
        Index("ix_companies_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    #: Reading of the name in katakana (カブシキガイシャ... is left out by convention).
    name_reading: Mapped[str | None] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    #: Other names the company goes by, one per line.
    aliases: Mapped[str | None] = mapped_column(Text)
    #: Name with width, case, punctuation and legal form folded away: the duplicate key.
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    #: Sort key: the reading in katakana when known (あいうえお order), else the folded name.
    sort_name: Mapped[str] = mapped_column(String(300), server_default="")
    #: Every name the company goes by, folded like a typed query is: what the list filter searches.
    search_text: Mapped[str] = mapped_column(Text, server_default="")
    #: The legal form found in the name (株式会社, Co., Ltd., GmbH ...), for display and matching.
    legal_form: Mapped[str | None] = mapped_column(String(50))
    #: Japanese corporate number (法人番号), 13 digits with a check digit.
    corporate_number: Mapped[str | None] = mapped_column(String(13), unique=True)
    #: ISO 3166-1 alpha-2 country of this entity, and of the group's headquarters.
    country: Mapped[str] = mapped_column(String(2), default="JP")
    hq_country: Mapped[str | None] = mapped_column(String(2))
    #: A foreign company's subsidiary or plant in Japan (several national stances depend on it).
    has_local_presence: Mapped[bool] = mapped_column(default=False)
    industry: Mapped[str | None] = mapped_column(String(100), index=True)
    size: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    #: Interests and technical needs (企業ニーズ): the text matched against research seeds.
    interests: Mapped[str | None] = mapped_column(Text)
    membership_tier: Mapped[str | None] = mapped_column(String(20))
    member_since: Mapped[date | None] = mapped_column(Date)
    renewal_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="prospect")
    notes: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    #: The liaison officer responsible for the company (portfolio owner).
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Head-office address and postcode (filled from the corporate-number register when empty).
    address: Mapped[str | None] = mapped_column(String(500))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    # -- what the corporate-number register (国税庁 法人番号公表サイト) says; crm/companies/register.py
    #: The register closed the company (閉鎖) on this day, for this cause (CLOSE_CAUSES).
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    close_cause: Mapped[str | None] = mapped_column(String(2))
    #: The corporation that took it over (承継先法人番号), on a merger.
    successor_number: Mapped[str | None] = mapped_column(String(13))
    #: The register's name when it differs from ours and nobody has decided yet (the review page).
    register_name: Mapped[str | None] = mapped_column(String(300))
    #: A register name someone chose to keep ours over: not asked again until the register changes.
    register_name_kept: Mapped[str | None] = mapped_column(String(300))
    #: The register's update date (更新年月日) of the row last compared.
    register_updated_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Indexed: the list's sort by last change, and the duplicates page's check that nothing
    #: changed since its pairs were found (a max() read from the index; migration 0025).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    parent: Mapped[Company | None] = relationship(
        remote_side="Company.id", back_populates="subsidiaries"
    )
    subsidiaries: Mapped[list[Company]] = relationship(back_populates="parent")
    officer: Mapped[User | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(back_populates="company")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="company", cascade="all, delete-orphan"
    )
    alumni: Mapped[list[Alumnus]] = relationship(back_populates="employer")
    donations: Mapped[list[Donation]] = relationship(back_populates="company")

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.name}>"

    def refresh_derived(self) -> None:
        """Recompute the folded name, legal form, sort key and search text from the names."""
        for key, value in derived_fields(self.name, self.name_reading, self.name_en, self.aliases,
                                         self.corporate_number).items():
            setattr(self, key, value)

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in (self.aliases or "").splitlines() if a.strip()]

    @property
    def label(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


def derived_fields(name: str, reading: str | None, name_en: str | None, aliases: str | None,
                   corporate_number: str | None) -> dict[str, str | None]:
    """The columns computed from a company's names (bulk loaders call this too)."""
    folded = fold_company_name(name)
    parts = [folded, fold_reading(reading), fold_text(name_en), fold_text(aliases),
             corporate_number or ""]
    return {
        "name_folded": folded,
        "legal_form": legal_form(name),
        "sort_name": (company_sort_reading(reading) or folded)[:300],
        "search_text": "\n".join(p for p in parts if p),
    }


def name_starts(query: str) -> ColumnElement[bool]:
    """Companies whose folded name or reading begins with the typed text (indexed columns, for
    the type-ahead), or, typed in Latin letters, any of whose names contains it (ＫＹＯ, kyocera)."""
    conditions = [starts_with(Company.name_folded, fold_company_name(query)),
                  starts_with(Company.sort_name, company_sort_reading(query))]
    text = fold_text(query).strip()
    if text.isascii():
        # English names are in the search text (folded, lower case), which a trigram index
        # serves (pg_trgm, FTS5; a subquery, so the planner does not walk the whole table in
        # sort order instead).
        conditions.append(Company.id.in_(select(Company.id).where(
            contains_any(Company, [text]))))
    return or_(*conditions)


def name_contains(query: str) -> ColumnElement[bool]:
    """Companies any of whose names, reading or corporate number contains the typed text,
    compared folded: 株式会社ABC, ＡＢＣ(株), abc and えーびーしー readings alike."""
    patterns = name_patterns(query)
    if not patterns:
        return true()
    # served by an index: FTS5 trigrams on SQLite, pg_trgm on PostgreSQL (crm/common/textsearch.py)
    return contains_any(Company, patterns)


def name_patterns(query: str) -> set[str]:
    """What a typed company name is looked for as in the search text (folded three ways)."""
    return {fold_company_name(query), fold_text(query).strip(), fold_reading(query)} - {""}

