"""Collaborations: the nine-step pipeline and its gates (checklist, override, Bayh-Dole, export
control), conflicts, indirect costs, emerging-technology warnings, pages and roles."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.collaborations import services
from crm.collaborations.models import STEPS, Collaboration, CollaborationSignoff
from crm.collaborations.steps import item_codes
from crm.common.services import ValidationError
from crm.extensions import db
from crm.research.models import ResearchSeed
from tests.factories import make_researcher, make_seed
from tests.reading import count

TODAY = date.today()


def from_page(client, collab, form: str, data=None):
    """Post the collaboration page's `form` (checklist, signoff, minutes, close) as rendered."""
    return client.submit(f"/collaborations/{collab.id}/{form}",
                         page=f"/collaborations/{collab.id}", data=data)


@pytest.fixture
def world(app, make_company):
    """Two companies in one industry, a foreign one, two seeds (one government-funded) and
    two researchers."""
    tanaka = make_researcher(family_name="田中", given_name="一郎")
    suzuki = make_researcher(family_name="鈴木", given_name="花子")
    battery = make_seed([tanaka], title="全固体電池の電解質")
    funded = make_seed([suzuki], title="量子センサ", government_funded=True)
    return {
        "acme": make_company(name="株式会社アクメ電機", industry="電気機器"),
        "rival": make_company(name="ライバル電機株式会社", industry="電気機器"),
        "foreign": make_company(name="Quantum Devices Inc.", country="US", industry="Semis"),
        "battery": battery, "funded": funded, "tanaka": tanaka, "suzuki": suzuki,
    }


def _data(world, **overrides) -> dict:
    data = {"kind": "joint_research", "title": "電解質の共同研究",
            "company_id": world["acme"].id, "seed_ids": [world["battery"].id],
            "researcher_ids": [world["tanaka"].id], "direct_costs": Decimal("1000000"),
            "currency": "JPY", "contract_language": "ja", "quarterly_reports": False,
            "opened_on": TODAY}
    data.update(overrides)
    return data


def _open(world, user=None, **overrides) -> Collaboration:
    collab = services.save_collaboration(None, _data(world, **overrides), by=user)
    db.session.commit()
    return collab


def _tick_all(collab: Collaboration, step: str, user) -> None:
    services.set_checks(collab, step, item_codes(step), by=user)


def _sign_nda(collab: Collaboration, **overrides):
    """A signed NDA with the collaboration's company in the register, in force today."""
    from crm.ndas.services import save_nda

    data = {"company_id": collab.company_id, "collaboration_id": collab.id,
            "title": "秘密保持契約", "status": "signed", "signed_on": TODAY,
            "effective_from": TODAY, "term_months": 24, "survival_months": 12,
            "governing_law": "日本法", "mutual": True}
    data.update(overrides)
    return save_nda(None, data)


def _advance_to(collab: Collaboration, stage: str, user) -> None:
    """Tick everything and sign off step by step until the collaboration is at `stage`: the NDA
    step with a signed NDA in the register, the export-control step by the export-control
    officer (the gates of issue 12)."""
    from crm.auth.models import User

    while collab.stage != stage:
        _tick_all(collab, collab.stage, user)
        signer = user
        if collab.stage == "nda" and not services.nda_registered(collab, TODAY):
            _sign_nda(collab)
        if collab.stage == "export_control" and not user.can("screening.decide"):
            signer = next(u for u in db.session.execute(select(User)).scalars()
                          if u.can("screening.decide"))
        services.sign_off(collab, TODAY, by=signer)
    db.session.commit()


def _form(world, **overrides) -> dict:
    form = {"kind": "joint_research", "title": "電解質の共同研究",
            "company": f"{world['acme'].name} [#{world['acme'].id}]",
            "seeds-0": f"{world['battery'].title} [#{world['battery'].id}]",
            "researchers-0": f"田中 一郎 [#{world['tanaka'].id}]",
            "direct_costs": "1000000", "currency": "JPY", "contract_language": "ja",
            "opened_on": TODAY.isoformat()}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


# --- indirect costs (case 23) ------------------------------------------------------------------

def test_indirect_costs_default_20_percent_computed_stored_and_shown(world, login):
    client = login("liaison")
    r = client.submit("/collaborations/new", _form(world))
    assert r.status_code == 302, r.get_data(as_text=True)
    collab = db.session.scalar(select(Collaboration))
    assert collab.indirect_rate == Decimal("0.2")
    assert collab.indirect_amount == Decimal("200000")
    assert collab.indirect_reason == "default"
    assert collab.stage == "partner_search"
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "Indirect costs (20 %)" in page and "Default rate" in page


@pytest.mark.parametrize("overrides, reason, shown", [
    ({"quarterly_reports": True}, "quarterly_reports", "quarterly progress reports"),
    ({"contract_language": "partner"}, "partner_language", "in the partner's language"),
    ({"quarterly_reports": True, "contract_language": "partner"},
     "quarterly_reports+partner_language", "in the partner's language"),
])
def test_indirect_costs_30_percent_with_the_reason(world, login, overrides, reason, shown):
    collab = _open(world, **overrides)
    assert collab.indirect_rate == Decimal("0.3")
    assert collab.indirect_amount == Decimal("300000")
    assert collab.indirect_reason == reason
    page = login("manager").get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "Indirect costs (30 %)" in page and shown in page


def test_indirect_rates_come_from_the_config_and_are_recomputed_on_edit(world, app,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "CRM_INDIRECT_RATE_DEFAULT", 0.25)
    monkeypatch.setitem(app.config, "CRM_INDIRECT_RATE_HIGH", 0.35)
    collab = _open(world, direct_costs=Decimal("1000001"))
    assert collab.indirect_rate == Decimal("0.25")
    assert collab.indirect_amount == Decimal("250000")  # whole yen: 250,000.25 rounds down
    services.save_collaboration(collab, _data(world, direct_costs=Decimal("2000000"),
                                              quarterly_reports=True))
    db.session.commit()
    assert (collab.indirect_rate, collab.indirect_amount) == (Decimal("0.35"), Decimal("700000"))
    assert collab.indirect_reason == "quarterly_reports"


def test_indirect_costs_keep_cents_for_other_currencies(world):
    collab = _open(world, direct_costs=Decimal("1234.55"), currency="USD")
    assert collab.indirect_amount == Decimal("246.91")


# --- the checklist gate and the manager's override ---------------------------------------------

def test_moving_past_an_unfinished_step_is_refused_with_the_missing_items(world, login, users):
    collab = _open(world)
    _advance_to(collab, "intent_check", users["liaison"])
    client = login("liaison")
    from_page(client, collab, "checklist",
              {"step": "intent_check", "item": ["seed_status", "basic_patents"]})
    r = from_page(client, collab, "signoff", {"signed_on": TODAY.isoformat()})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Other collaborations on the seed checked" in page
    assert "Competitive funding checked" in page
    db.session.expire_all()
    assert db.session.get(Collaboration, collab.id).stage == "intent_check"
    assert {s.step for s in db.session.get(Collaboration, collab.id).signoffs} == {
        "partner_search"}


def test_a_complete_step_is_signed_off_by_a_named_user_with_a_date(world, login, users):
    collab = _open(world)
    client = login("liaison")
    r = from_page(client, collab, "checklist",
                  {"step": "partner_search", "item": item_codes("partner_search")})
    assert r.status_code == 302
    day = TODAY - timedelta(days=0)
    r = from_page(client, collab, "signoff", {"signed_on": day.isoformat()})
    assert r.status_code == 302
    db.session.expire_all()
    collab = db.session.get(Collaboration, collab.id)
    assert collab.stage == "intent_check"
    (signoff,) = collab.signoffs
    assert (signoff.step, signoff.signed_by_id, signoff.signed_on) == (
        "partner_search", users["liaison"].id, day)
    assert signoff.override_reason is None
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "Signed off by liaison user" in page


def test_signoff_in_the_future_is_refused(world, users):
    collab = _open(world)
    _tick_all(collab, "partner_search", users["liaison"])
    with pytest.raises(ValidationError) as err:
        services.sign_off(collab, TODAY + timedelta(days=1), by=users["liaison"])
    assert "signed_on" in err.value.errors


def test_only_a_manager_may_override_and_only_with_a_reason(world, login, users):
    collab = _open(world)
    liaison, manager = login("liaison"), login("manager")
    # the liaison's form has no reason field: replaying the manager's request is refused
    r = liaison.forge(f"/collaborations/{collab.id}/signoff",
                      {"signed_on": TODAY.isoformat(), "override_reason": "急ぎの案件"})
    assert r.status_code == 422
    assert "Only a manager may move past unfinished items." in r.get_data(as_text=True)
    r = from_page(manager, collab, "signoff", {"signed_on": TODAY.isoformat()})
    assert r.status_code == 422  # no reason, no override
    r = from_page(manager, collab, "signoff", {"signed_on": TODAY.isoformat(),
                                               "override_reason": "先方の紹介で経緯は明らか"})
    assert r.status_code == 302
    db.session.expire_all()
    signoff = db.session.scalar(select(CollaborationSignoff))
    assert signoff.override_reason == "先方の紹介で経緯は明らか"
    assert signoff.missing_list == ["candidate", "route"]
    assert signoff.signed_by_id == users["manager"].id
    page = manager.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "先方の紹介で経緯は明らか" in page and "Overridden" in page


def test_signed_off_checklists_are_locked(world, users):
    collab = _open(world)
    _advance_to(collab, "intent_check", users["liaison"])
    with pytest.raises(ValidationError):
        services.set_checks(collab, "partner_search", [], by=users["liaison"])


def test_unknown_checklist_items_are_refused(world, users):
    collab = _open(world)
    with pytest.raises(ValidationError) as err:
        services.set_checks(collab, "partner_search", ["candidate", "bogus"], by=users["liaison"])
    assert "bogus" in err.value.errors["items"]


# --- Japanese Bayh-Dole --------------------------------------------------------------------------

@pytest.mark.parametrize("overrides", [
    {"kind": "licence", "exclusivity": "non_exclusive"},
    {"kind": "joint_research", "transfers_ip": True},
])
def test_government_funded_ip_needs_approval_before_contract_terms(world, users, login,
                                                                    overrides):
    collab = _open(world, seed_ids=[world["funded"].id], researcher_ids=[], **overrides)
    _advance_to(collab, "research_plan", users["manager"])
    _tick_all(collab, "research_plan", users["manager"])
    db.session.commit()
    manager = login("manager")
    # Not even a manager's override moves it: the approval is the law.
    r = from_page(manager, collab, "signoff", {"signed_on": TODAY.isoformat()})
    assert r.status_code == 422
    assert "Bayh-Dole" in r.get_data(as_text=True)
    # the form shows no override here (nothing is unticked); a replayed override changes nothing
    r = manager.forge(f"/collaborations/{collab.id}/signoff",
                      {"signed_on": TODAY.isoformat(), "override_reason": "急ぎ"})
    assert r.status_code == 422
    assert "Bayh-Dole" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Collaboration, collab.id).stage == "research_plan"
    collab = db.session.get(Collaboration, collab.id)
    services.save_collaboration(collab, _data(
        world, seed_ids=[world["funded"].id], researcher_ids=[], **overrides,
        bayh_dole_agency="経済産業省", bayh_dole_approved_on=TODAY,
        bayh_dole_reference="20260401産局第1号"))
    db.session.commit()
    r = from_page(manager, collab, "signoff", {"signed_on": TODAY.isoformat()})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Collaboration, collab.id).stage == "contract_terms"


def test_a_licence_of_a_seed_not_government_funded_needs_no_approval(world, users):
    collab = _open(world, kind="licence", exclusivity="exclusive")
    _advance_to(collab, "contract_terms", users["liaison"])
    assert collab.stage == "contract_terms"


def test_an_incomplete_approval_is_refused_field_by_field(world):
    with pytest.raises(ValidationError) as err:
        _open(world, bayh_dole_agency="JST")
    assert {"bayh_dole_approved_on", "bayh_dole_reference"} <= set(err.value.errors)


def test_turning_a_late_collaboration_into_a_licence_needs_the_approval(world, users):
    collab = _open(world, seed_ids=[world["funded"].id])
    _advance_to(collab, "contract_terms", users["liaison"])
    with pytest.raises(ValidationError) as err:
        services.save_collaboration(collab, _data(world, seed_ids=[world["funded"].id],
                                                  kind="licence", exclusivity="exclusive"))
    assert "bayh_dole_agency" in err.value.errors


# --- export control -----------------------------------------------------------------------------

@pytest.mark.parametrize("clearance", ["unscreened", "open", "blocked"])
def test_export_control_step_needs_a_clear_screening_even_for_a_manager(
        world, users, login, monkeypatch, clearance):
    monkeypatch.setattr("crm.screening.services.company_clearance", lambda company_id: clearance)
    collab = _open(world, company_id=world["foreign"].id)
    _advance_to(collab, "export_control", users["manager"])
    _tick_all(collab, "export_control", users["manager"])
    db.session.commit()
    client = login("manager")
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert f'data-clearance="{clearance}"' in page and "/screening/" in page
    # a manager cannot sign this step off, not even with a reason: no form is offered ...
    assert 'id="signoff"' not in page
    # ... and the export-control officer's sign-off is refused until the partner is clear
    officer = login("export_control")
    r = from_page(officer, collab, "export-signoff", {"signed_on": TODAY.isoformat()})
    assert r.status_code == 422
    db.session.expire_all()
    assert db.session.get(Collaboration, collab.id).stage == "export_control"


def test_export_control_step_is_signed_off_only_by_the_export_control_officer(
        world, users, login, monkeypatch):
    seen = []
    monkeypatch.setattr("crm.screening.services.company_clearance",
                        lambda company_id: seen.append(company_id) or "clear")
    collab = _open(world, company_id=world["foreign"].id)
    _advance_to(collab, "export_control", users["liaison"])
    _tick_all(collab, "export_control", users["liaison"])
    db.session.commit()
    # whoever moves the pipeline (a liaison, a manager even with a reason) cannot
    for role in ("liaison", "manager"):
        with pytest.raises(ValidationError, match="export-control officer"):
            services.sign_off(collab, TODAY, "急ぎ", by=users[role])
        db.session.rollback()
    page = login("liaison").get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "/export-signoff" not in page  # no sign-off form for them
    officer = login("export_control")
    page = officer.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert f"/collaborations/{collab.id}/export-signoff" in page
    r = officer.submit(f"/collaborations/{collab.id}/export-signoff",
                       {"signed_on": TODAY.isoformat()})
    assert r.status_code == 302
    db.session.expire_all()
    done = db.session.get(Collaboration, collab.id)
    assert done.stage == "active" and world["foreign"].id in seen
    assert services.signoff_for(done, "export_control").signed_by_id == users["export_control"].id


def test_export_signoff_form_only_at_the_export_control_step(world, users, login):
    collab = _open(world)
    page = login("export_control").get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "/export-signoff" not in page and 'id="signoff"' not in page


def test_nda_step_needs_a_signed_nda_in_the_register(world, users, login):
    collab = _open(world)
    _advance_to(collab, "nda", users["liaison"])
    _tick_all(collab, "nda", users["liaison"])  # 'NDA signed' ticked is not evidence enough
    db.session.commit()
    client = login("liaison")
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert 'id="nda-gate"' in page
    r = client.submit(f"/collaborations/{collab.id}/signoff", {"signed_on": TODAY.isoformat()})
    assert r.status_code == 422 and "NDA register" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Collaboration, collab.id).stage == "nda"
    # a draft or an expired NDA is not a signed NDA in force
    _sign_nda(collab, status="draft", signed_on=None)
    _sign_nda(collab, effective_from=TODAY - timedelta(days=800), signed_on=TODAY - timedelta(
        days=800))
    db.session.commit()
    with pytest.raises(ValidationError, match="NDA register"):
        services.sign_off(collab, TODAY, by=users["liaison"])
    db.session.rollback()
    _sign_nda(collab)
    db.session.commit()
    client.get(f"/collaborations/{collab.id}")
    r = client.submit(f"/collaborations/{collab.id}/signoff", {"signed_on": TODAY.isoformat()})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Collaboration, collab.id).stage == "research_plan"


def test_nda_step_without_an_nda_needs_a_managers_reason_which_is_kept(world, users, login):
    collab = _open(world)
    _advance_to(collab, "nda", users["liaison"])
    _tick_all(collab, "nda", users["liaison"])
    db.session.commit()
    with pytest.raises(ValidationError, match="manager"):
        services.sign_off(collab, TODAY, "先方の法務が署名待ち", by=users["liaison"])
    db.session.rollback()
    client = login("manager")
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert 'name="override_reason"' in page
    r = client.submit(f"/collaborations/{collab.id}/signoff",
                      {"signed_on": TODAY.isoformat(),
                       "override_reason": "先方の法務が署名待ち。口頭で合意済み。"})
    assert r.status_code == 302
    db.session.expire_all()
    done = db.session.get(Collaboration, collab.id)
    record = services.signoff_for(done, "nda")
    assert record.override_reason == "先方の法務が署名待ち。口頭で合意済み。"
    assert record.missing_list == [services.NDA_GATE]
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "先方の法務が署名待ち。口頭で合意済み。" in page


# --- conflicts (case 26) ------------------------------------------------------------------------

def test_conflicts_are_listed_and_must_be_confirmed_before_opening(world, login, users):
    first = _open(world, title="既存の共同研究")
    client = login("liaison")
    r = client.submit("/collaborations/new", _form(world, title="新しい共同研究"))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "既存の共同研究" in page and "Same research seed" in page
    assert "I have reviewed these conflicts" in page
    assert count(Collaboration) == 1
    r = client.submit("/collaborations/new", _form(world, title="新しい共同研究",
                                                   conflicts_reviewed="y",
                                                   conflicts_seen=str(first.id)))
    assert r.status_code == 302
    new = db.session.scalar(select(Collaboration).where(Collaboration.title == "新しい共同研究"))
    assert new.reviewed_conflict_ids == {first.id}
    assert new.conflicts_reviewed_by_id == users["liaison"].id
    assert new.conflicts_reviewed_at is not None
    assert "既存の共同研究" in client.get(f"/collaborations/{new.id}").get_data(as_text=True)


def test_a_conflict_not_shown_to_the_user_is_not_confirmed(world, login):
    first = _open(world, title="既存の共同研究")
    # the form shows the confirmation only with conflicts: this post is a replayed one
    r = login("liaison").forge("/collaborations/new", _form(
        world, title="新規", conflicts_reviewed="y", conflicts_seen=""))
    assert r.status_code == 422
    assert first.id and count(Collaboration) == 1


def test_conflict_kinds_same_researcher_competitor_exclusive_licence(world):
    licence = _open(world, kind="licence", exclusivity="exclusive", title="独占ライセンス",
                    company_id=world["foreign"].id, researcher_ids=[])
    people = _open(world, title="同じ研究者", seed_ids=[], researcher_ids=[world["tanaka"].id],
                   company_id=world["foreign"].id, conflicts_reviewed=True,
                   conflicts_seen=str(licence.id))
    rival = _open(world, title="競合の共同研究", company_id=world["rival"].id,
                  seed_ids=[world["funded"].id], researcher_ids=[world["suzuki"].id])
    closed = _open(world, title="終了済み", company_id=world["rival"].id, seed_ids=[],
                   researcher_ids=[world["suzuki"].id], conflicts_reviewed=True,
                   conflicts_seen=str(rival.id))
    services.close(closed, TODAY, "完了")
    db.session.commit()
    found = {c.collaboration.title: c.reasons for c in services.find_conflicts(
        world["acme"], [world["battery"].id], [world["tanaka"].id])}
    assert found == {
        "独占ライセンス": ["same_seed", "exclusive_licence"],
        "同じ研究者": ["same_researcher"],
        "競合の共同研究": ["competitor"],
    }


# --- forms, CSRF --------------------------------------------------------------------------------

def test_form_errors_are_shown_by_field_and_nothing_is_saved(world, login):
    r = login("liaison").submit("/collaborations/new", _form(
        world, title="", company="", kind="licence", direct_costs="-5", currency="XX"))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    for message in ("Enter a title for the collaboration.", "Choose the partner company.",
                    "Direct costs are an amount of zero or more.",
                    "Use a three-letter ISO currency code"):
        assert message in page
    assert count(Collaboration) == 0


def test_a_licence_must_say_whether_it_is_exclusive(world):
    with pytest.raises(ValidationError) as err:
        _open(world, kind="licence")
    assert "exclusivity" in err.value.errors


def test_planned_end_before_start_is_refused(world):
    with pytest.raises(ValidationError) as err:
        _open(world, planned_start=TODAY, planned_end=TODAY - timedelta(days=1))
    assert "planned_end" in err.value.errors


def test_forged_posts_without_csrf_are_refused(world, login, users):
    collab = _open(world)
    _tick_all(collab, "partner_search", users["liaison"])
    db.session.commit()
    client = login("manager")
    for url, data in [("/collaborations/new", _form(world)),
                      (f"/collaborations/{collab.id}/signoff", {"signed_on": TODAY.isoformat()}),
                      (f"/collaborations/{collab.id}/checklist", {"step": "partner_search"}),
                      (f"/collaborations/{collab.id}/close", {"closed_on": TODAY.isoformat()})]:
        assert client.post(url, data=data).status_code == 400, url
    db.session.expire_all()
    assert count(Collaboration) == 1
    assert db.session.get(Collaboration, collab.id).stage == "partner_search"


# --- roles --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["researcher", "staff"])
def test_researchers_and_staff_see_no_collaboration(world, login, role):
    collab = _open(world)
    client = login(role)
    for url in ("/collaborations/", "/collaborations/list", f"/collaborations/{collab.id}",
                "/collaborations/new"):
        assert client.get(url).status_code == 403, url
    page = client.get(f"/research/seeds/{world['battery'].id}").get_data(as_text=True)
    assert "seed-collaborations" not in page


def test_export_control_officer_may_view_but_not_change(world, login, users):
    collab = _open(world)
    client = login("export_control")
    for url in ("/collaborations/", "/collaborations/list", f"/collaborations/{collab.id}"):
        assert client.get(url).status_code == 200, url
    assert client.get("/collaborations/new").status_code == 403
    assert client.get(f"/collaborations/{collab.id}/edit").status_code == 403
    r = client.forge(f"/collaborations/{collab.id}/checklist",
                      {"step": "partner_search", "item": item_codes("partner_search")})
    assert r.status_code == 403
    r = client.forge(f"/collaborations/{collab.id}/signoff", {"signed_on": TODAY.isoformat(),
                                                              "override_reason": "x"})
    assert r.status_code == 403
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "Save checklist" not in page and "Sign off and move" not in page


# --- pages --------------------------------------------------------------------------------------

def test_board_and_list_show_collaborations_by_stage_and_filter(world, login, users):
    a = _open(world, title="探索中の案件")
    b = _open(world, title="進行中の案件", company_id=world["foreign"].id, seed_ids=[],
              conflicts_reviewed=True, conflicts_seen=str(a.id))
    _advance_to(b, "nda", users["liaison"])
    client = login("liaison")
    board = client.get("/collaborations/").get_data(as_text=True)
    nda_column = board.split('data-stage="nda"')[1].split("</section>")[0]
    assert "進行中の案件" in nda_column and "探索中の案件" not in nda_column
    listed = client.get("/collaborations/list?stage=nda").get_data(as_text=True)
    assert "進行中の案件" in listed and "探索中の案件" not in listed
    listed = client.get("/collaborations/list?q=quantum").get_data(as_text=True)
    assert "進行中の案件" in listed and "探索中の案件" not in listed
    listed = client.get(f"/collaborations/list?company={world['acme'].id}").get_data(
        as_text=True)
    assert "探索中の案件" in listed and "進行中の案件" not in listed


def _many(world, n: int, users) -> None:
    from crm.companies.services import save_company

    for i in range(n):
        company = save_company(None, {"name": f"会社{i}株式会社", "industry": f"業種{i}"})
        collab = Collaboration(kind="joint_research", title=f"案件{i}", company=company,
                               stage=STEPS[i % 9], opened_on=TODAY, officer=users["liaison"],
                               seeds=[world["battery"]], researchers=[world["tanaka"]],
                               currency="JPY", contract_language="ja")
        db.session.add(collab)
    db.session.commit()


@pytest.mark.parametrize("url", ["/collaborations/", "/collaborations/list"])
def test_board_and_list_take_the_same_number_of_queries_for_3_or_20(world, login, users,
                                                                   count_queries, url):
    client = login("manager")
    _many(world, 3, users)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _many(world, 17, users)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many() == few()


def test_collaboration_page_takes_the_same_queries_with_more_history(world, login, users,
                                                                     count_queries):
    collab = _open(world)
    _advance_to(collab, "intent_check", users["liaison"])
    client = login("manager")
    url = f"/collaborations/{collab.id}"
    client.get(url)
    with count_queries() as before:
        client.get(url)
    _advance_to(collab, "research_plan", users["liaison"])
    with count_queries() as after:
        client.get(url)
    assert after() == before()


def test_history_shows_moves_sign_offs_and_ticks(world, login, users):
    collab = _open(world)
    _advance_to(collab, "intent_check", users["liaison"])
    page = login("manager").get(f"/collaborations/{collab.id}").get_data(as_text=True)
    history = page.split('id="history"')[1]
    assert "Stage: Partner search → Internal intent check" in history
    assert "Signed off Partner search" in history
    assert "Ticked: Candidate partner and its contact person identified" in history
    assert "Opened the collaboration" in history


def test_minutes_only_on_active_collaborations(world, login, users, monkeypatch):
    monkeypatch.setattr("crm.screening.services.company_clearance", lambda company_id: "clear")
    collab = _open(world)
    client = login("liaison")
    form = {"kind": "meeting", "held_on": TODAY.isoformat(), "attendees": "田中教授、先方2名",
            "body": "中間報告。電解質の伝導度を確認。", "next_steps": "試料を送付"}
    assert 'id="minutes"' not in client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert client.forge(f"/collaborations/{collab.id}/minutes", form).status_code == 422
    _advance_to(collab, "active", users["liaison"])
    assert from_page(client, collab, "minutes", form).status_code == 302
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert "中間報告。電解質の伝導度を確認。" in page and "試料を送付" in page


def test_closing_records_the_date_and_leaves_the_pipeline(world, login):
    collab = _open(world)
    r = from_page(login("liaison"), collab, "close",
                  {"closed_on": TODAY.isoformat(), "close_reason": "先方の事情で中止"})
    assert r.status_code == 302
    db.session.expire_all()
    collab = db.session.get(Collaboration, collab.id)
    assert (collab.stage, collab.closed_on) == ("closed", TODAY)


# --- emerging-technology tags -------------------------------------------------------------------

def test_seed_form_saves_tech_fields_and_the_seed_page_shows_them(world, login):
    seed = world["battery"]
    client = login("bd")
    page = client.get(f"/research/seeds/{seed.id}/edit").get_data(as_text=True)
    assert "Quantum information and sensing" in page
    r = client.submit(f"/research/seeds/{seed.id}/edit", {
        "title": seed.title, "ip_status": "none", "status": "available",
        "tech_fields": ["quantum", "ai_ml"], "researchers-0": f"田中 一郎 [#{world['tanaka'].id}]"})
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ResearchSeed, seed.id).tech_field_list == ["ai_ml", "quantum"]
    page = client.get(f"/research/seeds/{seed.id}").get_data(as_text=True)
    assert 'data-tech-field="quantum"' in page and "AI and machine learning" in page
    r = client.forge(f"/research/seeds/{seed.id}/edit", {  # a field no tick-box offers
        "title": seed.title, "ip_status": "none", "status": "available",
        "tech_fields": ["warp_drive"], "researchers-0": f"田中 一郎 [#{world['tanaka'].id}]"})
    assert r.status_code == 422 and "warp_drive" in r.get_data(as_text=True)


@pytest.mark.parametrize("company, hq, warned", [("foreign", None, True), ("acme", None, False),
                                                  ("acme", "CN", True)])
def test_tagged_seed_with_a_foreign_partner_is_flagged(world, login, company, hq, warned):
    world["battery"].tech_fields = "advanced_materials"
    world[company].hq_country = hq
    db.session.commit()
    collab = _open(world, company_id=world[company].id)
    page = login("liaison").get(f"/collaborations/{collab.id}").get_data(as_text=True)
    assert ('id="tech-warning"' in page) is warned
    assert ("Emerging-technology seeds with a foreign partner" in page) is warned


def test_company_and_seed_pages_list_the_collaborations(world, login):
    _open(world, title="電解質の共同研究")
    client = login("liaison")
    page = client.get(f"/companies/{world['acme'].id}").get_data(as_text=True)
    assert "Collaborations and NDAs" in page and "電解質の共同研究" in page
    page = client.get(f"/research/seeds/{world['battery'].id}").get_data(as_text=True)
    assert "seed-collaborations" in page and "電解質の共同研究" in page


# --- ticks and sign-off in one form (issue 11) ------------------------------------------------

def test_ticks_made_before_signing_off_are_saved_with_it(world, login, users):
    collab = _open(world)
    client = login("liaison")
    page = client.get(f"/collaborations/{collab.id}").get_data(as_text=True)
    # The current step's items are inside the sign-off form.
    form = page[page.index('id="signoff"'):]
    form = form[:form.index("</form>")]
    assert 'name="item"' in form and 'name="step" value="partner_search"' in form
    r = client.submit(f"/collaborations/{collab.id}/signoff",
                      {"step": "partner_search", "item": item_codes("partner_search"),
                       "signed_on": TODAY.isoformat()})
    assert r.status_code == 302
    db.session.expire_all()
    collab = db.session.get(Collaboration, collab.id)
    assert collab.stage == "intent_check"
    assert services.ticked(collab, "partner_search") == set(item_codes("partner_search"))


def test_ticks_of_a_refused_signoff_stay_ticked_on_the_page(world, login, users):
    collab = _open(world)
    client = login("liaison")
    client.get(f"/collaborations/{collab.id}")
    first = item_codes("partner_search")[0]
    r = client.submit(f"/collaborations/{collab.id}/signoff",
                      {"step": "partner_search", "item": [first],
                       "signed_on": TODAY.isoformat()})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert f'value="{first}" id="i-partner_search-{first}" checked' in page
    assert "Your ticks are kept here but not saved yet" in page
    db.session.expire_all()
    assert db.session.get(Collaboration, collab.id).stage == "partner_search"


def test_board_shows_counts_per_stage_and_marks_empty_stages(world, login, users):
    _open(world)
    page = login("manager").get("/collaborations/").get_data(as_text=True)
    assert 'href="#col-partner_search">Partner search 1</a>' in page
    assert 'href="#col-nda">NDA and negotiation 0</a>' in page
    assert 'class="board-col is-empty" data-stage="nda"' in page
    assert 'class="board-col" data-stage="partner_search"' in page


@pytest.mark.parametrize("typed, expected", [
    ("10,000,000", Decimal("10000000")), ("１０，０００，０００", Decimal("10000000")),
    ("¥1,234,567", Decimal("1234567")), ("250万", None)])
def test_direct_costs_typed_with_separators(world, login, typed, expected):
    response = login("liaison").submit("/collaborations/new", _form(
        world, direct_costs=typed, **{"researchers-0": None}))
    saved = db.session.execute(select(Collaboration)).scalar_one_or_none()
    if expected is None:
        assert response.status_code == 422 and saved is None
    else:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert saved.direct_costs == expected
        assert saved.indirect_amount == (expected * Decimal("0.2")).quantize(Decimal(1))


def test_a_collaboration_cannot_open_in_the_future(world):
    with pytest.raises(ValidationError) as err:
        _open(world, opened_on=TODAY + timedelta(days=1))
    assert "opened_on" in err.value.errors
    db.session.rollback()
    collab = _open(world)
    assert collab.opened_on == TODAY
