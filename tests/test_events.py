"""Events and the encounters recorded at them: forms, the event page, follow-ups."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from crm.contacts.models import Contact
from crm.contacts.services import save_contact
from crm.events.models import Encounter, Event
from crm.events.services import save_event
from crm.extensions import db
from tests.factories import make_contact, make_encounter, make_event
from tests.reading import count, page


# --- events ---------------------------------------------------------------------------------

def test_liaison_creates_and_edits_an_event(login):
    client = login("liaison")
    assert "Trade show" in page(client, "/events/new")
    response = client.submit("/events/new", {
        "name": "nano tech 2025", "kind": "trade_show", "starts_on": "2025-01-29",
        "ends_on": "2025-01-31", "location": "東京ビッグサイト"})
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert (event.kind, event.ends_on) == ("trade_show", date(2025, 1, 31))
    shown = page(client, response.headers["Location"])
    assert "nano tech 2025" in shown and "東京ビッグサイト" in shown and "Trade show" in shown

    response = client.submit(f"/events/{event.id}/edit", {
        "name": "nano tech 2025", "kind": "conference", "starts_on": "2025-01-29"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).kind == "conference"


def test_event_cannot_end_before_it_starts(login):
    client = login("staff")
    response = client.submit("/events/new", {
        "name": "Seminar", "kind": "seminar", "starts_on": "2025-03-02", "ends_on": "2025-03-01"})
    assert response.status_code == 422
    assert "The event cannot end before it starts." in response.get_data(as_text=True)
    assert count(Event) == 0


def test_event_needs_a_name_and_a_date(login):
    response = login("staff").submit("/events/new", {"name": "", "kind": "seminar"})
    assert response.status_code == 422
    assert count(Event) == 0


def test_delete_event_takes_its_encounters_but_not_the_contacts(login):
    event = make_event()
    contact = make_contact()
    make_encounter(event, contact)
    event_id = event.id
    client = login("bd")
    assert "Encounters recorded at it" in page(client, f"/events/{event_id}/delete")
    assert client.submit(f"/events/{event_id}/delete").status_code == 302
    db.session.expire_all()
    assert count(Event) == 0 and count(Encounter) == 0 and count(Contact) == 1


def test_researcher_and_forged_posts_are_refused(login):
    event = make_event()
    researcher = login("researcher")
    assert researcher.get(f"/events/{event.id}").status_code == 200
    assert researcher.get("/events/new").status_code == 403
    assert researcher.forge("/events/new", {"name": "X", "kind": "seminar",
                                             "starts_on": "2025-01-01"}).status_code == 403
    assert researcher.forge(f"/events/{event.id}/delete").status_code == 403
    assert login("liaison").forge(f"/events/{event.id}/delete").status_code == 403
    manager = login("manager")
    assert manager.post("/events/new", data={"name": "X", "kind": "seminar",
                                             "starts_on": "2025-01-01"}).status_code == 400
    assert manager.post(f"/events/{event.id}/delete").status_code == 400
    assert count(Event) == 1


def test_unknown_event_or_encounter_is_404(login):
    client = login("admin")
    for url in ("/events/999", "/events/999/edit", "/events/999/delete",
                "/events/999/encounters/new", "/events/encounters/999/edit",
                "/events/encounters/999/delete"):
        assert client.get(url).status_code == 404, url
    assert client.forge("/events/encounters/999/done").status_code == 404


def test_list_newest_first_with_filters(login):
    today = date.today()
    make_event(name="Old fair", starts_on=today - timedelta(days=400), location="Osaka")
    make_event(name="Next conference", kind="conference", starts_on=today + timedelta(days=30),
               location="Boston")
    client = login("staff")
    listing = page(client, "/events/")
    assert listing.index("Next conference") < listing.index("Old fair")
    upcoming = page(client, "/events/?when=upcoming")
    assert "Next conference" in upcoming and "Old fair" not in upcoming
    past = page(client, "/events/?when=past")
    assert "Old fair" in past and "Next conference" not in past
    by_kind = page(client, "/events/?kind=conference")
    assert "Next conference" in by_kind and "Old fair" not in by_kind
    by_place = page(client, "/events/?q=osaka")
    assert "Old fair" in by_place and "Next conference" not in by_place
    by_name = page(client, "/events/?sort=name&dir=asc")
    assert by_name.index("Next conference") < by_name.index("Old fair")


# --- encounters -----------------------------------------------------------------------------

def test_encounter_recorded_from_the_event_page(login, users, make_company):
    company = make_company(name="株式会社サンプル")
    event = make_event()
    contact = make_contact(given_name="太郎", company_id=company.id)
    client = login("bd")
    assert f"/events/{event.id}/encounters/new" in page(client, f"/events/{event.id}")
    form = page(client, f"/events/{event.id}/encounters/new?contact={contact.id}")
    assert re.search(rf'<option selected value="{users["bd"].id}">bd user', form)  # met by: me
    assert 'value="2025-01-29"' in form  # the date: the event's first day
    assert f"山田 太郎 [#{contact.id}]" in form

    response = client.submit(f"/events/{event.id}/encounters/new", {
        "contact": f"山田 太郎 [#{contact.id}]", "user": str(users["liaison"].id),
        "met_on": "2025-01-30", "research_interests": "Perovskite solar cells",
        "small_talk": "Daughter starts university in April", "follow_up_wanted": "y",
        "follow_up_by": "2025-02-15"})
    assert response.status_code == 302
    encounter = db.session.scalars(select(Encounter)).one()
    assert (encounter.user_id, encounter.met_on) == (users["liaison"].id, date(2025, 1, 30))
    shown = page(client, f"/events/{event.id}")
    for text in ("山田 太郎", "株式会社サンプル", "liaison user", "Perovskite solar cells",
                 "Daughter starts university in April", "Mark done"):
        assert text in shown, text


def test_follow_up_date_needs_follow_up_wanted(login):
    event = make_event()
    contact = make_contact()
    response = login("liaison").submit(f"/events/{event.id}/encounters/new", {
        "contact": f"山田 [#{contact.id}]", "follow_up_by": "2025-02-15"})
    assert response.status_code == 422
    assert "Follow-up wanted" in response.get_data(as_text=True)
    assert "to set a follow-up date" in response.get_data(as_text=True)
    assert count(Encounter) == 0


def test_encounter_date_must_be_near_the_event(login):
    event = make_event(ends_on=date(2025, 1, 31))
    contact = make_contact()
    client = login("liaison")
    response = client.submit(f"/events/{event.id}/encounters/new", {
        "contact": f"山田 [#{contact.id}]", "met_on": "2024-06-01"})
    assert response.status_code == 422
    assert "within a week of those dates" in response.get_data(as_text=True)
    assert count(Encounter) == 0
    response = client.submit(f"/events/{event.id}/encounters/new", {
        "contact": f"山田 [#{contact.id}]", "met_on": "2025-02-03"})
    assert response.status_code == 302


def test_encounter_needs_a_known_contact(login):
    event = make_event()
    client = login("liaison")
    response = client.submit(f"/events/{event.id}/encounters/new", {"contact": "Nobody Known"})
    assert response.status_code == 422
    assert "Nothing by that name" in response.get_data(as_text=True)
    response = client.submit(f"/events/{event.id}/encounters/new", {"contact": ""})
    assert response.status_code == 422
    assert "Pick the person who was met." in response.get_data(as_text=True)
    assert count(Encounter) == 0


def test_edit_and_delete_an_encounter(login):
    event = make_event()
    contact = make_contact()
    encounter = make_encounter(event, contact)
    encounter_id = encounter.id
    staff = login("staff")
    response = staff.submit(f"/events/encounters/{encounter_id}/edit", {
        "contact": f"山田 [#{contact.id}]", "small_talk": "Plays go"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Encounter, encounter_id).small_talk == "Plays go"
    assert staff.forge(f"/events/encounters/{encounter_id}/delete").status_code == 403
    bd = login("bd")
    assert "Delete the encounter with 山田" in page(bd, f"/events/encounters/{encounter_id}/delete")
    assert bd.post(f"/events/encounters/{encounter_id}/delete").status_code == 400
    assert count(Encounter) == 1
    assert bd.submit(f"/events/encounters/{encounter_id}/delete").status_code == 302
    assert count(Encounter) == 0 and count(Contact) == 1 and count(Event) == 1


def test_researcher_cannot_record_encounters(login):
    event = make_event()
    contact = make_contact()
    encounter = make_encounter(event, contact, follow_up_wanted=True)
    client = login("researcher")
    assert client.get(f"/events/{event.id}/encounters/new").status_code == 403
    assert client.forge(f"/events/{event.id}/encounters/new",
                         {"contact": f"山田 [#{contact.id}]"}).status_code == 403
    assert client.get(f"/events/encounters/{encounter.id}/edit").status_code == 403
    assert client.forge(f"/events/encounters/{encounter.id}/done").status_code == 403
    assert "Mark done" not in page(client, f"/events/{event.id}")
    assert count(Encounter) == 1


def test_mark_follow_up_done(login):
    event = make_event()
    contact = make_contact()
    encounter = make_encounter(event, contact, follow_up_wanted=True,
                               follow_up_by=date(2025, 2, 10))
    encounter_id = encounter.id
    client = login("liaison")
    assert client.post(f"/events/encounters/{encounter_id}/done").status_code == 400
    db.session.expire_all()
    assert db.session.get(Encounter, encounter_id).follow_up_done is False
    response = client.submit(f"/events/encounters/{encounter_id}/done", page=f"/events/{event.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}#encounter-{encounter_id}")
    db.session.expire_all()
    assert db.session.get(Encounter, encounter_id).follow_up_done is True
    # next= may send the user back where they were, but never off the site.
    response = client.forge(f"/events/encounters/{encounter_id}/done",  # a tampered next
                            {"next": "https://evil.example/"})
    assert "evil.example" not in response.headers["Location"]


def test_event_list_shows_counts_and_open_follow_ups(login):
    event = make_event()
    for i in range(3):
        make_encounter(event, make_contact(family_name=f"人{i}"), follow_up_wanted=i < 2,
                       follow_up_done=i == 0)
    listing = page(login("staff"), "/events/")
    assert '<td class="text-end">3</td>' in listing
    assert '<span class="badge text-bg-warning">1</span>' in listing


# --- constant queries -----------------------------------------------------------------------

def test_list_and_event_page_queries_do_not_grow_with_rows(login, users, make_company,
                                                           count_queries):
    user_id = users["liaison"].id
    client = login("liaison")
    client.get("/events/")
    figures = []
    for n in (2, 20):
        main = save_event(None, {"name": f"Main {n}", "starts_on": date(2025, 5, 1)})
        for i in range(n):
            company = make_company(name=f"株式会社{n}-{i}")
            contact = save_contact(None, {"family_name": f"人{n}-{i}", "company_id": company.id})
            save_event(None, {"name": f"Other {n}-{i}", "starts_on": date(2024, 1, 1)})
            db.session.add(Encounter(event_id=main.id, contact_id=contact.id, user_id=user_id,
                                     met_on=date(2025, 5, 1), follow_up_wanted=True))
        db.session.commit()
        main_id = main.id
        with count_queries() as list_queries:
            page(client, "/events/")
        with count_queries() as show_queries:
            shown = page(client, f"/events/{main_id}")
        assert shown.count("encounter-") >= n
        figures.append((list_queries(), show_queries()))
        db.session.expire_all()
    assert figures[0] == figures[1], figures
