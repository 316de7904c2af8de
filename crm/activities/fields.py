"""The activity's field table (crm/common/fields.py): every column of Activity, what it is called
and which parts of the house handle it. Add a column here when you add it to the model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.activities.models import Activity
from crm.common.fields import Field, declare

ACTIVITY_FIELDS = declare(
    Activity,
    Field("id", system=True),
    # Chosen on the form; save_activity checks it exists (and the contacts work there).
    Field("company_id", _l("Company"), editable=True),
    Field("kind", _l("Kind"), editable=True),
    Field("occurred_on", _l("Date"), editable=True),
    Field("subject", _l("Subject"), editable=True, searchable=True),
    # Confidential minutes stay out of the index (crm/search.py).
    Field("minutes", _l("Minutes"), editable=True, searchable=True),
    # The author: whoever logged it (save_activity's `by`), never typed.
    Field("user_id", _l("User"), system=True),
    Field("confidential", _l("Confidential minutes"), editable=True),
    Field("created_at", system=True),
    Field("version", system=True),
)
