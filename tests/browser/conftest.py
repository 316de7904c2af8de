"""What every browser test shares: the app served on a free port in a thread, one headless
Chromium for the whole session (the Debian binary, never a downloaded one), a fresh browser
context per page with every request outside localhost aborted, a login through the login form,
and screenshots.

Where Chromium or Playwright is missing the browser tests are skipped with the reason, except in
CI (`CI` set to anything but "", "0" or "false"): there they fail, so a fresh machine never
passes by looking at nothing. `.ci/run` installs Chromium before `make test`.

Screenshots go to the test's `tmp_path`; with `JOURNEY_SHOTS=DIR` they are also copied into DIR
(`JOURNEY_SHOTS=static/screenshots make test PYTEST_ARGS=tests/browser` refreshes the README's).
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions",
                 "--metrics-recording-only", "--no-pings"]
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
LOCAL_HOSTS = ("localhost", "127.0.0.1")
#: The two screens the journeys use: a 1366 px laptop and a 390 px phone.
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where the browser tests must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set: browser tests must run here; .ci/run installs "
                    "the Debian chromium package)", pytrace=False)
    pytest.skip(f"{reason}; install the Debian package chromium to run the browser tests")


class _QuietHandler(WSGIRequestHandler):
    """No access-log line per request (they would bury a failing test's output)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def _closed_before_sent(app):
    """Each answer read whole and closed before it is sent, as gunicorn closes every answer:
    Werkzeug's development server leaves a file open when the browser drops the connection
    mid-answer (the favicon, as the page moves on), and the ResourceWarning it raises later,
    when the file is collected, fails whichever test is running then."""
    def wrapped(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
    return wrapped


@pytest.fixture(scope="session")
def server(app) -> Iterator[str]:
    """The app served on a free port in a thread, against the test database."""
    srv = make_server("127.0.0.1", 0, _closed_before_sent(app), threaded=True,
                      request_handler=_QuietHandler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{srv.server_port}"
    srv.shutdown()
    thread.join(5)


#: The one Playwright driver and Chromium of the run, and how many fixtures hold it. Playwright's
#: sync API cannot run twice in one thread, and tests outside this folder import the fixture
#: (as tests/test_reports_browser.py once did), which makes a second fixture of it.
_CHROMIUM: dict[str, Any] = {"users": 0}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a test extra
        _unavailable("Playwright (the Python package) is not installed")
    if not _CHROMIUM["users"]:
        driver = sync_playwright().start()
        _CHROMIUM.update(driver=driver, browser=driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS))
    _CHROMIUM["users"] += 1
    yield _CHROMIUM["browser"]
    _CHROMIUM["users"] -= 1
    if not _CHROMIUM["users"]:
        _CHROMIUM.pop("browser").close()
        _CHROMIUM.pop("driver").stop()


@pytest.fixture(autouse=True)
def _own_search_index(own_index):
    """Every browser test gets its own empty search index, so matches come from its own rows
    only (the app's index is shared by the whole run and outlives each test's tables)."""
    return own_index


#: What Chromium logs as a console error for a page sent back with its form's errors (422) or
#: a refusal (400, 403, 409): expected answers, not script errors.
HTTP_STATUS_LOG = "Failed to load resource: the server responded with a status of 4"


@dataclass
class Screen:
    """One user's browser tab, and what went wrong in it."""

    page: Any
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No JavaScript error on any page so far, nothing asked for outside the app."""
        assert self.outside == [], f"asked for something outside the app: {self.outside}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"


@pytest.fixture
def shot(tmp_path) -> Callable[[Any, str], Path]:
    """shot(page, "name"): a full-page PNG under tmp_path (and JOURNEY_SHOTS, if set)."""
    extra = os.environ.get("JOURNEY_SHOTS")

    def _shot(page: Any, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(extra) / path.name)
        return path

    return _shot


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def open_screen(request, server, browser, tmp_path) -> Iterator[Callable[..., Screen]]:
    """open_screen("manager", viewport=PHONE, lang="ja") -> a Screen logged in through the login
    form as that role's user (the `users` fixture), or as email/password; None: logged out. Journeys end with screen.assert_clean()."""
    contexts: list[Any] = []

    def _open(role: str | None, *, viewport: dict = LAPTOP, lang: str = "en",
              email: str | None = None, password: str = PASSWORD) -> Screen:
        context = browser.new_context(viewport=viewport, locale=lang, accept_downloads=True,
                                      extra_http_headers={"Accept-Language": lang},
                                      has_touch=viewport["width"] < 500,
                                      is_mobile=viewport["width"] < 500)
        # Generous: a loaded 2-core CI machine may take seconds for a dashboard of charts.
        context.set_default_timeout(20_000)
        context.set_default_navigation_timeout(30_000)
        contexts.append(context)
        screen = Screen(context.new_page())

        def only_local(route):
            if urlparse(route.request.url).hostname in LOCAL_HOSTS:
                route.continue_()
            else:
                screen.outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        screen.page.on("pageerror", lambda e: screen.errors.append(f"page error: {e}"))
        screen.page.on("console", lambda m: screen.errors.append(f"console: {m.text}")
                       if m.type == "error" and not m.text.startswith(HTTP_STATUS_LOG)
                       else None)
        if role is not None or email is not None:
            email = email or request.getfixturevalue("users")[role].email
            page = screen.page
            page.goto(server + "/login")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", password)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            assert "/login" not in page.url, f"{email} could not log in"
        return screen

    yield _open
    failed = getattr(request.node, "report_call", None)
    for n, context in enumerate(contexts):
        if failed is not None and failed.failed:
            for m, page in enumerate(context.pages):  # what the user saw when it went wrong
                try:
                    page.screenshot(path=str(tmp_path / f"failed-{n}-{m}.png"), full_page=True)
                except Exception:  # noqa: BLE001 - a broken page must not hide the failure
                    pass
        context.close()
