"""One timeline per company and per contact: every kind of record, newest first, each kind only
for the roles that may see it (donations, confidential minutes), filterable, paged, and the
same queries whatever the company's size."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from crm.activities.models import Activity
from crm.audit.services import set_actor
from crm.collaborations import services as collaborations
from crm.collaborations.models import Collaboration
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.ndas import services as ndas
from crm.requests.models import DataEntryRequest
from crm.screening import services as screening
from crm.screening.models import Hit, Screening, ScreeningList
from crm.tasks.models import Task
from crm.timeline.services import PER_PAGE
from tests.conftest import log_in_as, make_user

TODAY = date.today()


def entries(html: str) -> list[str]:
    """The kinds of the timeline's entries, in the order shown."""
    return re.findall(r'<li class="timeline-([a-z]+)"', html)


def timeline_of(html: str) -> str:
    start = html.index('id="timeline"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def acme(users, make_company):
    """A company with one record of every kind, on different days (newest: the donation)."""
    company = make_company(name="Acme Robotics K.K.")
    contact = Contact(family_name="山田", given_name="花子", company_id=company.id)
    event = Event(name="CEATEC 2026", starts_on=TODAY - timedelta(days=9))
    db.session.add_all([contact, event])
    db.session.flush()
    db.session.add(Encounter(event_id=event.id, contact_id=contact.id, user_id=users["bd"].id,
                             met_on=TODAY - timedelta(days=9), research_interests="SiC"))
    secret = Activity(company_id=company.id, kind="meeting", subject="Price talks",
                      minutes="They will pay 30 million yen", confidential=True,
                      occurred_on=TODAY - timedelta(days=8), user_id=users["liaison"].id,
                      contacts=[contact])
    db.session.add(secret)
    db.session.add(Activity(company_id=company.id, kind="call", subject="Intro call",
                            minutes="Interested in batteries", user_id=users["manager"].id,
                            occurred_on=TODAY - timedelta(days=30)))
    collab = Collaboration(kind="joint_research", title="電池の共同研究", company=company,
                           opened_on=TODAY - timedelta(days=20), currency="JPY",
                           contract_language="ja")
    db.session.add(collab)
    db.session.commit()
    set_actor(users["manager"].id, users["manager"].email)
    collaborations.sign_off(collab, TODAY - timedelta(days=7), by=users["manager"],
                            override_reason="Partner already chosen at the fair")
    nda = ndas.save_nda(None, {
        "company_id": company.id, "title": "秘密保持契約（電池）", "status": "signed",
        "signed_on": TODAY - timedelta(days=6), "effective_from": TODAY - timedelta(days=6),
        "term_months": 12, "survival_months": 0, "mutual": True})
    ndas.add_disclosure(nda, {"disclosed_on": TODAY - timedelta(days=5),
                              "direction": "to_partner", "description": "Cell design drawings",
                              "classification": "confidential", "disclosed_by": "田中",
                              "disclosed_to_contact_id": contact.id}, by=users["manager"])
    lst = ScreeningList(kind="sdn", version="2026-12-01", entry_count=1, current=True)
    db.session.add(lst)
    db.session.flush()
    scr = Screening(company_id=company.id, subject_name=company.name, threshold=0.86,
                    result="hits", list_versions=[{"list_id": lst.id}])
    hit = Hit(list_id=lst.id, list_kind="sdn", list_version="x", entry_key="1",
              entry_name="ACME EVIL CORP", entry_fingerprint="f", subject_key="company",
              subject_fingerprint="s", query_name=company.name, matched_name="ACME",
              score=0.9, status="open")
    scr.hits = [hit]
    db.session.add(scr)
    db.session.flush()
    screening.decide(hit, "clear", "Different company: Singapore, not Japan",
                     by=users["export_control"])
    db.session.add(DataEntryRequest(submitted_by_id=users["researcher"].id, status="entered",
                                    person_name="山田 花子", company_id=company.id,
                                    contact_id=contact.id, discussed="Batteries"))
    db.session.add(Task(title="Send the draft contract", due_on=TODAY - timedelta(days=2),
                        owner_id=users["liaison"].id, company_id=company.id, status="open"))
    db.session.add(Donation(company_id=company.id, amount=Decimal("5000000"), currency="JPY",
                            received_on=TODAY - timedelta(days=1), purpose="Scholarship fund"))
    db.session.commit()
    return {"company": company, "contact": contact, "collab": collab, "nda": nda,
            "secret": secret}


def test_a_manager_sees_every_kind_newest_first_and_every_link_opens(login, acme):
    client = login("manager")
    html = client.get(f"/companies/{acme['company'].id}").get_data(as_text=True)
    shown = timeline_of(html)
    kinds = entries(shown)
    days = [datetime.strptime(d, "%d %b %Y").date() for d in re.findall(
        r'<div class="small text-muted">(\d+ \w+ \d{4}) ·', shown)]
    assert len(days) == len(kinds) and days == sorted(days, reverse=True)  # newest first
    assert kinds[-1] == "activity" and "Intro call" in shown.split('timeline-activity')[-1]
    assert set(kinds) == {"donation", "task", "request", "screening", "nda", "collaboration",
                          "activity", "encounter"}
    assert "Scholarship fund" in shown and "¥5,000,000" in shown
    assert "Collaboration opened: 電池の共同研究" in shown
    assert "Partner search signed off: 電池の共同研究" in shown
    assert "電池の共同研究 moved to Internal intent check" in shown  # from the audit trail
    assert "Disclosure under 秘密保持契約（電池）" in shown and "Cell design drawings" in shown
    assert "Different company: Singapore, not Japan" in shown
    assert "They will pay 30 million yen" in shown  # managers read confidential minutes
    for url in set(re.findall(r'href="(/[^"]+)"', shown)):
        if "/timeline/" in url or url.startswith(("/companies/", "/activities/", "/ndas/",
                                                   "/collaborations/", "/screening/",
                                                   "/donations/", "/events/", "/requests/")):
            assert client.get(url.replace("&amp;", "&")).status_code == 200, url


def test_donations_and_confidential_minutes_stay_hidden_from_who_may_not_see_them(
        app, login, acme):
    other_liaison = log_in_as(app.test_client(), make_user("liaison", email="sato@x.org"))
    html = timeline_of(other_liaison.get(f"/companies/{acme['company'].id}")
                       .get_data(as_text=True))
    assert "Price talks" in html and "They will pay 30 million yen" not in html
    assert "Confidential minutes: visible to their author and managers." in html
    assert "donation" not in entries(html) and "Scholarship fund" not in html
    assert "kind=donation" not in html
    url = f"/timeline/company/{acme['company'].id}"
    assert other_liaison.get(url + "?kind=donation").status_code == 403
    assert "Scholarship fund" not in other_liaison.get(url).get_data(as_text=True)
    # the author reads her own confidential minutes; a manager (who may) sees the donation
    author = login("liaison").get(url + "?kind=activity").get_data(as_text=True)
    assert "They will pay 30 million yen" in author
    assert "Scholarship fund" in login("manager").get(url + "?kind=donation").get_data(
        as_text=True)


def test_each_role_sees_the_kinds_its_permissions_allow(login, acme):
    url = f"/timeline/company/{acme['company'].id}"
    staff = login("staff").get(url).get_data(as_text=True)
    assert not set(entries(staff)) & {"collaboration", "nda", "screening", "donation"}
    assert "request" not in entries(staff)  # someone else's request
    researcher = login("researcher").get(url).get_data(as_text=True)
    assert "request" in entries(researcher)  # their own
    assert "screening" not in entries(researcher)
    officer = login("export_control").get(url).get_data(as_text=True)
    assert "screening" in entries(officer) and "donation" not in entries(officer)
    # tasks: one's own; a manager sees the team's
    assert "Send the draft contract" in login("liaison").get(url).get_data(as_text=True)
    assert "Send the draft contract" not in login("bd").get(url).get_data(as_text=True)
    assert "Send the draft contract" in login("manager").get(url).get_data(as_text=True)
    for role in ("staff", "researcher"):
        assert login(role).get(url + "?kind=collaboration").status_code == 403
    assert login("export_control").get(url + "?kind=collaboration").status_code == 200


def test_filter_by_kind_and_page_back_through_older_entries(login, users, make_company):
    company = make_company(name="Busy K.K.")
    for i in range(PER_PAGE + 5):
        db.session.add(Activity(company_id=company.id, kind="call", subject=f"Call {i:02d}",
                                occurred_on=TODAY - timedelta(days=i),
                                user_id=users["liaison"].id))
    db.session.add(Donation(company_id=company.id, amount=Decimal("1000"), currency="JPY",
                            received_on=TODAY, purpose="Gift"))
    db.session.commit()
    client = login("manager")
    page1 = timeline_of(client.get(f"/companies/{company.id}").get_data(as_text=True))
    assert len(entries(page1)) == PER_PAGE and "Gift" in page1
    older = re.search(r'href="([^"]*page=2[^"]*)"[^>]*>Older', page1).group(1)
    page2 = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert len(entries(timeline_of(page2))) == 6 and "Call 29" in page2  # 31 in all
    assert "Call 00" not in page2
    only = client.get(f"/timeline/company/{company.id}?kind=donation").get_data(as_text=True)
    assert entries(timeline_of(only)) == ["donation"]
    # htmx asks for the fragment alone
    part = client.get(f"/timeline/company/{company.id}?kind=activity&page=2",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in part and len(entries(part)) == 5
    # bad parameters: a clear 400, never a 500
    for query in ("?page=99999999999999999999", "?page=0", "?kind=bogus", "?page=abc"):
        response = client.get(f"/timeline/company/{company.id}{query}")
        assert response.status_code == 400, query
    assert client.get("/timeline/company/999999").status_code == 404
    assert client.get("/timeline/people/1").status_code == 404


def test_a_contacts_timeline(login, acme):
    client = login("manager")
    html = timeline_of(client.get(f"/contacts/{acme['contact'].id}").get_data(as_text=True))
    kinds = set(entries(html))
    assert {"activity", "encounter", "nda", "request"} <= kinds
    assert not kinds & {"donation", "collaboration"}
    assert "Price talks" in html and "CEATEC 2026" in html
    assert "kind=donation" not in html


def test_the_same_queries_for_a_small_and_a_large_company(login, users, make_company,
                                                         count_queries):
    client = login("manager")
    company = make_company(name="Growing K.K.")
    contact = Contact(family_name="鈴木", company_id=company.id)
    db.session.add(contact)
    db.session.commit()

    def grow(n: int) -> None:
        for i in range(n):
            db.session.add(Activity(company_id=company.id, kind="call", subject=f"c{i}",
                                    occurred_on=TODAY, user_id=users["liaison"].id))
            fair = Event(name=f"Fair {n}-{i}", starts_on=TODAY)  # one event each
            db.session.add(fair)
            db.session.flush()
            db.session.add(Encounter(event_id=fair.id, contact_id=contact.id, met_on=TODAY,
                                     user_id=users["bd"].id))
            db.session.add(Donation(company_id=company.id, amount=Decimal(1), currency="JPY",
                                    received_on=TODAY))
            db.session.add(Task(title=f"t{i}", owner_id=users["liaison"].id, due_on=TODAY,
                                company_id=company.id, status="open"))
        db.session.commit()

    url = f"/timeline/company/{company.id}"
    grow(2)
    with count_queries() as small:
        client.get(url)
    grow(40)
    with count_queries() as large:
        client.get(url)
    assert large() == small(), (small(), large())


def test_the_company_page_tells_its_history_once(app, login, acme):
    """The company page's timeline replaces its separate Activities, Met-at-events and Donations
    sections: each record shows once, the donation totals head it for those who may see
    donations, and a link leads to every activity."""
    company = acme["company"]
    manager = login("manager").get(f"/companies/{company.id}").get_data(as_text=True)
    for text in ("Intro call", "Price talks", "CEATEC 2026", "Scholarship fund"):
        assert manager.count(text) == 1, text
    assert "Donations ¥5,000,000" in manager
    assert f'href="/activities/?company={company.id}"' in manager
    assert "All 2 activities" in manager
    for client in (login("researcher"), login("liaison"),
                   log_in_as(app.test_client(), make_user("bd", email="bd2@x.org"))):
        html = client.get(f"/companies/{company.id}").get_data(as_text=True)
        assert "Intro call" in timeline_of(html) and "¥5,000,000" not in html
        assert "Scholarship fund" not in html and "donation-totals" not in html
