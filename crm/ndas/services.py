"""Recording NDAs and their disclosures; expiry dates, reminders and the arbitration rule.

Dates: an NDA effective from D for N months is in force through D + N months - 1 day
(effective 2025-04-01 for 12 months: in force through 2026-03-31); its obligations survive M
months after that (through expires_on + M months). A month past the end of a shorter month
lands on its last day (2024-01-31 + 1 month = 2024-02-29).
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.collaborations.models import Collaboration
from crm.common.services import ValidationError, apply
from crm.common.text import nfkc
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.extensions import db, utcnow
from crm.ndas.fields import NDA_FIELDS, PARTIES
from crm.ndas.models import CLASSIFICATIONS, DIRECTIONS, NDA_STATUSES, Disclosure, Nda
from crm.common.time import office_today

#: What a form may set, from the field table (crm/ndas/fields.py); the company and the
#: collaboration are set by their own rules.
FIELDS = tuple(name for name in NDA_FIELDS.names("editable") if name not in PARTIES)
#: Longest term and survival the register accepts (50 years).
MAX_MONTHS = 600
#: The reminder windows shown on the register.
REMINDER_DAYS = (60, 90)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def nda_dates(effective_from: date, term_months: int, survival_months: int) -> tuple[date, date]:
    """(expires_on, survives_until): the last day in force, the last day obligations survive."""
    expires_on = add_months(effective_from, term_months) - timedelta(days=1)
    return expires_on, add_months(expires_on, survival_months)


def arbitration_warning(nda: Nda | None = None, *, company: Company | None = None,
                        arbitration_country: str | None = None) -> str | None:
    """The guideline's rule (case 27): with a foreign company, arbitration in a third country.

    Returns a message when the partner is foreign and arbitration is not set in a country that
    is neither Japan nor the partner's (nor the group's headquarters), else None.
    """
    if nda is not None:
        company, arbitration_country = nda.company, nda.arbitration_country
    if company is None or company.country == "JP" and (company.hq_country or "JP") == "JP":
        return None
    own = {company.country, company.hq_country or company.country}
    country = (arbitration_country or "").upper()
    if not country:
        return _("No arbitration place is recorded: with a foreign company, disputes go to "
                 "arbitration in a third country as a rule.")
    if country == "JP" or country in own:
        return _("Arbitration in %(country)s is not in a third country: with a foreign company, "
                 "the rule is arbitration in a country that is neither Japan nor the partner's.",
                 country=country)
    return None


def save_nda(nda: Nda | None, data: dict[str, Any]) -> Nda:
    """Record an NDA (nda=None) or change one; expiry and survival dates are computed.

    data: company_id, collaboration_id, title, parties, mutual, status, signed_on,
    effective_from, term_months, survival_months, governing_law, arbitration_place,
    arbitration_country, notes.
    """
    errors: dict[str, str] = {}
    company = db.session.get(Company, data["company_id"]) if data.get("company_id") else None
    if company is None:
        errors["company"] = (_("That company no longer exists; pick again.")
                             if data.get("company_id") else _("Choose the partner company."))
    collab = None
    if data.get("collaboration_id"):
        collab = db.session.get(Collaboration, data["collaboration_id"])
        if collab is None:
            errors["collaboration"] = _("That collaboration no longer exists; pick another.")
        elif company is not None and collab.company_id != company.id:
            errors["collaboration"] = _("That collaboration is with another company.")
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Enter a title for the NDA.")
    status = data.get("status") or "draft"
    if status not in NDA_STATUSES:
        errors["status"] = _("Pick a status from the list.")
    effective_from = data.get("effective_from")
    if not isinstance(effective_from, date):
        errors["effective_from"] = _("Enter the date the NDA takes effect.")
    signed_on = data.get("signed_on")
    if status in ("signed", "terminated") and not isinstance(signed_on, date):
        errors["signed_on"] = _("A signed NDA needs its signing date.")
    elif isinstance(signed_on, date) and signed_on > office_today():
        errors["signed_on"] = _("The signing date cannot be in the future.")
    term, survival = data.get("term_months"), data.get("survival_months") or 0
    if not isinstance(term, int) or not 1 <= term <= MAX_MONTHS:
        errors["term_months"] = _("The term is a number of months from 1 to %(max)s.",
                                  max=MAX_MONTHS)
    if not isinstance(survival, int) or not 0 <= survival <= MAX_MONTHS:
        errors["survival_months"] = _("The survival period is a number of months from 0 to "
                                      "%(max)s.", max=MAX_MONTHS)
    country = nfkc(data.get("arbitration_country")).upper() or None
    if country and (len(country) != 2 or not country.isalpha()):
        errors["arbitration_country"] = _("Use a two-letter country code (JP, US, SG ...).")
    if not errors:
        try:  # a year like 9999 has no expiry date a calendar can hold
            nda_dates(effective_from, term, survival)
        except (ValueError, OverflowError):
            errors["effective_from"] = _("Check the year: the NDA would end after the year "
                                         "9999.")
    if errors:
        raise ValidationError(errors)

    if nda is None:
        nda = Nda()
        db.session.add(nda)
    apply(nda, {**data, "title": title, "status": status, "arbitration_country": country,
                "mutual": bool(data.get("mutual")), "survival_months": survival}, FIELDS)
    nda.company = company
    nda.collaboration = collab
    nda.expires_on, nda.survives_until = nda_dates(effective_from, term, survival)
    nda.updated_at = utcnow()
    db.session.flush()
    return nda


def _covered(nda: Nda, contact: Contact) -> bool:
    """A recipient at the NDA's company, its parent or one of its subsidiaries."""
    if contact.company_id is None:
        return False
    if contact.company_id == nda.company_id:
        return True
    company = nda.company
    other = contact.company
    return (other is not None and other.parent_id == company.id) or (
        company.parent_id is not None and company.parent_id in (other.id, other.parent_id))


def add_disclosure(nda: Nda, data: dict[str, Any], *, by: Any = None) -> Disclosure:
    """Log a disclosure under an NDA; refused outside the NDA's term or when it is not signed.

    data: disclosed_on, direction, description, classification, disclosed_by,
    disclosed_to_contact_id, disclosed_to (one of the last two at least).
    """
    errors: dict[str, str] = {}
    day = data.get("disclosed_on")
    if not isinstance(day, date):
        errors["disclosed_on"] = _("Enter the date of the disclosure.")
    elif day > office_today():
        errors["disclosed_on"] = _("The date cannot be in the future.")
    elif nda.status != "signed":
        errors["disclosed_on"] = _("The NDA is not signed (it is %(status)s): no confidential "
                                   "information may be disclosed under it.",
                                   status=nda.status)
    elif day > nda.expires_on:
        errors["disclosed_on"] = _("The NDA expired on %(date)s: nothing disclosed after that "
                                   "is covered. Sign a new NDA or extend this one first.",
                                   date=nda.expires_on.isoformat())
    elif day < nda.effective_from:
        errors["disclosed_on"] = _("The NDA takes effect on %(date)s: a disclosure before that "
                                   "is not covered.", date=nda.effective_from.isoformat())
    direction = data.get("direction") or "to_partner"
    if direction not in DIRECTIONS:
        errors["direction"] = _("Pick the direction from the list.")
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = _("Describe what was disclosed.")
    if data.get("classification") not in CLASSIFICATIONS:
        errors["classification"] = _("Pick a classification from the list.")
    disclosed_by = (data.get("disclosed_by") or "").strip()
    if not disclosed_by:
        errors["disclosed_by"] = _("Enter who disclosed it.")
    contact = None
    if data.get("disclosed_to_contact_id"):
        contact = db.session.get(Contact, data["disclosed_to_contact_id"])
        if contact is None:
            errors["disclosed_to_contact"] = _("That contact no longer exists; pick again.")
        elif direction == "to_partner" and not _covered(nda, contact):
            errors["disclosed_to_contact"] = _(
                "%(name)s is not at %(company)s (or a company of its group): this NDA does not "
                "cover them.", name=contact.display_name, company=nda.company.name)
    recipient = (data.get("disclosed_to") or "").strip()
    if not recipient and contact is None and "disclosed_to_contact" not in errors:
        errors["disclosed_to"] = _("Enter who received it: pick a contact or write a name.")
    if errors:
        raise ValidationError(errors)
    disclosure = Disclosure(
        disclosed_on=day, direction=direction, description=description,
        classification=data["classification"], disclosed_by=disclosed_by,
        disclosed_to_contact=contact, disclosed_to=(recipient or contact.display_name)[:200],
        recorded_by=by)
    nda.disclosures.append(disclosure)
    db.session.flush()
    return disclosure


def expiring(days: int, today: date | None = None) -> list[Nda]:
    """Signed NDAs whose last day in force falls within the next `days` days, soonest first.

    Needs only an application context (no request): usable from a command or a scheduled job.
    """
    today = today or office_today()
    return list(db.session.execute(
        select(Nda).where(Nda.status == "signed", Nda.expires_on >= today,
                          Nda.expires_on <= today + timedelta(days=days))
        .options(joinedload(Nda.company)).order_by(Nda.expires_on, Nda.id)
    ).scalars())
