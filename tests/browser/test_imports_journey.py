"""Importing a file without a header row in Chromium: the preview says so and shows its first
rows, the columns are named on the page's own mapping form (by letter), and the commit writes
the rows once."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from crm.extensions import db

SDN = Path(__file__).parent.parent / "fixtures" / "imports" / "sdn_headerless_extract.csv"


def _text(locator) -> str:
    return " ".join(locator.inner_text().split())


def test_bd_imports_a_file_without_a_header_row_by_naming_its_columns(open_screen, shot):
    from crm.companies.models import Company

    bd = open_screen("bd")
    page = bd.page
    page.locator("#nav").get_by_role("button", name="Data", exact=True).click()
    page.locator("#nav .dropdown-menu.show .dropdown-item", has_text="Import a file").click()
    page.wait_for_load_state()
    page.select_option("#kind", "companies")
    page.set_input_files("#file", str(SDN))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()

    notice = _text(page.locator("#headerless"))
    assert "This file has no header row" in notice
    assert "AEROCARIBBEAN AIRLINES" in _text(page.locator("#sample"))
    assert page.locator("label[for=map-1]").inner_text().strip() == "Column B"
    shot(page, "import_headerless_preview")

    page.select_option("#map-1", "name")
    page.get_by_role("button", name="Preview again").click()
    page.wait_for_load_state()
    assert _text(page.locator("#counts")).startswith("8 Create")
    assert "Ignored (not imported): A, C, D" in _text(page.locator("#ignored"))
    shot(page, "import_headerless_mapped")
    page.locator("#commit").click()
    page.wait_for_load_state()
    assert "Imported: sdn_headerless_extract.csv" in _text(page.locator("main"))
    db.session.expire_all()
    assert "CIMEX IBERICA" in db.session.scalars(select(Company.name)).all()
    bd.assert_clean()


def test_manager_round_trips_the_shift_jis_export_and_nothing_becomes_a_question_mark(
        open_screen, shot, tmp_path):
    """Export the contact list as CSV for Excel (Shift_JIS), fix a title in the file, import it
    back: the title changes, the characters Shift_JIS could not hold are kept, and the page
    says which."""
    from crm.contacts.models import Contact
    from tests.factories import make_company, make_contact

    company = make_company(name="Müller Maschinenbau GmbH")
    person = make_contact(company, family_name="𠮷田", given_name="一郎", title="Leiter",
                          department="Führungsetage", email="yoshida@mueller.example.de")
    screen = open_screen("manager")
    page = screen.page
    page.locator("#nav").get_by_role("link", name="Contacts").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Export", exact=True).click()
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV (Excel/Shift_JIS)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    text = path.read_bytes().decode("cp932")
    assert "F?hrungsetage" in text  # what Excel users get: the export cannot do better
    path.write_bytes(text.replace("Leiter", "Direktor").encode("cp932"))

    page.locator("#nav").get_by_role("button", name="Data", exact=True).click()
    page.locator("#nav .dropdown-menu.show .dropdown-item", has_text="Import a file").click()
    page.wait_for_load_state()
    page.select_option("#kind", "contacts")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    kept = _text(page.locator("#kept"))
    assert "Kept as they are" in kept and "Department" in kept and "Family name" in kept
    shot(page, "import_cp932_round_trip_preview")
    page.locator("#commit").click()
    page.wait_for_load_state()
    assert "values were kept" in _text(page.locator("main"))
    shot(page, "import_cp932_round_trip_result")
    db.session.expire_all()
    again = db.session.get(Contact, person.id)
    assert (again.family_name, again.department, again.title) == ("𠮷田", "Führungsetage",
                                                                  "Direktor")
    screen.assert_clean()
