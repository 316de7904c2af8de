"""My work in Chromium: BD logs in, sees the queue on the home page and follows the oldest
item; a manager on a 390 px phone reads the office's sections and a company's timeline, and
filters it by kind without leaving the page (htmx)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crm.activities.models import Activity
from crm.collaborations.models import Collaboration
from crm.donations.models import Donation
from crm.extensions import db, utcnow
from crm.liaison import services as liaison
from crm.requests.models import DataEntryRequest
from tests.browser.conftest import LAPTOP, PHONE

TODAY = date.today()


def _requests(researcher_id: int) -> DataEntryRequest:
    oldest = None
    for name, age, status in (("新しい人", 1, "submitted"), ("古い人 Oldest", 12, "submitted"),
                              ("担当中の人", 9, "claimed"), ("三番目", 3, "submitted")):
        req = DataEntryRequest(
            submitted_by_id=researcher_id, status=status, person_name=name,
            company_name="株式会社テスト", where_met="CEATEC",
            created_at=(utcnow() - timedelta(days=age)).replace(tzinfo=None))
        db.session.add(req)
        if age == 12:
            oldest = req
    db.session.commit()
    return oldest


def test_bd_sees_the_queue_at_home_and_follows_the_oldest_item(open_screen, server, shot,
                                                               users):
    oldest = _requests(users["researcher"].id)
    for viewport, name in ((LAPTOP, "my-work-bd-desktop"), (PHONE, "my-work-bd-phone")):
        screen = open_screen("bd", viewport=viewport)
        page = screen.page
        page.goto(server + "/")
        queue = page.locator("#work-queue")
        assert "4 open, 2 waiting over 7 days, 0 sent back" in queue.inner_text()
        shot(page, name)
        if viewport is PHONE:  # nothing wider than the phone
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the page is {width} px wide on a phone"
        first = queue.locator("li a").first
        assert "古い人 Oldest" in first.inner_text()
        first.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/requests/{oldest.id}")
        assert "古い人 Oldest" in page.content()
        screen.assert_clean()


def test_a_manager_on_a_phone_reads_the_timeline_and_filters_it(open_screen, server, shot,
                                                                users, make_company):
    company = make_company(name="株式会社タイムライン工業")
    liaison.assign_company(company, users["liaison"], by=users["manager"])
    db.session.add_all([
        Activity(company_id=company.id, kind="meeting", subject="キックオフ会議",
                 minutes="電池の共同研究について", occurred_on=TODAY - timedelta(days=3),
                 user_id=users["liaison"].id),
        Collaboration(kind="joint_research", title="止まっている共同研究", company=company,
                      stage="scheme", opened_on=TODAY - timedelta(days=60), currency="JPY",
                      contract_language="ja"),
        Donation(company_id=company.id, amount=Decimal("3000000"), currency="JPY",
                 received_on=TODAY - timedelta(days=1), purpose="奨学寄附金"),
    ])
    db.session.commit()
    screen = open_screen("manager", viewport=PHONE, lang="ja")
    page = screen.page
    page.goto(server + "/")
    assert "止まっている共同研究" in page.locator("#work-stuck").inner_text()
    shot(page, "my-work-manager-phone")
    page.locator("#work-stuck li a").first.click()
    page.wait_for_load_state()
    assert "/collaborations/" in page.url

    page.goto(f"{server}/companies/{company.id}")
    timeline = page.locator("#timeline")
    text = timeline.inner_text()
    assert "奨学寄附金" in text and "キックオフ会議" in text and "止まっている共同研究" in text
    timeline.locator(".timeline-kinds a", has_text="寄付").click()
    from playwright.sync_api import expect  # waits without evaluating script (the CSP has no eval)

    expect(timeline).not_to_contain_text("キックオフ会議")
    assert "奨学寄附金" in timeline.inner_text()
    assert page.url.endswith(f"/companies/{company.id}")  # swapped in place
    timeline.scroll_into_view_if_needed()
    shot(page, "timeline-manager-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a phone"
    screen.assert_clean()

    desk = open_screen("manager", viewport=LAPTOP)
    desk.page.goto(f"{server}/companies/{company.id}")
    # One history: the timeline, headed by the donation totals, and no second list of the
    # same activities and donations below it.
    assert "3,000,000" in desk.page.locator(".donation-totals").inner_text()
    assert desk.page.get_by_text("キックオフ会議").count() == 1
    assert desk.page.get_by_role("heading", name="Activities").count() == 0
    desk.page.locator("#timeline").scroll_into_view_if_needed()
    shot(desk.page, "timeline-manager-desktop")
    desk.page.goto(server + "/me/digest")
    desk.page.get_by_label("Daily: every morning there is something for me").check()
    desk.page.get_by_role("button", name="Save").click()
    desk.page.wait_for_load_state()
    assert "Saved: Daily" in desk.page.content()
    shot(desk.page, "digest-settings-desktop")
    desk.assert_clean()
