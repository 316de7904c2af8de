"""The activity form."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, \
    TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from crm.activities.fields import ACTIVITY_FIELDS
from crm.activities.models import ACTIVITY_KINDS
from crm.common.forms import RecordField, choices, strip
from crm.common.time import office_today

#: Column labels come from the field table.
_label = ACTIVITY_FIELDS.label

KIND_LABELS = {"meeting": _l("Meeting"), "call": _l("Call"), "email": _l("E-mail"),
               "visit": _l("Visit")}


class ActivityForm(FlaskForm):
    company = RecordField(_label("company_id"), validators=[Optional()], kind="company")
    kind = SelectField(_label("kind"), choices=choices(ACTIVITY_KINDS, KIND_LABELS),
                       default="meeting")
    occurred_on = DateField(_label("occurred_on"), default=office_today,
                            validators=[InputRequired(message=_l("Enter the date it took place."))])
    subject = StringField(_label("subject"), validators=[Length(max=300)], filters=[strip])
    minutes = TextAreaField(_label("minutes"), filters=[strip], render_kw={"rows": 8},
                            description=_l("What was said, agreed and promised; next steps."))
    #: The choices are the company's contacts, set by the view; the service checks them.
    contacts = SelectMultipleField(_l("People met"), coerce=int, choices=[],
                                   validate_choice=False)
    confidential = BooleanField(
        _label("confidential"),
        description=_l("Only the author, managers and administrators can then read the minutes."))

    #: An optional next step: a task for the activity's author (crm.tasks.services.next_step).
    next_step = StringField(_l("Next step"), validators=[Length(max=200)], filters=[strip],
                            description=_l("Becomes a task of yours, about this company."),
                            render_kw={"maxlength": 200, "autocomplete": "off"})
    next_step_on = DateField(_l("Next step by"), validators=[Optional()])

    def data_for_service(self) -> dict:
        return {
            "company_id": self.company.data.id if self.company.data else None,
            "kind": self.kind.data, "occurred_on": self.occurred_on.data,
            "subject": self.subject.data, "minutes": self.minutes.data,
            "confidential": self.confidential.data, "contact_ids": self.contacts.data or [],
        }


class CompanyPick(FlaskForm):
    """Reads a company typed in the activity form, to list its contacts."""

    class Meta:
        csrf = False

    company = RecordField(kind="company")
