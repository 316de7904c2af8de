"""The password policy (12+ characters, not common, not the e-mail) on every way a password is
set; the security headers and the Content-Security-Policy; the demo password not printed at
every start."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.auth.models import User
from crm.auth.passwords import common_passwords, problem
from crm.extensions import db
from tests.factories import PASSWORD

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaa", "at least 12"),  # the one the audit found accepted
    ("short but ok", None),
    ("aaaaaaaaaaaa", "simple pattern"),
    ("abababababab", "simple pattern"),
    ("abcdefghijklm", "simple pattern"),
    ("password1234", "common"),
    ("Password2024!", "common"),
    ("qwertyuiop123", "common"),
    ("123456789012", "simple pattern"),
    ("987654321098", "simple pattern"),
    ("iloveyouiloveyou", "common"),
    ("tanaka.hanako@example.org", "e-mail"),
    ("Tanaka.Hanako-1999", "e-mail"),
    ("harbour kettle nineteen", None),
    (PASSWORD, None),  # the suite's own password stays valid
])
def test_password_policy(app, password, reason):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        found = problem(password, "tanaka.hanako@example.org")
    if reason is None:
        assert found is None, found
    else:
        assert found is not None and reason in found, found


def test_the_shipped_common_password_list_is_loaded():
    words = common_passwords()
    assert len(words) > 19000
    assert {"password", "123456", "qwerty"} <= words
    assert all(w == w.lower() for w in list(words)[:500])


def test_admin_cannot_create_a_user_with_a_common_password(login):
    admin = login("admin")
    admin.get("/users/new")
    r = admin.submit("/users/new", {"email": "new@example.org", "name": "新人 花子",
                                    "roles": ["staff"], "password": "password1234"})
    assert r.status_code == 422
    assert "list of common passwords" in r.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_cli_refuses_a_password_with_the_email_in_it(runner):
    result = runner.invoke(args=["user", "create", "--email", "suzuki@example.org", "--name", "S",
                                 "--role", "staff", "--password", "suzuki-example-2026"])
    assert result.exit_code == 1
    assert "e-mail address or its name part" in result.output
    assert db.session.scalar(select(User).where(User.email == "suzuki@example.org")) is None


# --- headers -----------------------------------------------------------------------------------

def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def test_every_answer_carries_the_security_headers(client, login):
    for r in (client.get("/login"), login("staff").get("/companies/"), client.get("/healthz")):
        csp = _csp(r)
        assert csp["default-src"] == "default-src 'self'"
        assert "'unsafe-inline'" not in csp["script-src"]
        assert "'unsafe-eval'" not in csp["script-src"]
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert csp["object-src"] == "object-src 'none'"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert r.headers["X-Frame-Options"] == "DENY"


def test_the_dashboard_script_carries_this_answers_nonce(login):
    client = login("manager")
    first, second = client.get("/reports/overview"), client.get("/reports/overview")
    assert first.status_code == 200
    nonces = []
    for r in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", _csp(r)["script-src"]).group(1)
        assert f'<script nonce="{nonce}">' in r.get_data(as_text=True)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_templates_have_no_script_the_policy_would_block():
    """Inline event handlers (onclick=...) and javascript: links never run under the policy,
    and an inline <script> runs only with the nonce: none may creep into a template."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", text):
            problems.append(f"{path.name}: inline handler {match.group(0)[:60]!r}")
        if "javascript:" in text:
            problems.append(f"{path.name}: javascript: URL")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "csp_nonce()" not in tag:
                problems.append(f"{path.name}: inline script without the nonce: {tag}")
    assert problems == []


def test_secure_cookie_setting_marks_the_session_cookie(app, client, users, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    client.get("/login")
    r = client.submit("/login", {"email": "admin@example.org", "password": PASSWORD})
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- the demo password -------------------------------------------------------------------------

def test_the_demo_password_is_not_printed_at_every_start(runner, app):
    first = runner.invoke(args=["demo", "--if-empty"])
    password = re.search(r"users\): (\S+)", first.output).group(1)
    assert len(password) >= 12
    from crm import demo

    hint = demo.login_hint()
    assert "demo-credentials.txt" in hint and password not in hint
    again = runner.invoke(args=["demo", "--if-empty"])
    assert password not in again.output
