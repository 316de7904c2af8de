"""Duplicates already in the database: finding likely pairs (each reason; companies that only
share common words are not proposed; dismissed pairs stay hidden) and merging two records
(every relation moves, the trail keeps everything, all or nothing, only for records.delete)."""
from __future__ import annotations

from collections import namedtuple
from datetime import date, timedelta

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, func, select

from crm.activities.models import Activity, activity_contacts
from crm.alumni.models import Alumnus
from crm.audit.models import AuditEntry
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.duplicates import merge as merging
from crm.duplicates import services
from crm.duplicates.models import DuplicateDismissal
from crm.events.models import Encounter, Event
from crm.extensions import db, utcnow
from crm.liaison.models import PortfolioAssignment
from crm.requests.models import DataEntryRequest

# Valid corporate numbers (check digit over the other twelve).
NUMBER_A = "5010001034850"
NUMBER_B = "3719001245858"


def pairs(kind: str = "companies", **kw) -> dict[tuple[int, int], services.Pair]:
    return {p.key: p for p in services.find_pairs(kind, use_cache=False, **kw)}


def key(a, b) -> tuple[int, int]:
    return tuple(sorted((a.id, b.id)))


def person(family: str, given: str | None = None, company: Company | None = None, **kw) -> Contact:
    """A contact written straight to the table, as an import or an old record left it: not
    tests.factories.make_contact, because the service refuses the second person with an e-mail
    that these tests need in the database."""
    contact = Contact(family_name=family, given_name=given, company=company, **kw)
    db.session.add(contact)
    db.session.commit()
    return contact


# --- finding companies -----------------------------------------------------------------------

def test_the_same_name_in_any_spelling_is_a_certain_pair(make_company):
    a = make_company(name="株式会社ABC")
    b = make_company(name="ＡＢＣ(株)")
    c = make_company(name="Tokyo Trading Partners", name_en="ABC Co., Ltd.")
    found = pairs()
    for x, y in ((a, b), (a, c), (b, c)):
        assert found[key(x, y)].strength == "certain"
        assert "name" in found[key(x, y)].reasons


def test_the_same_reading_is_likely(make_company):
    a = make_company(name="株式会社北辰", name_reading="ホクシン")
    b = make_company(name="北進株式会社", name_reading="ほくしん")  # hiragana folds to katakana
    pair = pairs()[key(a, b)]
    assert pair.reasons == ["reading"] and pair.strength == "likely"


def test_an_english_name_that_spells_the_reading_is_likely(make_company):
    a = make_company(name="株式会社山科製作所", name_reading="カブシキガイシャヤマシナセイサクショ")
    b = make_company(name="Yamashina Seisakusho", country="JP")
    pair = pairs()[key(a, b)]
    assert "romaji" in pair.reasons and pair.strength == "likely"


def test_the_same_website_is_likely(make_company):
    a = make_company(name="株式会社あおば", website="https://www.aoba-example.co.jp/")
    b = make_company(name="Midori Holdings", website="aoba-example.co.jp/en")
    assert pairs()[key(a, b)].reasons == ["website"]


def test_a_name_that_adds_a_word_naming_no_business_is_likely(make_company):
    a = make_company(name="株式会社桐生電機")
    b = make_company(name="桐生電機工業株式会社")
    c = make_company(name="Granite Photonics Inc.", country="US")
    d = make_company(name="Granite Photonics Japan K.K.", country="US")
    assert pairs()[key(a, b)].reasons == ["near_name"]
    assert "near_name" in pairs()[key(c, d)].reasons


def test_a_typo_in_a_latin_name_is_likely(make_company):
    a = make_company(name="Fujiwara Optics Inc.", country="US")
    b = make_company(name="Fujiwawa Optics Inc.", country="US")
    assert pairs()[key(a, b)].reasons == ["near_name"]


@pytest.mark.parametrize("first, second", [
    ({"name": "X Electric Co., Ltd."}, {"name": "Y Electric Co., Ltd."}),
    ({"name": "東京電機株式会社"}, {"name": "大阪電機株式会社"}),
    ({"name": "株式会社山田電機"}, {"name": "株式会社川田電機"}),
    ({"name": "日本電気株式会社"}, {"name": "日本化学株式会社"}),
    ({"name": "北斗精機株式会社"}, {"name": "北斗化成株式会社"}),
    ({"name": "東京北斗精機株式会社"}, {"name": "大阪北斗精機株式会社"}),
    ({"name": "京都協和工業株式会社"}, {"name": "京都協和化学工業株式会社"}),
    ({"name": "Sakura Electric Co., Ltd."}, {"name": "Sakura Chemical Co., Ltd."}),
    ({"name": "ABC Japan K.K."}, {"name": "ABC America Inc."}),
    ({"name": "Subaru Corporation"}, {"name": "Subaru Steel Co., Ltd."}),
    # One group, two countries, two legal forms: two companies.
    ({"name": "Atlas Instruments GmbH", "country": "DE"},
     {"name": "Atlas Instruments Inc.", "country": "US"}),
    # Read alike (工業 / 鋼業), and the English names say they differ.
    ({"name": "仙台常磐工業株式会社", "name_reading": "センダイトキワコウギョウ",
      "name_en": "Sendai Tokiwa Industries Co., Ltd."},
     {"name": "仙台常磐鋼業株式会社", "name_reading": "センダイトキワコウギョウ",
      "name_en": "Sendai Tokiwa Steel Co., Ltd."}),
    # The same name in one script, a different business in the other.
    ({"name": "東日本北斗精機株式会社", "name_en": "Higashi-Nihon Hokuto Seiki Co., Ltd."},
     {"name": "東日本北斗化成株式会社", "name_en": "Higashi-Nihon Hokuto Seiki Co., Ltd"}),
])
def test_companies_that_share_only_common_words_are_not_proposed(make_company, first, second):
    a, b = make_company(**first), make_company(**second)
    assert key(a, b) not in pairs()


def test_two_different_corporate_numbers_are_two_companies(make_company):
    a = make_company(name="東邦化学工業株式会社", corporate_number=NUMBER_A)
    b = make_company(name="東邦化学工業株式会社", corporate_number=NUMBER_B)
    c = make_company(name="東邦化学工業(株)")  # no number: may be either
    found = pairs()
    assert key(a, b) not in found
    assert found[key(a, c)].strength == "certain"
    assert services.find_all("companies", use_cache=False).set_aside == 1


def test_the_same_corporate_number_is_certain_whatever_the_names():
    """The database holds a corporate number once (a unique column), so this pair can only
    come from rows read elsewhere; the rule is checked on the finder itself."""
    row = namedtuple("Row", [c.key for c in services._COMPANY_COLUMNS])
    rows = [row(1, "旧社名株式会社", "旧社名", None, None, None, NUMBER_A, None, "JP", "株式会社"),
            row(2, "New Name Inc.", "newname", None, None, None, NUMBER_A, None, "JP", "Inc.")]
    found = services._company_pairs(rows)
    assert found.pairs[(1, 2)].reasons == ["corporate_number"]
    assert found.pairs[(1, 2)].strength == "certain"


def test_the_same_name_in_two_countries_with_one_legal_form_is_only_likely(make_company):
    a = make_company(name="Cedar Composites Inc.", country="US")
    b = make_company(name="Cedar Composites Inc.", country="CA")
    pair = pairs()[key(a, b)]
    assert pair.reasons == ["name", "countries_differ"] and pair.strength == "likely"


def test_pairs_come_strongest_first(make_company):
    weak_a = make_company(name="株式会社北辰", name_reading="ホクシン")
    weak_b = make_company(name="北進株式会社", name_reading="ホクシン")
    strong_a = make_company(name="株式会社ABC")
    strong_b = make_company(name="ABC Co., Ltd.")
    listed = [p.key for p in services.find_pairs("companies", use_cache=False)]
    assert listed == [key(strong_a, strong_b), key(weak_a, weak_b)]


# --- finding contacts -------------------------------------------------------------------------

def test_the_same_email_in_any_case_or_as_another_address_is_certain(make_company):
    acme = make_company(name="株式会社アクメ")
    a = person("山田", "太郎", acme, email="taro.yamada@acme.example.jp")
    b = person("Yamada", "T.", None, email="TARO.YAMADA@acme.example.jp")
    c = person("やまだ", None, None, other_emails="old@example.jp\nTaro.Yamada@Acme.example.jp")
    found = pairs("contacts")
    for x, y in ((a, b), (a, c), (b, c)):
        assert "email" in found[key(x, y)].reasons
        assert found[key(x, y)].strength == "certain"


def test_the_same_phone_written_differently_is_likely_when_the_names_agree(make_company):
    acme = make_company(name="株式会社アクメ")
    a = person("山田", "太郎", acme, phone="+81 3-1234-5678",
               family_name_reading="ヤマダ")
    b = person("Yamada", "Taro", None, mobile="03(1234)5678 内線 12")
    shared = person("佐藤", "花子", acme, phone="03-1234-5678")  # the same switchboard
    found = pairs("contacts")
    assert found[key(a, b)].reasons == ["phone"] and found[key(a, b)].strength == "likely"
    assert key(a, shared) not in found and key(b, shared) not in found


def test_the_same_name_or_reading_at_the_same_company_is_likely(make_company):
    acme = make_company(name="株式会社アクメ")
    other = make_company(name="株式会社ベータ")
    a = person("山田", "太郎", acme)
    b = person("山田", "太郎", acme, email="t-yamada@acme.example.jp")
    elsewhere = person("山田", "太郎", other)
    c = person("鈴木", "一郎", acme, family_name_reading="スズキ", given_name_reading="イチロウ")
    d = person("鈴木", "一朗", acme, family_name_reading="すずき", given_name_reading="いちろう")
    e = person("Smith", "John", acme)
    f = person("John", "Smith", acme)  # typed the other way round
    found = pairs("contacts")
    assert found[key(a, b)].reasons == ["name_company"]
    assert key(a, elsewhere) not in found and key(b, elsewhere) not in found
    assert found[key(c, d)].reasons == ["reading_company"]
    assert found[key(e, f)].reasons == ["name_company"]


def test_the_finder_runs_the_same_number_of_queries_for_any_number_of_records(
        make_company, count_queries):
    def queries() -> int:
        with count_queries() as n:
            services.find_pairs("companies", use_cache=False)
            services.find_pairs("contacts", use_cache=False)
        return n()

    for i in range(3):
        person("山田", "太郎", make_company(name=f"株式会社テスト{i}"))
    few = queries()
    for i in range(3, 40):
        company = make_company(name=f"Test {i} Electric Co., Ltd.")
        person("山田", "太郎", company, email=f"t{i}@example.jp")
        person("山田", "太郎", company, email=f"t{i}@example.jp")
    assert queries() == few


# --- the list page and dismissing -------------------------------------------------------------

def test_the_page_lists_pairs_with_reasons_and_dismissed_ones_stay_hidden(login, make_company):
    a = make_company(name="株式会社ABC")
    b = make_company(name="ABC Co., Ltd.")
    client = login("bd")
    page = client.get("/duplicates/?kind=companies").get_data(as_text=True)
    assert "same name" in page and "Certain" in page
    assert f"/duplicates/companies/{a.id}/{b.id}" in page

    answer = client.submit("/duplicates/dismiss", {"kind": "companies", "first": b.id,
                                                   "second": a.id, "next": "/duplicates/"})
    assert answer.status_code == 302
    assert key(a, b) not in pairs()
    assert key(a, b) in {p.key for p in services.find_all("companies", use_cache=False).pairs}
    page = client.get("/duplicates/?kind=companies").get_data(as_text=True)
    assert f"/duplicates/companies/{a.id}/{b.id}" not in page
    assert "No likely duplicates found." in page


def test_the_kept_list_follows_new_records_and_merges(login, make_company):
    a = make_company(name="株式会社ABC")
    b = make_company(name="ABC Co., Ltd.")
    client = login("bd")
    assert f"/duplicates/companies/{a.id}/{b.id}" in client.get("/duplicates/").get_data(
        as_text=True)
    c = make_company(name="ＡＢＣ(株)")  # a new record: the list is computed again
    page = client.get("/duplicates/").get_data(as_text=True)
    assert f"/duplicates/companies/{a.id}/{c.id}" in page
    kept = services.find_all("companies")
    client.submit(f"/duplicates/companies/{a.id}/{c.id}", _versions(a.id, c.id, Company))
    page = client.get("/duplicates/").get_data(as_text=True)
    assert services.find_all("companies") is kept  # patched, not computed again
    assert f"/duplicates/companies/{a.id}/{b.id}" in page
    assert f"/duplicates/companies/{a.id}/{c.id}" not in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Company.id))) == 2


def test_dismissing_needs_the_csrf_token_and_the_permission(login, make_company):
    a = make_company(name="株式会社ABC")
    b = make_company(name="ABC Co., Ltd.")
    data = {"kind": "companies", "first": a.id, "second": b.id}
    assert login("bd").post("/duplicates/dismiss", data=data).status_code == 400
    assert login("liaison").forge("/duplicates/dismiss", data).status_code == 403
    assert db.session.scalar(select(func.count(DuplicateDismissal.id))) == 0


def test_the_contacts_tab_and_a_records_pairs(login, make_company):
    acme = make_company(name="株式会社アクメ")
    a = person("山田", "太郎", acme)
    b = person("山田", "太郎", acme)
    person("佐藤", "花子", acme)
    client = login("manager")
    page = client.get(f"/duplicates/?kind=contacts&record={a.id}").get_data(as_text=True)
    assert "same name at the same company" in page
    assert f"/duplicates/contacts/{a.id}/{b.id}" in page
    assert client.get("/duplicates/?kind=contacts&record=999999").status_code == 404


# --- merging companies -------------------------------------------------------------------------

@pytest.fixture
def two_companies(make_company, users):
    """Company A (kept) and B (merged into A), B with one of everything."""
    officer_a, officer_b = users["liaison"], users["manager"]
    a = make_company(name="株式会社ABC", name_reading="エービーシー")
    b = make_company(name="ABC Co., Ltd.", corporate_number=NUMBER_A, website="https://abc.example",
                     interests="Batteries")
    child = make_company(name="ABC Logistics", parent_id=b.id)
    now = utcnow()
    db.session.add_all([
        PortfolioAssignment(company_id=a.id, officer_id=officer_a.id,
                            started_at=now - timedelta(days=30)),
        PortfolioAssignment(company_id=b.id, officer_id=officer_b.id,
                            started_at=now - timedelta(days=60)),
    ])
    a.officer_id, b.officer_id = officer_a.id, officer_b.id
    contact = Contact(family_name="佐藤", given_name="花子", company=b)
    activity = Activity(company=b, kind="meeting", occurred_on=date(2026, 1, 5),
                        subject="Kick-off", contacts=[contact])
    alumnus = Alumnus(family_name="卒業", given_name="生", employer=b)
    donation = Donation(company=b, amount=10000, currency="JPY", received_on=date(2026, 3, 1))
    request = DataEntryRequest(person_name="佐藤 花子", company_name="ABC", company=b)
    db.session.add_all([contact, activity, alumnus, donation, request])
    other = make_company(name="Other K.K.")
    db.session.add(DuplicateDismissal(kind="companies", first_id=b.id, second_id=other.id))
    db.session.commit()
    return {"a": a.id, "b": b.id, "child": child.id, "contact": contact.id,
            "activity": activity.id, "alumnus": alumnus.id, "donation": donation.id,
            "request": request.id, "other": other.id, "officer_a": officer_a.id,
            "officer_b": officer_b.id}


def test_the_compare_page_shows_both_and_what_moves(login, two_companies):
    ids = two_companies
    page = login("bd").get(f"/duplicates/companies/{ids['a']}/{ids['b']}").get_data(as_text=True)
    assert "株式会社ABC" in page and "ABC Co., Ltd." in page
    assert 'name="keep_corporate_number"' in page and 'name="keep_name"' in page
    for moving in ("contacts: 1", "activities: 1", "alumni: 1", "donations: 1",
                   "portfolio history: 1", "data-entry requests: 1", "subsidiaries: 1"):
        assert moving in page
    assert "Both have a responsible officer" in page


def test_merging_companies_moves_every_relation_and_keeps_the_trail(login, two_companies):
    ids = two_companies
    client = login("bd")
    page = client.get(f"/duplicates/companies/{ids['a']}/{ids['b']}").get_data(as_text=True)
    assert 'name="a_version"' in page
    answer = client.submit(f"/duplicates/companies/{ids['a']}/{ids['b']}", {
        **_versions(ids["a"], ids["b"], Company), "keep_name": "a",
        "keep_corporate_number": "b", "keep_interests": "b",
        "keep_officer_id": "a"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert answer.headers["Location"].endswith(f"/companies/{ids['a']}")

    db.session.expire_all()
    a = db.session.get(Company, ids["a"])
    assert db.session.get(Company, ids["b"]) is None
    assert a.name == "株式会社ABC" and a.corporate_number == NUMBER_A
    assert a.interests == "Batteries" and a.website == "https://abc.example"
    assert "ABC Co., Ltd." in a.alias_list  # B's name stays findable
    assert db.session.get(Contact, ids["contact"]).company_id == a.id
    assert db.session.get(Activity, ids["activity"]).company_id == a.id
    assert db.session.get(Alumnus, ids["alumnus"]).employer_id == a.id
    assert db.session.get(Donation, ids["donation"]).company_id == a.id
    assert db.session.get(DataEntryRequest, ids["request"]).company_id == a.id
    assert db.session.get(Company, ids["child"]).parent_id == a.id
    assignments = db.session.scalars(select(PortfolioAssignment)
                                     .where(PortfolioAssignment.company_id == a.id)).all()
    assert len(assignments) == 2
    assert [x.officer_id for x in assignments if x.ended_at is None] == [ids["officer_a"]]
    assert a.officer_id == ids["officer_a"]
    dismissal = db.session.scalars(select(DuplicateDismissal)).one()
    assert (dismissal.first_id, dismissal.second_id) == tuple(sorted((a.id, ids["other"])))

    trail = db.session.scalars(select(AuditEntry)).all()
    lines = {(t.action, t.entity, t.entity_id) for t in trail}
    assert ("delete", "companies", ids["b"]) in lines
    for entity, entity_id in (("contacts", ids["contact"]), ("activities", ids["activity"]),
                              ("alumni", ids["alumnus"]), ("donations", ids["donation"]),
                              ("data_entry_requests", ids["request"])):
        assert ("update", entity, entity_id) in lines, entity
    merged = [t for t in trail if t.entity == "companies" and "merged" in t.changes]
    assert merged[0].entity_id == a.id
    assert merged[0].changes["merged"][0].startswith(f"#{ids['b']}")
    assert [t for t in trail if t.entity_id == ids["b"] and "merged_into" in t.changes]
    deleted = next(t for t in trail if t.action == "delete" and t.entity_id == ids["b"])
    assert deleted.changes["name"] == ["ABC Co., Ltd.", None]  # B's values are kept
    # The company page's recent changes show the merge (to those who may read the trail).
    page = login("manager").get(f"/companies/{a.id}").get_data(as_text=True)
    assert "Recent changes" in page and "Merged, Records moved" in page


def test_merging_leaves_the_loser_out_of_the_search_index(app, login, two_companies):
    from crm import search

    ids = two_companies
    search.rebuild(kinds=["company"])
    client = login("bd")
    client.submit(f"/duplicates/companies/{ids['a']}/{ids['b']}",
                  _versions(ids["a"], ids["b"], Company))
    search.drain()
    hits = search.get_index().search("ABC", kinds=["company"], limit=10).by_kind()
    found = {h.id for h in hits.get("company", [])}
    assert ids["a"] in found and ids["b"] not in found


def _versions(a_id: int, b_id: int, model) -> dict[str, str]:
    db.session.expire_all()
    a, b = db.session.get(model, a_id), db.session.get(model, b_id)
    return {"a_version": a.updated_at.isoformat(), "b_version": b.updated_at.isoformat()}


def test_merge_keeping_the_others_officer_ends_the_survivors_assignment(two_companies):
    ids = two_companies
    merging.merge("companies", ids["a"], ids["b"], {"officer_id": "b"})
    db.session.commit()
    open_rows = db.session.scalars(select(PortfolioAssignment).where(
        PortfolioAssignment.company_id == ids["a"], PortfolioAssignment.ended_at.is_(None))).all()
    assert [r.officer_id for r in open_rows] == [ids["officer_b"]]
    assert db.session.get(Company, ids["a"]).officer_id == ids["officer_b"]


def test_a_table_added_later_with_a_company_link_is_moved_too(make_company):
    """Relations are found in the schema, not listed: a new feature's table is covered."""
    table = Table("dup_test_later", db.metadata,
                  Column("id", Integer, primary_key=True),
                  Column("company_id", ForeignKey("companies.id")))
    table.create(db.engine)
    try:
        a, b = make_company(name="株式会社ABC"), make_company(name="ABC Co., Ltd.")
        db.session.execute(table.insert(), [{"id": 1, "company_id": b.id},
                                            {"id": 2, "company_id": a.id}])
        db.session.commit()
        assert ("dup_test_later", "dup test later", 1) in merging.preview(
            "companies", a, b).moves
        merging.merge("companies", a.id, b.id)
        db.session.commit()
        assert db.session.execute(select(table.c.company_id)).scalars().all() == [a.id, a.id]
        line = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "dup_test_later")).one()
        assert line.entity_id == 1 and line.changes == {"company_id": [b.id, a.id]}
    finally:
        db.session.remove()
        table.drop(db.engine)
        db.metadata.remove(table)


def test_every_relation_a_merge_moves_has_a_name_on_the_compare_page(app):
    """"screenings: 1" on the Japanese compare page: each table pointing at companies or
    contacts (collaborations, NDAs, screenings were added after the merge) has a label."""
    from crm.duplicates.merge import TABLE_LABELS
    from crm.extensions import db

    linked = {t.name for t in db.metadata.sorted_tables for fk in t.foreign_keys
              if fk.column.table.name in ("companies", "contacts")}
    assert linked - set(TABLE_LABELS) == set()


# --- merging contacts --------------------------------------------------------------------------

def test_merging_contacts_moves_links_encounters_and_requests(login, make_company):
    acme = make_company(name="株式会社アクメ")
    a = person("山田", "太郎", acme, email="taro@acme.example.jp")
    b = person("山田", "太郎", acme, email="t-yamada@acme.example.jp", phone="03-1234-5678",
               do_not_contact=True)
    both = Activity(company=acme, kind="meeting", occurred_on=date(2026, 1, 5),
                    subject="Both attended", contacts=[a, b])
    only_b = Activity(company=acme, kind="call", occurred_on=date(2026, 2, 5),
                      subject="B only", contacts=[b])
    event = Event(name="CEATEC", kind="trade_show", starts_on=date(2026, 10, 14))
    encounter = Encounter(event=event, contact=b)
    alumnus_a = Alumnus(family_name="山田", given_name="太郎", contact=a)
    alumnus_b = Alumnus(family_name="山田", given_name="太郎", contact=b)
    request = DataEntryRequest(person_name="山田 太郎", contact=b)
    db.session.add_all([both, only_b, event, encounter, alumnus_a, alumnus_b, request])
    db.session.commit()
    ids = {"both": both.id, "only_b": only_b.id, "encounter": encounter.id,
           "alumnus_a": alumnus_a.id, "alumnus_b": alumnus_b.id, "request": request.id}
    a_id, b_id = a.id, b.id

    client = login("manager")
    page = client.get(f"/duplicates/contacts/{a_id}/{b_id}").get_data(as_text=True)
    assert "activities attended: 2" in page and "encounters: 1" in page
    answer = client.submit(f"/duplicates/contacts/{a_id}/{b_id}",
                           {**_versions(a_id, b_id, Contact), "keep_email": "a"})
    assert answer.status_code == 302

    db.session.expire_all()
    a = db.session.get(Contact, a_id)
    assert db.session.get(Contact, b_id) is None
    links = db.session.execute(select(activity_contacts.c.activity_id,
                                      activity_contacts.c.contact_id)).all()
    assert sorted(tuple(r) for r in links) == sorted([(ids["both"], a_id),
                                                      (ids["only_b"], a_id)])
    assert db.session.get(Encounter, ids["encounter"]).contact_id == a_id
    assert db.session.get(Alumnus, ids["alumnus_a"]).contact_id == a_id
    assert db.session.get(Alumnus, ids["alumnus_b"]).contact_id is None  # unique: A keeps it
    assert db.session.get(DataEntryRequest, ids["request"]).contact_id == a_id
    assert a.email == "taro@acme.example.jp"
    assert "t-yamada@acme.example.jp" in a.other_emails.splitlines()
    assert a.phone == "03-1234-5678" and a.do_not_contact is True
    trail = {(t.action, t.entity, t.entity_id)
             for t in db.session.scalars(select(AuditEntry))}
    assert ("delete", "contacts", b_id) in trail
    assert ("update", "activities", ids["both"]) in trail
    assert ("update", "activities", ids["only_b"]) in trail
    assert ("update", "encounters", ids["encounter"]) in trail


# --- refusals ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["liaison", "staff", "researcher", "export_control"])
def test_merging_is_refused_without_records_delete(login, two_companies, role):
    ids = two_companies
    url = f"/duplicates/companies/{ids['a']}/{ids['b']}"
    client = login(role)
    assert client.get(url).status_code == 403
    assert client.forge(url, _versions(ids["a"], ids["b"], Company)).status_code == 403
    assert db.session.get(Company, ids["b"]) is not None


def test_merging_without_the_csrf_token_is_refused(login, two_companies):
    ids = two_companies
    answer = login("bd").post(f"/duplicates/companies/{ids['a']}/{ids['b']}",
                              data=_versions(ids["a"], ids["b"], Company))
    assert answer.status_code == 400
    assert db.session.get(Company, ids["b"]) is not None


def test_a_record_cannot_be_merged_with_itself(login, two_companies):
    ids = two_companies
    client = login("bd")
    url = f"/duplicates/companies/{ids['a']}/{ids['a']}"
    assert client.get(url).status_code == 409
    assert client.forge(url, _versions(ids["a"], ids["a"], Company)).status_code == 409
    with pytest.raises(services.ValidationError):
        merging.merge("companies", ids["a"], ids["a"])
    assert db.session.get(Company, ids["a"]) is not None


def test_a_merge_chosen_on_values_changed_since_is_refused(login, two_companies):
    ids = two_companies
    versions = _versions(ids["a"], ids["b"], Company)
    b = db.session.get(Company, ids["b"])
    b.notes = "changed meanwhile"
    db.session.commit()
    answer = login("bd").submit(f"/duplicates/companies/{ids['a']}/{ids['b']}", versions)
    assert answer.status_code == 409
    assert "changed after this page was shown" in answer.get_data(as_text=True)
    assert db.session.get(Company, ids["b"]) is not None


def test_a_failure_in_the_middle_of_a_merge_changes_nothing(login, two_companies, monkeypatch):
    ids = two_companies

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    # Fails after the contacts, activities, donations ... have been moved and flushed.
    monkeypatch.setattr(merging, "_move_dismissals", explode)
    trail_before = db.session.scalar(select(func.count(AuditEntry.id)))
    with pytest.raises(RuntimeError):
        login("bd").submit(f"/duplicates/companies/{ids['a']}/{ids['b']}",
                           _versions(ids["a"], ids["b"], Company))
    db.session.expire_all()
    assert db.session.get(Company, ids["b"]) is not None
    assert db.session.get(Contact, ids["contact"]).company_id == ids["b"]
    assert db.session.get(Activity, ids["activity"]).company_id == ids["b"]
    assert db.session.get(Donation, ids["donation"]).company_id == ids["b"]
    assert db.session.scalar(select(func.count(PortfolioAssignment.id)).where(
        PortfolioAssignment.ended_at.is_(None))) == 2
    assert db.session.scalar(select(func.count(AuditEntry.id))) == trail_before


def test_the_finders_distinctive_part_is_the_one_matching_uses():
    """The finder takes names apart in its own faster pass; it must agree with
    crm.contacts.matching, which the entry forms use."""
    from crm.contacts.matching import distinctive_core

    names = ["株式会社山田電機工業", "東京電機株式会社", "日本電気株式会社", "X Electric Co., Ltd.",
             "Granite Photonics Japan K.K.", "ホールディングス電機", "東日本北斗精機株式会社",
             "ＡＢＣ(株)", "Sakura Chemical Industries Co., Ltd.", "株式会社SUBARU", "キヤノン電子株式会社"]
    for name in names:
        assert services.name_shape(name).core == distinctive_core(name), name


def test_merge_keeps_the_status_that_says_most_about_the_relationship(app):
    """A card typed again at a fair makes a newer 'prospect' record of a company we work with:
    merging must not downgrade the partner to a prospect by default."""
    from datetime import datetime

    partner = Company(name="AGC株式会社", name_folded="agc", country="JP", status="active",
                      updated_at=datetime(2025, 1, 1))
    typed_again = Company(name="ＡＧＣ(株)", name_folded="agc", country="JP", status="prospect",
                          updated_at=datetime(2026, 10, 1))
    assert merging.default_choices("companies", partner, typed_again)["status"] == "a"
    assert merging.default_choices("companies", typed_again, partner)["status"] == "b"
    dormant = Company(name="X", name_folded="x", country="JP", status="dormant")
    former = Company(name="X", name_folded="x", country="JP", status="former")
    assert merging.default_choices("companies", former, dormant)["status"] == "b"
