"""Importing events, and encounters (who we met at which event: a fair's scanned cards)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.common.text import fold_text, person_name
from crm.common.time import office_today
from crm.companies.importing import CompanyIndex
from crm.contacts.importing import ContactImporter
from crm.events.fields import ENCOUNTER_FIELDS, EVENT_FIELDS
from crm.events.models import EVENT_KINDS, Encounter, Event
from crm.events.services import (
    EARLIEST_YEAR,
    ENCOUNTER_SLACK,
    YEARS_AHEAD,
    save_encounter,
    save_event,
)
from crm.extensions import db
from crm.imports.kinds import (
    KindImporter,
    NewRef,
    RowError,
    bool_value,
    date_value,
    enum_value,
    name_key,
    present,
    register,
    text_value,
)
from importers.base import ParsedRow
from importers.fields import FIELDS


@register
class EventImporter(KindImporter):
    kind = "events"
    model = Event
    attrs = EVENT_FIELDS.names("importable")

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self.by_key: dict[tuple[str, date], int] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        for id_, name, starts in db.session.execute(select(Event.id, Event.name, Event.starts_on)):
            self.by_key[(fold_text(name).strip(), starts)] = id_

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {"name": text_value(values, "name")}
        data["kind"] = enum_value(values, "kind", EVENT_KINDS, {
            "展示会": "trade_show", "見本市": "trade_show", "trade show": "trade_show",
            "カンファレンス": "conference", "学会": "conference", "会議": "conference",
            "セミナー": "seminar", "講演会": "seminar", "訪問": "visit", "見学": "visit"})
        data["starts_on"] = date_value(values, "starts_on")
        data["ends_on"] = date_value(values, "ends_on")
        start, end = data["starts_on"], data["ends_on"]
        last = office_today().year + YEARS_AHEAD
        if start and not EARLIEST_YEAR <= start.year <= last:
            raise RowError("starts_on", _("Enter a start date between %(first)s and %(last)s.",
                                          first=EARLIEST_YEAR, last=last))
        if start and end and end < start:
            raise RowError("ends_on", _("The event cannot end before it starts."))
        if start and end and (end - start).days > 366:
            raise RowError("ends_on", _("An event lasting more than a year is probably a typing "
                                        "error."))
        data["location"] = text_value(values, "location")
        data["description"] = text_value(values, "description")
        return present(data)

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("name", (fold_text(data["name"]).strip(), data["starts_on"]))]

    def match(self, data: dict[str, Any]) -> int | None:
        return self.by_key.get((fold_text(data["name"]).strip(), data["starts_on"]))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        return save_event(record, data)


@register
class EncounterImporter(KindImporter):
    kind = "encounters"
    model = Encounter
    attrs = ENCOUNTER_FIELDS.names("importable")

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self.events: dict[str, list[tuple[int, date, date | None]]] = defaultdict(list)
        self.event_names: dict[int, str] = {}
        self.by_key: dict[tuple[int, int], int] = {}
        self.contacts = ContactImporter(policy, by)
        self.new_contacts: dict[tuple, NewRef] = {}
        self.contact_specs: dict[NewRef, dict[str, Any]] = {}

    @property
    def companies(self) -> CompanyIndex:  # one index shared with the contacts
        return self.contacts.companies

    def preload(self, rows: list[ParsedRow]) -> None:
        for id_, name, starts, ends in db.session.execute(select(
                Event.id, Event.name, Event.starts_on, Event.ends_on)):
            self.events[fold_text(name).strip()].append((id_, starts, ends))
            self.event_names[id_] = name
        for id_, event_id, contact_id in db.session.execute(select(
                Encounter.id, Encounter.event_id, Encounter.contact_id)):
            self.by_key[(event_id, contact_id)] = id_
        self.contacts.preload(rows)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        events = self.events.get(fold_text(values.get("event_name")).strip(), [])
        when = date_value(values, "event_date")
        if when:
            events = [e for e in events if e[1] <= when <= (e[2] or e[1])]
        if len(events) != 1:
            raise RowError("event_name" if not when else "event_date", (
                _("No event by this name (and date): import or add the event first.")
                if not events else _("Several events have this name; give the event date.")))
        event_id, starts, ends = events[0]
        data: dict[str, Any] = {"event_id": event_id}
        person = self.contacts.clean({k: v for k, v in values.items()
                                      if k in FIELDS["contacts"]})
        contact_id = self.contacts.match(person)
        if contact_id is None:
            if not person.get("family_name"):
                raise RowError("family_name", _("Enter the family name."))
            key = (person.get("email"), name_key(person["family_name"]),
                   name_key(person.get("given_name")), str(person.get("company_id")))
            contact_id = self.new_contacts.get(key)
            if contact_id is None:
                contact_id = NewRef("contact", str(key), person_name(
                    person["family_name"], person.get("given_name")))
                self.new_contacts[key] = contact_id
                self.contact_specs[contact_id] = person
        data["contact_id"] = contact_id
        data["met_on"] = date_value(values, "met_on")
        met = data["met_on"] or starts
        if not starts - ENCOUNTER_SLACK <= met <= (ends or starts) + ENCOUNTER_SLACK:
            raise RowError("met_on", _(
                "The event ran %(start)s to %(end)s; the meeting should fall within a week of "
                "those dates.", start=starts.isoformat(), end=(ends or starts).isoformat()))
        data["research_interests"] = text_value(values, "research_interests")
        data["small_talk"] = text_value(values, "small_talk")
        data["follow_up_wanted"] = bool_value(values, "follow_up_wanted")
        data["follow_up_by"] = date_value(values, "follow_up_by")
        if data["follow_up_by"]:
            if data["follow_up_wanted"] is False:
                raise RowError("follow_up_by", _(
                    "Tick \"Follow-up wanted\" to set a follow-up date."))
            data["follow_up_wanted"] = True
            if data["follow_up_by"] < met:
                raise RowError("follow_up_by", _("The follow-up cannot be due before the "
                                                 "meeting."))
        return present(data)

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("event_name", (data["event_id"], data["contact_id"]))]

    def match(self, data: dict[str, Any]) -> int | None:
        if isinstance(data["contact_id"], NewRef):
            return None
        return self.by_key.get((data["event_id"], data["contact_id"]))

    def ref_label(self, ref: NewRef) -> str:
        return self.contacts.ref_label(ref)

    def create_reference(self, ref: NewRef, created: dict[NewRef, Any]) -> Any:
        if ref.model == "company":
            return self.contacts.create_reference(ref, created)
        if ref not in created:
            spec = dict(self.contact_specs[ref])
            if isinstance(spec.get("company_id"), NewRef):
                spec["company_id"] = self.create_reference(spec["company_id"], created).id
            created[ref] = self.contacts.save(None, spec)
        return created[ref]

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        event = db.session.get(Event, data["event_id"])
        base = {"contact_id": data["contact_id"]}
        if record is None:
            base["user_id"] = getattr(self.by, "id", None)
        else:
            base.update({k: getattr(record, k) for k in self.attrs})
        return save_encounter(record, event, {**base, **{k: v for k, v in data.items()
                                                         if k != "event_id"}})

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        contact = data.get("contact_id")
        who = contact.label if isinstance(contact, NewRef) else \
            (record.contact.display_name if record is not None else str(contact))
        return f"{who} @ {self.event_names.get(data.get('event_id'), '')}"
