"""Lists people can keep, in Chromium (issue 17): a manager ticks companies on the list (one by
one, or all of the page at once), gives them to an officer and saves the filtered list as a view;
the same list on a phone keeps its checkboxes within the screen."""
from __future__ import annotations

from crm.companies.services import save_company
from crm.extensions import db
from tests.browser.conftest import PHONE
from tests.browser.test_journeys import _assert_fits, _text


def test_manager_ticks_all_assigns_and_saves_a_view(open_screen, server, shot, users):
    for name in ("東和精機株式会社", "北斗電機株式会社", "株式会社みなと化学"):
        save_company(None, {"name": name, "status": "prospect"})
    save_company(None, {"name": "既存顧客株式会社", "status": "active"})
    db.session.commit()
    officer = users["liaison"].name

    screen = open_screen("manager")
    page = screen.page
    page.goto(f"{server}/companies/?status=prospect")
    boxes = page.locator('input[name="ids"][form="bulk-companies"]')
    assert boxes.count() == 3
    page.get_by_label("Select all on this page").first.check()
    assert all(boxes.nth(i).is_checked() for i in range(3))
    page.select_option("#bulk-officer", label=officer)
    shot(page, "companies_bulk_1366")
    page.get_by_role("button", name="Assign officer").click()
    page.wait_for_load_state()
    assert "Assigned 3 companies." in _text(page.locator(".alert-success"))
    assert _text(page.locator("#results tbody")).count(officer) == 3

    page.locator("#saved-views summary").click()
    page.fill("#view-name-companies", "見込み客")
    page.get_by_role("button", name="Save view").click()
    page.wait_for_load_state()
    page.goto(f"{server}/companies/")
    page.get_by_role("link", name="見込み客").click()
    page.wait_for_load_state()
    assert "status=prospect" in page.url
    assert "既存顧客株式会社" not in _text(page.locator("#results"))
    screen.assert_clean()


def test_company_list_with_checkboxes_fits_a_phone(open_screen, server, shot):
    for name in ("東和精機株式会社", "北斗電機株式会社"):
        save_company(None, {"name": name})
    db.session.commit()
    screen = open_screen("manager", viewport=PHONE)
    page = screen.page
    page.goto(f"{server}/companies/")
    box = page.get_by_label("Select 北斗電機株式会社")
    box.check()
    assert box.is_checked()
    _assert_fits(page, "the company list with its checkboxes")
    shot(page, "companies_bulk_390")
    screen.assert_clean()


def test_liaison_ticks_two_tasks_done_on_a_phone(open_screen, server, shot, users):
    from crm.tasks.services import create_task

    for title in ("見積を送る", "Book the lab tour", "Call 佐藤さん"):
        create_task({"title": title, "due_on": None, "owner_id": users["liaison"].id}, by=None)
    db.session.commit()
    screen = open_screen("liaison", viewport=PHONE)
    page = screen.page
    page.goto(f"{server}/tasks/")
    page.get_by_label("Select 見積を送る").check()
    page.get_by_label("Select Call 佐藤さん").check()
    _assert_fits(page, "My tasks with checkboxes")
    shot(page, "tasks_bulk_390")
    page.get_by_role("button", name="Mark ticked tasks done").click()
    page.wait_for_load_state()
    assert "Marked 2 tasks done." in _text(page.locator(".alert-success"))
    assert "Book the lab tour" in _text(page.locator("#tasks-undated"))
    assert "見積を送る" not in _text(page.locator("#tasks-undated"))
    screen.assert_clean()
