"""What the contact list selects: the one definition that the list page, the partner-list
exports (CSV, Excel, vCard) and `crm export` share. Filters on the contact's company and the
checks of filter values are the company list's (crm/companies/queries.py)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, union, union_all

from crm.activities.models import Activity, activity_contacts
from crm.common.params import to_int
from crm.common.sql import starts_with
from crm.common.textsearch import contains_any, matching_ids
from crm.common.text import fold_reading, fold_text, nfkc
from crm.companies.models import Company, name_patterns
from crm.companies.queries import clean_args, company_filters, contact_dates, order_by
from crm.contacts.models import Contact
from crm.events.models import Encounter


def contact_text_matches(q: str) -> ColumnElement[bool]:
    """The contact's own name (either order, with or without a space), reading (hiragana or
    katakana, full or half width) or e-mail contains the text: one LIKE per pattern on the one
    column Contact.search_text (the contact list and the record pickers share it)."""
    # served by an index: FTS5 trigrams on SQLite, pg_trgm on PostgreSQL (crm/common/textsearch.py)
    return contains_any(Contact, contact_patterns(q))


def contact_patterns(q: str) -> tuple[str, ...]:
    """What a typed text is looked for as in Contact.search_text."""
    text = nfkc(q)
    compact = re.sub(r"\s+", "", text).lower()
    reading = re.sub(r"\s+", "", fold_text(q))
    return compact, reading, text.lower()


def contact_starts(q: str) -> ColumnElement[bool]:
    """The contact's reading (either script, either width), name (family name first, with or
    without a space; or given name first when the words are spaced) or e-mail begins with the
    text: indexed columns, for the type-ahead."""
    text = nfkc(q)
    compact = re.sub(r"\s+", "", text)
    conditions = [starts_with(Contact.sort_name, fold_reading(q)),
                  starts_with(Contact.sort_name, compact),
                  starts_with(Contact.search_text, compact.lower()),
                  starts_with(Contact.email, text.strip().lower())]
    words = text.split()
    if len(words) > 1:  # typed given name first ("Yoshitaka Amano", "喜孝 天野"): family first
        flipped = "".join(words[-1:] + words[:-1])
        conditions += [starts_with(Contact.search_text, flipped.lower()),
                       starts_with(Contact.sort_name, fold_reading("".join(
                           q.split()[-1:] + q.split()[:-1])))]
    return or_(*conditions)


def search_contacts(stmt: Select, q: str) -> Select:
    """Name in either order with or without a space, reading in hiragana or katakana,
    Latin name, e-mail or company name.
    The contact's own fields are one column (Contact.search_text, see
    crm.contacts.models.derived_fields), its company's among the companies (their search
    text): each a lookup in a trigram index (crm/common/textsearch.py), not a scan."""
    # the ids the index finds, not the rows (crm.common.textsearch.matching_ids)
    own = matching_ids(Contact, contact_patterns(q))
    # the company's names as the company list searches them (its folded name, reading, English
    # name and other names): indexed like the contact's own text; a text that folds to no
    # name at all (a legal form alone) matches every company, as on the company list
    companies = matching_ids(Company, name_patterns(q))
    at_company = select(Contact.id).where(
        Contact.company_id.in_(union_all(*companies) if len(companies) > 1 else companies[0])
        if companies else Contact.company_id.is_not(None))
    # A union, not an OR: each side can use its own index (trigrams on PostgreSQL).
    return stmt.where(Contact.id.in_(union(*own, at_company)))



def contact_contacted_since(day: date):
    """The person was met at an encounter, or took part in an activity, on or after day."""
    return or_(
        exists().where(Encounter.contact_id == Contact.id, Encounter.met_on >= day),
        exists().where(activity_contacts.c.contact_id == Contact.id,
                       activity_contacts.c.activity_id == Activity.id,
                       Activity.occurred_on >= day),
    )


def filter_contacts(stmt: Select, args: Mapping[str, Any], *, donations: bool) -> Select:
    """Apply the contact list's search and filters; the statement must outer-join Company when
    a filter on the company is given (needs_company)."""
    args = clean_args("contacts", args, donations=donations)
    if args.get("q"):
        stmt = search_contacts(stmt, args["q"])
    if to_int(args.get("company")) is not None:
        stmt = stmt.where(Contact.company_id == to_int(args["company"]))
    for key, column in (("dnc", Contact.do_not_contact), ("consent", Contact.consent)):
        if args.get(key) in ("yes", "no"):
            stmt = stmt.where(column.is_(args[key] == "yes"))
    stmt = company_filters(stmt, args)
    return contact_dates(stmt, args, contact_contacted_since)


#: The contact list's filters and sort that read the contact's company (the others, and the
#: typed search, need no join: counting 250,000 contacts through it costs a scan of both).
COMPANY_KEYS = ("status", "tier", "officer", "industry", "country", "origin", "min_donations",
                "currency")


def needs_company(args: Mapping[str, Any]) -> bool:
    """True when the list's filters or sort read the contact's company."""
    return args.get("sort") == "company" or any(
        str(args.get(key) or "").strip() for key in COMPANY_KEYS)


def contacts_query(args: Mapping[str, Any], *, donations: bool,
                   join_company: bool = True) -> Select:
    """select(Contact) joined to its company, as the contact list filters it (join_company=False:
    without the join when no filter or sort needs it, see needs_company)."""
    stmt = select(Contact)
    if join_company or needs_company(args):
        stmt = stmt.outerjoin(Company, Contact.company_id == Company.id)
    return filter_contacts(stmt, args, donations=donations)


CONTACT_SORTS = {
    "name": Contact.sort_name,
    "company": func.coalesce(Company.name_reading, Company.name_folded),
    "title": Contact.title,
    "updated": Contact.updated_at,
}




def order_contacts(args: Mapping[str, Any]) -> list:
    return order_by(CONTACT_SORTS, Contact, args)
