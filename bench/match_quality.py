"""Match quality on a public gold standard of reviewer expertise (Stelmakh et al., 2023).

58 researchers rated their own expertise (1–5) in papers they had read. Each researcher's 20
most recent papers (title + abstract; papers without either are skipped, as in the dataset's
own preparation) become one `researcher` document; each rated paper's title + abstract is a
need text, scored against every researcher with `Index.match`. The loss: for each researcher,
every pair of rated papers with different ratings, weighted by the rating gap, counts as wrong
when the scores order the pair the other way and half when they tie; divided by the total
weight (lower is better; 0.5 is chance). Published figures on titles and abstracts: TF-IDF
(TPMS) 0.28, SPECTER 0.27, SPECTER+MFR 0.24; plain BM25 about 0.33.

    .venv/bin/python bench/match_quality.py [--data DIR] [--dump scores.json] [--mu-scales 1,2,3]
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_index import Index, matching

DEFAULT_DATA = Path("/work/shared/data/expert_finding/goldstandard_reviewer_paper_match/data")
PROFILE_PAPERS = 20


def load(data: Path):
    papers: dict[str, dict | None] = {}

    def paper(pid: str) -> dict | None:
        if pid not in papers:
            path = data / "papers" / f"{pid}.json"
            papers[pid] = json.loads(path.read_text()) if path.exists() else None
        return papers[pid]

    ratings: dict[str, dict[str, float]] = {}
    with open(data / "evaluations.csv", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            ratings[row["ParticipantID"]] = {
                row[f"Paper{i}"]: float(row[f"Expertise{i}"])
                for i in range(1, 11) if row.get(f"Paper{i}")
            }
    profiles: dict[str, str] = {}
    for researcher in ratings:
        info = json.loads((data / "participants" / f"{researcher}.json").read_text())
        own = []
        for pid in sorted({p["paperId"] for p in info["papers"]}):
            p = paper(pid)
            if p and p.get("title") and p.get("abstract") and p.get("year"):
                own.append((p["year"], pid, p))
        # Most recent first; ties broken by paper id so every run builds the same profiles.
        own.sort(key=lambda x: (-x[0], x[1]))
        profiles[researcher] = "\n\n".join(f"{p['title']}\n{p['abstract']}"
                                           for _, _, p in own[:PROFILE_PAPERS])
    needs = {}
    for rated in ratings.values():
        for pid in rated:
            p = paper(pid) or {}
            needs[pid] = f"{p.get('title') or ''}\n{p.get('abstract') or ''}"
    return ratings, profiles, needs


def loss(scores: dict[str, dict[str, float]], ratings: dict[str, dict[str, float]]) -> float:
    wrong = total = 0.0
    for researcher, rated in ratings.items():
        for p1, p2 in combinations(list(rated), 2):
            true_diff = rated[p1] - rated[p2]
            pred_diff = scores[researcher][p1] - scores[researcher][p2]
            total += abs(true_diff)
            if pred_diff * true_diff == 0:
                wrong += abs(true_diff) / 2
            elif pred_diff * true_diff < 0:
                wrong += abs(true_diff)
    return wrong / total


def score_all(ix: Index, ratings, needs, scoring: str) -> tuple[dict, float]:
    scores: dict[str, dict[str, float]] = {r: {} for r in ratings}
    wanted: dict[str, list[str]] = {}
    for researcher, rated in ratings.items():
        for pid in rated:
            wanted.setdefault(pid, []).append(researcher)
    started = time.perf_counter()
    for pid, researchers in wanted.items():
        hits = {str(h.id): h.score
                for h in ix.match(needs[pid], kind="researcher", limit=None, scoring=scoring)}
        for researcher in researchers:
            # A researcher sharing no word with the paper ranks below every one that does.
            scores[researcher][pid] = hits.get(researcher, -1e9)
    return scores, (time.perf_counter() - started) / len(wanted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the dataset's data/ folder")
    parser.add_argument("--dump", type=Path, help="write {researcher_id: {paper_id: score}}")
    parser.add_argument("--mu-scales", default="",
                        help="also print the loss for these Dirichlet μ scales (e.g. 1,1.5,2,3): "
                             "how much the one tuned parameter matters")
    args = parser.parse_args(argv)
    if not (args.data / "evaluations.csv").exists():
        print(f"No gold standard at {args.data}", file=sys.stderr)
        return 2
    ratings, profiles, needs = load(args.data)
    with tempfile.TemporaryDirectory() as tmp, Index.create(tmp) as ix:
        with ix.batch() as batch:
            for researcher, text in profiles.items():
                batch.upsert("researcher", int(researcher), {"text": text})
        ours, ours_ms = score_all(ix, ratings, needs, "lm")
        bm25, bm25_ms = score_all(ix, ratings, needs, "bm25")
        sensitivity = {}
        for scale in [float(x) for x in args.mu_scales.split(",") if x.strip()]:
            default, matching.MU_SCALE = matching.MU_SCALE, scale
            try:
                sensitivity[scale] = loss(score_all(ix, ratings, needs, "lm")[0], ratings)
            finally:
                matching.MU_SCALE = default
    pairs = sum(1 for r in ratings.values() for a, b in combinations(list(r), 2) if r[a] != r[b])
    print(f"gold standard: {len(ratings)} researchers, {len(needs)} rated papers, "
          f"{pairs} pairs with different ratings")
    print(f"{'method':<34}{'loss':>8}{'ms/need':>10}")
    print(f"{'Index.match (LM, Dirichlet NLLR)':<34}{loss(ours, ratings):>8.4f}{ours_ms * 1000:>10.1f}")
    print(f"{'plain BM25 (OR of every word)':<34}{loss(bm25, ratings):>8.4f}{bm25_ms * 1000:>10.1f}")
    for scale, value in sensitivity.items():
        label = f"  same, μ = {scale:g} × mean doc length"
        print(f"{label:<34}{value:>8.4f}")
    print("published (titles+abstracts): TPMS 0.28, SPECTER 0.27, SPECTER+MFR 0.24; target < 0.24")
    if args.dump:
        args.dump.write_text(json.dumps(ours, indent=1, sort_keys=True))
        print(f"scores written to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
