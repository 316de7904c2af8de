"""Search-index speed on the large demo set (30,000 research seeds).

Builds the index from the database the way `crm index rebuild` does (into a temporary
directory; the database is opened read-only and not changed), then measures:

- full rebuild of the seed documents (documents per second; `--kinds` adds others);
- a match for a ~100-word need (`Index.match(need, kind="seed", limit=10)`), median and p95;
- an upsert visible to search: upsert a seed, then search for a word only it has;
- how many of the exhaustive top 10 (every seed scored on every term) the fast match finds;
- the same needs against SQLite FTS5 over the same seed text in the same run (the analyzer's
  terms stored space-separated, ranked by FTS5's bm25, LIMIT 10), once ORing every term of
  the need and once ORing only the terms our match reads postings for; ratios ours / FTS5.

    make demo-large        # once: instance/large.db
    .venv/bin/python bench/search_speed.py [--database instance/large.db] [--needs 200]
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search_index import Index, term_list
from search_index.matching import CANDIDATE_TERMS, MU_SCALE, POSTINGS_BUDGET

ENGLISH = ["We", "are", "looking", "for", "a", "university", "partner", "for", "joint", "research.", "Our", "business", "unit", "wants", "to", "reduce", "cost", "and", "improve", "reliability", "of", "the", "products", "we", "sell", "to", "automotive", "and", "electronics", "customers,", "and", "we", "hope", "to", "start", "a", "pilot", "within", "a", "year.", "Please", "tell", "us", "which", "laboratory", "could", "evaluate", "the", "materials,", "the", "manufacturing", "process", "and", "the", "sensors,", "and", "whether", "students", "could", "join", "the", "project."]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def make_needs(seeds: list[tuple[int, str]], count: int, rng: random.Random) -> list[str]:
    """Needs of about 100 words: a few seeds' text (Japanese and English) and an English
    cover letter, the way a pasted call for proposals or e-mail looks."""
    needs = []
    for _ in range(count):
        parts: list[str] = []
        words = 0
        while words < 60:
            text = rng.choice(seeds)[1]
            parts.append(text)
            words += len(term_list(text))
        start = rng.randrange(0, len(ENGLISH) - 40)
        parts.append(" ".join(ENGLISH[start:start + 40]))
        needs.append("\n".join(parts))
    return needs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=str(ROOT / "instance" / "large.db"),
                        help="SQLite file (opened read-only) or a database URL")
    parser.add_argument("--needs", type=int, default=200, help="needs to time")
    parser.add_argument("--index", type=Path,
                        help="reuse the seed index already built in this directory")
    parser.add_argument("--kinds", default="seed",
                        help="kinds to rebuild, comma-separated (seed is always timed)")
    parser.add_argument("--recall-needs", type=int, default=20,
                        help="needs also scored exhaustively, to measure the shortcut's recall")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    if "://" in args.database:
        url = args.database
    else:
        path = Path(args.database).resolve()
        if not path.exists():
            print(f"No database at {path}: run `make demo-large` first.", file=sys.stderr)
            return 2
        url = f"sqlite:///file:{path}?mode=ro&uri=true"

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from crm import create_app, search
    from crm.extensions import db
    from crm.research.models import ResearchSeed

    figures: dict[str, object] = {}
    tmp = str(args.index) if args.index else tempfile.mkdtemp(prefix="kakehashi-index-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CRM_INDEX_DIR": tmp})
    with app.app_context():
        with Session(db.engine) as s:
            n_seeds = s.scalar(select(func.count(ResearchSeed.id)))
            if not n_seeds:
                print("The database holds no research seeds.", file=sys.stderr)
                return 2
        kinds = ["seed"] + [k for k in args.kinds.split(",") if k and k != "seed"]
        print(f"database: {url}\nindex: {tmp}")
        if args.index and Index.open(tmp).count("seed"):
            ix = Index.open(tmp)
            done = {}
        else:
            ix = Index.create(tmp)
            done = search.rebuild(kinds, ix=ix, outbox=False)
        for kind, (count, seconds) in done.items():
            print(f"rebuild {kind:<11}{count:>8,} docs {seconds:>7.1f} s "
                  f"{count / seconds:>8,.0f} docs/s")
        figures["rebuild"] = {k: {"documents": n, "seconds": round(t, 2),
                                  "docs_per_s": round(n / t)} for k, (n, t) in done.items()}

        with Session(db.engine) as s:
            seeds = [(i, "\n".join(p for p in (t, a, k) if p)) for i, t, a, k in s.execute(
                select(ResearchSeed.id, ResearchSeed.title, ResearchSeed.abstract,
                       ResearchSeed.keywords).order_by(ResearchSeed.id))]

    rng = random.Random(7)
    needs = make_needs(seeds, args.needs + 10, rng)
    need_terms = statistics.mean(len(term_list(n)) for n in needs)
    need_words = statistics.mean(len(n.split()) for n in needs)

    # -- match latency ---------------------------------------------------------------------
    ours = []
    for n, need in enumerate(needs):
        started = time.perf_counter()
        hits = ix.match(need, kind="seed", limit=10)
        _ = [h.terms for h in hits]  # the page shows why
        if n >= 10:
            ours.append((time.perf_counter() - started) * 1000)
    print(f"needs: {len(ours)}, {need_terms:.0f} analyzer terms, "
          f"{need_words:.0f} space-separated words on average")
    print(f"match (ours)   median {statistics.median(ours):6.1f} ms   "
          f"p95 {percentile(ours, 0.95):6.1f} ms")
    # What the shortcut costs in quality: the top 10 against scoring every seed on every term.
    recall = []
    for need in needs[10:10 + args.recall_needs]:
        fast = {h.id for h in ix.match(need, kind="seed", limit=10)}
        exact = {h.id for h in ix.match(need, kind="seed", limit=None)[:10]}
        recall.append(len(fast & exact) / max(1, len(exact)))
    print(f"recall@10 against exhaustive scoring ({len(recall)} needs): "
          f"{statistics.mean(recall):.3f}")

    # -- upsert visible to search -------------------------------------------------------------
    visible = []
    for n in range(30):
        token = f"zqx{n}probe"
        started = time.perf_counter()
        ix.upsert("seed", 10_000_000 + n, {"title": f"benchmark probe {token}", "text": "x"})
        found = ix.search(token, kinds=["seed"], limit=1)
        visible.append((time.perf_counter() - started) * 1000)
        assert found and found[0].id == 10_000_000 + n, "an upsert must be searchable at once"
    print(f"upsert → visible to search   median {statistics.median(visible):6.1f} ms   "
          f"p95 {percentile(visible, 0.95):6.1f} ms")

    # -- SQLite FTS5 over the same text --------------------------------------------------------
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE seeds USING fts5(body, tokenize='unicode61')")
    started = time.perf_counter()
    con.executemany("INSERT INTO seeds(rowid, body) VALUES (?, ?)",
                    ((i, " ".join(term_list(t))) for i, t in seeds))
    con.commit()
    fts_build = time.perf_counter() - started
    con.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(seeds, 'row')")
    vocab = {term: (docs, count) for term, docs, count in
             con.execute("SELECT term, doc, cnt FROM vocab")}
    total_terms = sum(c for _, c in vocab.values())
    mu = MU_SCALE * total_terms / len(seeds)

    def chosen(need: str) -> list[str]:
        """The terms our match reads postings for, by FTS5's own counts (same rule)."""
        counts: dict[str, int] = {}
        for t in term_list(need):
            counts[t] = counts.get(t, 0) + 1
        known = [t for t in counts if t in vocab]
        known.sort(key=lambda t: -(1 + math.log(counts[t]))
                   * math.log1p(total_terms / (mu * vocab[t][1])))
        picked, postings = [], 0
        for t in known:
            if picked and (len(picked) >= CANDIDATE_TERMS
                           or postings + vocab[t][0] > POSTINGS_BUDGET):
                break
            picked.append(t)
            postings += vocab[t][0]
        return picked

    def fts_time(make_query) -> list[float]:
        times = []
        for n, need in enumerate(needs):
            started = time.perf_counter()
            query = " OR ".join(f'"{t}"' for t in make_query(need))
            con.execute("SELECT rowid FROM seeds WHERE seeds MATCH ? ORDER BY rank LIMIT 10",
                        (query,)).fetchall()
            if n >= 10:
                times.append((time.perf_counter() - started) * 1000)
        return times

    fts = fts_time(lambda need: dict.fromkeys(term_list(need)))
    fts_same = fts_time(chosen)
    print(f"match (FTS5, OR of every term)   median {statistics.median(fts):6.1f} ms   "
          f"p95 {percentile(fts, 0.95):6.1f} ms   (FTS5 build {len(seeds) / fts_build:,.0f} docs/s)")
    print(f"match (FTS5, OR of our chosen terms)   median {statistics.median(fts_same):6.1f} ms   "
          f"p95 {percentile(fts_same, 0.95):6.1f} ms")
    ratio = statistics.median(ours) / statistics.median(fts)
    ratio_same = statistics.median(ours) / statistics.median(fts_same)
    print(f"ratio ours / FTS5 (median): {ratio:.2f}× against every term, "
          f"{ratio_same:.2f}× against the same terms")
    print("target: match p95 < 100 ms")
    figures.update({
        "seeds": len(seeds), "need_terms": round(need_terms), "need_words": round(need_words),
        "match_ms": {"median": round(statistics.median(ours), 1),
                     "p95": round(percentile(ours, 0.95), 1)},
        "upsert_visible_ms": {"median": round(statistics.median(visible), 1),
                              "p95": round(percentile(visible, 0.95), 1)},
        "fts5_ms": {"median": round(statistics.median(fts), 1),
                    "p95": round(percentile(fts, 0.95), 1)},
        "fts5_same_terms_ms": {"median": round(statistics.median(fts_same), 1),
                               "p95": round(percentile(fts_same, 0.95), 1)},
        "ratio_ours_fts5": round(ratio, 2), "ratio_ours_fts5_same_terms": round(ratio_same, 2),
        "recall_at_10": round(statistics.mean(recall), 3),
    })
    ix.close()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
