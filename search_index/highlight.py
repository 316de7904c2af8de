"""Marking the words of a query in a text, as segments the caller escapes and renders.

    highlight("全固体電池の開発", "電池") -> [("全固体", False), ("電池", True), ("の開発", False)]

Matching uses the analyzer, so ＢＡＴＴＥＲＩＥＳ, batteries and battery all light up for
"battery", and やまだ lights up ヤマダ.
"""
from __future__ import annotations

from functools import lru_cache

from search_index.analysis import _normalise_with_offsets, _pieces, query_words, terms

Segments = list[tuple[str, bool]]


@lru_cache(maxsize=256)
def _wanted(query: str | tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The terms a query marks and the word starts it marks (a page highlights many texts
    with one query: parsed once)."""
    if isinstance(query, str):
        words = query_words(query)
        return (frozenset(t for w in words for t in w.terms),
                tuple(w.prefix for w in words if w.prefix))
    # terms already analysed (the "why" of a match)
    return frozenset(t for q in query for t in (x.text for x in terms(q))), ()


def _spans(text: str, query: str | list[str]) -> list[tuple[int, int]]:
    wanted, prefixes = _wanted(query if isinstance(query, str) else tuple(query))
    if not wanted and not prefixes or not text:
        return []
    # terms(text), without a Term for each of the many terms that are not marked
    norm, starts, ends = _normalise_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for term, start, end in _pieces(norm):
        if term in wanted or (prefixes and term.startswith(prefixes)):
            if starts is not None:
                start, end = starts[start], ends[end - 1]
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], end))
            else:
                spans.append((start, end))
    return spans


def _segments(text: str, spans: list[tuple[int, int]], start: int = 0,
              end: int | None = None) -> Segments:
    end = len(text) if end is None else end
    out: Segments = []
    pos = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < end:
        out.append((text[pos:end], False))
    return out


def highlight(text: str | None, query: str | list[str]) -> Segments:
    """The whole text in segments, (piece, True) for the pieces the query matches.
    `query` is a search-box query, or a list of words (a match's terms)."""
    text = text or ""
    return _segments(text, _spans(text, query))


def snippet(text: str | None, query: str | list[str], width: int = 160) -> Segments:
    """Up to `width` characters of the text around its first match (the start of the text
    when nothing matches), with "…" where it was cut."""
    text = " ".join((text or "").split())
    spans = _spans(text, query)
    if len(text) <= width:
        return _segments(text, spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(text) - width))
    # Prefer to start at a word boundary.
    if start > 0:
        space = text.rfind(" ", max(0, start - 15), first)
        if space != -1 and space >= start - 15:
            start = space + 1
    end = min(len(text), start + width)
    out = _segments(text, spans, start, end)
    if start > 0:
        out.insert(0, ("…", False))
    if end < len(text):
        out.append(("…", False))
    return out
