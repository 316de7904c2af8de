"""Forms of the portfolio pages: assign a company, cover a department, look up a history."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.common.forms import RecordField, strip


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class AssignForm(FlaskForm):
    """Give a company to an officer (or move it from one to another)."""

    action = HiddenField(default="assign")
    company = RecordField(_l("Company"), validators=[DataRequired()], kind="company",
                          description=_l("Type part of the name and pick it."))
    officer = SelectField(_l("Officer"), coerce=_int_or_none, choices=[],
                          validators=[DataRequired(message=_l("Pick an officer."))])
    override_reason = TextAreaField(
        _l("Reason to override the 7–10 rule"), filters=[strip],
        validators=[Optional(), Length(max=1000)], render_kw={"rows": 2},
        description=_l("Only needed past 10 companies; it is recorded with the assignment."))
    note = StringField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=500)])


class CoverageForm(FlaskForm):
    """An officer starts covering a department."""

    action = HiddenField(default="cover", id="cover-action")
    officer = SelectField(_l("Officer"), coerce=_int_or_none, choices=[], id="cover-officer",
                          validators=[DataRequired(message=_l("Pick an officer."))])
    department = SelectField(_l("Department"), coerce=_int_or_none, choices=[],
                             validators=[DataRequired(message=_l("Pick a department."))])


class HistoryLookupForm(FlaskForm):
    """Find a company's portfolio history (a GET search: no CSRF token)."""

    class Meta:
        csrf = False

    company = RecordField(_l("Company"), validators=[DataRequired()], kind="company")
