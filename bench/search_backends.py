"""The PostgreSQL search index (search_index/pg.py) against the Whoosh index, in one run, on
the same documents: the time to index them, match and search medians, and how far their
top 10s agree (matching uses one formula; only the candidates each finds may differ).

    .venv/bin/python bench/search_backends.py --database postgresql://…/kakehashi_large \
        [--kinds seed company] [--limit 20000]

The database must be PostgreSQL with the large demo loaded (`crm demo --scale large`); the
Whoosh index is built in a temporary folder, the PostgreSQL one under its own index name
(dropped at the end), so the app's indexes are left alone.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

from crm import create_app  # noqa: E402
from crm.config import database_url  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.search import documents  # noqa: E402
from search_index import Index  # noqa: E402
from search_index.pg import PgIndex  # noqa: E402

NEEDS = [
    "全固体電池の電解質材料と界面抵抗の低減について共同研究先を探しています",
    "工場の排熱を回収して発電に使う熱電変換材料を評価したい",
    "画像認識で農作物の病害を早期に検出するシステムの共同開発",
    "Low-cost sensors for monitoring structural health of bridges and tunnels",
    "biodegradable polymer packaging with improved barrier properties",
    "水素の貯蔵と輸送に使える吸蔵合金、安全性評価も含めて",
]
SEARCHES = ["電池", "sensor", "光", "材料 評価", "machine learning", "燃料電池"]


def timed(run, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL database URL")
    parser.add_argument("--kinds", nargs="+", default=["seed"])
    parser.add_argument("--limit", type=int, default=None, help="documents per kind at most")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(args.database),
                      "SECRET_KEY": "bench"})
    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        if db.engine.dialect.name != "postgresql":
            sys.exit("bench/search_backends.py: --database must be PostgreSQL")
        whoosh = Index.create(tmp)
        pg = PgIndex.create(db.engine, "bench")
        try:
            for kind in args.kinds:
                with Session(db.engine) as s:
                    docs = list(islice(documents(s, kind), args.limit))
                for name, ix in (("whoosh", whoosh), ("postgres", pg)):
                    started = time.perf_counter()
                    with ix.batch() as batch:
                        batch.clear(kind)
                        for id_, (fields, tags) in docs:
                            batch.upsert(kind, id_, fields, tags)
                    print(f"index {kind:8} {name:8} {len(docs):7,} documents "
                          f"{time.perf_counter() - started:7.1f} s")
            print(f"\n{'':48} {'whoosh ms':>9} {'pg ms':>8} {'pg/whoosh':>9} {'top10 same':>10}")
            for kind in args.kinds:
                for need in NEEDS:
                    row = [timed(lambda ix=ix: ix.match(need, kind=kind, limit=10), args.repeat)
                           for ix in (whoosh, pg)]
                    _line(f"match {kind} {need[:30]}", row)
            for query in SEARCHES:
                row = [timed(lambda ix=ix: ix.search(query, kinds=args.kinds, limit=10),
                             args.repeat) for ix in (whoosh, pg)]
                _line(f"search {query}", row)
        finally:
            pg.drop()
            whoosh.close()


def _line(label: str, row) -> None:
    (w_ms, w_hits), (p_ms, p_hits) = row
    w_ids = [(h.kind, h.id) for h in w_hits][:10]
    p_ids = [(h.kind, h.id) for h in p_hits][:10]
    same = len(set(w_ids) & set(p_ids))
    print(f"{label[:48]:48} {w_ms:9.1f} {p_ms:8.1f} {p_ms / w_ms if w_ms else 0:9.1f} "
          f"{same:>4}/{max(len(w_ids), 1):<5}")


if __name__ == "__main__":
    main()
