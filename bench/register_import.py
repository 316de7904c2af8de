"""Corporate-number register import: a prefecture-sized file (500,000 rows) against the large
demo, in bounded memory.

    .venv/bin/python bench/register_import.py                      # 500,000 rows, large demo
    .venv/bin/python bench/register_import.py --rows 100000 --ours 5000

Copies /work/large/large.db (or --database, a SQLite file) to a temporary folder and upgrades
its schema, then writes a register file in the published 30-column layout: rows made from the
real register rows in tests/fixtures/register/ (names, addresses and readings cycled, each row
given its own corporate number with a valid check digit), and --ours rows carrying the
corporate numbers of companies in the database (their names, some written differently, some
closed, some merged). It is written twice, UTF-8 and Shift_JIS (CP932), like the register's
"Unicode" and "Shift_JIS" downloads.

For each encoding it times `import_register` (stream, compare, flush; rolled back after) and,
as the peer in the same process, a bare pass of csv.reader over the same file (decode + split,
nothing else): rows/s of both and their ratio. Peak memory: ru_maxrss of the process, and in a
second run under tracemalloc the Python heap's peak (tracing slows every allocation, so that
run's time is not reported). The heap peak is also taken for a file a fifth the size: bounded
memory means it does not grow with the file.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "register"


def check_digit(base12: str) -> str:
    digits = base12[::-1]
    total = sum(int(d) for d in digits[0::2]) + 2 * sum(int(d) for d in digits[1::2])
    return str(9 - total % 9) + base12


def sample_rows() -> list[list[str]]:
    rows = []
    for path in sorted(FIXTURES.glob("*.csv")):
        if "sjis" in path.name:
            continue
        with open(path, encoding="utf-8", newline="") as f:
            rows.extend(list(csv.reader(f)))
    return rows


def write_file(path: Path, rows: int, ours: list[tuple[str, str]], seed: int) -> dict:
    """A register file of `rows` rows, `ours` (number, name) among them at random places."""
    rng = random.Random(seed)
    samples = sample_rows()
    ours_at = dict(zip(sorted(rng.sample(range(rows), len(ours))), ours))
    stats = {"renamed": 0, "closed": 0, "merged": 0}
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        for n in range(rows):
            row = list(samples[n % len(samples)])
            row[0] = str(n + 1)
            if n in ours_at:
                number, name = ours_at[n]
                row[1], row[2], row[23] = number, "01", "1"
                roll = rng.random()
                if roll < 0.05:
                    if name.startswith("株式会社"):    # 前株 -> 後株, and the other way
                        name = name[4:] + "株式会社"
                    elif name.endswith("株式会社"):
                        name = "株式会社" + name[:-4]
                    else:
                        name = "株式会社" + name
                    stats["renamed"] += 1
                row[6] = name
                row[18] = row[19] = row[20] = ""
                if 0.05 <= roll < 0.08:
                    row[18], row[19] = "2024-03-31", "01"
                    stats["closed"] += 1
                elif 0.08 <= roll < 0.09:
                    row[18], row[19] = "2024-03-31", "11"
                    row[20] = ours[(n * 7) % len(ours)][0]
                    stats["merged"] += 1
            else:
                row[1] = check_digit(f"{rng.randrange(10 ** 12):012d}")
                row[6] = f"{row[6]}{n}"
            out.writerow(row)
    return stats


def to_cp932(src: Path, dst: Path) -> None:
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="cp932", newline="") as g:
        shutil.copyfileobj(f, g)


def peer_pass(path: Path, encoding: str) -> tuple[int, float]:
    started = time.perf_counter()
    with open(path, encoding=encoding, newline="") as f:
        n = sum(1 for _ in csv.reader(f))
    return n, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="/work/large/large.db")
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--ours", type=int, default=10_000,
                        help="rows carrying our companies' corporate numbers")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="register-bench-"))
    db_path = work / "large.db"
    shutil.copyfile(args.database, db_path)
    os.environ["CRM_INDEX_MODE"] = "worker"  # the outbox is drained by a worker, not timed here

    from crm import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
                      "CRM_INDEX_DIR": str(work / "index"), "SECRET_KEY": "bench"})
    with app.app_context():
        from flask_migrate import upgrade
        from sqlalchemy import select

        from crm.companies.models import Company
        from crm.companies.register import import_register
        from crm.extensions import db

        upgrade(directory=app.extensions["migrate"].directory)
        held = db.session.execute(select(Company.corporate_number, Company.name)
                                  .where(Company.corporate_number.is_not(None))).all()
        rng = random.Random(args.seed)
        ours = [tuple(r) for r in rng.sample(held, min(args.ours, len(held)))]
        print(f"database: {len(held):,} companies with a corporate number; "
              f"file: {args.rows:,} rows, {len(ours):,} of them ours")

        files = {}
        for label, rows in (("full", args.rows), ("fifth", args.rows // 5)):
            utf8 = work / f"register_{label}_utf8.csv"
            stats = write_file(utf8, rows, ours,
                   args.seed)
            sjis = work / f"register_{label}_sjis.csv"
            to_cp932(utf8, sjis)
            files[label] = {"utf-8": utf8, "cp932": sjis}
            if label == "full":
                print(f"  in the file: {stats['renamed']:,} names written differently, "
                      f"{stats['closed']:,} closed, {stats['merged']:,} merged; "
                      f"{utf8.stat().st_size / 2**20:,.0f} MB UTF-8, "
                      f"{sjis.stat().st_size / 2**20:,.0f} MB CP932")

        for encoding, path in files["full"].items():
            n, peer_seconds = peer_pass(path, encoding)
            report = import_register(path)
            db.session.rollback()
            ratio = report.seconds / peer_seconds
            read_ratio = report.read_seconds / peer_seconds
            print(f"{encoding:>6}: import {report.rows:,} rows in {report.seconds:.2f} s = "
                  f"{report.rows_per_second:,.0f} rows/s ({report.matched:,} matched, "
                  f"{report.changed:,} changed, {report.to_review:,} to review, "
                  f"{report.closed:,} closed)\n"
                  f"        of which reading and checking every line {report.read_seconds:.2f} s "
                  f"= {report.rows / report.read_seconds:,.0f} rows/s, applying "
                  f"{report.seconds - report.read_seconds:.2f} s; bare csv.reader "
                  f"{n / peer_seconds:,.0f} rows/s; read / reader = {read_ratio:.1f}×, "
                  f"import / reader = {ratio:.1f}×")
        for label in ("full", "fifth"):
            report = import_register(files[label]["utf-8"], measure_memory=True)
            db.session.rollback()
            print(f"  heap peak (tracemalloc), {report.rows:,}-row file: "
                  f"{report.peak_bytes / 2**20:.1f} MB")
        print(f"  process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f}"
              f" MB (Python, the app and SQLite's cache included)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
