"""Forms: open or edit a collaboration, sign off a step, close, minutes."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DecimalField, FieldList, HiddenField, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from crm.collaborations.fields import COLLABORATION_FIELDS
from crm.collaborations.models import CONTRACT_LANGUAGES, EXCLUSIVITY, KINDS, MINUTE_KINDS
from crm.collaborations.steps import (
    EXCLUSIVITY_LABELS, KIND_LABELS, LANGUAGE_LABELS, MINUTE_KIND_LABELS,
)
from crm.common.forms import OptionalSelectField, RecordField, choices, options, strip
from crm.common.time import office_today

#: Column labels come from the field table.
_label = COLLABORATION_FIELDS.label

#: Empty seed and researcher pickers the form offers besides those already named.
BLANK_SLOTS = 2
MAX_LINKS = 40


class AmountField(DecimalField):
    """A decimal amount typed the way an office types it: 10,000,000 / １０，０００，０００ /
    ¥10,000,000 / 10000000円 (width, thousands separators and the yen sign are dropped)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            text = unicodedata.normalize("NFKC", valuelist[0] or "")
            valuelist = [re.sub(r"[\s,¥￥$円]", "", text)]
        super().process_formdata(valuelist)


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


class CollaborationForm(FlaskForm):
    kind = SelectField(_label("kind"), choices=choices(KINDS, KIND_LABELS),
                       default="joint_research")
    title = StringField(_label("title"), validators=[Length(max=300)], filters=[strip])
    company = RecordField(_label("company_id"), validators=[Optional()], kind="company")
    officer = OptionalSelectField(_label("officer_id"), coerce=_int_or_none, choices=[])
    seeds = FieldList(RecordField(_l("Research seed"), validators=[Optional()], kind="seed"),
                      label=_l("Research seeds"), max_entries=MAX_LINKS)
    researchers = FieldList(
        RecordField(_l("Researcher"), validators=[Optional()], kind="researcher"),
        label=_l("Researchers"), max_entries=MAX_LINKS)
    description = TextAreaField(_label("description"), filters=[strip], render_kw={"rows": 3})
    direct_costs = AmountField(_label("direct_costs"), places=2, validators=[Optional()],
                                render_kw={"inputmode": "decimal"})
    currency = StringField(_label("currency"), default="JPY", validators=[Length(max=3)],
                           filters=[strip], description=_l("ISO code: JPY, USD, EUR ..."))
    quarterly_reports = BooleanField(
        _label("quarterly_reports"))
    contract_language = SelectField(_label("contract_language"),
                                    choices=choices(CONTRACT_LANGUAGES, LANGUAGE_LABELS),
                                    default="ja")
    opened_on = DateField(_label("opened_on"), default=office_today, validators=[Optional()])
    planned_start = DateField(_label("planned_start"), validators=[Optional()])
    planned_end = DateField(_label("planned_end"), validators=[Optional()])
    exclusivity = OptionalSelectField(_label("exclusivity"),
                                      choices=choices(EXCLUSIVITY, EXCLUSIVITY_LABELS, blank=True),
                                      description=_l("For licences only."))
    transfers_ip = BooleanField(_label("transfers_ip"))
    bayh_dole_agency = StringField(_label("bayh_dole_agency"), validators=[Length(max=200)],
                                   filters=[strip], description=_l("e.g. 経済産業省, JST, NEDO"))
    bayh_dole_approved_on = DateField(_label("bayh_dole_approved_on"), validators=[Optional()])
    bayh_dole_reference = StringField(_label("bayh_dole_reference"), validators=[Length(max=100)],
                                      filters=[strip])
    conflicts_reviewed = BooleanField(_l("I have reviewed these conflicts"))
    conflicts_seen = HiddenField()

    def ids(self, name: str) -> list[int]:
        return [entry.data.id for entry in self[name] if entry.data is not None]

    def data_for_service(self) -> dict:
        data = {name: self[name].data for name in (
            "kind", "title", "description", "direct_costs", "currency", "quarterly_reports",
            "contract_language", "opened_on", "planned_start", "planned_end", "exclusivity",
            "transfers_ip", "bayh_dole_agency", "bayh_dole_approved_on", "bayh_dole_reference",
            "conflicts_reviewed", "conflicts_seen")}
        data["company_id"] = self.company.data.id if self.company.data else None
        data["officer_id"] = self.officer.data
        data["seed_ids"] = self.ids("seeds")
        data["researcher_ids"] = self.ids("researchers")
        return data


class SignoffForm(FlaskForm):
    signed_on = DateField(_l("Signed off on"), default=office_today, validators=[Optional()])
    override_reason = TextAreaField(
        _l("Override reason"), filters=[strip], render_kw={"rows": 2},
        description=_l("Managers only: why the step may be signed off with items not done."))


class CloseForm(FlaskForm):
    closed_on = DateField(_l("Closed on"), default=office_today, validators=[Optional()])
    close_reason = TextAreaField(_l("Outcome or reason"), filters=[strip],
                                 render_kw={"rows": 2})


class MinuteForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options(
        ((k, MINUTE_KIND_LABELS[k]) for k in MINUTE_KINDS)), default="meeting")
    held_on = DateField(_l("Date"), default=office_today, validators=[Optional()])
    attendees = TextAreaField(_l("Attendees"), filters=[strip], render_kw={"rows": 2})
    body = TextAreaField(_l("What was discussed or achieved"), filters=[strip],
                         render_kw={"rows": 4})
    next_steps = TextAreaField(_l("Next steps"), filters=[strip], render_kw={"rows": 2})
