"""Companies: the list, the company page, the form, deletion, and the rules behind them."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from crm.activities.models import Activity
from crm.audit.models import AuditEntry
from crm.common.services import ValidationError
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.extensions import db
from tests.factories import (make_activity, make_collaboration, make_contact, make_donation,
                             make_nda, make_seed)
from tests.reading import count

TOYOTA = "1180301018771"  # a real corporate number (法人番号) with a valid check digit


def test_create_company_through_the_form(login):
    client = login("liaison")
    r = client.submit("/companies/new", {"name": "株式会社　架橋テック", "name_en": "Kakyo Tech Co., Ltd.",
                                         "corporate_number": TOYOTA, "country": "jp",
                                         "status": "active", "interests": "熱設計 and SiC"})
    assert r.status_code == 302
    company = db.session.scalar(select(Company))
    assert company.name == "株式会社　架橋テック"
    assert company.country == "JP"
    assert company.legal_form == "株式会社"
    assert company.name_folded == "架橋テック"
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "架橋テック" in page and "熱設計 and SiC" in page and TOYOTA in page


def test_corporate_number_check_digit_is_validated(login):
    client = login("liaison")
    r = client.submit("/companies/new", {"name": "Bad Number KK", "corporate_number": "1180301018772",
                                         "country": "JP", "status": "prospect"})
    assert r.status_code == 422
    assert "is not one" in r.get_data(as_text=True)
    assert count(Company) == 0


def test_full_width_corporate_number_is_accepted(login):
    client = login("liaison")
    r = client.submit("/companies/new", {"name": "全角", "corporate_number": "１１８０３０１０１８７７１",
                                         "country": "JP", "status": "prospect"})
    assert r.status_code == 302
    assert db.session.scalar(select(Company.corporate_number)) == TOYOTA


def test_duplicate_corporate_number_names_the_existing_company(login, make_company):
    existing = make_company(name="トヨタ自動車株式会社", corporate_number=TOYOTA)
    client = login("liaison")
    r = client.submit("/companies/new", {"name": "Toyota Motor Corporation",
                                         "corporate_number": TOYOTA, "country": "JP",
                                         "status": "prospect"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert f"already belongs to トヨタ自動車株式会社 (#{existing.id})" in body
    assert count(Company) == 1


def test_the_database_enforces_unique_corporate_numbers(app, make_company):
    import pytest
    from sqlalchemy.exc import IntegrityError

    make_company(name="A", corporate_number=TOYOTA)
    db.session.add(Company(name="B", name_folded="b", corporate_number=TOYOTA, status="prospect",
                           country="JP"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_missing_name_gets_a_message_beside_the_field(login):
    r = login("liaison").submit("/companies/new", {"name": "", "country": "JP", "status": "prospect"})
    assert r.status_code == 422
    assert "invalid-feedback" in r.get_data(as_text=True)
    assert count(Company) == 0


def test_company_cannot_be_its_own_grandparent(login, make_company):
    a = make_company(name="親会社")
    b = make_company(name="子会社", parent_id=a.id)
    r = login("manager").submit(f"/companies/{a.id}/edit", {"name": "親会社", "country": "JP",
                                                            "status": "active",
                                                            "parent": f"子会社 [#{b.id}]"})
    assert r.status_code == 422
    assert db.session.get(Company, a.id).parent_id is None


def test_parent_picked_by_unique_name(login, make_company):
    parent = make_company(name="ソニーグループ株式会社")
    r = login("manager").submit("/companies/new", {"name": "ソニーセミコンダクタ株式会社",
                                                   "country": "JP", "status": "active",
                                                   "parent": "ソニーグループ(株)"})
    assert r.status_code == 302
    child = db.session.scalar(select(Company).where(Company.id != parent.id))
    assert child.parent_id == parent.id


def test_update_is_audited_with_before_and_after(login, make_company, users):
    company = make_company(name="Acme Inc.", industry="Chemicals")
    r = login("liaison").submit(f"/companies/{company.id}/edit", {
        "name": "Acme Inc.", "industry": "Materials", "country": "US", "status": "prospect"})
    assert r.status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
    assert entry.entity == "companies" and entry.entity_id == company.id
    assert entry.changes["industry"] == ["Chemicals", "Materials"]
    assert entry.changes["country"] == ["JP", "US"]
    assert entry.user_id == users["liaison"].id


def test_list_search_folds_width_legal_form_and_case(login, make_company):
    make_company(name="株式会社ABC", name_en="ABC Co., Ltd.")
    make_company(name="XYZ Holdings")
    client = login("staff")
    for q in ("ＡＢＣ(株)", "abc", "ABC Co., Ltd."):
        body = client.get("/companies/", query_string={"q": q}).get_data(as_text=True)
        assert "株式会社ABC" in body, q
        assert "XYZ Holdings" not in body, q


def test_list_search_by_katakana_reading_typed_in_hiragana(login, make_company):
    make_company(name="株式会社サカタのタネ", name_reading="サカタノタネ")
    body = login("staff").get("/companies/", query_string={"q": "さかたのたね"}).get_data(as_text=True)
    assert "株式会社サカタのタネ" in body


def test_list_sorts_paginates_and_filters(login, make_company):
    for i in range(60):
        make_company(name=f"Company {i:02d}", country="DE" if i % 2 else "JP")
    client = login("staff")
    first = client.get("/companies/?sort=name&dir=desc").get_data(as_text=True)
    assert "Company 59" in first and "Company 00" not in first
    second = client.get("/companies/?sort=name&dir=desc&page=2").get_data(as_text=True)
    assert "Company 00" in second
    only_de = client.get("/companies/?country=de").get_data(as_text=True)
    assert "Company 01" in only_de and "Company 02" not in only_de


def test_as_you_type_returns_only_the_results(login, make_company):
    make_company(name="Typing Co.")
    r = login("staff").get("/companies/?q=typ", headers={"HX-Request": "true", "HX-Target": "results"})
    body = r.get_data(as_text=True)
    assert "Typing Co." in body and "<nav class=\"navbar" not in body


def _company_with_history(make_company, n: int, users) -> Company:
    company = make_company(name=f"History {n}", officer_id=users["liaison"].id)
    for i in range(n):
        contact = make_contact(company, f"姓{i}", "名")
        make_activity(company, users["liaison"], occurred_on=date(2026, 1, 1 + i % 28),
                      subject=f"Meeting {i}", contacts=[contact])
        make_donation(company, str(1000 + i))
    return company


def test_company_page_query_count_does_not_grow_with_history(login, make_company, users,
                                                             same_queries):
    small = _company_with_history(make_company, 2, users)
    large = _company_with_history(make_company, 20, users)
    body = same_queries(login("manager"), f"/companies/{small.id}", f"/companies/{large.id}")
    assert "Meeting 19" in body and "姓19" in body


def test_the_industry_filter_offers_each_industry_once_in_order(login, make_company):
    for name, industry in [("A", "化学"), ("B", "Materials"), ("C", "化学"), ("D", None),
                           ("E", "Chemicals"), ("F", "Materials")]:
        make_company(name=f"{name} KK", industry=industry)
    client = login("manager")
    for url in ("/companies/", "/contacts/"):
        page = client.get(url).get_data(as_text=True)
        offered = re.findall(r"<option >(Chemicals|Materials|化学)</option>", page)
        assert offered == ["Chemicals", "Materials", "化学"], url
    only = client.get("/companies/?industry=化学").get_data(as_text=True)
    assert "A KK" in only and "C KK" in only and "B KK" not in only


def test_company_list_query_count_does_not_grow_with_rows(login, make_company, users,
                                                          count_queries):
    client = login("manager")
    for i in range(2):
        make_company(name=f"A{i}", officer_id=users["liaison"].id)
    client.get("/companies/")
    with count_queries() as few:
        client.get("/companies/")
    for i in range(30):
        make_company(name=f"B{i}", officer_id=users["liaison"].id if i % 2 else users["manager"].id)
    with count_queries() as many:
        client.get("/companies/")
    assert few() == many()


def test_researcher_sees_company_but_not_donations(login, make_company, users):
    company = _company_with_history(make_company, 2, users)
    body = login("researcher").get(f"/companies/{company.id}").get_data(as_text=True)
    assert "History 2" in body
    assert "1,000" not in body and "¥1,000" not in body and "￥1,000" not in body
    manager_body = login("manager").get(f"/companies/{company.id}").get_data(as_text=True)
    assert "1,000" in manager_body


def test_confidential_minutes_hidden_from_other_officers(login, make_company, users):
    company = make_company(name="Secretive K.K.")
    db.session.add(Activity(company_id=company.id, kind="meeting", occurred_on=date(2026, 5, 1),
                            subject="Budget talk", minutes="They will cut 30% of R&D",
                            user_id=users["manager"].id, confidential=True))
    db.session.commit()
    assert "cut 30%" not in login("researcher").get(f"/companies/{company.id}").get_data(as_text=True)
    assert "cut 30%" not in login("liaison").get(f"/companies/{company.id}").get_data(as_text=True)
    assert "cut 30%" in login("admin").get(f"/companies/{company.id}").get_data(as_text=True)


def test_delete_asks_first_and_keeps_the_trail(login, make_company, users):
    company = make_company(name="Short-lived Ltd.")
    company_id = company.id
    db.session.add(Contact(family_name="Tanaka", company_id=company.id))
    db.session.add(Activity(company_id=company.id, kind="call", occurred_on=date(2026, 2, 2),
                            subject="Intro call"))
    db.session.commit()
    client = login("bd")
    ask = client.get(f"/companies/{company.id}/delete").get_data(as_text=True)
    assert "Short-lived Ltd." in ask and "Activities" in ask
    assert db.session.get(Company, company.id) is not None
    r = client.submit(f"/companies/{company_id}/delete")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company_id) is None
    assert db.session.scalar(select(Contact)).company_id is None  # the person stays
    actions = {(e.entity, e.action) for e in db.session.scalars(select(AuditEntry))}
    assert ("companies", "delete") in actions and ("activities", "delete") in actions
    assert client.get(f"/companies/{company_id}").status_code == 404


def test_company_with_donations_cannot_be_deleted(login, make_company):
    company = make_company(name="Generous Corp.")
    db.session.add(Donation(company_id=company.id, amount=5_000_000, currency="JPY",
                            received_on=date(2025, 3, 31)))
    db.session.commit()
    r = login("manager").submit(f"/companies/{company.id}/delete")
    assert r.status_code == 409
    assert "donations" in r.get_data(as_text=True)
    assert db.session.get(Company, company.id) is not None


def test_a_company_with_a_collaboration_or_nda_is_not_deleted(login, make_company):
    from crm.companies.services import delete_company

    partner = make_company(name="株式会社アクメ電機")
    other = make_company(name="株式会社ベータ")
    plain = make_company(name="株式会社ガンマ")
    make_collaboration(partner, make_seed())
    make_nda(other, title="NDA", status="draft", signed_on=None, effective_from=date.today(),
             term_months=12)
    with pytest.raises(ValidationError, match="株式会社アクメ電機"):
        delete_company(partner)
    db.session.rollback()
    manager = login("manager")
    response = manager.submit(f"/companies/{other.id}/delete", {})
    assert response.status_code == 409
    assert "株式会社ベータ" in response.get_data(as_text=True)
    assert db.session.get(Company, partner.id) is not None
    assert db.session.get(Company, other.id) is not None
    plain_id = plain.id
    assert manager.submit(f"/companies/{plain_id}/delete", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, plain_id) is None


def test_staff_cannot_delete_and_forged_post_is_refused(login, make_company):
    company = make_company(name="Keep Me")
    assert login("staff").forge(f"/companies/{company.id}/delete").status_code == 403
    bd = login("bd")
    assert bd.post(f"/companies/{company.id}/delete").status_code == 400  # no CSRF token
    assert db.session.get(Company, company.id) is not None


def test_unknown_company_is_404(login):
    r = login("staff").get("/companies/999999")
    assert r.status_code == 404
    assert "There is no such page or record." in r.get_data(as_text=True)


def test_suggestions_find_companies_as_you_type(login, make_company):
    c = make_company(name="株式会社日立製作所", name_en="Hitachi, Ltd.")
    body = login("liaison").get("/suggest/company?field=parent&parent=hitachi").get_data(as_text=True)
    assert f"株式会社日立製作所 [#{c.id}]" in body


def test_output_is_escaped(login, make_company):
    company = make_company(name="<script>alert(1)</script> K.K.")
    body = login("staff").get(f"/companies/{company.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_a_broad_search_says_more_than_the_cap_instead_of_counting_all(login, make_company,
                                                                        monkeypatch):
    import crm.common.views as views

    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 5)
    for i in range(8):
        make_company(name=f"Broad Match {i}")
    body = login("staff").get("/companies/?q=broad").get_data(as_text=True)
    assert "More than 5 records" in body
    # past the cap the page still holds every match, in the order asked for
    assert [body.index(f"Broad Match {i}") for i in range(8)] == sorted(
        body.index(f"Broad Match {i}") for i in range(8))
    desc = login("staff").get("/companies/?q=broad&sort=name&dir=desc").get_data(as_text=True)
    assert desc.index("Broad Match 7") < desc.index("Broad Match 0")
    assert "8 records" not in login("staff").get("/companies/?q=broad").get_data(as_text=True)
    assert "8 records" in login("staff").get("/companies/").get_data(as_text=True)


def test_deep_pages_show_a_gap_marker(login, app):
    from sqlalchemy import insert

    from crm.companies.models import derived_fields

    db.session.execute(insert(Company), [
        {"name": f"Bulk {i:04d}", "country": "JP", "status": "prospect",
         **derived_fields(f"Bulk {i:04d}", None, None, None, None)} for i in range(520)])
    db.session.commit()
    body = login("staff").get("/companies/?page=6").get_data(as_text=True)
    assert "…" in body and "Bulk 0250" in body and "page 6 of 11" in body
