"""Session settings, the reverse proxy, and security headers.

Settings (app.config keys; their defaults and the environment are read by crm/config.py):

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

import secrets
from datetime import timedelta

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

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


def init_app(app: Flask) -> None:
    """Apply the session settings, trust the proxy when told to, and add the headers to every
    answer."""
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
