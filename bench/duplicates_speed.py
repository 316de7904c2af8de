"""How long finding likely duplicates takes on the large demo set (50,000 companies,
250,000 contacts), and how many pairs it finds.

    DATABASE_URL=sqlite:////tmp/large_dup.db .venv/bin/crm init
    DATABASE_URL=sqlite:////tmp/large_dup.db .venv/bin/crm demo --scale large
    .venv/bin/python bench/duplicates_speed.py --database /tmp/large_dup.db [--runs 3]

Each run reads the key columns and finds the pairs from scratch (the page's cache is off);
then one cached call (what the list page costs while nothing changed) is timed too. The
database is only read. Also prints peak memory of the process and the pairs per reason.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=str(ROOT / "instance" / "large.db"),
                        help="SQLite file of the large demo set, or a database URL")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--show", type=int, default=5, help="print this many pairs per kind")
    args = parser.parse_args()
    url = args.database if "://" in args.database else f"sqlite:///{args.database}"

    from crm import create_app
    from crm.companies.models import Company
    from crm.contacts.models import Contact
    from crm.duplicates import services
    from crm.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        for kind, model in (("companies", Company), ("contacts", Contact)):
            times, result = [], None
            for _ in range(args.runs):
                db.session.expire_all()
                started = time.perf_counter()
                result = services.find_all(kind, use_cache=False)
                times.append(time.perf_counter() - started)
            assert result is not None
            services.find_all(kind)  # fills the cache
            started = time.perf_counter()
            services.find_all(kind)
            cached = time.perf_counter() - started
            strengths = Counter(p.strength for p in result.pairs)
            reasons = Counter(r for p in result.pairs for r in p.reasons)
            print(f"{kind}: {result.records:,} records, {len(result.pairs):,} pairs "
                  f"({strengths['certain']:,} certain, {strengths['likely']:,} likely)")
            print(f"  find from scratch: median {statistics.median(times):.2f} s, "
                  f"min {min(times):.2f} s over {args.runs} runs; cached: {cached * 1000:.1f} ms")
            print(f"  pairs per reason: {dict(reasons.most_common())}")
            if result.skipped:
                print(f"  blocks skipped as too common: {result.skipped}")
            ids = [i for p in result.pairs[:args.show] for i in p.key]
            names = {}
            if ids:
                if kind == "companies":
                    names = dict(db.session.execute(
                        db.select(Company.id, Company.name).where(Company.id.in_(ids))).all())
                else:
                    names = {r.id: f"{r.family_name} {r.given_name or ''}".strip()
                             for r in db.session.execute(
                                 db.select(Contact.id, Contact.family_name, Contact.given_name)
                                 .where(Contact.id.in_(ids)))}
            for p in result.pairs[:args.show]:
                print(f"    {p.strength:7} #{p.first_id} {names.get(p.first_id)} / "
                      f"#{p.second_id} {names.get(p.second_id)}: {', '.join(p.reasons)} "
                      f"{p.details}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
