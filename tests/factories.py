"""One factory per record: plain functions with sensible defaults, every field overridable by
keyword. Each saves its record and commits, the way the tests built it before (through the
service where a rule is under test, else the model). Fixtures that use them live in conftest.py."""
from __future__ import annotations

from datetime import date
from typing import Any

from crm.extensions import db


def make_researcher(**fields: Any):
    from crm.research.models import Researcher

    fields.setdefault("family_name", "田中")
    fields.setdefault("given_name", "一郎")
    researcher = Researcher(**fields)
    db.session.add(researcher)
    db.session.commit()
    return researcher


def make_seed(**fields: Any):
    """A research seed; by default with one researcher of its own (田中 一郎)."""
    from crm.research.models import ResearchSeed

    fields.setdefault("title", "全固体電池の電解質")
    if "researchers" not in fields:
        fields["researchers"] = [make_researcher()]
    seed = ResearchSeed(**fields)
    db.session.add(seed)
    db.session.commit()
    return seed


def make_collaboration(company, seed, **fields: Any):
    """A joint research opened today with `company` on `seed`, through the service."""
    from crm.collaborations.services import save_collaboration

    data = {"kind": "joint_research", "title": "電解質の共同研究", "company_id": company.id,
            "seed_ids": [seed.id], "researcher_ids": [], "currency": "JPY",
            "contract_language": "ja", "opened_on": date.today(), **fields}
    collab = save_collaboration(None, data)
    db.session.commit()
    return collab


def make_nda(company, **fields: Any):
    """A signed, mutual NDA with `company` (in force from 1 April 2025 for a year), through the
    service."""
    from crm.ndas.services import save_nda

    data = {"company_id": company.id, "title": "秘密保持契約（ロボット制御）", "status": "signed",
            "signed_on": date(2025, 3, 20), "effective_from": date(2025, 4, 1),
            "term_months": 12, "survival_months": 24, "mutual": True,
            "arbitration_country": "JP", **fields}
    nda = save_nda(None, data)
    db.session.commit()
    return nda
