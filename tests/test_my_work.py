"""My work (the home page): each role sees its own sections and not the others', each item links
to where it is done (the link opens), and a handful of queries whatever the data."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from crm.activities.models import Activity
from crm.collaborations.models import Collaboration
from crm.extensions import db, utcnow
from crm.liaison import services as liaison
from crm.ndas import services as ndas
from crm.requests.models import DataEntryRequest
from crm.research.models import Department
from crm.screening.models import Hit, Screening, ScreeningList
from crm.tasks.models import Task
from tests.conftest import log_in_as, make_user

TODAY = date.today()
SECTIONS = ("portfolio", "my_requests", "queue", "screening", "loads", "uncovered", "ndas",
            "stuck")


def sections_on(html: str) -> set[str]:
    return set(re.findall(r'id="work-([a-z_]+)"', html))


def section(html: str, key: str) -> str:
    start = html.index(f'id="work-{key}"')
    return html[start:html.index("</section>", start)]


def links_in(fragment: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', fragment)


def request_row(user_id: int, status: str = "submitted", age_days: int = 0, **fields):
    fields.setdefault("person_name", "誰か")
    req = DataEntryRequest(submitted_by_id=user_id, status=status,
                           created_at=(utcnow() - timedelta(days=age_days)).replace(tzinfo=None),
                           **fields)
    db.session.add(req)
    db.session.commit()
    return req


def assert_links_open(client, fragment: str) -> None:
    for url in links_in(fragment):
        assert client.get(url).status_code == 200, url


# -- each role's sections ----------------------------------------------------------------------

def test_liaison_sees_stale_companies_and_renewals_of_their_portfolio(login, users,
                                                                       make_company):
    liaison_user = users["liaison"]
    quiet = make_company(name="Quiet K.K.")
    renewing = make_company(name="Renewing K.K.", membership_tier="standard",
                            member_since=TODAY - timedelta(days=700),
                            renewal_date=TODAY + timedelta(days=10))
    busy = make_company(name="Busy K.K.")
    elsewhere = make_company(name="Somebody Else K.K.")
    for company in (quiet, renewing, busy):
        liaison.assign_company(company, liaison_user, by=users["manager"])
    db.session.add_all([
        Activity(company_id=quiet.id, kind="call", subject="Old call",
                 occurred_on=TODAY - timedelta(days=120), user_id=liaison_user.id),
        Activity(company_id=busy.id, kind="call", subject="New call",
                 occurred_on=TODAY - timedelta(days=5), user_id=liaison_user.id),
        Activity(company_id=renewing.id, kind="call", subject="Recent",
                 occurred_on=TODAY - timedelta(days=2), user_id=liaison_user.id)])
    db.session.commit()
    del elsewhere

    client = login("liaison")
    html = client.get("/").get_data(as_text=True)
    assert sections_on(html) <= {"tasks", "portfolio", "ndas"} and "portfolio" in sections_on(html)
    mine = section(html, "portfolio")
    assert "Quiet K.K." in mine and "120 days since contact" in mine
    assert "Renewal of Renewing K.K." in mine
    assert "Busy K.K." not in mine and "Somebody Else" not in mine
    assert "Held: 3 · no contact for 90+ days: 1 · renewals due: 1" in mine
    assert f"/companies/{quiet.id}" in links_in(mine)
    assert_links_open(client, mine)


def test_researcher_sees_the_question_and_what_was_entered_since_the_last_visit(
        login, users, app):
    researcher = users["researcher"]
    asked = request_row(researcher.id, "returned", 3, person_name="質問中の人")
    old = request_row(researcher.id, "entered", 30, person_name="昔の人",
                      entered_at=(utcnow() - timedelta(days=20)).replace(tzinfo=None))
    other = request_row(users["staff"].id, "returned", 1, person_name="他人の質問")

    client = login("researcher")
    html = client.get("/").get_data(as_text=True)
    assert sections_on(html) <= {"tasks", "my_requests"} and "my_requests" in sections_on(html)
    mine = section(html, "my_requests")
    assert "The team asks about 質問中の人" in mine and f"/requests/{asked.id}" in mine
    assert "昔の人" not in mine and "他人の質問" not in mine and str(other.id) not in mine
    assert_links_open(client, mine)

    # entered after this visit began: new on the next visit (a new login session), with a
    # link to the contact it became
    entered = request_row(researcher.id, "entered", 2, person_name="新しく登録された人",
                          entered_at=(utcnow() + timedelta(seconds=1)).replace(tzinfo=None))
    next_visit = login("researcher").get("/").get_data(as_text=True)
    assert "Marked new: since your last visit" in next_visit
    assert "新しく登録された人 was entered" in section(next_visit, "my_requests")
    assert f"/requests/{entered.id}" in section(next_visit, "my_requests")
    del old


def test_bd_sees_the_queue_counts_and_its_oldest_items_first(login, users):
    rid = users["researcher"].id
    newest = request_row(rid, person_name="新しい人", age_days=1)
    oldest = request_row(rid, person_name="古い人", age_days=10)
    request_row(rid, "claimed", 9, person_name="担当中の人", claimed_by_id=users["bd"].id)
    request_row(rid, "submitted", 2, person_name="三番目")
    request_row(rid, "returned", 20, person_name="質問中の人")
    request_row(rid, "entered", 30, person_name="済んだ人")

    login("bd").get("/")  # an earlier visit: this one has a "since"
    client = login("bd")
    html = client.get("/").get_data(as_text=True)
    assert "queue" in sections_on(html) and "Marked new" not in html  # nothing is new for BD
    assert not sections_on(html) & {"portfolio", "loads", "uncovered", "stuck", "screening"}
    queue = section(html, "queue")
    assert "4 open, 2 waiting over 7 days, 1 sent back" in queue
    items = re.findall(r'href="/requests/(\d+)"', queue)
    assert items[0] == str(oldest.id) and str(newest.id) in items
    assert "済んだ人" not in queue and "質問中の人" not in queue
    assert client.get(f"/requests/{oldest.id}").status_code == 200


def _screening_with_open_hit(company):
    lst = ScreeningList(kind="sdn", version="2026-12-01", entry_count=1, current=True)
    db.session.add(lst)
    db.session.flush()
    screening = Screening(company_id=company.id, subject_name=company.name, threshold=0.86,
                          result="hits",
                          list_versions=[{"list_id": lst.id, "kind": "sdn", "version": "x"}])
    screening.hits = [Hit(list_id=lst.id, list_kind="sdn", list_version="x", entry_key="1",
                          entry_name="ACME EVIL CORP", entry_fingerprint="f",
                          subject_key="company", subject_fingerprint="s",
                          query_name=company.name, matched_name="ACME EVIL", score=0.9,
                          status="open")]
    db.session.add(screening)
    db.session.commit()
    return screening


def test_export_control_officer_sees_hits_to_decide_and_partners_to_screen(
        login, users, make_company):
    flagged = make_company(name="Acme Evil K.K.")
    _screening_with_open_hit(flagged)
    partner = make_company(name="Unscreened Partner K.K.")
    quiet = make_company(name="No Collaboration K.K.")
    db.session.add(Collaboration(kind="joint_research", title="共同研究A", company=partner,
                                 opened_on=TODAY, currency="JPY", contract_language="ja"))
    db.session.commit()

    client = login("export_control")
    html = client.get("/").get_data(as_text=True)
    assert "screening" in sections_on(html)
    assert not sections_on(html) & {"queue", "portfolio", "loads", "my_requests"}
    work = section(html, "screening")
    assert "Hits to decide: 1 · partners to (re-)screen: 1" in work and "1 hit to decide" in work
    assert f"/screening/companies/{flagged.id}" in work
    assert f"/screening/companies/{partner.id}" in work and "to screen" in work
    assert quiet.name not in work
    assert_links_open(client, work)
    # the liaison (screening.view, not decide) is not asked to decide
    assert "screening" not in sections_on(login("liaison").get("/").get_data(as_text=True))


def test_manager_sees_loads_coverage_ndas_and_stuck_collaborations(login, users,
                                                                  make_company, app,
                                                                  monkeypatch):
    liaison_user = users["liaison"]
    held = make_company(name="Held K.K.")
    liaison.assign_company(held, liaison_user, by=users["manager"])
    make_company(name="Nobody's K.K.")
    db.session.add(Department(name="工学研究科"))
    ending = ndas.save_nda(None, {
        "company_id": held.id, "title": "秘密保持契約（電池）", "status": "signed",
        "signed_on": TODAY - timedelta(days=360), "effective_from": TODAY - timedelta(days=340),
        "term_months": 12, "survival_months": 0, "mutual": True})
    stuck = Collaboration(kind="joint_research", title="止まっている案件", company=held,
                          stage="scheme", opened_on=TODAY - timedelta(days=45),
                          currency="JPY", contract_language="ja")
    moving = Collaboration(kind="joint_research", title="動いている案件", company=held,
                           stage="scheme", opened_on=TODAY - timedelta(days=20),
                           currency="JPY", contract_language="ja")
    db.session.add_all([stuck, moving])
    db.session.commit()

    client = login("manager")
    html = client.get("/").get_data(as_text=True)
    assert {"loads", "uncovered", "ndas", "stuck"} <= sections_on(html)
    assert "queue" not in sections_on(html) and "my_requests" not in sections_on(html)
    loads = section(html, "loads")
    assert liaison_user.name in loads and "1 company" in loads
    assert f"/liaison/officers/{liaison_user.id}" in loads
    uncovered = section(html, "uncovered")
    assert "Companies nobody holds: 1 · departments nobody covers: 1" in uncovered
    assert "工学研究科" in uncovered
    nda = section(html, "ndas")
    assert f"/ndas/{ending.id}" in nda and "秘密保持契約（電池）" in nda
    late = section(html, "stuck")
    assert "over 30 days" in late and "止まっている案件" in late and "動いている案件" not in late
    for part in (loads, uncovered, nda, late):
        assert_links_open(client, part)

    monkeypatch.setitem(app.config, "CRM_STUCK_DAYS", 10)
    late = section(client.get("/").get_data(as_text=True), "stuck")
    assert "over 10 days" in late and "動いている案件" in late


def test_a_liaison_sees_ndas_of_their_companies_only(login, users, make_company):
    mine = make_company(name="Mine K.K.")
    theirs = make_company(name="Theirs K.K.")
    liaison.assign_company(mine, users["liaison"], by=users["manager"])
    for company, title in ((mine, "NDA mine"), (theirs, "NDA theirs")):
        ndas.save_nda(None, {
            "company_id": company.id, "title": title, "status": "signed",
            "signed_on": TODAY - timedelta(days=360),
            "effective_from": TODAY - timedelta(days=340), "term_months": 12,
            "survival_months": 0, "mutual": True})
    db.session.commit()
    nda = section(login("liaison").get("/").get_data(as_text=True), "ndas")
    assert "NDA mine" in nda and "NDA theirs" not in nda
    assert "NDA theirs" in section(login("manager").get("/").get_data(as_text=True), "ndas")


def test_staff_sees_no_other_roles_work(login):
    html = login("staff").get("/").get_data(as_text=True)
    assert not sections_on(html) & set(SECTIONS)


def test_home_in_japanese(login):
    html = login("bd").get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    queue = section(html, "queue")
    assert "データ入力の受付一覧" in queue and "未処理 0件" in queue and "マイワーク" in html
    assert "Data-entry queue" not in html


def test_everyone_sees_their_overdue_and_this_weeks_tasks(login, users, make_company):
    company = make_company(name="Task K.K.")
    me, other = users["staff"], users["liaison"]
    for title, due, owner, status in (
            ("Late call", TODAY - timedelta(days=3), me, "open"),
            ("Send slides", TODAY + timedelta(days=2), me, "open"),
            ("Next month", TODAY + timedelta(days=30), me, "open"),
            ("Already done", TODAY - timedelta(days=1), me, "done"),
            ("Not mine", TODAY, other, "open")):
        db.session.add(Task(title=title, due_on=due, owner_id=owner.id, status=status,
                            company_id=company.id if title == "Late call" else None,
                            done_at=utcnow() if status == "done" else None))
    db.session.commit()
    client = login("staff")
    work = section(client.get("/").get_data(as_text=True), "tasks")
    assert "1 overdue, 1 due this week" in work
    assert work.index("Late call") < work.index("Send slides")  # overdue first
    assert "3 days late" in work
    for title in ("Next month", "Already done", "Not mine"):
        assert title not in work
    assert f'href="/companies/{company.id}"' in work  # where the work is done
    assert_links_open(client, work)


# -- speed: a fixed number of queries ----------------------------------------------------------

def _load_data(users, make_company, n: int) -> None:
    rid = users["researcher"].id
    for i in range(n):
        company = make_company(name=f"会社{i}")
        if i % 2 == 0:
            liaison.assign_company(company, users["liaison"], by=users["manager"],
                                   enforce_limit=False)
        db.session.add(Activity(company_id=company.id, kind="call", subject=f"call {i}",
                                occurred_on=TODAY - timedelta(days=i * 7),
                                user_id=users["liaison"].id))
        db.session.add(Collaboration(kind="joint_research", title=f"案件{i}", company=company,
                                     stage="scheme", opened_on=TODAY - timedelta(days=40 + i),
                                     currency="JPY", contract_language="ja"))
        db.session.add(DataEntryRequest(submitted_by_id=rid, person_name=f"人{i}",
                                        status="returned" if i % 3 else "submitted"))
    db.session.commit()


@pytest.mark.parametrize("role", ["every role", "liaison", "bd"])
def test_the_same_queries_for_a_small_and_a_larger_office(app, login, users, make_company,
                                                          count_queries, role):
    if role == "every role":  # every section at once
        client = log_in_as(app.test_client(), make_user(
            ["manager", "liaison", "bd", "researcher", "export_control"], email="all@x.org"))
    else:
        client = login(role)
    client.get("/")  # the visit mark is written once per session
    _load_data(users, make_company, 3)
    with count_queries() as small:
        assert client.get("/").status_code == 200
    _load_data(users, make_company, 25)
    with count_queries() as larger:
        assert client.get("/").status_code == 200
    assert larger() == small(), (small(), larger())
    assert larger() <= 30


def test_home_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_deactivated_users_session_shows_nothing(app, client):
    user = make_user("liaison", email="gone@example.org", active=False)
    log_in_as(client, user)
    assert client.get("/").status_code in (302, 401, 403)


def test_the_office_cover_is_reused_for_managers_and_read_afresh_after_a_change(
        app, login, users, make_company, monkeypatch, count_queries):
    """Every manager sees the same office-wide figures, so a web process reuses them
    (CRM_WORK_CACHE_SECONDS), but a change committed here shows at the next page at once, and
    nobody but a manager is shown them."""
    monkeypatch.setitem(app.config, "CRM_WORK_CACHE_SECONDS", 600)
    first = make_company(name="First K.K.")
    make_company(name="Second K.K.")
    manager = login("manager")
    manager.get("/")  # the visit mark
    liaison.forget_office_cover()
    with count_queries() as fresh:
        html = manager.get("/").get_data(as_text=True)
    assert "Companies nobody holds: 2" in section(html, "uncovered")
    assert users["liaison"].name in section(html, "loads")
    assert "0 companies" in section(html, "loads")
    with count_queries() as reused:
        again = manager.get("/").get_data(as_text=True)
    assert section(again, "uncovered") == section(html, "uncovered")
    assert reused() == fresh() - 3  # loads, uncovered companies, uncovered departments

    liaison.assign_company(first, users["liaison"], by=users["manager"])
    db.session.commit()
    html = manager.get("/").get_data(as_text=True)
    assert "Companies nobody holds: 1" in section(html, "uncovered")
    assert "1 company" in section(html, "loads")

    newcomer = make_user("liaison", email="newcomer@example.org", name="新人 太郎")
    html = manager.get("/").get_data(as_text=True)
    assert newcomer.name in section(html, "loads")

    for role in ("liaison", "bd", "staff", "researcher", "export_control"):
        seen = sections_on(login(role).get("/").get_data(as_text=True))
        assert not seen & {"loads", "uncovered"}, role
