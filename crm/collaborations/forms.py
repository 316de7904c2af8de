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

from crm.collaborations.models import CONTRACT_LANGUAGES, EXCLUSIVITY, KINDS, MINUTE_KINDS
from crm.collaborations.steps import (
    EXCLUSIVITY_LABELS, KIND_LABELS, LANGUAGE_LABELS, MINUTE_KIND_LABELS,
)
from crm.common.forms import OptionalSelectField, RecordField, choices, options, strip
from crm.common.time import office_today

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
    kind = SelectField(_l("Kind"), choices=choices(KINDS, KIND_LABELS), default="joint_research")
    title = StringField(_l("Subject"), validators=[Length(max=300)], filters=[strip])
    company = RecordField(_l("Company"), validators=[Optional()], kind="company")
    officer = OptionalSelectField(_l("Responsible officer"), coerce=_int_or_none, choices=[])
    seeds = FieldList(RecordField(_l("Research seed"), validators=[Optional()], kind="seed"),
                      label=_l("Research seeds"), max_entries=MAX_LINKS)
    researchers = FieldList(
        RecordField(_l("Researcher"), validators=[Optional()], kind="researcher"),
        label=_l("Researchers"), max_entries=MAX_LINKS)
    description = TextAreaField(_l("Description"), filters=[strip], render_kw={"rows": 3})
    direct_costs = AmountField(_l("Direct costs"), places=2, validators=[Optional()],
                                render_kw={"inputmode": "decimal"})
    currency = StringField(_l("Currency"), default="JPY", validators=[Length(max=3)],
                           filters=[strip], description=_l("ISO code: JPY, USD, EUR ..."))
    quarterly_reports = BooleanField(
        _l("The company wants quarterly progress reports (managed by a URA)"))
    contract_language = SelectField(_l("Contract language"),
                                    choices=choices(CONTRACT_LANGUAGES, LANGUAGE_LABELS),
                                    default="ja")
    opened_on = DateField(_l("Opened on"), default=office_today, validators=[Optional()])
    planned_start = DateField(_l("Planned start"), validators=[Optional()])
    planned_end = DateField(_l("Planned end"), validators=[Optional()])
    exclusivity = OptionalSelectField(_l("Licence exclusivity"),
                                      choices=choices(EXCLUSIVITY, EXCLUSIVITY_LABELS, blank=True),
                                      description=_l("For licences only."))
    transfers_ip = BooleanField(_l("Transfers or assigns IP (besides a licence)"))
    bayh_dole_agency = StringField(_l("Approving agency"), validators=[Length(max=200)],
                                   filters=[strip], description=_l("e.g. 経済産業省, JST, NEDO"))
    bayh_dole_approved_on = DateField(_l("Approved on"), validators=[Optional()])
    bayh_dole_reference = StringField(_l("Approval reference"), validators=[Length(max=100)],
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
