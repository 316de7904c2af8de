"""What the literature adds to a language model, tried on the reviewer-expertise gold standard.

bench/match_quality.py measures the index's own `match` (and the options it has). This script
tries the other ideas without building them into the index first: the same analyzer terms
(search_index.analysis), the same researcher documents and needs, the same loss and the same
tune / held-out halves, scored here with numpy over a term-count matrix. Its first row, the
index's NLLR at μ = 2, reproduces match_quality.py's to the fourth decimal.

Families (each row: tune / held-out / whole; lower is better):
- the NLLR's μ and the need's title weight (as match_quality.py);
- query-term weights: idf, need reduced to its top terms by tf·idf, clarity weights, raw or
  binary counts, words the collection lacks counted in the normaliser;
- smoothing: Jelinek–Mercer; a larger background model (the dataset's 2,911 other papers);
- per-need score normalisation (z-score, minus or plus the mean over researchers, the need
  scored against itself);
- the document likelihood mixed in (matching.DOC_LIKELIHOOD);
- pseudo-relevance feedback (RM3: the first pass's top k researchers, their top m terms at
  weight λ), alone and with the document likelihood, or from the top k profile papers;
- field weights on the document side (the profile papers' titles counted again);
- passages: each profile paper scored alone, the researcher by max / mean / top 3 / soft max;
- English word pairs as extra terms.
The document length prior is the same for every paper a researcher rated, so it cannot change
this loss. Settings are chosen on the tune half only; the last line names the tune half's best
row over every family and its held-out loss.

    .venv/bin/python bench/match_variants.py [--data DIR]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from match_quality import DEFAULT_DATA, halves, load, loss  # noqa: E402

from search_index.analysis import terms  # noqa: E402


def bag(text: str, pairs: bool = False) -> Counter:
    """A text's analyzer terms counted; with `pairs`, adjacent English words as one more term."""
    spans = list(terms(text))
    counts = Counter(t.text for t in spans)
    if pairs:
        for a, b in zip(spans, spans[1:]):
            gap = text[a.end:b.start]
            if len(gap) <= 3 and not set(gap) & set(".\n") and (a.text + b.text).isascii():
                counts[f"{a.text}_{b.text}"] += 1
    return counts


class Collection:
    """The researcher documents as a term-count matrix, with their per-paper parts."""

    def __init__(self, profiles: dict[str, Counter], titles: dict[str, Counter],
                 papers: dict[str, list[Counter]], background: Counter):
        self.ids = sorted(profiles, key=lambda r: (len(r), r))
        self.vocab: dict[str, int] = {}
        for r in self.ids:
            for t in profiles[r]:
                self.vocab.setdefault(t, len(self.vocab))
        self.M = self._matrix([profiles[r] for r in self.ids])
        self.T = self._matrix([titles[r] for r in self.ids])
        self.owner = np.array([i for i, r in enumerate(self.ids) for _ in papers[r]])
        self.P = self._matrix([p for r in self.ids for p in papers[r]])
        self.lens, self.cf = self.M.sum(1), self.M.sum(0)
        self.L, self.N = self.cf.sum(), len(self.ids)
        self.df = (self.M > 0).sum(0)
        total = sum(background.values()) or 1
        words = {j: t for t, j in self.vocab.items()}
        self.p_bg = np.array([background.get(words[j], 0) / total for j in range(len(words))])

    def _matrix(self, bags: list[Counter]) -> np.ndarray:
        m = np.zeros((len(bags), len(self.vocab)))
        for i, b in enumerate(bags):
            for t, c in b.items():
                if t in self.vocab:
                    m[i, self.vocab[t]] = c
        return m

    def need(self, counts: Counter, weighting: str = "log") -> tuple[np.ndarray, np.ndarray,
                                                                       np.ndarray, float]:
        """(term ids, weights, counts) of the need's known terms, and its unknown terms' weight."""
        idx, w, raw, unknown = [], [], [], 0.0
        for t, n in counts.items():
            weight = {"log": 1 + math.log(n), "raw": n, "binary": 1.0}[weighting]
            j = self.vocab.get(t)
            if j is None:
                unknown += weight
                continue
            idx.append(j)
            w.append(weight)
            raw.append(n)
        return np.array(idx, dtype=int), np.array(w), np.array(raw, dtype=float), unknown

    def nllr(self, idx, w, mu_scale=2.0, matrix=None, p_t=None, unknown=0.0) -> np.ndarray:
        """The index's score (matching.py) of every row of `matrix` (the researchers); μ is
        `mu_scale` × the mean length of those rows; `unknown` adds to the normaliser Σw."""
        m = self.M if matrix is None else matrix
        lens = m.sum(1)
        mu = mu_scale * lens.mean()
        p_t = self.cf[idx] / self.L if p_t is None else p_t
        return (np.log1p(m[:, idx] / (mu * p_t)) @ w / (w.sum() + unknown)
                + np.log(mu / (lens + mu)))

    def doc_likelihood(self, idx, counts, need_mu=1.0) -> np.ndarray:
        mu_q = need_mu * counts.sum()
        return (self.M[:, idx] @ np.log1p(counts / (mu_q * self.cf[idx] / self.L))) / self.lens

    def feedback(self, first: np.ndarray, idx, w, k: int, m: int, lam: float, source=None):
        """RM3: the need's weights mixed with the top m terms of the first pass's top k
        documents (rows of `source`, the researchers unless given; weighted by their query
        likelihood); (term ids, weights summing to 1)."""
        source = self.M if source is None else source
        top = np.argsort(-first)[:k]
        z = first[top] * w.sum()
        pi = np.exp(z - z.max())
        rel = ((pi / pi.sum())[:, None] * (source[top] / source[top].sum(1)[:, None])).sum(0)
        chosen = np.argsort(-rel)[:m]
        q = np.zeros(len(self.vocab))
        q[idx] = (1 - lam) * w / w.sum()
        q[chosen] += lam * rel[chosen] / rel[chosen].sum()
        j = np.flatnonzero(q)
        return j, q[j]


def variants(c: Collection):
    """(family, label, function of (need counts by part) -> scores per researcher)."""
    def need_of(parts, tw=1, weighting="log"):
        title, abstract = parts
        counts = Counter({t: n * tw for t, n in title.items()})
        counts.update(abstract)
        return c.need(counts, weighting)

    def nllr(mu=2.0, tw=1, idf=0.0, unknown=False, weighting="log", top=None, clarity=None):
        def score(parts):
            idx, w, raw, unk = need_of(parts, tw, weighting)
            if idf:
                w = w * np.log((c.N + 1) / c.df[idx]) ** idf
            if top:
                keep = np.argsort(-w * np.log((c.N + 1) / c.df[idx]))[:top]
                idx, w = idx[keep], w[keep]
            if clarity:
                w = np.maximum(np.log(raw / raw.sum() / (c.cf[idx] / c.L)), 0) ** clarity * w
                idx, w = idx[w > 0], w[w > 0]
            return c.nllr(idx, w, mu, unknown=unk if unknown else 0.0)
        return score

    yield "NLLR", "μ = 2, title × 1 (the index's default)", nllr()
    for mu in (1, 1.5, 3):
        yield "NLLR", f"μ = {mu:g}", nllr(mu)
    for tw in (2, 3):
        yield "NLLR", f"μ = 2, title × {tw}", nllr(tw=tw)
        yield "NLLR", f"μ = 1, title × {tw}", nllr(1, tw)
    for a in (0.5, 1, 2):
        yield "query weights", f"× idf^{a:g}", nllr(idf=a)
    for n in (20, 40, 80):
        yield "query weights", f"need cut to its top {n} terms by tf·idf", nllr(top=n)
    for a in (0.5, 1):
        yield "query weights", f"clarity weights ^{a:g}", nllr(clarity=a)
    yield "query weights", "raw counts", nllr(weighting="raw")
    yield "query weights", "binary", nllr(weighting="binary")
    yield "query weights", "unknown words counted in Σw", nllr(unknown=True)

    def jm(lam):
        def score(parts):
            idx, w, _, _ = need_of(parts)
            return np.log1p((1 - lam) * (c.M[:, idx] / c.lens[:, None])
                            / (lam * c.cf[idx] / c.L)) @ w / w.sum()
        return score

    for lam in (0.1, 0.3, 0.5, 0.7, 0.9):
        yield "smoothing", f"Jelinek–Mercer λ = {lam:g}", jm(lam)

    def background(kappa):
        def score(parts):
            idx, w, _, _ = need_of(parts)
            p_t = (c.cf[idx] / c.L + kappa * c.p_bg[idx]) / (1 + kappa)
            return c.nllr(idx, w, p_t=p_t)
        return score

    for kappa in (0.25, 1, 4):
        yield "smoothing", f"background: 2,911 other papers, κ = {kappa:g}", background(kappa)

    def normalised(how, g=1.0):
        def score(parts):
            idx, w, raw, _ = need_of(parts)
            s = c.nllr(idx, w)
            if how == "z":
                return (s - s.mean()) / s.std()
            if how == "mean":
                return s + g * s.mean()
            mu = 2.0 * c.L / c.N
            own = (np.log1p(raw / (mu * c.cf[idx] / c.L)) @ w / w.sum()
                   + np.log(mu / (raw.sum() + mu)))
            return s / own if how == "ratio" else s - g * own
        return score

    yield "per-need normalisation", "z-score over researchers", normalised("z")
    for g in (-1, 0.5, 1):
        yield "per-need normalisation", f"{g:+g} × mean over researchers", normalised("mean", g)
    yield "per-need normalisation", "÷ the need scored against itself", normalised("ratio")
    yield "per-need normalisation", "− ¼ the need scored against itself", normalised("diff", 0.25)

    def mixed(beta, need_mu=1.0, mu=2.0, tw=1, rm3=None):
        def score(parts):
            idx, w, raw, _ = need_of(parts, tw)
            s = (1 - beta) * c.nllr(idx, w, mu) + beta * c.doc_likelihood(idx, raw, need_mu)
            if rm3 is None:
                return s
            j, q = c.feedback(s, idx, w, *rm3)
            return (1 - beta) * c.nllr(j, q, mu) + beta * c.doc_likelihood(
                j, q * raw.sum(), need_mu)
        return score

    for beta in (0.3, 0.4, 0.5, 0.6, 0.7):
        for need_mu in (1, 2, 5):
            yield ("document likelihood", f"β = {beta:g}, μ_q = {need_mu:g}",
                   mixed(beta, need_mu))
    yield "document likelihood", "β = 0.6, μ_q = 1, μ = 1, title × 2", mixed(0.6, 1, 1, 2)

    for k in (1, 3, 5, 10):
        for m in (20, 50):
            for lam in (0.2, 0.5):
                yield "RM3", f"k = {k}, m = {m}, λ = {lam:g}", mixed(0.0, rm3=(k, m, lam))
    def passage_feedback(k, m, lam):
        def score(parts):
            idx, w, _, _ = need_of(parts)
            j, q = c.feedback(c.nllr(idx, w, matrix=c.P), idx, w, k, m, lam, source=c.P)
            return c.nllr(j, q)
        return score

    for k in (5, 30):
        for m in (20, 50):
            for lam in (0.2, 0.4):
                yield ("RM3 from profile papers", f"k = {k} papers, m = {m}, λ = {lam:g}",
                       passage_feedback(k, m, lam))
    for k in (3, 10):
        for lam in (0.1, 0.2):
            yield ("RM3 + document likelihood", f"β = 0.5, k = {k}, m = 50, λ = {lam:g}",
                   mixed(0.5, rm3=(k, 50, lam)))

    def titles(boost):
        def score(parts):
            idx, w, _, _ = need_of(parts)
            m = c.M + boost * c.T
            return c.nllr(idx, w, 2.0 * c.lens.mean() / m.sum(1).mean(), matrix=m)
        return score

    for boost in (0.5, 1, 2, 4):
        yield "document field weights", f"profile titles counted {1 + boost:g} times", titles(boost)

    def passages(how):
        def score(parts):
            idx, w, _, _ = need_of(parts)
            s = c.nllr(idx, w, matrix=c.P)
            out = np.empty(c.N)
            for i in range(c.N):
                v = np.sort(s[c.owner == i])[::-1]
                if how.startswith("soft max"):
                    t = int(how.split()[-1])
                    out[i] = np.log(np.exp((v - v[0]) * t).sum()) / t + v[0]
                else:
                    out[i] = {"max": v[0], "mean": v.mean(), "top 3": v[:3].mean()}[how]
            return out
        return score

    for how in ("max", "mean", "top 3", "soft max 5", "soft max 20"):
        yield "passages (each profile paper alone)", how, passages(how)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the dataset's data/ folder")
    args = parser.parse_args(argv)
    if not (args.data / "evaluations.csv").exists():
        print(f"No gold standard at {args.data}", file=sys.stderr)
        return 2
    ratings, profiles, needs, own = load(args.data, with_papers=True)
    tune, held = halves(ratings)
    rated = {p for r in ratings.values() for p in r}
    others: Counter = Counter()
    for path in sorted((args.data / "papers").glob("*.json")):
        if path.stem not in rated:
            p = json.loads(path.read_text())
            others.update(bag(f"{p.get('title') or ''}\n{p.get('abstract') or ''}"))
    wanted: dict[str, list[str]] = {}
    for researcher, papers in ratings.items():
        for pid in papers:
            wanted.setdefault(pid, []).append(researcher)

    def run(collection: Collection, need_bags: dict, family: str, label: str, fn) -> tuple:
        where = {r: i for i, r in enumerate(collection.ids)}
        scores: dict[str, dict[str, float]] = {r: {} for r in ratings}
        for pid, researchers in wanted.items():
            s = fn(need_bags[pid])
            for r in researchers:
                scores[r][pid] = s[where[r]]
        row = (loss(scores, ratings, tune), loss(scores, ratings, held), loss(scores, ratings))
        print(f"| {family} | {label} | {row[0]:.4f} | {row[1]:.4f} | {row[2]:.4f} |", flush=True)
        return row

    print(f"| family | setting | tune | held-out | whole |\n|---|---|---|---|---|")
    results = []
    for pairs in (False, True):
        collection = Collection(
            {r: bag(t, pairs) for r, t in profiles.items()},
            {r: bag("\n".join(t for t, _ in own[r]), pairs) for r in profiles},
            {r: [bag(f"{t}\n{a}", pairs) for t, a in own[r]] for r in profiles}, others)
        need_bags = {p: (bag(t, pairs), bag(a, pairs)) for p, (t, a) in needs.items()}
        for family, label, fn in variants(collection):
            if pairs and family != "NLLR":
                continue
            if pairs:
                family = "English word pairs as terms"
            results.append((run(collection, need_bags, family, label, fn), family, label))
    (t, h, w), family, label = min(results)
    print(f"\nbest on the tune half: {family}, {label}: tune {t:.4f}, held-out {h:.4f}, "
          f"whole {w:.4f} (the default: held-out {results[0][0][1]:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
