"""Forms: an NDA, and a disclosure under it."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField,
)
from wtforms.validators import Length, Optional

from crm.common.forms import OptionalSelectField, RecordField, choices, strip
from crm.ndas.models import CLASSIFICATIONS, DIRECTIONS, NDA_STATUSES
from crm.common.time import office_today
from crm.ndas.fields import NDA_FIELDS

#: Column labels come from the field table.
_label = NDA_FIELDS.label

NDA_STATUS_LABELS = {
    "draft": _l("Draft"), "negotiating": _l("In negotiation"), "signed": _l("Signed"),
    "terminated": _l("Terminated"), "expired": _l("Expired"),
}
CLASSIFICATION_LABELS = {
    "public": _l("Public"), "internal": _l("Internal"), "confidential": _l("Confidential"),
    "strictly_confidential": _l("Strictly confidential"),
    "export_controlled": _l("Export-controlled"),
}
DIRECTION_LABELS = {"to_partner": _l("We disclosed to the partner"),
                    "from_partner": _l("The partner disclosed to us")}


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


class NdaForm(FlaskForm):
    company = RecordField(_label("company_id"), validators=[Optional()], kind="company")
    collaboration = OptionalSelectField(_label("collaboration_id"), coerce=_int_or_none, choices=[],
                                        description=_l("Optional: the collaboration it is for."))
    title = StringField(_label("title"), validators=[Length(max=300)], filters=[strip],
                        description=_l("e.g. 秘密保持契約（電池材料の共同研究）"))
    parties = TextAreaField(_label("parties"), filters=[strip], render_kw={"rows": 2},
                            description=_l("As written in the agreement, one per line."))
    mutual = BooleanField(_label("mutual"), default=True)
    status = SelectField(_label("status"), choices=choices(NDA_STATUSES, NDA_STATUS_LABELS),
                         default="draft")
    signed_on = DateField(_label("signed_on"), validators=[Optional()])
    effective_from = DateField(_label("effective_from"), default=office_today,
                               validators=[Optional()])
    term_months = IntegerField(_label("term_months"), default=24,
                               validators=[Optional()])
    survival_months = IntegerField(
        _label("survival_months"), default=36,
        validators=[Optional()],
        description=_l("How long the confidentiality obligations last after the NDA ends."))
    governing_law = StringField(_label("governing_law"), validators=[Length(max=100)],
                                filters=[strip], description=_l("e.g. 日本法, laws of Singapore"))
    arbitration_place = StringField(_label("arbitration_place"), validators=[Length(max=200)],
                                    filters=[strip], description=_l("e.g. SIAC, Singapore"))
    arbitration_country = StringField(
        _label("arbitration_country"), filters=[strip],
        description=_l("Two-letter code (SG, CH, GB ...): with a foreign company, a third "
                       "country as a rule."))
    notes = TextAreaField(_label("notes"), filters=[strip], render_kw={"rows": 3})

    def data_for_service(self) -> dict:
        data = {name: self[name].data for name in (
            "title", "parties", "mutual", "status", "signed_on", "effective_from",
            "term_months", "survival_months", "governing_law", "arbitration_place",
            "arbitration_country", "notes")}
        data["company_id"] = self.company.data.id if self.company.data else None
        data["collaboration_id"] = self.collaboration.data
        return data


class DisclosureForm(FlaskForm):
    disclosed_on = DateField(_l("Date"), default=office_today, validators=[Optional()])
    direction = SelectField(_l("Direction"), choices=choices(DIRECTIONS, DIRECTION_LABELS),
                            default="to_partner")
    description = TextAreaField(_l("What was disclosed"), filters=[strip],
                                render_kw={"rows": 2},
                                description=_l("Describe it; do not paste the information."))
    classification = SelectField(_l("Classification"),
                                 choices=choices(CLASSIFICATIONS, CLASSIFICATION_LABELS),
                                 default="confidential")
    disclosed_by = StringField(_l("Disclosed by"), validators=[Length(max=200)],
                               filters=[strip])
    disclosed_to_contact = RecordField(_l("Disclosed to (contact)"), validators=[Optional()],
                                       kind="contact")
    disclosed_to = StringField(_l("Disclosed to (name)"), validators=[Length(max=200)],
                               filters=[strip],
                               description=_l("When the recipient is not a contact in the CRM."))

    def data_for_service(self) -> dict:
        data = {name: self[name].data for name in (
            "disclosed_on", "direction", "description", "classification", "disclosed_by",
            "disclosed_to")}
        contact = self.disclosed_to_contact.data
        data["disclosed_to_contact_id"] = contact.id if contact else None
        return data
