"""The navbar's quick search (main.quick): companies, contacts, researchers and seeds by name,
reading (hiragana, katakana, half-width) and English name, a few of each, for the kinds the
user may see; the search page for the rest."""
from __future__ import annotations

import pytest

from crm.auth.permissions import Role
from tests.conftest import log_in_as
from tests.factories import (
    make_company,
    make_contact,
    make_researcher,
    make_seed,
    make_user,
)


@pytest.fixture
def records(app):
    company = make_company(name="株式会社はやぶさ精機", name_reading="ハヤブサセイキ",
                           name_en="Hayabusa Precision")
    contact = make_contact(company, family_name="鷹野", given_name="翔",
                           family_name_reading="タカノ", given_name_reading="ショウ",
                           email="sho.takano@hayabusa.example.jp")
    researcher = make_researcher(family_name="隼田", given_name="誠", family_name_reading="ハヤタ",
                                 given_name_reading="マコト", name_en="Makoto Hayata")
    seed = make_seed([researcher], title="はやぶさ型小型推進機の研究")
    return {"company": company, "contact": contact, "researcher": researcher, "seed": seed}


def _quick(client, q: str) -> str:
    response = client.get("/quick", query_string={"q": q})
    assert response.status_code == 200, (q, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_finds_each_kind_it_may_see(records, login, role):
    html = _quick(login(role), "はやぶさ")
    assert f'href="/companies/{records["company"].id}"' in html
    assert f'href="/research/seeds/{records["seed"].id}"' in html
    assert "/search/?q=" in html, "a link to all results on the search page"


def test_a_user_without_a_role_sees_nothing_and_a_visitor_is_sent_to_log_in(records, app):
    nobody = log_in_as(app.test_client(), make_user([], email="nobody@example.org", name="Nobody"))
    html = _quick(nobody, "はやぶさ")
    assert "/companies/" not in html and "/research/" not in html and "/contacts/" not in html
    response = app.test_client().get("/quick?q=はやぶさ")
    assert response.status_code in (302, 401)
    assert "はやぶさ" not in response.get_data(as_text=True)


@pytest.mark.parametrize("q, kind", [
    ("たかの", "contact"), ("タカノ", "contact"), ("ﾀｶﾉ", "contact"), ("鷹野 翔", "contact"),
    ("ＨＡＹＡＢＵＳＡ", "company"), ("ﾊﾔﾌﾞｻ", "company"), ("hayabusa precision", "company"),
    ("はやた", "researcher"), ("ﾊﾔﾀ", "researcher"), ("Makoto Hayata", "researcher"),
    ("推進機", "seed"),
])
def test_readings_widths_and_english_names_match(records, login, q, kind):
    html = _quick(login("liaison"), q)
    record = records[kind]
    path = {"company": "/companies/", "contact": "/contacts/", "researcher": "/research/researchers/",
            "seed": "/research/seeds/"}[kind]
    assert f'href="{path}{record.id}"' in html, q


def test_results_are_bounded_per_kind(app, login):
    for n in range(8):
        make_company(name=f"株式会社ミナト{n}号")
    html = _quick(login("manager"), "ミナト")
    assert html.count('href="/companies/') == 5
    assert "/search/?q=%E3%83%9F%E3%83%8A%E3%83%88" in html


def test_no_match_says_so_and_links_to_the_search_page(records, login):
    html = _quick(login("bd"), "存在しない名前")
    assert "/companies/" not in html
    assert "No names match" in html


@pytest.mark.parametrize("q", ["", "   ", "x" * 20000, "%", "_", "\\", "<script>", "a\x00b"])
def test_odd_input_never_fails(records, login, q):
    response = login("manager").get("/quick", query_string={"q": q})
    assert response.status_code in (200, 400)
    assert response.status_code == 400 if "\x00" in q else response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_the_navbar_offers_it_with_a_label_and_its_script(records, login):
    html = login("researcher").get("/").get_data(as_text=True)
    assert '<label class="visually-hidden" for="quick-q">' in html
    assert 'hx-get="/quick"' in html
    assert "/static/js/quick_search.js" in html


@pytest.mark.parametrize("q", ["Yoshitaka Amano", "yoshitaka amano", "喜孝 天野", "喜孝　天野",
                               "よしたか あまの", "ヨシタカ アマノ", "Amano Yoshitaka", "天野 喜孝"])
def test_a_person_typed_given_name_first_is_found(app, login, q):
    """People type a name in the order they heard it: given name first (Western order) or
    family name first, in kanji, kana or Latin letters; the type-ahead and the contact picker
    find the contact either way."""
    company = make_company(name="株式会社スクウェア")
    amano = make_contact(company, family_name="天野", given_name="喜孝",
                         family_name_reading="あまの", given_name_reading="よしたか")
    latin = make_contact(company, family_name="Amano", given_name="Yoshitaka")
    make_contact(company, family_name="天野", given_name="太郎",
                 family_name_reading="あまの", given_name_reading="たろう")
    client = login("manager")
    found = _quick(client, q)
    picker = client.get("/suggest/contact", query_string={"q": q}).get_data(as_text=True)
    wanted = latin if q.isascii() else amano
    for html in (found, picker):
        assert f"[#{wanted.id}]" in html or f"/contacts/{wanted.id}" in html, (q, html)
        assert "太郎" not in html
