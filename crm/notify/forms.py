"""The digest setting: off, daily or weekly."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from crm.common.forms import options

DIGEST_LABELS = {"off": _l("Off: no e-mail"),
                 "daily": _l("Daily: every morning there is something for me"),
                 "weekly": _l("Weekly: on Mondays")}


class DigestForm(FlaskForm):
    digest = RadioField(_l("E-mail digest of My work"), choices=options(DIGEST_LABELS.items()),
                        validators=[InputRequired()])
