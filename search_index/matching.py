"""Matching a text (a company's needs, a call for proposals, a seed) against documents.

The score is a query-likelihood language model with Dirichlet smoothing, reported as the
normalised log-likelihood ratio against the whole collection (NLLR):

    score(need, doc) = Σ_t w_t · log((tf_d(t) + μ·p(t)) / ((|d| + μ)·p(t))) / Σ_t w_t
                     = Σ_t w_t · log(1 + tf_d(t) / (μ·p(t))) / Σ_t w_t  +  log(μ / (|d| + μ))

where t runs over the need's terms, w_t = 1 + log(count of t in the need), p(t) is the share
of t among all terms of the kind, and μ is twice the average document length of the kind.
Dividing by Σ w_t makes scores of different needs comparable (a long e-mail does not outscore
a short one), which is what ranking one researcher's interest in several papers needs: on the
reviewer-expertise gold standard it beats BM25 clearly (see bench/match_quality.py).

Finding candidates: a plain OR of every word of a long need over tens of thousands of
documents is slow in Whoosh (its matcher tree costs microseconds per posting), so the posting
lists of the need's weightiest terms (those that add most per occurrence, within a budget of
postings) are read a block at a time and summed into partial scores; the best few hundred by
partial score plus the length prior are then scored exactly on all the need's terms, from the
term counts stored with each document. When all the need's postings fit the budget (a small
collection), or with limit=None, every document that shares a word with the need is scored.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from search_index.analysis import Term, normalise
from search_index.translate import Translator

#: Finding candidates: the need's terms that add most to a score, as many as fit in a budget
#: of postings read (every term when that fits), and the best few hundred documents by their
#: partial score; every candidate is then scored exactly on all terms.
#: On 30,000 demo seeds and 100-word needs these find 98–100% of the exhaustive top 10
#: (bench/search_speed.py prints that recall) with a p95 well under 100 ms.
CANDIDATE_TERMS = 64
POSTINGS_BUDGET = 40_000
CANDIDATES = 300
#: The Dirichlet prior μ, as a multiple of the kind's average document length. A fixed μ
#: (2000, the usual default for news articles) over-smooths short seeds; a multiple of the
#: average length suits both 40-word seeds and 3,000-word researcher profiles.
#: The gold standard's loss for 1, 1.5, 2 and 3: 0.241, 0.238, 0.237, 0.242 (whole set; on
#: the held-out half 0.284, 0.278, 0.273, 0.277: bench/README.md).
MU_SCALE = 2.0
#: The document likelihood's share of a score (off by default). With β > 0 a score becomes
#: (1 − β)·NLLR + β·DL, where DL(need, doc) = Σ_t tf_d(t) · log(1 + c_q(t) / (μ_q·p(t))) / |d|
#: (over the need's terms, c_q their counts in the need, μ_q = NEED_MU_SCALE × the need's
#: length): how well the need's own language model explains the document's words, so a
#: document mostly about the need rises. On the gold standard's tune half it was the best of
#: what the literature adds to a language model (β 0.6, μ_q 1×: tune 0.177, held-out 0.281, where
#: NLLR alone has 0.192 / 0.273: bench/README.md), but the held-out half got no better: off.
DOC_LIKELIHOOD = 0.0
NEED_MU_SCALE = 1.0
#: How many "why" terms a hit carries.
WHY_TERMS = 6


class Hit:
    """One document found: its kind and id, a score (higher is better) and the terms of the
    query that made it match (as written in the query text, most important first)."""

    __slots__ = ("_terms", "_why", "id", "kind", "score")

    def __init__(self, kind: str, id: int | str, score: float,
                 terms: list[str] | Callable[[], list[str]] = ()):
        self.kind = kind
        self.id = id
        self.score = score
        if callable(terms):
            self._terms, self._why = None, terms
        else:
            self._terms, self._why = list(terms), None

    @property
    def terms(self) -> list[str]:
        if self._terms is None:
            self._terms = self._why()
        return self._terms

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Hit) and (self.kind, self.id, self.score)
                == (other.kind, other.id, other.score))

    def __repr__(self) -> str:
        return f"<Hit {self.kind}:{self.id} {self.score:.3f} {self.terms}>"


@dataclass
class Need:
    """A need text prepared for scoring against one kind's statistics."""

    text: str
    spans: list[Term]
    #: term -> (w_t, μ·p(t)) for the terms the collection knows.
    weights: dict[str, tuple[float, float]]
    mu: float
    #: term -> the translations ("battery → 電池") that brought it into the need.
    translations: dict[str, list[str]] = field(default_factory=dict)
    #: β of DOC_LIKELIHOOD and, per term, log(1 + c_q(t) / (μ_q·p(t))) (empty when β is 0).
    dl_weight: float = 0.0
    dl_logs: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.total_weight = sum(w for w, _ in self.weights.values()) or 1.0

    def ranked_terms(self) -> list[str]:
        """Terms by how much one occurrence adds to a score, most first."""
        return sorted(self.weights, key=lambda t: (-self.weights[t][0]
                                                   * math.log1p(1.0 / self.weights[t][1]), t))

    def score(self, bag: Mapping[str, int]) -> tuple[float, dict[str, float]]:
        """The NLLR score of a document with these term counts, and each term's share."""
        parts: dict[str, float] = {}
        total = 0.0
        weights = self.weights
        for term in weights.keys() & bag.keys():
            weight, mu_p = weights[term]
            part = weight * math.log1p(bag[term] / mu_p)
            parts[term] = part
            total += part
        if not parts:
            return 0.0, parts
        length = sum(bag.values())
        score = total / self.total_weight + math.log(self.mu / (length + self.mu))
        if self.dl_weight:
            dl = sum(bag[term] * self.dl_logs[term] for term in parts) / max(length, 1)
            score = self.blend(score, dl)
        return score, parts

    def blend(self, nllr, dl):
        """The score from its two parts (floats or numpy arrays alike): the NLLR, and the
        document likelihood when DOC_LIKELIHOOD is on."""
        return (1.0 - self.dl_weight) * nllr + self.dl_weight * dl

    def why(self, parts: Mapping[str, float], limit: int = WHY_TERMS) -> list[str]:
        """The need's words that matched, as written in it: runs of matched Japanese bigrams
        are joined back into the word they came from (固体+体電+電池 → 固体電池)."""
        spans: list[tuple[int, int, float]] = []
        current: list = []
        seen_in_span: set[str] = set()
        for term in self.spans:
            if term.text in parts:
                if current and term.start < current[1]:  # overlapping bigrams of one word
                    current[1] = max(current[1], term.end)
                    if term.text not in seen_in_span:
                        current[2] += parts[term.text]
                        seen_in_span.add(term.text)
                    continue
                if current:
                    spans.append(tuple(current))
                current = [term.start, term.end, parts[term.text]]
                seen_in_span = {term.text}
            elif current:
                spans.append(tuple(current))
                current = []
        if current:
            spans.append(tuple(current))
        best: dict[str, tuple[float, str]] = {}
        for start, end, weight in spans:
            if _fragment(self.text, start, end):
                continue
            surface = self.text[start:end].strip()
            key = normalise(surface)
            if len(key) == 1 and key.isdigit():
                continue  # "3" of "Scope 3" scores a little but explains nothing to a reader
            if key not in best or best[key][0] < weight:
                best[key] = (weight, surface)
        translated: dict[str, float] = {}
        for term, labels in self.translations.items():
            if term in parts:
                for label in labels:
                    translated[label] = translated.get(label, 0.0) + parts[term]
        for label, weight in translated.items():
            best.setdefault(label, (weight, label))
        ranked = sorted(best.values(), key=lambda x: -x[0])
        return [surface for _, surface in ranked[:limit]]


def _script(ch: str) -> str:
    if "\u3041" <= ch <= "\u309f":
        return "hira"
    if "\u30a0" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f":
        return "kata"
    return "other"


def _fragment(text: str, start: int, end: int) -> bool:
    """A two-character piece of a longer kana word (ート of コンクリート): not worth showing."""
    if end - start > 2:
        return False
    script = _script(text[start])
    if script == "other" or _script(text[end - 1]) != script:
        return False
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return (bool(before) and _script(before) == script) or (bool(after) and _script(after) == script)


def prepare(text: str, spans: Iterable[Term], collection_frequency, total_length: int,
            doc_count: int, translator: Translator | None = None,
            doc_likelihood: float | None = None) -> Need:
    """Weights of a need's terms against a collection: `collection_frequency(term)` is the
    number of times the term occurs in the kind's bags, `total_length` all their terms.
    With a `translator`, the need's words are also looked for in the other language: each
    translation's terms weigh what the translator says (less than the need's own words) and
    the need remembers them, so `why` shows "battery → 電池". `doc_likelihood` is β of
    DOC_LIKELIHOOD (None: that default)."""
    spans = list(spans)
    counts = Counter(t.text for t in spans)
    mu = MU_SCALE * max(total_length / doc_count, 1.0) if doc_count else 1.0
    weights: dict[str, tuple[float, float]] = {}
    for term, count in counts.items():
        cf = collection_frequency(term)
        if cf:
            weights[term] = (1.0 + math.log(count), mu * cf / total_length)
    translations: dict[str, list[str]] = {}
    for expansion in translator.expand(text, spans) if translator is not None else ():
        for term in expansion.terms:
            if term in counts:
                continue  # the need's own word: its own weight stands
            cf = collection_frequency(term)
            if not cf:
                continue
            if term not in weights or weights[term][0] < expansion.weight:
                weights[term] = (expansion.weight, mu * cf / total_length)
            translations.setdefault(term, []).append(expansion.label)
    beta = DOC_LIKELIHOOD if doc_likelihood is None else doc_likelihood
    dl_logs: dict[str, float] = {}
    if beta:
        # A translation counts in the need as much as it weighs (less than one occurrence).
        need_counts = {t: counts.get(t) or weights[t][0] for t in weights}
        mu_q = NEED_MU_SCALE * sum(need_counts.values())
        dl_logs = {t: math.log1p(n * mu / (mu_q * weights[t][1])) for t, n in need_counts.items()}
    return Need(text=text, spans=spans, weights=weights, mu=mu, translations=translations,
                dl_weight=beta, dl_logs=dl_logs)
