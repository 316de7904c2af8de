"""A value that lost characters never overwrites the CRM's: a "?" where Shift_JIS (CP932) had no
glyph for the stored character (what "CSV for Excel (Shift_JIS)" writes), or U+FFFD. The field
is kept and reported as a conflict naming it; the row's other fields follow the policy."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from tests.factories import make_company, make_contact
from tests.test_imports_web import _batch_id, _upload


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def yoshida(app):
    company = make_company(name="Müller Maschinenbau GmbH")
    return make_contact(company, family_name="𠮷田", given_name="一郎",
                        department="Führungsetage", title="Leiter",
                        email="yoshida@mueller.example.de")


def test_cp932_export_reimported_overwrites_nothing_with_question_marks(app, login, yoshida):
    from crm.companies.models import Company
    from crm.contacts.models import Contact

    company_id = yoshida.company_id
    client = login("manager")
    exported = client.get("/exports/contacts?format=csv-cp932")
    assert exported.status_code == 200 and exported.headers["X-Replaced-Characters"] == "3"
    text = exported.get_data().decode("cp932")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["Given name"] == "一郎")
    assert (row["Family name"], row["Department"], row["Company"]) == (
        "?田", "F?hrungsetage", "M?ller Maschinenbau GmbH")
    # someone corrects the title in Excel and imports the file back (policy: update)
    edited = text.replace("Leiter", "Direktor").encode("cp932")

    response = _upload(client, data=edited, name="contacts.csv", kind="contacts")
    assert response.status_code == 302
    batch_id = _batch_id(response)
    preview = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "Kept as they are" in preview
    # the row's note names them; the company's "M?ller" is found as Müller (no change)
    assert "Kept Family name, Department:" in preview
    client.submit(f"/imports/{batch_id}/commit")
    result = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "Kept as they are" in result and "F?hrungsetage" not in result

    db.session.expire_all()
    kept = db.session.get(Contact, yoshida.id)
    assert (kept.family_name, kept.department, kept.company_id) == (
        "𠮷田", "Führungsetage", company_id)
    assert kept.title == "Direktor"  # the row's other change follows the policy
    assert _count(Company) == 1  # no "M?ller Maschinenbau GmbH" created on the way
    assert db.session.scalar(select(func.count()).select_from(Contact).where(
        Contact.department.contains("?"))) == 0


@pytest.mark.parametrize("policy", ["update", "merge", "skip"])
def test_a_replacement_character_is_a_conflict_naming_the_field(app, runner, tmp_path, yoshida,
                                                                policy):
    from crm.contacts.models import Contact

    path = tmp_path / "broken.csv"
    path.write_text("E-mail,部署,役職,携帯\n"
                    "yoshida@mueller.example.de,F\ufffdhrungsetage,Leiter,090-1234-5678\n",
                    encoding="utf-8")
    result = runner.invoke(args=["import", "contacts", str(path), "--policy", policy, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [(c["row"], c["column"], c["field"]) for c in summary["conflicts"]] == [
        (2, "部署", "department")]
    db.session.expire_all()
    contact = db.session.get(Contact, yoshida.id)
    assert contact.department == "Führungsetage"
    # the empty mobile is filled unless the policy leaves the record alone
    assert contact.mobile == (None if policy == "skip" else "090-1234-5678")

    human = runner.invoke(args=["import", "contacts", str(path), "--dry-run"])
    assert "Kept (conflicts):" in human.stdout and "row 2, 部署:" in human.stdout


def test_a_question_mark_the_stored_value_does_not_explain_is_an_ordinary_change(app, yoshida):
    from crm.contacts.models import Contact
    from crm.imports import services

    text = "E-mail,役職\nyoshida@mueller.example.de,Leiter?\n"
    summary = services.commit(services.read_file(text.encode(), "t.csv", "contacts"),
                              "contacts")
    db.session.commit()
    assert summary["updated"] == 1 and summary["conflicts"] == []
    assert db.session.get(Contact, yoshida.id).title == "Leiter?"


@pytest.mark.parametrize(("old", "new", "lost"), [
    ("Führungsetage", "F?hrungsetage", True),
    ("𠮷田", "?田", True),                     # one "?" for a character outside the BMP
    ("Führungsetage", "F\ufffdhrungsetage", True),
    ("山田", "?田", False),                    # 山 is in CP932: the "?" is the file's own
    ("Führungsetage", "Is this right?", False),  # another text altogether
    ("Führung", "Führung?", False),
    ("", "F?hrung", False),                    # nothing stored: nothing to lose
])
def test_lost_characters(old, new, lost):
    from crm.imports.services import lost_characters

    assert lost_characters(old, new) is lost


def test_a_company_without_corporate_number_comes_back_from_cp932_as_itself(app, login):
    """Exported to "CSV for Excel (Shift_JIS)", Führungsetage GmbH comes back as F?hrungsetage
    GmbH: no corporate number to match it by, yet it is the same company, reported as a
    conflict on its name; never a second company."""
    from crm.companies.models import Company

    company = make_company(name="Führungsetage GmbH", industry="Maschinenbau")
    client = login("manager")
    exported = client.get("/exports/companies?format=csv-cp932")
    assert exported.status_code == 200 and exported.headers["X-Replaced-Characters"] == "1"
    text = exported.get_data().decode("cp932")
    assert "F?hrungsetage GmbH" in text and "Führungsetage" not in text
    edited = text.replace("Maschinenbau", "Anlagenbau").encode("cp932")

    response = _upload(client, data=edited, name="companies.csv", kind="companies")
    batch_id = _batch_id(response)
    preview = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "Kept Company name" in preview and "Kept as they are" in preview
    client.submit(f"/imports/{batch_id}/commit")
    db.session.expire_all()
    assert _count(Company) == 1
    kept = db.session.get(Company, company.id)
    assert (kept.name, kept.industry) == ("Führungsetage GmbH", "Anlagenbau")


def test_the_cli_reports_the_matched_company_as_a_conflict(app, runner, tmp_path):
    from crm.companies.models import Company

    make_company(name="Führungsetage GmbH")
    path = tmp_path / "companies.csv"
    path.write_bytes("Company name,Industry\nF?hrungsetage GmbH,Maschinenbau\n".encode("cp932"))
    result = runner.invoke(args=["import", "companies", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["created"] == 0 and summary["updated"] == 1
    assert [(c["row"], c["field"]) for c in summary["conflicts"]] == [(2, "name")]
    assert _count(Company) == 1


def test_a_new_name_with_lost_characters_is_flagged_in_the_preview(app, login):
    from crm.companies.models import Company

    make_company(name="Who? Holdings")  # a question mark of its own: no warning
    data = ("会社名,業種\nN?rnberger Werke AG,機械\nWho? Holdings,持株\n"
            "Nürnberg \ufffdbersee AG,商社\n").encode("utf-8")
    client = login("manager")
    batch_id = _batch_id(_upload(client, data=data, name="c.csv", kind="companies"))
    preview = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert preview.count("may stand for characters the file lost") == 2
    assert _count(Company) == 1  # a preview writes nothing


def test_a_new_contact_at_a_company_named_with_lost_characters_joins_it(app, runner, tmp_path):
    from crm.companies.models import Company
    from crm.contacts.models import Contact

    company = make_company(name="Müller Maschinenbau GmbH")
    path = tmp_path / "contacts.csv"
    path.write_bytes("Family name,Given name,Company\nSchmidt,Anna,M?ller Maschinenbau GmbH\n"
                     .encode("cp932"))
    result = runner.invoke(args=["import", "contacts", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 1  # the person, not a second company
    assert _count(Company) == 1
    assert db.session.scalar(select(Contact.company_id).where(
        Contact.family_name == "Schmidt")) == company.id
