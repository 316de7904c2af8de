"""The donation's field table (crm/common/fields.py): every column of Donation, what it is called
and which parts of the house handle it. Add a column here when you add it to the model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.common.fields import Field, declare
from crm.donations.models import Donation

#: Typed in the form and read from files.
_TYPED = dict(editable=True, importable=True)

#: The donor: exactly one of the two, chosen by save_donation's own rule (a file names the
#: donor by name, corporate number or e-mail: the importer's key, not a compared value).
DONOR = ("company_id", "alumnus_id")

DONATION_FIELDS = declare(
    Donation,
    Field("id", system=True),
    Field("company_id", _l("Company"), editable=True),
    Field("alumnus_id", _l("Alumnus"), editable=True),
    Field("amount", _l("Amount"), **_TYPED),
    Field("currency", _l("Currency"), **_TYPED),
    Field("received_on", _l("Received on"), **_TYPED),
    Field("purpose", _l("Purpose"), **_TYPED),
    Field("restricted", _l("Restricted to this purpose (指定寄付)"), **_TYPED),
    Field("notes", _l("Notes"), **_TYPED),
    Field("created_at", system=True),
    Field("version", system=True),
)
