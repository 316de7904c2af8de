"""The dashboards in a real browser: every chart draws (its SVG is there), no JavaScript error,
and nothing is fetched from outside the application (plotly.js comes from static/)."""
from __future__ import annotations

import pytest

from crm.reports.dashboards import DASHBOARDS
from tests.browser.conftest import LAPTOP
from tests.test_reports import build_office


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_dashboard_draws_its_charts_without_errors(open_screen, server, shot, lang):
    build_office()
    screen = open_screen("manager", viewport={**LAPTOP, "width": 1280}, lang=lang)
    page = screen.page
    for name in DASHBOARDS:
        page.goto(f"{server}/reports/{name}")
        page.wait_for_load_state("load")
        expected = page.locator(".js-chart").count()
        assert expected >= 1, f"{name}: no chart had data"
        page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n",
            arg=expected, timeout=15000)
        drawn = page.locator(".js-chart").evaluate_all(
            "els => els.map(el => !!el.querySelector('.main-svg'))")
        assert all(drawn), f"{name}: a chart did not draw"
        # The table view is the same chart's numbers, one click away.
        page.locator(".report-card .nav-link:not(.active)").first.click()
        assert page.locator(".tab-pane.active table").first.is_visible()
    shot(page, f"reports_seeds_{lang}")
    screen.assert_clean()
