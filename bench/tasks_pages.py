"""Time the task pages against a demo database, in-process with Flask's test client.

    .venv/bin/python bench/tasks_pages.py [--database URL-or-path] [--runs 30]

My tasks for the user with the most open tasks, the managers' team view, that user's calendar
feed, each against /account (a logged-in page with nothing of its own: the framework, session
and layout cost) measured in the same process: median, 95th percentile, ratio of medians and
the SQL statements one request runs. The database must be at migration 0014 or later.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm import create_app  # noqa: E402
from crm.auth.models import User  # noqa: E402
from crm.auth.sessions import fields  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.tasks import calendar  # noqa: E402
from crm.tasks.models import Task  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    config = {"CRM_LOG_LEVEL": "WARNING"}
    if args.database:
        config["SQLALCHEMY_DATABASE_URI"] = (args.database if "://" in args.database
                                             else f"sqlite:///{Path(args.database).resolve()}")
    app = create_app(config)
    with app.app_context():
        busiest, count = db.session.execute(
            select(Task.owner_id, func.count(Task.id)).where(Task.status == "open")
            .group_by(Task.owner_id).order_by(func.count(Task.id).desc()).limit(1)).one()
        user = db.session.get(User, busiest)
        manager = db.session.scalar(select(User).where(User.email == "manager@example.org"))
        with app.test_request_context():
            # The feed needs a link: the bench makes one (it ends the user's earlier link).
            if not user.calendar_key:
                calendar.reset(user)
                db.session.commit()
            token = calendar.token_for(user)
        sessions = {"user": fields(user), "manager": fields(manager)}
    statements: list[int] = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a: statements.__setitem__(0, statements[0] + 1))

    def client(who: str | None):
        c = app.test_client()
        if who:
            with c.session_transaction() as s:
                s.update(sessions[who])
        return c

    def measure(c, url: str) -> tuple[float, float, int]:
        for _ in range(3):
            assert c.get(url).status_code == 200, url
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            c.get(url)
            times.append((time.perf_counter() - start) * 1000)
        statements[0] = 0
        c.get(url)
        return statistics.median(times), statistics.quantiles(times, n=20)[-1], statements[0]

    print(f"{user.name}: {count} open tasks; {args.runs} requests each")
    base = measure(client("user"), "/account")
    print(f"{'/account':16} median {base[0]:7.1f} ms  p95 {base[1]:7.1f} ms  "
          f"{base[2]:3} SQL  (the reference)")
    for label, who, url in [("/tasks/", "user", "/tasks/"),
                            ("/tasks/team", "manager", "/tasks/team"),
                            ("/me/tasks.ics", None, f"/me/tasks.ics?token={token}")]:
        median, p95, sql = measure(client(who), url)
        print(f"{label:16} median {median:7.1f} ms  p95 {p95:7.1f} ms  {sql:3} SQL  "
              f"{median / base[0]:5.1f}x /account")
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
