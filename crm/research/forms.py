"""Forms for departments, researchers and research seeds."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, EmailField, FieldList, SelectField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.validators import Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.common.forms import (
    OptionalSelectField, RecordField, all_records, choices, options, strip,
)
from crm.research.fields import RESEARCHER_FIELDS, SEED_FIELDS
from crm.research.models import IP_STATUSES, SEED_STATUSES, TECH_FIELDS, Department

#: Column labels come from the field table.
_researcher = RESEARCHER_FIELDS.label
_seed = SEED_FIELDS.label

IP_LABELS = {"none": _l("No IP yet"), "filed": _l("Patent filed"),
             "granted": _l("Patent granted"), "licensed": _l("Licensed")}
SEED_STATUS_LABELS = {"draft": _l("Draft"), "available": _l("Available"),
                      "in_discussion": _l("In discussion"), "licensed": _l("Licensed"),
                      "closed": _l("Closed")}
#: Technology readiness levels (TRL) as people say them.
TRL_LABELS = {
    1: _l("Basic principles observed"),
    2: _l("Technology concept formulated"),
    3: _l("Experimental proof of concept"),
    4: _l("Validated in the lab"),
    5: _l("Validated in a relevant environment"),
    6: _l("Demonstrated in a relevant environment"),
    7: _l("Prototype demonstrated in operation"),
    8: _l("System complete and qualified"),
    9: _l("Proven in operation"),
}

#: The 14 emerging-technology fields under US export review (guideline table 6).
TECH_FIELD_LABELS = {
    "biotechnology": _l("Biotechnology"),
    "ai_ml": _l("AI and machine learning"),
    "pnt": _l("Position, navigation and timing"),
    "microprocessors": _l("Microprocessors"),
    "advanced_computing": _l("Advanced computing"),
    "data_analytics": _l("Data analytics"),
    "quantum": _l("Quantum information and sensing"),
    "logistics": _l("Logistics"),
    "additive_manufacturing": _l("Additive manufacturing"),
    "robotics": _l("Robotics"),
    "bci": _l("Brain-computer interfaces"),
    "hypersonics": _l("Hypersonics"),
    "advanced_materials": _l("Advanced materials"),
    "advanced_surveillance": _l("Advanced surveillance"),
}


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Unknown values are refused by the service, with a message that names them."""


#: How many empty researcher slots a seed form offers besides those already named.
BLANK_RESEARCHER_SLOTS = 2
MAX_RESEARCHERS = 60


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def department_options(english: bool = False) -> list[tuple[str, str]]:
    """Every department as (id, name) (a small table), for filters and selects."""
    return [(str(d.id), f"{d.name} / {d.name_en}" if english and d.name_en else d.name)
            for d in all_records(Department, Department.name)]


def department_choices() -> list:
    """Every department for a form's select, blank first."""
    return options(department_options(english=True), blank=True)


class DepartmentSelectField(OptionalSelectField):
    """The department select; its choices are filled when the form is made."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any):
        super().__init__(label, validators, coerce=_int_or_none, choices=[], **kwargs)


class ReadinessField(SelectField):
    """TRL 1-9 as a select; out-of-range values reach the service, which explains the scale."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any):
        levels = options(((n, f"{n} · {text}") for n, text in TRL_LABELS.items()), blank=True)
        super().__init__(label, validators, coerce=_int_or_none, choices=levels, **kwargs)
        self.type = "SelectField"  # so Bootstrap-Flask styles it as a select (form-select)

    def pre_validate(self, form: Any) -> None:
        """The range is checked by save_seed, with a message that names the scale."""


class DepartmentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)], filters=[strip],
                       description=_l("As used in the university, e.g. 工学研究科"))
    name_en = StringField(_l("English name"), validators=[Length(max=200)], filters=[strip],
                          description=_l("e.g. Graduate School of Engineering"))
    code = StringField(_l("Code"), validators=[Length(max=20)], filters=[strip],
                       description=_l("Short code used in imports and exports, e.g. ENG"))


class ResearcherForm(FlaskForm):
    family_name = StringField(_researcher("family_name"), validators=[Length(max=100)],
                              filters=[strip])
    given_name = StringField(_researcher("given_name"), validators=[Length(max=100)],
                             filters=[strip])
    family_name_reading = StringField(_researcher("family_name_reading"),
                                      validators=[Length(max=100)], filters=[strip])
    given_name_reading = StringField(_researcher("given_name_reading"),
                                     validators=[Length(max=100)], filters=[strip])
    name_en = StringField(_researcher("name_en"), validators=[Length(max=200)],
                          filters=[strip], description=_l("As published, e.g. Taro Yamada"))
    department = DepartmentSelectField(_researcher("department_id"))
    lab = StringField(_researcher("lab"), validators=[Length(max=200)], filters=[strip])
    title = StringField(_researcher("title"), validators=[Length(max=100)], filters=[strip],
                        description=_l("e.g. 教授 / Professor"))
    email = EmailField(_researcher("email"), validators=[Optional(), Email(), Length(max=254)],
                       filters=[strip])
    keywords = TextAreaField(_researcher("keywords"), filters=[strip], render_kw={"rows": 2},
                             description=_l("Separated by commas or lines."))
    profile = TextAreaField(_researcher("profile"), filters=[strip], render_kw={"rows": 5})

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "department")}
        data["department_id"] = self.department.data
        return data


class SeedForm(FlaskForm):
    # "Title" alone is also a person's job title; the context keeps the translations apart.
    title = StringField(lazy_pgettext("research seed", "Title"), validators=[Length(max=300)],
                        filters=[strip])
    abstract = TextAreaField(_seed("abstract"), filters=[strip], render_kw={"rows": 6})
    keywords = TextAreaField(_seed("keywords"), filters=[strip], render_kw={"rows": 2},
                             description=_l("Separated by commas or lines."))
    department = DepartmentSelectField(_seed("department_id"))
    readiness = ReadinessField(_seed("readiness"),
                               description=_l("Technology readiness level, 1 to 9."))
    ip_status = SelectField(_seed("ip_status"), choices=choices(IP_STATUSES, IP_LABELS),
                            default="none")
    status = SelectField(_seed("status"), choices=choices(SEED_STATUSES, SEED_STATUS_LABELS),
                         default="available")
    government_funded = BooleanField(
        _seed("government_funded"))
    tech_fields = CheckboxesField(
        _seed("tech_fields"), choices=choices(TECH_FIELDS, TECH_FIELD_LABELS),
        description=_l("The fields under US export-control review: a collaboration with a "
                       "foreign company on a tagged seed is flagged for export control."))
    researchers = FieldList(
        RecordField(_l("Researcher"), validators=[Optional()], kind="researcher"),
        label=_l("Researchers"), max_entries=MAX_RESEARCHERS)

    def process(self, formdata: Any = None, obj: Any = None, data: Any = None,
                **kwargs: Any) -> None:
        super().process(formdata, obj, data, **kwargs)
        if obj is not None and not self.is_submitted():  # stored as space-separated codes
            self.tech_fields.data = obj.tech_field_list

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "department", "researchers")}
        data["department_id"] = self.department.data
        data["researcher_ids"] = [entry.data.id for entry in self.researchers
                                  if entry.data is not None]
        return data
