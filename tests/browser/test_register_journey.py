"""The corporate-number register in Chromium (issue 15): a BD officer compares the register's
Shift_JIS file with our companies, reviews the names that differ (takes one, keeps one), and
finds a closed company flagged in the list and on its page."""
from __future__ import annotations

from pathlib import Path

from crm.companies.services import save_company
from crm.extensions import db
from tests.browser.conftest import PHONE
from tests.browser.test_journeys import _assert_fits, _text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "register"


def test_bd_compares_the_register_and_reviews_the_names(open_screen, server, shot):
    hermes = save_company(None, {"name": "ヘルメスシステムズ", "corporate_number": "4010801014350"})
    save_company(None, {"name": "国会図書館", "corporate_number": "1000011000005"})
    save_company(None, {"name": "三井物産グローバル投資株式会社",
                        "corporate_number": "1010001012570"})
    db.session.commit()

    screen = open_screen("bd")
    page = screen.page
    page.goto(f"{server}/companies/")
    page.get_by_role("link", name="Corporate-number register: compare a file, review names").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Corporate-number register"
    page.set_input_files("#file", str(FIXTURES / "zenken_13_tokyo_extract_sjis.csv"))
    page.get_by_role("button", name="Compare and apply").click()
    page.wait_for_load_state()
    assert "6 register rows, 2 of our companies found, 2 changed" in \
        _text(page.locator(".alert-success"))
    page.set_input_files("#file", str(FIXTURES / "diff_20220126_extract.csv"))
    page.get_by_role("button", name="Compare and apply").click()
    page.wait_for_load_state()
    assert "1 newly closed" in _text(page.locator(".alert-success"))

    table = page.locator("#register-reviews")
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert "株式会社ヘルメスシステムズ" in _text(rows.filter(has_text="ヘルメスシステムズ"))
    assert "国立国会図書館" in _text(rows.filter(has_text="国会図書館"))
    _assert_fits(page, "the register review page")
    shot(page, "bd_register_review_1366")

    rows.filter(has_text="ヘルメスシステムズ").get_by_role(
        "button", name="Use the register's name").click()
    page.wait_for_load_state()
    assert "株式会社ヘルメスシステムズ now has the register's name." in \
        _text(page.locator(".alert-success"))
    page.locator("#register-reviews tbody tr", has_text="国会図書館").get_by_role(
        "button", name="Keep ours").click()
    page.wait_for_load_state()
    assert "Kept our name 国会図書館." in _text(page.locator(".alert-success"))
    assert "Every name agrees with the register" in _text(page.locator("main"))

    page.goto(f"{server}/companies/?closed=yes")
    listed = page.locator("table tbody tr")
    assert listed.count() == 1
    assert "三井物産グローバル投資株式会社" in _text(listed) and "Closed" in _text(listed)
    listed.get_by_role("link", name="三井物産グローバル投資株式会社").click()
    page.wait_for_load_state()
    assert "Closed in the corporate-number register on" in _text(page.locator(".alert-danger"))
    assert "Liquidation completed" in _text(page.locator(".alert-danger"))
    shot(page, "bd_closed_company_1366")
    page.goto(f"{server}/companies/{hermes.id}")
    assert page.locator("h1").inner_text() == "株式会社ヘルメスシステムズ"
    screen.assert_clean()


def test_the_review_page_fits_a_phone(open_screen, server, shot):
    company = save_company(None, {"name": "北斗電機", "corporate_number": "4010801014350"})
    company.register_name = "北斗電機株式会社"
    db.session.commit()
    screen = open_screen("manager", viewport=PHONE)
    page = screen.page
    page.goto(f"{server}/companies/register")
    row = page.locator("#register-reviews tbody tr", has_text="北斗電機")
    assert "北斗電機株式会社" in _text(row)
    box = row.get_by_role("button", name="Keep ours").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 30, f"too small to tap: {box}"
    _assert_fits(page, "the register review page on a phone")
    shot(page, "manager_register_review_390")
    row.get_by_role("button", name="Keep ours").click()
    page.wait_for_load_state()
    assert "Kept our name 北斗電機." in _text(page.locator(".alert-success"))
    screen.assert_clean()
