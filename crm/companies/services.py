"""Creating, changing and deleting companies."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.alumni.models import Alumnus
from crm.auth.models import User
from crm.common.services import ValidationError, apply
from crm.common.text import (
    fold_company_name,
    normalise_corporate_number,
    normalise_reading,
    not_kana,
    strip_legal_reading,
    valid_corporate_number,
)
from crm.companies.fields import COMPANY_FIELDS
from crm.companies.models import Company
from crm.contacts.matching import check_company
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.extensions import db
from crm.liaison import services as liaison
from crm.liaison.models import PortfolioAssignment

#: What a form may set, from the field table (crm/companies/fields.py); the corporate number
#: is checked and normalised on its own, and officer_id goes through the portfolio rules
#: (crm.liaison.services), which keep the history.
FIELDS = tuple(name for name in COMPANY_FIELDS.names("editable")
               if name not in ("corporate_number", "officer_id"))
_UNCHANGED = object()


def find_by_corporate_number(number: str) -> Company | None:
    """The company holding this corporate number, if any."""
    return db.session.scalar(select(Company).where(Company.corporate_number == number))


def acting_user() -> User | None:
    """The logged-in user of the current request; None for a script, import or loader."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def save_company(company: Company | None, data: dict[str, Any], *,
                 by: User | None = None, duplicates: str = "off") -> Company:
    """Create a company (company=None) or update one; the corporate number must be valid and unique.

    A changed officer_id goes through the portfolio rules (crm.liaison.services): only a
    manager may change it, and an 11th company is refused unless data["override_reason"] is
    given. by is the user acting (default: the logged-in user); without one (scripts, loaders)
    the 7–10 limit is not enforced but the history is still kept.

    duplicates: "ask" applies the one rule for a company typed by hand
    (crm.contacts.matching.check_company: the same corporate number or folded name refused,
    a near match raising NearDuplicates); "confirmed" when the user has already said a near
    match is another company; "off" for importers and loaders that match on their own.
    """
    by = by or acting_user()
    errors = company_problems(data)
    number = data.get("corporate_number")
    if number and "corporate_number" not in errors:
        holder = find_by_corporate_number(number)
        if holder is not None and holder is not company:
            errors["corporate_number"] = _(
                "Corporate number %(number)s already belongs to %(name)s (#%(id)s).",
                number=number, name=holder.name, id=holder.id)
    parent_id = data.get("parent_id")
    if company is not None and parent_id is not None and _would_cycle(company.id, parent_id):
        errors["parent"] = _(
            "A company cannot be its own parent, directly or through subsidiaries.")
    officer: Any = _UNCHANGED
    if "officer_id" in data and data["officer_id"] != (company.officer_id if company else None):
        officer = db.session.get(User, data["officer_id"]) if data["officer_id"] else None
        if data["officer_id"] and officer is None:
            errors["officer"] = _("That officer no longer exists; pick again.")
        else:
            errors.update(liaison.assignment_problems(
                company, officer, by=by, override_reason=data.get("override_reason"),
                enforce_limit=by is not None))
    if errors:
        raise ValidationError(errors)
    renamed = company is None or fold_company_name(data.get("name")) != company.name_folded \
        or (number or None) != company.corporate_number
    if duplicates != "off" and renamed:
        check_company(data.get("name"), number, company=company,
                      near_confirmed=duplicates == "confirmed")

    company = build_company(company, data)
    db.session.flush()
    if officer is None:
        liaison.unassign_company(company, by=by)
    elif officer is not _UNCHANGED:
        liaison.assign_company(company, officer, by=by,
                               override_reason=data.get("override_reason"),
                               enforce_limit=by is not None)
    return company


def _name_required(data: dict[str, Any]) -> dict[str, str]:
    if not (data.get("name") or "").strip():
        return {"name": _("Enter the company name.")}
    return {}


def _corporate_number_valid(data: dict[str, Any]) -> dict[str, str]:
    number = normalise_corporate_number(data.get("corporate_number"))
    data["corporate_number"] = number or None
    if number and not valid_corporate_number(number):
        return {"corporate_number": _(
            "A corporate number has 13 digits and a valid check digit; "
            "%(number)s is not one.", number=number)}
    return {}


def _country_codes(data: dict[str, Any]) -> dict[str, str]:
    errors = {}
    for key in ("country", "hq_country"):
        value = (data.get(key) or "").strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            errors[key] = _("Use a two-letter country code (JP, US, DE ...).")
        elif key in data:
            data[key] = value or None
    return errors


def _renewal_after_start(data: dict[str, Any]) -> dict[str, str]:
    if data.get("member_since") and data.get("renewal_date") and \
            data["renewal_date"] < data["member_since"]:
        return {"renewal_date": _("The renewal date is before the membership started.")}
    return {}


#: What a company's reading may hold besides kana: an alias in brackets, a list's comma,
#: digits (ローソンストア100).
_READING_PUNCTUATION = "()、0123456789"


def _reading_in_kana(data: dict[str, Any]) -> dict[str, str]:
    """The reading stored in full-width katakana (ｶﾌﾞｼｷ, かぶしき -> カブシキ; ｺ-ﾋ- -> コーヒー);
    besides a legal form at either end (Japan Post's (カブ)), only kana."""
    if "name_reading" not in data:
        return {}
    reading = data["name_reading"] = normalise_reading(data["name_reading"])
    wrong = not_kana(strip_legal_reading(reading), allow=_READING_PUNCTUATION)
    if wrong:
        return {"name_reading": _(
            "The reading may hold only kana (カタカナ or ひらがな); %(characters)s is not kana.",
            characters=" ".join(wrong))}
    return {}


#: The rules a company's own values must meet, each `rule(data) -> {field: message}` (it may
#: normalise data in place). The company form (save_company) and the importer
#: (crm.companies.importing) both check them: a rule added here applies to both. Rules that
#: need the database (a unique corporate number, the parent chain, the officer's portfolio)
#: are in save_company; the importer answers those by matching rows to records.
COMPANY_RULES: list[Callable[[dict[str, Any]], dict[str, str]]] = [
    _name_required, _corporate_number_valid, _country_codes, _renewal_after_start,
    _reading_in_kana,
]


def company_problems(data: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a company's values, by field (empty when nothing is); normalises
    the corporate number (digits only, None when blank) and country codes in `data`."""
    errors: dict[str, str] = {}
    for rule in COMPANY_RULES:
        for key, message in rule(data).items():
            errors.setdefault(key, message)
    return errors


def build_company(company: Company | None, data: dict[str, Any]) -> Company:
    """Set a company's values from checked data (a new company when None, added to the
    session) and recompute its derived columns; no flush. The one place a company is written
    from data: save_company uses it, and the importer's bulk create."""
    if company is None:
        company = Company()
        db.session.add(company)
    if not data.get("country"):
        data["country"] = company.country or "JP"
    apply(company, data, FIELDS)
    if not company.status:
        company.status = "prospect"
    if company.has_local_presence is None:
        company.has_local_presence = False
    company.corporate_number = normalise_corporate_number(data.get("corporate_number")) or None
    company.refresh_derived()
    return company


def _would_cycle(company_id: int, parent_id: int) -> bool:
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == company_id:
            return True
        seen.add(current)
        current = db.session.scalar(select(Company.parent_id).where(Company.id == current))
    return False


def history(company: Company) -> dict[str, int]:
    """How much is attached to a company: what deleting it would touch."""
    def count(model: Any, column: Any) -> Any:
        return select(func.count(model.id)).where(column == company.id).scalar_subquery()

    counts = {
        "contacts": count(Contact, Contact.company_id),
        "activities": count(Activity, Activity.company_id),
        "alumni": count(Alumnus, Alumnus.employer_id),
        "donations": count(Donation, Donation.company_id),
        "subsidiaries": count(Company, Company.parent_id),
    }
    row = db.session.execute(select(*(c.label(k) for k, c in counts.items()))).one()
    return dict(row._mapping)


def kept_by(company: Company) -> dict[str, int]:
    """Rows that name this company through a foreign key declared ON DELETE RESTRICT (donations,
    collaborations, NDAs, and whatever table later declares one): the schema says they must not
    lose it. Table name -> rows, only the non-zero ones; one query."""
    target = Company.__table__.c.id
    counts = {
        table.name: select(func.count()).select_from(table)
        .where(fk.parent == company.id).scalar_subquery()
        for table in db.metadata.sorted_tables for fk in table.foreign_keys
        if fk.column is target and (fk.ondelete or "").upper() == "RESTRICT"
    }
    if not counts:
        return {}
    row = db.session.execute(select(*(c.label(k) for k, c in counts.items()))).one()
    return {name: n for name, n in row._mapping.items() if n}


def delete_company(company: Company) -> None:
    """Delete a company and its activities; contacts, alumni and subsidiaries stay, unlinked.

    Records that must keep their company (kept_by) refuse it: donations are money on the books;
    collaborations and NDAs name it as the partner (merging moves them first).
    """
    kept = kept_by(company)
    if "donations" in kept:
        raise ValidationError({
            "company": _("%(name)s has donations on record; reassign or delete them first.",
                         name=company.name)
        })
    if kept:
        raise ValidationError({"company": _(
            "%(name)s has collaborations or NDAs on record: it cannot be deleted while they "
            "name it as the partner (merge it into the right company instead).",
            name=company.name)})
    for contact in company.contacts:
        contact.company = None
    for alumnus in company.alumni:
        alumnus.employer = None
    for child in company.subsidiaries:
        child.parent = None
    # Its portfolio history goes with it (the audit trail keeps the rows).
    for assignment in db.session.scalars(
            select(PortfolioAssignment).where(PortfolioAssignment.company_id == company.id)):
        db.session.delete(assignment)
    db.session.delete(company)
    db.session.flush()
