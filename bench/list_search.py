"""The company and contact lists, with and without a typed search, on the large demo: median
and p95 against the bare /healthz route in the same run, and the SQL statements per request.

    .venv/bin/python bench/list_search.py [--database instance/large.db | postgresql://...]

Searches of three characters or more are served by a trigram index (SQLite FTS5, PostgreSQL
pg_trgm); shorter ones scan the narrow search-text index, at most SEARCH_COUNT_CAP + 1
matches (crm/common/textsearch.py). The texts below cover both, in Japanese and Latin
letters, common and rare, and one that matches nothing (the worst case: a full scan for a
short text, an empty index lookup for a long one).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pages as base  # noqa: E402  (bench/pages.py: the app, the login and the timing loop)
from crm import create_app  # noqa: E402
from crm.extensions import db  # noqa: E402

PAGES = [
    ("bare route /healthz", "/healthz"),
    ("companies, page 1", "/companies/"),
    ("companies ?q=工業 (2 chars, common)", "/companies/?q=工業"),
    ("companies ?q=化学工業 (4 chars)", "/companies/?q=化学工業"),
    ("companies ?q=(株)テック (legal form)", "/companies/?q=(株)テック"),
    ("companies ?q=ｶﾞｸ (half-width reading)", "/companies/?q=ｶﾞｸ"),
    ("companies ?q=kyo (Latin, 3)", "/companies/?q=kyo"),
    ("companies ?q=zq (2 chars, no match)", "/companies/?q=zq"),
    ("companies ?q=zqxw (4 chars, no match)", "/companies/?q=zqxw"),
    ("companies ?q=工業&sort=renewal&dir=desc", "/companies/?q=工業&sort=renewal&dir=desc"),
    ("contacts, page 1", "/contacts/"),
    ("contacts ?q=田中 (2 chars, common)", "/contacts/?q=田中"),
    ("contacts ?q=田中 太郎 (name, space)", "/contacts/?q=田中 太郎"),
    ("contacts ?q=たなか (hiragana reading)", "/contacts/?q=たなか"),
    ("contacts ?q=tanaka (Latin, e-mail)", "/contacts/?q=tanaka"),
    ("contacts ?q=example.com (e-mail)", "/contacts/?q=example.com"),
    ("contacts ?q=山 (1 char)", "/contacts/?q=山"),
    ("contacts ?q=zq (2 chars, no match)", "/contacts/?q=zq"),
    ("contacts ?q=zqxw (4 chars, no match)", "/contacts/?q=zqxw"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=str(ROOT / "instance" / "large.db"),
                        help="SQLite file or database URL (default instance/large.db)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--only", help="only the pages whose label contains this text")
    args = parser.parse_args()
    url = base._url(args.database)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        base._refuse(f"{parsed.database} does not exist. Make it first with `make demo-large`.")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    try:
        with app.app_context():
            companies, manager_id, _ = base._check(parsed)
        pages = PAGES
        if args.only:
            pages = [PAGES[0], *(p for p in PAGES[1:] if args.only in p[0])]
        base._run(app, args, parsed, companies, manager_id, pages)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
