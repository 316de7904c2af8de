"""The task form."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from crm.common.forms import RecordField, strip
from crm.common.params import to_int
from crm.tasks.models import TITLE_MAX

SOURCE_LABELS = {"manual": _l("Written by hand"), "activity": _l("Next step of an activity"),
                 "fair": _l("Follow-up of a meeting at an event")}


class TaskForm(FlaskForm):
    title = StringField(_l("What to do"), validators=[Length(max=TITLE_MAX)], filters=[strip],
                        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    due_on = DateField(_l("Due on"), validators=[Optional()])
    #: The choices are set by the view: the user, or every active user for a manager.
    owner_id = SelectField(_l("For"), coerce=int, choices=[], validate_choice=False)
    company = RecordField(_l("Company"), validators=[Optional()], kind="company")
    contact = RecordField(_l("Contact"), validators=[Optional()], kind="contact")
    # Set from the record's page ("Add task" on a collaboration, an NDA or a request).
    collaboration_id = HiddenField()
    nda_id = HiddenField()
    request_id = HiddenField()
    notes = TextAreaField(_l("Notes"), filters=[strip], render_kw={"rows": 4})

    def data_for_service(self) -> dict[str, Any]:
        return {
            "title": self.title.data, "due_on": self.due_on.data, "owner_id": self.owner_id.data,
            "notes": self.notes.data,
            "company_id": self.company.data.id if self.company.data else None,
            "contact_id": self.contact.data.id if self.contact.data else None,
            # A value no id: a link that matches no record (the service says so).
            "collaboration_id": _hidden_id(self.collaboration_id.data),
            "nda_id": _hidden_id(self.nda_id.data),
            "request_id": _hidden_id(self.request_id.data),
        }


def _hidden_id(value: Any) -> int | None:
    """The id a hidden link field holds; -1 (no record) for anything else than a number."""
    if value in (None, ""):
        return None
    number = to_int(value)
    return -1 if number is None else number
