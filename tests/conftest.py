"""Fixtures: one app and schema per run (built by the migrations), a clean database per test,
a logged-in client per role, the company factory and a fair as fixtures (the factories
themselves are in tests/factories.py), a SQL query counter and the checks built on it, and an
app configured from the environment."""
from __future__ import annotations

import contextvars
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event as sql_event
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.datastructures import MultiDict

# The tests' own dates (date.today() in a test) are the office's: the server's clock zone is
# set to the office's zone (CRM_TIMEZONE's default) for the test process. The product never relies
# on it: tests/test_office_time.py sets another zone and a clock and checks "today" and the times
# shown (crm/common/time.py).
os.environ["TZ"] = os.environ.get("CRM_TIMEZONE") or "Asia/Tokyo"
time.tzset()

from crm import create_app  # noqa: E402
from crm.auth.permissions import Role
from crm.extensions import db
from tests.factories import PASSWORD, make_fair, make_user
from tests.factories import make_company as _make_company
from tests.forms import Page, swap, trigger_of
from tests.search_backends import BACKENDS, Backend

__all__ = ["PASSWORD", "make_user"]  # imported from here by tests written before factories.py


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
    """A test client that sends only what a browser could: `submit` posts a form the client
    found on a page it opened, as rendered (hidden fields and CSRF token included) plus what the
    test types; `forge` is the one way to post something no page rendered."""

    #: the last HTML page this client received (after redirects), the page "the user is on"
    page: Page | None = None

    def open(self, *args: Any, **kwargs: Any):
        """Each request runs in its own context, as in a real server: its own app context, g,
        current_user and database session, not the test's."""
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Accept-Language", "en")  # tests read English unless they ask
        response = contextvars.Context().run(super().open, *args, headers=headers, **kwargs)
        if (response.mimetype == "text/html" and not 300 <= response.status_code < 400
                and response.request.method != "HEAD"
                and not any(k.lower() == "hx-request" for k in headers)):
            request = response.request
            url = request.path + (f"?{request.query_string.decode()}" if request.query_string
                                  else "")
            self.page = Page(url, response.get_data(as_text=True), response.status_code)
        elif (response.mimetype == "text/html" and response.status_code == 200
              and self.page is not None and "HX-Target" in headers):
            # htmx swaps the fragment into the page the user is on (e.g. more form fields)
            request = response.request
            asked = trigger_of(self.page.html, request.path, headers["HX-Target"])
            self.page.html = swap(self.page.html, headers["HX-Target"],
                                  response.get_data(as_text=True), asked.get("hx-swap", ""),
                                  asked.get("hx-select"))
        return response

    def submit(self, url: str, data: dict[str, Any] | None = None, *, page: str | None = None,
               files: dict[str, Any] | None = None, button: str | None = None, **kwargs: Any):
        """Post the form whose action is `url`, as the browser sends it.

        The form is read from `page` (GET it first), else from the last page this client
        received, else from GETting `url` itself. Everything the form renders is sent as rendered
        (hidden fields, the CSRF token, selected options, ticked boxes, the first submit button
        or the one named by `button=`: its name, value or label); `data` and `files` then set
        what a user types, ticks, chooses or attaches, and may only name fields the form has.
        No token is ever added: a form rendered without its token fails with 400.
        """
        wanted = {**(data or {}), **(files or {})}
        looked: list[str] = []
        forms = self._forms_on(page, url, wanted, looked) if page is not None else []
        if page is None and self.page is not None:
            forms = self._forms_on(None, url, wanted, looked)
        if page is None and not forms:
            forms = self._forms_on(url, url, wanted, looked)
        assert forms, (f"no <form method=post> sending to {url} on {' or '.join(looked)}: "
                       "a user cannot submit a form the page does not show")
        form = forms[0]
        clicked = form.fill(wanted, button=button)
        fields = form.data(clicked)
        headers = dict(kwargs.pop("headers", None) or {})
        if form.hx:
            headers.setdefault("HX-Request", "true")
            headers.update(self.page.parse().hx_headers if self.page else {})
        return self.post(form.action, data=fields, headers=headers, **kwargs)

    def _forms_on(self, open_url: str | None, url: str, wanted: dict[str, Any],
                  looked: list[str]) -> list[Any]:
        """The POST forms sending to `url` on the page at `open_url` (GET it), or on the page the
        client is on (`open_url` None)."""
        if open_url is not None:
            response = self.get(open_url, follow_redirects=True)
            if response.mimetype != "text/html":
                looked.append(f"{open_url} ({response.status_code}, {response.mimetype})")
                return []
        assert self.page is not None
        looked.append(f"{self.page.url} ({self.page.status})")
        return self.page.candidates(url, wanted)

    def forge(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
        """POST what no form rendered: for hostile and permission tests only (a user replaying a
        request for a page their role cannot open, a tampered field, a request without a form).

        It sends `data` as given plus the CSRF token this user really holds: the one in the meta
        tag of the last page they opened, else of their own account page (or the login page). It
        never makes a token up, so a test of the CSRF check itself posts with `post`.
        """
        token = self.page.csrf_meta if self.page is not None else None
        if token is None:
            self.get("/me", follow_redirects=True)
            token = self.page.csrf_meta if self.page is not None else None
        assert token, "the user's pages carry their CSRF token in a meta tag"
        fields = MultiDict(data or {})
        fields.setdefault("csrf_token", token)
        return self.post(url, data=fields, **kwargs)


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
    """Each test starts with empty tables, and with no one named as the acting user (a test's
    set_actor() would otherwise sign the next test's rows with a user id that no longer exists)."""
    from crm.audit.services import set_actor

    with app.app_context():
        yield
        set_actor(None, "system")
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


def log_in_as(client: Client, user) -> Client:
    """Give the client the session a login of this user makes (crm/auth/sessions.py)."""
    from crm.auth.sessions import fields

    with client.session_transaction() as sess:
        sess.update(fields(user))
    return client


@pytest.fixture
def users(app) -> dict[str, Any]:
    """One user per role."""
    return {role.value: make_user(role.value) for role in Role}


@pytest.fixture
def login(app, users):
    """login("manager") -> a client logged in as that role's user."""

    def _login(role: str) -> Client:
        return log_in_as(app.test_client(), users[role])

    return _login


@pytest.fixture(params=BACKENDS)
def own_index(app, tmp_path, request):
    """This test's own empty search index (the app's is shared by the whole run and outlives
    each test's tables); the app's comes back afterwards. On PostgreSQL each test using it
    runs twice: on the Whoosh index and on the database's (search_index/pg.py)."""
    before = app.extensions.get("search_index")
    ix = Backend(request.param).create(tmp_path / "index")
    app.extensions["search_index"] = ix
    yield ix
    ix.close()
    if request.param == "postgres":
        ix.drop()
    if before is not None:
        app.extensions["search_index"] = before
    else:
        app.extensions.pop("search_index", None)


@pytest.fixture
def app_from_env(tmp_path):
    """app_from_env(**config) -> a new app configured from the environment as `crm serve` would
    be (monkeypatch.setenv first), on its own SQLite file and index under tmp_path."""

    def _create(**config: Any):
        return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                           "SECRET_KEY": "x", "CRM_INDEX_DIR": str(tmp_path / "ix"), **config})

    return _create


@pytest.fixture
def make_company(app):
    """make_company(**fields) -> a company saved through the service (tests/factories.py)."""
    return _make_company


@pytest.fixture
def event(app):
    """A fair running now, from yesterday to tomorrow: the event the fair form offers."""
    return make_fair()


@pytest.fixture
def count_queries(app):
    """with count_queries() as n: ...; n() -> SQL statements executed inside."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        statements: list[str] = []

        def _on(conn, cursor, statement, *args):
            statements.append(statement)

        sql_event.listen(db.engine, "before_cursor_execute", _on)
        try:
            yield lambda: len(statements)
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", _on)

    return _count


def _counted_get(count_queries, client: Client, url: str) -> tuple[int, str]:
    """GET url (it must open): the SQL statements it ran and the page's text."""
    with count_queries() as n:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_data(as_text=True)
    return n(), body


@pytest.fixture
def queries_do_not_grow(count_queries):
    """queries_do_not_grow(client, url, add) -> the page's text: GET url runs as many SQL
    statements after add(20) as after add(2) (a list page does not query once per row)."""

    def _check(client: Client, url: str, add) -> str:
        add(2)
        few, _ = _counted_get(count_queries, client, url)
        add(20)
        many, body = _counted_get(count_queries, client, url)
        assert few == many
        return body

    return _check


@pytest.fixture
def same_queries(count_queries):
    """same_queries(client, url, larger_url) -> larger_url's text: the page of a record with
    more behind it (contacts, history, donations) runs as many SQL statements as url's."""

    def _check(client: Client, url: str, larger_url: str) -> str:
        small, _ = _counted_get(count_queries, client, url)
        large, body = _counted_get(count_queries, client, larger_url)
        assert small == large
        return body

    return _check
