"""Words: plural forms through ngettext (English and Japanese), the audit trail in labels rather
than stored keys, one charset on CSV responses."""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from flask_babel import force_locale, ngettext

from crm.audit.labels import readable_changes
from crm.extensions import db

FIXTURES = Path(__file__).parent / "fixtures" / "screening"


def test_plural_forms_in_both_languages(app):
    with app.test_request_context():
        with force_locale("en"):
            assert ngettext("%(num)s list", "%(num)s lists", 1) == "1 list"
            assert ngettext("%(num)s list", "%(num)s lists", 2) == "2 lists"
            assert ngettext("%(num)s rejected row", "%(num)s rejected rows", 1) == "1 rejected row"
        with force_locale("ja"):
            assert ngettext("%(num)s list", "%(num)s lists", 2) == "2件のリスト"
            assert ngettext("%(num)s rejected row", "%(num)s rejected rows", 1) == "除外1行"


def _upload(client, csv: bytes):
    client.get("/imports/")
    response = client.submit("/imports/", {"kind": "companies", "policy": "update",
                                           "file": (io.BytesIO(csv), "list.csv")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    batch = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    return client.get(f"/imports/{batch}").get_data(as_text=True)


def test_import_preview_counts_one_rejected_row_and_two_rejected_rows(login):
    client = login("bd")
    one = _upload(client, "会社名,法人番号\n株式会社A,5070001000715\nB株式会社,1234567890123\n"
                          .encode())
    assert "1 rejected row<" in one or "1 rejected row " in one
    assert "Commit 1 row<" in one
    two = _upload(client, "会社名,法人番号\n株式会社C,1234567890123\nD株式会社,1234567890124\n"
                          .encode())
    assert "2 rejected rows" in two and "Commit 0 rows" in two


def test_screening_a_company_says_1_list(login, make_company):
    from crm.screening import services

    services.import_list("meti-eul", (FIXTURES / "meti_names_extract.csv").read_bytes(),
                         "eul.csv", version="2024-05-10")
    company = make_company(name="株式会社テスト")
    officer = login("export_control")
    officer.get(f"/screening/companies/{company.id}")
    done = officer.submit(f"/screening/companies/{company.id}/screen", follow_redirects=True)
    assert "Screened against 1 list: 0 candidate hits." in done.get_data(as_text=True)
    ja = officer.get(f"/screening/companies/{company.id}", headers={"Accept-Language": "ja"})
    assert ja.status_code == 200


def test_audit_changes_read_as_labels_service_level(app):
    with app.test_request_context():
        with force_locale("en"):
            rows = readable_changes("collaboration_signoffs", {"step": [None, "nda"]})
            assert rows == [("Step", None, "NDA and negotiation")]
            rows = readable_changes("screening_decisions", {"decision": [None, "clear"]})
            assert rows == [("Decision", None, "Clear (false positive)")]
            rows = readable_changes("companies", {"status": ["prospect", "active"],
                                                  "has_local_presence": [False, True]})
            assert rows == [("Status", "Prospect", "Active"),
                            ("Has a subsidiary or plant in Japan", "No", "Yes")]
        with force_locale("ja"):
            (label, _before, after), = readable_changes("collaboration_signoffs",
                                                        {"step": [None, "nda"]})
            assert label != "step" and after != "nda"


def test_audit_page_shows_labels_not_keys(login, users, make_company):
    from crm.collaborations import services
    from crm.collaborations.steps import item_codes

    from crm.research.models import Researcher

    company = make_company(name="株式会社アクメ")
    tanaka = Researcher(family_name="田中", given_name="一郎")
    db.session.add(tanaka)
    db.session.flush()
    collab = services.save_collaboration(None, {"researcher_ids": [tanaka.id],
        "kind": "joint_research", "title": "共同研究", "company_id": company.id,
        "direct_costs": 1000, "currency": "JPY", "contract_language": "ja",
        "quarterly_reports": False, "opened_on": date.today()}, by=users["manager"])
    services.set_checks(collab, "partner_search", item_codes("partner_search"), by=users["manager"])
    services.sign_off(collab, date.today(), by=users["manager"])
    db.session.commit()
    page = login("manager").get("/audit/?entity=collaboration_signoffs").get_data(as_text=True)
    assert "<strong>Step</strong>:" in page and "Partner search" in page
    assert "<strong>step</strong>" not in page and "partner_search" not in page


def test_csv_responses_carry_one_charset(login):
    manager = login("manager")
    response = manager.get("/reports/overview.csv", query_string={"chart": "monthly"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    staff = login("staff")
    for fmt, charset in (("csv", "utf-8"), ("csv-cp932", "windows-31j")):
        exported = staff.get(f"/exports/companies?format={fmt}")
        assert exported.headers["Content-Type"] == f"text/csv; charset={charset}"
