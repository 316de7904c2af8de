"""Import speed: N company rows (CSV) from preview (parse + plan) to commit.

    .venv/bin/python bench/import_speed.py                 # 100,000 rows, fresh SQLite file
    .venv/bin/python bench/import_speed.py --rows 20000 \
        --database-url postgresql://postgres@127.0.0.1/kakehashi_bench

Generates realistic Japanese company rows (names with 株式会社/(株), readings, industries, about
a third with a valid corporate number), then times: read (importers.read), plan (the dry run),
commit (writes through save_company, one transaction), and a second plan of the same file
against the filled database (a re-import: every row unchanged). Prints rows/s per phase and
peak memory: ru_maxrss of the process, and with --tracemalloc the peak of the Python heap
(tracing slows every allocation, so the times of that run are not comparable). The search index
is left to a worker (CRM_INDEX_MODE=worker) so the figures are the import's own; the outbox
rows it writes are counted.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PREFIX = ["東京", "大阪", "名古屋", "横浜", "京都", "神戸", "福岡", "札幌", "仙台", "広島", "北陸", "東海",
          "関西", "日本", "中央", "新", "第一", "三和", "丸", "富士", "旭", "大和", "昭和", "平成"]
CORE = ["精密", "化学", "電機", "工業", "製薬", "物産", "商事", "技研", "光学", "金属", "食品", "繊維",
        "建設", "運輸", "通信", "ソフト", "システム", "バイオ", "マテリアル", "エナジー", "ロボティクス"]
KANA = {"東京": "トウキョウ", "大阪": "オオサカ", "名古屋": "ナゴヤ", "横浜": "ヨコハマ", "京都": "キョウト",
        "神戸": "コウベ", "福岡": "フクオカ", "札幌": "サッポロ", "仙台": "センダイ", "広島": "ヒロシマ",
        "北陸": "ホクリク", "東海": "トウカイ", "関西": "カンサイ", "日本": "ニホン", "中央": "チュウオウ",
        "新": "シン", "第一": "ダイイチ", "三和": "サンワ", "丸": "マル", "富士": "フジ", "旭": "アサヒ",
        "大和": "ヤマト", "昭和": "ショウワ", "平成": "ヘイセイ", "精密": "セイミツ", "化学": "カガク",
        "電機": "デンキ", "工業": "コウギョウ", "製薬": "セイヤク", "物産": "ブッサン", "商事": "ショウジ",
        "技研": "ギケン", "光学": "コウガク", "金属": "キンゾク", "食品": "ショクヒン", "繊維": "センイ",
        "建設": "ケンセツ", "運輸": "ウンユ", "通信": "ツウシン", "ソフト": "ソフト", "システム": "システム",
        "バイオ": "バイオ", "マテリアル": "マテリアル", "エナジー": "エナジー", "ロボティクス": "ロボティクス"}
INDUSTRIES = ["電気機器", "化学", "医薬品", "機械", "情報・通信業", "卸売業", "食料品", "建設業",
              "精密機器", "輸送用機器", "サービス業"]


def corporate_number(base: int) -> str:
    digits = f"{base:012d}"
    total = sum(int(ch) * (1 if n % 2 else 2) for n, ch in enumerate(reversed(digits), start=1))
    return f"{9 - total % 9}{digits}"


def make_csv(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["会社名", "フリガナ", "法人番号", "業種", "所在地"])
    for i in range(rows):
        p, c = rng.choice(PREFIX), rng.choice(CORE)
        form = rng.choice(["株式会社{}", "{}株式会社", "(株){}", "{}(株)", "有限会社{}"])
        # A serial keeps names distinct, as in a real register (one row per company).
        name = form.format(f"{p}{c}{i:05d}")
        number = corporate_number(1_000_000_000 + i * 7) if rng.random() < 0.35 else ""
        writer.writerow([name, f"{KANA[p]}{KANA[c]}{i:05d}", number, rng.choice(INDUSTRIES),
                         f"{rng.choice(PREFIX)}市{rng.randint(1, 9)}-{rng.randint(1, 30)}"])
    return out.getvalue().encode("utf-8")



def fresh_app(prefix: str, database_url: str | None):
    """The app on an empty, migrated database (a new SQLite file in a temporary folder, or
    the PostgreSQL database named, which must have "bench" in its name: its schema is
    dropped), index updates left to a worker; (app, that folder)."""
    os.environ["CRM_INDEX_MODE"] = "worker"
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    from flask_migrate import upgrade
    from sqlalchemy import text

    from crm import create_app
    from crm.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CRM_INDEX_DIR": str(workdir / "index"),
                      "CRM_INDEX_MODE": "worker"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            if "bench" not in (db.engine.url.database or ""):
                sys.exit("Refusing: the PostgreSQL database name must contain 'bench'.")
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
    return app, workdir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="Default: a new SQLite file in a temp directory. "
                        "A PostgreSQL database is emptied first (its name must contain 'bench').")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="Also trace the Python heap's peak (slower).")
    args = parser.parse_args()

    app, workdir = fresh_app("import_bench_", args.database_url)
    from sqlalchemy import func, select

    from crm.extensions import db

    with app.app_context():

        from crm.common.services import unit_of_work
        from crm.companies.models import Company
        from crm.imports import services
        from crm.outbox import IndexOutbox

        data = make_csv(args.rows)
        print(f"{args.rows:,} company rows, {len(data) / 1e6:.1f} MB CSV; database "
              f"{db.engine.dialect.name}")
        if args.tracemalloc:
            tracemalloc.start()
        timings = {}

        started = time.perf_counter()
        parsed = services.read_file(data, "bench.csv", "companies")
        timings["read (parse)"] = time.perf_counter() - started

        started = time.perf_counter()
        the_plan = services.plan(parsed, "companies", "update")
        timings["plan (dry run)"] = time.perf_counter() - started
        counts = the_plan.counts()
        del the_plan
        db.session.rollback()

        started = time.perf_counter()
        with unit_of_work("bench"):
            summary = services.commit(parsed, "companies", "update")
        timings["commit"] = time.perf_counter() - started
        db.session.remove()

        started = time.perf_counter()
        again = services.plan(services.read_file(data, "bench.csv", "companies"), "companies",
                              "update").summary()
        timings["re-import dry run"] = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        tracemalloc.stop()

        companies = db.session.scalar(select(func.count()).select_from(Company))
        outbox = db.session.scalar(select(func.count()).select_from(IndexOutbox))
        print(f"plan: {counts}")
        print(f"commit: created {summary['created']:,}, rejected {len(summary['rejected']):,}; "
              f"companies in the database {companies:,}; outbox rows {outbox:,}")
        print(f"re-import: created {again['created']}, updated {again['updated']}, "
              f"unchanged {again['unchanged']:,}")
        for phase, seconds in timings.items():
            print(f"  {phase:<20} {seconds:8.1f} s  {args.rows / seconds:10,.0f} rows/s")
        total = timings["read (parse)"] + timings["plan (dry run)"] + timings["commit"]
        print(f"  {'preview + commit':<20} {total:8.1f} s  {args.rows / total:10,.0f} rows/s")
        traced = f"tracemalloc peak {peak / 1e6:,.0f} MB; " if peak is not None else ""
        print(f"peak memory: {traced}ru_maxrss "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
