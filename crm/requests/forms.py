"""Forms of the data-entry requests: the researcher's request, the team's conversion form,
questions and answers."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    EmailField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from crm.common.forms import RecordField, choices, strip
from crm.events.encounters import Meeting, PersonEntry
from crm.events.forms import KIND_LABELS
from crm.events.models import EVENT_KINDS

STATUS_LABELS = {"submitted": _l("Waiting"), "claimed": _l("Being entered"),
                 "returned": _l("Question for you"), "entered": _l("Entered"),
                 "withdrawn": _l("Withdrawn")}
#: What the team sees for the same statuses.
TEAM_STATUS_LABELS = dict(STATUS_LABELS, returned=_l("Sent back"), submitted=_l("Unclaimed"),
                          claimed=_l("Claimed"))
STATUS_BADGES = {"submitted": "text-bg-primary", "claimed": "text-bg-info",
                 "returned": "text-bg-warning", "entered": "text-bg-success",
                 "withdrawn": "text-bg-secondary"}


class RequestForm(FlaskForm):
    person_name = StringField(_l("Name"), validators=[Length(max=200)], filters=[strip],
                              description=_l("As on their card, e.g. 山田 太郎 or John Smith"))
    person_reading = StringField(_l("Reading (ふりがな)"), validators=[Length(max=200)],
                                 filters=[strip])
    person_title = StringField(_l("Title (役職)"), validators=[Length(max=200)], filters=[strip])
    company_name = StringField(_l("Company"), validators=[Length(max=300)], filters=[strip])
    email = EmailField(_l("E-mail"), validators=[Length(max=254)], filters=[strip])
    phone = TelField(_l("Phone"), validators=[Length(max=50)], filters=[strip])
    event = RecordField(_l("Event"), validators=[Optional()], kind="event",
                        description=_l("Start typing and pick it, if it was at an event we "
                                       "know."))
    where_met = StringField(_l("Where"), validators=[Length(max=300)], filters=[strip],
                            description=_l("Otherwise say where: a conference, a visit, a "
                                           "dinner ..."))
    met_on = DateField(_l("Date"), validators=[Optional()])
    discussed = TextAreaField(_l("What was discussed"), filters=[strip], render_kw={"rows": 3})
    interests = TextAreaField(_l("Their interests"), filters=[strip], render_kw={"rows": 2})
    small_talk = TextAreaField(_l("Small talk (雑談)"), filters=[strip], render_kw={"rows": 2})
    attachment = FileField(_l("Business card photo or vCard"),
                           description=_l("Optional: a JPEG or PNG photo, or a .vcf file; at most "
                                          "5 MB."),
                           render_kw={"accept": "image/jpeg,image/png,.vcf,text/vcard"})
    #: The token of an attachment kept from a try that came back with an error.
    held = HiddenField()

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "event", "attachment", "held")}
        data["event_id"] = self.event.data.id if self.event.data else None
        return data


class ConversionForm(FlaskForm):
    """The team's form: the request turned into a company, a contact and an encounter."""

    company = StringField(_l("Company"), validators=[Length(max=320)], filters=[strip])
    corporate_number = StringField(_l("Corporate number (法人番号)"),
                                   validators=[Length(max=20)], filters=[strip])
    family_name = StringField(_l("Family name"), filters=[strip], validators=[
        DataRequired(message=_l("Enter the family name.")), Length(max=100)])
    given_name = StringField(_l("Given name"), validators=[Length(max=100)], filters=[strip])
    family_name_reading = StringField(_l("Family name reading"), validators=[Length(max=100)],
                                      filters=[strip])
    given_name_reading = StringField(_l("Given name reading"), validators=[Length(max=100)],
                                     filters=[strip])
    title = StringField(_l("Title (役職)"), validators=[Length(max=200)], filters=[strip])
    department = StringField(_l("Department (部署)"), validators=[Length(max=200)],
                             filters=[strip])
    email = EmailField(_l("E-mail"), validators=[Length(max=254)], filters=[strip])
    phone = TelField(_l("Phone"), validators=[Length(max=50)], filters=[strip])
    mobile = TelField(_l("Mobile"), validators=[Length(max=50)], filters=[strip])
    event = RecordField(_l("Event"), validators=[Optional()], kind="event")
    new_event = StringField(_l("Or a new event"), validators=[Length(max=300)], filters=[strip],
                            description=_l("Created with this name if no event is picked. Leave "
                                           "both empty to record no encounter: the conversation "
                                           "then goes into the contact's notes."))
    new_event_kind = SelectField(_l("Kind of new event"), choices=choices(EVENT_KINDS, KIND_LABELS),
                                 default="visit")
    met_on = DateField(_l("Date met"), validators=[Optional()])
    interests = TextAreaField(_l("Interests and what was discussed"), filters=[strip],
                              render_kw={"rows": 3})
    small_talk = TextAreaField(_l("Small talk (雑談)"), filters=[strip], render_kw={"rows": 2})
    follow_up_wanted = BooleanField(_l("Follow-up wanted"))
    follow_up_by = DateField(_l("Follow up by"), validators=[Optional()])
    dnc_confirmed = BooleanField(_l("Follow up anyway"),
                                 description=_l("This person is marked “Do not contact”."))

    def person(self) -> PersonEntry:
        def value(name: str) -> str | None:
            return self[name].data or None

        return PersonEntry(
            family_name=self.family_name.data, given_name=value("given_name"),
            family_name_reading=value("family_name_reading"),
            given_name_reading=value("given_name_reading"), title=value("title"),
            department=value("department"), email=value("email"), phone=value("phone"),
            mobile=value("mobile"), company=value("company"),
            corporate_number=value("corporate_number"))

    def meeting(self) -> Meeting:
        return Meeting(interests=self.interests.data or None,
                       small_talk=self.small_talk.data or None,
                       follow_up_wanted=self.follow_up_wanted.data,
                       follow_up_by=self.follow_up_by.data, met_on=self.met_on.data,
                       dnc_confirmed=self.dnc_confirmed.data)


class QuestionForm(FlaskForm):
    question = TextAreaField(_l("Question for the researcher"), filters=[strip],
                             validators=[Length(max=4000)], render_kw={"rows": 3})


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Your answer"), filters=[strip], validators=[Length(max=4000)],
                         render_kw={"rows": 3})
