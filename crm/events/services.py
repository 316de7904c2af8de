"""Creating, changing and deleting events and the encounters made at them."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.common.services import ValidationError, apply
from crm.contacts.models import Contact
from crm.events import fields as events_fields
from crm.events.models import EVENT_KINDS, Encounter, Event
from crm.extensions import db
from crm.tasks.services import sync_follow_up
from crm.common.time import office_today

#: What a form may set, from the field tables (crm/events/fields.py).
EVENT_FIELDS = events_fields.EVENT_FIELDS.names("editable")
ENCOUNTER_FIELDS = events_fields.ENCOUNTER_FIELDS.names("editable")

#: Encounters may be dated a little before or after the event: the dinner the night before,
#: the visit to their booth on the way home.
ENCOUNTER_SLACK = timedelta(days=7)
EARLIEST_YEAR = 1950
#: Events can be planned ahead, but not decades ahead.
YEARS_AHEAD = 10


def save_event(event: Event | None, data: dict[str, Any]) -> Event:
    """Create an event (event=None) or update one; it needs a name, a known kind and a start date
    no earlier than EARLIEST_YEAR, and it cannot end before it starts."""
    errors: dict[str, str] = {}
    if (event is None or "name" in data) and not (data.get("name") or "").strip():
        errors["name"] = _("Enter the event's name.")
    if "kind" in data and data["kind"] not in EVENT_KINDS:
        errors["kind"] = _("Pick the kind of event.")
    starts_on = data.get("starts_on", event.starts_on if event else None)
    ends_on = data.get("ends_on", event.ends_on if event else None)
    if starts_on is None:
        errors["starts_on"] = _("Enter the date the event starts.")
    elif not EARLIEST_YEAR <= starts_on.year <= office_today().year + YEARS_AHEAD:
        errors["starts_on"] = _("Enter a start date between %(first)s and %(last)s.",
                                 first=EARLIEST_YEAR, last=office_today().year + YEARS_AHEAD)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The event cannot end before it starts.")
    elif starts_on and ends_on and (ends_on - starts_on).days > 366:
        errors["ends_on"] = _("An event lasting more than a year is probably a typing error.")
    if errors:
        raise ValidationError(errors)

    if event is None:
        event = Event()
        db.session.add(event)
    apply(event, data, EVENT_FIELDS)
    if not event.kind:
        event.kind = "trade_show"
    db.session.flush()
    return event


def encounter_count(event: Event) -> int:
    """How many encounters an event has: what deleting it would delete."""
    return db.session.scalar(
        select(func.count(Encounter.id)).where(Encounter.event_id == event.id))


def delete_event(event: Event) -> None:
    """Delete an event and the encounters recorded at it (the contacts stay)."""
    db.session.delete(event)
    db.session.flush()


def save_encounter(encounter: Encounter | None, event: Event, data: dict[str, Any]) -> Encounter:
    """Record (encounter=None) or update who met whom at an event.

    A follow-up date or "done" needs a follow-up to be wanted; the date of the meeting must
    fall within a week of the event's dates; the follow-up cannot be due before the meeting.
    """
    errors: dict[str, str] = {}
    if (encounter is None or "contact_id" in data) and not data.get("contact_id"):
        errors["contact"] = _("Pick the person who was met.")
    wanted = bool(data.get("follow_up_wanted"))
    if data.get("follow_up_by") and not wanted:
        errors["follow_up_by"] = _("Tick \"Follow-up wanted\" to set a follow-up date.")
    if data.get("follow_up_done") and not wanted:
        errors["follow_up_done"] = _("Only a wanted follow-up can be done.")
    met_on = data.get("met_on") or event.starts_on
    last_day = event.ends_on or event.starts_on
    if not event.starts_on - ENCOUNTER_SLACK <= met_on <= last_day + ENCOUNTER_SLACK:
        errors["met_on"] = _(
            "The event ran %(start)s to %(end)s; the meeting should fall within a week of "
            "those dates.", start=event.starts_on.isoformat(), end=last_day.isoformat())
    elif data.get("follow_up_by") and data["follow_up_by"] < met_on:
        errors["follow_up_by"] = _("The follow-up cannot be due before the meeting.")
    newly_wanted = wanted and (encounter is None or not encounter.follow_up_wanted
                               or data.get("contact_id") not in (None, encounter.contact_id))
    if newly_wanted and not data.get("dnc_confirmed") and data.get("contact_id"):
        contact = db.session.get(Contact, data["contact_id"])
        if contact is not None and contact.do_not_contact:
            errors["dnc_confirmed"] = _(
                "%(name)s is marked “Do not contact”. Tick “Follow up anyway” to confirm a "
                "follow-up, or untick “Follow-up wanted”.", name=contact.display_name)
    if errors:
        raise ValidationError(errors)

    data = dict(data, met_on=met_on)
    if encounter is None:
        encounter = Encounter(event=event, follow_up_wanted=False, follow_up_done=False)
        db.session.add(encounter)
    apply(encounter, data, ENCOUNTER_FIELDS)
    db.session.flush()
    sync_follow_up(encounter)  # a wanted follow-up is a task of whoever follows up
    return encounter


def mark_follow_up_done(encounter: Encounter) -> None:
    """Tick off a follow-up."""
    if not encounter.follow_up_wanted:
        raise ValidationError({"follow_up_done": _(
            "No follow-up was wanted for this encounter.")})
    encounter.follow_up_done = True
    db.session.flush()
    sync_follow_up(encounter)


def delete_encounter(encounter: Encounter) -> None:
    """Delete one encounter (the contact and the event stay)."""
    db.session.delete(encounter)
    db.session.flush()
