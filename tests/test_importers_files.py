"""importers: reading files as a whole — encodings, binary, empty, too large, delimiters,
header rows, duplicate headers, ragged rows, xlsx, mapping, wrong kind."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

import importers
from importers import ImportFileError, base, read

COMPANIES = "会社名,法人番号,業種\n株式会社テスト,5070001000715,製造業\n架空電機株式会社,,電気機器\n"


def values(parsed):
    return [row.values for row in parsed.rows]


# ---------------------------------------------------------------- encodings
@pytest.mark.parametrize("encoding, prefix, expected", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("cp932", b"", "cp932"),
    ("shift_jis", b"", "cp932"),
    ("utf-16-le", b"\xff\xfe", "utf-16"),
    ("utf-16-be", b"\xfe\xff", "utf-16"),
    ("utf-16-le", b"", "utf-16"),
    ("euc-jp", b"", "euc-jp"),
])
def test_each_encoding_reads_the_same_rows(encoding, prefix, expected):
    parsed = read(prefix + COMPANIES.encode(encoding), "list.csv", "companies")
    assert parsed.encoding == expected
    assert values(parsed) == [
        {"name": "株式会社テスト", "corporate_number": "5070001000715", "industry": "製造業"},
        {"name": "架空電機株式会社", "industry": "電気機器"},
    ]


def test_cp932_only_characters_read():
    # ①, ㈱ and 髙 exist in CP932 (Excel) but not in strict Shift_JIS
    data = "会社名,備考\n髙島屋㈱,①支店\n".encode("cp932")
    parsed = read(data, "x.csv", "companies")
    assert parsed.encoding == "cp932"
    assert parsed.rows[0].values == {"name": "髙島屋㈱", "notes": "①支店"}


def test_empty_file_refused():
    with pytest.raises(ImportFileError, match="empty"):
        read(b"", "empty.csv", "companies")
    with pytest.raises(ImportFileError, match="empty"):
        read(b"\xef\xbb\xbf\r\n\r\n", "blank.csv", "companies")


def test_too_large_file_refused_naming_the_limit(monkeypatch):
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 1024)
    with pytest.raises(ImportFileError) as err:
        read(COMPANIES.encode() * 100, "big.csv", "companies")
    assert "1 KB" in str(err.value) and "big.csv" in str(err.value)
    # just under the limit is fine
    assert read(COMPANIES.encode(), "small.csv", "companies").rows


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),           # an image named .csv
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",                       # a PDF
    b"abc,def\n\x00\x01\x02\x03\x00\xff\xfe\x10\x00\x00\x00\x9c",  # NULs in a non-UTF-16 file
])
def test_binary_file_refused(data):
    with pytest.raises(ImportFileError, match="looks like a binary file, not CSV"):
        read(data, "photo.csv", "companies")


def test_zip_that_is_not_xlsx_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportFileError, match="binary file"):
        read(buf.getvalue(), "archive.csv", "companies")


def test_old_xls_gets_its_own_message():
    with pytest.raises(ImportFileError, match=r"\.xls"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.xls", "companies")


def test_unknown_encoding_refused():
    with pytest.raises(ImportFileError, match="encoding .* is unknown"):
        read(b"\xfd\xfe\xff" * 50, "garbled.csv", "companies")


# ---------------------------------------------------------------- CSV structure
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters_sniffed(delimiter):
    text = COMPANIES.replace(",", delimiter)
    parsed = read(text.encode(), "x.csv", "companies")
    assert parsed.rows[0].values["corporate_number"] == "5070001000715"


def test_header_found_after_title_lines_and_row_numbers_as_in_excel():
    text = ("取引先一覧（2024年度）\n"
            "作成日,2024/04/01\n"
            "\n"
            "会社名,住所,備考\n"
            '株式会社テスト,東京都港区,"1行目\n2行目"\n'
            "架空電機株式会社,大阪市,\n")
    parsed = read(text.encode("cp932"), "x.csv", "companies")
    assert parsed.header_row == 4
    assert parsed.headers == ["会社名", "住所", "備考"]
    # the quoted line break stays in its cell: Excel shows the next company on row 6
    assert [r.number for r in parsed.rows] == [5, 6]
    assert parsed.rows[0].values["notes"] == "1行目\n2行目"
    assert any("header is row 4" in note for note in parsed.notes)


def test_duplicate_headers_refused_naming_header_and_columns():
    text = "会社名,業種,メモ,業種\nA社,製造業,,電気\n"
    with pytest.raises(ImportFileError) as err:
        read(text.encode(), "dup.csv", "companies")
    message = str(err.value)
    assert '"業種"' in message and "column 2 (B)" in message and "column 4 (D)" in message


def test_ragged_rows_are_problems_on_their_row():
    text = "会社名,業種,備考\nA社,製造業,ok\nB社,製造業,note,extra value\nC社\n"
    parsed = read(text.encode(), "x.csv", "companies")
    by_number = {r.number: r for r in parsed.rows}
    assert by_number[2].problems == []
    assert by_number[3].problems[0].value == "extra value"
    assert "would be lost" in by_number[3].problems[0].reason
    # a row that only lacks its trailing cells is padded with empty ones, not refused
    assert by_number[4].problems == [] and by_number[4].values == {"name": "C社"}


def test_unclosed_quote_refused_with_row():
    text = '会社名,備考\nA社,ok\nB社,"never closed\nC社,x\nD社,y\n'
    with pytest.raises(ImportFileError, match="Row 3"):
        read(text.encode(), "x.csv", "companies")


def test_empty_rows_skipped():
    parsed = read("会社名\nA社\n,\n\nB社\n".encode(), "x.csv", "companies")
    assert [(r.number, r.values["name"]) for r in parsed.rows] == [(2, "A社"), (5, "B社")]


def test_whitespace_and_full_width_spaces_stripped():
    parsed = read("会社名,業種\n\u3000 A社 \u3000,\t製造業 \n".encode(), "x.csv", "companies")
    assert parsed.rows[0].values == {"name": "A社", "industry": "製造業"}


# ---------------------------------------------------------------- mapping
def test_headers_matched_after_width_case_and_space_folding():
    text = "ＣＯＭＰＡＮＹ　ＮＡＭＥ,corporate number,E-Mail Address\nA,1,x\n"
    parsed = read(text.encode(), "x.csv", "companies")
    assert parsed.mapping == {0: "name", 1: "corporate_number"}
    assert parsed.unmapped == ["E-Mail Address"]


def test_user_mapping_overrides_and_ignores_columns():
    text = "取引先,担当者メール,メモ\nA社,a@example.com,hello\n"
    with pytest.raises(ImportFileError, match="Company name"):
        read(text.encode(), "x.csv", "companies")  # 取引先 alone is not known as the name
    parsed = read(text.encode(), "x.csv", "companies",
                  mapping={"取引先": "name", "メモ": ""})
    assert parsed.mapping == {0: "name", 1: "officer_email"}
    assert parsed.rows[0].values == {"name": "A社", "officer_email": "a@example.com"}
    assert parsed.unmapped == ["メモ"]


def test_user_mapping_to_unknown_field_refused():
    with pytest.raises(ImportFileError, match="not a field"):
        read(COMPANIES.encode(), "x.csv", "companies", mapping={"会社名": "nonsense"})


def test_second_email_column_becomes_other_emails():
    text = "氏名,メール,メール2\n山田 太郎,a@example.com,b@example.com\n"
    parsed = read(text.encode(), "x.csv", "contacts")
    assert parsed.rows[0].values["email"] == "a@example.com"
    assert parsed.rows[0].values["other_emails"] == "b@example.com"


@pytest.mark.parametrize("full, family, given", [
    ("山田 太郎", "山田", "太郎"),
    ("山田\u3000太郎", "山田", "太郎"),
    ("Taro Yamada", "Yamada", "Taro"),
    ("Yamada, Taro", "Yamada", "Taro"),
    ("Mary Ann Smith", "Smith", "Mary Ann"),
])
def test_full_name_split_when_family_and_given_absent(full, family, given):
    parsed = read(f'氏名,フリガナ\n"{full}",ヤマダ　タロウ\n'.encode(), "x.csv", "contacts")
    row = parsed.rows[0].values
    assert (row["full_name"], row["family_name"], row["given_name"]) == (full, family, given)
    assert (row["family_name_reading"], row["given_name_reading"]) == ("ヤマダ", "タロウ")


def test_full_name_without_space_kept_whole_as_family_name():
    row = read("氏名\n山田太郎\n".encode(), "x.csv", "contacts").rows[0].values
    assert row["family_name"] == "山田太郎" and "given_name" not in row


def test_full_name_does_not_override_family_and_given():
    row = read("氏名,姓,名\n山田 太郎,山田,太郎\n".encode(), "x.csv", "contacts").rows[0].values
    assert (row["family_name"], row["given_name"]) == ("山田", "太郎")


def test_half_width_katakana_readings_become_full_width():
    row = read("姓,名,セイ,メイ\n安藤,ロイド,ｱﾝﾄﾞｳ,ﾛｲﾄﾞ\n".encode("cp932"), "x.csv",
               "contacts").rows[0].values
    assert (row["family_name_reading"], row["given_name_reading"]) == ("アンドウ", "ロイド")


# ---------------------------------------------------------------- wrong kind
def test_headers_that_map_to_nothing_for_the_kind_refused_with_expected_headers():
    text = "Order #,Quantity,Price Tier\n1,2,3\n"
    with pytest.raises(ImportFileError) as err:
        read(text.encode(), "orders.csv", "companies")
    assert "会社名" in str(err.value) and "Company" in str(err.value)


def test_missing_required_column_refused():
    # an events file without any start date column
    with pytest.raises(ImportFileError) as err:
        read("イベント名,会場\n産学連携フェア,東京\n".encode(), "ev.csv", "events")
    assert "Starts on" in str(err.value) and "開始日" in str(err.value)


def test_vcard_as_companies_refused():
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nEND:VCARD\r\n"
    with pytest.raises(ImportFileError, match="import it as contacts"):
        read(card, "john.vcf", "companies")


def test_unknown_kind_and_format_refused():
    with pytest.raises(ImportFileError):
        read(COMPANIES.encode(), "x.csv", "spaceships")
    with pytest.raises(ImportFileError):
        read(COMPANIES.encode(), "x.csv", "companies", format="pdf")


# ---------------------------------------------------------------- xlsx
def _xlsx(build) -> bytes:
    book = Workbook()
    build(book)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_xlsx_first_non_empty_sheet_dates_and_title_rows():
    def build(book):
        book.active.title = "表紙"
        sheet = book.create_sheet("会員企業")
        sheet.append(["会員企業一覧"])
        sheet.append([])
        sheet.append(["会社名", "法人番号", "入会日", "更新日"])
        sheet.append(["株式会社テスト", 5070001000715, dt.datetime(2024, 4, 1), "2025/3/31"])
        sheet.append(["架空電機", None, 45383, "2025-02-30"])
    data = _xlsx(build)
    assert importers.detect_format(data, "x.xlsx") == "xlsx"
    parsed = read(data, "members.xlsx", "companies")
    assert parsed.format == "xlsx" and parsed.encoding is None and parsed.header_row == 3
    assert parsed.rows[0].number == 4
    assert parsed.rows[0].values == {"name": "株式会社テスト", "corporate_number": "5070001000715",
                                     "member_since": "2024-04-01", "renewal_date": "2025-03-31"}
    assert parsed.rows[1].values["member_since"] == "2024-04-01"  # an Excel day number
    problem = parsed.rows[1].problems[0]
    assert (problem.row, problem.column, problem.value) == (5, "更新日", "2025-02-30")
    assert any("会員企業" in note for note in parsed.notes)


def test_xlsx_named_sheet_and_missing_sheet():
    def build(book):
        book.active.append(["会社名"])
        book.active.append(["A社"])
        other = book.create_sheet("B")
        other.append(["会社名"])
        other.append(["B社"])
    data = _xlsx(build)
    assert read(data, "x.xlsx", "companies", sheet="B").rows[0].values == {"name": "B社"}
    with pytest.raises(ImportFileError, match="no sheet"):
        read(data, "x.xlsx", "companies", sheet="C")


def test_xlsx_all_sheets_empty_refused():
    with pytest.raises(ImportFileError, match="every sheet is empty"):
        read(_xlsx(lambda book: None), "empty.xlsx", "companies")


def test_corrupt_xlsx_refused():
    data = _xlsx(lambda book: book.active.append(["会社名"]))
    broken = data[:200] + b"\x00" * 50 + data[250:]
    with pytest.raises(ImportFileError):
        read(broken, "broken.xlsx", "companies", format="xlsx")


def test_a_truncated_xlsx_is_called_a_damaged_excel_file(app, tmp_path):
    """An .xlsx cut short was refused as "a binary file, not CSV, Excel (.xlsx) or vCard"."""
    import openpyxl
    import pytest

    import importers

    path = tmp_path / "list.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["会社名"])
    book.active.append(["株式会社エー"])
    book.save(path)
    data = path.read_bytes()
    assert importers.read(data, "list.xlsx", "companies").rows  # the whole file reads
    with pytest.raises(importers.ImportFileError) as refused:
        importers.read(data[:len(data) // 2], "list.xlsx", "companies")
    assert "cannot be read as an Excel (.xlsx) file" in str(refused.value)


def test_excel_sep_line_and_text_formulas():
    text = 'sep=;\n会社名;郵便番号;法人番号\nA社;="0123456";="5070001000715"\n'
    parsed = read(text.encode(), "x.csv", "companies",
                  mapping={"郵便番号": "notes"})
    assert parsed.header_row == 1  # Excel does not show the sep= line
    assert parsed.rows[0].values == {"name": "A社", "notes": "0123456",
                                     "corporate_number": "5070001000715"}


def test_column_without_header_but_with_data_is_noted():
    parsed = read("会社名,,業種\nA社,123,製造業\n".encode(), "x.csv", "companies")
    assert parsed.rows[0].values == {"name": "A社", "industry": "製造業"}
    assert "Column B has no header: its values are not imported." in parsed.notes


def test_xlsx_data_away_from_a1_keeps_the_sheets_row_numbers_and_columns():
    """A table that starts at C3 (a title above, an empty margin left) reads with the sheet's own
    row numbers, so a rejected row points at the row the user sees in Excel."""
    def build(book):
        sheet = book.active
        sheet["A1"] = "取引先一覧 2026"
        sheet["C3"], sheet["D3"], sheet["E3"] = "会社名", "法人番号", "入会日"
        sheet["C4"], sheet["D4"], sheet["E4"] = "株式会社テスト", "5070001000715", "2024/4/1"
        sheet["C5"], sheet["D5"], sheet["E5"] = "架空電機", None, "2024-02-30"
    parsed = read(_xlsx(build), "x.xlsx", "companies")
    assert parsed.header_row == 3
    assert [r.number for r in parsed.rows] == [4, 5]
    assert parsed.rows[0].values == {"name": "株式会社テスト", "corporate_number": "5070001000715",
                                     "member_since": "2024-04-01"}
    problem = parsed.rows[1].problems[0]
    assert (problem.row, problem.column, problem.value) == (5, "入会日", "2024-02-30")


def test_xlsx_error_cell_is_reported_not_imported_as_blank():
    """#N/A in a corporate-number column (a broken VLOOKUP) must not become an empty value."""
    def build(book):
        sheet = book.active
        sheet.append(["会社名", "法人番号"])
        sheet.append(["株式会社テスト", "#N/A"])
        sheet["B2"].data_type = "e"
    parsed = read(_xlsx(build), "x.xlsx", "companies")
    # kept as written, so the save path rejects the row naming the cell (not a valid number)
    assert parsed.rows[0].values == {"name": "株式会社テスト", "corporate_number": "#N/A"}


def test_xlsx_japanese_date_format_reads_as_a_date():
    """A date cell shown with Excel's Japanese format (yyyy"年"m"月"d"日") is a date, not a serial."""
    def build(book):
        sheet = book.active
        sheet.append(["会社名", "入会日"])
        sheet.append(["株式会社テスト", dt.datetime(2024, 4, 1)])
        sheet["B2"].number_format = 'yyyy"年"m"月"d"日"'
    parsed = read(_xlsx(build), "x.xlsx", "companies")
    assert parsed.rows[0].values["member_since"] == "2024-04-01"
