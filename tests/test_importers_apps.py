"""importers: the files offices really have — Eight, Google Contacts, Outlook (English, Japanese,
German, French), Thunderbird, 宛名職人, サイボウズ Office and Garoon exports, Apple Contacts cards and
the EDINET company list (real header lines in tests/fixtures/importers, see SOURCES.md) — read,
and imported through the import page as a user does, with no mapped value lost."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

import importers
from crm.extensions import db
from importers import ImportFileError, read
from importers.apps import APPS, check_duplicates_args
from importers.base import FORMATS
from tests.kept import ADDRESS_BOOKS, lost_values

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


# ---------------------------------------------------------------------------- more address books
def test_every_app_is_a_format_the_upload_form_offers():
    from crm.imports.forms import FORMAT_LABELS

    assert set(FORMATS) == {"csv", "xlsx", "vcard", *APPS}
    assert set(FORMAT_LABELS) == set(FORMATS)


@pytest.mark.parametrize("name", sorted(n for n in ADDRESS_BOOKS if n.endswith(".csv")))
def test_each_address_book_is_recognised_from_its_header(name):
    data = (FIXTURES / name).read_bytes()
    assert importers.detect_format(data, name) == ADDRESS_BOOKS[name][0]


def test_thunderbird_primary_email_is_the_email():
    parsed = load("thunderbird.csv")
    assert parsed.format == "thunderbird"
    hanako, oliver, jiro = parsed.rows
    assert hanako.values["email"] == "hanako.sato@kaku-chem.example"      # Primary Email
    assert hanako.values["other_emails"] == "hanako@home.example"        # Secondary Email
    assert (hanako.values["family_name"], hanako.values["given_name"]) == ("佐藤", "花子")
    assert hanako.values["address"] == "大阪府大阪市北区梅田1-1-1架空ビル5階"
    assert hanako.values["postal_code"] == "530-0001"
    assert hanako.values["notes"].splitlines() == [
        "産学連携フェアで名刺交換", "Fax Number: 06-2222-0001", "Custom 1: 共同研究候補"]
    assert oliver.values["address"] == "10 Downing Lane, London, United Kingdom"
    # only a display name (an address Thunderbird collected): split into family / given
    assert (jiro.values["family_name"], jiro.values["given_name"]) == ("高橋", "次郎")
    # home data is left out on purpose, and the preview says which columns held some
    assert any("Home Phone (1)" in n and "Home Address (1)" in n for n in parsed.notes)


def test_outlook_japanese_headers_readings_and_company_address():
    parsed = load("outlook_ja_cp932.csv")
    assert (parsed.format, parsed.encoding) == ("outlook", "cp932")
    sho, misaki = parsed.rows
    assert (sho.values["family_name_reading"], sho.values["given_name_reading"]) == \
        ("ナカムラ", "ショウ")                                           # 姓フリガナ / 名前フリガナ
    assert sho.values["address"] == "神奈川県横浜市西区みなとみらい2-2-1"
    assert (sho.values["phone"], sho.values["mobile"]) == ("045-111-2222", "080-1111-2222")
    assert sho.values["other_emails"] == "sho@home.example"
    assert sho.values["tags"] == "展示会; 物流"
    assert sho.values["notes"].splitlines() == [
        "物流シンポジウムで名刺交換", "会社 FAX: 045-111-2223", "会社名フリガナ: カクウブツリュウ",
        "会社代表電話: 045-111-0000"]
    assert misaki.values["family_name_reading"] == "たなか"  # katakana once saved (see below)
    assert "肩書き" in parsed.unmapped and "誕生日" in parsed.unmapped


def test_outlook_german_headers():
    parsed = load("outlook_de_cp1252.csv")
    assert parsed.format == "outlook"
    values = parsed.rows[0].values
    assert (values["family_name"], values["given_name"]) == ("Müller", "Jürgen")
    assert values["title"] == "Leiter Materialforschung"                 # Position, not Anrede
    assert values["address"] == "Königstraße 12, Stuttgart, Baden-Württemberg, Deutschland"
    assert values["other_emails"] == "juergen@privat.example"
    assert values["notes"].splitlines()[0] == "Auf der Hannover Messe getroffen."


def test_outlook_french_headers_write_titre_twice():
    parsed = load("outlook_fr_cp1252.csv")
    assert parsed.format == "outlook"
    assert [h for h in parsed.headers if h == "Titre"] == ["Titre", "Titre"]
    values = parsed.rows[0].values
    assert values["title"] == "Directrice de recherche"   # the second Titre; the first is "Mme"
    assert values["company_name"] == "Exemple Matériaux SA"
    assert values["address"] == "12 rue de la Paix, Paris, France"
    assert "Mme" not in str(values)
    assert any("Titre (1)" in n for n in parsed.notes)


def test_a_repeated_header_outside_a_known_export_is_still_refused():
    assert check_duplicates_args("outlook", ["Titre", "Nom", "Titre"]) == ["Titre", "Nom", ""]
    assert check_duplicates_args("outlook", ["Nom", "Nom"]) == ["Nom", "Nom"]
    with pytest.raises(ImportFileError, match="appears twice"):
        read("会社名,Titre,Titre\n株式会社テスト,a,b\n".encode(), "x.csv", "companies")


def test_atena_shokunin_readings_company_email_department_and_address():
    parsed = load("atena_shokunin.csv")
    assert parsed.format == "atena"
    taro, ichiro = parsed.rows
    assert (taro.values["family_name_reading"], taro.values["given_name_reading"]) == \
        ("やまだ", "たろう")
    assert taro.values["email"] == "taro.yamada@kaku-denki.example"      # 会社E-mail
    assert taro.values["other_emails"] == "taro@home.example"            # 自宅E-mail
    assert taro.values["department"] == "研究開発本部 材料技術部"              # 部署名1 + 部署名2
    assert taro.values["address"] == "東京都港区芝公園4-2-8架空タワー10階"      # 会社住所1 + 2
    assert taro.values["postal_code"] == "105-0011"                      # 会社〒, not 自宅〒
    assert "部署名2" not in taro.values["notes"]
    assert "会社名かな: カクウデンキ" in taro.values["notes"].splitlines()
    assert ichiro.values["department"] == "営業部"
    note = next(n for n in parsed.notes if "宛名職人" in n)
    assert "連名 (1)" in note and "自宅住所1 (1)" in note


def test_cybozu_office_full_width_headers():
    parsed = load("cybozu_office_cp932.csv")
    assert (parsed.format, parsed.encoding) == ("cybozu", "cp932")
    first = parsed.rows[0].values
    assert (first["family_name"], first["given_name"]) == ("中島", "彩花")   # 名前（姓） / 名前（名）
    assert (first["family_name_reading"], first["given_name_reading"]) == ("なかじま", "あやか")
    assert first["phone"] == "03-0000-1111"
    # the company's Tel, Fax and reading are kept in the notes, none overwritten
    assert first["notes"].splitlines() == [
        "営業部長に影響力あり", "会社よみ: かくうしょうじ", "会社Fax: 03-0000-0009", "会社Tel: 03-0000-0000"]
    assert all(not r.problems for r in parsed.rows)


def test_garoon_address_book():
    parsed = load("garoon.csv")
    assert parsed.format == "garoon"
    ito, naomi = parsed.rows
    assert (ito.values["family_name_reading"], ito.values["given_name_reading"]) == \
        ("いとう", "けん")
    assert (ito.values["phone"], ito.values["mobile"]) == ("03-2222-0000", "080-3333-4444")
    assert "会社Fax番号: 03-2222-0001" in ito.values["notes"]
    assert (naomi.values["family_name"], naomi.values["given_name"]) == ("渡辺", "直美")  # 表示名


def test_apple_contacts_card_phonetic_names_and_item_groups():
    parsed = load("vcard/apple_contacts_ja.vcf")
    values = parsed.rows[0].values
    assert (values["family_name_reading"], values["given_name_reading"]) == ("やまもと", "ゆうこ")
    assert values["email"] == "yuko.yamamoto@kaku-seiki.example"    # item1.EMAIL (X-ABLabel)
    assert values["address"] == "愛知県名古屋市中村区名駅1-1-1"          # item3.ADR, Japanese order
    assert "052-111-2299" in values["notes"]                       # item2.TEL kept


def test_an_address_book_saved_as_xlsx_is_recognised_too():
    from openpyxl import Workbook

    text = (FIXTURES / "thunderbird.csv").read_text("utf-8")
    book = Workbook()
    for line in text.splitlines():
        book.active.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    parsed = read(out.getvalue(), "tb.xlsx", "contacts")
    assert parsed.format == "xlsx"
    assert parsed.rows[0].values["email"] == "hanako.sato@kaku-chem.example"
    assert any("Thunderbird" in n for n in parsed.notes)


# ---------------------------------------------------------------------------- through the page
def _import_through_the_page(client, name: str) -> tuple[int, str]:
    data = (FIXTURES / name).read_bytes()
    response = client.submit("/imports/", {"kind": "contacts", "policy": "update"},
                             files={"file": (io.BytesIO(data), name.rsplit("/", 1)[-1])},
                             content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    batch_id = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    preview = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert client.submit(f"/imports/{batch_id}/commit", page=f"/imports/{batch_id}") \
        .status_code == 302
    return batch_id, preview


@pytest.mark.parametrize("name", sorted(ADDRESS_BOOKS))
def test_address_book_imports_through_the_page_with_nothing_lost(app, login, name):
    from crm.contacts.models import Contact
    from crm.imports.forms import FORMAT_LABELS
    from crm.imports.models import ImportBatch

    fmt, rows_in, rejected_rows = ADDRESS_BOOKS[name]
    client = login("bd")
    batch_id, preview = _import_through_the_page(client, name)
    assert str(FORMAT_LABELS[fmt]) in preview                  # "What was found: Format ..."
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch_id)
    summary = batch.summary_dict
    assert batch.status == "committed"
    assert len(summary["rejected"]) == rejected_rows
    contacts = list(db.session.scalars(select(Contact)))
    assert len(contacts) == rows_in - rejected_rows          # the companies are created too
    assert summary["created"] == len(contacts) + len({c.company_id for c in contacts} - {None})
    data = (FIXTURES / name).read_bytes()
    parsed = read(data, name, "contacts")
    rejected = {r["row"] for r in summary["rejected"]}
    assert lost_values(data, parsed, contacts, rejected) == []
    # readings are kept, in katakana, wherever the file has them
    for row in parsed.rows:
        if row.values.get("family_name_reading") and row.number not in rejected:
            contact = next(c for c in contacts if c.email == row.values["email"].lower())
            assert contact.family_name_reading and re.fullmatch(
                r"[\u30a0-\u30ff]+", contact.family_name_reading), contact.family_name_reading


def test_the_preview_names_the_columns_left_out(app, login):
    client = login("bd")
    data = (FIXTURES / "atena_shokunin.csv").read_bytes()
    response = client.submit("/imports/", {"kind": "contacts"},
                             files={"file": (io.BytesIO(data), "atena.csv")},
                             content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "宛名職人 (Atena Shokunin) CSV" in page
    assert "連名 (1)" in page and "Not imported from this" in page


def test_the_nothing_lost_check_does_find_a_lost_value():
    from types import SimpleNamespace

    data = (FIXTURES / "thunderbird.csv").read_bytes()
    parsed = read(data, "thunderbird.csv", "contacts")
    fields = ("family_name", "given_name", "family_name_reading", "given_name_reading", "title",
              "department", "email", "other_emails", "phone", "mobile", "how_we_met", "notes")
    contacts = [SimpleNamespace(**{f: row.values.get(f) for f in fields}, company=None)
                for row in parsed.rows]
    contacts[0].notes = "産学連携フェアで名刺交換"          # the fax and Custom 1 lines dropped
    assert sorted(lost_values(data, parsed, contacts, set())) == sorted([
        "row 2, Fax Number: 06-2222-0001", "row 2, Custom 1: 共同研究候補",
        "row 2, Organization: 架空化学工業株式会社", "row 2, Work Address: 梅田1-1-1",
        "row 2, Work Address 2: 架空ビル5階", "row 2, Work City: 大阪市北区", "row 2, Work State: 大阪府",
        "row 2, Work ZipCode: 530-0001", "row 2, Web Page 1: https://kaku-chem.example",
        "row 3, Work Address: 10 Downing Lane", "row 3, Work City: London",
        "row 3, Work ZipCode: SW1A 2AA", "row 3, Work Country: United Kingdom",
        "row 3, Organization: Northwind Materials Ltd."])


def test_preview_again_keeps_an_address_books_several_columns_per_field(app, login):
    """The address parts, the notes and the phones of an export come from several columns: the
    mapping as the preview shows it can be previewed again (and changed) as it is."""
    from crm.contacts.models import Contact

    client = login("bd")
    data = (FIXTURES / "thunderbird.csv").read_bytes()
    response = client.submit("/imports/", {"kind": "contacts"},
                             files={"file": (io.BytesIO(data), "tb.csv")},
                             content_type="multipart/form-data")
    batch_id = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    client.get(f"/imports/{batch_id}")
    # the user ignores the second web page, and previews again
    column = next(i for i, h in enumerate(read(data, "tb.csv", "contacts").headers)
                  if h == "Web Page 2")
    assert client.submit(f"/imports/{batch_id}/mapping", {f"map-{column}": ""}).status_code == 302
    client.submit(f"/imports/{batch_id}/commit", page=f"/imports/{batch_id}")
    db.session.expire_all()
    hanako = db.session.scalar(select(Contact).where(Contact.family_name == "佐藤"))
    assert "大阪府大阪市北区梅田1-1-1架空ビル5階" in hanako.notes and "共同研究候補" in hanako.notes


def test_two_columns_for_one_field_are_still_refused_where_nothing_would_keep_the_second(
        app, login):
    client = login("manager")
    data = "イベント名,名称,開始日\n産学連携フェア,秋の展示会,2026-10-01\n".encode()
    response = client.submit("/imports/", {"kind": "events"},
                             files={"file": (io.BytesIO(data), "events.csv")},
                             content_type="multipart/form-data")
    batch_id = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    client.get(f"/imports/{batch_id}")
    refused = client.submit(f"/imports/{batch_id}/mapping", {"map-0": "name", "map-1": "name"})
    assert refused.status_code == 422
    assert "Each field can come from one column only" in refused.get_data(as_text=True)
