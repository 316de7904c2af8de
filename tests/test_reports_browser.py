"""Moved: the browser fixtures live in tests/browser/conftest.py, the dashboards' browser checks in
tests/browser/ (test_journeys.py, test_reports_phone.py). These names stay importable for tests
written against this module before the move (`from tests.test_reports_browser import browser,
server, pytestmark`)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, IN_CI, browser, server  # noqa: F401

# Skip without Chromium on a developer's machine; in CI the `browser` fixture fails instead.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not IN_CI,
    reason="needs Chromium at /usr/bin/chromium (install the Debian package chromium)")
