"""Fixtures: one app and schema per run (built by the migrations), a clean database per test,
a logged-in client per role, record factories and a SQL query counter."""
from __future__ import annotations

import contextvars
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

# The tests' own dates (date.today() in a test) are the office's: the server's clock zone is
# set to the office's zone (CRM_TIMEZONE's default) for the test process. The product never relies
# on it: tests/test_office_time.py sets another zone and a clock and checks "today" and the times
# shown (crm/common/time.py).
os.environ["TZ"] = os.environ.get("CRM_TIMEZONE") or "Asia/Tokyo"
time.tzset()

from crm import create_app  # noqa: E402
from crm.auth.permissions import Role
from crm.extensions import db

PASSWORD = "correct horse battery"
_HASH = generate_password_hash(PASSWORD)  # computed once: hashing is slow on purpose


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    name = make_url(url.replace("postgres://", "postgresql://")).database or ""
    if not re.search(r"test|ci", name):
        pytest.exit(f"Refusing to run tests against database {name!r}: the suite empties it. "
                    "Use a database whose name contains 'test' or 'ci'.", returncode=2)
    return url


class Client(FlaskClient):
    """A test client that sends the CSRF token a real form would carry."""

    _token: str | None = None

    def open(self, *args: Any, **kwargs: Any):
        """Each request runs in its own context, as in a real server: its own app context, g,
        current_user and database session, not the test's."""
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Accept-Language", "en")  # tests read English unless they ask
        return contextvars.Context().run(super().open, *args, headers=headers, **kwargs)

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.get("/login", follow_redirects=True).get_data(as_text=True)
            match = re.search(r'name="csrf-token" content="([^"]+)"', page)
            assert match, "every page carries the CSRF token in a meta tag"
            self._token = match.group(1)
        return self._token

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
        """POST a form as the browser would, CSRF token included."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory):
    url = _database_url(tmp_path_factory)
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "CRM_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
        "SERVER_NAME": "localhost",
    })
    application.instance_path = str(tmp_path_factory.mktemp("instance"))
    application.test_client_class = Client
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade(directory=application.extensions["migrate"].directory)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(app) -> Iterator[None]:
    """Each test starts with empty tables."""
    with app.app_context():
        yield
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs `crm ...` commands against the test app: runner.invoke(args=["user", "create", ...])."""
    from functools import partial

    from crm.cli import main

    cli_runner = app.test_cli_runner()
    cli_runner.invoke = partial(cli_runner.invoke, main)
    return cli_runner


def make_user(role: str | list[str], email: str | None = None, name: str | None = None, **kw):
    from crm.auth.models import User

    roles = [role] if isinstance(role, str) else role
    user = User(email=email or f"{'-'.join(roles)}@example.org", name=name or f"{roles[0]} user",
                password_hash=_HASH, **kw)
    user.set_roles(roles)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def users(app) -> dict[str, Any]:
    """One user per role."""
    return {role.value: make_user(role.value) for role in Role}


@pytest.fixture
def login(app, users):
    """login("manager") -> a client logged in as that role's user."""

    def _login(role: str) -> Client:
        c = app.test_client()
        with c.session_transaction() as sess:
            sess["_user_id"] = str(users[role].id)
            sess["_fresh"] = True
        return c

    return _login


@pytest.fixture
def make_company(app):
    from crm.companies.services import save_company

    def _make(**fields: Any):
        fields.setdefault("name", "株式会社テスト")
        company = save_company(None, fields)
        db.session.commit()
        return company

    return _make


@pytest.fixture
def count_queries(app):
    """with count_queries() as n: ...; n() -> SQL statements executed inside."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        statements: list[str] = []

        def _on(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", _on)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", _on)

    return _count
