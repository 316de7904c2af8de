"""The glossary entry's field table (crm/common/fields.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.common.fields import Field, declare
from crm.glossary.models import GlossaryEntry

GLOSSARY_FIELDS = declare(
    GlossaryEntry,
    Field("id", system=True),
    Field("ja", _l("Japanese"), editable=True),
    Field("en", _l("English"), editable=True),
    Field("created_at", system=True),
    Field("updated_at", system=True),  # set by save_entry
    Field("version", system=True),
)
