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
