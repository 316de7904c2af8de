"""My work, the company timeline and the e-mail digest on the large demo database.

    make demo-large                          # once: instance/large.db (~50,000 companies)
    .venv/bin/python bench/my_work.py [--database PATH] [--requests N] [--users 200]

Pages, in-process with Flask's test client: the median of N requests per page and role, the
ratio to the bare /healthz route, and the SQL statements one request runs (the count must not
grow with the data). Each page is timed twice over: wall-clock, and the CPU time of the
request's thread (SQLite runs in the same thread), which other work on a shared machine
disturbs far less. The bare route is timed first, in a block of its own, as every page after
it (timing it between a page's requests would let the page's garbage land on it). Then `crm notify digest` for --users users, every one of them daily, sent to
an SMTP server started here (aiosmtpd, a test extra): seconds and e-mails sent. Everything runs on
a copy of the database (the original is left as it was).
"""
from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

from crm import create_app  # noqa: E402
from crm.companies.models import Company  # noqa: E402
from crm.extensions import db  # noqa: E402


def _app(path: Path, **extra):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False, **extra})


def _role_user(role: str) -> int | None:
    from crm.auth.models import User, UserRole

    return db.session.scalar(select(User.id).join(UserRole).where(UserRole.role == role)
                             .order_by(User.id).limit(1))


def _busiest_company() -> tuple[int, int]:
    from crm.activities.models import Activity

    return tuple(db.session.execute(
        select(Activity.company_id, func.count()).group_by(Activity.company_id)
        .order_by(func.count().desc()).limit(1)).one())


def pages(app, requests: int) -> None:
    from crm.auth.models import User
    from crm.auth.sessions import fields

    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *a: statements.append(statement))
        company_id, activities = _busiest_company()
        busiest_officer = db.session.scalar(
            select(Company.officer_id).where(Company.id == company_id))
        logins = {role: _role_user(role) for role in
                  ("manager", "bd", "export_control", "researcher", "liaison")}
        if busiest_officer:
            logins["liaison"] = busiest_officer
        sessions = {role: fields(db.session.get(User, uid)) for role, uid in logins.items()
                    if uid}
    rows = [("bare route /healthz", "manager", "/healthz")]
    rows += [(f"My work (/) as {role}", role, "/") for role in sessions]
    rows += [(f"company page #{company_id} ({activities} activities)", "manager",
              f"/companies/{company_id}"),
             ("its timeline, page 1", "manager", f"/timeline/company/{company_id}"),
             ("its timeline, page 40", "manager", f"/timeline/company/{company_id}?page=40"),
             ("its timeline, activities only", "manager",
              f"/timeline/company/{company_id}?kind=activity")]
    clients = {}
    for role, login in sessions.items():
        client = app.test_client()
        with client.session_transaction() as s:
            s.update(login)
        client.get("/")  # the visit mark, once per session
        clients[role] = client
    print(f"{'page':<44} {'median ms':>9} {'x bare':>7} {'CPU ms':>7} {'x bare':>7} "
          f"{'queries':>7}  status")
    bare = bare_cpu = None
    for label, role, path in rows:
        client = clients[role]
        for _ in range(2):
            client.get(path)
        statements.clear()
        status = client.get(path).status_code
        queries = len(statements)
        timings, cpu = [], []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.thread_time()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        median, median_cpu = statistics.median(timings), statistics.median(cpu)
        bare, bare_cpu = bare or median, bare_cpu or median_cpu
        print(f"{label:<44} {median:9.1f} {median / bare:7.1f} {median_cpu:7.2f} "
              f"{median_cpu / bare_cpu:7.1f} {queries:7d}  {status}")


def digest(copy: Path, users: int) -> None:
    from aiosmtpd.controller import Controller

    from crm.auth.models import User
    from crm.notify import digest as notify

    class Count:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            Count.received += 1
            return "250 OK"

    with socket.socket() as probe:  # a free port (aiosmtpd checks the one it is given)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    app = _app(copy, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="bench@example.org")
    try:
        with app.app_context():
            existing = db.session.execute(select(User).order_by(User.id)).scalars().all()
            for i in range(max(0, users - len(existing))):
                model = existing[i % len(existing)]
                clone = User(email=f"bench{i}@example.org", name=f"Bench {i}",
                             password_hash=model.password_hash, locale=model.locale)
                clone.set_roles(model.roles)
                db.session.add(clone)
            db.session.execute(User.__table__.update().values(digest="daily"))
            db.session.commit()
            total = db.session.scalar(select(func.count(User.id)))
            started = time.perf_counter()
            outcome = notify.run(echo=lambda _line: None)
            seconds = time.perf_counter() - started
        print(f"\ncrm notify digest: {total} users, {len(outcome.sent)} e-mails sent "
              f"({Count.received} received), {outcome.skipped} with nothing to send, "
              f"{len(outcome.failed)} failed, in {seconds:.1f} s "
              f"({seconds / max(1, total) * 1000:.0f} ms a user)")
    finally:
        controller.stop()
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    logging.disable(logging.INFO)  # one log line per request would drown the figures
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=str(ROOT / "instance" / "large.db"))
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    path = Path(args.database)
    if not path.exists():
        print(f"bench/my_work.py: {path} does not exist; make it with `make demo-large`.",
              file=sys.stderr)
        sys.exit(2)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.db"  # the visit marks and the digest's writes go here
        shutil.copyfile(path, copy)
        app = _app(copy)
        try:
            pages(app, args.requests)
        finally:
            with app.app_context():
                db.engine.dispose()
        digest(copy, args.users)


if __name__ == "__main__":
    main()
