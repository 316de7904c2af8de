"""The dashboards in a real browser: every chart draws (its SVG is there), no JavaScript error,
and nothing is fetched from outside the application (plotly.js comes from static/)."""
from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from crm.reports.dashboards import DASHBOARDS
from tests.conftest import PASSWORD
from tests.test_reports import build_office

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions",
                 "--metrics-recording-only", "--no-pings"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Chromium at /usr/bin/chromium (CI has it; install it to run this test)")


@pytest.fixture
def server(app):
    """The app served on a free port in a thread, against the test database."""
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{srv.server_port}"
    srv.shutdown()
    thread.join(5)


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_dashboard_draws_its_charts_without_errors(users, server, browser, lang):
    build_office()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale=lang,
                            extra_http_headers={"Accept-Language": lang})
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error"
            else None)

    def only_local(route):
        if urlparse(route.request.url).hostname in ("localhost", "127.0.0.1"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(server + "/login")
    page.fill("input[name=email]", users["manager"].email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
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
    assert errors == []
    assert outside == []
    page.close()
