"""Activities: logging meetings with a company, confidential minutes, the list and its filters."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from crm.activities.models import Activity
from crm.contacts.models import Contact
from crm.extensions import db
from tests.factories import make_activity, make_contact
from tests.reading import count, fresh

SECRET = "Budget for the joint lab: 30 million yen"


# --- create, edit, delete through the forms -------------------------------------------------

def test_form_prefills_company_and_lists_its_contacts(login, make_company):
    company = make_company(name="株式会社サンプル電機")
    make_contact(company, "佐藤", "花子", title="部長")
    other = make_company(name="Other KK")
    make_contact(other, "Smith", "John")
    body = login("liaison").get(f"/activities/new?company={company.id}").get_data(as_text=True)
    assert f"株式会社サンプル電機 [#{company.id}]" in body
    assert "佐藤 花子" in body and "John Smith" not in body
    assert f'value="{date.today().isoformat()}"' in body


def test_log_activity_through_the_form(login, make_company, users):
    company = make_company(name="株式会社サンプル電機")
    sato = make_contact(company, "佐藤", "花子")
    suzuki = make_contact(company, "鈴木", "一郎")
    make_contact(company, "高橋", "三郎")
    client = login("liaison")
    r = client.submit(f"/activities/new?company={company.id}", {
        "company": f"株式会社サンプル電機 [#{company.id}]", "kind": "visit",
        "occurred_on": "2026-04-10", "subject": "Lab tour", "minutes": "SiC reliability",
        "contacts": [str(sato.id), str(suzuki.id)],
    })
    assert r.status_code == 302
    activity = db.session.scalar(select(Activity))
    assert (activity.kind, activity.occurred_on, activity.subject) == (
        "visit", date(2026, 4, 10), "Lab tour")
    assert activity.user_id == users["liaison"].id and activity.confidential is False
    assert {c.id for c in activity.contacts} == {sato.id, suzuki.id}
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Lab tour" in page and "SiC reliability" in page and "佐藤 花子" in page
    assert "高橋" not in page


def test_company_typed_by_name_is_found(login, make_company):
    company = make_company(name="株式会社ABC")
    r = login("bd").submit("/activities/new", {"company": "ＡＢＣ(株)", "kind": "call",
                                               "occurred_on": "2026-04-10", "subject": "Call"})
    assert r.status_code == 302
    assert db.session.scalar(select(Activity.company_id)) == company.id


def test_contact_options_follow_the_company_typed(login, make_company):
    company = make_company(name="Acme Inc.")
    make_contact(company, "Doe", "Jane")
    client = login("liaison")
    body = client.get("/activities/contact-options",
                      query_string={"company": f"Acme Inc. [#{company.id}]"}).get_data(as_text=True)
    assert "Jane Doe" in body and 'name="contacts"' in body
    body = client.get("/activities/contact-options", query_string={"company": ""}).get_data(
        as_text=True)
    assert "Choose the company first" in body


def test_contact_from_another_company_is_refused(login, make_company):
    company = make_company(name="Acme Inc.")
    stranger = make_contact(make_company(name="Other KK"), "Smith", "John")
    # no page offers the stranger's tick-box: a tampered (or stale) post
    r = login("liaison").forge("/activities/new", {
        "company": f"Acme Inc. [#{company.id}]", "kind": "meeting", "occurred_on": "2026-04-10",
        "subject": "Kick-off", "contacts": [str(stranger.id)]})
    assert r.status_code == 422
    assert "Only people at this company can be chosen: John Smith." in r.get_data(as_text=True)
    assert count(Activity) == 0


def test_missing_subject_and_company_get_messages_beside_the_fields(login):
    r = login("liaison").submit("/activities/new", {"company": "", "kind": "meeting",
                                                    "occurred_on": "2026-04-10", "subject": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Choose the company this activity was with." in body
    assert "Enter a subject" in body and "invalid-feedback" in body
    assert count(Activity) == 0


def test_unknown_company_name_is_refused(login, make_company):
    make_company(name="Acme Inc.")
    r = login("liaison").submit("/activities/new", {"company": "Nobody Ltd", "kind": "meeting",
                                                    "occurred_on": "2026-04-10", "subject": "x"})
    assert r.status_code == 422
    assert "Nothing by that name" in r.get_data(as_text=True)
    assert count(Activity) == 0


def test_edit_keeps_the_author_and_changes_the_contacts(login, make_company, users):
    company = make_company(name="Acme Inc.")
    a, b = make_contact(company, "Doe", "Jane"), make_contact(company, "Roe", "Rick")
    activity = make_activity(company, users["liaison"], contacts=[a])
    client = login("staff")
    form = client.get(f"/activities/{activity.id}/edit").get_data(as_text=True)
    assert f'value="{a.id}" id="contact-{a.id}" checked' in form
    r = client.submit(f"/activities/{activity.id}/edit", {
        "company": f"Acme Inc. [#{company.id}]", "kind": "call", "occurred_on": "2026-03-03",
        "subject": "Follow-up call", "contacts": [str(b.id)]})
    assert r.status_code == 302
    activity = fresh(Activity, activity.id)
    assert activity.subject == "Follow-up call" and activity.kind == "call"
    assert [c.id for c in activity.contacts] == [b.id]
    assert activity.user_id == users["liaison"].id


def test_delete_asks_first_then_deletes(login, make_company, users):
    company = make_company(name="Acme Inc.")
    contact = make_contact(company, "Doe", "Jane")
    activity = make_activity(company, users["liaison"], contacts=[contact])
    client = login("bd")
    page = client.get(f"/activities/{activity.id}/delete").get_data(as_text=True)
    assert "Delete “Kick-off”?" in page
    assert count(Activity) == 1
    r = client.submit(f"/activities/{activity.id}/delete")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/companies/{company.id}")
    assert count(Activity) == 0
    assert count(Contact) == 1


# --- permissions, CSRF, 404 ---------------------------------------------------------------

def test_researcher_cannot_log_an_activity(login, make_company):
    company = make_company(name="Acme Inc.")
    client = login("researcher")
    assert client.get("/activities/new").status_code == 403
    r = client.forge("/activities/new", {"company": f"Acme Inc. [#{company.id}]",
                                          "kind": "meeting", "occurred_on": "2026-04-10",
                                          "subject": "x"})
    assert r.status_code == 403
    assert count(Activity) == 0


@pytest.mark.parametrize("role", ["staff", "liaison", "researcher"])
def test_roles_without_delete_right_cannot_delete(login, make_company, users, role):
    activity = make_activity(make_company(), users["liaison"])
    client = login(role)
    assert client.get(f"/activities/{activity.id}/delete").status_code == 403
    assert client.forge(f"/activities/{activity.id}/delete").status_code == 403
    assert count(Activity) == 1


def test_post_without_csrf_token_is_refused(login, make_company, users):
    company = make_company(name="Acme Inc.")
    activity = make_activity(company, users["liaison"])
    client = login("manager")
    r = client.post("/activities/new", data={"company": f"Acme Inc. [#{company.id}]",
                                             "kind": "meeting", "occurred_on": "2026-04-10",
                                             "subject": "Forged"})
    assert r.status_code == 400
    assert client.post(f"/activities/{activity.id}/delete").status_code == 400
    assert count(Activity) == 1


def test_unknown_activity_is_404(login):
    client = login("manager")
    assert client.get("/activities/999").status_code == 404
    assert client.get("/activities/999/edit").status_code == 404
    assert client.get("/activities/999/delete").status_code == 404


def test_anonymous_is_sent_to_login(client):
    r = client.get("/activities/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# --- confidential minutes -----------------------------------------------------------------

@pytest.fixture
def secret_meeting(make_company, users):
    from tests.factories import make_user

    users["liaison2"] = make_user("liaison", email="other-liaison@example.org", name="Other")
    company = make_company(name="Acme Inc.")
    return make_activity(company, users["liaison"], subject="Joint lab talks", minutes=SECRET,
                         confidential=True)


@pytest.fixture
def login_as(app, users):
    def _login(user):
        from tests.conftest import log_in_as

        return log_in_as(app.test_client(), user)

    return _login


def test_confidential_minutes_hidden_from_another_liaison_and_a_researcher(
        secret_meeting, login, login_as, users):
    for client in (login_as(users["liaison2"]), login("researcher")):
        show = client.get(f"/activities/{secret_meeting.id}").get_data(as_text=True)
        listing = client.get("/activities/").get_data(as_text=True)
        company = client.get(f"/companies/{secret_meeting.company_id}").get_data(as_text=True)
        for body in (show, listing, company):
            assert "Joint lab talks" in body
            assert SECRET not in body
        assert "only their author, managers and administrators" in show
        assert "Confidential: visible to the author and managers." in listing


def test_confidential_minutes_shown_to_the_author_and_a_manager(secret_meeting, login):
    for role in ("liaison", "manager", "admin"):
        client = login(role)
        assert SECRET in client.get(f"/activities/{secret_meeting.id}").get_data(as_text=True)
        assert SECRET in client.get("/activities/").get_data(as_text=True)


def test_search_never_matches_confidential_minutes_of_others(secret_meeting, login, login_as,
                                                             users):
    other = login_as(users["liaison2"]).get("/activities/?q=million").get_data(as_text=True)
    assert "Joint lab talks" not in other
    author = login("liaison").get("/activities/?q=million").get_data(as_text=True)
    assert "Joint lab talks" in author


def test_only_author_manager_admin_may_edit_or_delete_a_confidential_activity(
        secret_meeting, login, login_as, users):
    url = f"/activities/{secret_meeting.id}"
    data = {"company": f"Acme Inc. [#{secret_meeting.company_id}]", "kind": "meeting",
            "occurred_on": "2026-03-02", "subject": "Changed", "minutes": "gone"}
    other = login_as(users["liaison2"])
    assert other.get(url + "/edit").status_code == 403
    assert other.forge(url + "/edit", data).status_code == 403
    assert "Edit</a>" not in other.get(url).get_data(as_text=True)
    bd = login("bd")  # may delete records, but is neither the author nor a manager
    assert bd.forge(url + "/delete").status_code == 403
    assert fresh(Activity, secret_meeting.id).minutes == SECRET

    author = login("liaison")
    assert author.submit(url + "/edit", {**data, "confidential": "y"}).status_code == 302
    assert fresh(Activity, secret_meeting.id).subject == "Changed"
    assert login("manager").submit(url + "/delete").status_code == 302
    assert fresh(Activity, secret_meeting.id) is None


# --- the list -----------------------------------------------------------------------------

def test_list_filters_by_company_kind_officer_and_dates(login, make_company, users):
    acme, other = make_company(name="Acme Inc."), make_company(name="Other KK")
    make_activity(acme, users["liaison"], subject="Acme call", kind="call",
                  occurred_on=date(2026, 1, 5))
    make_activity(acme, users["bd"], subject="Acme visit", kind="visit",
                  occurred_on=date(2026, 2, 5))
    make_activity(other, users["liaison"], subject="Other meeting", occurred_on=date(2026, 3, 5))
    client = login("staff")

    def subjects(**query) -> set[str]:
        body = client.get("/activities/", query_string=query).get_data(as_text=True)
        return {s for s in ("Acme call", "Acme visit", "Other meeting") if s in body}

    assert subjects() == {"Acme call", "Acme visit", "Other meeting"}
    assert subjects(company=acme.id) == {"Acme call", "Acme visit"}
    assert subjects(kind="visit") == {"Acme visit"}
    assert subjects(officer=users["liaison"].id) == {"Acme call", "Other meeting"}
    assert subjects(**{"from": "2026-02-01"}) == {"Acme visit", "Other meeting"}
    assert subjects(to="2026-02-05") == {"Acme call", "Acme visit"}
    assert subjects(**{"from": "not a date"}) == {"Acme call", "Acme visit", "Other meeting"}
    assert subjects(q="other kk") == {"Other meeting"}
    assert subjects(q="VISIT") == {"Acme visit"}
    body = client.get(f"/activities/?company={acme.id}").get_data(as_text=True)
    assert "Activities with Acme Inc." in body


def test_list_is_newest_first_and_sorts_by_company(login, make_company, users):
    b, a = make_company(name="Beta KK"), make_company(name="Alpha KK")
    make_activity(b, subject="Older", occurred_on=date(2025, 1, 1))
    make_activity(a, subject="Newer", occurred_on=date(2026, 1, 1))
    client = login("staff")
    body = client.get("/activities/").get_data(as_text=True)
    assert body.index("Newer") < body.index("Older")
    body = client.get("/activities/?sort=company&dir=desc").get_data(as_text=True)
    assert body.index("Older") < body.index("Newer")
    body = client.get("/activities/?sort=date&dir=asc").get_data(as_text=True)
    assert body.index("Older") < body.index("Newer")


def test_list_counts_and_pages_filtered_and_searched(login, make_company, users):
    """The total under the table counts what the filters and the search keep, whoever logged
    the activities (or nobody), and the pages split them 50 by 50, newest first."""
    acme, other = make_company(name="Acme"), make_company(name="Other")
    for i in range(55):
        make_activity(acme, users["liaison"] if i % 2 else None, kind="call",
                      occurred_on=date(2026, 1, 1 + i % 28), subject=f"Call {i}")
    make_activity(other, users["bd"], kind="visit", subject="Plant visit")
    db.session.commit()
    client = login("manager")

    def text(url: str) -> str:
        return client.get(url).get_data(as_text=True)

    assert "56 records · page 1 of 2" in text("/activities/")
    assert "55 records · page 1 of 2" in text("/activities/?kind=call")
    assert "1 records · page 1 of 1" in text("/activities/?kind=visit")
    assert "27 records" in text(f"/activities/?officer={users['liaison'].id}&kind=call")
    assert "1 records" in text("/activities/?q=Other")  # the company's name
    second = text("/activities/?kind=call&page=2")
    assert second.count(">Call ") == 5 and "page 2 of 2" in second


def test_list_query_count_does_not_grow_with_rows(login, make_company, users,
                                                  queries_do_not_grow):
    def add(n: int) -> None:
        for i in range(n):
            company = make_company(name=f"Company {n}-{i}")
            contact = make_contact(company, f"姓{n}{i}", "名")
            make_activity(company, users["liaison" if i % 2 else "bd"], subject=f"S{n}-{i}",
                          contacts=[contact])

    body = queries_do_not_grow(login("manager"), "/activities/", add)
    assert "S20-19" in body and "姓2019" in body


def test_detail_query_count_does_not_grow_with_contacts(login, make_company, users, same_queries):
    def build(n: int) -> Activity:
        company = make_company(name=f"Company {n}")
        people = [make_contact(company, f"姓{n}-{i}", "名") for i in range(n)]
        return make_activity(company, users["liaison"], contacts=people)

    small, large = build(2), build(20)
    body = same_queries(login("manager"), f"/activities/{small.id}", f"/activities/{large.id}")
    assert "姓20-19" in body


def test_as_you_type_returns_only_the_results(login, make_company):
    make_activity(make_company(name="Acme Inc."), subject="Typing test")
    r = login("staff").get("/activities/?q=typ",
                           headers={"HX-Request": "true", "HX-Target": "results"})
    body = r.get_data(as_text=True)
    assert "Typing test" in body and '<nav class="navbar' not in body
