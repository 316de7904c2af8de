"""Time the main pages against the large demo database, in-process with Flask's test client.

    make demo-large          # once: instance/large.db with ~50,000 companies
    make bench               # or: .venv/bin/python bench/pages.py [--database URL-or-path]

For each page: median and 95th percentile of N requests (after a few warm-up requests), the
ratio to the bare /healthz route (the framework's own cost), and the number of SQL statements
one request runs; at the end, this process's memory (resident now and at its peak) after
every page was served. Logged in as the demo manager, who may see everything. Every list,
search, match and dashboard page is timed, against the large demo's own search index
(`--index`, default instance/index-large, which `make demo-large` builds): the bench refuses to
run on an empty index (it would time search and match finding nothing).
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

from crm import create_app  # noqa: E402
from crm.config import database_url  # noqa: E402
from crm.extensions import db  # noqa: E402

MANAGER = "manager@example.org"
#: A word found in many company names of the large set, for the filtered list.
COMMON_WORD = "工業"
#: A common family name, for the contact list's search; a common word for the search page.
CONTACT_WORD = "田中"
SEARCH_WORD = "電池"
MATCH_NEED = "全固体電池の電解質材料と界面抵抗の低減について共同研究先を探しています"
MATCH_NEED_EN = ("We are looking for a university partner on non-destructive state-of-health "
                 "diagnosis of lithium-ion batteries and fast-charging anodes")
DASHBOARDS = ("overview", "portfolios", "events", "alumni", "seeds")
#: Every other list page (the company and contact lists are timed above with their filters).
LISTS = ("/activities/", "/alumni/", "/audit/", "/collaborations/", "/donations/",
         "/duplicates/", "/events/", "/liaison/", "/liaison/mine", "/ndas/", "/requests/",
         "/research/researchers/", "/research/seeds/", "/research/departments/",
         "/screening/", "/tasks/", "/tasks/team")


def _url(database: str) -> str:
    """A path becomes a SQLite URL; URLs pass through."""
    if "://" in database:
        return database_url(database)
    return f"sqlite:///{Path(database).resolve()}"


def _refuse(message: str) -> None:
    print(f"bench/pages.py: {message}", file=sys.stderr)
    sys.exit(2)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def pages_to_measure() -> list[tuple[str, str]]:
    """(label, path) for every measured page; ids chosen from the data."""
    from crm.activities.models import Activity
    from crm.contacts.models import Contact
    from crm.research.models import seed_researchers

    busiest_company = db.session.execute(
        select(Activity.company_id, func.count())
        .group_by(Activity.company_id)
        .order_by(func.count().desc())
        .limit(1)
    ).first()
    company_id = busiest_company[0]
    contacts = db.session.scalar(select(func.count()).where(Contact.company_id == company_id))
    busiest_researcher = db.session.execute(
        select(seed_researchers.c.researcher_id, func.count())
        .group_by(seed_researchers.c.researcher_id)
        .order_by(func.count().desc())
        .limit(1)
    ).first()
    researcher_id, seeds = busiest_researcher if busiest_researcher else (1, 0)
    return [
        ("bare route /healthz", "/healthz"),
        ("bare page /me (layout, login, no data)", "/me"),
        ("home (dashboard)", "/"),
        ("companies, page 1 (default sort)", "/companies/"),
        (f"companies ?q={COMMON_WORD}", f"/companies/?q={COMMON_WORD}"),
        ("companies ?sort=renewal&dir=desc", "/companies/?sort=renewal&dir=desc"),
        (
            f"companies ?q={COMMON_WORD}&sort=renewal&dir=desc",
            f"/companies/?q={COMMON_WORD}&sort=renewal&dir=desc",
        ),
        ("companies, page 500", "/companies/?page=500"),
        (
            f"company page (#{company_id}: {busiest_company[1]} activities, {contacts} contacts)",
            f"/companies/{company_id}",
        ),
        (
            f"researcher page (#{researcher_id}: {seeds} seeds)",
            f"/research/researchers/{researcher_id}",
        ),
        ("contacts, page 1", "/contacts/"),
        (f"contacts ?q={CONTACT_WORD}", f"/contacts/?q={CONTACT_WORD}"),
        ("contacts ?q=tanaka (reading, e-mail)", "/contacts/?q=tanaka"),
        (f"search ?q={SEARCH_WORD}", f"/search/?q={SEARCH_WORD}"),
        ("search ?q=sensor", "/search/?q=sensor"),
        (f"search ?q={SEARCH_WORD} (seeds only)", f"/search/?q={SEARCH_WORD}&kind=seed"),
        ("match page (empty form)", "/search/match"),
        ("match seeds (a Japanese need)", f"/search/match?kind=seed&text={MATCH_NEED}"),
        ("match seeds (an English need)", f"/search/match?kind=seed&text={MATCH_NEED_EN}"),
        ("match companies (a Japanese need)", f"/search/match?kind=company&text={MATCH_NEED}"),
        ("match researchers (an English need)",
         f"/search/match?kind=researcher&text={MATCH_NEED_EN}"),
        *((f"list {path}", path) for path in LISTS),
        *((f"dashboard {name}", f"/reports/{name}") for name in DASHBOARDS),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=str(ROOT / "instance" / "large.db"),
        help="SQLite file or database URL (default instance/large.db)",
    )
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--only", help="only the pages whose label contains this text")
    parser.add_argument("--index", default=str(ROOT / "instance" / "index-large"),
                        help="the large demo's search index (default instance/index-large)")
    args = parser.parse_args()

    url = _url(args.database)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        _refuse(f"{parsed.database} does not exist. Make it first with `make demo-large`.")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
         "CRM_INDEX_DIR": args.index}
    )
    try:
        with app.app_context():
            companies, manager_id, pages = _check(parsed)
        _check_index(args.index)
        if args.only:
            pages = [pages[0], *(p for p in pages[1:] if args.only in p[0])]
        _run(app, args, parsed, companies, manager_id, pages)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _check_index(path: str) -> None:
    """Refuse an index without seeds or companies: search and match would find nothing."""
    from search_index import Index, IndexNotFound

    try:
        ix = Index.open(path)
        counts = {kind: ix.count(kind) for kind in ("seed", "company")}
        ix.close()
    except IndexNotFound:
        counts = {}
    if not all(counts.values()) or not counts:
        _refuse(f"the search index at {path} is empty or missing ({counts}). Build it with "
                f"`make demo-large`, or `CRM_INDEX_DIR={path} DATABASE_URL=… crm index rebuild`.")


def _memory() -> tuple[float, float]:
    """This process's resident memory now and at its peak, MiB."""
    import resource

    now = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _check(parsed) -> tuple[int, int, list[tuple[str, str]]]:
    """Refuse an empty database; else the company count, the manager's id and the pages."""
    from crm.auth.models import User
    from crm.companies.models import Company

    shown = parsed.render_as_string(hide_password=True)
    try:
        companies = db.session.scalar(select(func.count(Company.id)))
    except Exception as err:  # no schema at all
        _refuse(
            f"cannot read companies from {shown}: {err.__class__.__name__}. "
            "Run `make demo-large` first."
        )
    if not companies:
        _refuse(f"{shown} has no companies. Load the benchmark set with `make demo-large` first.")
    manager = db.session.scalar(select(User).where(User.email == MANAGER))
    if manager is None:
        _refuse(f"no user {MANAGER}: load the database with `crm demo --scale large`.")
    return companies, manager.id, pages_to_measure()


def _run(app, args, parsed, companies: int, manager_id: int, pages: list[tuple[str, str]]) -> None:
    statements: list[str] = []
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, *a: statements.append(statement),
        )
        from crm.auth.models import User
        from crm.auth.sessions import fields

        login = fields(db.session.get(User, manager_id))  # a session as the login form makes it
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(login)

    print(f"Database: {parsed.render_as_string(hide_password=True)}  ({companies:,} companies)")
    print(f"{args.requests} timed requests per page after {args.warmup} warm-up requests\n")
    results = []
    for label, path in pages:
        for _ in range(args.warmup):
            response = client.get(path)
        statements.clear()
        response = client.get(path)
        queries = len(statements)
        status = response.status_code
        size = len(response.data)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "page": label,
                "path": path,
                "status": status,
                "bytes": size,
                "median_ms": statistics.median(timings),
                "p95_ms": _percentile(timings, 95),
                "queries": queries,
            }
        )
    bare = results[0]["median_ms"]
    width = max(len(r["page"]) for r in results)
    print(
        f"{'page':<{width}}  {'median ms':>9}  {'p95 ms':>8}  {'x bare':>7}  {'queries':>7}  status"
    )
    for r in results:
        r["ratio"] = r["median_ms"] / bare if bare else 0.0
        print(
            f"{r['page']:<{width}}  {r['median_ms']:9.1f}  {r['p95_ms']:8.1f}  "
            f"{r['ratio']:7.1f}  {r['queries']:7d}  {r['status']}"
        )
    now, peak = _memory()
    print(f"\nmemory after every page: {now:,.0f} MiB resident, peak {peak:,.0f} MiB "
          "(target < 500 MiB)")
    search_ratio = max((r["ratio"] for r in results if r["page"].startswith("search ?")),
                       default=0.0)
    print(f"search page: at most {search_ratio:.1f}× the bare route (target ≤ 10×)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(
            {"pages": results, "memory_mib": {"resident": round(now), "peak": round(peak)}},
            ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
