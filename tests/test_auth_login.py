"""Logging in and out (hashed passwords, the CSRF token, deactivated users), and the login page
under attack: throttling per account and per address (429, in the database), the same work for an
unknown e-mail as for a known one, redirect targets that stay on the site, and the reverse-proxy
settings."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import func, select

from crm.auth.models import LoginAttempt, User
from crm.extensions import db
from tests.factories import PASSWORD

LIMIT = 4  # small, so the tests hash few passwords (hashing is slow on purpose)


@pytest.fixture
def limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_LOGIN_MAX_FAILURES", LIMIT)
    monkeypatch.setitem(app.config, "CRM_LOGIN_MAX_FAILURES_PER_ADDRESS", 3 * LIMIT)
    return app.config


def _try(client, email: str, password: str, address: str = "192.0.2.10"):
    client.get("/login")
    return client.submit("/login", {"email": email, "password": password},
                         environ_base={"REMOTE_ADDR": address})


def test_after_too_many_wrong_passwords_the_right_one_gets_429(client, users, limits):
    for _ in range(LIMIT):
        assert _try(client, "admin@example.org", "wrong guess").status_code == 422
    r = _try(client, "admin@example.org", PASSWORD)
    assert r.status_code == 429
    assert "Too many failed logins" in r.get_data(as_text=True)
    assert 0 < int(r.headers["Retry-After"]) <= limits["CRM_LOGIN_WINDOW_MINUTES"] * 60
    assert client.get("/companies/").status_code == 302  # not logged in
    # From another address too: the account is the target.
    assert _try(client, "admin@example.org", PASSWORD, "203.0.113.5").status_code == 429


def test_the_lock_lifts_when_the_failures_leave_the_window(client, users, limits):
    for _ in range(LIMIT):
        _try(client, "staff@example.org", "wrong guess")
    assert _try(client, "staff@example.org", PASSWORD).status_code == 429
    window = timedelta(minutes=limits["CRM_LOGIN_WINDOW_MINUTES"], seconds=1)
    for attempt in db.session.scalars(select(LoginAttempt)):  # as if that long had passed
        attempt.at -= window
    db.session.commit()
    assert _try(client, "staff@example.org", PASSWORD).status_code == 302


def test_a_successful_login_clears_the_accounts_failures(client, users, limits):
    for _ in range(LIMIT - 1):
        _try(client, "bd@example.org", "wrong guess")
    assert _try(client, "bd@example.org", PASSWORD).status_code == 302
    client.get("/")  # the page with the log-out button
    client.submit("/logout")
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.email == "bd@example.org")) == 0
    assert _try(client, "bd@example.org", "wrong again").status_code == 422  # not locked


def test_one_address_trying_many_accounts_is_stopped(app, client, users, limits):
    address = "198.51.100.23"
    for i in range(3 * LIMIT):  # never the per-account limit: each e-mail tried once
        assert _try(client, f"guess{i}@example.org", "wrong guess", address).status_code == 422
    assert _try(client, "liaison@example.org", PASSWORD, address).status_code == 429
    # Someone else, elsewhere, logs in as usual.
    assert _try(app.test_client(), "liaison@example.org", PASSWORD).status_code == 302


def test_unknown_emails_are_throttled_like_real_ones(client, users, limits):
    for _ in range(LIMIT):
        r = _try(client, "nobody@example.org", "wrong guess")
        assert r.status_code == 422 and "Wrong e-mail or password." in r.get_data(as_text=True)
    assert _try(client, "nobody@example.org", "anything else").status_code == 429


def test_a_locked_user_gets_in_after_an_admin_sets_a_new_password(app, client, login, users,
                                                                  limits):
    for _ in range(LIMIT):
        _try(client, "manager@example.org", "wrong guess")
    admin = login("admin")
    url = f"/users/{users['manager'].id}/password"
    admin.get(url)
    new = "kettle harbour nineteen"
    assert admin.submit(url, {"password": new, "confirm": new}).status_code == 302
    assert _try(client, "manager@example.org", new).status_code == 302


def test_an_unknown_email_costs_the_same_password_check(client, users, monkeypatch):
    """No timing tells which e-mails have accounts: an unknown one is checked against a hash
    made the same way as users' hashes (no wall-clock figure: what runs is asserted)."""
    import crm.auth.services as services

    checked: list[str] = []
    real = services.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", spy)
    assert _try(client, "no-such-user@example.org", "wrong guess").status_code == 422
    assert _try(client, "admin@example.org", "wrong guess").status_code == 422
    assert len(checked) == 2
    unknown, known = (h.split("$", 1)[0] for h in checked)
    assert unknown == known  # same method and cost parameters (e.g. scrypt:32768:8:1)
    # A deactivated user's password is checked too, and refused.
    users["staff"].active = False
    db.session.commit()
    assert _try(client, "staff@example.org", PASSWORD).status_code == 422
    assert len(checked) == 3


@pytest.mark.parametrize("evil", [
    "/%09/evil.example", "/%0a/evil.example", "%09//evil.example", "/%5Cevil.example",
    "//evil.example", "https://evil.example/", "%20//evil.example",
    "javascript:alert(1)",
])
def test_login_next_is_checked_after_normalisation(client, users, evil):
    client.get(f"/login?next={evil}")
    r = client.submit(f"/login?next={evil}", {"email": "admin@example.org",
                                              "password": PASSWORD})
    assert r.status_code == 302, evil
    assert r.headers["Location"] == "/", evil


def test_a_nul_byte_in_next_is_refused_before_any_form(client, users):
    """A NUL in any parameter is refused as a bad request (crm/common/params.py): no login
    form is shown, so nothing can redirect anywhere."""
    r = client.get("/login?next=/%00/evil.example")
    assert r.status_code == 400
    assert "Location" not in r.headers


def test_line_breaks_in_next_cannot_split_the_answer(client, users):
    """CR/LF in next once gave a 500; now they are dropped as a browser drops them."""
    client.get("/login?next=/%0d%0aSet-Cookie:%20x=1")
    r = client.submit("/login?next=/%0d%0aSet-Cookie:%20x=1",
                      {"email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"] == "/Set-Cookie:%20x=1"  # a path on this site (a 404)
    assert all("x=1" not in c for c in r.headers.getlist("Set-Cookie"))


def test_login_next_keeps_a_path_on_the_site(client, users):
    client.get("/login?next=/companies/%3Fq%3D%E6%A0%AA")
    r = client.submit("/login?next=/companies/%3Fq%3D%E6%A0%AA",
                      {"email": "admin@example.org", "password": PASSWORD})
    assert r.headers["Location"] == "/companies/?q=%E6%A0%AA"


@pytest.mark.parametrize("path", ["/%09/evil.example", "/%0d%0a/evil.example", "/%5Cevil.example",
                                  "//evil.example/", "/%20/evil.example"])
def test_language_switch_next_is_checked_after_normalisation(login, path):
    """The language buttons post the page's own path as next: on a page opened at a crafted
    address (a 404 page renders them too) that path must not lead off the site."""
    client = login("staff")
    page = client.get("/", environ_overrides={"PATH_INFO": unquote(path)})
    assert page.status_code == 404
    fields = _hidden_fields(page.get_data(as_text=True), "/language/ja")
    assert "next" in fields and "csrf_token" in fields
    r = client.post("/language/ja", data=fields)  # exactly what the rendered form sends
    assert r.status_code == 302
    location = r.headers["Location"]
    # Home, or the crafted path read as a path of this site: never another host.
    assert location.startswith("/") and not location.startswith("//"), location
    assert not set(location) & set("\\\t\r\n ") and urlsplit(location).netloc == "", location


def _hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form with this action, as a browser would send them."""
    import html as html_lib
    import re

    form = re.search(r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', html,
                     re.S)
    assert form, f"no form for {action}"
    return {html_lib.unescape(name): html_lib.unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))}


def test_behind_a_proxy_the_client_address_and_https_are_trusted(app_from_env, monkeypatch):
    """CRM_BEHIND_PROXY=1: X-Forwarded-For is the address the throttle counts, and HTTPS at the
    proxy makes the cookie Secure and adds HSTS."""
    from flask import request

    monkeypatch.setenv("CRM_BEHIND_PROXY", "1")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    proxied = app_from_env()
    assert proxied.config["SESSION_COOKIE_SECURE"] is True
    seen = {}

    @proxied.get("/_probe")
    def _probe():
        seen.update(address=request.remote_addr, secure=request.is_secure)
        return "ok"

    r = proxied.test_client().get("/_probe", headers={"X-Forwarded-For": "203.0.113.9",
                                                      "X-Forwarded-Proto": "https"})
    assert seen == {"address": "203.0.113.9", "secure": True}
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_without_a_proxy_forwarded_headers_are_ignored(app, client):
    assert app.config["CRM_BEHIND_PROXY"] == 0
    r = client.get("/login", headers={"X-Forwarded-For": "203.0.113.9",
                                      "X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in r.headers


def test_anonymous_user_is_sent_to_login(client):
    r = client.get("/companies/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_login_with_password_and_logout(client, users):
    r = client.submit("/login", {"email": "ADMIN@example.org", "password": PASSWORD})
    assert r.status_code == 302
    assert client.get("/companies/").status_code == 200
    client.submit("/logout")
    assert client.get("/companies/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, users):
    r = client.submit("/login", {"email": "admin@example.org", "password": "not it"})
    assert r.status_code == 422
    assert "Wrong e-mail or password." in r.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, users):
    users["staff"].active = False
    db.session.commit()
    r = client.submit("/login", {"email": "staff@example.org", "password": PASSWORD})
    assert r.status_code == 422


def test_login_next_stays_on_site(client, users):
    r = client.submit("/login?next=//evil.example/", {"email": "admin@example.org",
                                                      "password": PASSWORD})
    assert r.headers["Location"] == "/"


def test_redirect_targets_stay_on_site(client, users, login):
    for evil in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        r = client.submit(f"/login?next={evil}", {"email": "admin@example.org",
                                                   "password": PASSWORD})
        assert r.headers["Location"] == "/", evil
        client.submit("/logout", page="/")
    lang = login("staff").forge("/language/ja", {"next": "/\\evil.example/"})  # a tampered next
    assert lang.headers["Location"] == "/"


def test_passwords_are_hashed(users):
    stored = db.session.scalar(select(User.password_hash).where(User.email == "admin@example.org"))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_forged_login_without_csrf_is_refused(client, users):
    r = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 400
    assert "security token" in r.get_data(as_text=True)


def test_csrf_is_on_in_the_application_under_test(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
