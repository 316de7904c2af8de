"""The collaboration's field table (crm/common/fields.py): every column of Collaboration, what it
is called and which parts of the house handle it. Add a column here when you add it to the
model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.collaborations.models import Collaboration
from crm.common.fields import Field, declare

#: Typed by a user but set by their own rules rather than copied by save_collaboration: the
#: partner and the officer (they must exist), the direct costs (an amount the indirect costs
#: follow), and the outcome, typed on the close form (services.close).
OWN_RULES = ("company_id", "officer_id", "direct_costs", "closed_on", "close_reason")

COLLABORATION_FIELDS = declare(
    Collaboration,
    Field("id", system=True),
    Field("kind", _l("Kind"), editable=True),
    Field("title", _l("Subject"), editable=True),
    Field("company_id", _l("Company"), editable=True),
    Field("officer_id", _l("Responsible officer"), editable=True),
    Field("stage", system=True),  # moved by the sign-offs (crm/collaborations/steps.py)
    Field("description", _l("Description"), editable=True),
    Field("direct_costs", _l("Direct costs"), editable=True),
    Field("currency", _l("Currency"), editable=True),
    # Computed from the direct costs and the terms (indirect_costs).
    Field("indirect_rate", system=True),
    Field("indirect_amount", system=True),
    Field("indirect_reason", system=True),
    Field("quarterly_reports", _l("The company wants quarterly progress reports (managed by a "
                                  "URA)"), editable=True),
    Field("contract_language", _l("Contract language"), editable=True),
    Field("opened_on", _l("Opened on"), editable=True),
    Field("planned_start", _l("Planned start"), editable=True),
    Field("planned_end", _l("Planned end"), editable=True),
    Field("closed_on", _l("Closed on"), editable=True),
    Field("close_reason", _l("Outcome or reason"), editable=True),
    Field("exclusivity", _l("Licence exclusivity"), editable=True),
    Field("transfers_ip", _l("Transfers or assigns IP (besides a licence)"), editable=True),
    Field("bayh_dole_agency", _l("Approving agency"), editable=True),
    Field("bayh_dole_approved_on", _l("Approved on"), editable=True),
    Field("bayh_dole_reference", _l("Approval reference"), editable=True),
    # Who reviewed which conflicting collaborations, and when (save_collaboration's `by`).
    Field("conflicts_reviewed_ids", system=True),
    Field("conflicts_reviewed_by_id", system=True),
    Field("conflicts_reviewed_at", system=True),
    Field("created_at", system=True),
    Field("updated_at", system=True),
    Field("version", system=True),
)
