"""Contacts: the form, duplicates by e-mail, kana-insensitive search, the contact page."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from crm.activities.models import Activity
from crm.alumni.models import Alumnus
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.contacts.models import Contact
from crm.contacts.services import save_contact
from crm.events.models import Encounter, Event
from crm.extensions import db
from tests.factories import make_contact
from tests.reading import count, page


# --- the form -------------------------------------------------------------------------------

def test_liaison_creates_a_contact_through_the_form(login, make_company):
    company = make_company(name="株式会社サンプル")
    client = login("liaison")
    form = page(client, f"/contacts/new?company={company.id}")
    assert f"株式会社サンプル [#{company.id}]" in form  # prefilled from the company page's link

    response = client.submit("/contacts/new", {
        "family_name": "山田", "given_name": "太郎",
        "family_name_reading": "やまだ", "given_name_reading": "ﾀﾛｳ",
        "company": f"株式会社サンプル [#{company.id}]", "title": "部長",
        "department": "研究開発部", "email": "Taro.Yamada@Example.CO.JP",
        "phone": "03-1234-5678", "consent": "y",
    })
    assert response.status_code == 302
    contact = db.session.scalars(select(Contact)).one()
    assert contact.email == "taro.yamada@example.co.jp"
    assert (contact.family_name_reading, contact.given_name_reading) == ("ヤマダ", "タロウ")
    assert contact.company_id == company.id and contact.consent is True

    shown = page(client, response.headers["Location"])
    assert "山田 太郎" in shown and "ヤマダ タロウ" in shown
    assert "株式会社サンプル" in shown and 'href="tel:03-1234-5678"' in shown
    hero = shown.index("<h1")
    assert shown.rindex("ヤマダ タロウ", 0, hero) < hero < shown.index("山田 太郎", hero)


def test_edit_changes_the_contact(login):
    contact = make_contact(given_name="太郎", email="taro@example.com")
    client = login("staff")
    form = page(client, f"/contacts/{contact.id}/edit")
    assert 'value="taro@example.com"' in form
    response = client.submit(f"/contacts/{contact.id}/edit", {
        "family_name": "山田", "given_name": "太郎", "email": "taro@example.com",
        "title": "課長", "do_not_contact": "y",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).title == "課長"
    shown = page(client, f"/contacts/{contact.id}")
    assert "Do not contact" in shown and "alert-danger" in shown


def test_errors_are_shown_beside_the_field_and_nothing_is_saved(login):
    client = login("liaison")
    response = client.submit("/contacts/new", {"family_name": "", "email": "not-an-address"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "This is not a valid e-mail address." in body
    assert "Enter the family name." in body
    assert count(Contact) == 0


def test_a_second_contact_with_the_same_email_is_refused(login):
    first = make_contact(family_name="Smith", given_name="John", email="john@example.com")
    client = login("bd")
    response = client.submit("/contacts/new", {
        "family_name": "Smith", "given_name": "J.", "email": "JOHN@example.com"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f"already belongs to John Smith (#{first.id})" in body
    assert count(Contact) == 1
    # Keeping one's own address on edit is no duplicate.
    response = client.submit(f"/contacts/{first.id}/edit", {
        "family_name": "Smith", "given_name": "John", "email": "john@example.com",
        "title": "CTO"})
    assert response.status_code == 302


def test_reading_must_be_kana(app):
    from crm.common.services import ValidationError

    with pytest.raises(ValidationError) as err:
        save_contact(None, {"family_name": "山田", "family_name_reading": "山田"})
    assert "family_name_reading" in err.value.errors


def test_researcher_may_look_but_not_change(login):
    contact = make_contact()
    client = login("researcher")
    assert client.get(f"/contacts/{contact.id}").status_code == 200
    assert client.get("/contacts/new").status_code == 403
    assert client.forge("/contacts/new", {"family_name": "佐藤"}).status_code == 403
    assert client.forge(f"/contacts/{contact.id}/edit", {"family_name": "X"}).status_code == 403
    assert client.forge(f"/contacts/{contact.id}/delete").status_code == 403
    assert count(Contact) == 1
    shown = page(client, f"/contacts/{contact.id}")
    assert f"/contacts/{contact.id}/edit" not in shown


def test_liaison_may_not_delete(login):
    contact = make_contact()
    assert login("liaison").forge(f"/contacts/{contact.id}/delete").status_code == 403
    assert count(Contact) == 1


def test_a_post_without_csrf_token_is_refused(login):
    contact = make_contact()
    client = login("manager")
    assert client.post("/contacts/new", data={"family_name": "佐藤"}).status_code == 400
    assert client.post(f"/contacts/{contact.id}/delete").status_code == 400
    assert count(Contact) == 1


def test_delete_removes_encounters_and_activity_links(login, users, make_company):
    company = make_company()
    contact = make_contact(company_id=company.id)
    other = make_contact(family_name="佐藤")
    event = Event(name="nano tech", starts_on=date(2025, 1, 29))
    activity = Activity(company=company, occurred_on=date(2025, 2, 1), subject="Visit",
                        kind="visit", contacts=[contact, other])
    alumnus = Alumnus(family_name="山田", degree="master", contact=contact)
    db.session.add_all([event, activity, alumnus,
                        Encounter(event=event, contact=contact, met_on=event.starts_on)])
    db.session.commit()

    contact_id = contact.id
    client = login("bd")
    confirm = page(client, f"/contacts/{contact_id}/delete")
    assert "Encounters at events" in confirm and "Activities they took part in" in confirm
    response = client.submit(f"/contacts/{contact_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, contact_id) is None
    assert count(Encounter) == 0
    assert [c.id for c in db.session.get(Activity, activity.id).contacts] == [other.id]
    assert db.session.get(Alumnus, alumnus.id).contact_id is None
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.entity == "contacts", AuditEntry.action == "delete",
        AuditEntry.entity_id == contact_id)) is not None


def test_unknown_contact_is_404(login):
    client = login("admin")
    for url in ("/contacts/999", "/contacts/999/edit", "/contacts/999/delete"):
        assert client.get(url).status_code == 404


# --- names and search -----------------------------------------------------------------------

def test_japanese_names_read_family_first_english_given_first(login):
    make_contact(family_name="山田", given_name="太郎")
    make_contact(family_name="Smith", given_name="John")
    listing = page(login("staff"), "/contacts/")
    assert "山田 太郎" in listing and "John Smith" in listing
    assert "太郎 山田" not in listing and "Smith John" not in listing


@pytest.mark.parametrize("stored, typed", [
    ("やまだ", "ヤマダ"),   # typed hiragana reading, searched in katakana
    ("スズキ", "すずき"),   # katakana reading, searched in hiragana
    ("ﾀﾅｶ", "たなか"),     # half-width katakana reading
])
def test_reading_found_whatever_kana_is_typed(login, stored, typed):
    make_contact(family_name="某", family_name_reading=stored)
    make_contact(family_name="他人", family_name_reading="ホカ")
    listing = page(login("liaison"), f"/contacts/?q={typed}")
    assert "某" in listing and "他人" not in listing


@pytest.mark.parametrize("typed", [
    "山田 太郎", "山田太郎", "太郎 山田", "山田　太郎", "やまだ たろう", "ヤマダタロウ",
    "john smith", "Smith", "TARO@EXAMPLE", "サンプル", "ｻﾝﾌﾟﾙ",
])
def test_search_as_you_type_fields(login, make_company, typed):
    company = make_company(name="株式会社サンプル", name_reading="サンプル")
    make_contact(family_name="山田", given_name="太郎", family_name_reading="ヤマダ",
                 given_name_reading="タロウ", email="taro@example.com", company_id=company.id)
    make_contact(family_name="Smith", given_name="John", company_id=company.id)
    make_contact(family_name="佐藤", given_name="花子", email="hanako@other.example")
    client = login("liaison")
    listing = client.get(f"/contacts/?q={typed}", headers={
        "HX-Request": "true", "HX-Target": "results"}).get_data(as_text=True)
    assert "佐藤" not in listing
    assert "山田 太郎" in listing or "John Smith" in listing
    assert 'id="results"' in listing and "navbar" not in listing  # only the results swap


def test_the_list_search_and_sort_follow_an_edited_name(login):
    renamed = make_contact(family_name="山田", given_name="太郎", family_name_reading="ヤマダ",
                           given_name_reading="タロウ", email="taro@example.com")
    make_contact(family_name="吉田", given_name="次郎", family_name_reading="ヨシダ")
    client = login("staff")
    response = client.submit(f"/contacts/{renamed.id}/edit", {
        "family_name": "渡辺", "given_name": "太郎", "family_name_reading": "わたなべ",
        "given_name_reading": "タロウ", "email": "Taro.W@Example.com"},
        page=f"/contacts/{renamed.id}/edit")
    assert response.status_code == 302
    assert "渡辺 太郎" in page(client, "/contacts/?q=渡辺太郎")
    assert "渡辺 太郎" in page(client, "/contacts/?q=ワタナベ")
    assert "渡辺 太郎" in page(client, "/contacts/?q=taro.w@")
    assert "渡辺 太郎" not in page(client, "/contacts/?q=山田")
    # Sorted by reading: ヨシダ before ワタナベ now (ヤマダ came before ヨシダ).
    listing = page(client, "/contacts/?sort=name")
    assert listing.index("吉田 次郎") < listing.index("渡辺 太郎")


def test_filters_company_and_do_not_contact(login, make_company):
    a = make_company(name="株式会社エー")
    b = make_company(name="株式会社ビー")
    make_contact(family_name="田中", company_id=a.id, do_not_contact=True)
    make_contact(family_name="鈴木", company_id=b.id)
    client = login("staff")
    listing = page(client, f"/contacts/?company={a.id}")
    assert "田中" in listing and "鈴木" not in listing and "株式会社エー" in listing
    assert "Do not contact" in listing
    listing = page(client, "/contacts/?dnc=no")
    assert "鈴木" in listing and "田中" not in listing


@pytest.mark.parametrize("sort", ["name", "company", "title", "updated"])
def test_every_sort_works(login, sort):
    make_contact(family_name="山田", family_name_reading="ヤマダ")
    make_contact(family_name="阿部", family_name_reading="アベ")
    listing = page(login("staff"), f"/contacts/?sort={sort}&dir=desc")
    assert "山田" in listing and "阿部" in listing


def test_sorted_by_reading(login):
    make_contact(family_name="山田", family_name_reading="ヤマダ")
    make_contact(family_name="阿部", family_name_reading="アベ")
    listing = page(login("staff"), "/contacts/")
    assert listing.index("阿部") < listing.index("山田")


# --- the contact page -----------------------------------------------------------------------

def _other_liaison() -> User:
    from werkzeug.security import generate_password_hash

    user = User(email="liaison2@example.org", name="Second liaison",
                password_hash=generate_password_hash("x", method="pbkdf2:sha256:1000"))
    user.set_roles(["liaison"])
    db.session.add(user)
    db.session.commit()
    return user


def test_confidential_minutes_hidden_from_another_liaison(app, users, make_company):
    company = make_company()
    contact = make_contact(given_name="太郎")
    db.session.add_all([
        Activity(company=company, occurred_on=date(2025, 3, 1), subject="NDA talk", kind="meeting",
                 minutes="They plan a plant in Osaka.", confidential=True,
                 user_id=users["liaison"].id, contacts=[contact]),
        Activity(company=company, occurred_on=date(2025, 3, 2), subject="Lunch", kind="meeting",
                 minutes="Open minutes here.", user_id=users["liaison"].id, contacts=[contact]),
    ])
    db.session.commit()
    other = _other_liaison()

    def view(user_id: int) -> str:
        from tests.conftest import log_in_as

        client = log_in_as(app.test_client(), db.session.get(User, user_id))
        return page(client, f"/contacts/{contact.id}")

    author_view = view(users["liaison"].id)
    assert "They plan a plant in Osaka." in author_view
    other_view = view(other.id)
    assert "NDA talk" in other_view and "Open minutes here." in other_view
    assert "They plan a plant in Osaka." not in other_view
    assert "Confidential minutes" in other_view
    assert "They plan a plant in Osaka." in view(users["manager"].id)


def test_contact_page_shows_encounters_and_alumnus(login, users):
    contact = make_contact(given_name="太郎", how_we_met="Introduced by Prof. Sato")
    event = Event(name="BIO Japan", kind="trade_show", starts_on=date(2025, 10, 8))
    db.session.add_all([
        event,
        Encounter(event=event, contact=contact, user_id=users["bd"].id, met_on=date(2025, 10, 8),
                  research_interests="Antibody screening", small_talk="Runs marathons",
                  follow_up_wanted=True, follow_up_by=date(2025, 11, 1)),
        Alumnus(family_name="山田", given_name="太郎", degree="doctor", graduation_year=2010,
                contact=contact),
    ])
    db.session.commit()
    shown = page(login("researcher"), f"/contacts/{contact.id}")
    for text in ("BIO Japan", "bd user", "Antibody screening", "Runs marathons",
                 "Follow-up wanted", "Introduced by Prof. Sato", "Alumnus", "2010"):
        assert text in shown, text


# --- constant queries -----------------------------------------------------------------------

def _fill(n: int, user_ids: dict[str, int], make_company) -> Contact:
    company = make_company(name=f"株式会社メイン{n}")
    main = save_contact(None, {"family_name": "主役", "company_id": company.id})
    for i in range(n):
        other_company = make_company(name=f"株式会社その{n}-{i}")
        person = save_contact(None, {"family_name": f"人{i}", "company_id": other_company.id,
                                     "email": f"p{n}-{i}@example.com"})
        event = Event(name=f"Event {n}-{i}", starts_on=date(2025, 1, 1))
        db.session.add(event)
        db.session.add(Encounter(event=event, contact=main, user_id=user_ids["liaison"],
                                 met_on=date(2025, 1, 1)))
        db.session.add(Activity(company=other_company, occurred_on=date(2025, 2, 1),
                                subject=f"A{i}", kind="call", user_id=user_ids["bd"],
                                contacts=[main, person], confidential=bool(i % 2), minutes="m"))
    db.session.commit()
    return main


def test_list_and_page_queries_do_not_grow_with_rows(login, users, make_company, count_queries):
    user_ids = {role: user.id for role, user in users.items()}
    client = login("liaison")
    client.get("/contacts/")  # warm up: the first request loads things once
    figures = []
    for n in (2, 20):
        main = _fill(n, user_ids, make_company)
        with count_queries() as list_queries:
            page(client, "/contacts/")
        with count_queries() as show_queries:
            shown = page(client, f"/contacts/{main.id}")
        assert shown.count("timeline") >= 2
        figures.append((list_queries(), show_queries()))
        db.session.expire_all()
    assert figures[0] == figures[1], figures
