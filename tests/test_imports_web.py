"""The import pages: upload -> preview -> remap -> commit, once; roles, CSRF, others' batches;
messages and field names in the user's language."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from crm.extensions import db

CSV = ("会社名,番号X,業種X\n"
       "株式会社サカタのタネ,5070001000715,農業\n"
       "番号違い株式会社,1234567890123,化学\n").encode("utf-8")


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, data=CSV, name="list.csv", kind="companies", forge=False, headers=None,
            **extra):
    form = {"kind": kind, "policy": "update", "file": (io.BytesIO(data), name)}
    form.update(extra)
    post = client.forge if forge else client.submit
    return post("/imports/", form, content_type="multipart/form-data", headers=headers)


def _batch_id(response) -> int:
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


def test_upload_preview_remap_commit_once(app, login):
    from crm.companies.models import Company
    from crm.imports.models import ImportBatch, SavedMapping

    client = login("bd")
    assert client.get("/imports/").status_code == 200
    response = _upload(client)
    assert response.status_code == 302
    batch_id = _batch_id(response)
    assert _count(Company) == 0  # a preview writes nothing

    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "番号X" in page and "Nothing has been written yet" in page
    # 会社名 is a known header; the others are not mapped yet, so no number is checked.
    assert "株式会社サカタのタネ" in page and "check digit" not in page

    response = client.submit(f"/imports/{batch_id}/mapping", {
        "map-0": "name", "map-1": "corporate_number", "map-2": "industry",
        "policy": "update", "mapping_name": "our old sheet"})
    assert response.status_code == 302
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "株式会社サカタのタネ" in page
    assert "1234567890123" in page and "check digit" in page  # the rejected row, with why
    assert db.session.scalar(select(SavedMapping.name)) == "our old sheet"
    assert _count(Company) == 0

    response = client.submit(f"/imports/{batch_id}/commit")
    assert response.status_code == 302
    assert _count(Company) == 1
    result = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "Imported: list.csv" in result and "check digit" in result
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "committed" and batch.summary_dict["created"] == 1

    # A second commit says so and changes nothing.
    client.get(f"/imports/{batch_id}")
    assert client.page.candidates(f"/imports/{batch_id}/commit", None) == []  # no button now
    again = client.forge(f"/imports/{batch_id}/commit", follow_redirects=True)  # a replay
    assert "already committed" in again.get_data(as_text=True)
    assert _count(Company) == 1

    # The saved mapping is offered next time and maps the columns by itself.
    mapping_id = db.session.scalar(select(SavedMapping.id))
    response = _upload(client, saved_mapping=str(mapping_id))
    second = _batch_id(response)
    page = client.get(f"/imports/{second}").get_data(as_text=True)
    assert "check digit" in page  # the number column is mapped by the saved mapping
    client.submit(f"/imports/{second}/commit", page=f"/imports/{second}")
    assert _count(Company) == 1  # the same file again: unchanged


def test_bad_file_shows_the_form_again_with_the_reason(app, login):
    from crm.imports.models import ImportBatch

    client = login("manager")
    response = _upload(client, data=b"", name="empty.csv")
    assert response.status_code == 422
    assert "The file was not imported" in response.get_data(as_text=True)
    binary = _upload(client, data=bytes(range(256)) * 40, name="photo.csv")
    assert binary.status_code == 422
    assert _count(ImportBatch) == 0


def test_discard_drops_the_batch_and_imports_nothing(app, login):
    from crm.companies.models import Company
    from crm.imports.models import ImportBatch

    client = login("admin")
    batch_id = _batch_id(_upload(client, data="会社名\n株式会社テスト\n".encode()))
    assert client.submit(f"/imports/{batch_id}/discard",
                         page=f"/imports/{batch_id}").status_code == 302
    assert db.session.get(ImportBatch, batch_id).status == "discarded"
    client.forge(f"/imports/{batch_id}/commit")  # a replay of the discarded batch's commit
    assert _count(Company) == 0


def test_roles_without_import_are_refused(app, login):
    for role in ("liaison", "researcher", "staff", "export_control"):
        client = login(role)
        assert client.get("/imports/").status_code == 403
        assert _upload(client, forge=True).status_code == 403


def test_forged_form_without_csrf_is_refused(app, login):
    from crm.companies.models import Company
    from crm.imports.models import ImportBatch

    client = login("bd")
    forged = client.post("/imports/", data={"kind": "companies", "policy": "update",
                                            "file": (io.BytesIO(CSV), "x.csv")},
                         content_type="multipart/form-data")
    assert forged.status_code == 400
    assert _count(ImportBatch) == 0
    batch_id = _batch_id(_upload(client, data="会社名\n株式会社テスト\n".encode()))
    assert client.post(f"/imports/{batch_id}/commit").status_code == 400
    assert _count(Company) == 0


def test_batches_are_seen_by_their_creator_and_managers_only(app, login, users):
    from crm.companies.models import Company
    from tests.factories import make_user

    client = login("bd")
    batch_id = _batch_id(_upload(client, data="会社名\n株式会社テスト\n".encode()))
    other = make_user("bd", email="other-bd@example.org")
    from tests.conftest import log_in_as

    other_client = log_in_as(app.test_client(), other)
    assert other_client.get(f"/imports/{batch_id}").status_code == 404
    assert other_client.forge(f"/imports/{batch_id}/commit").status_code == 404
    assert "株式会社テスト" not in other_client.get("/imports/").get_data(as_text=True)
    assert _count(Company) == 0
    assert login("manager").get(f"/imports/{batch_id}").status_code == 200


def test_preview_shows_conflicts_and_a_too_large_file_is_refused(app, login, make_company,
                                                                monkeypatch):
    from crm.imports import views
    from crm.imports.models import ImportBatch

    make_company(name="株式会社テスト", industry="電機")
    client = login("bd")
    batch_id = _batch_id(_upload(client, data="会社名,業種\n株式会社テスト,化学\n".encode(),
                                 policy="merge"))
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "kept 電機; the file says 化学" in page

    monkeypatch.setattr(views, "MAX_FILE_BYTES", 10)
    response = _upload(client, data="会社名\n株式会社とても長い名前\n".encode())
    assert response.status_code == 422
    assert "larger than the limit" in response.get_data(as_text=True)
    assert _count(ImportBatch) == 1


def test_a_mapping_saved_from_an_xlsx_file_maps_the_same_sheet_saved_as_csv(app, login):
    """The office's old sheet is sometimes saved as .xlsx, sometimes as CSV: one mapping serves."""
    from openpyxl import Workbook

    from crm.imports.models import SavedMapping

    client = login("bd")
    book = Workbook()
    for row in CSV.decode().splitlines():
        book.active.append(row.split(","))
    buf = io.BytesIO()
    book.save(buf)
    first = _batch_id(_upload(client, data=buf.getvalue(), name="list.xlsx"))
    client.submit(f"/imports/{first}/mapping", page=f"/imports/{first}", data={
        "map-0": "name", "map-1": "corporate_number", "map-2": "industry",
        "policy": "update", "mapping_name": "old sheet"})
    assert db.session.scalar(select(SavedMapping.format)) == "xlsx"

    mapping_id = db.session.scalar(select(SavedMapping.id))
    response = _upload(client, saved_mapping=str(mapping_id))  # the CSV of the same sheet
    assert response.status_code == 302
    page = client.get(f"/imports/{_batch_id(response)}").get_data(as_text=True)
    assert "check digit" in page  # 番号X mapped to the corporate number by the saved mapping


def test_importer_messages_are_in_the_users_language(app, login):
    """An empty or doubled-header file refused on the Japanese page says so in Japanese."""
    client = login("bd")
    empty = _upload(client, b"", "empty.csv", headers={"Accept-Language": "ja"})
    assert empty.status_code == 422
    assert "「empty.csv」は空です。" in empty.get_data(as_text=True)
    doubled = _upload(client, "会社名,会社名\nA,B\n".encode(), "dup.csv",
                      headers={"Accept-Language": "ja"})
    assert "見出し「会社名」が2回あります" in doubled.get_data(as_text=True)
    # English users still read English.
    english = _upload(client, b"", "empty.csv")
    assert "empty.csv&#34; is empty." in english.get_data(as_text=True)


def test_required_field_is_named_in_the_users_language(app, login):
    """A row without a company name: the Japanese preview says 必須：企業名, not "Company name"."""
    client = login("bd")
    ja = {"Accept-Language": "ja"}
    response = _upload(client, "会社名,業種\n,製造業\n株式会社エー,製造業\n".encode(), "list.csv",
                       headers=ja)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=ja).get_data(as_text=True)
    assert "必須：企業名。" in page and "Company name。" not in page


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
