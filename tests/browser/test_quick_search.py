"""The navbar's quick search in Chromium: `/` focuses it, a Japanese reading finds the company,
the arrow keys choose it and Enter opens its page; on a phone it sits behind the ☰ button.
Under the Content-Security-Policy, with no violation and no script error."""
from __future__ import annotations

from crm.companies.services import save_company
from crm.contacts.services import save_contact
from crm.extensions import db
from tests.browser.conftest import PHONE
from tests.browser.test_csp import WATCH


def _records():
    company = save_company(None, {"name": "株式会社はやぶさ精機", "name_reading": "ハヤブサセイキ",
                                  "name_en": "Hayabusa Precision"})
    save_contact(None, {"family_name": "早川", "given_name": "恵", "family_name_reading": "ハヤカワ",
                        "given_name_reading": "メグミ", "company_id": company.id})
    db.session.commit()
    return company


def test_slash_a_reading_arrow_down_and_enter_open_the_company(open_screen, server, shot):
    company = _records()
    screen = open_screen("liaison")
    page = screen.page
    page.add_init_script(WATCH)
    page.goto(f"{server}/contacts/")
    page.wait_for_load_state()
    page.locator("main").click(position={"x": 5, "y": 5})  # focus on the page, not a field
    page.keyboard.press("/")
    box = page.get_by_role("combobox", name="Search everything (press / to focus)")
    assert box.evaluate("el => el === document.activeElement"), "/ focuses the quick search"
    page.keyboard.type("はやぶさ")
    option = page.get_by_role("option", name="株式会社はやぶさ精機")
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    shot(page, "quick_search_1366")
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == f"quick-company-{company.id}"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/companies/{company.id}")
    assert page.locator("h1").inner_text().startswith("株式会社はやぶさ精機")

    # "/" typed in another field stays there.
    page.goto(f"{server}/contacts/")
    field = page.locator("main input[name=q]")
    field.click()
    page.keyboard.type("a/b")
    assert field.input_value() == "a/b"
    assert box.evaluate("el => el !== document.activeElement")
    # Half-width katakana finds the contact; Escape closes the list.
    page.locator("main").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    page.keyboard.type("ﾊﾔｶﾜ")
    page.get_by_role("option", name="早川 恵").wait_for()
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.evaluate("window.__csp || []") == []
    screen.assert_clean()


def test_on_a_phone_behind_the_menu(open_screen, server, shot):
    _records()
    screen = open_screen("researcher", viewport=PHONE, lang="ja")
    page = screen.page
    page.add_init_script(WATCH)
    page.goto(f"{server}/")
    page.locator(".navbar-toggler").click()
    page.locator("#nav.show").wait_for()
    box = page.get_by_role("combobox", name="全体を検索（/ キーで移動）")
    box.fill("はやぶさ")
    page.get_by_role("option", name="株式会社はやぶさ精機").wait_for()
    shot(page, "quick_search_390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("option", name="株式会社はやぶさ精機").click()
    page.wait_for_load_state()
    assert "/companies/" in page.url
    assert page.evaluate("window.__csp || []") == []
    screen.assert_clean()
