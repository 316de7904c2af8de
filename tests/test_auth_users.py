"""Users and their roles: only admins manage them, on the page or with `crm user create`."""
from __future__ import annotations

from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.auth.permissions import Role
from crm.extensions import db


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
