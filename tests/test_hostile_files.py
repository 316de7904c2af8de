"""Hostile files (issue 13, items 1-3 and 9): every bomb is refused within its bound, with a
message naming the bound, and nothing is written. The bombs are made here (tests/bombs.py),
small on disk; the parses that would otherwise take gigabytes run in a child process whose
address space is capped, so a regression fails the test instead of exhausting the machine."""
from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

import importers
from crm.extensions import db
from importers import limits
from importers.base import ImportFileError
from tests import bombs

ROOT = Path(__file__).resolve().parent.parent
#: The child's address space: python-calamine asking for 512 GiB, or a reader inflating a
#: 256 MB sheet into Python objects, fails (MemoryError / abort) under it.
CHILD_MEMORY = 1536 * 1024 * 1024


def _batches() -> int:
    from crm.imports.models import ImportBatch

    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ImportBatch))


def _read_in_capped_child(data: bytes, name: str, kind: str = "companies") -> dict:
    """importers.read(data) in a child process limited to CHILD_MEMORY of address space, with
    the default bounds: {"refused": message} or {"rows": n}."""
    code = (
        "import json, sys\n"
        "import importers\n"
        "data = sys.stdin.buffer.read()\n"
        "try:\n"
        f"    parsed = importers.read(data, {name!r}, {kind!r})\n"
        "    out = {'rows': len(parsed.rows)}\n"
        "except importers.ImportFileError as err:\n"
        "    out = {'refused': str(err)}\n"
        "print(json.dumps(out))\n")

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    env.pop("CRM_IMPORT_MAX_ROWS", None)
    done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                          preexec_fn=cap, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return json.loads(done.stdout)


# --- 1. the dimension bomb -------------------------------------------------------------------

def test_dimension_bomb_is_refused_before_calamine_allocates():
    data = bombs.dimension_bomb()
    assert len(data) < 2000
    result = _read_in_capped_child(data, "bomb.xlsx")
    assert "refused" in result, result
    message = result["refused"]
    assert "A1:XFD1048576" in message
    assert "200,000 rows" in message and "CRM_IMPORT_MAX_ROWS" in message


def test_a_sheet_within_the_row_bound_but_too_wide_names_the_columns_and_cells_bounds():
    wide = bombs.workbook([(bombs._HEAD + '<row r="1">' + bombs.cell("A1", "会社名")
                            + bombs.cell("ALM1", "x") + "</row>" + bombs._TAIL).encode()])
    with pytest.raises(ImportFileError, match=r"1,001 columns.*CRM_IMPORT_MAX_COLUMNS"):
        importers.read(wide, "wide.xlsx", "companies")
    tall = bombs.workbook([(bombs._HEAD + '<row r="1">' + bombs.cell("A1", "会社名")
                            + bombs.cell("Z1", "x") + "</row>" + '<row r="199999">'
                            + bombs.cell("A199999", "y") + "</row>" + bombs._TAIL).encode()])
    with pytest.raises(ImportFileError, match=r"5,000,000 cells.*CRM_IMPORT_MAX_CELLS"):
        importers.read(tall, "tall.xlsx", "companies")


def test_cells_without_references_are_placed_as_calamine_places_them():
    # No r attributes: each cell follows the previous one, so 2,000 cells in a row are 2,000
    # columns, although no reference says so.
    row = "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 2000 + "</row>"
    data = bombs.workbook([(bombs._HEAD + '<row r="1">' + bombs.cell("A1", "会社名") + "</row>"
                            + row + bombs._TAIL).encode()])
    with pytest.raises(ImportFileError, match="CRM_IMPORT_MAX_COLUMNS"):
        importers.read(data, "norefs.xlsx", "companies")


# --- 2. zip bombs, the lying directory, huge cells ---------------------------------------------

def test_zip_bomb_is_refused_after_at_most_its_bound_in_a_capped_process():
    data = bombs.zip_bomb(256 * 1024 * 1024)  # 256 MB of sheet in about 1 MB
    assert len(data) < 2 * 1024 * 1024
    result = _read_in_capped_child(data, "bomb.xlsx")
    assert "refused" in result, result
    assert "200 MB" in result["refused"] and "CRM_IMPORT_MAX_MEMBER_BYTES" in result["refused"]


def test_bytes_are_counted_while_inflating_because_the_directory_can_lie():
    data = bombs.lying_directory(real_bytes=2 << 20, declared=1000)
    with pytest.raises(ImportFileError, match="more than the 1,000 bytes its directory"):
        importers.read(data, "lie.xlsx", "companies")
    # within the bounds the directory is believed only as far as it is true
    with limits.override(max_member_bytes=1 << 20):
        with pytest.raises(ImportFileError, match="CRM_IMPORT_MAX_MEMBER_BYTES"):
            importers.read(bombs.zip_bomb(2 << 20), "bomb.xlsx", "companies")
    with limits.override(max_uncompressed_bytes=1 << 20):
        with pytest.raises(ImportFileError, match="CRM_IMPORT_MAX_UNCOMPRESSED_BYTES"):
            importers.read(bombs.zip_bomb(2 << 20), "bomb.xlsx", "companies")


def test_huge_cells_are_refused_naming_the_bound():
    xlsx = bombs.huge_cell_xlsx(1 << 20)
    assert len(xlsx) < 10_000
    with pytest.raises(ImportFileError, match=r"32,767 characters, CRM_IMPORT_MAX_CELL_CHARS"):
        importers.read(xlsx, "cell.xlsx", "companies")
    # a cell under the XML scan's margin but over Excel's 32,767 characters: found exactly
    with pytest.raises(ImportFileError, match=r"Row 2, column 会社名: the cell holds 40,000"):
        importers.read(bombs.huge_cell_xlsx(40_000), "cell.xlsx", "companies")
    with pytest.raises(ImportFileError, match=r"Row 2, column B: the cell holds 40,000 "
                                              r"characters.*CRM_IMPORT_MAX_CELL_CHARS"):
        importers.read(bombs.csv_with_cell(40_000), "cell.csv", "companies")
    assert importers.read(bombs.csv_with_cell(30_000), "ok.csv", "companies").rows


def test_csv_rows_columns_and_cells_are_bounded():
    with limits.override(max_rows=10):
        data = ("会社名\n" + "".join(f"株式会社{i}\n" for i in range(20))).encode()
        with pytest.raises(ImportFileError, match="more than 10 rows.*CRM_IMPORT_MAX_ROWS"):
            importers.read(data, "rows.csv", "companies")
    with pytest.raises(ImportFileError, match="CRM_IMPORT_MAX_CELLS"):
        importers.read(b"\xe4\xbc\x9a\xe7\xa4\xbe\xe5\x90\x8d\n" + b"," * 6_000_000, "c.csv",
                       "companies")
    data = ("会社名" + ",x" * 1500 + "\n株式会社A\n").encode()
    with pytest.raises(ImportFileError, match="1,501 cells; the limit is 1,000 columns"):
        importers.read(data, "cols.csv", "companies")


# --- 3. vCards --------------------------------------------------------------------------------

def test_a_2_mb_folded_vcard_is_unfolded_and_its_long_value_refused():
    data = bombs.folded_vcard(2 * 1024 * 1024)
    assert len(data) >= 2 * 1024 * 1024
    with pytest.raises(ImportFileError, match=r"Card 1: Notes holds 524,289 characters.*"
                                              r"CRM_IMPORT_MAX_CELL_CHARS"):
        importers.read(data, "cards.vcf", "contacts")
    # the same folding in a photo (never decoded) is read: one card, its name kept
    parsed = importers.read(bombs.folded_vcard(2 * 1024 * 1024, "PHOTO;ENCODING=b"),
                            "cards.vcf", "contacts")
    assert [r.values["family_name"] for r in parsed.rows] == ["Yamada"]


def test_vcard_line_count_and_line_size_are_bounded():
    with limits.override(max_vcard_lines=1000):
        with pytest.raises(ImportFileError, match=r"lines; the limit is 1,000 lines "
                                                  r"\(CRM_IMPORT_MAX_VCARD_LINES\)"):
            importers.read(bombs.folded_vcard(8000), "cards.vcf", "contacts")
    with limits.override(max_vcard_line_bytes=1024):
        with pytest.raises(ImportFileError, match=r"Line 5 of the vCard file is longer than "
                                                  r"1 KB.*CRM_IMPORT_MAX_VCARD_LINE_BYTES"):
            importers.read(bombs.folded_vcard(8000, "PHOTO;ENCODING=b"), "c.vcf", "contacts")


def test_unfolding_keeps_quoted_printable_and_backslash_continuations():
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=B1=B1=\r\n"
            b"=E7=94=B0;=E5=A4=AA=E9=83=8E\r\nNOTE:first\\\r\nsecond\r\nTITLE:Dir\r\n ector\r\n"
            b"END:VCARD\r\n")
    row = importers.read(data, "qp.vcf", "contacts").rows[0]
    assert row.values["family_name"] == "山田"
    assert row.values["given_name"] == "太郎"
    assert row.values["notes"] == "first\nsecond"
    assert row.values["title"] == "Director"


# --- the XML the app parses --------------------------------------------------------------------

def test_billion_laughs_list_is_refused_without_expanding():
    from importers.screening import ScreeningFileError, parse

    data = bombs.billion_laughs()
    assert b"<!ENTITY" not in data[:4096]  # past the old look at the first 4 KB
    with pytest.raises(ScreeningFileError, match="declares entities"):
        parse("un", data)


def test_screening_xlsx_is_guarded_before_openpyxl():
    from importers.screening import ScreeningFileError, parse

    with pytest.raises(ScreeningFileError, match="CRM_IMPORT_MAX_ROWS"):
        parse("meti-eul", bombs.dimension_bomb(), "eul.xlsx")
    lying = bombs.workbook([(bombs._HEAD.replace("<sheetData>",
                                                 '<dimension ref="A1:XFD1048576"/><sheetData>')
                             + '<row r="1">' + bombs.cell("A1", "x") + "</row>"
                             + bombs._TAIL).encode()])
    with pytest.raises(ScreeningFileError, match="A1:XFD1048576"):
        parse("meti-eul", lying, "eul.xlsx")


# --- the web upload path ------------------------------------------------------------------------

def _upload(client, data: bytes, name: str, kind: str = "companies"):
    client.get("/imports/")
    response = client.submit("/imports/", {"kind": kind, "policy": "update",
                                           "file": (io.BytesIO(data), name)},
                             content_type="multipart/form-data")
    # the test client spools a body over 500 KB to a temporary file it does not close
    response.request.environ["wsgi.input"].close()
    return response


@pytest.mark.parametrize("make, name, kind, expected", [
    (bombs.dimension_bomb, "bomb.xlsx", "companies", "CRM_IMPORT_MAX_ROWS"),
    (lambda: bombs.huge_cell_xlsx(1 << 20), "cell.xlsx", "companies",
     "CRM_IMPORT_MAX_CELL_CHARS"),
    (lambda: bombs.lying_directory(), "lie.xlsx", "companies", "its directory entry declares"),
    (lambda: bombs.folded_vcard(400 * 1024), "cards.vcf", "contacts",
     "CRM_IMPORT_MAX_CELL_CHARS"),
])
def test_refused_uploads_show_the_bound_on_the_page_and_write_nothing(app, login, make, name,
                                                                      kind, expected):
    client = login("manager")
    response = _upload(client, make(), name, kind)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert expected in page
    assert _batches() == 0


def test_zip_bomb_upload_is_refused_on_the_page(app, login):
    client = login("manager")
    with limits.override(max_member_bytes=4 << 20):
        response = _upload(client, bombs.zip_bomb(16 << 20), "bomb.xlsx")
    assert response.status_code == 422
    assert "CRM_IMPORT_MAX_MEMBER_BYTES" in response.get_data(as_text=True)
    assert _batches() == 0


def test_the_preview_keeps_and_serves_long_cells_shortened(app, login):
    from crm.imports.models import ImportBatch

    client = login("manager")
    long_note = "備考" * 15_000  # 30,000 characters: within the bound, refused nowhere
    data = f"会社名,備考\n株式会社長文,{long_note}\n".encode()
    response = _upload(client, data, "long.csv")
    assert response.status_code == 302
    batch = db.session.scalars(select(ImportBatch)).one()
    assert len(batch.preview) < 10_000
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "株式会社長文" in page
    assert long_note not in page and len(page) < 200_000
    # the whole value is still what is imported
    client.submit(f"/imports/{batch.id}/commit")
    from crm.companies.models import Company

    db.session.expire_all()
    assert long_note in db.session.scalars(select(Company)).one().notes
    assert len(db.session.get(ImportBatch, batch.id).summary) < 10_000


# --- 9. request size ------------------------------------------------------------------------------

class _CountingStream(io.RawIOBase):
    """A request body that says how much of it was read."""

    def __init__(self, size: int):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


def test_an_anonymous_300_mb_post_to_login_is_refused_unread(app, client):
    body = _CountingStream(300 * 1024 * 1024)
    response = client.post("/login", input_stream=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert body.read_bytes == 0
    page = response.get_data(as_text=True)
    assert "larger than this page accepts (at most 1 MB)" in page
    # the cap is per route: the same 2 MB to the upload form is read (and refused by the
    # form's own validation, not by size)
    assert app.config["CRM_MAX_REQUEST_BYTES"] == 1024 * 1024


def test_upload_routes_take_files_up_to_max_content_length(app, login, monkeypatch):
    client = login("manager")
    rows = "".join(f"株式会社テスト{i},{'x' * 100}\n" for i in range(12_000))
    data = ("会社名,備考\n" + rows).encode()
    assert len(data) > 1024 * 1024
    response = _upload(client, data, "big.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 512 * 1024)
    response = _upload(client, data, "big.csv")
    assert response.status_code == 413
    assert "The file you sent is larger than this form accepts (at most 512 KB" in \
        response.get_data(as_text=True)
    assert _batches() == 1


def test_upload_endpoints_exist(app):
    from crm.common.limits import UPLOAD_ENDPOINTS

    assert UPLOAD_ENDPOINTS <= set(app.view_functions)


def test_bounds_come_from_the_config(app):
    from crm.common import limits as web_limits

    previous = limits.current()
    try:
        limits.from_config({"CRM_IMPORT_MAX_ROWS": "123", "CRM_IMPORT_MAX_CELL_CHARS": 99})
        assert (limits.current().max_rows, limits.current().max_cell_chars) == (123, 99)
        assert limits.current().max_columns == previous.max_columns
        assert "CRM_IMPORT_MAX_ROWS" in limits.CONFIG_KEYS and web_limits.UPLOAD_ENDPOINTS
    finally:
        limits.configure(**previous.__dict__)


def test_the_refusal_is_shown_in_japanese(app, login):
    client = login("manager")
    client.get("/imports/", headers={"Accept-Language": "ja"})
    response = client.submit("/imports/", {"kind": "companies", "policy": "update",
                                           "file": (io.BytesIO(bombs.dimension_bomb()),
                                                    "bomb.xlsx")},
                             content_type="multipart/form-data",
                             headers={"Accept-Language": "ja"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "上限は 200,000 行です（CRM_IMPORT_MAX_ROWS）" in page
    assert _batches() == 0
