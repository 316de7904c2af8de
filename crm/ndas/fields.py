"""The NDA's field table (crm/common/fields.py): every column of Nda, what it is called and which
parts of the house handle it. Add a column here when you add it to the model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.common.fields import Field, declare
from crm.ndas.models import Nda

#: The partner and the collaboration: chosen on the form, checked by save_nda's own rules
#: (the company exists; the collaboration is with that company).
PARTIES = ("company_id", "collaboration_id")

NDA_FIELDS = declare(
    Nda,
    Field("id", system=True),
    Field("company_id", _l("Company"), editable=True),
    Field("collaboration_id", _l("Collaboration"), editable=True),
    Field("title", _l("Subject"), editable=True),
    Field("parties", _l("Parties"), editable=True),
    Field("mutual", _l("Mutual (both sides disclose)"), editable=True),
    Field("status", _l("Status"), editable=True),
    Field("signed_on", _l("Signed on"), editable=True),
    Field("effective_from", _l("Effective from"), editable=True),
    Field("term_months", _l("Term (months)"), editable=True),
    Field("expires_on", system=True),  # computed from the start and the term (nda_dates)
    Field("survival_months", _l("Survival after expiry (months)"), editable=True),
    Field("survives_until", system=True),  # computed from the expiry and the survival
    Field("governing_law", _l("Governing law"), editable=True),
    Field("arbitration_place", _l("Arbitration place"), editable=True),
    Field("arbitration_country", _l("Arbitration country"), editable=True),
    Field("notes", _l("Notes"), editable=True),
    Field("created_at", system=True),
    Field("updated_at", system=True),  # set by save_nda
    Field("version", system=True),
)
