"""Files without a header row (named by column letters on the page and with --map), rows that
only lack trailing cells, and the command line's column mapping: --map, --show-columns and the
ignored columns, on the web preview and in --json."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from crm.extensions import db
from tests.test_imports_web import _batch_id, _upload

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
SDN = FIXTURES / "sdn_headerless_extract.csv"     # OFAC SDN: id, name, type, program ...
METI = FIXTURES / "meti_names_headerless_extract.csv"  # METI End User List: name, id, list
SDN_NAMES = ["AEROCARIBBEAN AIRLINES", "ANGLO-CARIBBEAN CO., LTD.", "BANCO NACIONAL DE CUBA",
             "BOUTIQUE LA MAISON", "CASA DE CUBA", "CECOEX, S.A.", "CIMEX", "CIMEX IBERICA"]


def _companies() -> list[str]:
    from crm.companies.models import Company

    db.session.expire_all()
    return sorted(db.session.scalars(select(Company.name)))


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- the reader ---------------------------------------------------------------------------------

def test_a_file_without_a_header_row_is_read_as_data_named_by_letters():
    import importers

    for path, width in ((SDN, 12), (METI, 3)):
        parsed = importers.read(path.read_bytes(), path.name, "companies", require_all=False)
        assert parsed.headerless and parsed.header_row is None, path.name
        assert parsed.headers == [chr(65 + i) for i in range(width)]
        assert parsed.mapping == {} and parsed.ignored == list(range(width))
        # the first row is data, not a header "appearing twice" or a header to skip
        assert len(parsed.rows) == len(path.read_bytes().splitlines())

    parsed = importers.read(SDN.read_bytes(), SDN.name, "companies", mapping={"B": "name"})
    assert [r.values["name"] for r in parsed.rows] == SDN_NAMES
    assert parsed.sample[0][:4] == ["36", "AEROCARIBBEAN AIRLINES", "-0-", "CUBA"]
    by_number = importers.read(METI.read_bytes(), METI.name, "companies", mapping={"1": "name"})
    assert by_number.rows[0].values == {"name": "AL QA'IDA/ISLAMIC ARMY"}


def test_a_header_row_of_unknown_names_is_still_a_header():
    """Column names the CRM does not know are not data: the file is refused as before."""
    import pytest

    import importers
    from importers.base import ImportFileError
    from importers.tabular import HeaderlessFile

    with pytest.raises(ImportFileError, match="None of the headers") as caught:
        importers.read("Foo,Bar\nx1,y1\nx2,y2\n".encode(), "odd.csv", "companies")
    assert not isinstance(caught.value, HeaderlessFile)
    with pytest.raises(HeaderlessFile, match="no header row"):
        importers.read(SDN.read_bytes(), SDN.name, "companies")


def test_rows_lacking_trailing_cells_are_padded_not_rejected(app):
    from crm.companies.models import Company
    from crm.imports import services

    text = "会社名,業種,状態,備考,URL\n短い行株式会社,製造業\n全部ある株式会社,化学,active,メモ,https://z.example\n"
    summary = services.commit(services.read_file(text.encode(), "short.csv", "companies"),
                              "companies")
    db.session.commit()
    assert summary["created"] == 2 and summary["rejected"] == []
    short = db.session.scalar(select(Company).where(Company.name == "短い行株式会社"))
    assert short.industry == "製造業" and short.website is None


# --- the command line ---------------------------------------------------------------------------

def test_cli_names_a_headerless_file_shows_its_rows_and_imports_it_with_map(app, runner):
    from crm.companies.models import Company

    refused = runner.invoke(args=["import", "companies", str(SDN), "--json"])
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "This file has no header row" in refused.stderr
    assert "row 1: A=36, B=AEROCARIBBEAN AIRLINES" in refused.stderr  # a preview of its rows
    assert "--map" in refused.stderr and "A to L" in refused.stderr
    assert _count(Company) == 0

    shown = runner.invoke(args=["import", "companies", str(SDN), "--map", "B=name",
                                "--show-columns"])
    assert shown.exit_code == 0, shown.output
    assert "no header row" in shown.stdout
    assert "B -> name (Company name)   e.g. AEROCARIBBEAN AIRLINES" in shown.stdout
    assert "A -> ignored" in shown.stdout and "L -> ignored" in shown.stdout
    assert _count(Company) == 0  # --show-columns imports nothing

    done = runner.invoke(args=["import", "companies", str(SDN), "--map", "2=name", "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["created"] == 8 and summary["rejected"] == []
    assert [c["column"] for c in summary["ignored_columns"]] == list("ACDEFGHIJKL")
    assert _companies() == sorted(SDN_NAMES)
    again = json.loads(runner.invoke(args=["import", "companies", str(SDN), "--map", "B=name",
                                           "--json"]).stdout)
    assert (again["created"], again["unchanged"]) == (0, 8)


def test_cli_map_by_header_show_columns_and_ignored_columns(app, runner, tmp_path, make_company):
    from crm.companies.models import Company

    company = make_company(name="株式会社マッピング試験", industry="電機")
    path = tmp_path / "old.csv"
    path.write_bytes("取引先,業界X,社内コード\n株式会社マッピング試験,化学,K-17\n".encode("cp932"))

    shown = runner.invoke(args=["import", "companies", str(path), "--map", "取引先=name",
                                "--map", "業界X=Industry", "--show-columns"])
    assert shown.exit_code == 0, shown.output
    assert 'A "取引先" -> name (Company name)' in shown.stdout
    assert 'B "業界X" -> industry (Industry)' in shown.stdout  # a field by its label too
    assert 'C "社内コード" -> ignored' in shown.stdout

    done = runner.invoke(args=["import", "companies", str(path), "--map", "取引先=name",
                               "--map", "業界X=industry", "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["updated"] == 1
    assert summary["ignored_columns"] == [{"column": "C", "header": "社内コード"}]
    db.session.expire_all()
    assert db.session.get(Company, company.id).industry == "化学"

    human = runner.invoke(args=["import", "companies", str(path), "--map", "取引先=name",
                                "--dry-run"])
    assert 'Ignored columns: B "業界X", C "社内コード".' in human.stdout


def test_cli_map_that_names_no_column_or_no_field_exits_2(app, runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("会社名,業種\nA社,化学\n".encode())
    for args, said in ((["--map", "住所X=address"], "names no column of the file: 住所X"),
                       (["--map", "業種=favourite_colour"], "not a field of companies"),
                       (["--map", "業種"], "write it as"),
                       (["--map", "Z=industry"], "names no column of the file: Z")):
        result = runner.invoke(args=["import", "companies", str(path), *args])
        assert result.exit_code == 2, (args, result.output)
        assert said in result.stderr and result.stdout == ""


# --- the web page -------------------------------------------------------------------------------

def test_web_headerless_upload_shows_rows_and_maps_columns_by_letter(app, login):
    from crm.companies.models import Company

    client = login("bd")
    response = _upload(client, data=SDN.read_bytes(), name="sdn.csv")
    assert response.status_code == 302
    batch_id = _batch_id(response)
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "This file has no header row" in page
    assert "AEROCARIBBEAN AIRLINES" in page and "CASA DE CUBA" in page  # its first rows
    assert "Column B" in page
    assert "Ignored (not imported):" in page
    assert _count(Company) == 0

    response = client.submit(f"/imports/{batch_id}/mapping", {"map-1": "name"})
    assert response.status_code == 302
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "Commit 8 rows" in page
    assert "Ignored (not imported): A, C, D" in page
    client.submit(f"/imports/{batch_id}/commit")
    assert _companies() == sorted(SDN_NAMES)


def test_cli_contacts_without_header_mapped_by_number_short_rows_padded(app, runner, tmp_path):
    """The file that once failed with 'The header "0" appears twice': a raw extract whose first
    row is a person, with flag columns of 0; its second row lacks the trailing flags."""
    from crm.contacts.models import Contact

    path = tmp_path / "extract.csv"
    path.write_bytes("山田,太郎,yamada@example.jp,営業部,0,0\n佐藤,花子,sato@example.jp\n"
                     .encode("cp932"))
    refused = runner.invoke(args=["import", "contacts", str(path)])
    assert refused.exit_code == 2 and "This file has no header row" in refused.stderr
    assert "appears twice" not in refused.stderr
    done = runner.invoke(args=["import", "contacts", str(path), "--map", "1=family_name",
                               "--map", "2=given_name", "--map", "3=email", "--map",
                               "D=department", "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["created"] == 2 and summary["rejected"] == []
    assert summary["ignored_columns"] == [{"column": "E", "header": ""},
                                          {"column": "F", "header": ""}]
    db.session.expire_all()
    people = {c.email: c for c in db.session.scalars(select(Contact))}
    assert (people["yamada@example.jp"].family_name, people["yamada@example.jp"].department) \
        == ("山田", "営業部")
    assert people["sato@example.jp"].given_name == "花子"


def test_web_headerless_xlsx_mapping_saved_by_letter_serves_the_next_file(app, login):
    from openpyxl import Workbook

    from crm.companies.models import Company
    from crm.imports.models import SavedMapping

    def workbook(rows) -> bytes:
        import io

        book = Workbook()
        for row in rows:
            book.active.append(row)
        buf = io.BytesIO()
        book.save(buf)
        return buf.getvalue()

    client = login("bd")
    first = _batch_id(_upload(client, data=workbook(
        [["5070001000715", "株式会社サカタのタネ", "農業"], ["", "カネコ種苗株式会社", "農業"]]),
        name="raw.xlsx"))
    page = client.get(f"/imports/{first}").get_data(as_text=True)
    assert "This file has no header row" in page and "株式会社サカタのタネ" in page
    client.submit(f"/imports/{first}/mapping", {
        "map-0": "corporate_number", "map-1": "name", "map-2": "industry",
        "mapping_name": "raw extract"})
    client.submit(f"/imports/{first}/commit", page=f"/imports/{first}")
    assert _companies() == ["カネコ種苗株式会社", "株式会社サカタのタネ"]
    assert db.session.scalar(select(SavedMapping.name)) == "raw extract"

    mapping_id = db.session.scalar(select(SavedMapping.id))
    second = _batch_id(_upload(client, data=workbook(
        [["", "タキイ種苗株式会社", "農業"], ["", "トキタ種苗株式会社", "農業"]]),
        name="raw2.xlsx", saved_mapping=str(mapping_id)))
    page = client.get(f"/imports/{second}").get_data(as_text=True)
    assert "Commit 2 rows" in page
    client.submit(f"/imports/{second}/commit", page=f"/imports/{second}")
    db.session.expire_all()
    assert db.session.scalar(select(Company.industry).where(
        Company.name == "タキイ種苗株式会社")) == "農業"


def test_web_preview_lists_every_ignored_column_of_a_file_with_headers(app, login):
    client = login("bd")
    batch_id = _batch_id(_upload(client, data="会社名,社内コード,,業種\nA社,K-1,x,化学\n"
                                 .encode("utf-8"), name="coded.csv"))
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "Ignored (not imported): B “社内コード”, C" in page
