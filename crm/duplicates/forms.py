"""Forms of the duplicates pages: they carry the CSRF token and the few hidden values; the
per-field choices of a merge are radio buttons read by the view (their names depend on which
fields differ)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, DataRequired, Optional
from wtforms.widgets import HiddenInput

from crm.duplicates.models import DUPLICATE_KINDS


class DismissForm(FlaskForm):
    """"Not a duplicate" on one pair."""

    kind = HiddenField(validators=[AnyOf(DUPLICATE_KINDS)])
    first = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    second = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    next = HiddenField(validators=[Optional()])


class MergeForm(FlaskForm):
    """The merge button: when each record was last changed, as the page showed it, so a merge
    chosen on values that have changed since is refused instead of applied."""

    a_version = HiddenField()
    b_version = HiddenField()
