"""The event's and the encounter's field tables (crm/common/fields.py): every column, what it is
called and which parts of the house handle it. Add a column here when you add it to the
model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.common.fields import Field, declare
from crm.events.models import Encounter, Event

#: Typed in the form and read from files.
_TYPED = dict(editable=True, importable=True)

EVENT_FIELDS = declare(
    Event,
    Field("id", system=True),
    Field("name", _l("Name"), **_TYPED, searchable=True),
    Field("kind", _l("Kind"), **_TYPED),
    Field("starts_on", _l("Starts on"), **_TYPED),
    Field("ends_on", _l("Ends on"), **_TYPED),
    Field("location", _l("Location"), **_TYPED, searchable=True),
    Field("description", _l("Description"), **_TYPED, searchable=True),
    Field("created_at", system=True),
    Field("version", system=True),
)

ENCOUNTER_FIELDS = declare(
    Encounter,
    Field("id", system=True),
    # The event whose page the encounter is recorded on (a file names it: the importer's key).
    Field("event_id", _l("Event"), system=True),
    # The person met: chosen on the form; a file's row is matched to a contact (the key).
    Field("contact_id", _l("Person met"), editable=True),
    # Who of the university met them: a fact about the meeting, not the user typing it.
    Field("user_id", _l("Met by"), editable=True),
    Field("met_on", _l("Date"), **_TYPED),
    Field("research_interests", _l("Research interests"), **_TYPED, searchable=True),
    Field("small_talk", _l("Small talk (雑談)"), **_TYPED, searchable=True),
    Field("follow_up_wanted", _l("Follow-up wanted"), **_TYPED),
    Field("follow_up_by", _l("Follow up by"), **_TYPED),
    Field("follow_up_done", _l("Follow-up done"), editable=True),
    Field("created_at", system=True),
    Field("version", system=True),
)
