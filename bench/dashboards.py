"""Time the report dashboards against the large demo database, in-process with Flask's test client.

    DATABASE_URL=sqlite:////tmp/large.db crm init && DATABASE_URL=sqlite:////tmp/large.db crm demo --scale large
    .venv/bin/python bench/dashboards.py --database /tmp/large.db [--requests 20]

For each dashboard (and one chart's CSV): median and 95th percentile server time of N requests
after a warm-up, the median CPU time of this process (which serves the request and, on SQLite,
runs the queries: on a busy machine wall time waits for a core, CPU time does not), and the
number of SQL statements one request runs. Logged in as the demo
manager, who sees every chart (donations included).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import MANAGER, _percentile, _refuse, _url  # noqa: E402

from crm import create_app  # noqa: E402
from crm.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=str(ROOT / "instance" / "large.db"),
                        help="SQLite file or database URL (default instance/large.db)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first")
    parser.add_argument("--lang", default="ja", help="Accept-Language of the requests")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()

    url = _url(args.database)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        _refuse(f"{parsed.database} does not exist; build it with `crm demo --scale large`.")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    from crm.auth.models import User
    from crm.companies.models import Company
    from crm.reports.dashboards import DASHBOARDS

    statements: list[str] = []
    with app.app_context():
        companies = db.session.scalar(select(func.count(Company.id)))
        manager = db.session.scalar(select(User.id).where(User.email == MANAGER))
        if not companies or manager is None:
            _refuse("the database has no companies or no demo manager: load the large set.")
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *a: statements.append(statement))
        from crm.auth.sessions import fields

        login = fields(db.session.get(User, manager))  # a session as the login form makes it
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(login)

    pages = [(name, f"/reports/{name}") for name in DASHBOARDS]
    pages.append(("overview CSV (monthly)", "/reports/overview.csv?chart=monthly"))
    headers = {"Accept-Language": args.lang}
    print(f"Database: {parsed.render_as_string(hide_password=True)}  ({companies:,} companies)")
    print(f"{args.requests} timed requests per dashboard after {args.warmup} warm-up\n")
    results = []
    for label, path in pages:
        for _ in range(args.warmup):
            client.get(path, headers=headers)
        statements.clear()
        response = client.get(path, headers=headers)
        queries = len(statements)
        timings, cpu = [], []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        results.append({"dashboard": label, "path": path, "status": response.status_code,
                        "bytes": len(response.data), "median_ms": statistics.median(timings),
                        "p95_ms": _percentile(timings, 95),
                        "cpu_median_ms": statistics.median(cpu), "queries": queries})
    width = max(len(r["dashboard"]) for r in results)
    print(f"{'dashboard':<{width}}  {'median ms':>9}  {'p95 ms':>8}  {'cpu ms':>7}  "
          f"{'queries':>7}  {'kB':>6}  status")
    for r in results:
        print(f"{r['dashboard']:<{width}}  {r['median_ms']:9.1f}  {r['p95_ms']:8.1f}  "
              f"{r['cpu_median_ms']:7.1f}  {r['queries']:7d}  {r['bytes'] / 1024:6.0f}  "
              f"{r['status']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
