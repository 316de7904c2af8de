"""search_index on its own: the bilingual analyzer, the index face, matching and highlighting.
No Flask, no database: small indexes in temporary directories."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from search_index import Index, IndexBusy, IndexNotFound, highlight, snippet, term_list, terms
from search_index.matching import prepare
from tests.search_backends import BACKENDS, Backend, in_processes

FIXTURE = Path(__file__).parent / "fixtures" / "bilingual_matching.json"


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Each index test runs on the Whoosh index and, on PostgreSQL, on search_index/pg.py."""
    return Backend(request.param)


@pytest.fixture
def ix(backend, tmp_path):
    with backend.create(tmp_path / "ix") as index:
        yield index
        if backend.name == "postgres":
            index.drop()


# --- the analyzer ----------------------------------------------------------------------------

def test_japanese_runs_become_bigrams_and_one_character_words_stay():
    assert term_list("全固体電池") == ["全固", "固体", "体電", "電池"]
    # a lone kanji is a word (熱, 光); a lone hiragana particle is not
    assert term_list("熱を光に") == ["熱", "光"]


def test_width_case_and_kana_are_folded():
    assert term_list("ＡＢＣ１２３") == term_list("abc123")
    assert term_list("ﾊﾞｯﾃﾘｰ") == term_list("バッテリー")
    assert term_list("やまだ") == term_list("ヤマダ")
    assert term_list("Battery") == term_list("BATTERY")


def test_english_is_stemmed_and_stop_words_dropped():
    assert term_list("batteries") == term_list("battery")
    assert term_list("the recycling of batteries") == term_list("recycled battery")


def test_function_words_in_hiragana_are_dropped_but_content_words_kept():
    assert term_list("している") == []
    assert "ハン" in term_list("はんだ")  # solder, written in hiragana


def test_offsets_point_into_the_original_text():
    text = "ＳｉＣの電池"
    spans = {t.text: text[t.start:t.end] for t in terms(text)}
    assert spans["sic"] == "ＳｉＣ"
    assert spans["電池"] == "電池"


# --- the index face ----------------------------------------------------------------------------

def test_open_needs_an_index(tmp_path):
    with pytest.raises(IndexNotFound):
        Index.open(tmp_path / "nothing")
    Index.create(tmp_path / "ix").close()
    assert Index.open(tmp_path / "ix").kinds() == []


def test_upsert_is_visible_at_once_and_delete_removes(ix):
    ix.upsert("seed", 1, {"title": "Battery recycling", "text": "cobalt recovery"})
    assert [h.id for h in ix.match("recycle batteries", kind="seed")] == [1]
    ix.upsert("seed", 1, {"title": "Perovskite solar cells"})  # replaces, not adds
    assert ix.count("seed") == 1
    assert ix.match("battery", kind="seed") == []
    ix.delete("seed", 1)
    assert ix.count("seed") == 0
    ix.delete("seed", 99)  # nothing there: no error


def test_a_second_handle_sees_writes_of_the_first(ix, backend, tmp_path):
    ix.upsert("company", 5, {"name": "株式会社テスト", "text": "電池材料"})
    with backend.open(tmp_path / "ix") as other:
        assert [h.id for h in other.search("電池")] == [5]
        ix.upsert("company", 6, {"name": "Other", "text": "電池"})
        assert {h.id for h in other.search("電池")} == {5, 6}


def test_unknown_fields_are_refused(ix):
    with pytest.raises(ValueError):
        ix.upsert("seed", 1, {"colour": "red"})


def test_search_groups_by_kind_with_totals(ix):
    with ix.batch() as batch:
        batch.upsert("company", 1, {"name": "株式会社電池", "text": "電池材料"})
        batch.upsert("seed", 1, {"title": "全固体電池", "text": "界面抵抗"})
        batch.upsert("seed", 2, {"title": "使用済み電池の回収"})
        batch.upsert("contact", 1, {"name": "山田 太郎"})
    results = ix.search("電池", kinds=["seed", "company", "contact"])
    assert [h.kind for h in results] == ["seed", "seed", "company"]
    assert results.totals == {"seed": 2, "company": 1, "contact": 0}
    assert not results.partial


def test_search_counts_matches_up_to_the_cap_and_says_when_there_are_more(ix, monkeypatch):
    import search_index.index

    monkeypatch.setattr(search_index.index, "COUNT_CAP", 3)
    with ix.batch() as batch:
        for n in range(6):
            batch.upsert("seed", n, {"title": f"電池 {n}"}, tags={"status": n % 2})
        batch.upsert("company", 1, {"name": "電池商事"})
    results = ix.search("電池", kinds=["seed", "company"], limit=2)
    # Six seeds match: counting stops past three, so the total says "more than 3".
    assert results.totals == {"seed": 4, "company": 1}
    assert results.capped("seed") and not results.capped("company")
    assert len(results.by_kind()["seed"]) == 2
    filtered = ix.search("電池", kinds=["seed"], limit=2, where={"status": 1})
    assert filtered.totals == {"seed": 3} and not filtered.capped("seed")


def test_repeated_searches_see_every_change_to_the_index(ix, backend, tmp_path):
    ix.upsert("seed", 1, {"title": "水素の貯蔵"})
    assert [h.id for h in ix.search("水素")] == [1]
    assert [h.id for h in ix.search("水素")] == [1]  # the same search again
    ix.upsert("seed", 2, {"title": "水素 水素 水素"})
    again = ix.search("水素")
    assert {h.id for h in again} == {1, 2} and again.totals["seed"] == 2
    ix.delete("seed", 1)
    assert [h.id for h in ix.search("水素")] == [2]
    # Another process's change (another Index on the same folder) shows too.
    with backend.open(tmp_path / "ix") as other:
        other.upsert("seed", 3, {"title": "液体水素"})
    assert {h.id for h in ix.search("水素")} == {2, 3}


def test_search_needs_every_word_and_falls_back_to_some(ix):
    ix.upsert("seed", 1, {"title": "全固体電池", "text": "cobalt"})
    ix.upsert("seed", 2, {"title": "電池リサイクル"})
    assert [h.id for h in ix.search("電池 cobalt")] == [1]
    some = ix.search("電池 platinum")
    assert some.partial and {h.id for h in some} == {1, 2}


def test_search_one_character_and_word_starts(ix):
    ix.upsert("seed", 1, {"title": "光触媒による水分解"})
    ix.upsert("seed", 2, {"title": "Battery management"})
    ix.upsert("contact", 3, {"name": "ヤマダ タロウ"})
    assert [h.id for h in ix.search("光")] == [1]
    assert [h.id for h in ix.search("batt")] == [2]
    assert [h.id for h in ix.search("やまだ")] == [3]


def test_search_box_lifts_names_and_titles(ix):
    ix.upsert("seed", 1, {"title": "Solar cells", "text": "battery " * 3})
    ix.upsert("seed", 2, {"title": "Battery materials", "text": "new chemistry"})
    assert ix.search("battery")[0].id == 2


def test_search_box_ranks_a_word_in_a_short_text_above_the_same_word_in_a_long_one(ix):
    ix.upsert("seed", 1, {"text": "battery " + " ".join(f"filler{n}" for n in range(40))})
    ix.upsert("seed", 2, {"text": "battery recycling"})
    ix.upsert("seed", 3, {"text": "solar cells and wind"})
    assert [h.id for h in ix.search("battery")] == [2, 1]


def test_match_filters_and_excludes(ix):
    with ix.batch() as batch:
        batch.upsert("seed", 1, {"title": "全固体電池"}, tags={"department": 1, "government_funded": True, "readiness": 3})
        batch.upsert("seed", 2, {"title": "電池の劣化診断"}, tags={"department": 2, "government_funded": False, "readiness": 6})
    assert {h.id for h in ix.match("電池", kind="seed")} == {1, 2}
    assert [h.id for h in ix.match("電池", kind="seed", where={"government_funded": False})] == [2]
    assert [h.id for h in ix.match("電池", kind="seed", where={"department": [1]})] == [1]
    assert [h.id for h in ix.match("電池", kind="seed", where={"readiness": range(5, 10)})] == [2]
    assert [h.id for h in ix.match("電池", kind="seed", exclude=[1])] == [2]
    assert ix.match("電池", kind="researcher") == []  # no such kind yet


def test_match_says_why_in_the_words_of_the_need(ix):
    ix.upsert("seed", 1, {"title": "Recycling of spent batteries", "keywords": "全固体電池"})
    hit = ix.match("全固体電池 and battery recycling partners", kind="seed")[0]
    assert set(hit.terms) == {"全固体電池", "battery", "recycling"}


def test_match_scores_compare_across_needs(ix):
    """One researcher, two needs: the need closer to their work scores higher, however long."""
    ix.upsert("researcher", 1, {"text": "speech recognition acoustic models noise robust " * 5})
    ix.upsert("researcher", 2, {"text": "protein folding molecular dynamics simulation " * 5})
    close = "robust speech recognition"
    far = ("a long call about molecular simulation of proteins, with a passing mention of "
           "speech, and many other words about budgets, timelines and partners")
    s_close = {h.id: h.score for h in ix.match(close, kind="researcher", limit=None)}
    s_far = {h.id: h.score for h in ix.match(far, kind="researcher", limit=None)}
    assert s_close[1] > s_far[1]


def test_document_likelihood_scores_as_each_document_scored_whole(ix):
    """With the document likelihood on, the index's scores are those of matching.py's formula
    over each document's whole term counts (Need.score), in the same order."""
    data = json.loads(FIXTURE.read_text())
    bags = {}
    with ix.batch() as batch:
        for seed in data["seeds"]:
            fields = {k: seed[k] for k in ("title", "keywords", "text")}
            batch.upsert("seed", seed["id"], fields)
            bags[seed["id"]] = Counter(term_list("\n".join(v for v in fields.values() if v)))
    cf = Counter()
    for bag in bags.values():
        cf.update(bag)
    for need_text in [n["text"] for n in data["needs"]]:
        need = prepare(need_text, list(terms(need_text)), cf.__getitem__, sum(cf.values()),
                       len(bags), doc_likelihood=0.5)
        expected = sorted(((-need.score(bag)[0], str(i)) for i, bag in bags.items()
                           if need.score(bag)[1]))
        hits = ix.match(need_text, kind="seed", limit=None, doc_likelihood=0.5)
        assert [str(h.id) for h in hits] == [key for _, key in expected]
        assert [h.score for h in hits] == pytest.approx([-s for s, _ in expected], rel=1e-9)
        plain = ix.match(need_text, kind="seed", limit=None)
        assert [h.score for h in plain] != [h.score for h in hits]


def test_bm25_baseline_is_available(ix):
    ix.upsert("seed", 1, {"title": "battery"})
    assert [h.id for h in ix.match("battery", kind="seed", scoring="bm25")] == [1]


def test_cutoff_leaves_out_weak_matches(ix):
    ix.upsert("seed", 1, {"title": "ロボットハンドによるピッキング", "text": "物流倉庫の自動化"})
    ix.upsert("seed", 2, {"title": "材料の強度向上"})
    need = "物流倉庫のピッキング自動化、ゴムの耐摩耗性向上"
    assert {h.id for h in ix.match(need, kind="seed")} == {1, 2}
    assert [h.id for h in ix.match(need, kind="seed", cutoff=0.3)] == [1]


@pytest.mark.parametrize("doc_likelihood", [None, 0.6])
def test_bilingual_test_set(ix, doc_likelihood):
    """At least 30 seeds and 15 needs in Japanese, English and both: each need finds its seeds
    (with the document likelihood mixed in too)."""
    data = json.loads(FIXTURE.read_text())
    assert len(data["seeds"]) >= 30 and len(data["needs"]) >= 15
    with ix as index:
        with index.batch() as batch:
            for seed in data["seeds"]:
                batch.upsert("seed", seed["id"], {k: seed[k] for k in ("title", "keywords", "text")})
        failures = []
        for need in data["needs"]:
            ids = [h.id for h in index.match(need["text"], kind="seed", limit=5,
                                             doc_likelihood=doc_likelihood)]
            ok = (need["top"][0] in ids[:3] and all(i in ids for i in need["top"])
                  and not set(need.get("not", [])) & set(ids))
            if not ok:
                failures.append((need["text"], need["top"], ids))
        assert failures == []


# --- writers and locks ------------------------------------------------------------------------

def test_lock_is_exclusive(ix):
    with ix.lock(timeout=1), pytest.raises(IndexBusy), ix.lock(timeout=0.05):
        pass
    with ix.lock(timeout=0.05):
        pass


def _write_many(path: str, start: int) -> None:
    with Index.open(path) as index:
        for n in range(start, start + 15):
            index.upsert("seed", n, {"title": f"battery {n}"})


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    Index.create(tmp_path / "ix").close()
    in_processes(_write_many, (str(tmp_path / "ix"), 0), (str(tmp_path / "ix"), 100))
    with Index.open(tmp_path / "ix") as index:
        assert index.ids("seed") == set(range(15)) | set(range(100, 115))


# --- highlighting ----------------------------------------------------------------------------

def test_highlight_marks_folded_forms():
    assert highlight("Spent BATTERIES and ＳｉＣ", "battery sic") == [
        ("Spent ", False), ("BATTERIES", True), (" and ", False), ("ＳｉＣ", True)]
    assert highlight("全固体電池の開発", "電池") == [("全固体", False), ("電池", True),
                                                 ("の開発", False)]


def test_snippet_cuts_around_the_first_match():
    text = "前置き " * 60 + "ここに電池の話" + " 後書き" * 60
    pieces = snippet(text, "電池", width=40)
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert ("電池", True) in pieces
    assert sum(len(p) for p, _ in pieces) <= 42



def test_a_lone_digit_is_not_shown_as_a_matched_word(tmp_path):
    """"Scope 3" must not list "3" among the words that made a match (it explains nothing)."""
    index = Index.create(tmp_path / "ix")
    index.upsert("seed", 1, {"title": "Scope 3 排出量の推計", "text": "scope 3 emissions"})
    index.upsert("seed", 2, {"title": "Phase 3 trials", "text": "phase 3 clinical trial"})
    matches = index.match("Scope 3 accounting", kind="seed")
    assert matches and matches[0].id in (1, "1")
    assert all(word != "3" for m in matches for word in m.terms)
