"""The navbar's quick search (/quick) on a demo database, against the bare /healthz route.

    make demo-large                                   # once: instance/large.db
    .venv/bin/python bench/quick_search.py [--database PATH] [--requests N]

In-process with Flask's test client, logged in as the demo manager (who may see every kind):
the median and 95th percentile of N requests per query (after 2 warm-up requests), the ratio to
/healthz, and the SQL statements one request runs (one per kind, whatever the data). Queries:
Japanese names and readings in hiragana, katakana and half-width katakana, an English name,
text no record has, and a 100-character input. Target: every median under 100 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm import create_app  # noqa: E402
from crm.extensions import db  # noqa: E402

QUERIES = ["田中", "たなか", "タナカ", "ﾀﾅｶ", "イビデン", "kyocera", "Yusuke", "電池", "すずき いちろう",
           "存在しない名前xyz", "あ" * 100]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=str(ROOT / "instance" / "large.db"))
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    url = args.database if "://" in args.database else f"sqlite:///{Path(args.database).resolve()}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    statements: list[str] = []
    with app.app_context():
        from crm.auth.models import User, UserRole
        from crm.auth.sessions import fields

        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *a: statements.append(statement))
        manager = db.session.scalar(select(User).join(UserRole)
                                    .where(UserRole.role == "manager").order_by(User.id).limit(1))
        login = fields(manager)
    client = app.test_client()
    with client.session_transaction() as s:
        s.update(login)
    print(f"database: {url}   load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'route':<40} {'median ms':>9} {'p95 ms':>7} {'x bare':>7} {'queries':>7} {'hits':>5}")
    bare = None
    for path in ["/healthz", *(f"/quick?q={q}" for q in QUERIES)]:
        for _ in range(2):
            client.get(path)
        statements.clear()
        response = client.get(path)
        queries = len(statements)
        hits = response.get_data(as_text=True).count('class="dropdown-item quick-option"') - (
            1 if path != "/healthz" else 0)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        median = statistics.median(timings)
        p95 = sorted(timings)[int(len(timings) * 0.95) - 1]
        bare = bare or median
        label = path if len(path) < 40 else path[:36] + "…"
        print(f"{label:<40} {median:9.1f} {p95:7.1f} {median / bare:7.1f} {queries:7d} "
              f"{max(hits, 0):5d}  {response.status_code}")


if __name__ == "__main__":
    main()
