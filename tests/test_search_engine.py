"""How the search engine computes what it answers: the analyzer's fast normalisation gives the
terms of its definition, matching over decoded postings gives matching.py's exact scores,
saves leave small segments that are merged later, and a rebuild in several processes gives the
same index as one. No Flask, no database: small indexes in temporary directories."""
from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from search_index import Index, term_list, terms
from search_index import analysis
from search_index.matching import prepare
from tests.search_backends import in_processes

FIXTURE = Path(__file__).parent / "fixtures" / "bilingual_matching.json"

#: Text the fast path must cut exactly as the per-cluster definition does: full- and
#: half-width forms, voiced half-width kana, combining marks after stable and unstable
#: characters, a mark with no base, compatibility ideographs, circled numbers, ㈱.
TRICKY = [
    "（株）ＡＢＣ１２３の電池",
    "ﾊﾞｯﾃﾘｰとﾊﾟﾝ",
    "か\u3099とハ\u309a",
    "\u3099で始まる",
    "Ａ\u0301とe\u0301\u0302",
    "㈱光触媒・①②③・\uf900",
    "ｶﾞ\uff9e\uff9e",
    "全固体電池、ＬｉＣｏＯ２　正極。",
    "Cafe\u0301 résumé naïve",
    "한국어 텍스트와 ﾃｷｽﾄ",
]


def _seeds():
    return json.loads(FIXTURE.read_text())["seeds"]


def _body(seed) -> str:
    return "\n".join(seed[k] for k in ("title", "keywords", "text") if seed.get(k))


# --- the analyzer ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", TRICKY)
def test_fast_normalisation_cuts_text_as_the_definition_does(text):
    assert analysis._normalise_with_offsets(text) == analysis._normalise_with_offsets_slow(text)
    assert analysis._normalised(text) == analysis._normalise_with_offsets_slow(text)[0]


def test_the_characters_copied_whole_are_the_ones_nfkc_keeps():
    stable = analysis._UNSTABLE
    for code in range(0x20, 0xFFFF):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        if not stable.fullmatch(ch):  # copied whole: must be its own NFKC, and not combining
            assert unicodedata.normalize("NFKC", ch) == ch, hex(code)
            assert not unicodedata.combining(ch), hex(code)


@pytest.mark.parametrize("text", TRICKY)
def test_terms_without_offsets_are_the_terms_with_them(text):
    assert analysis.term_texts(text) == [t.text for t in terms(text)]
    for term in terms(text):
        # each term still points at the characters it came from
        assert 0 <= term.start < term.end <= len(text)


def test_index_terms_are_counted_as_the_analyzer_cuts_them(tmp_path):
    text = "全固体電池の全固体電池 batteries battery"
    with Index.create(tmp_path / "ix") as ix:
        ix.upsert("seed", 1, {"text": text})
        with ix._searcher("seed") as searcher:
            reader = searcher.reader()
            counts = {t: reader.frequency("body", t) for t in set(term_list(text))}
            assert reader.field_length("body") == len(term_list(text))
    assert counts == dict(Counter(term_list(text)))
    assert counts["電池"] == 2 and counts[term_list("battery")[0]] == 2


# --- matching over decoded postings ---------------------------------------------------------

def _reference(seeds, need_text):
    """matching.py's formula, every seed scored from its own term counts."""
    bags = {s["id"]: Counter(term_list(_body(s))) for s in seeds}
    cf: Counter = Counter()
    for bag in bags.values():
        cf.update(bag)
    need = prepare(need_text, list(terms(need_text)), cf.__getitem__, sum(cf.values()),
                   len(bags))
    scored = {}
    for id_, bag in bags.items():
        score, parts = need.score(bag)
        if parts:
            scored[id_] = score
    return scored


def test_match_scores_are_the_formulas_scores_for_every_document(tmp_path):
    seeds = _seeds()
    needs = [n["text"] for n in json.loads(FIXTURE.read_text())["needs"]][:8]
    with Index.create(tmp_path / "ix") as ix:
        # two commits: the documents in two segments
        half = len(seeds) // 2
        for part in (seeds[:half], seeds[half:]):
            with ix.batch() as batch:
                for s in part:
                    batch.upsert("seed", s["id"], {k: s.get(k) for k in
                                                   ("title", "keywords", "text")})
        assert ix.segments("seed") == 2
        for need in needs:
            expected = _reference(seeds, need)
            found = {h.id: h.score for h in ix.match(need, kind="seed", limit=None)}
            assert found.keys() == expected.keys()
            for id_, score in expected.items():
                assert found[id_] == pytest.approx(score, rel=1e-9, abs=1e-12)
            top = ix.match(need, kind="seed", limit=5)
            assert [h.id for h in top] == sorted(expected, key=lambda i: (-expected[i], str(i)))[:5]


def test_deleted_excluded_and_filtered_documents_are_not_matched(tmp_path):
    with Index.create(tmp_path / "ix") as ix:
        for n, (dept, funded) in enumerate([(1, True), (1, False), (2, False), (3, False)]):
            ix.upsert("seed", n + 1, {"title": "全固体電池の界面抵抗", "text": f"試料 {n}"},
                      tags={"department": dept, "government_funded": funded})
        ix.delete("seed", 4)
        assert {h.id for h in ix.match("全固体電池", limit=None)} == {1, 2, 3}
        assert {h.id for h in ix.match("全固体電池", limit=None, exclude=[2])} == {1, 3}
        assert {h.id for h in ix.match("全固体電池", limit=None,
                                       where={"department": [1, 3]})} == {1, 2}
        assert {h.id for h in ix.match("全固体電池", limit=None, where={
            "department": [1, 2], "government_funded": False})} == {2, 3}


def test_the_why_words_come_from_the_document_that_matched(tmp_path):
    with Index.create(tmp_path / "ix") as ix:
        ix.upsert("seed", 1, {"title": "全固体電池", "text": "solid electrolyte"})
        ix.upsert("seed", 2, {"title": "光触媒", "text": "hydrogen"})
        hits = {h.id: h.terms for h in ix.match("全固体電池と光触媒の hydrogen", limit=None)}
    assert hits[1] == ["全固体電池"]
    assert set(hits[2]) == {"光触媒", "hydrogen"}


# --- segments ------------------------------------------------------------------------------

def test_saves_leave_small_segments_merged_in_bands_and_optimise_merges_all(tmp_path):
    from search_index import index as engine

    with Index.create(tmp_path / "ix") as ix:
        for n in range(engine.SMALL_SEGMENTS - 1):
            ix.upsert("seed", n, {"title": f"電池 {n}"})
        ix.settle()
        assert ix.segments("seed") == engine.SMALL_SEGMENTS - 1  # no merge on these saves
        ix.upsert("seed", 99, {"title": "電池 99"})  # the tenth small one: merged after it
        assert [h.id for h in ix.match("電池 99", limit=1)] == [99]  # found at once
        ix.settle()
        assert ix.segments("seed") == 1
        for n in range(2):
            ix.upsert("seed", 100 + n, {"title": f"電池 {100 + n}"})
        assert ix.segments("seed") == 3
        ix.upsert("seed", 0, {"title": "電池 0 (changed)"})  # replaces one in the merged one
        assert ix.count("seed") == engine.SMALL_SEGMENTS + 2
        assert ix.optimise(["seed"]) == {"seed": 4}
        assert ix.segments("seed") == 1
        assert ix.count("seed") == engine.SMALL_SEGMENTS + 2
        assert len(ix.match("電池", limit=None)) == engine.SMALL_SEGMENTS + 2
        assert [h.id for h in ix.search("changed").by_kind()["seed"]] == [0]
        assert not list((tmp_path / "ix" / "seed").glob(".merge-*"))


def _merging(folder) -> bool:
    return Path(folder).name.startswith(".merge-")


def test_changes_committed_while_a_merge_is_built_are_kept(tmp_path, monkeypatch):
    """A merge is built without the write lock: saves committed meanwhile (a delete, a
    replaced document in one of the segments being merged) are carried into the merged one."""
    from whoosh import writing

    from search_index import index as engine

    other = Index.create(tmp_path / "ix")  # another process's handle on the same index
    build = writing.SegmentWriter._finalize_segment

    def meanwhile(writer):
        if _merging(writer.storage.folder):
            other.delete("seed", 3)
            other.upsert("seed", 5, {"title": "光触媒 5"})
            other.upsert("seed", 50, {"title": "電池 50"})
        return build(writer)

    monkeypatch.setattr(writing.SegmentWriter, "_finalize_segment", meanwhile)
    with Index.open(tmp_path / "ix") as ix:
        for n in range(engine.SMALL_SEGMENTS):
            ix.upsert("seed", n, {"title": f"電池 {n}"})
        ix.settle()
        assert ix.segments("seed") == 3  # the merged ten, then 5 again and 50
        assert {h.id for h in ix.match("電池", limit=None)} == set(range(10)) - {3, 5} | {50}
        assert [h.id for h in ix.match("光触媒", limit=None)] == [5]
        assert ix.count("seed") == engine.SMALL_SEGMENTS
        assert ix.ids("seed") == set(range(10)) - {3} | {50}
    other.close()


def _edits(start: int) -> list[tuple[int, str | None]]:
    """(id, new word or None: deleted) of one writer: each of its 12 seeds saved again and
    again, every fifth save a delete."""
    return [(start + n % 12, None if n % 5 == 4 else f"w{start}v{n}") for n in range(48)]


def _edit_many(path: str, start: int) -> None:
    with Index.open(path) as index:
        for id_, word in _edits(start):
            if word is None:
                index.delete("seed", id_)
            else:
                index.upsert("seed", id_, {"title": f"電池 {word}", "text": "common"})


def test_two_processes_editing_while_segments_merge_leave_the_last_version_of_each(tmp_path):
    Index.create(tmp_path / "ix").close()
    in_processes(_edit_many, (str(tmp_path / "ix"), 0), (str(tmp_path / "ix"), 100))
    last: dict[int, str | None] = {}
    for start in (0, 100):
        last.update(_edits(start))
    kept = {i: w for i, w in last.items() if w is not None}
    with Index.open(tmp_path / "ix") as ix:
        assert ix.ids("seed") == set(kept)
        assert {h.id for h in ix.match("common", limit=None)} == set(kept)
        for id_, word in kept.items():
            assert [h.id for h in ix.search(word).by_kind()["seed"]] == [id_]
        assert ix.search("w0v0").by_kind().get("seed") is None  # replaced long ago
        assert ix.segments("seed") < 48  # merged on the way


def test_a_merge_that_dies_before_its_swap_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    from whoosh.index import TOC

    from search_index import index as engine

    write = TOC.write
    failing = {"on": True}

    def dies(toc, storage, indexname):
        if failing["on"] and any(seg.doc_count_all() > 1 for seg in toc.segments):  # merged
            raise OSError("killed")
        return write(toc, storage, indexname)

    monkeypatch.setattr(TOC, "write", dies)
    with Index.create(tmp_path / "ix") as ix:
        for n in range(engine.SMALL_SEGMENTS):
            ix.upsert("seed", n, {"title": f"電池 {n}"})
        ix.settle()
        assert ix.segments("seed") == engine.SMALL_SEGMENTS
        assert {h.id for h in ix.match("電池", limit=None)} == set(range(10))
        failing["on"] = False
        ix.upsert("seed", 10, {"title": "電池 10"})  # the next save merges them all
        ix.settle()
        assert ix.segments("seed") == 1
        assert {h.id for h in ix.match("電池", limit=None)} == set(range(11))
    files = {p.name for p in (tmp_path / "ix" / "seed").iterdir()}
    assert not [f for f in files if f.startswith(".merge-")]
    assert len([f for f in files if f.endswith(".seg")]) == 1  # no orphan segment file


def test_a_rebuild_in_several_processes_gives_what_one_process_gives(tmp_path, monkeypatch):
    from search_index import index as engine

    monkeypatch.setattr(engine, "REBUILD_PARALLEL_FROM", 10)
    monkeypatch.setattr(engine, "REBUILD_BATCH", 8)
    seeds = _seeds()
    answers = []
    for procs in (1, 2):
        with Index.create(tmp_path / f"ix{procs}") as ix:
            with ix.batch(procs=procs, expected=len(seeds)) as batch:
                batch.clear("seed")
                for s in seeds:
                    batch.upsert("seed", s["id"], {k: s.get(k) for k in
                                                   ("title", "keywords", "text")})
            assert ix.count("seed") == len(seeds)
            if procs == 2:
                assert ix.segments("seed") >= 2  # one per process
            answers.append([(h.id, round(h.score, 9))
                            for h in ix.match("全固体電池と電池リサイクル", limit=None)])
            answers.append(ix.search("電池").totals)
    assert answers[0] == answers[2] and answers[0]
    assert answers[1] == answers[3]


# --- the app's side: optimise and the worker's tidy ---------------------------------------

@pytest.mark.parametrize("own_index", ["whoosh"], indirect=True)  # Whoosh segments
def test_crm_index_optimise_merges_what_saves_left_and_tidy_merges_only_small_ones(
        app, runner, own_index, monkeypatch):
    from crm import search
    from search_index import index as index_module

    with own_index.batch() as batch:  # one large segment, as a rebuild leaves
        for n in range(100, 150):
            batch.upsert("seed", n, {"title": f"全固体電池 {n}"})
    monkeypatch.setattr(index_module, "SMALL_SEGMENTS", 1000)  # saves leave theirs unmerged
    for n in range(13):
        own_index.upsert("seed", n, {"title": f"全固体電池 {n}"})
    own_index.settle()
    assert own_index.segments("seed") == 14
    monkeypatch.setattr(index_module, "SMALL_SEGMENTS", 10)
    # The idle worker's chore merges the thirteen one-document segments into one and leaves
    # the large segment alone: rewriting a whole kind holds the index (every save waits).
    assert search.tidy() == {"seed": 1}
    assert own_index.segments("seed") == 2
    assert search.tidy() == {}  # nothing left to merge
    result = runner.invoke(args=["index", "optimise"])
    assert result.exit_code == 0, result.output
    assert "seed: 2 segments merged into one" in result.output
    assert own_index.segments("seed") == 1
    assert {h.id for h in own_index.match("全固体電池", limit=None)} == \
        set(range(13)) | set(range(100, 150))
    assert "Nothing to merge." in runner.invoke(args=["index", "optimise"]).output


def test_the_large_demo_builds_its_index_from_what_was_committed(app, own_index, make_company):
    """`crm demo --scale large` bulk-inserts (no outbox rows): demo.build_index fills the
    index from the database, so search and match find the demo's records."""
    from crm import demo

    make_company(name="光触媒工業株式会社", interests="可視光応答型光触媒")
    make_company(name="全固体電池材料株式会社", interests="固体電解質")
    with own_index.batch() as batch:  # as after a bulk insert: the index knows none of them
        batch.clear("company")
    assert own_index.count("company") == 0
    lines: list[str] = []
    done = demo.build_index(echo=lines.append)
    assert done["company"][0] == 2
    assert own_index.count("company") == 2
    assert [h.kind for h in own_index.match("固体電解質", kind="company")] == ["company"]
    assert any("search index: " in line for line in lines)
