"""The alumnus form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from crm.alumni.fields import ALUMNUS_FIELDS
from crm.alumni.models import DEGREES
from crm.common.forms import OptionalSelectField, RecordField, all_records, choices, options, \
    strip
from crm.research.models import Department

#: Column labels come from the field table.
_label = ALUMNUS_FIELDS.label

DEGREE_LABELS = {"bachelor": _l("Bachelor"), "master": _l("Master"), "doctor": _l("Doctor"),
                 "other": _l("Other")}


def department_options(blank: bool = True) -> list:
    """Every department for a select (a small table)."""
    return options(((d.id, f"{d.name} / {d.name_en}" if d.name_en else d.name)
                    for d in all_records(Department, Department.name)), blank=blank)


class _DepartmentField(OptionalSelectField):
    """The department select, styled by Bootstrap-Flask as a select (it keys on the type name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "SelectField"


class AlumnusForm(FlaskForm):
    family_name = StringField(_label("family_name"), validators=[Length(max=100)], filters=[strip])
    given_name = StringField(_label("given_name"), validators=[Length(max=100)], filters=[strip])
    family_name_reading = StringField(_label("family_name_reading"),
                                      validators=[Length(max=100)], filters=[strip])
    given_name_reading = StringField(_label("given_name_reading"),
                                     validators=[Length(max=100)], filters=[strip])
    email = StringField(_label("email"), validators=[Length(max=254)], filters=[strip])
    degree = SelectField(_label("degree"), choices=choices(DEGREES, DEGREE_LABELS),
                         default="bachelor")
    graduation_year = IntegerField(
        _label("graduation_year"),
        validators=[Optional(), NumberRange(1900, 2100, message=_l("Enter a year between 1900 "
                                                                   "and 2100."))])
    department = _DepartmentField(_label("department_id"), coerce=lambda v: int(v) if v else None,
                                  choices=[])
    employer = RecordField(_label("employer_id"), validators=[Optional()], kind="company")
    position = StringField(_label("position"), validators=[Length(max=200)], filters=[strip])
    country = StringField(_label("country"), filters=[strip], render_kw={"maxlength": 2},
                          description=_l("Two-letter code: JP, US, SG ..."))
    contact = RecordField(_label("contact_id"), validators=[Optional()], kind="contact",
                          description=_l("When the alumnus is also a contact at their employer."))
    notes = TextAreaField(_label("notes"), filters=[strip], render_kw={"rows": 3})

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "department", "employer", "contact")}
        data["department_id"] = self.department.data
        data["employer_id"] = self.employer.data.id if self.employer.data else None
        data["contact_id"] = self.contact.data.id if self.contact.data else None
        return data
