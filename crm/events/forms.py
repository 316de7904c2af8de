"""The event and encounter forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.common.forms import OptionalSelectField, RecordField, choices, strip
from crm.events.fields import ENCOUNTER_FIELDS, EVENT_FIELDS
from crm.events.models import EVENT_KINDS

#: Column labels come from the field table.
_event = EVENT_FIELDS.label
_encounter = ENCOUNTER_FIELDS.label

KIND_LABELS = {"trade_show": _l("Trade show"), "conference": _l("Conference"),
               "seminar": _l("Seminar"), "visit": _l("Visit")}


class EventForm(FlaskForm):
    name = StringField(_event("name"), validators=[DataRequired(), Length(max=300)],
                       filters=[strip],
                       description=_l("e.g. nano tech 2025 or BIO International Convention"))
    kind = SelectField(_event("kind"), choices=choices(EVENT_KINDS, KIND_LABELS),
                       default="trade_show")
    starts_on = DateField(_event("starts_on"), validators=[DataRequired()])
    ends_on = DateField(_event("ends_on"), validators=[Optional()],
                        description=_l("Leave empty for a one-day event."))
    location = StringField(_event("location"), validators=[Length(max=300)], filters=[strip],
                           description=_l("Venue and city, e.g. 東京ビッグサイト"))
    description = TextAreaField(_event("description"), filters=[strip], render_kw={"rows": 3})

    def data_for_service(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name != "csrf_token"}


class EncounterForm(FlaskForm):
    # Optional here so that "nothing by that name" is not replaced by "required"; the service
    # insists on a contact.
    contact = RecordField(_encounter("contact_id"), validators=[Optional()], kind="contact",
                          description=_l("Start typing the name or reading and pick from the "
                                         "list; add the contact first if they are new."))
    user = OptionalSelectField(_encounter("user_id"), coerce=lambda v: int(v) if v else None,
                               choices=[])
    met_on = DateField(_encounter("met_on"), validators=[Optional()],
                       description=_l("Empty means the first day of the event."))
    research_interests = TextAreaField(_encounter("research_interests"), filters=[strip],
                                       render_kw={"rows": 3},
                                       description=_l("Fields, technologies, problems they "
                                                      "want solved."))
    small_talk = TextAreaField(_encounter("small_talk"), filters=[strip], render_kw={"rows": 3},
                               description=_l("Family, hobbies, what they mentioned in passing."))
    follow_up_wanted = BooleanField(_encounter("follow_up_wanted"))
    follow_up_by = DateField(_encounter("follow_up_by"), validators=[Optional()])
    follow_up_done = BooleanField(_encounter("follow_up_done"))
    dnc_confirmed = BooleanField(_l("Follow up anyway"),
                                 description=_l("This person is marked “Do not contact”."))

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "contact", "user")}
        data["contact_id"] = self.contact.data.id if self.contact.data else None
        data["user_id"] = self.user.data
        return data
