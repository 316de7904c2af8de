"""QA of issue 5 (importers and exports) as users meet it: regressions found by trying it."""
from __future__ import annotations

import io


def _upload(client, data: bytes, name: str, kind: str = "companies", forge: bool = False,
            **headers):
    form = {"kind": kind, "policy": "update", "file": (io.BytesIO(data), name)}
    post = client.forge if forge else client.submit
    return post("/imports/", form, content_type="multipart/form-data", headers=headers)


def test_importer_messages_are_in_the_users_language(app, login):
    """An empty or doubled-header file refused on the Japanese page says so in Japanese."""
    client = login("bd")
    empty = _upload(client, b"", "empty.csv", **{"Accept-Language": "ja"})
    assert empty.status_code == 422
    assert "「empty.csv」は空です。" in empty.get_data(as_text=True)
    doubled = _upload(client, "会社名,会社名\nA,B\n".encode(), "dup.csv",
                      **{"Accept-Language": "ja"})
    assert "見出し「会社名」が2回あります" in doubled.get_data(as_text=True)
    # English users still read English.
    english = _upload(client, b"", "empty.csv")
    assert "empty.csv&#34; is empty." in english.get_data(as_text=True)


def test_cli_states_the_size_limit_as_the_upload_page_does(app, runner, tmp_path, monkeypatch):
    """The web says "up to 50 MB"; the CLI must name the same limit (not "52 MB")."""
    import importers.base

    monkeypatch.setattr(importers.base, "MAX_FILE_BYTES", 50 * 1024 * 1024)
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.write("会社名\n".encode())
        handle.truncate(60 * 1024 * 1024)
    result = runner.invoke(args=["import", "companies", str(path), "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "the file is 60.0 MB; the limit is 50 MB." in result.stderr


def test_required_field_is_named_in_the_users_language(app, login):
    """A row without a company name: the Japanese preview says 必須：企業名, not "Company name"."""
    client = login("bd")
    ja = {"Accept-Language": "ja"}
    response = _upload(client, "会社名,業種\n,製造業\n株式会社エー,製造業\n".encode(), "list.csv",
                       **ja)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=ja).get_data(as_text=True)
    assert "必須：企業名。" in page and "Company name。" not in page


def _plan(data: bytes, name: str, kind: str, by=None) -> dict:
    from crm.imports import services

    summary = services.plan(services.read_file(data, name, kind), kind, "update",
                            by=by).summary()
    return summary


def _people(make_company):
    from crm.contacts.models import Contact
    from crm.extensions import db

    company = make_company(name="株式会社アルファ電機", name_reading="アルファデンキ")
    db.session.add_all([
        Contact(company_id=company.id, family_name="山田", given_name="太郎",
                family_name_reading="ヤマダ", given_name_reading="タロウ",
                email="yamada@alpha.example.jp", phone="+81-3-1234-5678", mobile="-"),
        Contact(company_id=company.id, family_name="佐藤", given_name="花子",
                email="sato@alpha.example.jp", do_not_contact=True,
                notes="本人の希望により連絡不可。"),
    ])
    db.session.commit()


def test_exported_contact_list_reimports_as_unchanged(app, login, make_company):
    """A partner list exported as CSV (phones '+81... guarded against formulas) and as vCard
    (a do-not-contact person carries NOTE:Do not contact) changes nothing when imported back:
    no quote is written into the phone, the person's notes are not replaced by the marker."""
    from sqlalchemy import select

    from crm.contacts.models import Contact
    from crm.extensions import db

    _people(make_company)
    client = login("staff")
    csv_data = client.get("/exports/contacts?format=csv").get_data()
    assert b"'+81-3-1234-5678" in csv_data  # the export's guard is there...
    summary = _plan(csv_data, "contacts.csv", "contacts")
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 2), summary
    assert summary["rejected"] == []
    for lang in ("en", "ja"):
        vcf = client.get("/exports/contacts?format=vcard",
                         headers={"Accept-Language": lang}).get_data()
        summary = _plan(vcf, "contacts.vcf", "contacts")
        assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 2), \
            (lang, summary)
    # ...and committing it leaves the records as they were.
    from crm.imports import services

    parsed = services.read_file(csv_data, "contacts.csv", "contacts")
    services.commit(parsed, "contacts", "update")
    db.session.commit()
    db.session.expire_all()
    yamada = db.session.scalar(select(Contact).where(Contact.family_name == "山田"))
    sato = db.session.scalar(select(Contact).where(Contact.family_name == "佐藤"))
    assert yamada.phone == "+81-3-1234-5678"
    assert sato.notes == "本人の希望により連絡不可。" and sato.do_not_contact


def test_a_do_not_contact_vcard_note_sets_the_flag(app):
    import importers

    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:佐藤;花子;;;\r\nFN:佐藤 花子\r\n"
            "NOTE:連絡不可\r\nEND:VCARD\r\n").encode()
    row = importers.read(card, "c.vcf", "contacts").rows[0]
    assert row.values.get("do_not_contact") == "true" and "notes" not in row.values


def test_exported_company_list_reimported_by_bd_keeps_its_officers(app, login, users,
                                                                  make_company):
    """The export names each company's officer; the same sheet imported back by a bd user is
    unchanged (the officer found by name, and not changed, so no manager is needed), while a
    row giving a company another officer is still refused for bd."""
    from crm.auth.models import User
    from crm.extensions import db

    officer = users["liaison"]
    company = make_company(name="株式会社アルファ電機")
    company.officer_id = officer.id
    db.session.commit()
    data = login("staff").get("/exports/companies?format=csv").get_data()
    assert officer.name.encode() in data
    bd = db.session.get(User, users["bd"].id)
    summary = _plan(data, "companies.csv", "companies", by=bd)
    assert summary["rejected"] == [] and summary["unchanged"] == 1, summary
    from tests.conftest import make_user

    other = make_user("liaison", email="liaison-two@example.org", name="Second liaison")
    changed = f"会社名,担当者メール\n株式会社アルファ電機,{other.email}\n".encode()
    refused = _plan(changed, "companies.csv", "companies", by=bd)["rejected"]
    assert [r["reason"] for r in refused] == [
        "Only a manager can change who is responsible for a company."]


def test_a_width_only_difference_is_not_an_update(app, make_company):
    """The EDINET list writes ＡＧＣ株式会社 and 株式会社　サカタのタネ (full width); a company
    entered as AGC株式会社 is matched and left as it is, not rewritten in full width."""
    from crm.companies.models import Company
    from crm.extensions import db

    agc = make_company(name="AGC株式会社", corporate_number="2010001008650", industry="ガラス")
    data = ("会社名,法人番号,業種\nＡＧＣ株式会社,２０１０００１００８６５０,ガラス\n"
            "株式会社　サカタのタネ,,種苗\n").encode("cp932")
    summary = _plan(data, "edinet.csv", "companies")
    assert (summary["unchanged"], summary["updated"], summary["created"]) == (1, 0, 1), summary
    from crm.imports import services

    services.commit(services.read_file(data, "edinet.csv", "companies"), "companies", "update")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Company, agc.id).name == "AGC株式会社"


def test_every_relation_a_merge_moves_has_a_name_on_the_compare_page(app):
    """"screenings: 1" on the Japanese compare page: each table pointing at companies or
    contacts (collaborations, NDAs, screenings were added after the merge) has a label."""
    from crm.duplicates.merge import TABLE_LABELS
    from crm.extensions import db

    linked = {t.name for t in db.metadata.sorted_tables for fk in t.foreign_keys
              if fk.column.table.name in ("companies", "contacts")}
    assert linked - set(TABLE_LABELS) == set()


def test_export_content_type_names_one_charset(app, login, make_company):
    make_company(name="株式会社アルファ")
    client = login("staff")
    expected = {"csv": "text/csv; charset=utf-8", "csv-cp932": "text/csv; charset=windows-31j"}
    for fmt, content_type in expected.items():
        assert client.get(f"/exports/companies?format={fmt}").headers["Content-Type"] == \
            content_type
    assert client.get("/exports/contacts?format=vcard").headers["Content-Type"] == \
        "text/vcard; charset=utf-8"


def test_a_sheet_whose_name_column_is_not_recognised_is_mapped_on_the_preview(app, login):
    """An old sheet calls the company name 取引先 (not a known header): the upload page took
    it and refused it, so the column could never be mapped. It is previewed (every row waiting
    for a name, with a note), the user maps 取引先 → name, and the rows are imported."""
    import re

    from sqlalchemy import func, select

    from crm.companies.models import Company
    from crm.extensions import db

    client = login("bd")
    data = "取引先,業界\n株式会社マッピング試験,化学\n".encode("cp932")
    response = _upload(client, data, "old.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    url = response.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "No column is mapped to Company name yet" in page
    assert "Required: Company name." in page
    batch_id = int(re.search(r"/imports/(\d+)$", url).group(1))
    remapped = client.submit(f"/imports/{batch_id}/mapping",
                             {"map-0": "name", "map-1": "industry", "policy": "update"})
    assert remapped.status_code == 302
    assert client.submit(f"/imports/{batch_id}/commit").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Company)) == 1
    assert db.session.scalar(select(Company.industry)) == "化学"


def test_the_cli_still_refuses_a_file_without_a_required_column(app, runner, tmp_path):
    """The command line cannot map columns, so it names the missing one and exits 2."""
    path = tmp_path / "old.csv"
    path.write_bytes("取引先,業界\n株式会社マッピング試験,化学\n".encode())
    result = runner.invoke(args=["import", "companies", str(path), "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "gives Company name" in result.stderr


def test_a_vcard_preview_names_its_fields_not_their_identifiers(app, login):
    client = login("bd")
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:山田;太郎;;;\r\nFN:山田 太郎\r\nEND:VCARD\r\n".encode()
    response = _upload(client, card, "card.vcf", kind="contacts")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<label for="map-0">Family name</label>' in page
    assert ">family_name<" not in page


def test_bd_cannot_import_donations(app, login, users, make_company):
    """bd has "import" but not donations.edit (README role table): the import page let bd
    create donations and read donation amounts in the preview. The kind is not offered,
    a forged upload is refused and nothing is kept; a donations batch is closed to bd."""
    from sqlalchemy import func, select

    from crm.donations.models import Donation
    from crm.extensions import db
    from crm.imports import services
    from crm.imports.models import ImportBatch

    make_company(name="株式会社アルファ")
    data = "寄付者,金額,通貨,受領日\n株式会社アルファ,1000000,JPY,2025/4/1\n".encode()
    bd = login("bd")
    assert 'value="donations"' not in bd.get("/imports/").get_data(as_text=True)
    assert 'value="companies"' in bd.get("/imports/").get_data(as_text=True)
    refused = _upload(bd, data, "donations.csv", kind="donations", forge=True)  # not offered
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0

    batch = services.create_batch(data, "donations.csv", "donations", by=users["bd"])
    db.session.commit()
    assert bd.get(f"/imports/{batch.id}").status_code == 403
    assert bd.forge(f"/imports/{batch.id}/commit").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Donation)) == 0

    manager = login("manager")
    assert manager.get(f"/imports/{batch.id}").status_code == 200
    assert _upload(manager, data, "donations.csv", kind="donations").status_code == 302


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
