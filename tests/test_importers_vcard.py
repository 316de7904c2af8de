"""importers: vCard 2.1 / 3.0 / 4.0 from real phones and mail programs (fixtures copied from the
Android vCard test suite and ez-vcard, and cards in the layout of Outlook and Nokia exports in
Windows code pages; see tests/fixtures/importers/SOURCES.md)."""
from __future__ import annotations

from pathlib import Path

import pytest

import importers
from importers import ImportFileError, read

VCARDS = Path(__file__).parent / "fixtures" / "importers" / "vcard"
ALL = sorted(VCARDS.glob("*/*.vcf"))


def card(path: str, index: int = 0) -> dict[str, str]:
    return parse(path).rows[index].values


def parse(path: str):
    return read((VCARDS / path).read_bytes(), Path(path).name, "contacts")


def test_fixtures_present():
    # every .vcf of shared/data/contacts/vcard (35 aosp + 17 ez-vcard), and 7 in code pages
    assert [len(list((VCARDS / d).glob("*.vcf"))) for d in ("aosp", "ez-vcard", "constructed")] \
        == [35, 17, 7]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_real_file_parses_as_vcard(path):
    data = path.read_bytes()
    assert importers.detect_format(data, path.name) == "vcard"
    parsed = read(data, path.name, "contacts")
    assert parsed.format == "vcard" and parsed.header_row is None
    assert parsed.rows and [r.number for r in parsed.rows] == list(range(1, len(parsed.rows) + 1))
    for row in parsed.rows:
        assert set(row.values) <= set(importers.FIELDS["contacts"])
        assert all(isinstance(v, str) and v == v.strip() and v for v in row.values.values())


def test_shift_jis_card_with_half_width_reading():
    parsed = parse("aosp/v21_japanese_1.vcf")
    assert parsed.encoding == "cp932"
    assert parsed.rows[0].values == {"family_name": "安藤ロイド",
                                     "family_name_reading": "アンドウロイド",
                                     "phone": "0300000000"}


def test_shift_jis_quoted_printable_address_with_soft_line_breaks():
    values = card("aosp/v21_japanese_2.vcf")
    assert values["family_name"] == "安藤" and values["given_name"] == "ロイド1"
    assert values["family_name_reading"] == "アンドウ"
    assert values["given_name_reading"] == "ロイド1"
    assert values["address"] == "東京都渋谷区桜丘町26-1セルリアンタワー6階"
    assert values["postal_code"] == "150-8512"
    assert values["notes"] == "メモ"


def test_sort_as_readings_and_org_department_v4():
    values = card("aosp/v40_sort_as.vcf")
    assert (values["family_name"], values["given_name"]) == ("安藤", "ロイド")
    assert (values["family_name_reading"], values["given_name_reading"]) == ("あんどう", "ろいど")
    assert (values["company_name"], values["department"]) == ("グーグル", "検索部門")


def test_latin_x_phonetic_readings_are_kept_as_the_romanised_name():
    # Gmail's card for John Doe spells his name phonetically (Dow, Jon): readings are kana,
    # so the Latin spelling is kept in the notes, not lost and not refused.
    values = card("ez-vcard/John_Doe_GMAIL.vcf")
    assert "family_name_reading" not in values and "given_name_reading" not in values
    assert "Romanised name: Dow Jon" in values["notes"].splitlines()


def test_several_cards_in_one_file():
    parsed = parse("aosp/v21_multiple_entry.vcf")
    assert [r.values["family_name"] for r in parsed.rows] == ["安藤ロイド3", "安藤ロイド4", "安藤ロイド5"]
    assert parsed.rows[2].values["family_name_reading"] == "アンドウロイド5"


def test_emails_first_is_email_the_others_other_emails():
    values = card("ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf")
    assert values["email"] == "doe.john@hotmail.com"
    assert values["other_emails"].split("; ") == [
        "additional-email@company.com", "additional-email1@company.com",
        "additional-email2@company.com", "additional-email3@company.com"]


def test_cell_phone_is_mobile_others_phone_fax_kept_in_notes():
    values = card("ez-vcard/John_Doe_IPHONE.vcf")
    assert values["mobile"] == "905-555-1234"
    assert values["phone"] == "905-666-1234"
    assert "905-888-1234" in values["notes"]  # the home fax is not lost


def test_org_title_address_url_note_from_outlook():
    values = card("ez-vcard/outlook-2007.vcf")
    assert values["company_name"] == "TheCompany" and values["department"] == "TheDepartment"
    assert values["title"] == "TheJobTitle"
    assert values["postal_code"] == "99999" and "222 Broadway" in values["address"]
    assert values["website"] == "http://mikeangstadt.name"
    assert values["notes"].startswith("This is the NOTE field")
    assert "\r" not in values["notes"]


def test_quoted_printable_continues_past_a_line_that_looks_like_a_comment():
    values = card("aosp/v21_invalid_comment_line.vcf")
    assert values["notes"] == ("This is an (sharp ->#<- sharp) example. "
                               "This message must NOT be ignored.")


def test_folded_email_with_display_name():
    assert card("aosp/v21_invalid_multiple_line.vcf")["email"] == "omega@example.com"


def test_quoted_parameter_with_colon_inside():
    assert card("aosp/v30_comma_separated.vcf")["phone"] == "1"


def test_nested_cards_are_cards_of_their_own():
    parsed = parse("aosp/v21_nest.vcf")
    assert [r.values["family_name"] for r in parsed.rows] == ["parent", "nest1", "nest2"]
    assert parsed.rows[0].values["phone"] == "1"


def test_broken_photo_does_not_break_the_card():
    assert card("aosp/v21_malformed_photo.vcf")["full_name"] == "fullname"


def test_fn_only_card_is_split():
    values = card("aosp/v21_simple_2.vcf")
    assert (values["family_name"], values["given_name"]) == ("Roid", "Ando")


def test_undecodable_value_is_a_problem_for_that_card_only():
    parsed = parse("ez-vcard/John_Doe_ANDROID.vcf")
    assert len(parsed.rows) == 6
    bad = [r for r in parsed.rows if r.problems]
    assert [r.number for r in bad] == [6]
    assert bad[0].problems[0].column == "ORG"
    assert parsed.rows[4].values["company_name"] == "Ñ" * 12


def test_card_without_any_contact_data_is_a_problem():
    row = parse("aosp/v21_android_custom_prop.vcf").rows[0]
    assert row.values == {} and row.problems


def test_truncated_card_is_a_problem_and_the_others_still_read():
    data = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nEMAIL:jane@example.com\r\n"
            b"END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\n")
    parsed = read(data, "cut.vcf", "contacts")
    assert parsed.rows[0].values["email"] == "jane@example.com" and not parsed.rows[0].problems
    assert parsed.rows[1].problems[0].column == "END"


def test_utf16_vcard():
    data = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:山田;太郎;;;\r\nEND:VCARD\r\n".encode("utf-16")
    parsed = read(data, "card.vcf", "contacts")
    assert parsed.encoding == "utf-16"
    assert parsed.rows[0].values == {"family_name": "山田", "given_name": "太郎"}


def test_vcard_as_other_kinds_refused():
    data = (VCARDS / "aosp/v30_simple.vcf").read_bytes()
    for kind in ("companies", "alumni", "donations"):
        with pytest.raises(ImportFileError, match="vCard"):
            read(data, "x.vcf", kind)


def test_csv_forced_as_vcard_refused():
    with pytest.raises(ImportFileError, match="not a vCard"):
        read("氏名\n山田 太郎\n".encode(), "x.vcf", "contacts", format="vcard")


def test_card_file_mixing_utf8_and_shift_jis_values():
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
            + "N;CHARSET=SHIFT_JIS:山田;太郎;;;\r\n".encode("cp932")
            + "ORG;CHARSET=UTF-8:架空電機株式会社;研究部\r\n".encode("utf-8")
            + b"END:VCARD\r\n")
    values = read(data, "mixed.vcf", "contacts").rows[0].values
    assert (values["family_name"], values["given_name"]) == ("山田", "太郎")
    assert (values["company_name"], values["department"]) == ("架空電機株式会社", "研究部")


def test_a_do_not_contact_vcard_note_sets_the_flag(app):
    import importers

    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:佐藤;花子;;;\r\nFN:佐藤 花子\r\n"
            "NOTE:連絡不可\r\nEND:VCARD\r\n").encode()
    row = importers.read(card, "c.vcf", "contacts").rows[0]
    assert row.values.get("do_not_contact") == "true" and "notes" not in row.values


# ------------------------------------------------------------ charsets, base64, readings
def test_outlook_german_windows_1252_cards():
    parsed = parse("constructed/outlook_de_windows1252.vcf")
    assert parsed.encoding == "cp1252"
    first, second = (row.values for row in parsed.rows)
    assert (first["family_name"], first["given_name"]) == ("Müller", "Jürgen")
    assert (first["company_name"], first["department"]) == ("Stadtwerke Köln GmbH",
                                                            "Außenstelle Porz")
    assert first["title"] == "Leiter Geschäftskunden"
    assert first["address"] == "Römerweg 5, Köln, Deutschland"
    assert first["email"] == "juergen.mueller@stadtwerke.example.de"
    # the second card names no charset: guessed for that card (not read as CP932: Auﾟe)
    assert (second["family_name"], second["given_name"]) == ("Weiß", "Käthe")
    assert second["company_name"] == "Bäckerei Weiß & Söhne"
    assert second["address"] == "Große Straße 12, Düsseldorf, Deutschland"
    assert not any(row.problems for row in parsed.rows)


def test_outlook_german_card_naming_no_charset_that_also_reads_as_cp932():
    parsed = parse("constructed/outlook_de_no_charset.vcf")
    assert parsed.encoding == "cp1252"
    values = parsed.rows[0].values
    assert (values["family_name"], values["given_name"]) == ("Lömer", "Jörg")
    assert values["company_name"] == "Außenstelle Bonn"
    assert values["address"] == "Römerweg 5, Bonn, Deutschland"
    assert values["email"] == "j.loemer@example.de"


def test_nokia_ukrainian_windows_1251_quoted_printable_cards():
    parsed = parse("constructed/nokia_uk_windows1251.vcf")
    first, second = (row.values for row in parsed.rows)
    assert (first["family_name"], first["given_name"]) == ("Коваленко", "Олена")
    assert first["company_name"] == "Київський політехнічний інститут"
    assert first["address"] == "проспект Перемоги, 37, Київ, Україна"
    assert first["postal_code"] == "03056"
    assert (second["family_name"], second["given_name"]) == ("Шевчук", "Андрій")
    assert second["company_name"] == "Харківський завод"


@pytest.mark.parametrize("path, names, address", [
    ("constructed/outlook_el_windows1253.vcf",
     [("Παπαδοπούλου", "Ελένη"), ("Γεωργίου", "Νίκος")],
     "Ηρώων Πολυτεχνείου 9, Ζωγράφου, Ελλάδα"),
    ("constructed/outlook_he_windows1255.vcf",
     [("כהן", "דוד"), ("לוי", "שרה")], "קריית הטכניון, חיפה, ישראל"),
], ids=["greek", "hebrew"])
def test_greek_and_hebrew_cards_with_and_without_charset(path, names, address):
    rows = parse(path).rows
    assert [(r.values["family_name"], r.values["given_name"]) for r in rows] == names
    assert rows[0].values["address"] == address


def test_charset_is_guessed_per_card_not_per_file():
    # three cards naming no charset, each from another phone, in one file
    files = ("constructed/nokia_uk_windows1251.vcf", "constructed/outlook_el_windows1253.vcf",
             "constructed/outlook_de_windows1252.vcf")
    data = b"".join((VCARDS / f).read_bytes().split(b"END:VCARD\r\n")[1] + b"END:VCARD\r\n"
                    for f in files)
    data += "BEGIN:VCARD\r\nVERSION:2.1\r\nN:山田;太郎\r\nSOUND;X-IRMC-N:ﾔﾏﾀﾞ;ﾀﾛｳ\r\nEND:VCARD\r\n" \
        .encode("cp932")
    rows = read(data, "mixed.vcf", "contacts").rows
    assert [r.values["family_name"] for r in rows] == ["Шевчук", "Γεωργίου", "Weiß", "山田"]
    assert rows[3].values["family_name_reading"] == "ヤマダ"


def test_base64_text_values_decoded_and_a_broken_one_named():
    parsed = parse("constructed/v21_base64_text.vcf")
    first, second = parsed.rows
    assert first.values["notes"] == "Treffen auf der Hannover Messe\nGrüße an das Team"
    assert not first.problems
    assert [(p.row, p.column) for p in second.problems] == [(2, "TITLE")]
    assert "BASE64" in second.problems[0].reason
    assert "title" not in second.values


def test_photo_is_still_skipped_even_when_broken():
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nPHOTO;ENCODING=BASE64;JPEG:!!!\r\n"
            b" not base64 at all\r\n\r\nEMAIL:jane@example.com\r\nEND:VCARD\r\n")
    row = read(data, "p.vcf", "contacts").rows[0]
    assert not row.problems and row.values["email"] == "jane@example.com"


def test_kanji_name_with_romaji_reading_keeps_it_as_the_romanised_name():
    first, second = (row.values for row in parse("constructed/nokia_sound_romaji.vcf").rows)
    assert (first["family_name"], first["given_name"]) == ("天野", "喜孝")
    assert "family_name_reading" not in first and "given_name_reading" not in first
    assert first["notes"] == "Romanised name: Amano Yoshitaka"
    assert (second["family_name_reading"], second["given_name_reading"]) == ("ヤマダ", "ハナコ")


def test_a_latin_reading_that_repeats_the_name_is_not_noted():
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Smith;John\r\nSOUND;X-IRMC-N:Smith;John\r\n"
            b"END:VCARD\r\n")
    assert read(data, "s.vcf", "contacts").rows[0].values == {"family_name": "Smith",
                                                             "given_name": "John"}


# ------------------------------------------------------------ through the import pages
def _import(client, path: str) -> int:
    import io
    import re

    response = client.submit("/imports/", {
        "kind": "contacts", "policy": "update",
        "file": (io.BytesIO((VCARDS / path).read_bytes()), Path(path).name)},
        content_type="multipart/form-data")
    assert response.status_code == 302
    batch = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    client.get(f"/imports/{batch}")
    assert client.submit(f"/imports/{batch}/commit").status_code == 302
    return batch


@pytest.mark.parametrize("path, expected, companies", [
    ("constructed/outlook_de_windows1252.vcf",
     [("Müller", "Jürgen", "juergen.mueller@stadtwerke.example.de", "Außenstelle Porz"),
      ("Weiß", "Käthe", "kaethe.weiss@baeckerei.example.de", None)],
     {"Stadtwerke Köln GmbH", "Bäckerei Weiß & Söhne"}),
    ("constructed/outlook_de_no_charset.vcf",
     [("Lömer", "Jörg", "j.loemer@example.de", None)], {"Außenstelle Bonn"}),
    ("constructed/nokia_uk_windows1251.vcf",
     [("Коваленко", "Олена", "o.kovalenko@kpi.example.ua", None),
      ("Шевчук", "Андрій", "a.shevchuk@zavod.example.ua", None)],
     {"Київський політехнічний інститут", "Харківський завод"}),
], ids=["german", "german-no-charset", "ukrainian"])
def test_web_import_of_code_page_cards(app, login, path, expected, companies):
    from sqlalchemy import select

    from crm.companies.models import Company
    from crm.contacts.models import Contact
    from crm.extensions import db

    client = login("bd")
    _import(client, path)
    db.session.expire_all()
    people = db.session.scalars(select(Contact).order_by(Contact.id)).all()
    assert [(p.family_name, p.given_name, p.email, p.department) for p in people] == expected
    assert set(db.session.scalars(select(Company.name))) == companies
    page = client.get("/contacts/").get_data(as_text=True)
    assert all(name in page for name, *_rest in expected)


def test_web_import_of_a_kanji_name_with_a_romaji_reading(app, login, own_index):
    from sqlalchemy import select

    from crm.contacts.models import Contact
    from crm.extensions import db

    client = login("bd")
    _import(client, "constructed/nokia_sound_romaji.vcf")
    db.session.expire_all()
    amano, yamada = db.session.scalars(select(Contact).order_by(Contact.id)).all()
    assert (amano.family_name, amano.family_name_reading, amano.notes) == \
        ("天野", None, "Romanised name: Amano Yoshitaka")
    assert (yamada.family_name_reading, yamada.given_name_reading) == ("ヤマダ", "ハナコ")
    found = client.get("/search/?q=Yoshitaka").get_data(as_text=True)
    assert "天野 喜孝" in found  # the search reads the notes


def test_a_base64_value_going_on_over_its_own_lines_is_bounded(app):
    from importers import limits

    line = b"QUJD" * 18 + b"\r\n"
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nNOTE;ENCODING=BASE64:QUJD\r\n"
            + line * 400 + b"\r\nEND:VCARD\r\n")
    with limits.override(max_vcard_line_bytes=10_000), \
            pytest.raises(ImportFileError, match="Card 1: a BASE64 value is longer than"):
        read(data, "big.vcf", "contacts")
    assert read(data, "big.vcf", "contacts").rows[0].values["notes"].startswith("ABCABC")
