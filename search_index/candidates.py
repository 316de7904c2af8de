"""Which of a need's terms find the candidates a match scores exactly (the rule both index
backends follow: search_index/index.py for Whoosh, search_index/pg.py for PostgreSQL)."""
from __future__ import annotations

from collections.abc import Callable

from search_index.matching import CANDIDATE_TERMS, POSTINGS_BUDGET, Need


def choose_terms(need: Need, doc_frequency: Callable[[str], int], keep: int | None) -> list[str]:
    """Every term of the need when their postings fit POSTINGS_BUDGET (or every candidate is
    wanted: keep=None), else the terms that add most per occurrence, while their postings fit
    the budget (CANDIDATE_TERMS at most, and at least one)."""
    ranked = need.ranked_terms()
    if keep is None or sum(doc_frequency(t) for t in ranked) <= POSTINGS_BUDGET:
        return ranked
    chosen: list[str] = []
    postings = 0
    for term in ranked:
        df = doc_frequency(term)
        if chosen and (len(chosen) >= CANDIDATE_TERMS or postings + df > POSTINGS_BUDGET):
            break
        chosen.append(term)
        postings += df
    return chosen
