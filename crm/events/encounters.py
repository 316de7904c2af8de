"""Logging a person met: link or create their company and contact, then record the encounter.

Used by the fair form (an officer at a trade show) and by the data-entry queue (the
business-development team entering a researcher's request). Two steps, so nothing is written
until every doubt is settled: plan_person() only reads and raises NeedsConfirmation when a typed
company or person may already exist; save_person() and record_encounter() write (flush only).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.common.params import to_int
from crm.common.services import ValidationError
from crm.common.text import nfkc
from crm.companies.models import Company
from crm.companies.services import save_company
from crm.contacts.matching import find_company, find_contact
from crm.contacts.models import Contact
from crm.contacts.services import save_contact
from crm.events.models import Encounter, Event
from crm.events.services import save_encounter, save_event
from crm.extensions import db
from crm.common.time import office_today

#: A person's answer to "is this the same one?": an existing record's id, "new", or not asked yet.
Choice = int | Literal["new"] | None

_PICKED_RE = re.compile(r"\[#(\d+)\]\s*$")
#: Contact fields that logging someone again may fill in when the record has them blank.
FILLABLE = ("given_name", "family_name_reading", "given_name_reading", "title", "department",
            "phone", "mobile")


def parse_choice(value: str | None) -> Choice:
    """A radio button's value: "new", a record id, or nothing chosen."""
    value = (value or "").strip()
    if value == "new":
        return "new"
    return to_int(value)


def split_picked(text: str | None) -> tuple[str, int | None]:
    """A typed name, or a suggestion picked from the list ("Name [#12]") -> (name, 12)."""
    text = (text or "").strip()
    match = _PICKED_RE.search(text)
    if match:
        return text[: match.start()].strip(), int(match.group(1))
    return text, None


@dataclass
class PersonEntry:
    """A person as typed at a fair or by a researcher: names, company, ways to reach them."""

    family_name: str
    given_name: str | None = None
    family_name_reading: str | None = None
    given_name_reading: str | None = None
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    #: The company as typed ("株式会社ABC"), or picked from suggestions ("株式会社ABC [#12]").
    company: str | None = None
    corporate_number: str | None = None


@dataclass
class Plan:
    """What saving an entry will do: link these records, or create new ones."""

    company: Company | None = None
    new_company: bool = False
    contact: Contact | None = None
    new_contact: bool = False
    #: Why an existing contact was linked ("email", "chosen").
    contact_reason: str | None = None


class NeedsConfirmation(Exception):
    """The typed company or person may already exist: a person must pick one or say "new"."""

    def __init__(self, companies: list[Company], contacts: list[Contact]):
        super().__init__("confirmation needed")
        self.companies = companies
        self.contacts = contacts


def _load(model: type, ident: int, field_name: str) -> Any:
    record = db.session.get(model, ident)
    if record is None:
        raise ValidationError({field_name: _("That record no longer exists; pick again.")})
    return record


def plan_person(entry: PersonEntry, company_choice: Choice = None,
                contact_choice: Choice = None) -> Plan:
    """Decide, reading only, which company and contact the entry is. Exact matches are linked;
    near matches raise NeedsConfirmation unless the choice for them was already made."""
    plan = Plan()
    company_name, picked_id = split_picked(entry.company)
    if picked_id is not None and company_choice is None:
        company_choice = picked_id
    pending_companies: list[Company] = []
    if isinstance(company_choice, int):
        plan.company = _load(Company, company_choice, "company")
    elif company_name:
        if company_choice == "new":
            plan.new_company = True
        else:
            matches = find_company(company_name, entry.corporate_number)
            if matches.unique is not None:
                plan.company = matches.unique
            elif matches.to_confirm:
                pending_companies = matches.to_confirm
            else:
                plan.new_company = True

    pending_contacts: list[Contact] = []
    if isinstance(contact_choice, int):
        plan.contact, plan.contact_reason = _load(Contact, contact_choice, "contact"), "chosen"
    elif contact_choice == "new":
        plan.new_contact = True
    else:
        matches = find_contact(entry.email, entry.family_name, entry.given_name, plan.company,
                               also_companies=pending_companies)
        if matches.exact is not None:
            plan.contact, plan.contact_reason = matches.exact, "email"
        elif matches.near:
            pending_contacts = matches.near
        else:
            plan.new_contact = True
    if pending_companies or pending_contacts:
        raise NeedsConfirmation(pending_companies, pending_contacts)
    return plan


def save_person(entry: PersonEntry, plan: Plan, *, how_we_met: str | None = None
                ) -> tuple[Company | None, Contact]:
    """Create what the plan says is new and link the rest. An existing contact only gains what
    it lacks (blank fields, a company, a further e-mail address); nothing on it is overwritten."""
    company = plan.company
    if plan.new_company:
        try:
            # plan_person asked about near matches; the rule still refuses an exact one.
            company = save_company(None, {"name": split_picked(entry.company)[0],
                                          "corporate_number": entry.corporate_number},
                                   duplicates="confirmed")
        except ValidationError as err:
            raise ValidationError({("company" if k == "name" else k): v
                                   for k, v in err.errors.items()}) from err
    data = {
        "family_name": entry.family_name, "given_name": entry.given_name,
        "family_name_reading": entry.family_name_reading,
        "given_name_reading": entry.given_name_reading, "title": entry.title,
        "department": entry.department, "email": entry.email, "phone": entry.phone,
        "mobile": entry.mobile,
    }
    if plan.contact is None:
        contact = save_contact(None, dict(data, company_id=company.id if company else None,
                                          how_we_met=how_we_met))
        return company, contact
    contact = plan.contact
    changes = {k: data[k] for k in FILLABLE if data.get(k) and not getattr(contact, k)}
    if company is not None and contact.company_id is None:
        changes["company_id"] = company.id
    if how_we_met and not contact.how_we_met:
        changes["how_we_met"] = how_we_met
    email = nfkc(entry.email).lower()
    if email and email != (contact.email or ""):
        if not contact.email:
            changes["email"] = email
        elif email not in (contact.other_emails or "").splitlines():
            changes["other_emails"] = "\n".join(filter(None, [contact.other_emails, email]))
    if changes:
        save_contact(contact, changes)
    return company, contact


def find_or_create_event(name: str, on: date, kind: str = "trade_show") -> Event:
    """The event of that name (the latest one), or a new one of that kind starting on `on`."""
    name = nfkc(name)
    existing = db.session.scalars(
        select(Event).where(func.lower(Event.name) == name.lower())
        .order_by(Event.starts_on.desc()).limit(1)
    ).first()
    if existing is not None:
        return existing
    try:
        return save_event(None, {"name": name, "kind": kind, "starts_on": on})
    except ValidationError as err:
        raise ValidationError({"new_event": " ".join(err.errors.values())}) from err


def meeting_date(event: Event, on: date | None = None) -> date:
    """The day of the meeting: the given day (today, at the fair) held within the event's dates."""
    on = on or office_today()
    last = event.ends_on or event.starts_on
    return min(max(on, event.starts_on), last)


@dataclass
class Meeting:
    """What was said: interests, small talk, whether and when to follow up."""

    interests: str | None = None
    small_talk: str | None = None
    follow_up_wanted: bool = False
    follow_up_by: date | None = None
    met_on: date | None = None
    #: The user ticked "Follow up anyway" for a person marked do-not-contact.
    dnc_confirmed: bool = False


def record_encounter(event: Event, contact: Contact, user_id: int | None,
                     meeting: Meeting) -> Encounter:
    """The encounter at the event, met by the given user. A follow-up date means a follow-up
    is wanted."""
    return save_encounter(None, event, {
        "contact_id": contact.id, "user_id": user_id,
        "met_on": meeting.met_on or meeting_date(event),
        "research_interests": meeting.interests, "small_talk": meeting.small_talk,
        "follow_up_wanted": bool(meeting.follow_up_wanted or meeting.follow_up_by),
        "follow_up_by": meeting.follow_up_by, "dnc_confirmed": meeting.dnc_confirmed,
    })
