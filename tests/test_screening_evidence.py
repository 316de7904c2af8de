"""Screening evidence (issue 12): what a list says besides names qualifies a name match.

Lists: real OFAC SDN rows (tests/fixtures/screening/sdn_evidence_extract.csv: PASARGAD STEEL
COMPLEX a.k.a. PASCO, registered in Iran; YAMAKI, K.K., Company Number 1400-01-004182 (Japan);
KGB ALPHA a.k.a. ALPHA GROUP; SHIRAZ ELECTRONICS INDUSTRIES, no country; KOREA UNITED DEVELOPMENT
BANK, SWIFT/BIC KUDBKPPY) and the UN rows of un_scripts_extract.xml.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.contacts.models import Contact
from crm.extensions import db
from crm.screening import evidence, services
from crm.screening.models import Screening

FIXTURES = Path(__file__).parent / "fixtures" / "screening"


@pytest.fixture
def lists(app):
    services.import_list("sdn", (FIXTURES / "sdn_evidence_extract.csv").read_bytes(),
                         "sdn_2024-05-03.csv")
    services.import_list("un", (FIXTURES / "un_scripts_extract.xml").read_bytes(), "un.xml")
    db.session.commit()


def screen(company):
    screening = services.screen_company(company)
    db.session.commit()
    return screening


def hit_for(screening, entry_key):
    return next(h for h in screening.hits if h.entry_key == entry_key)


def test_what_the_lists_say_besides_names():
    assert evidence.remarks_countries(
        "Website www.pascosteel.com; Registration Number 218641 (Iran); a.k.a. 'PASCO'.") == {"IR"}
    assert evidence.remarks_countries("SWIFT/BIC KUDBKPPY; Secondary sanctions risk") == {"KP"}
    assert evidence.remarks_countries("SWIFT/BIC SABCIRTH; Website sb24.ir;") == {"IR"}
    assert evidence.remarks_countries("DOB 1940; POB Tokyo, Japan.") == {"JP"}
    assert evidence.entry_countries(["ASCOTEC JAPAN K.K."], [], "all offices worldwide.") == {"JP"}
    assert evidence.entry_countries(["LADOGA MENEDZHMENT, OOO"], [], "") == {"RU"}
    assert evidence.entry_countries(["Michael Jordan"], [], "", "individual") == set()
    assert evidence.jp_numbers("Company Number 1400-01-004182 (Japan); Linked To: X") == {
        "140001004182"}
    assert evidence.company_number("2140001004182") == "140001004182"
    assert evidence.address_country("アメリカ合衆国４８６７４ミシガン州ミッドランド市") == "US"
    assert evidence.address_country("ドイツ連邦共和国、フランクフルト") == "DE"
    assert evidence.address_country("前橋市古市町一丁目") is None


def test_japanese_company_named_like_a_foreign_listed_entity_is_a_possible_match(
        app, lists, make_company, login):
    pasco = make_company(name="株式会社パスコ", name_en="PASCO CORPORATION", country="JP")
    screening = screen(pasco)
    hit = hit_for(screening, "30752")
    assert hit.matched_name == "PASCO" and hit.entry_snapshot["name_score"] == 1.0
    assert hit.score < screening.threshold  # Iran vs Japan: not an alarm
    assert "country-mismatch" in hit.entry_snapshot["reasons"]
    assert services.possible(hit, screening.threshold)
    assert services.company_clearance(pasco.id) == "clear"
    assert screening.result == "clear"
    # ... but the officer sees it, with the reason, and can still decide on it
    page = login("export_control").get(f"/screening/companies/{pasco.id}").get_data(as_text=True)
    assert "Possible match" in page and "different country" in page and "PASARGAD" in page
    assert f'name="hit{hit.id}-decision"' in page
    assert pasco.id not in {c.id for c, *_ in services.companies_needing_attention()}


def test_the_same_name_listed_in_japan_alarms_unless_the_corporate_number_differs(
        app, lists, make_company):
    yamaki = make_company(name="株式会社ヤマキ", name_en="Yamaki Co., Ltd.", country="JP")
    screening = screen(yamaki)
    hit = hit_for(screening, "24683")
    assert hit.score >= screening.threshold and "country-match" in hit.entry_snapshot["reasons"]
    assert services.company_clearance(yamaki.id) == "open"
    # the listed company's own number (1400-01-004182 in the 13-digit 法人番号): alarm
    same = make_company(name="ヤマキ株式会社", name_en="YAMAKI K.K.", country="JP",
                        corporate_number="2140001004182")
    hit = hit_for(screen(same), "24683")
    assert "orgid-match" in hit.entry_snapshot["reasons"]
    assert services.company_clearance(same.id) == "open"
    # a Japanese company registered under another number is another company: possible match
    other = make_company(name="山喜株式会社", name_en="YAMAKI CO.,LTD.", country="JP",
                         corporate_number="3120001080679")
    screening = screen(other)
    hit = hit_for(screening, "24683")
    assert "orgid-mismatch" in hit.entry_snapshot["reasons"]
    assert services.possible(hit, screening.threshold)
    assert services.company_clearance(other.id) == "clear"


def test_listed_entity_without_a_country_still_alarms_and_a_common_word_is_weak(
        app, lists, make_company):
    shiraz = make_company(name="Shiraz Electronics Industries", country="JP")
    assert services.company_clearance(screen(shiraz) and shiraz.id) == "open"
    alpha = make_company(name="アルファグループ株式会社", name_en="Alpha Group Inc.", country="JP")
    screening = screen(alpha)
    hit = hit_for(screening, "30702")
    assert "weak-name" in hit.entry_snapshot["reasons"]
    assert services.possible(hit, screening.threshold)
    # a Korean bank named like the North Korean one: the BIC says KP
    kdb = make_company(name="Korea United Development Bank", country="KR")
    screening = screen(kdb)
    hit = hit_for(screening, "19509")
    assert "country-mismatch" in hit.entry_snapshot["reasons"]
    # the same name for a company of no stated link to Korea elsewhere: the names alone decide
    assert services.company_clearance(kdb.id) == "clear"


def test_unreadable_name_still_needs_review(app, lists, make_company):
    odd = make_company(name="★★★", country="JP")
    screen(odd)
    assert services.company_clearance(odd.id) == "review"


def _decisions(company_ids):
    """Per company, its latest screening's result and hits as (subject, list, entry, score,
    status, carried over?)."""
    out = {}
    for cid in company_ids:
        s = services.latest_screening(cid)
        out[cid] = (s.result, s.subject_fingerprint, sorted(
            (h.subject_key, h.list_kind, h.entry_key, round(h.score, 3), h.status,
             h.carried_from_id is not None, tuple(h.entry_snapshot.get("reasons") or ()))
            for h in s.hits), services.company_clearance(cid))
    return out


def test_screen_all_decides_as_screening_one_by_one(app, runner, lists, make_company):
    companies = [
        make_company(name="株式会社パスコ", name_en="PASCO CORPORATION", country="JP"),
        make_company(name="株式会社ヤマキ", name_en="Yamaki Co., Ltd.", country="JP"),
        make_company(name="山喜株式会社", name_en="YAMAKI CO.,LTD.", country="JP",
                     corporate_number="3120001080679"),
        make_company(name="★★★", country="JP"),
        make_company(name="Sakata Seed", country="JP"),
        make_company(name="Shiraz Electronics Industries", country="IR"),
    ]
    ids = [c.id for c in companies]
    db.session.add_all([
        Contact(family_name="Hussein Al-Tikriti", given_name="Saddam", company_id=ids[4]),
        Contact(family_name="山田", given_name="太郎", family_name_reading="ヤマダ",
                given_name_reading="タロウ", company_id=ids[4]),
        Contact(family_name="山田", given_name="太郎", company_id=ids[0]),
    ])
    db.session.commit()
    first = {c.id: screen(c) for c in companies}
    # an officer clears the Yamaki hit: both ways must carry the decision over
    services.decide(hit_for(first[ids[1]], "24683"), "clear", "別会社（登記で確認）", by=None)
    db.session.commit()
    for c in companies:
        screen(c)
    one_by_one = _decisions(ids)
    assert one_by_one[ids[1]][3] == "clear" and one_by_one[ids[3]][3] == "review"
    assert one_by_one[ids[4]][3] == "open"  # the listed person among the contacts
    assert one_by_one[ids[0]][3] == "clear" and one_by_one[ids[2]][3] == "clear"

    result = runner.invoke(args=["screen", "--all", "--json"])
    assert result.exit_code == 0, result.output
    assert _decisions(ids) == one_by_one
    assert db.session.scalar(select(db.func.count()).select_from(Screening)) == 3 * len(ids)
    report = {c["id"]: c for c in json.loads(result.output)["companies"]}
    assert [h["entry_id"] for h in report[ids[0]]["possible"]] == ["30752"]
    assert report[ids[0]]["hits"] == [] and report[ids[3]]["review"] is True
    assert report[ids[5]]["hits"][0]["entry_id"] == "11183"
