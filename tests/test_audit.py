"""The audit trail records who changed what, with the values before and after; a refused request
leaves no row, and the trail's page is for managers and admins."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.audit.services import set_actor
from crm.extensions import db
from crm.research.models import Researcher, ResearchSeed


def _entries(entity: str, action: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def test_create_update_delete_each_leave_a_row_with_actor(app):
    set_actor(7, "someone@example.org")
    seed = ResearchSeed(title="SiC パワー半導体", readiness=3)
    db.session.add(seed)
    db.session.commit()
    seed.readiness = 5
    db.session.commit()
    seed_id = seed.id
    db.session.delete(seed)
    db.session.commit()
    created, updated, deleted = _entries("research_seeds")
    assert created.action == "create" and created.changes["title"] == [None, "SiC パワー半導体"]
    assert updated.changes == {"readiness": [3, 5]}
    assert deleted.action == "delete" and deleted.changes["readiness"] == [5, None]
    assert {e.entity_id for e in (created, updated, deleted)} == {seed_id}
    assert {(e.user_id, e.actor) for e in (created, updated, deleted)} == {(7, "someone@example.org")}
    assert deleted.label == "SiC パワー半導体"


def test_many_to_many_changes_are_recorded_as_ids(app):
    a, b = Researcher(family_name="青木"), Researcher(family_name="伊藤")
    seed = ResearchSeed(title="Seed", researchers=[a])
    db.session.add_all([a, b, seed])
    db.session.commit()
    seed.researchers.append(b)
    db.session.commit()
    (update,) = _entries("research_seeds", "update")
    assert update.changes["researchers"] == [[a.id], sorted([a.id, b.id])]


def test_no_row_when_nothing_really_changed(app):
    seed = ResearchSeed(title="Same", readiness=4)
    db.session.add(seed)
    db.session.commit()
    seed.readiness = 4
    db.session.commit()
    assert _entries("research_seeds", "update") == []


def test_rolled_back_changes_leave_no_trail(app):
    db.session.add(ResearchSeed(title="Never saved"))
    db.session.flush()
    db.session.rollback()
    assert _entries("research_seeds") == []


def test_dates_and_money_are_stored_readably(app):
    from crm.companies.models import Company
    from crm.donations.models import Donation

    company = Company(name="X", name_folded="x", country="JP", status="active")
    db.session.add(company)
    db.session.flush()
    db.session.add(Donation(company_id=company.id, amount=Decimal("12345.50"), currency="JPY",
                            received_on=date(2026, 4, 1)))
    db.session.commit()
    (entry,) = _entries("donations")
    assert entry.changes["received_on"] == [None, "2026-04-01"]
    assert entry.changes["amount"] == [None, "12345.50"]


def test_audit_trail_page_is_for_managers_and_admins(login, make_company):
    make_company(name="Audited K.K.")
    assert login("liaison").get("/audit/").status_code == 403
    body = login("manager").get("/audit/?entity=companies").get_data(as_text=True)
    assert "Audited K.K." in body


def test_failed_request_writes_nothing(login, make_company):
    """A refused form rolls back everything, audit rows included."""
    make_company(name="Original")
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    login("liaison").submit("/companies/new", {"name": "", "status": "prospect"})
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before
