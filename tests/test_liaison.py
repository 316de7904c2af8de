"""Portfolios (7–10 companies per officer, with history) and coverage of departments."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm.activities.models import Activity
from crm.common.services import ValidationError
from crm.companies.models import Company
from crm.companies.services import delete_company, save_company
from crm.contacts.models import Contact
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.liaison import services
from crm.liaison.models import Coverage, PortfolioAssignment
from crm.research.models import Department, Researcher, ResearchSeed
from tests.factories import make_user
from tests.reading import count

LIMIT_MESSAGE = ("already holds 10 companies (the programme's limit is 10). "
                 "A manager may override with a reason.")


def _open_rows(company_id: int) -> list[PortfolioAssignment]:
    return list(db.session.scalars(select(PortfolioAssignment).where(
        PortfolioAssignment.company_id == company_id, PortfolioAssignment.ended_at.is_(None))))


@pytest.fixture
def officer(app):
    """A second liaison officer (not the one logged in as "liaison")."""
    return make_user("liaison", email="kato@example.org", name="加藤 亮")


@pytest.fixture
def portfolio_of(make_company, users):
    """portfolio_of(officer, n, **fields) -> n companies assigned to the officer by the manager."""

    def _make(officer, n: int, prefix: str = "Held", **fields):
        companies = []
        for i in range(n):
            company = make_company(name=f"{prefix} {officer.id}-{i}", **fields)
            services.assign_company(company, officer, by=users["manager"])
            companies.append(company)
        db.session.commit()
        return companies

    return _make


# -- the rule: 7-10 companies, one officer per company, history kept ---------------------------

def test_eleventh_company_is_refused_and_nothing_changes(officer, portfolio_of, make_company,
                                                          users):
    portfolio_of(officer, 10)
    company = make_company(name="Eleventh K.K.")
    with pytest.raises(ValidationError) as refused:
        services.assign_company(company, officer, by=users["manager"])
    assert refused.value.errors["officer"] == f"加藤 亮 {LIMIT_MESSAGE}"
    db.session.rollback()
    assert company.officer_id is None
    assert count(PortfolioAssignment, PortfolioAssignment.company_id == company.id) == 0
    assert services.portfolio_size(officer.id) == 10


def test_eleventh_company_refused_on_the_manager_page(login, officer, portfolio_of,
                                                      make_company):
    portfolio_of(officer, 10)
    company = make_company(name="Eleventh K.K.")
    r = login("manager").submit("/liaison/", {"action": "assign",
                                              "company": f"Eleventh K.K. [#{company.id}]",
                                              "officer": officer.id})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "already holds 10 companies (the programme&#39;s limit is 10)" in body
    assert "A manager may override with a reason." in body
    db.session.expire_all()
    assert db.session.get(Company, company.id).officer_id is None
    assert count(PortfolioAssignment) == 10


def test_manager_override_with_a_reason_is_recorded(login, officer, portfolio_of, make_company):
    portfolio_of(officer, 10)
    company = make_company(name="Subsidiary Japan K.K.")
    r = login("manager").submit("/liaison/", {
        "action": "assign", "company": f"Subsidiary Japan K.K. [#{company.id}]",
        "officer": officer.id, "override_reason": "Same officer as the parent company"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company.id).officer_id == officer.id
    (row,) = _open_rows(company.id)
    assert row.override_reason == "Same officer as the parent company"
    assert row.assigned_by.email == "manager@example.org"
    # The overview shows the officer over the limit, the history shows the reason.
    overview = login("manager").get("/liaison/").get_data(as_text=True)
    assert "Over the limit" in overview
    history = login("manager").get(f"/liaison/companies/{company.id}/history")
    assert "Same officer as the parent company" in history.get_data(as_text=True)


def test_only_a_manager_may_override(officer, portfolio_of, make_company, users):
    portfolio_of(officer, 10)
    company = make_company(name="Eleventh K.K.")
    with pytest.raises(ValidationError) as refused:
        services.assign_company(company, officer, by=users["liaison"], override_reason="please")
    assert "Only a manager" in refused.value.errors["officer"]


def test_reassigning_keeps_history(login, officer, users, make_company):
    company = make_company(name="Moving Parts K.K.")
    services.assign_company(company, users["liaison"], by=users["manager"])
    services.assign_company(company, officer, by=users["manager"], note="Reorganised")
    db.session.commit()
    rows = list(db.session.scalars(select(PortfolioAssignment)
                                   .order_by(PortfolioAssignment.id)))
    assert [r.officer_id for r in rows] == [users["liaison"].id, officer.id]
    assert rows[0].ended_at is not None and rows[1].ended_at is None
    assert rows[0].ended_at >= rows[0].started_at
    assert company.officer_id == officer.id
    body = login("liaison").get(f"/liaison/companies/{company.id}/history").get_data(as_text=True)
    timeline = body[body.index('class="timeline'):]
    assert timeline.index("加藤 亮") < timeline.index("liaison user")  # newest first
    assert "Reorganised" in body


def test_the_database_allows_one_open_officer_per_company(users, make_company):
    company = make_company(name="Twice K.K.")
    services.assign_company(company, users["liaison"], by=users["manager"])
    db.session.commit()
    db.session.add(PortfolioAssignment(company_id=company.id, officer_id=users["manager"].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert len(_open_rows(company.id)) == 1


def test_unassign_ends_the_row_and_clears_the_officer(login, users, make_company):
    company = make_company(name="Let Go K.K.")
    services.assign_company(company, users["liaison"], by=users["manager"])
    db.session.commit()
    r = login("manager").submit(f"/liaison/companies/{company.id}/unassign",
                                page=f"/liaison/companies/{company.id}/history")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company.id).officer_id is None
    assert _open_rows(company.id) == []
    assert count(PortfolioAssignment, PortfolioAssignment.company_id == company.id) == 1


def test_deleting_a_company_takes_its_assignments(users, make_company):
    company = make_company(name="Gone K.K.")
    services.assign_company(company, users["liaison"], by=users["manager"])
    delete_company(company)
    db.session.commit()
    assert count(PortfolioAssignment) == 0
    assert services.portfolio_size(users["liaison"].id) == 0


# -- the company form goes through the same rule ---------------------------------------------

def test_company_form_assigns_through_the_portfolio(login, users, make_company):
    company = make_company(name="Form Co.")
    r = login("manager").submit(f"/companies/{company.id}/edit", {
        "name": "Form Co.", "country": "JP", "status": "active",
        "officer": users["liaison"].id})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company.id).officer_id == users["liaison"].id
    (row,) = _open_rows(company.id)
    assert row.officer_id == users["liaison"].id and row.assigned_by_id == users["manager"].id
    # Clearing the officer on the form ends the assignment.
    r = login("manager").submit(f"/companies/{company.id}/edit", {
        "name": "Form Co.", "country": "JP", "status": "active", "officer": ""})
    assert r.status_code == 302
    db.session.expire_all()
    assert _open_rows(company.id) == []
    assert db.session.get(Company, company.id).officer_id is None


def test_company_form_refuses_the_eleventh_beside_the_officer_field(login, officer,
                                                                     portfolio_of,
                                                                     make_company):
    portfolio_of(officer, 10)
    company = make_company(name="Form Eleventh K.K.", notes="old notes")
    r = login("manager").submit(f"/companies/{company.id}/edit", {
        "name": "Form Eleventh K.K.", "country": "JP", "status": "active",
        "notes": "new notes", "officer": officer.id})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    message = "加藤 亮 already holds 10 companies (the programme&#39;s limit is 10)"
    assert message in body
    # Beside the officer select (its error block comes before the next field's label).
    beside = body[body.index('name="officer"'):body.index('for="parent"')]
    assert f'<div class="invalid-feedback d-block">{message}' in beside
    db.session.expire_all()
    saved = db.session.get(Company, company.id)
    assert saved.officer_id is None and saved.notes == "old notes"


def test_company_form_new_company_with_an_officer(login, users):
    r = login("admin").submit("/companies/new", {"name": "Brand New K.K.", "country": "JP",
                                                 "status": "prospect",
                                                 "officer": users["liaison"].id})
    assert r.status_code == 302
    company = db.session.scalar(select(Company))
    assert company.officer_id == users["liaison"].id
    assert len(_open_rows(company.id)) == 1


def test_liaison_cannot_change_the_officer_on_the_company_form(login, users, officer,
                                                               make_company):
    company = make_company(name="Mine K.K.")
    services.assign_company(company, users["liaison"], by=users["manager"])
    db.session.commit()
    client = login("liaison")
    page = client.get(f"/companies/{company.id}/edit").get_data(as_text=True)
    select_tag = page[page.index('name="officer"') - 200:page.index('name="officer"') + 200]
    assert "disabled" in select_tag
    # A forged value is ignored: the other fields save, the officer stays.
    r = client.forge(f"/companies/{company.id}/edit", {
        "name": "Mine K.K.", "country": "JP", "status": "active", "notes": "edited",
        "officer": officer.id})
    assert r.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Company, company.id)
    assert saved.notes == "edited" and saved.officer_id == users["liaison"].id
    assert count(PortfolioAssignment) == 1
    # And the service refuses such a change from them outright.
    with pytest.raises(ValidationError) as refused:
        save_company(saved, {"name": "Mine K.K.", "officer_id": officer.id}, by=users["liaison"])
    assert "Only a manager" in refused.value.errors["officer"]


# -- the pages -----------------------------------------------------------------------------------

def test_under_loaded_officer_is_shown_as_such(login, officer, users, portfolio_of):
    portfolio_of(officer, 3)
    portfolio_of(users["liaison"], 8)
    loads = {x.officer.id: x for x in services.loads()}
    assert loads[officer.id].band == "under" and loads[officer.id].companies == 3
    assert loads[users["liaison"].id].band == "ok"
    body = login("manager").get("/liaison/").get_data(as_text=True)
    row = body[body.index("加藤 亮"):]
    row = row[:row.index("</tr>")]
    assert ">3<" in row and "Under-loaded" in row
    assert "Under-loaded" not in body[body.index("liaison user"):][:800]


def test_stale_company_is_flagged_and_follow_ups_listed_until_done(login, users, make_company):
    liaison = users["liaison"]
    today = date.today()
    quiet = make_company(name="Quiet K.K.", membership_tier="standard",
                         member_since=today - timedelta(days=700),
                         renewal_date=today + timedelta(days=10))
    busy = make_company(name="Busy K.K.")
    for company in (quiet, busy):
        services.assign_company(company, liaison, by=users["manager"])
    db.session.add(Activity(company_id=quiet.id, kind="call", subject="Old call",
                            occurred_on=today - timedelta(days=120), user_id=liaison.id))
    db.session.add(Activity(company_id=busy.id, kind="call", subject="New call",
                            occurred_on=today - timedelta(days=5), user_id=liaison.id))
    contact = Contact(family_name="山田", given_name="花子", company_id=busy.id)
    event = Event(name="CEATEC", starts_on=today - timedelta(days=3))
    db.session.add_all([contact, event])
    db.session.flush()
    encounter = Encounter(event_id=event.id, contact_id=contact.id, user_id=users["bd"].id,
                          met_on=today - timedelta(days=3), follow_up_wanted=True,
                          follow_up_by=today + timedelta(days=7),
                          research_interests="SiC power modules")
    db.session.add(encounter)
    db.session.commit()

    rows = {r.company.id: r for r in services.portfolio(liaison.id)}
    assert rows[quiet.id].stale and rows[quiet.id].days_since == 120
    assert not rows[busy.id].stale and rows[busy.id].last_contact == today - timedelta(days=3)
    assert rows[quiet.id].renewal == "soon" and rows[busy.id].follow_ups == 1

    client = login("liaison")
    body = client.get("/liaison/mine").get_data(as_text=True)
    quiet_row = body[body.index("Quiet K.K."):]
    quiet_row = quiet_row[:quiet_row.index("</tr>")]
    assert "120 days ago" in quiet_row and "text-bg-danger" in quiet_row
    assert "Renewal soon" in quiet_row
    assert body.index("Quiet K.K.") < body.index("Busy K.K.")  # stale first
    assert "山田 花子" in body and "SiC power modules" in body  # met by BD, at my company

    r = client.submit(f"/events/encounters/{encounter.id}/done", {"next": "/liaison/mine"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/liaison/mine")
    assert "SiC power modules" not in client.get("/liaison/mine").get_data(as_text=True)


def test_follow_ups_the_officer_owes_at_other_companies(login, users, make_company):
    other = make_company(name="Somebody Else's K.K.")
    contact = Contact(family_name="Smith", given_name="Jane", company_id=other.id)
    event = Event(name="Hannover Messe", starts_on=date.today())
    db.session.add_all([contact, event])
    db.session.flush()
    db.session.add(Encounter(event_id=event.id, contact_id=contact.id,
                             user_id=users["liaison"].id, follow_up_wanted=True,
                             research_interests="hydrogen storage"))
    db.session.add(Encounter(event_id=event.id, contact_id=contact.id, user_id=users["bd"].id,
                             follow_up_wanted=True, research_interests="not mine"))
    db.session.commit()
    body = login("liaison").get("/liaison/mine").get_data(as_text=True)
    assert "hydrogen storage" in body and "not mine" not in body


def _department(name: str, researchers: int, seeds_each: int) -> Department:
    dept = Department(name=name, name_en=f"{name} (en)")
    db.session.add(dept)
    db.session.flush()
    for i in range(researchers):
        person = Researcher(family_name=f"{name}研究者{i}", given_name="太郎",
                            department_id=dept.id, title="教授")
        db.session.add(person)
        for j in range(seeds_each + (1 if i == 0 else 0)):
            db.session.add(ResearchSeed(title=f"{name} seed {i}-{j}", department_id=dept.id,
                                        researchers=[person]))
    db.session.flush()
    return dept


def test_coverage_lists_department_researchers_and_seeds(login, users):
    covered = _department("工学研究科", researchers=2, seeds_each=2)
    _department("歯学研究科", researchers=1, seeds_each=1)
    db.session.commit()
    r = login("manager").submit("/liaison/", {"action": "cover", "officer": users["liaison"].id,
                                              "department": covered.id})
    assert r.status_code == 302
    body = login("liaison").get("/liaison/mine").get_data(as_text=True)
    assert "工学研究科" in body and "2 researchers" in body and "5 research seeds" in body
    first = db.session.scalar(select(Researcher).where(
        Researcher.family_name == "工学研究科研究者0"))
    assert f'/research/researchers/{first.id}"' in body
    assert f"/research/seeds/?researcher={first.id}" in body and "3 seeds" in body
    assert f"/research/seeds/?department={covered.id}" in body
    # The manager sees the department nobody covers, and not the covered one, in that list.
    overview = login("manager").get("/liaison/").get_data(as_text=True)
    nobody = overview[overview.index("Departments nobody covers"):]
    assert "歯学研究科" in nobody and "工学研究科" not in nobody
    # Covering twice is refused beside the department; ending it keeps the row.
    again = login("manager").submit("/liaison/", {"action": "cover",
                                                  "officer": users["liaison"].id,
                                                  "department": covered.id})
    assert again.status_code == 422 and "already covers" in again.get_data(as_text=True)
    coverage = db.session.scalar(select(Coverage))
    r = login("manager").submit(
        f"/liaison/officers/{users['liaison'].id}/departments/{covered.id}/end",
        page=f"/liaison/officers/{users['liaison'].id}")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Coverage, coverage.id).ended_at is not None
    assert "工学研究科研究者0" not in login("liaison").get("/liaison/mine").get_data(as_text=True)


def test_companies_nobody_holds_members_first(login, users, make_company):
    make_company(name="Aardvark Prospect K.K.")
    make_company(name="Zebra Member K.K.", membership_tier="premium",
                 member_since=date(2020, 1, 1))
    held = make_company(name="Held K.K.")
    services.assign_company(held, users["liaison"], by=users["manager"])
    db.session.commit()
    body = login("manager").get("/liaison/").get_data(as_text=True)
    nobody = body[body.index('id="uncovered"'):]
    assert nobody.index("Zebra Member K.K.") < nobody.index("Aardvark Prospect K.K.")
    assert "Held K.K." not in nobody
    # Typing filters the list (htmx asks for the results only).
    r = login("manager").get("/liaison/?q=aardvark", headers={"HX-Request": "true",
                                                              "HX-Target": "results"})
    part = r.get_data(as_text=True)
    assert "Aardvark" in part and "Zebra" not in part and "Load per officer" not in part


def test_history_lookup_goes_to_the_company(login, make_company):
    company = make_company(name="Lookup K.K.")
    r = login("manager").get(f"/liaison/history?company=Lookup+K.K.+%5B%23{company.id}%5D")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/liaison/companies/{company.id}/history")
    assert login("manager").get("/liaison/companies/999/history").status_code == 404


def test_manager_sees_an_officers_portfolio(login, officer, portfolio_of):
    portfolio_of(officer, 2, prefix="Kato's")
    body = login("manager").get(f"/liaison/officers/{officer.id}").get_data(as_text=True)
    assert "Portfolio of 加藤 亮" in body and f"Kato&#39;s {officer.id}-1" in body


# -- who may do what -----------------------------------------------------------------------------

def test_roles(login, users, make_company):
    company = make_company(name="Guarded K.K.")
    data = {"action": "assign", "company": f"Guarded K.K. [#{company.id}]",
            "officer": users["liaison"].id}
    assert login("liaison").forge("/liaison/", data).status_code == 403
    assert login("liaison").get("/liaison/").status_code == 403
    assert login("researcher").get("/liaison/").status_code == 403
    assert login("bd").forge(f"/liaison/companies/{company.id}/unassign").status_code == 403
    assert login("staff").get("/liaison/officers/1").status_code == 403
    assert login("researcher").get("/liaison/mine").status_code == 200  # their own, empty
    assert login("liaison").get("/liaison/mine").status_code == 200
    assert login("admin").get("/liaison/").status_code == 200
    assert login("liaison").get(f"/liaison/companies/{company.id}/history").status_code == 200
    assert count(PortfolioAssignment) == 0
    r = login("researcher").get("/liaison/mine")
    assert "/liaison/companies/" not in r.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    r = client.get("/liaison/mine")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_post_without_csrf_token_is_refused(login, users, make_company):
    company = make_company(name="Forged K.K.")
    client = login("manager")
    r = client.post("/liaison/", data={"action": "assign",
                                       "company": f"Forged K.K. [#{company.id}]",
                                       "officer": users["liaison"].id})
    assert r.status_code == 400
    assert client.post(f"/liaison/companies/{company.id}/unassign").status_code == 400
    assert count(PortfolioAssignment) == 0


# -- query counts -------------------------------------------------------------------------------

def _busy_portfolio(officer, n: int, users, make_company, tag: str) -> None:
    today = date.today()
    dept = _department(f"{tag}部", researchers=n, seeds_each=2)
    services.assign_coverage(officer, dept, by=users["manager"])
    event = Event(name=f"{tag} fair", starts_on=today)
    db.session.add(event)
    db.session.flush()
    for i in range(n):
        company = make_company(name=f"{tag} company {i}", membership_tier="standard",
                               member_since=today - timedelta(days=400),
                               renewal_date=today + timedelta(days=i))
        services.assign_company(company, officer, by=users["manager"],
                                override_reason="bulk test" if i >= 10 else None)
        contact = Contact(family_name=f"{tag}{i}", company_id=company.id)
        db.session.add(contact)
        db.session.flush()
        db.session.add(Activity(company_id=company.id, kind="call", subject=f"call {i}",
                                occurred_on=today - timedelta(days=10 * i), user_id=officer.id))
        db.session.add(Encounter(event_id=event.id, contact_id=contact.id, user_id=officer.id,
                                 met_on=today, follow_up_wanted=True))
    db.session.commit()


def test_portfolio_page_query_count_does_not_grow(login, users, make_company, count_queries):
    small_officer = users["liaison"]
    big_officer = make_user("liaison", email="big@example.org", name="Big Portfolio")
    _busy_portfolio(small_officer, 2, users, make_company, "S")
    _busy_portfolio(big_officer, 15, users, make_company, "L")
    client = login("manager")
    small_url, big_url = f"/liaison/officers/{small_officer.id}", f"/liaison/officers/{big_officer.id}"
    client.get(small_url)
    with count_queries() as small:
        small_body = client.get(small_url).get_data(as_text=True)
    with count_queries() as big:
        big_body = client.get(big_url).get_data(as_text=True)
    assert small() == big()
    assert "S company 1" in small_body and "L company 14" in big_body
    assert "15 researchers" in big_body
    mine = login("liaison")
    with count_queries() as own:
        assert "S company 0" in mine.get("/liaison/mine").get_data(as_text=True)
    assert own() <= small()


def test_overview_query_count_does_not_grow(login, users, make_company, count_queries):
    client = login("manager")
    _busy_portfolio(users["liaison"], 2, users, make_company, "S")
    make_company(name="Unheld first")
    client.get("/liaison/")
    with count_queries() as few:
        client.get("/liaison/")
    for i in range(4):
        extra = make_user("liaison", email=f"extra{i}@example.org", name=f"Extra {i}")
        _busy_portfolio(extra, 3 + i, users, make_company, f"E{i}")
    for i in range(30):
        make_company(name=f"Unheld {i}", membership_tier="associate" if i % 3 else None)
    with count_queries() as many:
        body = client.get("/liaison/").get_data(as_text=True)
    assert few() == many()
    assert "Extra 3" in body and "Unheld" in body
