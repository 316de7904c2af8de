"""The alumnus's field table (crm/common/fields.py): every column of Alumnus, what it is called
and which parts of the house handle it. Add a column here when you add it to the model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.alumni.models import Alumnus
from crm.common.fields import Field, declare

#: Typed in the form and read from files.
_TYPED = dict(editable=True, importable=True)

ALUMNUS_FIELDS = declare(
    Alumnus,
    Field("id", system=True),
    Field("family_name", _l("Family name"), **_TYPED),
    Field("given_name", _l("Given name"), **_TYPED),
    Field("family_name_reading", _l("Family name reading (katakana)"), **_TYPED),
    Field("given_name_reading", _l("Given name reading (katakana)"), **_TYPED),
    Field("email", _l("E-mail"), **_TYPED),
    Field("degree", _l("Degree"), **_TYPED),
    Field("graduation_year", _l("Graduation year"), **_TYPED),
    Field("department_id", _l("Department"), **_TYPED),
    Field("employer_id", _l("Current employer"), **_TYPED),
    Field("position", _l("Position"), **_TYPED),
    Field("country", _l("Country of work"), **_TYPED),
    # Linked on the form only: a file cannot name the same person's contact record.
    Field("contact_id", _l("Same person as contact"), editable=True),
    Field("notes", _l("Notes"), **_TYPED),
    Field("created_at", system=True),
    Field("version", system=True),
)
