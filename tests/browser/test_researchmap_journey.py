"""A business-development user imports a researcher's researchmap profile through the import
page in Chromium: picks the kind, attaches the JSON, reads the preview, commits, and the company
whose need it answers now lists the new seed."""
from __future__ import annotations

import re
from pathlib import Path

from tests.browser.test_journeys import _text

PROFILE = Path(__file__).resolve().parent.parent / "fixtures" / "researchmap" / "api_profile.json"


def test_bd_imports_a_researchmap_profile_and_a_company_need_finds_its_project(
        open_screen, shot, make_company, server):
    company = make_company(name="株式会社流体解析", interests="偏微分方程式による流体シミュレーション")
    bd = open_screen("bd")
    page = bd.page
    page.locator("#nav").get_by_role("button", name="Data", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Import a file").click()
    page.wait_for_load_state()
    page.select_option("#kind", "researchmap")
    page.set_input_files("#file", str(PROFILE))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    main = _text(page.locator("main"))
    assert "研究 花子" in main and "サンプル研究課題" in main
    assert "This format has fixed fields" in main
    shot(page, "researchmap_preview")
    page.get_by_role("button", name=re.compile("^Commit 1 row")).click()
    page.wait_for_load_state()
    assert "Imported: 1 created" in _text(page.locator("main"))
    shot(page, "researchmap_result")

    page.goto(f"{server}/companies/{company.id}")
    page.wait_for_load_state()
    assert "サンプル研究課題" in _text(page.locator("main"))
    bd.assert_clean()
