"""What the company list selects: the one definition that the list page, the partner-list
exports and `crm export` share, so that what a user sees is what they export. The contact list
(crm/contacts/queries.py) shares the filters on the contact's company and the checks of the
filter values.

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
from sqlalchemy import Select, exists, func, not_, or_, select

from crm.activities.models import Activity
from crm.auth.models import User
from crm.common.params import to_int
from crm.common.text import nfkc
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
    "companies": COMMON_KEYS + ("closed",),
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
        "consent": _("Consent"), "closed": _("Closed in the register"),
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
               "dnc": ("yes", "no"), "consent": ("yes", "no"), "closed": ("yes", "no")}
    for key, allowed in choices.items():
        if key in args and args[key] not in allowed:
            bad(key, ", ".join(allowed))
    return errors


# -- the pieces of a query ----------------------------------------------------------------------

def company_contacted_since(day: date):
    """The company had an activity, or one of its people was met, on or after day."""
    return or_(
        exists().where(Activity.company_id == Company.id, Activity.occurred_on >= day),
        exists().where(Encounter.contact_id == Contact.id, Contact.company_id == Company.id,
                       Encounter.met_on >= day),
    )


def company_filters(stmt: Select, args: dict[str, str]) -> Select:
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


def contact_dates(stmt: Select, args: dict[str, str], contacted_since) -> Select:
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
    stmt = company_filters(stmt, args)
    if args.get("closed") == "yes":  # closed (閉鎖) in the corporate-number register
        stmt = stmt.where(Company.closed_on.is_not(None))
    elif args.get("closed") == "no":
        stmt = stmt.where(Company.closed_on.is_(None))
    return contact_dates(stmt, args, company_contacted_since)


def companies_query(args: Mapping[str, Any], *, donations: bool) -> Select:
    """select(Company) as the company list filters it."""
    return filter_companies(select(Company), args, donations=donations)


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



def order_by(sorts: Mapping[str, Any], entity: type, args: Mapping[str, Any]) -> list:
    """A list page's ORDER BY for the sort and dir arguments (ties broken by id)."""
    key = args.get("sort") if args.get("sort") in sorts else "name"
    desc = args.get("dir") == "desc"
    column = sorts[key]
    return [column.desc() if desc else column.asc(), entity.id.desc() if desc else entity.id.asc()]


def order_companies(args: Mapping[str, Any]) -> list:
    return order_by(COMPANY_SORTS, Company, args)


# -- what the filter controls offer ---------------------------------------------------------------

def industries() -> list[str]:
    """Every industry a company has, once each, in order: read from the industry index one
    value after another (a recursive query, each step the next value up), where a DISTINCT
    read all its entries (17 ms for 50,000 companies on PostgreSQL, which cannot skip)."""
    seen = select(func.min(Company.industry).label("name")).cte("seen", recursive=True)
    after = select(func.min(Company.industry)).where(Company.industry > seen.c.name)
    seen = seen.union_all(select(after.scalar_subquery()).where(seen.c.name.is_not(None)))
    return list(db.session.execute(
        select(seen.c.name).where(seen.c.name.is_not(None))).scalars())


def donation_currencies() -> list[str]:
    return list(db.session.execute(
        select(Donation.currency).where(Donation.company_id.is_not(None)).distinct()
        .order_by(Donation.currency)).scalars())


def any_set(args: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return any((args.get(k) or "").strip() for k in keys)
