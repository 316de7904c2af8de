"""What a web process keeps in memory for search (issue 16): the decoded postings matching
reuses stay within their budget of bytes (CRM_SEARCH_CACHE_MB), and an index's segments are
read where they lie on disk, not copied into the process. Whoosh only: the PostgreSQL index
keeps nothing between requests."""
from __future__ import annotations

import random
import tracemalloc

import pytest

from search_index import Index, term_list
from search_index import index as engine

WORDS = ("battery electrolyte anode cathode sensor polymer catalyst membrane laser robot "
         "vision hydrogen fuel cell solar turbine concrete bridge vaccine protein enzyme "
         "genome soil water sewage drone satellite antenna semiconductor wafer lithography "
         "全固体電池 電解質 触媒 水素 燃料電池 半導体 センサ ロボット 画像 認識 土壌 下水 ワクチン").split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


@pytest.fixture
def seeds(tmp_path):
    """An index of 300 seeds of generated text, and 40 needs to match against it."""
    rng = random.Random(16)
    with Index.create(tmp_path / "ix") as ix:
        with ix.batch() as batch:
            for n in range(1, 301):
                batch.upsert("seed", n, {"title": _text(rng, 4), "text": _text(rng, 40)},
                             tags={"department": n % 5})
        yield ix, [_text(rng, rng.randint(3, 30)) for _ in range(40)]


@pytest.fixture
def budget():
    """Each test sets the process's budget; the default comes back after it."""
    yield engine.set_cache_budget
    engine.set_cache_budget(engine.POSTINGS_CACHE)


def _matches(ix, needs):
    return [[(h.id, round(h.score, 9), h.terms) for h in ix.match(need, kind="seed", limit=10)]
            + [(h.id, round(h.score, 9)) for h in ix.match(need, kind="seed", limit=5,
                                                           where={"department": [1, 3]})]
            for need in needs]


def test_decoded_postings_stay_within_their_budget_and_find_the_same(seeds, budget):
    ix, needs = seeds
    budget(64 * 1024 * 1024)
    roomy = _matches(ix, needs)
    small = 12_000  # a few terms' postings of 300 documents
    budget(small)
    cache = engine._POSTINGS
    assert cache.size <= small
    for need in needs:
        ix.match(need, kind="seed", limit=10)
        assert cache.size <= small
        # the count is of what is kept, not of what passed through
        assert cache.size == sum(engine._nbytes(a) for a in cache._arrays.values())
    assert _matches(ix, needs) == roomy  # read again from the index: the same matches
    assert cache.size <= small


def test_the_least_recently_used_postings_go_first(seeds, budget):
    ix, _ = seeds
    budget(64 * 1024 * 1024)
    cache = engine._POSTINGS
    ix.match("battery sensor", kind="seed")
    ours = [key for key in cache._arrays if key[2] in (term_list("battery")[0],
                                                         term_list("sensor")[0])]
    assert len(ours) == 2
    first, second = ours  # in the order they were decoded
    ix.match(first[2], kind="seed")  # the first used again: now the most recent
    budget(engine._nbytes(cache._arrays[first]))  # room for one of them
    assert first in cache._arrays
    assert second not in cache._arrays


def test_no_budget_keeps_nothing_between_matches_and_finds_the_same(seeds, budget):
    ix, needs = seeds
    budget(64 * 1024 * 1024)
    roomy = _matches(ix, needs[:10])
    budget(0)
    assert _matches(ix, needs[:10]) == roomy
    assert len(engine._POSTINGS._arrays) <= 1


def test_a_segment_is_read_in_place_not_copied_into_the_process(tmp_path, budget):
    """Searching and matching a kind whose segment is several megabytes allocates a small
    part of that: the postings and terms are read from the file's memory map."""
    budget(0)
    rng = random.Random(7)
    with Index.create(tmp_path / "ix") as ix:
        with ix.batch() as batch:
            for n in range(1, 3001):
                # many distinct words: a large terms table and many posting lists
                batch.upsert("seed", n, {"text": _text(rng, 60) + " " + " ".join(
                    f"w{rng.randint(0, 60_000)}" for _ in range(60))})
        size = sum(f.stat().st_size for f in (tmp_path / "ix" / "seed").glob("*.seg"))
        assert size > 3_000_000
    with Index.open(tmp_path / "ix") as ix:
        tracemalloc.start()
        try:
            assert ix.search("battery", kinds=["seed"]).totals["seed"] > 0
            assert ix.match("battery electrolyte w123 w4567", kind="seed")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < size / 8, (peak, size)


def test_the_budget_is_a_setting(monkeypatch, app_from_env, budget):
    from crm.search import get_index

    monkeypatch.setenv("CRM_SEARCH_CACHE_MB", "3")
    app = app_from_env()
    assert app.config["CRM_SEARCH_CACHE_MB"] == 3
    with app.app_context():
        get_index()
    assert engine._POSTINGS.budget == 3 * 1024 * 1024


def test_totals_of_several_words_count_live_documents_with_every_word(tmp_path):
    """The search box's totals (counted from the postings arrays for queries of whole
    words) leave out deleted documents and those missing a word, in any field."""
    with Index.create(tmp_path / "ix") as ix:
        with ix.batch() as batch:
            for n in range(1, 41):
                text = "電池の材料" if n % 2 else "電池の評価"
                fields = {"title": text} if n % 3 else {"text": text, "name": f"材料商事{n}"}
                batch.upsert("seed", n, fields)
        both = {n for n in range(1, 41) if n % 2 or n % 3 == 0}  # 材料 in the text or the name
        assert ix.search("電池 材料", kinds=["seed"], limit=2).totals == {"seed": len(both)}
        for n in (1, 3, 6, 8):  # three with both words, one without
            ix.delete("seed", n)
        found = ix.search("電池 材料", kinds=["seed"], limit=2)
        assert found.totals == {"seed": len(both - {1, 3, 6})}
        assert ix.search("電池", kinds=["seed"], limit=2).totals == {"seed": 36}
        evaluated = {n for n in range(1, 41) if n % 2 == 0} - {6, 8}
        named = {n for n in range(1, 41) if n % 3 == 0} - {3, 6}
        assert ix.search("評価 商事", kinds=["seed"], limit=2).totals == {
            "seed": len(evaluated & named)}
        # no document has both words: documents with either are counted
        partial = ix.search("評価 絶無", kinds=["seed"], limit=2)
        assert partial.partial
        assert partial.totals == {"seed": len(evaluated)}
