"""The fair form: an officer at a trade show logs a person met, on a phone."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.contacts.services import save_contact
from crm.events.models import Encounter, Event
from crm.extensions import db
from tests.reading import count

URL = "/events/fair"


def person(at: Event, /, **fields: Any) -> dict[str, Any]:
    data = {"event": str(at.id), "family_name": "山田", "given_name": "太郎",
            "reading": "やまだ たろう", "company": "株式会社ABC", "email": "taro@abc.example.jp",
            "interests": "全固体電池の評価", "small_talk": "釣りが趣味"}
    data.update(fields)
    return data


def test_logs_a_new_person_company_and_encounter(login, users, event):
    client = login("liaison")
    form = client.get(URL).get_data(as_text=True)
    assert 'name="family_name"' in form and "nano tech" in form

    response = client.submit(URL, person(event, follow_up_by=(date.today() + timedelta(days=7))
                                         .isoformat()))
    assert response.status_code == 302
    assert f"event={event.id}" in response.headers["Location"]
    company = db.session.scalars(select(Company)).one()
    contact = db.session.scalars(select(Contact)).one()
    encounter = db.session.scalars(select(Encounter)).one()
    assert company.name == "株式会社ABC"
    assert (contact.family_name, contact.given_name, contact.family_name_reading,
            contact.given_name_reading) == ("山田", "太郎", "ヤマダ", "タロウ")
    assert contact.company_id == company.id and contact.how_we_met == "nano tech"
    assert (encounter.event_id, encounter.contact_id, encounter.user_id) == (
        event.id, contact.id, users["liaison"].id)
    assert encounter.met_on == date.today()
    assert encounter.research_interests == "全固体電池の評価"
    assert encounter.small_talk == "釣りが趣味"
    assert encounter.follow_up_wanted and encounter.follow_up_by == date.today() + timedelta(7)

    # Back on the form, the event remembered, with who was saved and the way to the review.
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "山田 太郎" in again and "Ready for the next person" in again
    assert "new contact" in again and "new company" in again
    assert f'<option selected value="{event.id}">' in again
    assert f"/events/{event.id}" in again
    # The session remembers the event even without ?event=.
    assert f'<option selected value="{event.id}">' in client.get(URL).get_data(as_text=True)
    # The event page lists the person for review.
    assert "山田 太郎" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_company_typed_three_ways_is_one_company(login, event):
    client = login("liaison")
    for i, typed in enumerate(["株式会社ABC", "ＡＢＣ(株)", "ABC Co., Ltd."]):
        response = client.submit(URL, person(event, company=typed, family_name=f"田中{i}",
                                             given_name="", reading="", email=""))
        assert response.status_code == 302, response.get_data(as_text=True)
    assert count(Company) == 1
    company = db.session.scalars(select(Company)).one()
    assert {c.company_id for c in db.session.scalars(select(Contact))} == {company.id}
    assert count(Encounter) == 3


def test_existing_contact_is_linked_by_email_not_duplicated(login, event, make_company):
    abc = make_company(name="株式会社ABC")
    taro = save_contact(None, {"family_name": "山田", "given_name": "太郎",
                               "email": "taro@abc.example.jp", "company_id": abc.id})
    db.session.commit()
    client = login("liaison")
    response = client.submit(URL, person(event, email="TARO@ABC.example.jp", title="部長"))
    assert response.status_code == 302
    assert count(Contact) == 1 and count(Company) == 1
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "existing contact" in again and "existing company" in again
    encounter = db.session.scalars(select(Encounter)).one()
    assert encounter.contact_id == taro.id
    db.session.expire_all()
    assert db.session.get(Contact, taro.id).title == "部長"  # a blank field filled in


def test_picked_suggestion_links_that_company(login, event, make_company):
    abc = make_company(name="株式会社エービーシー")
    client = login("liaison")
    response = client.submit(URL, person(event, company=f"株式会社エービーシー [#{abc.id}]"))
    assert response.status_code == 302
    assert count(Company) == 1
    assert db.session.scalars(select(Contact)).one().company_id == abc.id


def test_near_match_asks_first_and_saves_nothing(login, event, make_company):
    yamada = make_company(name="山田電機株式会社")
    client = login("liaison")
    data = person(event, company="山田電機工業", new_event="")
    response = client.submit(URL, data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "山田電機株式会社" in page and 'name="company_choice"' in page
    assert "Nothing is saved until you choose" in page
    assert (count(Company), count(Contact), count(Encounter)) == (1, 0, 0)

    # Choosing the existing company links it.
    response = client.submit(URL, dict(data, company_choice=str(yamada.id)))
    assert response.status_code == 302
    assert count(Company) == 1
    assert db.session.scalars(select(Contact)).one().company_id == yamada.id


def test_near_match_can_be_declined(login, event, make_company):
    make_company(name="山田電機株式会社")
    client = login("liaison")
    asked = client.submit(URL, person(event, company="山田電機工業"))
    assert 'name="company_choice"' in asked.get_data(as_text=True)
    response = client.submit(URL, {"company_choice": "new"})  # the form sent back, answered
    assert response.status_code == 302
    assert count(Company) == 2


def test_same_name_at_same_company_asks_which_person(login, event, make_company):
    abc = make_company(name="株式会社ABC")
    taro = save_contact(None, {"family_name": "山田", "given_name": "太郎", "company_id": abc.id})
    db.session.commit()
    client = login("liaison")
    data = person(event, email="")
    response = client.submit(URL, data)
    assert response.status_code == 200 and "Is this one of these people?" in \
        response.get_data(as_text=True)
    assert (count(Contact), count(Encounter)) == (1, 0)
    response = client.submit(URL, dict(data, contact_choice=str(taro.id)))
    assert response.status_code == 302
    assert count(Contact) == 1 and db.session.scalars(select(Encounter)).one().contact_id == taro.id


def test_x_electric_is_not_offered_for_y_electric(login, event, make_company):
    make_company(name="X Electric Co., Ltd.")
    client = login("liaison")
    response = client.submit(URL, person(event, company="Y Electric Co., Ltd."))
    assert response.status_code == 302
    assert count(Company) == 2


def test_new_event_is_created_and_remembered(login):
    client = login("liaison")
    response = client.submit(URL, {"event": "", "new_event": "BIO Japan",
                                   "family_name": "Smith", "given_name": "John",
                                   "company": "Acme Inc."})
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert (event.name, event.kind, event.starts_on) == ("BIO Japan", "trade_show", date.today())
    # Typing the same name again reuses it.
    response = client.submit(URL, {"new_event": "bio japan", "family_name": "Doe",
                                   "company": "Acme Inc."})
    assert response.status_code == 302
    assert count(Event) == 1 and count(Encounter) == 2


def test_an_event_linked_to_is_offered_and_chosen_among_many_near_today(login, make_company):
    """A week of many fairs: the event a link names (its page's "log people met here") is on
    the form and chosen, even when thirty others are nearer today."""
    from tests.factories import make_event, make_fair

    asked = make_fair(name="InterAqua", starts_on=date.today() - timedelta(days=20),
                      ends_on=date.today() - timedelta(days=18))
    for n in range(35):
        day = date.today() + timedelta(days=n % 20)
        make_fair(name=f"Expo {n}", starts_on=day, ends_on=day)
    make_event(name="Long ago", starts_on=date.today() - timedelta(days=400))
    db.session.commit()
    client = login("liaison")
    page = client.get(f"{URL}?event={asked.id}").get_data(as_text=True)
    assert f'<option selected value="{asked.id}">' in page or \
        f'<option value="{asked.id}" selected>' in page
    response = client.submit(URL, {"family_name": "Berg", "company": "Aqua AB"})  # as shown
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalars(select(Encounter)).one().event_id == asked.id
    # The next person's company is near one known: the question is asked on the form sent
    # back, which still holds that event (the session remembers it, not the list of 30).
    make_company(name="山田電機株式会社")
    other = make_fair(name="Nanotech", starts_on=date.today() - timedelta(days=25),
                      ends_on=date.today() - timedelta(days=24))
    db.session.commit()
    client.get(f"{URL}?event={other.id}")
    asked_page = client.submit(URL, {"family_name": "Lind", "company": "山田電機工業"})
    assert 'name="company_choice"' in asked_page.get_data(as_text=True)
    response = client.submit(URL, {"company_choice": "new"})  # the form sent back, answered
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalars(select(Encounter).order_by(Encounter.id.desc())).first() \
        .event_id == other.id


def test_errors_beside_fields_and_nothing_saved(login, event):
    client = login("liaison")
    response = client.submit(URL, person(event, family_name="", event=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the family name." in page

    response = client.submit(URL, person(event, event="", new_event=""))
    assert response.status_code == 422
    assert "Pick the event, or type the name of a new one." in response.get_data(as_text=True)

    # A bad e-mail is refused after the company would have been created: all rolled back.
    response = client.submit(URL, person(event, email="not-an-address"))
    assert response.status_code == 422
    assert "This is not a valid e-mail address." in response.get_data(as_text=True)
    assert (count(Company), count(Contact), count(Encounter)) == (0, 0, 0)


def test_roles_and_csrf(login, event):
    assert login("researcher").get(URL).status_code == 403
    assert login("researcher").forge(URL, person(event)).status_code == 403
    client = login("liaison")
    assert client.post(URL, data=person(event)).status_code == 400
    assert count(Contact) == 0


def test_people_panel_offers_known_people(login, make_company):
    abc = make_company(name="株式会社ABC")
    taro = save_contact(None, {"family_name": "山田", "given_name": "太郎",
                               "email": "taro@abc.example.jp", "company_id": abc.id})
    db.session.commit()
    client = login("liaison")
    html = client.get("/events/fair/people?family_name=山田").get_data(as_text=True)
    assert f'value="{taro.id}"' in html and "株式会社ABC" in html
    html = client.get("/events/fair/people?family_name=&email=TARO@abc.example.jp") \
        .get_data(as_text=True)
    assert f'value="{taro.id}" checked' in html and "same e-mail" in html
    assert client.get("/events/fair/people?family_name=佐藤").get_data(as_text=True).strip() == ""
    assert login("researcher").get("/events/fair/people?family_name=山田").status_code == 403
