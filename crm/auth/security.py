"""Session and login settings from the environment, the reverse proxy, and security headers.

Settings (environment variable → app.config key, default):

- ``CRM_SESSION_IDLE_MINUTES`` (120): a session unused this long ends.
- ``CRM_SESSION_MAX_HOURS`` (12): a session ends this long after its login, however busy.
- ``SESSION_COOKIE_SECURE`` (off): send the session cookie over HTTPS only. Turn it on in
  production (it is on whenever ``CRM_BEHIND_PROXY`` is set, unless set to 0 explicitly).
- ``CRM_BEHIND_PROXY`` (0): the number of reverse proxies in front of the app (1 for nginx);
  their ``X-Forwarded-For/-Proto/-Host/-Port`` headers are then trusted (werkzeug ProxyFix), so
  the throttle sees the client's address and ``request.is_secure`` is true behind HTTPS.
- ``CRM_LOGIN_MAX_FAILURES`` (10), ``CRM_LOGIN_MAX_FAILURES_PER_ADDRESS`` (50),
  ``CRM_LOGIN_WINDOW_MINUTES`` (15): the login throttle (crm/auth/throttle.py).

Keys given to create_app() win over the environment.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

_TRUE = {"1", "true", "yes", "on"}


def _int(text: str) -> int:
    return int(text.strip())


def _flag(text: str) -> bool:
    return text.strip().lower() in _TRUE


def _proxies(text: str) -> int:
    text = text.strip().lower()
    return 1 if text in _TRUE else 0 if text in {"", "0", "false", "no", "off"} else int(text)


#: config key: (environment variable, parse, default)
SETTINGS: dict[str, tuple[str, Any, Any]] = {
    "CRM_SESSION_IDLE_MINUTES": ("CRM_SESSION_IDLE_MINUTES", _int, 120),
    "CRM_SESSION_MAX_HOURS": ("CRM_SESSION_MAX_HOURS", _int, 12),
    "CRM_BEHIND_PROXY": ("CRM_BEHIND_PROXY", _proxies, 0),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", _flag, None),  # None: see init_app
    "CRM_LOGIN_MAX_FAILURES": ("CRM_LOGIN_MAX_FAILURES", _int, 10),
    "CRM_LOGIN_MAX_FAILURES_PER_ADDRESS": ("CRM_LOGIN_MAX_FAILURES_PER_ADDRESS", _int, 50),
    "CRM_LOGIN_WINDOW_MINUTES": ("CRM_LOGIN_WINDOW_MINUTES", _int, 15),
}


def content_security_policy(nonce: str) -> str:
    """The policy every page is served with. Scripts: this site's files and inline blocks that
    carry the request's nonce (the dashboards' chart set-up), nothing else — no inline event
    handlers, no eval. Styles allow inline ``style=""`` attributes (the templates size and
    colour bars with them; htmx and plotly.js add style elements): CSS cannot run script."""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def csp_nonce() -> str:
    """This request's script nonce (templates: ``<script nonce="{{ csp_nonce() }}">``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask, given: dict[str, Any] | None = None) -> None:
    """Read the settings, trust the proxy when told to, and add the headers to every answer."""
    given = given or {}
    for key, (env, parse, default) in SETTINGS.items():
        if key in given:
            continue
        raw = os.environ.get(env)
        try:
            app.config[key] = parse(raw) if raw not in (None, "") else default
        except ValueError:
            raise RuntimeError(f"{env}={raw!r} is not valid: give a whole number"
                               + (" or yes/no" if parse is not _int else "")) from None
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = bool(app.config["CRM_BEHIND_PROXY"])
    # The signed cookie itself never outlives the longest session.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        hours=app.config["CRM_SESSION_MAX_HOURS"])
    hops = app.config["CRM_BEHIND_PROXY"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)

    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
