"""Tasks in Chromium (issue 17): a liaison officer logs a visit with a next step on a phone, finds
it in My tasks and ticks it off; the manager's team view on a laptop shows who is behind."""
from __future__ import annotations

import re
from datetime import timedelta

from crm.common.time import office_today
from crm.companies.services import save_company
from crm.contacts.services import save_contact
from crm.extensions import db
from crm.tasks.services import create_task
from tests.browser.conftest import PHONE
from tests.browser.test_journeys import _assert_fits, _text


def _tap_nav(page, name: str) -> None:
    """Tap a link of the navigation bar (behind the ☰ button on a phone)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#nav.show").wait_for()
    page.locator("#nav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def test_liaison_logs_a_visit_with_a_next_step_on_a_phone_and_ticks_it_off(
        open_screen, server, shot, users):
    company = save_company(None, {"name": "北斗電機株式会社", "officer_id": users["liaison"].id})
    save_contact(None, {"family_name": "佐藤", "given_name": "花子", "company_id": company.id})
    create_task({"title": "Book the lab tour", "due_on": office_today() - timedelta(days=2),
                 "owner_id": users["liaison"].id}, by=users["liaison"])
    db.session.commit()
    due = office_today() + timedelta(days=(6 - office_today().weekday()))  # this Sunday

    screen = open_screen("liaison", viewport=PHONE)
    page = screen.page
    page.goto(f"{server}/companies/{company.id}")
    page.get_by_role("link", name="Log activity").click()
    page.wait_for_load_state()
    page.select_option("#kind", label="Visit")
    page.fill("#subject", "研究室見学")
    page.get_by_label(re.compile("佐藤 花子")).check()
    page.fill("#next_step", "見積を送る")
    page.fill("#next_step_on", due.isoformat())
    _assert_fits(page, "the activity form with its next step")
    shot(page, "liaison_activity_next_step_390")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Next step added to the tasks of" in _text(page.locator(".alert-success"))

    _tap_nav(page, "Tasks")
    assert page.locator("h1").inner_text() == "My tasks"
    _assert_fits(page, "My tasks")
    overdue, week = page.locator("#tasks-overdue"), page.locator("#tasks-week")
    assert "Book the lab tour" in _text(overdue)
    item = week.locator(".task-item", has_text="見積を送る")
    assert "佐藤 花子 · 北斗電機株式会社" in _text(item)
    assert "Next step of an activity" in _text(item)
    assert page.locator("main").inner_text().index("Book the lab tour") < \
        page.locator("main").inner_text().index("見積を送る"), "overdue comes first"
    box = item.get_by_role("button", name="Mark “見積を送る” done").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, f"too small to tap: {box}"
    shot(page, "liaison_my_tasks_390")

    item.get_by_role("button", name="Mark “見積を送る” done").click()
    page.wait_for_load_state()
    assert "Done: “見積を送る”." in _text(page.locator(".alert-success"))
    assert page.locator("#tasks-week").count() == 0  # nothing else is due this week
    done = page.locator("#tasks-done")
    assert "見積を送る" not in _text(done)  # folded away until opened
    done.locator("summary").click()
    assert "見積を送る" in _text(done)
    _assert_fits(page, "My tasks with the done ones open")
    shot(page, "liaison_my_tasks_done_390")
    screen.assert_clean()


def test_manager_sees_who_is_behind_in_the_team_view(open_screen, server, shot, users):
    today = office_today()
    for owner, title, days in [("liaison", "Call 北斗電機 back", -5), ("bd", "Enter the cards", -1),
                               ("liaison", "Prepare the NDA", 10), ("bd", "Plan the seminar", 3)]:
        create_task({"title": title, "due_on": today + timedelta(days=days),
                     "owner_id": users[owner].id}, by=users["manager"])
    db.session.commit()
    screen = open_screen("manager")
    page = screen.page
    _tap_nav(page, "Tasks")
    page.get_by_role("link", name="Team tasks").click()
    page.wait_for_load_state()
    listed = _text(page.locator("main section"))
    order = [listed.index(t) for t in ("Call 北斗電機 back", "Enter the cards", "Plan the seminar",
                                        "Prepare the NDA")]
    assert order == sorted(order), listed
    shot(page, "manager_team_tasks_1366")
    page.select_option("#officer", value=str(users["liaison"].id))
    assert users["liaison"].name in _text(page.locator("#officer option:checked"))
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    listed = _text(page.locator("main section"))
    assert "Call 北斗電機 back" in listed and "Enter the cards" not in listed
    screen.assert_clean()


def test_add_task_from_a_company_page_in_japanese_on_a_phone(open_screen, server, shot, users):
    company = save_company(None, {"name": "北斗電機株式会社"})
    db.session.commit()
    screen = open_screen("liaison", viewport=PHONE, lang="ja")
    page = screen.page
    page.goto(f"{server}/companies/{company.id}")
    page.get_by_role("link", name="タスクを追加").click()
    page.wait_for_load_state()
    assert page.locator("#company").input_value() == f"北斗電機株式会社 [#{company.id}]"
    page.fill("#title", "共同研究の提案書を送る")
    page.fill("#due_on", office_today().isoformat())
    _assert_fits(page, "the task form")
    shot(page, "liaison_task_form_ja_390")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.url == f"{server}/companies/{company.id}"  # back on the company's page
    assert "共同研究の提案書を送る" in _text(page.locator(".alert-success"))
    _tap_nav(page, "タスク")
    item = page.locator("#tasks-week .task-item", has_text="共同研究の提案書を送る")
    assert "今日" in _text(item) and "北斗電機株式会社" in _text(item)
    _assert_fits(page, "マイタスク")
    shot(page, "liaison_my_tasks_ja_390")
    screen.assert_clean()
