"""The list parsers (importers/screening.py) and the name folding (crm/screening/names.py) on
extracts of the real lists; no database."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm.screening.names import Entry, Matcher, country_codes, fingerprint, fold, keys
from importers.screening import ScreeningFileError, parse, split_script

FIXTURES = Path(__file__).parent / "fixtures" / "screening"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_id(parsed):
    return {e.entry_id: e for e in parsed.entries}


def test_sdn_latin1_ctrl_z_and_empty_markers():
    data = read("sdn_extract.csv")
    assert data.endswith(b"\r\n\x1a") and b"\xc9" in data  # the odd bytes are in the fixture
    parsed = parse("sdn", data, "ofac_sdn_2024-05-03.csv")
    entries = by_id(parsed)
    assert parsed.published_on == date(2024, 5, 3)  # the file date
    assert len(parsed.entries) == 9
    assert entries["306"].name == "BANCO NACIONAL DE CUBA"
    assert entries["306"].aliases == ["BNC"]  # a.k.a. from Remarks
    assert entries["36"].remarks == "" and entries["36"].entry_type == "entity"  # -0- is empty
    assert entries["4107"].entry_type == "individual"
    assert entries["4107"].aliases == ["THE CHESS PLAYER", "LUCAS"]
    assert entries["3754"].aliases == ["ABU-'UMAR"]  # an apostrophe inside the alias
    assert entries["99901"].name == "CAFÉ TEST TRADING S.A."
    assert entries["99901"].aliases == ["CAFÉ TÉST"]
    assert entries["99901"].countries == ["Iran"]


def test_sdn_bad_row_names_the_line():
    bad = read("sdn_extract.csv").replace(b"306,", b"X306,", 1)
    with pytest.raises(ScreeningFileError, match=r"line 2: ent_num 'X306'"):
        parse("sdn", bad)


@pytest.mark.parametrize("name", ["csl_old_header.csv", "csl_new_header.csv"])
def test_csl_both_header_variants(name):
    parsed = parse("csl", read(name))
    assert parsed.entries
    names = [e.name for e in parsed.entries]
    if name == "csl_new_header.csv":
        first = parsed.entries[0]
        assert first.entry_id.startswith("233a4d72")  # the _id column
        assert first.name == "Sinobright Import and Export Company"  # 'and any successor' cut
        assert first.programs.startswith("ISN")
        aaspt = next(e for e in parsed.entries if e.name.startswith("Academy of Aerospace"))
        assert aaspt.countries == ["CN"]
    else:
        assert "200G PSA HOLDINGS LLC" in names
        canada = next(e for e in parsed.entries if e.name == "2904977 CANADA, INC.")
        assert canada.entry_id == "8124" and canada.aliases == ["CARIBE SOL",
                                                                "HAVANTUR CANADA INC."]
        assert canada.countries == ["CA"] and canada.entry_type == "entity"


def test_csl_without_name_column_is_refused():
    with pytest.raises(ScreeningFileError, match="no 'name' column"):
        parse("csl", b"source,title\nx,y\n")


def test_dpl_tab_separated():
    parsed = parse("dpl", read("dpl_extract.txt"))
    assert len(parsed.entries) == 6
    first = parsed.entries[0]
    assert first.name == "ADRIAN MANUEL HERNANDEZ" and first.entry_type is None
    assert first.entry_id.startswith("DPL-") and "PHONEIX" in first.remarks
    assert parsed.published_on is not None  # the latest Last_Update


def test_un_individuals_entities_and_aliases():
    parsed = parse("un", read("un_extract.xml"))
    entries = by_id(parsed)
    assert parsed.published_on == date(2026, 2, 27)  # dateGenerated
    assert entries["CDi.001"].name == "ERIC BADEGE"
    assert entries["CDi.001"].entry_type == "individual"
    assert "Democratic Republic of the Congo" in entries["CDi.001"].countries
    cagl = entries["CDe.003"]
    assert cagl.entry_type == "entity"
    assert cagl.name == "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)"
    assert "GREAT LAKES BUSINESS COMPANY (GLBC)" in cagl.aliases and "CAGL" in cagl.aliases


def test_un_broken_xml_is_refused():
    with pytest.raises(ScreeningFileError, match="cannot be read"):
        parse("un", read("un_extract.xml")[:500])
    with pytest.raises(ScreeningFileError, match="root element"):
        parse("un", b"<?xml version='1.0'?><OTHER/>")


def test_meti_names_file_groups_aliases_and_japanese():
    parsed = parse("meti-eul", read("meti_names_extract.csv"))
    entries = by_id(parsed)
    assert entries["EUL290"].name == "KIM IL SUNG UNIVERSITY"
    assert "金日成総合大学" in entries["EUL290"].aliases
    assert entries["EUL279"].name == "GREEN PINE ASSOCIATED CORPORATION"  # leading ・ gone
    assert "青松連合" in entries["EUL279"].aliases
    assert len(entries["EUL6"].aliases) == 6


def test_meti_published_columns_csv_and_xlsx():
    parsed = parse("meti-eul", read("meti_published.csv"))
    entries = by_id(parsed)
    assert parsed.published_on == date(2024, 5, 10)  # from the title line
    assert entries["EUL1"].aliases == ["AL QAEDA", "ISLAMIC SALVATION FOUNDATION", "THE BASE"]
    assert entries["EUL290"].aliases == ["金日成総合大学"] and entries["EUL290"].countries == [
        "North Korea"]
    assert entries["EUL400"].programs == "METI EUL M"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["外国ユーザーリスト"])
    sheet.append(["No.", "国名・地域名", "企業名・組織名", "別名", "懸念区分"])
    sheet.append([7, "イラン", "ARFEH COMPANY", "アルフェ社", "N"])
    buf = io.BytesIO()
    book.save(buf)
    parsed = parse("meti-eul", buf.getvalue(), "eul.xlsx")
    assert parsed.entries[0].entry_id == "EUL7" and parsed.entries[0].aliases == ["アルフェ社"]
    assert country_codes(parsed.entries[0].countries) == {"IR"}


def test_meti_without_header_and_empty_files_are_refused():
    with pytest.raises(ScreeningFileError, match="No header"):
        parse("meti-eul", "a,b,c\n1,2,3\n".encode())
    with pytest.raises(ScreeningFileError, match="empty"):
        parse("sdn", b"\x1a\r\n")


@pytest.mark.parametrize("typed", ["株式会社 東洋テスト", "東洋テスト(株)", "東洋テスト株式会社",
                                   "㈱東洋テスト", "東洋テスト"])
def test_fold_japanese_legal_forms(typed):
    assert fold(typed) == "東洋テスト"


@pytest.mark.parametrize("typed", ["Toyo Test Co., Ltd.", "TOYO TEST CORPORATION",
                                   "ｔｏｙｏ　ｔｅｓｔ Inc.", "Toyo-Test LLC", "The Toyo Test K.K.",
                                   "Toyo Test GmbH", "OOO Toyo Test", "Toyo Test, JSC"])
def test_fold_english_legal_forms_case_and_width(typed):
    assert fold(typed) == "toyo test"


def test_fold_initials_and_word_order_scoring():
    assert fold("D.E.S. INTERNATIONAL CO. LTD") == "des international"
    m = Matcher([Entry(ref="x", names=["ABU MARZOOK, Mousa Mohammed"], entry_type="individual",
                       countries=set())])
    found = m.search(["Mousa Mohammed Abu Marzook"], person=True)
    assert found and found[0].score == 1.0
    assert m.search(["Mousa Mohammed Abu Marzook"], person=False) == []  # people only


def test_japanese_name_meets_its_romaji():
    assert keys("トヨタ自動車株式会社") == ["トヨタ自動車", "toyota jidosha"]
    m = Matcher([Entry(ref="t", names=["TOYOTA JIDOSHA K.K."], entry_type="entity",
                       countries=set()),
                 Entry(ref="k", names=["金日成総合大学"], entry_type="entity", countries=set())])
    assert [c.ref for c in m.search(["トヨタ自動車株式会社"], threshold=0.86)] == ["t"]
    assert [c.ref for c in m.search(["金日成総合大学"], threshold=0.86)] == ["k"]


def test_unrelated_and_common_word_names_are_not_raised():
    m = Matcher([Entry(ref=1, names=["CHOSON CENTRAL BANK"], entry_type="entity", countries=set()),
                 Entry(ref=2, names=["NEC"], entry_type="entity", countries=set())])
    assert m.search(["Bank"], threshold=0.86) == []
    assert m.search(["NEC Corporation"], threshold=0.86) == []  # acronyms alone stay below
    assert m.search(["Choson Central Bank Ltd."], threshold=0.86)[0].ref == 1


def test_country_bonus_and_penalty():
    m = Matcher([Entry(ref=1, names=["ARFEH TRADING"], entry_type="entity", countries={"IR"})])
    same = m.search(["Arfeh Tradings"], country="IR")[0].score
    other = m.search(["Arfeh Tradings"], country="JP")[0].score
    assert same > other


def test_fingerprint_ignores_form_but_not_names():
    assert fingerprint("株式会社テスト", "JP") == fingerprint("テスト(株)", "JP")
    assert fingerprint("株式会社テスト") != fingerprint("株式会社テスト2")


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


METI_XLSX = [["End User List"], ["Revised on May 10, 2024"],
             ["No.", "Country or Region", "Company or Organization", "Also Known As",
              "Type of WMD"],
             [313, "North Korea", "Korea Mining Development Trading Corporation (KOMID)",
              "Changgwang Sinyong Corporation (蒼光信用会社)", "M"],
             [290, "North Korea", "Kim Il Sung University (金日成総合大学)", None, "N"]]


def test_meti_english_title_line_gives_the_version(app):
    parsed = parse("meti-eul", _xlsx(METI_XLSX), "eul.xlsx")
    assert parsed.published_on == date(2024, 5, 10)


def test_meti_bracketed_acronym_is_a_name_of_its_own(app):
    assert split_script("KOREA MINING DEVELOPMENT TRADING CORPORATION (KOMID) (朝鮮鉱業開発貿易会社)") \
        == ["KOREA MINING DEVELOPMENT TRADING CORPORATION", "KOMID", "朝鮮鉱業開発貿易会社"]
    assert split_script("ABC (PVT) LTD") == ["ABC (PVT) LTD"]
    parsed = parse("meti-eul", _xlsx(METI_XLSX), "eul.xlsx")
    komid = next(e for e in parsed.entries if e.entry_id == "EUL313")
    matcher = Matcher([Entry(ref=e.entry_id, names=[e.name, *e.aliases],
                                   entry_type=e.entry_type, countries=set())
                          for e in parsed.entries])
    assert "KOMID" in komid.aliases
    hits = matcher.search(["KOMID"], threshold=0.86)
    assert [h.ref for h in hits] == ["EUL313"]


def test_univ_is_university_when_screening(app):
    assert fold("Kim Il Sung Univ.") == fold("KIM IL SUNG UNIVERSITY")
    assert fold("Beijing Univ. of Aeronautics and Astronautics") \
        == fold("BEIJING UNIVERSITY OF AERONAUTICS AND ASTRONAUTICS")
    assert fold("Univers Co., Ltd.") == "univers"
