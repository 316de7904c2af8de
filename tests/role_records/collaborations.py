"""Records the collaboration and NDA routes take, for tests/test_roles.py."""
from __future__ import annotations

from datetime import date


def records(ids: dict) -> dict:
    from crm.collaborations.models import Collaboration
    from crm.extensions import db
    from crm.ndas.models import Nda
    from crm.research.models import ResearchSeed

    collab = Collaboration(kind="joint_research", title="Walk joint research",
                           company_id=ids["company_id"], stage="active",
                           opened_on=date(2026, 1, 5), currency="JPY",
                           contract_language="ja", quarterly_reports=False, transfers_ip=False,
                           seeds=[db.session.get(ResearchSeed, ids["seed_id"])])
    nda = Nda(company_id=ids["company_id"], collaboration=collab, title="Walk NDA",
              status="signed", mutual=True, signed_on=date(2026, 1, 5),
              effective_from=date(2026, 1, 5), term_months=24, expires_on=date(2028, 1, 4),
              survival_months=12, survives_until=date(2029, 1, 4))
    db.session.add_all([collab, nda])
    db.session.commit()
    return {"collaboration_id": collab.id, "nda_id": nda.id}
