"""The company and contact list searches served by an index (crm/common/textsearch.py): what
they find is what "the search text contains the typed text" finds, for texts of any length
(trigram indexes need three characters; one and two go through the pairs table on SQLite),
and the indexes follow every insert, edit and delete."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.common.textsearch import contains_any
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.contacts.services import delete_contact, save_contact
from crm.extensions import db
from tests.factories import make_company, make_contact
from tests.reading import page

PEOPLE = [
    dict(family_name="田中", given_name="太郎", family_name_reading="タナカ",
         given_name_reading="タロウ", email="taro_tanaka@example.com"),
    dict(family_name="中田", given_name="英寿", family_name_reading="ナカタ",
         given_name_reading="ヒデトシ", email="h.nakata@example.jp"),
    dict(family_name="山", given_name="花", email="a_b@odd.example"),
    dict(family_name="Smith", given_name='Jo"hn 100%'),
    dict(family_name="O'Brien", given_name="Ann", email="ann@ob.example"),
]
#: one, two and three or more characters; in names, readings and e-mails; LIKE's wildcards
#: and FTS5's quote taken literally; texts found nowhere
TYPED = ["田", "山", "中", "田中", "中田", "タナ", "ナカ", "ro", "_t", "0%", '"h', "'b", "@", "_",
         "田中太郎", "タナカ", "tanaka", "example.com", "100%", 'jo"h', "o'brien", "a_b@", "zq", "zqx",
         "ヒデトシ", "x"]


def found(model, text: str) -> set[int]:
    return set(db.session.execute(select(model.id).where(contains_any(model, [text])))
               .scalars())


def contains(model, text: str) -> set[int]:
    """The oracle: every row whose search text holds the text, read in Python."""
    return {row.id for row in db.session.execute(select(model.id, model.search_text))
            if text in row.search_text}


def test_contact_texts_of_every_length_find_what_the_text_contains(app):
    for person in PEOPLE:
        make_contact(**person)
    for typed in TYPED:
        assert found(Contact, typed) == contains(Contact, typed), typed
    assert found(Contact, "田中") and found(Contact, "山") and found(Contact, "tanaka")


def test_the_index_follows_edits_and_deletes(app):
    tanaka = make_contact(**PEOPLE[0])
    other = make_contact(**PEOPLE[1])
    assert tanaka.id in found(Contact, "田中") and tanaka.id in found(Contact, "田中太郎")
    save_contact(tanaka, {"family_name": "渡辺", "given_name": "太郎",
                          "family_name_reading": "ワタナベ", "given_name_reading": "タロウ",
                          "email": "taro@example.com", "version": tanaka.version})
    db.session.commit()
    for typed in ("田中", "田中太郎", "田", "tanaka"):
        assert tanaka.id not in found(Contact, typed), typed
    for typed in ("渡辺", "渡", "ワタナベ", "渡辺太郎"):
        assert found(Contact, typed) == {tanaka.id}, typed
    delete_contact(other)
    db.session.commit()
    for typed in ("中田", "ナカタ", "中"):
        assert other.id not in found(Contact, typed), typed


def test_company_texts_of_every_length(app):
    make_company(name="株式会社日本化学工業", name_reading="ニホンカガクコウギョウ",
                 name_en="Nihon Chemical Industries")
    make_company(name="山田工業(株)", name_reading="ヤマダコウギョウ", aliases="ヤマダ")
    make_company(name="Acme GmbH")
    for typed in ("工", "工業", "化学工業", "ヤマ", "ヤ", "che", "ch", "c", "acme", "zq", "gmbh"):
        assert found(Company, typed) == contains(Company, typed), typed


@pytest.mark.parametrize("typed, shown, hidden", [
    ("田", ["田中 太郎", "中田 英寿"], ["山 花"]),          # one character
    ("田中", ["田中 太郎"], ["中田 英寿"]),                  # two: order matters
    ("たな", ["田中 太郎"], ["中田 英寿"]),                  # two, a reading in hiragana
    ("ﾋﾃﾞﾄｼ", ["中田 英寿"], ["田中 太郎"]),                 # half-width reading
    ("@example", ["田中 太郎", "中田 英寿"], ["山 花"]),     # e-mail
])
def test_the_contact_list_finds_short_and_long_texts(login, typed, shown, hidden):
    for person in PEOPLE[:3]:
        make_contact(**person)
    listing = page(login("liaison"), f"/contacts/?q={typed}")
    for name in shown:
        assert name in listing, (typed, name)
    for name in hidden:
        assert name not in listing, (typed, name)


def test_the_company_list_finds_two_characters_and_legal_forms(login):
    make_company(name="株式会社日本化学工業", name_reading="ニホンカガクコウギョウ")
    make_company(name="ヤマダ商事", name_reading="ヤマダショウジ")
    client = login("liaison")
    for typed in ("工業", "(株)日本化学", "にほん", "ｺｳｷﾞｮｳ"):
        listing = page(client, f"/companies/?q={typed}")
        assert "日本化学工業" in listing and "ヤマダ商事" not in listing, typed


def test_past_the_count_cap_the_lists_still_show_the_matches_in_order(login, monkeypatch):
    """Very many matches (more than the count's cap): the page walks the sort order through
    the indexed search and shows the matches in order, and no others."""
    import crm.common.views

    monkeypatch.setattr(crm.common.views, "SEARCH_COUNT_CAP", 2)
    acme = make_company(name="田中工業株式会社", name_reading="タナカコウギョウ")
    for reading, family in (("アオキ", "青木"), ("イノウエ", "井上"), ("ウエダ", "上田")):
        make_contact(company=acme, family_name=family, family_name_reading=reading)
    make_contact(family_name="田中", given_name="一郎", family_name_reading="タナカ")
    make_contact(family_name="中村", family_name_reading="ナカムラ")
    make_company(name="田中商店", name_reading="タナカショウテン")
    make_company(name="山本電機", name_reading="ヤマモトデンキ")
    client = login("liaison")
    listing = page(client, "/contacts/?q=田中")
    order = [listing.find(name) for name in ("青木", "井上", "上田", "田中 一郎")]
    assert all(n >= 0 for n in order) and order == sorted(order)
    assert "中村" not in listing
    listing = page(client, "/companies/?q=田中")
    assert "田中工業" in listing and "田中商店" in listing and "山本電機" not in listing
