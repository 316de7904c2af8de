"""Screening in the CRM: list imports, company screening, decisions and the remembered false
positive, re-screening on list updates, company_clearance, the CLI, roles and CSRF."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.screening import services
from crm.screening.models import Decision, Hit, ListEntry, Screening, ScreeningList
from importers.screening import ScreeningFileError, parse
from tests.test_screening_parsers import METI_XLSX, _xlsx

FIXTURES = Path(__file__).parent / "fixtures" / "screening"
METI_V2 = (FIXTURES / "meti_names_extract.csv").read_text(encoding="utf-8").replace(
    '"AIR KORYO (高麗航空)","EUL262","EUL"', '"AIR KORYO HOLDINGS (高麗航空持株)","EUL262","EUL"')


def load(kind: str, name: str, version: str | None = None, data: bytes | None = None):
    result = services.import_list(kind, data or (FIXTURES / name).read_bytes(), name,
                                  version=version)
    db.session.commit()
    return result


@pytest.fixture
def lists(app):
    load("meti-eul", "meti_names_extract.csv", version="2024-05-10")
    load("sdn", "ofac_sdn_2024-05-03.csv", data=(FIXTURES / "sdn_extract.csv").read_bytes())


@pytest.fixture
def koryo(make_company):
    """A company whose English name is on the METI list (as a user types it)."""
    return make_company(name="高麗航空株式会社", name_en="Air Koryo Co., Ltd.", country="KP")


def test_import_records_version_entries_and_replaces_the_old_version(app, lists):
    meti = db.session.execute(select(ScreeningList).where(ScreeningList.kind == "meti-eul")
                              ).scalar_one()
    assert (meti.version, meti.entry_count, meti.current) == ("2024-05-10", 8, True)
    sdn = db.session.execute(select(ScreeningList).where(ScreeningList.kind == "sdn")
                             ).scalar_one()
    assert sdn.version == "2024-05-03"  # the file date
    load("meti-eul", "v2.csv", version="2024-06-01", data=METI_V2.encode())
    rows = db.session.execute(select(ScreeningList).where(ScreeningList.kind == "meti-eul")
                              .order_by(ScreeningList.id)).scalars().all()
    assert [(r.version, r.current) for r in rows] == [("2024-05-10", False), ("2024-06-01", True)]
    # the old version's entries made way; its row stays for the record
    assert db.session.scalar(select(func.count()).select_from(ListEntry)
                             .where(ListEntry.list_id == rows[0].id)) == 0


def test_same_file_twice_is_refused_and_a_bad_file_writes_nothing(app, lists):
    with pytest.raises(services.ValidationError, match="already the current"):
        load("sdn", "sdn_extract.csv")
    db.session.rollback()
    before = db.session.scalar(select(func.count()).select_from(ListEntry))
    with pytest.raises(services.ValidationError, match="line 1"):
        load("sdn", "bad.csv", data=b'X1,"NAME",-0- ,"CUBA"\r\n')
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ListEntry)) == before


def test_an_excel_file_given_as_sdn_is_a_message_not_a_crash(app, login):
    with pytest.raises(ScreeningFileError, match="cannot be read as a sdn list"):
        parse("sdn", _xlsx(METI_XLSX), "eul.xlsx")
    officer = login("export_control")
    response = officer.submit("/screening/lists", page="/screening/", data={
        "kind": "sdn", "version": "", "file": (io.BytesIO(_xlsx(METI_XLSX)), "eul.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "right kind" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ScreeningList)) == 0


def test_company_and_contact_hits_and_clearance_values(app, lists, koryo):
    from crm.contacts.models import Contact

    assert services.company_clearance(koryo.id) == "unscreened"
    db.session.add(Contact(family_name="RODRIGUEZ OREJUELA", given_name="Gilberto Jose",
                           company_id=koryo.id))
    db.session.commit()
    screening = services.screen_company(koryo)
    db.session.commit()
    found = {(h.list_kind, h.entry_key, h.subject_key.split(":")[0]) for h in screening.hits}
    assert ("meti-eul", "EUL262", "company") in found
    assert ("sdn", "4107", "contact") in found  # an individual entry met the contact
    assert not any(h.subject_key == "company" and h.entry_key == "4107" for h in screening.hits)
    assert services.company_clearance(koryo.id) == "open"
    hit = next(h for h in screening.hits if h.entry_key == "4107")
    services.decide(hit, "block", "Same person, same date of birth.", by=None)
    db.session.commit()
    assert services.company_clearance(koryo.id) == "blocked"


def test_clean_company_is_clear_and_unscreened_after_its_name_changes(app, lists,
                                                                       make_company):
    company = make_company(name="株式会社サカタのタネ", name_en="SAKATA SEED CORPORATION")
    services.screen_company(company)
    db.session.commit()
    assert services.company_clearance(company.id) == "clear"
    from crm.companies.services import save_company

    save_company(company, {"name": "株式会社サカタのタネ", "name_en": "Air Koryo"})
    db.session.commit()
    assert services.company_clearance(company.id) == "unscreened"


def test_no_lists_means_unscreened_and_screening_is_refused(app, make_company):
    company = make_company()
    assert services.company_clearance(company.id) == "unscreened"
    with pytest.raises(services.ValidationError, match="No screening list"):
        services.screen_company(company)


def test_cleared_false_positive_is_remembered_until_names_change(app, lists, koryo):
    first = services.screen_company(koryo)
    db.session.commit()
    hit = next(h for h in first.hits if h.entry_key == "EUL262")
    services.decide(hit, "clear", "A different airline: checked the registry.", by=None)
    db.session.commit()
    assert services.company_clearance(koryo.id) == "clear"
    again = services.screen_company(koryo)
    db.session.commit()
    remembered = next(h for h in again.hits if h.entry_key == "EUL262")
    assert remembered.status == "cleared" and remembered.carried_from_id is not None
    assert services.company_clearance(koryo.id) == "clear"
    # the entry's names change in a new version of the list: raised again
    load("meti-eul", "v2.csv", version="2024-06-01", data=METI_V2.encode())
    assert services.company_clearance(koryo.id) == "open"  # re-screened on import
    latest = services.latest_screening(koryo.id)
    assert next(h for h in latest.hits if h.entry_key == "EUL262").status == "open"


def test_cleared_false_positive_raised_again_after_company_name_change(app, lists, koryo):
    first = services.screen_company(koryo)
    db.session.commit()
    hit = next(h for h in first.hits if h.entry_key == "EUL262")
    services.decide(hit, "clear", "Not them.", by=None)
    db.session.commit()
    koryo.aliases = "Koryo Air"
    db.session.commit()
    again = services.screen_company(koryo)
    db.session.commit()
    assert next(h for h in again.hits if h.entry_key == "EUL262").status == "open"


def test_list_update_rescreens_every_company_with_the_new_versions(app, lists, koryo,
                                                                  make_company):
    other = make_company(name="株式会社テスト")
    services.rescreen_all()
    db.session.commit()
    load("sdn", "sdn2.csv", version="2024-06-01",
         data=(FIXTURES / "sdn_extract.csv").read_bytes().replace(b"\x1a", b""))
    for company in (koryo, other):
        latest = services.latest_screening(company.id)
        assert latest.trigger == "list import"
        assert {v["version"] for v in latest.list_versions} == {"2024-05-10", "2024-06-01"}
    assert services.company_clearance(other.id) == "clear"


def test_decision_needs_a_note_and_a_known_decision(app, lists, koryo):
    screening = services.screen_company(koryo)
    hit = screening.hits[0]
    with pytest.raises(services.ValidationError) as err:
        services.decide(hit, "maybe", "", by=None)
    assert set(err.value.errors) == {"decision", "note"}


def test_cli_import_status_and_json_shapes(app, runner, koryo):
    result = runner.invoke(args=["lists", "import", "meti-eul",
                                 str(FIXTURES / "meti_names_extract.csv"), "--version", "v1"])
    assert result.exit_code == 0, result.output
    assert "8 entries" in result.output
    result = runner.invoke(args=["lists", "status"])
    assert "meti-eul" in result.output and "v1" in result.output
    result = runner.invoke(args=["screen", "金日成総合大学", "--json"])
    out = json.loads(result.output)
    assert out == {"hits": [{"list": "meti-eul", "entry_id": "EUL290",
                             "name": "KIM IL SUNG UNIVERSITY", "score": 1.0}]}
    result = runner.invoke(args=["screen", "Sakata Seed", "--json"])
    assert json.loads(result.output) == {"hits": []}
    result = runner.invoke(args=["screen", "--all", "--json"])
    out = json.loads(result.output)
    assert list(out) == ["companies"]
    assert out["companies"][0]["id"] == koryo.id and out["companies"][0]["name"] == koryo.name
    hit = out["companies"][0]["hits"][0]
    assert set(hit) == {"list", "entry_id", "name", "score"} and hit["entry_id"] == "EUL262"
    assert 0 <= hit["score"] <= 1 and hit["score"] >= services.threshold()
    assert db.session.scalar(select(func.count()).select_from(Screening)
                             .where(Screening.trigger == "cli")) >= 2


def test_cli_refuses_bad_file_and_missing_arguments(app, runner, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<nope>")
    result = runner.invoke(args=["lists", "import", "un", str(bad)])
    assert result.exit_code == 1 and "cannot be read" in result.output
    assert runner.invoke(args=["screen"]).exit_code == 2
    result = runner.invoke(args=["screen", "X"])
    assert result.exit_code == 1 and "No screening list" in result.output


def test_pages_liaison_sees_but_cannot_decide(app, login, lists, koryo):
    screening = services.screen_company(koryo)
    db.session.commit()
    hit_id = screening.hits[0].id
    liaison = login("liaison")
    page = liaison.get(f"/screening/companies/{koryo.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "AIR KORYO" in text and "EUL262" in text and "Record decision" not in text
    assert liaison.forge(f"/screening/hits/{hit_id}/decide",
                          {f"hit{hit_id}-decision": "clear",
                           f"hit{hit_id}-note": "x"}).status_code == 403
    assert liaison.forge("/screening/lists").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    company_page = liaison.get(f"/companies/{koryo.id}").get_data(as_text=True)
    assert "Hits to decide" in company_page and f"/screening/companies/{koryo.id}" in company_page


def test_export_control_decides_and_the_form_refuses_without_a_note(app, login, lists, koryo):
    screening = services.screen_company(koryo)
    db.session.commit()
    hit_id = next(h.id for h in screening.hits if h.entry_key == "EUL262")
    officer = login("export_control")
    refused = officer.submit(f"/screening/hits/{hit_id}/decide",
                             page=f"/screening/companies/{koryo.id}",
                             data={f"hit{hit_id}-decision": "clear", f"hit{hit_id}-note": ""})
    assert refused.status_code == 422 and "Write why" in refused.get_data(as_text=True)
    ok = officer.submit(f"/screening/hits/{hit_id}/decide",
                        {f"hit{hit_id}-decision": "clear",
                         f"hit{hit_id}-note": "Different company <b>here</b>"})
    assert ok.status_code == 302
    page = officer.get(f"/screening/companies/{koryo.id}").get_data(as_text=True)
    assert "Different company &lt;b&gt;here&lt;/b&gt;" in page  # escaped
    db.session.expire_all()
    assert db.session.get(Hit, hit_id).status == "cleared"


def test_forged_decision_without_csrf_is_refused(app, login, lists, koryo):
    screening = services.screen_company(koryo)
    db.session.commit()
    hit_id = screening.hits[0].id
    officer = login("export_control")
    response = officer.post(f"/screening/hits/{hit_id}/decide",
                            data={f"hit{hit_id}-decision": "clear", f"hit{hit_id}-note": "x"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0


def test_upload_a_list_and_screen_a_name_on_the_web(app, login, make_company):
    make_company(name="株式会社テスト")
    officer = login("export_control")
    response = officer.submit("/screening/lists", page="/screening/", data={
        "kind": "meti-eul", "version": "",
        "file": (io.BytesIO((FIXTURES / "meti_published.csv").read_bytes()), "eul.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    index = officer.get("/screening/").get_data(as_text=True)
    assert "2024-05-10" in index and "METI End User List" in index
    result = officer.submit("/screening/name", {"name": "Tanchon Commercial Bank Co., Ltd.",
                                                "country": ""})
    assert result.status_code == 200 and "EUL400" in result.get_data(as_text=True)
    bad = officer.submit("/screening/lists", {
        "kind": "un", "file": (io.BytesIO(b"<x"), "un.xml")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "cannot be read" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ScreeningList)) == 1


def test_japanese_pages_render(app, login, lists, koryo):
    services.screen_company(koryo)
    db.session.commit()
    officer = login("export_control")
    for url in ("/screening/", f"/screening/companies/{koryo.id}"):
        assert officer.get(url, headers={"Accept-Language": "ja"}).status_code == 200
