"""Logging in, users and roles, language, the audit trail, the command line and the schema."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.auth.permissions import Role
from crm.companies.models import Company
from crm.extensions import db
from tests.conftest import PASSWORD


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


def test_passwords_are_hashed(users):
    stored = db.session.scalar(select(User.password_hash).where(User.email == "admin@example.org"))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_forged_login_without_csrf_is_refused(client, users):
    r = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 400
    assert "security token" in r.get_data(as_text=True)


def test_csrf_is_on_in_the_application_under_test(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_only_admins_manage_users(login):
    assert login("manager").get("/users/").status_code == 403
    admin = login("admin")
    r = admin.submit("/users/new", {"email": "new@example.org", "name": "新人 花子",
                                    "roles": ["liaison", "bd"], "password": "a-long-password"})
    assert r.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.roles == {"liaison", "bd"}
    assert user.check_password("a-long-password")


def test_user_form_rejects_duplicate_email_and_short_password(login):
    admin = login("admin")
    r = admin.submit("/users/new", {"email": "manager@example.org", "name": "Dup",
                                    "roles": ["staff"], "password": "short"})
    assert r.status_code == 422
    assert db.session.scalar(select(func.count(User.id))) == len(Role)  # one per role: none added


def test_admin_cannot_remove_own_admin_role(login, users):
    admin = login("admin")
    me = users["admin"]
    r = admin.submit(f"/users/{me.id}/edit", {"email": me.email, "name": me.name,
                                              "roles": ["staff"], "active": "y"})
    assert r.status_code == 422
    db.session.expire_all()
    assert "admin" in db.session.get(User, me.id).roles


def test_language_switch_changes_the_interface_and_is_remembered(login, users):
    client = login("liaison")
    client.get("/companies/", headers={"Accept-Language": "ja"})  # the browser asks for Japanese
    r = client.submit("/language/en")  # the "English" button of the page the user is on
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/companies/"
    assert "Companies" in client.get("/companies/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, users["liaison"].id).locale == "en"
    client.submit("/language/ja")
    body = client.get("/companies/").get_data(as_text=True)
    assert "企業" in body and 'lang="ja"' in body


def test_dates_and_money_follow_the_locale(app):
    from datetime import date

    from flask_babel import force_locale

    from crm.web import _date, _money

    with app.test_request_context():
        with force_locale("en"):
            assert _date(date(2026, 4, 1)) == "1 Apr 2026"
            assert _money(1500000, "JPY") == "¥1,500,000"
        with force_locale("ja"):
            assert _date(date(2026, 4, 1)) == "2026年4月1日"
            assert _money(1500000, "JPY") == "￥1,500,000"


def test_audit_trail_page_is_for_managers_and_admins(login, make_company):
    make_company(name="Audited K.K.")
    assert login("liaison").get("/audit/").status_code == 403
    body = login("manager").get("/audit/?entity=companies").get_data(as_text=True)
    assert "Audited K.K." in body


def test_failed_request_writes_nothing(login, make_company):
    """A refused form rolls back everything, audit rows included."""
    make_company(name="Original")
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    login("liaison").submit("/companies/new", {"name": "", "status": "prospect"})
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before


def test_cli_user_create(runner):
    result = runner.invoke(args=["user", "create", "--email", "cli@example.org", "--name", "CLI 太郎",
                                 "--role", "manager", "--role", "liaison",
                                 "--password", "orchard lantern 7"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "cli@example.org"))
    assert user.roles == {"manager", "liaison"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "users"))
    assert entry.actor == "cli"


def test_cli_user_create_prompts_for_password(runner):
    result = runner.invoke(args=["user", "create", "--email", "p@example.org", "--name", "P",
                                 "--role", "staff"], input="prompted-pass\nprompted-pass\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "p@example.org")).check_password(
        "prompted-pass")


def test_cli_user_create_refuses_bad_input(runner, users):
    result = runner.invoke(args=["user", "create", "--email", "admin@example.org", "--name", "X",
                                 "--role", "staff", "--password", "long-enough-pw"])
    assert result.exit_code == 1
    assert "already exists" in result.output
    bad_role = runner.invoke(args=["user", "create", "--email", "x@example.org", "--name", "X",
                                   "--role", "boss", "--password", "long-enough-pw"])
    assert bad_role.exit_code == 2


def test_cli_init_is_safe_to_run_twice(runner):
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.output


def test_migrations_match_the_models(app):
    """The schema the migrations build is the schema the models declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_database_rejects_invalid_values(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    db.session.add(Company(name="X", name_folded="x", status="bankrupt", country="JP"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_healthz_is_public(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_redirect_targets_stay_on_site(client, users, login):
    for evil in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        r = client.submit(f"/login?next={evil}", {"email": "admin@example.org",
                                                   "password": PASSWORD})
        assert r.headers["Location"] == "/", evil
        client.submit("/logout", page="/")
    lang = login("staff").forge("/language/ja", {"next": "/\\evil.example/"})  # a tampered next
    assert lang.headers["Location"] == "/"
