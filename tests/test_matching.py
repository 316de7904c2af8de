"""Duplicate matching: is a typed company or person already in the CRM?"""
from __future__ import annotations

import pytest

from crm.contacts.matching import distinctive_core, find_company, find_contact
from tests.factories import make_contact

# A valid corporate number (check digit 9 over 234567890123).
NUMBER = "9234567890123"


@pytest.mark.parametrize("typed", ["株式会社ABC", "ＡＢＣ(株)", "ABC Co., Ltd.", "abc inc.",
                                   "(株)ａｂｃ", "ABC K.K."])
def test_a_company_typed_any_way_is_an_exact_match(make_company, typed):
    abc = make_company(name="株式会社ABC")
    found = find_company(typed)
    assert found.unique == abc and found.reason == "name"
    assert found.to_confirm == []


def test_english_name_and_alias_match_exactly(make_company):
    company = make_company(name="株式会社サンプル", name_en="Sample Co., Ltd.",
                           aliases="サンプル工業\nSMPL")
    assert find_company("SAMPLE Corporation").unique == company
    assert find_company("SMPL").unique == company


def test_corporate_number_wins_over_the_name(make_company):
    holder = make_company(name="株式会社旧名", corporate_number=NUMBER)
    make_company(name="株式会社新名")
    found = find_company("株式会社新名", NUMBER)
    assert found.unique == holder and found.reason == "corporate_number"


def test_a_shared_distinctive_part_is_a_near_match(make_company):
    yamada = make_company(name="山田電機株式会社")
    sample = make_company(name="Sample Electronics Inc.")
    toyota = make_company(name="Toyota Motor Corporation")
    make_company(name="川田電機株式会社")
    assert find_company("山田電機工業株式会社").near == [yamada]
    assert find_company("Sample Electric Co., Ltd.").near == [sample]
    assert find_company("Toyoda Motors").near == [toyota]  # a typo away
    found = find_company("山田電機工業株式会社")
    assert found.unique is None and found.to_confirm == [yamada]


def test_common_nouns_alone_are_not_a_near_match(make_company):
    make_company(name="X Electric Co., Ltd.")
    make_company(name="X Industries")
    make_company(name="川田電機株式会社")
    make_company(name="Nippon Electric Glass")
    assert find_company("Y Electric Co., Ltd.").near == []
    assert find_company("Y Electric Co., Ltd.").to_confirm == []
    assert find_company("山田電機株式会社").to_confirm == []
    assert find_company("Nippon Chemical Industries").to_confirm == []
    assert distinctive_core("X Electric Industries Co., Ltd.") == "x"
    assert distinctive_core("株式会社 山田電機工業") == "山田"


def test_two_companies_with_one_folded_name_must_be_chosen(make_company):
    a = make_company(name="株式会社ABC")
    b = make_company(name="ABC Inc.")
    found = find_company("ABC Co., Ltd.")
    assert found.unique is None and found.to_confirm == [a, b]


def test_empty_name_matches_nothing(make_company):
    make_company(name="株式会社ABC")
    assert find_company("  ").to_confirm == [] and find_company(None).unique is None


def test_same_email_is_the_same_person(app, make_company):
    taro = make_contact(family_name="山田", given_name="太郎", email="Taro@Example.JP")
    hanako = make_contact(family_name="佐藤", email="hanako@example.jp",
                          other_emails="h.sato@lab.example.jp")
    assert find_contact("TARO@example.jp", "全然", "違う").exact == taro
    assert find_contact("H.Sato@Lab.example.jp", None, None).exact == hanako
    assert find_contact("nobody@example.jp", "山田", "太郎").exact is None


def test_same_name_at_the_same_company_is_a_near_match(app, make_company):
    abc = make_company(name="株式会社ABC")
    other = make_company(name="株式会社XYZ")
    taro = make_contact(family_name="山田", given_name="太郎", company_id=abc.id)
    make_contact(family_name="山田", given_name="太郎", company_id=other.id)
    john = make_contact(family_name="Smith", given_name="John", company_id=abc.id)
    assert find_contact(None, "山田", "太郎", abc).near == [taro]
    assert find_contact(None, "ｓｍｉｔｈ", "john", abc).near == [john]
    assert find_contact(None, "John", "Smith", abc).near == [john]  # order swapped
    assert find_contact(None, "山田", "花子", abc).near == []
    assert find_contact(None, "山田", "太郎", None).near == []  # no company: nothing to compare
    assert find_contact(None, "山田", "太郎", None, also_companies=[abc]).near == [taro]
