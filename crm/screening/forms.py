"""Forms of the screening pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.common.forms import options, strip
from crm.screening.kinds import DECISIONS, LISTS

KIND_LABELS = {kind: file_label for kind, (_, file_label) in LISTS.items()}
DECISION_LABELS = {decision: label for decision, (label, _) in DECISIONS.items()}


class ListImportForm(FlaskForm):
    kind = SelectField(_l("List"), choices=options(KIND_LABELS.items()),
                       validators=[DataRequired()])
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose the list file."))])
    version = StringField(_l("Version or date"), validators=[Optional(), Length(max=100)],
                          filters=[strip],
                          description=_l("Default: the date the file gives, else today."))


class ScreenNameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)], filters=[strip])
    country = StringField(_l("Country (2 letters)"), validators=[Optional(), Length(max=2)],
                          filters=[strip])


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=options(DECISION_LABELS.items()),
                          validators=[DataRequired(_l("Choose clear, escalate or block."))])
    note = TextAreaField(_l("Note"), validators=[DataRequired(_l("Write why."))],
                         filters=[strip], render_kw={"rows": 2})
