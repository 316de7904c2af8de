"""The glossary entry form."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from crm.common.forms import strip
from crm.glossary.fields import GLOSSARY_FIELDS
from crm.glossary.models import EN_MAX, JA_MAX

_label = GLOSSARY_FIELDS.label


class GlossaryEntryForm(FlaskForm):
    ja = StringField(_label("ja"), filters=[strip],
                     validators=[InputRequired(), Length(max=JA_MAX)])
    en = StringField(_label("en"), filters=[strip],
                     validators=[InputRequired(), Length(max=EN_MAX)])

    def data_for_service(self) -> dict[str, Any]:
        return {"ja": self.ja.data, "en": self.en.data}
