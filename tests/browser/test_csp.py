"""The Content-Security-Policy in a real browser: logging in, the dashboards (plotly), the htmx
parts (as-you-type lists, the fair form's "already in the CRM" panel, record suggestions), forms
that save, the duplicates page's select and the Account page run with no policy violation and
no JavaScript error. Chromium reports each violation as a `securitypolicyviolation` event."""
from __future__ import annotations

import pytest

from crm.reports.dashboards import DASHBOARDS
from tests.factories import PASSWORD
from tests.test_reports import build_office

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' '
                    + (e.sample || '') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def watched(browser):  # noqa: F811
    """A page that records policy violations and script errors, page after page."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en",
                            extra_http_headers={"Accept-Language": "en"})
    page.add_init_script(WATCH)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" else None)

    def check(where: str) -> None:
        violations = page.evaluate("window.__csp || []")
        problems.extend(f"{where}: {v}" for v in violations)
        page.evaluate("window.__csp = []")

    page.check = check
    page.problems = problems
    yield page
    page.close()


def _log_in(page, server, email):  # noqa: F811
    page.goto(server + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, "the login form works under the policy"


def test_dashboards_draw_under_the_policy(users, server, watched):  # noqa: F811
    build_office()
    _log_in(watched, server, users["manager"].email)
    watched.check("login")
    for name in DASHBOARDS:
        watched.goto(f"{server}/reports/{name}")
        watched.wait_for_load_state("load")
        expected = watched.locator(".js-chart").count()
        watched.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n",
            arg=expected, timeout=15000)
        watched.locator(".report-card .nav-link:not(.active)").first.click()  # Bootstrap tabs
        watched.check(f"/reports/{name}")
    assert watched.problems == []


def test_htmx_parts_and_forms_work_under_the_policy(users, server, watched):  # noqa: F811
    build_office()
    _log_in(watched, server, users["bd"].email)
    # An as-you-type list: htmx swaps the results in.
    watched.goto(server + "/companies/")
    watched.fill("#q", "テスト工業1-2")
    watched.wait_for_function(
        "() => document.querySelectorAll('#results tbody tr').length === 1", timeout=10000)
    watched.check("/companies/ filter")
    # A form that saves, with a record suggestion list filled by htmx on the way.
    watched.goto(server + "/companies/new")
    watched.fill("input[name=name]", "CSP 検証株式会社")
    watched.click("main form button[type=submit]")
    watched.wait_for_load_state()
    assert "CSP 検証株式会社" in watched.content()
    watched.check("/companies/new")
    # The fair form's "already in the CRM" panel (htmx, after a pause in typing).
    watched.goto(server + "/events/fair")
    watched.fill("#family_name", "山田")
    watched.wait_for_function(
        "() => document.querySelector('#fair-people').textContent.includes('山田')",
        timeout=10000)
    watched.check("/events/fair")
    # The duplicates page: its select sends the form when changed (no inline onchange).
    watched.goto(server + "/duplicates/")
    with watched.expect_navigation():
        watched.select_option("#f-strength", "certain")
    assert "strength=certain" in watched.url
    watched.check("/duplicates/")
    # The language switch and the Account page's password form.
    watched.goto(server + "/account")
    watched.fill("#current_password", "wrong password here")
    watched.fill("#new_password", "lantern orchard quietly")
    watched.fill("#confirm", "lantern orchard quietly")
    watched.click("#change-password button[type=submit]")
    watched.wait_for_load_state()
    assert "That is not your current password." in watched.content()
    watched.check("/account")
    watched.problems[:] = [p for p in watched.problems if "422" not in p]  # the refused form
    assert watched.problems == []
