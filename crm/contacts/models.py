"""Contacts (担当者): people at companies."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import re

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.common.text import nfkc, person_name
from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.companies.models import Company
    from crm.events.models import Encounter


class Contact(db.Model, Versioned):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_sort", "sort_name", "id"),
        # A trigram index on PostgreSQL (LIKE '%…%'); on SQLite a plain one, which the search
        # scans instead of the table (it holds all the search needs: the text and the id).
        Index("ix_contacts_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
        # PostgreSQL only: a B-tree for the quick search's "name begins with" range (the GIN
        # index above serves no range; on SQLite the plain index above serves it).
        Index("ix_contacts_search_prefix", "search_text").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str | None] = mapped_column(String(100))
    #: Readings (ふりがな) in katakana.
    family_name_reading: Mapped[str | None] = mapped_column(String(100))
    given_name_reading: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    #: Main e-mail, stored lower-case: the duplicate key for people.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    #: Further e-mail addresses, one per line.
    other_emails: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(50))
    #: How and where we met (free text; encounters record the structured version).
    how_we_met: Mapped[str | None] = mapped_column(Text)
    #: The person agreed to be contacted (newsletters, events).
    consent: Mapped[bool] = mapped_column(default=False)
    #: Never contact: exports flag such people.
    do_not_contact: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Indexed: the list's sort by last change, the duplicates page's max() (migration 0025).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    #: The list's sort key (reading, else name: family then given), kept by derived_fields().
    sort_name: Mapped[str] = mapped_column(String(210), server_default="")
    #: What the contact list's search box looks in, one LIKE for all (see derived_fields()).
    search_text: Mapped[str] = mapped_column(Text, server_default="")

    company: Mapped[Company | None] = relationship(back_populates="contacts")
    encounters: Mapped[list[Encounter]] = relationship(
        back_populates="contact", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.display_name}>"

    @property
    def display_name(self) -> str:
        return person_name(self.family_name, self.given_name)

    @property
    def reading(self) -> str:
        return " ".join(p for p in (self.family_name_reading, self.given_name_reading) if p)

    @property
    def label(self) -> str:
        return self.display_name


def derived_fields(family: str | None, given: str | None, family_reading: str | None,
                   given_reading: str | None, email: str | None) -> dict[str, str]:
    """The columns computed from a contact's names and e-mail (bulk loaders call this too):
    the sort key, and the search text the list's search box matches with one LIKE: the name
    in either order without spaces, NFKC and lower-case; the readings in either order; the
    e-mail in lower case (crm/contacts/queries.py search_contacts() builds the patterns)."""
    def joined(*parts: str | None) -> str:
        return "".join(p or "" for p in parts)

    def name(*parts: str | None) -> str:
        return re.sub(r"\s+", "", nfkc(joined(*parts))).lower()

    lines = [name(family, given), name(given, family),
             joined(family_reading, given_reading), joined(given_reading, family_reading),
             nfkc(email).lower()]
    first = family_reading if family_reading is not None else family
    last = given_reading if given_reading is not None else given
    return {"sort_name": joined(first, last)[:210],
            "search_text": "\n".join(dict.fromkeys(line for line in lines if line))}


def _refresh(mapper, connection, contact: Contact) -> None:  # noqa: ARG001 - event signature
    for key, value in derived_fields(contact.family_name, contact.given_name,
                                     contact.family_name_reading, contact.given_name_reading,
                                     contact.email).items():
        setattr(contact, key, value)


event.listen(Contact, "before_insert", _refresh)
event.listen(Contact, "before_update", _refresh)
