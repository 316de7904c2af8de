"""Forms of the screening pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.common.forms import options, strip

KIND_LABELS = {"csl": _l("US Consolidated Screening List (CSV)"),
               "sdn": _l("OFAC SDN (CSV)"), "dpl": _l("BIS Denied Persons List (tab-separated)"),
               "un": _l("UN Security Council consolidated list (XML)"),
               "meti-eul": _l("METI End User List (CSV/xlsx, or the names file)")}
DECISION_LABELS = {"clear": _l("Clear (false positive)"), "escalate": _l("Escalate"),
                   "block": _l("Block")}


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
