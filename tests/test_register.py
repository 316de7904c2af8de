"""Japan's corporate-number register (国税庁 法人番号公表サイト) against our companies:
the reader (importers/houjin.py), `crm register import`, the review page and the upload.

Fixtures are real register rows (tests/fixtures/SOURCES.md, "register/")."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies.models import Company
from crm.extensions import db
from importers.houjin import RegisterFileError, RegisterReader, check_digit_ok, open_register

FIXTURES = Path(__file__).parent / "fixtures" / "register"
ZENKEN = FIXTURES / "zenken_13_tokyo_extract.csv"          # UTF-8 ("Unicode")
ZENKEN_SJIS = FIXTURES / "zenken_13_tokyo_extract_sjis.csv"  # the same rows in CP932
DIFF = FIXTURES / "diff_20220126_extract.csv"
MERGER = FIXTURES / "merger_derived.csv"

HERMES = "4010801014350"      # 株式会社ヘルメスシステムズ
NDL = "1000011000005"         # 国立国会図書館
MITSUI = "1010001012570"      # 三井物産グローバル投資株式会社 (closed 2022-01-19)
KANTO = "1010001040308"       # 株式会社カント不動産


def _rows(path: Path, wanted=None):
    with open_register(path) as stream:
        reader = RegisterReader(stream, wanted=wanted)
        return list(reader), reader


def _audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def _company(number: str) -> Company:
    db.session.expire_all()
    return db.session.scalar(select(Company).where(Company.corporate_number == number))


# -- the reader -----------------------------------------------------------------------------------

def test_the_unicode_and_shift_jis_files_read_the_same():
    utf8, r1 = _rows(ZENKEN)
    sjis, r2 = _rows(ZENKEN_SJIS)
    assert (r1.encoding, r2.encoding) == ("utf-8", "cp932")
    assert [(r.number, r.name, r.furigana, r.address) for r in utf8] == \
        [(r.number, r.name, r.furigana, r.address) for r in sjis]
    hermes = next(r for r in utf8 if r.number == HERMES)
    assert hermes.name == "株式会社ヘルメスシステムズ"
    assert hermes.furigana == "ヘルメスシステムズ"
    assert hermes.address == "東京都港区海岸１丁目１６番１号ニューピア竹芝サウスタワー６階"
    assert hermes.postal_code == "105-0022"
    assert hermes.line == 6 and hermes.latest and hermes.close_date is None
    assert next(r for r in utf8 if r.number == NDL).en_name == "National Diet Library"


def test_only_the_wanted_numbers_are_built_but_every_line_is_counted():
    rows, reader = _rows(ZENKEN, wanted={HERMES})
    assert [r.number for r in rows] == [HERMES]
    assert (reader.rows, reader.lines) == (6, 6)


def test_a_closed_row_and_a_merger_row():
    (closed, _kanto), _ = _rows(DIFF)
    assert (closed.number, closed.close_date, closed.close_cause) == \
        (MITSUI, date(2022, 1, 19), "01")
    (merged,), _ = _rows(MERGER)
    assert (merged.close_cause, merged.successor) == ("11", KANTO)


def test_the_check_digit():
    assert check_digit_ok(HERMES) and check_digit_ok("7000012050002")
    assert not check_digit_ok("5010801014350") and not check_digit_ok("401080101435")


def _bad(tmp_path: Path, content: bytes) -> RegisterFileError:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(RegisterFileError) as caught:
        _rows(path)
    return caught.value


def test_a_wrong_column_count_names_the_line(tmp_path):
    lines = ZENKEN.read_bytes().splitlines(keepends=True)
    short = lines[3].rsplit(b",", 1)[0] + b"\n"
    err = _bad(tmp_path, b"".join(lines[:3] + [short] + lines[4:]))
    assert err.line == 4 and "29 columns where the register has 30" in str(err)


def test_a_bad_check_digit_names_the_line(tmp_path):
    content = ZENKEN.read_bytes().replace(b"1000012010011", b"2000012010011")
    err = _bad(tmp_path, content)
    assert err.line == 3 and "2000012010011" in str(err) and "check digit" in str(err)


def test_a_file_mixing_encodings_names_the_line(tmp_path):
    # UTF-8 rows, then one row saved in Shift_JIS (as an editor might append it)
    content = ZENKEN.read_bytes() + DIFF.read_text("utf-8").splitlines()[1].encode("cp932")
    err = _bad(tmp_path, content)
    assert err.line == 7 and "UTF-8" in str(err)


def test_utf16_is_refused_on_line_1(tmp_path):
    err = _bad(tmp_path, ZENKEN.read_text("utf-8").encode("utf-16"))
    assert err.line == 1 and "UTF-16" in str(err)


def test_a_bad_date_in_one_of_our_rows_names_the_line(tmp_path):
    content = ZENKEN.read_bytes().replace(b"420920,4010801014350,01,1,2018-04-17",
                                          b"420920,4010801014350,01,1,2018-13-17")
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(RegisterFileError) as caught:
        _rows(path, wanted={HERMES})
    assert caught.value.line == 6 and "updateDate" in str(caught.value)


# -- crm register import ---------------------------------------------------------------------------

@pytest.fixture
def ours(make_company):
    """Our companies: Hermes under a short name with nothing filled, the library as the register
    names it, a closed one, and one not in any file."""
    return {
        "hermes": make_company(name="ヘルメスシステムズ", corporate_number=HERMES),
        "ndl": make_company(name="国立国会図書館", corporate_number=NDL,
                            address="東京都千代田区永田町1-10-1", name_reading="コッカイトショカン"),
        "mitsui": make_company(name="三井物産グローバル投資株式会社", corporate_number=MITSUI),
        "kanto": make_company(name="株式会社カント不動産", corporate_number=KANTO),
        "other": make_company(name="株式会社ほか"),
    }


def _import(runner, path: Path, *args: str):
    return runner.invoke(args=["register", "import", str(path), *args])


def test_import_fills_empty_fields_and_lists_a_differing_name(runner, ours):
    result = _import(runner, ZENKEN_SJIS, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["rows"], report["matched"], report["encoding"]) == (6, 2, "cp932")
    hermes = _company(HERMES)
    assert hermes.name == "ヘルメスシステムズ"            # never overwritten
    assert hermes.register_name == "株式会社ヘルメスシステムズ"  # listed for review
    assert hermes.name_reading == "ヘルメスシステムズ"
    assert hermes.address == "東京都港区海岸１丁目１６番１号ニューピア竹芝サウスタワー６階"
    assert hermes.postal_code == "105-0022"
    assert hermes.register_updated_on == date(2018, 4, 17)
    ndl = _company(NDL)
    assert ndl.address == "東京都千代田区永田町1-10-1"       # ours kept
    assert ndl.name_reading == "コッカイトショカン"
    assert ndl.name_en == "National Diet Library"            # empty: filled
    assert ndl.register_name is None                         # the same name
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.entity == "companies", AuditEntry.entity_id == hermes.id,
        AuditEntry.action == "update"))
    assert entry.actor == "register import"
    assert entry.changes["address"] == [None, hermes.address]
    assert entry.changes["register_name"] == [None, "株式会社ヘルメスシステムズ"]


def test_the_same_file_again_changes_nothing(runner, ours):
    assert _import(runner, ZENKEN).exit_code == 0
    before, version = _audit_count(), _company(HERMES).version
    again = json.loads(_import(runner, ZENKEN, "--json").output)
    assert again["changed"] == 0 and again["changes"] == []
    assert _audit_count() == before and _company(HERMES).version == version


def test_a_dry_run_reports_and_writes_nothing(runner, ours):
    before = _audit_count()
    result = _import(runner, ZENKEN, "--dry-run")
    assert result.exit_code == 0
    assert "Would change 2 companies" in result.output and "nothing was written" in result.output
    assert _company(HERMES).address is None and _audit_count() == before


def test_the_zip_as_downloaded(runner, ours, tmp_path):
    path = tmp_path / "13_tokyo_all_20201228.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("13_tokyo_all_20201228.csv", ZENKEN.read_bytes())
        archive.writestr("13_tokyo_all_20201228.csv.asc", "-----BEGIN PGP SIGNATURE-----\n")
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert _company(HERMES).postal_code == "105-0022"


def test_a_bad_file_writes_nothing_and_names_the_line(runner, ours, tmp_path):
    # the first row (ours) is fine; line 5 is cut short
    lines = ZENKEN.read_bytes().splitlines(keepends=True)
    lines = [lines[5]] + lines[:4] + [lines[4][:40] + b"\n"]
    path = tmp_path / "broken.csv"
    path.write_bytes(b"".join(lines))
    before = _audit_count()
    result = _import(runner, path)
    assert result.exit_code == 1
    assert "line 6" in result.output and "Nothing was written" in result.output
    assert _company(HERMES).address is None and _audit_count() == before


def test_closure_and_merger_are_recorded_and_shown(runner, ours, login):
    assert _import(runner, DIFF).exit_code == 0
    mitsui = _company(MITSUI)
    assert (mitsui.closed_on, mitsui.close_cause) == (date(2022, 1, 19), "01")
    assert _import(runner, MERGER).exit_code == 0
    hermes, kanto = _company(HERMES), _company(KANTO)
    assert (hermes.close_cause, hermes.successor_number) == ("11", KANTO)

    client = login("staff")
    page = client.get(f"/companies/{hermes.id}").get_data(as_text=True)
    assert "Closed in the corporate-number register on" in page
    assert "Dissolved by a merger" in page
    assert f'href="/companies/{kanto.id}"' in page          # the successor, ours
    listed = client.get("/companies/?closed=yes").get_data(as_text=True)
    assert "三井物産グローバル投資株式会社" in listed and "ヘルメスシステムズ" in listed
    assert "株式会社カント不動産" not in listed and "株式会社ほか" not in listed
    assert '>Closed</span>' in listed
    open_ones = client.get("/companies/?closed=no").get_data(as_text=True)
    assert "株式会社カント不動産" in open_ones and "三井物産グローバル" not in open_ones
    assert "Closed: “maybe” is not valid" not in open_ones
    assert "is not valid" in client.get("/companies/?closed=maybe").get_data(as_text=True)


def test_a_newer_row_reopening_a_company_clears_its_closure(runner, ours, tmp_path):
    assert _import(runner, DIFF).exit_code == 0
    row = DIFF.read_text("utf-8").splitlines()[0].split(",")
    row[2], row[4], row[18], row[19] = "22", "2022-03-01", "", ""  # 登記記録の復活等
    path = tmp_path / "diff_20220301.csv"
    path.write_text(",".join(row) + "\n", "utf-8")
    assert json.loads(_import(runner, path, "--json").output)["reopened"] == 1
    assert _company(MITSUI).closed_on is None


# -- the review page -------------------------------------------------------------------------------

def test_bd_takes_the_register_name(runner, ours, login):
    _import(runner, ZENKEN)
    client = login("bd")
    page = client.get("/companies/register").get_data(as_text=True)
    assert "株式会社ヘルメスシステムズ" in page and "国立国会図書館" not in page
    hermes = _company(HERMES)
    response = client.submit(f"/companies/{hermes.id}/register-name", button="accept",
                             follow_redirects=True)
    assert response.status_code == 200
    hermes = _company(HERMES)
    assert hermes.name == "株式会社ヘルメスシステムズ" and hermes.register_name is None
    assert hermes.legal_form == "株式会社"                 # derived keys recomputed
    by_user = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_id == hermes.id, AuditEntry.entity == "companies",
        AuditEntry.user_id.is_not(None))).all()
    changes = {k: v for entry in by_user for k, v in entry.changes.items()}
    assert changes["name"] == ["ヘルメスシステムズ", "株式会社ヘルメスシステムズ"]
    assert changes["register_name"] == ["株式会社ヘルメスシステムズ", None]
    # the register agrees now: importing again lists nothing
    _import(runner, ZENKEN)
    assert _company(HERMES).register_name is None


def test_keeping_ours_is_not_asked_again(runner, ours, login):
    _import(runner, ZENKEN)
    client = login("admin")
    client.get("/companies/register")
    hermes = _company(HERMES)
    client.submit(f"/companies/{hermes.id}/register-name", button="keep")
    hermes = _company(HERMES)
    assert hermes.name == "ヘルメスシステムズ" and hermes.register_name is None
    assert hermes.register_name_kept == "株式会社ヘルメスシステムズ"
    _import(runner, ZENKEN)
    assert _company(HERMES).register_name is None
    assert "株式会社ヘルメスシステムズ" not in client.get("/companies/register").get_data(
        as_text=True)


def test_a_decision_on_a_name_the_register_has_since_changed_is_refused(runner, ours, login,
                                                                         tmp_path):
    _import(runner, ZENKEN)
    client = login("bd")
    client.get("/companies/register")  # the page shows the old register name
    renamed = ZENKEN.read_text("utf-8").replace("株式会社ヘルメスシステムズ",
                                                "株式会社ヘルメス")
    path = tmp_path / "renamed.csv"
    path.write_text(renamed.replace("2018-04-17", "2019-01-01"), "utf-8")
    _import(runner, path)
    hermes = _company(HERMES)
    response = client.submit(f"/companies/{hermes.id}/register-name", button="accept")
    assert response.status_code == 409
    assert "changed or was decided meanwhile" in response.get_data(as_text=True)
    hermes = _company(HERMES)
    assert hermes.name == "ヘルメスシステムズ" and hermes.register_name == "株式会社ヘルメス"


def test_the_review_page_and_decisions_need_the_import_permission(runner, ours, login):
    _import(runner, ZENKEN)
    hermes = _company(HERMES)
    client = login("staff")
    assert client.get("/companies/register").status_code == 403
    response = client.forge(f"/companies/{hermes.id}/register-name",
                            {"register_name": hermes.register_name, "accept": "y"})
    assert response.status_code == 403
    assert _company(HERMES).name == "ヘルメスシステムズ"
    # and the company page only links to the review for those who may use it
    assert "/companies/register" not in client.get(f"/companies/{hermes.id}").get_data(
        as_text=True)
    assert "/companies/register" in login("bd").get(f"/companies/{hermes.id}").get_data(
        as_text=True)


# -- the upload --------------------------------------------------------------------------------------

def test_bd_uploads_a_shift_jis_register_file(ours, login):
    client = login("bd")
    response = client.submit("/companies/register", page="/companies/register",
                             files={"file": (io.BytesIO(ZENKEN_SJIS.read_bytes()),
                                             "13_tokyo_all_sjis.csv")},
                             follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "6 register rows, 2 of our companies found, 2 changed" in page
    assert "株式会社ヘルメスシステムズ" in page  # now on the review list
    assert _company(HERMES).postal_code == "105-0022"


def test_an_uploaded_bad_file_is_refused_naming_the_line(ours, login):
    client = login("bd")
    content = ZENKEN.read_bytes().replace(b"1000012010028", b"1000012010029")
    before = _audit_count()
    response = client.submit("/companies/register", page="/companies/register",
                             files={"file": (io.BytesIO(content), "bad.csv")})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "line 4" in page and "1000012010029" in page and "Nothing was written" in page
    assert _company(HERMES).address is None and _audit_count() == before


# -- hostile and odd files ---------------------------------------------------------------------------

def test_a_zip_without_exactly_one_csv_is_refused(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", ZENKEN.read_bytes())
        archive.writestr("b.csv", DIFF.read_bytes())
    with pytest.raises(RegisterFileError, match="holds 2 CSV files"):
        _rows(path)


def test_a_line_too_long_to_be_a_register_row_is_refused(tmp_path):
    err = _bad(tmp_path, ZENKEN.read_bytes() + b"1," + b"x" * 20_000 + b"\n")
    assert err.line == 7 and "longer than 16 KB" in str(err)


def test_the_web_api_first_line_is_skipped(tmp_path):
    path = tmp_path / "api.csv"
    path.write_bytes(b"2022-02-03,2843,1,2\n" + DIFF.read_bytes())
    rows, reader = _rows(path)
    assert [r.number for r in rows] == [MITSUI, KANTO] and reader.rows == 2


def test_names_differing_only_in_width_or_spacing_are_the_same():
    from crm.companies.register import same_name

    assert same_name("ＡＢＣ株式会社", "ABC 株式会社")
    assert same_name("株式会社　ヘルメス", "株式会社ヘルメス")
    assert not same_name("(株)ヘルメス", "株式会社ヘルメス")
    assert not same_name("ヘルメス株式会社", "株式会社ヘルメス")
