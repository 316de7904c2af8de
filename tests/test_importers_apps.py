"""importers: the files offices really have — Eight, Google Contacts, Outlook exports and the
EDINET company list (fixtures in tests/fixtures/importers, see SOURCES.md)."""
from __future__ import annotations

from pathlib import Path

import pytest

import importers
from importers import ImportFileError, read

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def load(name: str, kind: str = "contacts", **kw):
    data = (FIXTURES / name).read_bytes()
    return read(data, name, kind, **kw)


# ---------------------------------------------------------------- EDINET
def test_edinet_list_as_companies():
    parsed = load("edinet_extract_cp932.csv", "companies")
    assert (parsed.format, parsed.encoding, parsed.header_row) == ("csv", "cp932", 2)
    assert sorted(parsed.mapping.values()) == sorted(
        ["name", "name_en", "name_reading", "address", "industry", "corporate_number"])
    assert "ＥＤＩＮＥＴコード" in parsed.unmapped and "証券コード" in parsed.unmapped
    assert len(parsed.rows) == 30
    first = parsed.rows[0]
    assert first.number == 3
    assert first.values == {
        "name": "カネコ種苗株式会社", "name_en": "KANEKO SEEDS CO., LTD.",
        "name_reading": "カネコシュビョウカブシキガイシャ", "address": "前橋市古市町一丁目５０番地１２",
        "industry": "水産・農林業", "corporate_number": "5070001000715"}
    assert all(not r.problems for r in parsed.rows)


def test_edinet_private_individual_parsed_without_corporate_number():
    last = load("edinet_extract_cp932.csv", "companies").rows[-1]
    assert last.values["name"] == "山本裕治"
    assert "corporate_number" not in last.values


def test_edinet_full_width_reading_spaces_folded():
    row = load("edinet_extract_cp932.csv", "companies").rows[1]
    assert row.values["name_reading"] == "カブシキガイシャ サカタノタネ"


# ---------------------------------------------------------------- Eight
def test_eight_detected_from_its_header():
    data = (FIXTURES / "eight_with_tags_cp932.csv").read_bytes()
    assert importers.detect_format(data, "eight.csv") == "eight"


def test_eight_with_flags_and_tags():
    parsed = load("eight_with_tags_cp932.csv")
    assert (parsed.format, parsed.encoding) == ("eight", "cp932")
    first, second, third = parsed.rows
    assert first.values["company_name"] == "株式会社架空電機"
    assert (first.values["family_name"], first.values["given_name"]) == ("山田", "太郎")
    assert first.values["email"] == "taro.yamada@kaku-denki.example"
    assert first.values["mobile"] == "090-1234-5678"
    assert first.values["phone"] == "03-1111-3333"           # the direct line first
    assert first.values["notes"].splitlines() == [
        "TEL部門: 03-1111-2222", "TEL会社: 03-1111-0000", "Fax: 03-1111-9999"]
    assert first.values["met_on"] == "2024-05-14"
    assert first.values["tags"] == "展示会2024; 共同研究候補"
    assert second.values["tags"] == "共同研究候補"
    assert "tags" not in third.values                       # flag columns are not tags
    assert third.problems[0].column == "名刺交換日"          # 2024/02/30
    assert {"Eightでつながっている人", "再データ化中の名刺"} <= set(parsed.unmapped)


def test_eight_fixed_15_columns_utf8_bom():
    parsed = load("eight_fixed15.csv")
    assert (parsed.format, parsed.encoding) == ("eight", "utf-8-sig")
    assert parsed.rows[0].values["phone"] == "03-1111-0000"
    assert "tags" not in parsed.rows[0].values


def test_eight_as_companies_uses_the_company_columns():
    parsed = load("eight_fixed15.csv", "companies")
    assert parsed.rows[0].values["name"] == "株式会社架空電機"


# ---------------------------------------------------------------- Google
def test_google_legacy():
    parsed = load("google_legacy.csv")
    assert parsed.format == "google"
    misaki, john = parsed.rows
    assert misaki.values["family_name"] == "田中" and misaki.values["given_name"] == "美咲"
    assert misaki.values["family_name_reading"] == "タナカ"
    assert misaki.values["email"] == "misaki.tanaka@example.co.jp"
    assert misaki.values["other_emails"] == "m.tanaka@example.net"
    assert misaki.values["mobile"] == "090-2222-3333" and "phone" not in misaki.values
    assert misaki.values["company_name"] == "株式会社サンプル製薬"
    assert misaki.values["tags"] == "共同研究"                 # "* myContacts" dropped
    assert john.values["phone"] == "+1 650 555 0100" and "mobile" not in john.values
    assert "tags" not in john.values


def test_google_2023():
    parsed = load("google_2023.csv")
    assert (parsed.format, parsed.encoding) == ("google", "utf-8-sig")
    values = parsed.rows[0].values
    assert (values["family_name"], values["given_name"]) == ("伊藤", "健")
    assert (values["family_name_reading"], values["given_name_reading"]) == ("イトウ", "ケン")
    assert values["email"] == "ken.ito@kaku-soft.example"
    assert values["other_emails"] == "ken@home.example"
    assert values["mobile"] == "080-3333-4444"
    assert values["address"] == "東京都千代田区丸の内1-1-1" and values["postal_code"] == "100-0005"
    assert values["website"] == "https://kaku-soft.example"
    assert (values["title"], values["department"]) == ("CTO", "技術本部")


# ---------------------------------------------------------------- Outlook
def test_outlook():
    parsed = load("outlook.csv")
    assert parsed.format == "outlook" and len(parsed.headers) == 92
    emily, sho = parsed.rows
    assert emily.values["title"] == "Head of Research"   # "Title" (Dr.) is not the job title
    assert "Title" in parsed.unmapped
    assert emily.values["address"] == "1 Science Park, Cambridge, United Kingdom"
    assert emily.values["postal_code"] == "CB4 0WS"
    assert emily.values["phone"] == "+44 1223 000000"
    assert emily.values["mobile"] == "+44 7700 900000"
    assert emily.values["other_emails"] == "e.clark@gmail.example"
    assert emily.values["tags"] == "Partners; Conference"
    assert sho.values["address"] == "神奈川県横浜市西区みなとみらい2-2-1"  # Japanese order


def test_format_forced_to_plain_csv_uses_the_generic_mapping():
    parsed = load("outlook.csv", format="csv")
    assert parsed.format == "csv"
    assert parsed.rows[0].values["family_name"] == "Clark"


@pytest.mark.parametrize("name", ["google_legacy.csv", "outlook.csv", "eight_fixed15.csv"])
def test_contact_exports_refused_as_events(name):
    with pytest.raises(ImportFileError):
        load(name, "events")
