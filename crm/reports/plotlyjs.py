"""plotly.js for the dashboards, served from the installed plotly package: one copy, always the
version the Python side writes its figures for (plotly ships its plotly.min.js).

The URL names the version (/reports/plotly-4.1.1.min.js), so a browser keeps the file for a
year without asking again; a plotly upgrade is a new URL. The 4.8 MB file goes out gzipped
(about 1.4 MB) to every browser that accepts it, compressed once per process and kept.
"""
from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import plotly
from flask import Response, abort, request
from plotly.offline import get_plotlyjs_version

#: The plotly.js the installed plotly package ships (what plotly.offline.get_plotlyjs() reads).
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: How long a browser may keep it: a year, the most HTTP caches honour.
MAX_AGE = 365 * 24 * 3600
MIMETYPE = "text/javascript"


def version() -> str:
    """The plotly.js version, as the URL names it."""
    return get_plotlyjs_version()


@lru_cache(maxsize=1)
def _gzipped() -> tuple[bytes, str]:
    """The file gzipped (level 9, no timestamp: the same bytes every time) and its ETag."""
    raw = PLOTLY_JS.read_bytes()
    return gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()[:20]


def response(requested: str) -> Response:
    """The file for GET /reports/plotly-<version>.min.js (404 for any other version)."""
    if requested != version():
        abort(404)
    body, etag = _gzipped()
    if request.accept_encodings["gzip"]:
        answer = Response(body, mimetype=MIMETYPE)
        answer.headers["Content-Encoding"] = "gzip"
        answer.set_etag(etag + "-gz")
    else:  # rare (every browser accepts gzip): read it for this answer only
        answer = Response(PLOTLY_JS.read_bytes(), mimetype=MIMETYPE)
        answer.set_etag(etag)
    answer.headers["Vary"] = "Accept-Encoding"
    answer.cache_control.public = True
    answer.cache_control.max_age = MAX_AGE
    answer.cache_control.immutable = True
    answer.cache_control.no_cache = None
    return answer.make_conditional(request)
