"""plotly.js is served from the installed plotly package (the version the figures are written
for), under a versioned URL the browser keeps for a year, gzipped when the browser accepts it."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import plotly
from plotly.offline import get_plotlyjs

ROOT = Path(__file__).resolve().parents[1]


def _script_url(login) -> str:
    html = login("manager").get("/reports/overview").get_data(as_text=True)
    (url,) = re.findall(r'<script src="([^"]*plotly[^"]*)"', html)
    return url


def test_the_dashboard_loads_the_packages_plotly_js_gzipped_and_cached_for_a_year(login):
    url = _script_url(login)
    assert url == f"/reports/plotly-{plotly.offline.get_plotlyjs_version()}.min.js"
    browser = login("manager")
    response = browser.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "text/javascript"
    assert "Accept-Encoding" in response.headers["Vary"]
    cache = response.cache_control
    assert cache.max_age >= 365 * 24 * 3600 and cache.immutable and not cache.no_cache
    # the bytes are plotly's own, and the wire carries well under half of them
    assert gzip.decompress(response.data).decode() == get_plotlyjs()
    assert len(response.data) < len(get_plotlyjs().encode()) / 2
    # a browser that has it answers with its ETag and gets 304, no body
    again = browser.get(url, headers={"Accept-Encoding": "gzip",
                                      "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_without_gzip_the_file_goes_as_it_is(client):
    url = f"/reports/plotly-{plotly.offline.get_plotlyjs_version()}.min.js"
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True) == get_plotlyjs()
    assert response.cache_control.max_age >= 365 * 24 * 3600


def test_another_version_is_not_found_and_no_copy_is_kept_in_static(client):
    assert client.get("/reports/plotly-1.0.0.min.js").status_code == 404
    assert client.get("/reports/plotly-../../crm/config.py.min.js").status_code == 404
    assert not list((ROOT / "static").rglob("plotly*.js"))
