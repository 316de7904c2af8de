"""What a company or contact list selects: the one definition that the list pages, the partner-list
exports and `crm export` share, so that what a user sees is what they export.

Filters come as the query string of the list page (a dict of strings). Values that make no sense
are left out of the query and reported by `filter_errors`, which the list page shows as a warning
and the exports refuse (an export never silently widens to more rows than the user asked for).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, not_, or_, select, union

from crm.activities.models import Activity, activity_contacts
from crm.auth.models import User
from crm.common.params import to_int
from crm.common.sql import like
from crm.common.text import fold_company_name, fold_text, nfkc
from crm.companies.models import COMPANY_STATUSES, MEMBERSHIP_TIERS, Company, name_contains
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.events.models import Encounter
from crm.extensions import db

#: Filters both lists have; on the contact list they select by the contact's company, except the
#: free-text search (q) and the last-contact dates, which concern the contact.
COMMON_KEYS = ("q", "status", "tier", "officer", "industry", "country", "origin",
               "contacted_since", "no_contact_since", "min_donations", "currency")
KEYS = {
    "companies": COMMON_KEYS,
    "contacts": COMMON_KEYS + ("company", "dnc", "consent"),
}
#: Filters only a role with donations.view may use (they would reveal donation totals).
DONATION_KEYS = ("min_donations", "currency")
#: tier=member: any membership tier; tier=none: not a member.
MEMBERSHIP_CHOICES = ("member", "none") + MEMBERSHIP_TIERS
ORIGINS = ("domestic", "foreign")
HOME_COUNTRY = "JP"


def clean_args(kind: str, args: Mapping[str, Any], *, donations: bool) -> dict[str, str]:
    """The filters of one list present in args, trimmed; donation filters only when allowed."""
    out = {}
    for key in KEYS[kind]:
        value = args.get(key)
        value = value.strip() if isinstance(value, str) else ("" if value is None else str(value))
        if value and (donations or key not in DONATION_KEYS):
            out[key] = value
    return out


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(nfkc(value))
    except ValueError:
        return None


def parse_amount(value: str) -> Decimal | None:
    text = nfkc(value).replace(",", "").replace("¥", "").replace("円", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def filter_labels() -> dict[str, str]:
    """What each filter is called on the page (for messages)."""
    return {
        "q": _("Search"), "status": _("Status"), "tier": _("Membership"),
        "officer": _("Officer"), "industry": _("Industry"), "country": _("Country"),
        "origin": _("Domestic or foreign"), "contacted_since": _("Contacted since"),
        "no_contact_since": _("No contact since"), "min_donations": _("Donations at least"),
        "currency": _("Currency"), "company": _("Company"), "dnc": _("Do not contact"),
        "consent": _("Consent"),
    }


def filter_errors(kind: str, args: Mapping[str, Any], *, donations: bool) -> dict[str, str]:
    """A message for each filter whose value cannot be used (the filter is then left out)."""
    raw = args
    args = clean_args(kind, args, donations=donations)
    labels = filter_labels()
    errors: dict[str, str] = {}
    if not donations and str(raw.get("min_donations") or "").strip():
        # a manager's link opened by a role that cannot see donations: say so, rather than show
        # (or export) a wider list than the link promises
        errors["min_donations"] = _("%(filter)s: your role cannot filter by donations; the "
                                    "filter is left out.", filter=labels["min_donations"])

    def bad(key: str, hint: str) -> None:
        errors[key] = _("%(filter)s: “%(value)s” is not valid (%(hint)s).",
                        filter=labels[key], value=args[key][:50], hint=hint)

    for key in ("contacted_since", "no_contact_since"):
        if key in args and parse_date(args[key]) is None:
            bad(key, _("a date as YYYY-MM-DD"))
    if "min_donations" in args and parse_amount(args["min_donations"]) is None:
        bad("min_donations", _("an amount, e.g. 1000000"))
    if "currency" in args and not re.fullmatch(r"[A-Za-z]{3}", nfkc(args["currency"])):
        bad("currency", _("a three-letter code such as JPY"))
    for key in ("officer", "company"):
        if key in args and to_int(args[key]) is None:
            bad(key, _("a record number"))
    choices = {"status": COMPANY_STATUSES, "tier": MEMBERSHIP_CHOICES, "origin": ORIGINS,
               "dnc": ("yes", "no"), "consent": ("yes", "no")}
    for key, allowed in choices.items():
        if key in args and args[key] not in allowed:
            bad(key, ", ".join(allowed))
    return errors


def applied_filters(kind: str, args: Mapping[str, Any], *, donations: bool) -> dict[str, str]:
    """The filters that shape the list (valid and allowed): what the audit trail records."""
    cleaned = clean_args(kind, args, donations=donations)
    errors = filter_errors(kind, cleaned, donations=donations)
    if "min_donations" not in cleaned:
        cleaned.pop("currency", None)
    return {k: v for k, v in cleaned.items() if k not in errors}


# -- the pieces of a query ----------------------------------------------------------------------

def search_contacts(stmt: Select, q: str) -> Select:
    """Name in either order with or without a space, reading in hiragana or katakana,
    Latin name, e-mail or company name. The statement must already join Company.
    The contact's own fields are one column (Contact.search_text, see
    crm.contacts.models.derived_fields), its company's among the companies: one LIKE per
    pattern on one narrow column instead of eight per row."""
    text = nfkc(q)
    compact = re.sub(r"\s+", "", text).lower()
    reading = re.sub(r"\s+", "", fold_text(q))
    patterns = sorted({p for p in (compact, reading, text.lower()) if p})
    own = select(Contact.id).where(
        or_(*(Contact.search_text.like(like(p), escape="\\") for p in patterns)))
    company_conditions = [
        Company.name_en.ilike(like(text), escape="\\"),
        Company.name_reading.like(like(reading), escape="\\"),
    ]
    folded = fold_company_name(q)
    if folded:
        company_conditions.append(Company.name_folded.like(like(folded), escape="\\"))
    at_company = select(Contact.id).where(Contact.company_id.in_(
        select(Company.id).where(or_(*company_conditions))))
    # A union, not an OR: each side can use its own index (trigrams on PostgreSQL).
    return stmt.where(Contact.id.in_(union(own, at_company)))


def company_contacted_since(day: date):
    """The company had an activity, or one of its people was met, on or after day."""
    return or_(
        exists().where(Activity.company_id == Company.id, Activity.occurred_on >= day),
        exists().where(Encounter.contact_id == Contact.id, Contact.company_id == Company.id,
                       Encounter.met_on >= day),
    )


def contact_contacted_since(day: date):
    """The person was met at an encounter, or took part in an activity, on or after day."""
    return or_(
        exists().where(Encounter.contact_id == Contact.id, Encounter.met_on >= day),
        exists().where(activity_contacts.c.contact_id == Contact.id,
                       activity_contacts.c.activity_id == Activity.id,
                       Activity.occurred_on >= day),
    )


def _company_filters(stmt: Select, args: dict[str, str]) -> Select:
    """The filters on company columns (on the contact list: the contact's company)."""
    if args.get("status") in COMPANY_STATUSES:
        stmt = stmt.where(Company.status == args["status"])
    tier = args.get("tier")
    if tier == "member":
        stmt = stmt.where(Company.membership_tier.is_not(None))
    elif tier == "none":
        stmt = stmt.where(Company.membership_tier.is_(None))
    elif tier in MEMBERSHIP_TIERS:
        stmt = stmt.where(Company.membership_tier == tier)
    if to_int(args.get("officer")) is not None:
        stmt = stmt.where(Company.officer_id == to_int(args["officer"]))
    if args.get("industry"):
        stmt = stmt.where(Company.industry == args["industry"])
    if args.get("country"):
        stmt = stmt.where(Company.country == nfkc(args["country"]).upper())
    if args.get("origin") == "domestic":
        stmt = stmt.where(Company.country == HOME_COUNTRY)
    elif args.get("origin") == "foreign":
        stmt = stmt.where(Company.country != HOME_COUNTRY)
    minimum = parse_amount(args["min_donations"]) if args.get("min_donations") else None
    currency = nfkc(args.get("currency") or "JPY").upper()
    if minimum is not None and re.fullmatch(r"[A-Z]{3}", currency):
        donors = (select(Donation.company_id)
                  .where(Donation.company_id.is_not(None), Donation.currency == currency)
                  .group_by(Donation.company_id).having(func.sum(Donation.amount) >= minimum))
        stmt = stmt.where(Company.id.in_(donors))
    return stmt


def _contact_dates(stmt: Select, args: dict[str, str], contacted_since) -> Select:
    since = parse_date(args["contacted_since"]) if args.get("contacted_since") else None
    if since:
        stmt = stmt.where(contacted_since(since))
    quiet = parse_date(args["no_contact_since"]) if args.get("no_contact_since") else None
    if quiet:
        stmt = stmt.where(not_(contacted_since(quiet)))
    return stmt


def filter_companies(stmt: Select, args: Mapping[str, Any], *, donations: bool) -> Select:
    """Apply the company list's search and filters to a statement selecting from Company."""
    args = clean_args("companies", args, donations=donations)
    if args.get("q"):
        stmt = stmt.where(name_contains(args["q"]))
    stmt = _company_filters(stmt, args)
    return _contact_dates(stmt, args, company_contacted_since)


def filter_contacts(stmt: Select, args: Mapping[str, Any], *, donations: bool) -> Select:
    """Apply the contact list's search and filters; the statement must outer-join Company."""
    args = clean_args("contacts", args, donations=donations)
    if args.get("q"):
        stmt = search_contacts(stmt, args["q"])
    if to_int(args.get("company")) is not None:
        stmt = stmt.where(Contact.company_id == to_int(args["company"]))
    for key, column in (("dnc", Contact.do_not_contact), ("consent", Contact.consent)):
        if args.get(key) in ("yes", "no"):
            stmt = stmt.where(column.is_(args[key] == "yes"))
    stmt = _company_filters(stmt, args)
    return _contact_dates(stmt, args, contact_contacted_since)


def companies_query(args: Mapping[str, Any], *, donations: bool) -> Select:
    """select(Company) as the company list filters it."""
    return filter_companies(select(Company), args, donations=donations)


def contacts_query(args: Mapping[str, Any], *, donations: bool) -> Select:
    """select(Contact) joined to its company, as the contact list filters it."""
    stmt = select(Contact).outerjoin(Company, Contact.company_id == Company.id)
    return filter_contacts(stmt, args, donations=donations)


COMPANY_SORTS = {
    "name": Company.sort_name,
    "country": Company.country,
    "industry": Company.industry,
    "officer": select(User.name).where(User.id == Company.officer_id).scalar_subquery(),
    "tier": Company.membership_tier,
    "renewal": Company.renewal_date,
    "status": Company.status,
    "updated": Company.updated_at,
}

CONTACT_SORTS = {
    "name": Contact.sort_name,
    "company": func.coalesce(Company.name_reading, Company.name_folded),
    "title": Contact.title,
    "updated": Contact.updated_at,
}


def order(kind: str, args: Mapping[str, Any]) -> list:
    """The list page's ORDER BY for the sort and dir arguments (ties broken by id)."""
    sorts, entity = (COMPANY_SORTS, Company) if kind == "companies" else (CONTACT_SORTS, Contact)
    key = args.get("sort") if args.get("sort") in sorts else "name"
    desc = args.get("dir") == "desc"
    column = sorts[key]
    return [column.desc() if desc else column.asc(), entity.id.desc() if desc else entity.id.asc()]


# -- what the filter controls offer ---------------------------------------------------------------

def industries() -> list[str]:
    return list(db.session.execute(
        select(Company.industry).where(Company.industry.is_not(None)).distinct()
        .order_by(Company.industry)).scalars())


def donation_currencies() -> list[str]:
    return list(db.session.execute(
        select(Donation.currency).where(Donation.company_id.is_not(None)).distinct()
        .order_by(Donation.currency)).scalars())


def any_set(args: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return any((args.get(k) or "").strip() for k in keys)

