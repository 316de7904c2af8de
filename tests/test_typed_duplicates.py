"""One duplicate rule for companies and people typed by hand: the company form, the contact
form, the fair form and request entry all go through crm.contacts.matching.check_company /
check_contact."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.common.services import ValidationError
from crm.companies.models import Company
from crm.companies.services import save_company
from crm.contacts.matching import DuplicateRefused, NearDuplicates, check_company
from crm.contacts.models import Contact
from crm.contacts.services import save_contact
from crm.extensions import db
from tests.factories import make_contact, make_fair

#: A valid corporate number (check digit right).
NUMBER = "7010001008844"


def companies() -> int:
    return db.session.scalar(select(func.count(Company.id)))


def contacts() -> int:
    return db.session.scalar(select(func.count(Contact.id)))


# --- service level -------------------------------------------------------------------------

def test_same_folded_name_is_refused_naming_the_company(make_company):
    tdk = make_company(name="TDK株式会社")
    for typed in ("ＴＤＫ(株)", "TDK Corporation", "株式会社ｔｄｋ"):
        with pytest.raises(DuplicateRefused) as refused:
            save_company(None, {"name": typed}, duplicates="ask")
        assert refused.value.existing is tdk
        assert "TDK株式会社" in refused.value.errors["name"]
        assert f"#{tdk.id}" in refused.value.errors["name"]
        db.session.rollback()
    assert companies() == 1


def test_same_corporate_number_is_refused_whatever_the_name(make_company):
    holder = make_company(name="株式会社サンプル", corporate_number=NUMBER)
    with pytest.raises(ValidationError) as refused:
        save_company(None, {"name": "全然違う名前", "corporate_number": NUMBER}, duplicates="ask")
    assert "株式会社サンプル" in refused.value.errors["corporate_number"]
    assert companies() == 1 and holder.id


def test_near_match_is_asked_then_created_when_confirmed(make_company):
    make_company(name="山田電機株式会社")
    with pytest.raises(NearDuplicates) as asked:
        save_company(None, {"name": "山田電機工業"}, duplicates="ask")
    assert [c.name for c in asked.value.companies] == ["山田電機株式会社"]
    created = save_company(None, {"name": "山田電機工業"}, duplicates="confirmed")
    assert created.id and companies() == 2


def test_even_a_confirmation_does_not_allow_an_exact_duplicate(make_company):
    make_company(name="TDK株式会社")
    with pytest.raises(DuplicateRefused):
        check_company("ＴＤＫ(株)", near_confirmed=True)


def test_editing_a_company_never_matches_itself(make_company):
    tdk = make_company(name="TDK株式会社")
    save_company(tdk, {"name": "TDK株式会社", "industry": "電子部品"}, duplicates="ask")
    assert tdk.industry == "電子部品"


def test_renaming_onto_another_company_is_refused(make_company):
    make_company(name="TDK株式会社")
    other = make_company(name="株式会社ABC")
    with pytest.raises(DuplicateRefused):
        save_company(other, {"name": "ＴＤＫ(株)"}, duplicates="ask")


def test_importers_and_loaders_keep_matching_on_their_own(make_company):
    make_company(name="TDK株式会社")
    # duplicates="off" (the default) is for importers and demo data that match themselves.
    assert save_company(None, {"name": "ＴＤＫ(株)"}).id


def test_contact_same_name_same_company_is_asked(make_company):
    abc = make_company(name="株式会社ABC")
    save_contact(None, {"family_name": "山田", "given_name": "太郎", "company_id": abc.id})
    with pytest.raises(NearDuplicates) as asked:
        save_contact(None, {"family_name": "山田", "given_name": "太郎", "company_id": abc.id},
                     duplicates="ask")
    assert [c.family_name for c in asked.value.contacts] == ["山田"]
    assert save_contact(None, {"family_name": "山田", "given_name": "太郎",
                               "company_id": abc.id}, duplicates="confirmed").id


# --- pages ---------------------------------------------------------------------------------

def _new_company(login, name: str):
    """A staff user opens the new-company form, types `name` and saves: (client, response)."""
    client = login("staff")
    client.get("/companies/new")
    return client, client.submit("/companies/new", {"name": name})


def test_company_form_refuses_tdk_typed_full_width_with_a_link(login, make_company):
    tdk = make_company(name="TDK株式会社")
    _, response = _new_company(login, "ＴＤＫ(株)")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="/companies/{tdk.id}"' in page
    assert "is already in the CRM as TDK株式会社" in page
    assert "Nothing was saved" in page
    assert companies() == 1


def test_company_form_asks_about_a_near_match_then_creates_when_confirmed(login, make_company):
    yamada = make_company(name="山田電機株式会社")
    client, asked = _new_company(login, "山田電機工業")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Is it one of these companies already in the CRM?" in page
    assert f'href="/companies/{yamada.id}"' in page and 'name="confirm_new"' in page
    assert companies() == 1
    # The user ticks "None of these" on the page that asked, and saves again.
    created = client.submit("/companies/new", {"name": "山田電機工業", "confirm_new": "1"})
    assert created.status_code == 302
    assert companies() == 2


def test_company_form_without_matches_creates_at_once(login):
    assert _new_company(login, "株式会社新規")[1].status_code == 302
    assert db.session.scalars(select(Company.name)).all() == ["株式会社新規"]


def test_contact_form_asks_about_the_same_person_at_the_same_company(login, make_company):
    abc = make_company(name="株式会社ABC")
    known = make_contact(abc, "山田", "太郎", do_not_contact=True)
    client = login("staff")
    client.get("/contacts/new")
    fields = {"family_name": "山田", "given_name": "太郎", "company": f"株式会社ABC [#{abc.id}]"}
    asked = client.submit("/contacts/new", fields)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert f'href="/contacts/{known.id}"' in page
    assert "Do not contact" in page  # the person it may be is shown as such
    assert contacts() == 1
    assert client.submit("/contacts/new", dict(fields, confirm_new="1")).status_code == 302
    assert contacts() == 2


def test_contact_form_refuses_a_known_email_with_a_link(login):
    known = make_contact(family_name="Smith", email="j.smith@example.com")
    client = login("staff")
    client.get("/contacts/new")
    response = client.submit("/contacts/new", {"family_name": "Smyth",
                                               "email": "J.Smith@example.com"})
    assert response.status_code == 422
    assert f'href="/contacts/{known.id}"' in response.get_data(as_text=True)
    assert contacts() == 1


def test_fair_form_links_the_same_company_the_company_form_refuses(login, make_company):
    """The same typed name is one company everywhere."""
    tdk = make_company(name="TDK株式会社")
    event = make_fair(name="CEATEC")
    client = login("liaison")
    client.get("/events/fair")
    response = client.submit("/events/fair", {"event": str(event.id), "family_name": "佐藤",
                                              "company": "ＴＤＫ(株)"})
    assert response.status_code == 302
    assert db.session.scalars(select(Contact.company_id)).one() == tdk.id
    assert companies() == 1
