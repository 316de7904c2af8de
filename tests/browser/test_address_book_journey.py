"""An address book in Chromium (issue 15): a business developer, in Japanese, uploads a 宛名職人
export on the import page, reads on the preview that it was recognised and which columns are not
imported, commits, and finds the contact with its readings."""
from __future__ import annotations

from pathlib import Path

from tests.browser.test_journeys import _text

FIXTURE = Path(__file__).parent.parent / "fixtures" / "importers" / "atena_shokunin.csv"


def test_bd_imports_an_atena_shokunin_address_book_in_japanese(open_screen, server, shot):
    screen = open_screen("bd", lang="ja")
    page = screen.page
    page.goto(f"{server}/imports/")
    page.select_option("#kind", value="contacts")
    page.set_input_files("#file", str(FIXTURE))
    page.locator("#upload button[type=submit]").click()
    page.wait_for_load_state()

    found = _text(page.locator("main"))
    assert "宛名職人 CSV" in found                          # the format, by its Japanese label
    assert "取り込まない列" in found and "連名 (1)" in found   # the columns left out, named
    assert "姓かな" in found and "会社E-mail" in found       # the columns, mapped on the page
    shot(page, "import_preview_atena_ja")
    page.locator("#commit").click()
    page.wait_for_load_state()

    page.goto(f"{server}/contacts/?q=ヤマダ")
    listed = _text(page.locator("main"))
    assert "山田 太郎" in listed and "株式会社架空電機" in listed
    shot(page, "import_contacts_by_reading_ja")
    screen.assert_clean()
