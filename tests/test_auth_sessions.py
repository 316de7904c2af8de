"""Sessions that end: logout, a password change or reset, deactivation and a role taken away end
every session of the user (a copied cookie stops working); idle and absolute timeouts; the
Account page (own password) and the admin's "set a new password" page."""
from __future__ import annotations

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "lantern orchard quietly"


def _log_in(client, email: str, password: str = PASSWORD, **kwargs):
    client.get("/login")
    return client.submit("/login", {"email": email, "password": password}, **kwargs)


def _is_logged_in(client) -> bool:
    r = client.get("/companies/")
    assert r.status_code in (200, 302)
    return r.status_code == 200


def _copy(client, app):
    """Another browser holding a copy of this client's session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    thief.set_cookie(cookie.key, cookie.value, domain="localhost")
    return thief


def test_a_cookie_copied_before_logout_stops_working_after_it(app, client, users):
    assert _log_in(client, "liaison@example.org").status_code == 302
    thief = _copy(client, app)
    assert _is_logged_in(thief)  # the copy works while the session lives ...
    client.get("/")  # the page with the log-out button
    client.submit("/logout")
    assert not _is_logged_in(client)
    # ... and not after logout, from this address or any other.
    assert not _is_logged_in(thief)
    r = thief.get("/companies/", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_logout_ends_the_users_sessions_on_every_device(app, users):
    laptop, phone = app.test_client(), app.test_client()
    _log_in(laptop, "bd@example.org")
    _log_in(phone, "bd@example.org")
    other_user = _log_in(app.test_client(), "staff@example.org")
    assert other_user.status_code == 302
    phone.get("/")
    phone.submit("/logout")
    assert not _is_logged_in(laptop)
    # Logging in again works, with a session of its own.
    assert _log_in(laptop, "bd@example.org").status_code == 302
    assert _is_logged_in(laptop)


def test_logout_leaves_other_users_logged_in(app, users):
    mine, theirs = app.test_client(), app.test_client()
    _log_in(mine, "bd@example.org")
    _log_in(theirs, "staff@example.org")
    mine.get("/")
    mine.submit("/logout")
    assert _is_logged_in(theirs)


def test_a_session_without_the_users_token_is_refused(app, users):
    """A cookie that names a user but not their current session token (made before the
    upgrade, or forged with a leaked key of old) logs nobody in."""
    old_style = app.test_client()
    with old_style.session_transaction() as sess:
        sess["_user_id"] = str(users["admin"].id)
        sess["_fresh"] = True
    assert not _is_logged_in(old_style)


def test_an_idle_session_ends(app, login):
    client = login("staff")
    assert _is_logged_in(client)
    idle = app.config["CRM_SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as sess:  # as if the user left the tab this long ago
        sess["_seen"] -= idle + 5
        sess["_since"] -= idle + 5
    r = client.get("/companies/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert "Your session has ended" in client.get("/login").get_data(as_text=True)


def test_a_busy_session_still_ends_after_the_maximum_age(app, login):
    client = login("staff")
    max_age = app.config["CRM_SESSION_MAX_HOURS"] * 3600
    with client.session_transaction() as sess:  # logged in long ago, active a minute ago
        sess["_since"] -= max_age + 5
        sess["_seen"] -= 60
    assert not _is_logged_in(client)


def test_activity_keeps_a_session_alive(app, login):
    client = login("staff")
    idle = app.config["CRM_SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as sess:
        sess["_seen"] -= idle - 120  # two minutes left
        sess["_since"] -= idle - 120
    assert _is_logged_in(client)
    with client.session_transaction() as sess:
        assert sess["_seen"] > sess["_since"]  # the request counted as activity


def test_timeouts_come_from_the_environment(monkeypatch, app_from_env):
    monkeypatch.setenv("CRM_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("CRM_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    other = app_from_env()
    assert other.config["CRM_SESSION_IDLE_MINUTES"] == 30
    assert other.config["CRM_SESSION_MAX_HOURS"] == 8
    assert other.config["SESSION_COOKIE_SECURE"] is True
    assert other.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_a_bad_setting_is_named(monkeypatch, app_from_env):
    import pytest

    monkeypatch.setenv("CRM_SESSION_IDLE_MINUTES", "two hours")
    # one loader reads every CRM_* setting (crm/config.py) and names the one it cannot use
    with pytest.raises(ValueError,
                       match="CRM_SESSION_IDLE_MINUTES='two hours' in the environment cannot"):
        app_from_env()


# --- the Account page: the user's own password -------------------------------------------------

def test_user_changes_own_password_and_other_sessions_end(app, users):
    here, elsewhere = app.test_client(), app.test_client()
    _log_in(here, "manager@example.org")
    _log_in(elsewhere, "manager@example.org")
    page = here.get("/account")
    assert page.status_code == 200 and "Change your password" in page.get_data(as_text=True)
    r = here.submit("/account", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                 "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    assert "Your password has been changed" in here.get("/account").get_data(as_text=True)
    assert _is_logged_in(here)  # this browser stays logged in
    assert not _is_logged_in(elsewhere)  # the other one is logged out
    db.session.expire_all()
    user = db.session.get(User, users["manager"].id)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.entity == "users", AuditEntry.entity_id == user.id,
        AuditEntry.action == "update"))
    assert entry.actor == "manager@example.org"
    assert entry.changes == {"password": [None, "changed by the user"]}
    assert PASSWORD not in str(entry.changes) and NEW_PASSWORD not in str(entry.changes)
    # The old password no longer logs in, the new one does.
    assert _log_in(app.test_client(), "manager@example.org").status_code == 422
    assert _log_in(app.test_client(), "manager@example.org", NEW_PASSWORD).status_code == 302


def test_changing_own_password_needs_the_current_one(login, users):
    client = login("liaison")
    client.get("/account")
    r = client.submit("/account", {"current_password": "not my password",
                                   "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 422
    assert "That is not your current password." in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, users["liaison"].id).check_password(PASSWORD)
    assert _is_logged_in(client)


def test_a_weak_or_mistyped_new_password_is_refused_with_the_reason(login, users):
    client = login("liaison")
    cases = [
        ("short pw 1", "short pw 1", "Use at least 12 characters."),
        ("password1234", "password1234", "list of common passwords"),
        ("liaison-at-work-2026", "liaison-at-work-2026", "e-mail address or its name part"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two new passwords differ."),
        (PASSWORD, PASSWORD, "same as the current one"),
    ]
    for new, again, message in cases:
        client.get("/account")
        r = client.submit("/account", {"current_password": PASSWORD, "new_password": new,
                                       "confirm": again})
        assert r.status_code == 422, new
        assert message in r.get_data(as_text=True), new
    db.session.expire_all()
    assert db.session.get(User, users["liaison"].id).check_password(PASSWORD)


def test_account_page_in_japanese(login):
    body = login("staff").get("/account", headers={"Accept-Language": "ja"}).get_data(
        as_text=True)
    assert "パスワードの変更" in body and "現在のパスワード" in body


def test_old_me_address_shows_the_account_page(login):
    assert "Change your password" in login("staff").get("/me").get_data(as_text=True)


# --- an administrator sets a new password ------------------------------------------------------

def test_admin_sets_a_new_password_for_a_user_who_forgot(app, login, users):
    researcher = app.test_client()
    _log_in(researcher, "researcher@example.org")
    admin = login("admin")
    edit = admin.get(f"/users/{users['researcher'].id}/edit").get_data(as_text=True)
    assert f"/users/{users['researcher'].id}/password" in edit  # the way to the page
    url = f"/users/{users['researcher'].id}/password"
    admin.get(url)
    r = admin.submit(url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    assert not _is_logged_in(researcher)  # whoever had the account's session is out
    assert _is_logged_in(admin)
    assert _log_in(app.test_client(), "researcher@example.org", NEW_PASSWORD).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.entity == "users", AuditEntry.entity_id == users["researcher"].id,
        AuditEntry.action == "update"))
    assert entry.actor == "admin@example.org"
    assert entry.changes == {"password": [None, "set by an administrator"]}


def test_admin_password_page_applies_the_policy_and_is_for_admins(login, users):
    url = f"/users/{users['staff'].id}/password"
    assert login("manager").get(url).status_code == 403
    admin = login("admin")
    admin.get(url)
    r = admin.submit(url, {"password": "staff@example.org", "confirm": "staff@example.org"})
    assert r.status_code == 422
    assert "e-mail address or its name part" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, users["staff"].id).check_password(PASSWORD)


def test_admin_setting_own_password_stays_logged_in(login, users):
    admin = login("admin")
    url = f"/users/{users['admin'].id}/password"
    admin.get(url)
    assert admin.submit(url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert _is_logged_in(admin)


# --- deactivation and roles taken away ---------------------------------------------------------

def test_taking_a_role_away_ends_the_users_sessions(app, login):
    from tests.factories import make_user

    user = make_user(["liaison", "bd"], email="two-hats@example.org", name="Two Hats")
    theirs = app.test_client()
    _log_in(theirs, "two-hats@example.org")
    admin = login("admin")
    url = f"/users/{user.id}/edit"
    admin.get(url)
    r = admin.submit(url, {"email": user.email, "name": user.name, "roles": ["liaison"],
                           "active": "y"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == {"liaison"}
    assert not _is_logged_in(theirs)


def test_editing_a_name_leaves_the_users_sessions_alone(app, login, users):
    theirs = app.test_client()
    _log_in(theirs, "staff@example.org")
    admin = login("admin")
    url = f"/users/{users['staff'].id}/edit"
    admin.get(url)
    r = admin.submit(url, {"email": "staff@example.org", "name": "事務 さくら",
                           "roles": ["staff"], "active": "y"})
    assert r.status_code == 302
    assert _is_logged_in(theirs)


def test_deactivating_a_user_ends_their_sessions(app, users):
    """Through the service the user form calls (unticking "active" on the page)."""
    from crm.auth.services import update_user

    theirs = app.test_client()
    _log_in(theirs, "bd@example.org")
    user = db.session.get(User, users["bd"].id)
    token = user.session_token
    update_user(user, email=user.email, name=user.name, roles=["bd"], active=False)
    db.session.commit()
    assert user.session_token != token
    assert not _is_logged_in(theirs)
    user.active = True  # reactivated: the old cookie still does not come back
    db.session.commit()
    assert not _is_logged_in(theirs)
