"""A directory of Whoosh indexes, one per kind of document, behind a small face.

    ix = Index.create(path)                 # or Index.open(path)
    ix.upsert("seed", 42, {"title": ..., "text": ..., "keywords": ...}, tags={"department": 3})
    ix.delete("seed", 42)
    ix.match("need text", kind="seed", limit=10, where={"government_funded": False})
    ix.search("電池", kinds=None, limit=20)

A change is visible to match() and search() when upsert()/delete() returns, in this process and
in any other that opens the same directory. Writes from several processes wait for each other
(Whoosh has one writer per index); Index.lock() is a cross-process lock for callers that must
read their source and write the index as one step (draining an outbox).
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.codec.whoosh3 import W3FieldWriter, W3LeafMatcher
from whoosh.filedb.filestore import FileStorage
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, NullQuery, Or, Prefix, Query, Term
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F

from search_index import mapped
from search_index.analysis import QueryWord, cached_term_texts, query_words, terms
from search_index.matching import Hit, prepare
from search_index.translate import Translator
from search_index.schema import ALIASES, BODY_FIELDS, INPUT_FIELDS, SEARCH_FIELDS, make_schema

BODY = "body"
log = logging.getLogger(__name__)

#: 2: exact body lengths in a column (`blen`) instead of stored term counts.
FORMAT = 2
_KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
_META = "kakehashi-index.json"
_LOCK = ".drain.lock"
#: In a kind's folder: held while its segments are merged (a save's merge, optimise).
_MERGE_LOCK = ".merge.lock"
#: How long a write waits for another process's writer before giving up (seconds).
WRITE_TIMEOUT = 30.0

__all__ = ["Hit", "Index", "IndexBusy", "IndexNotFound", "SearchResults"]


class IndexNotFound(FileNotFoundError):
    """There is no index at that path (create one, or rebuild)."""


class IndexBusy(TimeoutError):
    """Another process holds the index lock."""


#: The most matches search() counts per kind: past it a total says "more than COUNT_CAP"
#: (counting every document with a common word is most of a search's cost on a large index).
COUNT_CAP = 1000


class SearchResults(list):
    """Hits of a search, grouped by kind (kinds in the order asked), best first within a kind.
    `.totals` gives how many documents of each kind matched, counted up to `cap` (COUNT_CAP,
    or the limit when larger; a total of cap + 1 means "more than cap": see `capped()`); `.partial` is True when no document had
    every word, so documents with some of them are shown."""

    def __init__(self, hits: Iterable[Hit] = (), totals: dict[str, int] | None = None,
                 partial: bool = False, cap: int | None = None):
        super().__init__(hits)
        self.totals = totals or {}
        self.partial = partial
        self.cap = COUNT_CAP if cap is None else cap

    def capped(self, kind: str) -> bool:
        """True when more documents of `kind` matched than were counted."""
        return self.totals.get(kind, 0) > self.cap

    def by_kind(self) -> dict[str, list[Hit]]:
        groups: dict[str, list[Hit]] = {}
        for hit in self:
            groups.setdefault(hit.kind, []).append(hit)
        return groups


def _key(id_: int | str) -> str:
    return str(id_)


def _unkey(key: str) -> int | str:
    return int(key) if key.isdigit() else key


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return "\n".join(_text(v) for v in value if v)
    return str(value)


def _tag_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).replace(" ", "_")


def _tags(tags: Mapping[str, Any] | None) -> str:
    tokens = []
    for name, value in (tags or {}).items():
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        tokens.extend(f"{name}={_tag_value(v)}" for v in values if v is not None)
    return " ".join(tokens)


def _where(where: Mapping[str, Any] | None) -> Query | None:
    """{"department": [1, 2], "readiness": range(4, 10), "government_funded": False} → a filter."""
    parts = []
    for name, value in (where or {}).items():
        if value is None:
            continue
        values = (list(value) if isinstance(value, (list, tuple, set, frozenset, range))
                  else [value])
        parts.append(Or([Term("tags", f"{name}={_tag_value(v)}") for v in values])
                     if values else NullQuery)
    if not parts:
        return None
    return And(parts) if len(parts) > 1 else parts[0]


def document(id_: int | str, fields: Mapping[str, Any],
             tags: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Whoosh document for a record's fields."""
    given: dict[str, str] = {}
    for name, value in fields.items():
        name = ALIASES.get(name, name)
        if name not in INPUT_FIELDS:
            raise ValueError(f"unknown field {name!r}: use one of {list(INPUT_FIELDS)}")
        text = _text(value)
        if text:
            given[name] = f"{given[name]}\n{text}" if name in given else text
    doc: dict[str, Any] = {"key": _key(id_)}
    for name in ("name", "title", "keywords"):
        if name in given:
            doc[name] = given[name]
    body = "\n".join(given[n] for n in BODY_FIELDS if n in given)
    if body:
        doc[BODY] = body
    doc["blen"] = len(cached_term_texts(body)) if body else 0
    tag_text = _tags(tags)
    if tag_text:
        doc["tags"] = tag_text
    return doc


#: Saves add a small segment each and never wait for a merge: after a commit, a thread of
#: the process that saved merges the segments of the smallest size band (1–9 documents,
#: 10–99, 100–999, …) that has SMALL_SEGMENTS of them into one segment of the next band (so a
#: document is rewritten once per band). It builds the merged segment aside, without the
#: index's write lock, and swaps it in under the lock, carrying over deletions committed
#: meanwhile (see _Merge). Segments of more than MERGE_MAX documents are left to
#: Index.optimise() (the worker when idle, `crm index optimise`), which merges everything.
SMALL_SEGMENTS = 10
MERGE_MAX = 10_000
#: False: the saving thread merges, after its commit (the save then waits for it).
BACKGROUND_MERGES = True
#: Rebuilding a kind: documents are analysed by this many processes (Whoosh's MpWriter,
#: one segment each), each sorting postings in this much memory before spilling to disk.
REBUILD_PROCS = max(1, min(4, os.cpu_count() or 1))
REBUILD_LIMITMB = 256
#: Documents handed to a rebuild process at a time.
REBUILD_BATCH = 256
#: Fewer documents than this are rebuilt in-process (forking costs more than it saves).
REBUILD_PARALLEL_FROM = 2_000


def _band(documents: int) -> int:
    """A segment's size band: 0 for 0–9 documents, 1 for 10–99, 2 for 100–999, …"""
    return len(str(documents)) - 1 if documents > 0 else 0


def _to_merge(segments) -> list:
    """The segments of the smallest band that has SMALL_SEGMENTS of them (none: []); a
    segment whose documents were all deleted counts in the first."""
    bands: dict[int, list] = {}
    for seg in segments:
        if seg.doc_count_all() <= MERGE_MAX:
            bands.setdefault(_band(seg.doc_count()), []).append(seg)
    for band in sorted(bands):
        if len(bands[band]) >= SMALL_SEGMENTS:
            return bands[band]
    return []


class _Aside:
    """What a SegmentWriter needs of an index, for writing a merged segment into a folder of
    its own (clean_files of a save committing meanwhile would delete it from the index's)."""

    def __init__(self, storage, indexname: str, toc) -> None:
        self.storage, self.indexname, self._toc = storage, indexname, toc

    def _read_toc(self):
        return self._toc


class _Merge:
    """One background merge of a kind's segments: built aside without the write lock, then
    swapped in under it. A crash leaves the index as it was (the aside folder, or a segment
    file no table of contents names, is removed later)."""

    def __init__(self, ix, folder: Path) -> None:
        self.ix = ix
        self.folder = folder

    def run(self, timeout: float) -> bool:
        """Merge the smallest full band once; False when there was nothing to merge, or the
        segments changed under it (another merge, optimise, a rebuild)."""
        from whoosh.index import TOC, clean_files
        from whoosh.reading import SegmentReader
        from whoosh.util.filelock import try_for

        toc = self.ix._read_toc()
        sources = _to_merge(toc.segments)
        if not sources:
            return False
        aside = self.folder / f".merge-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(aside, ignore_errors=True)
        storage = FileStorage(str(aside)).create()
        try:
            writer = writing.SegmentWriter(_Aside(storage, self.ix.indexname, toc), _lk=False)
            maps = []  # per source: id, first new number, old → new (None: +first), deleted
            for seg in sources:
                reader = SegmentReader(self.ix.storage, toc.schema, seg)
                try:
                    first = writer.docnum
                    names = set(toc.schema.names()) | {
                        f for f in reader.indexed_field_names() if f in toc.schema}
                    docmap = writer.write_per_doc(names, reader)
                    writer.add_postings_to_pool(reader, first, docmap)
                    writer._added = True
                finally:
                    reader.close()
                maps.append((seg.segment_id(), first, docmap, set(seg.deleted_docs())))
            merged = writer._finalize_segment()
            writer._finish()
            lock = self.ix.lock("WRITELOCK")
            if not try_for(lock.acquire, timeout=timeout, delay=0.05):
                return False
            try:
                now = self.ix._read_toc()
                current = {seg.segment_id(): seg for seg in now.segments}
                if any(sid not in current for sid, *_ in maps):
                    return False
                for sid, first, docmap, deleted in maps:
                    for old in set(current[sid].deleted_docs()) - deleted:
                        merged.delete_document(first + old if docmap is None else docmap[old])
                for name in merged.list_files(storage):
                    os.replace(aside / name, self.folder / name)
                gone = {sid for sid, *_ in maps}
                segments = []
                for seg in now.segments:
                    if seg.segment_id() not in gone:
                        if seg.doc_count() > 0:  # every document deleted: dropped
                            segments.append(seg)
                    elif seg.segment_id() == maps[0][0] and merged.doc_count() > 0:
                        segments.append(merged)  # where the first of them was
                generation = now.generation + 1
                TOC(now.schema, segments, generation).write(self.ix.storage, self.ix.indexname)
                clean_files(self.ix.storage, self.ix.indexname, generation, segments)
            finally:
                lock.release()
            return True
        finally:
            shutil.rmtree(aside, ignore_errors=True)


class _Lengths:
    """A segment's field lengths for Whoosh's posting writer, decoded once per field: Whoosh
    looks a document's length up again for every posting it writes (a third of a rebuild's
    time went there)."""

    def __init__(self, lengths) -> None:
        self._lengths = lengths
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        found = self._fields.get(fieldname)
        if found is None:
            get = self._lengths.doc_field_length
            found = self._fields[fieldname] = [
                get(d, fieldname, 0) for d in range(self._lengths.doc_count_all())]
        return found[docnum] if docnum < len(found) else default

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lengths, name)


_whoosh_add_postings = W3FieldWriter.add_postings


def _add_postings(self, schema, lengths, items):
    return _whoosh_add_postings(self, schema, _Lengths(lengths) if lengths else lengths, items)


W3FieldWriter.add_postings = _add_postings
mapped.install()  # segments' files read from their memory maps, not copied


class AllOrNothing:
    """A batch as a context manager: committed when its block ends, cancelled when it raises
    (for the batches of every index behind the face, which supply commit() and cancel())."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


class Batch(AllOrNothing):
    """Several writes, committed together (one Whoosh writer per kind touched). A batch that
    clears a kind and adds many documents (a rebuild, `procs` > 1) analyses them in several
    processes, each writing a segment of its own."""

    def __init__(self, index: Index, timeout: float = WRITE_TIMEOUT, procs: int = 1,
                 expected: int = 0):
        self.index = index
        self.timeout = timeout
        self.procs = procs
        self.expected = expected
        self._writers: dict[str, Any] = {}
        self._clear: set[str] = set()
        self._keys: dict[str, set[str]] = {}
        self.count = 0

    def _writer(self, kind: str, rebuilding: bool = False):
        writer = self._writers.get(kind)
        if writer is None:
            ix = self.index._whoosh(kind, create=True)
            try:
                if rebuilding and self.procs > 1 and self.expected >= REBUILD_PARALLEL_FROM:
                    from whoosh.multiproc import MpWriter

                    writer = MpWriter(ix, procs=self.procs, multisegment=True,
                                      batchsize=REBUILD_BATCH,
                                      timeout=self.timeout, delay=0.05,
                                      limitmb=REBUILD_LIMITMB)
                else:
                    writer = ix.writer(timeout=self.timeout, delay=0.05,
                                       limitmb=REBUILD_LIMITMB if rebuilding else 128)
            except writing.LockError as exc:
                raise IndexBusy(f"the {kind} index is locked by another writer") from exc
            self._writers[kind] = writer
        return writer

    def upsert(self, kind: str, id_: int | str, fields: Mapping[str, Any],
               tags: Mapping[str, Any] | None = None) -> None:
        doc = document(id_, fields, tags)
        writer = self._writer(kind)
        if kind in self._clear:
            writer.add_document(**doc)
        elif not self._delete_old(kind, writer, doc["key"]):
            writer.update_document(**doc)
        else:
            writer.add_document(**doc)
        self.count += 1

    def delete(self, kind: str, id_: int | str) -> None:
        if kind not in self._writers and not self.index._exists(kind):
            return
        writer = self._writer(kind)
        if not self._delete_old(kind, writer, _key(id_)):
            writer.delete_by_term("key", _key(id_))
        self.count += 1

    def _delete_old(self, kind: str, writer, key: str) -> bool:
        """Delete a key's stored document through the index's open searcher (Whoosh would
        open a reader on every segment for each write); False when that searcher does not
        see exactly the writer's segments, or the key was already written in this batch
        (then Whoosh does it)."""
        written = self._keys.setdefault(kind, set())
        if key in written or not hasattr(writer, "segments"):
            return False
        written.add(key)
        with self.index._searcher(kind) as searcher:
            if searcher is None:
                return False
            ours = [r.segment().segment_id() for r, _ in searcher.reader().leaf_readers()
                    if r.segment() is not None]
            if ours != [seg.segment_id() for seg in writer.segments]:
                return False
            for docnum in searcher.docs_for_query(Term("key", key)):
                writer.delete_document(docnum)
        return True

    def clear(self, kind: str) -> None:
        """Drop every document of a kind (the documents added after this replace them when
        the batch commits; searches see the old ones until then)."""
        if kind not in self._writers:
            ix = self.index._whoosh(kind)
            if ix is not None and ix.schema != make_schema():
                self.index._recreate(kind)  # an index of an older layout: start afresh
        self._writer(kind, rebuilding=True)
        self._clear.add(kind)

    def commit(self) -> None:
        writers, self._writers = self._writers, {}
        self._keys.clear()
        for kind, writer in writers.items():
            if kind in self._clear:
                writer.commit(mergetype=writing.CLEAR)
            else:
                writer.commit(mergetype=writing.NO_MERGE)
                now = [*writer.segments, *([writer.newsegment] if writer._added else [])]
                if _to_merge(now):  # a band is full
                    self.index._merge_later(kind)
        self._clear.clear()

    def cancel(self) -> None:
        writers, self._writers = self._writers, {}
        self._keys.clear()
        for writer in writers.values():
            writer.cancel()
        self._clear.clear()



def _fresh_searcher(ix, previous):
    """A searcher on the index's latest segments, reusing the previous searcher's readers of
    the segments still there (opening a segment costs milliseconds; a save adds one small
    segment). A reused segment whose deletions changed gets its new deletions."""
    import copy

    from whoosh.reading import EmptyReader, MultiReader, SegmentReader
    from whoosh.searching import Searcher

    toc = ix._read_toc()
    old = {}
    if previous is not None:
        for r, _ in previous.reader().leaf_readers():
            if isinstance(r, SegmentReader) and not r.is_closed:
                old[r.segment().segment_id()] = r
    readers = []
    for segment in toc.segments:
        found = old.pop(segment.segment_id(), None)
        if found is None:
            readers.append(SegmentReader(ix.storage, toc.schema, segment,
                                         generation=toc.generation))
            continue
        reused = copy.copy(found)  # same files; this generation's segment (its deletions)
        reused._segment = segment
        reused._gen = toc.generation
        reused._perdoc = copy.copy(found._perdoc)
        reused._perdoc._segment = segment
        reused.__dict__.pop("deleted_docs_set", None)  # a cached property of the old one
        readers.append(reused)
    for r in old.values():  # merged away: nothing else uses these
        r.close()
    if not readers:
        reader = EmptyReader(toc.schema)
    elif len(readers) == 1:
        reader = readers[0]
    else:
        reader = MultiReader(readers, generation=toc.generation)
    return Searcher(reader, weighting=BM25F(), fromindex=ix)


@contextmanager
def _flock(path: Path, timeout: float | None) -> Iterator[None]:
    """An exclusive lock on a file across processes; IndexBusy after `timeout` seconds
    (None waits as long as it takes, 0 not at all)."""
    import fcntl

    with open(path, "a+") as handle:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise IndexBusy(f"{path} is held by another process") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class _Reader:
    """A kind's searcher, kept open and refreshed when the index changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.searcher = None
        #: Counts the searchers opened: results cached under one are stale under the next.
        self.generation = 0


class OneWrite:
    """The face's one-document writes, each a batch of one: for every index behind the face
    (this one and search_index/pg.py's), which supply `batch()`."""

    def upsert(self, kind: str, id: int | str, fields: Mapping[str, Any],
               tags: Mapping[str, Any] | None = None) -> None:
        """Add or replace a document. Fields: name, title, keywords, text (str or list)."""
        with self.batch() as batch:
            batch.upsert(kind, id, fields, tags)

    def delete(self, kind: str, id: int | str) -> None:
        """Remove a document (nothing happens when there is none)."""
        with self.batch() as batch:
            batch.delete(kind, id)


class Index(OneWrite):
    """Full-text search and matching over documents of several kinds in one directory."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._ixes: dict[str, Any] = {}
        self._readers: dict[str, _Reader] = {}
        self._guard = threading.Lock()
        self._found: OrderedDict[tuple, tuple[float, list, int]] = OrderedDict()
        self._found_lock = threading.Lock()
        #: Per kind: the thread merging its segments, and whether a save came meanwhile.
        self._merging: dict[str, threading.Thread] = {}
        self._merge_again: set[str] = set()

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> Index:
        """A new, empty index at `path` (an index already there is removed)."""
        path = Path(path)
        if path.exists():
            for child in path.iterdir():
                if (child.is_dir() and _KIND_RE.match(child.name)
                        and whoosh_index.exists_in(str(child))):
                    shutil.rmtree(child)
        path.mkdir(parents=True, exist_ok=True)
        (path / _META).write_text(json.dumps({"format": FORMAT, "created": time.time()}))
        return cls(path)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Index:
        """The index at `path`; IndexNotFound when there is none."""
        path = Path(path)
        try:
            meta = json.loads((path / _META).read_text())
        except (OSError, ValueError):
            raise IndexNotFound(f"no search index at {path}") from None
        if meta.get("format") != FORMAT:
            raise IndexNotFound(f"the search index at {path} is of an older format: rebuild it")
        return cls(path)

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str]) -> Index:
        try:
            return cls.open(path)
        except IndexNotFound:
            return cls.create(path)

    def close(self) -> None:
        """Wait for merges under way and close open searchers (the index stays on disk)."""
        self.settle()
        for reader in list(self._readers.values()):
            with reader.lock:
                if reader.searcher is not None:
                    reader.searcher.close()
                    reader.searcher = None

    def __enter__(self) -> Index:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- kinds -----------------------------------------------------------------------------
    def _dir(self, kind: str) -> Path:
        if not _KIND_RE.match(kind or ""):
            raise ValueError(f"bad document kind {kind!r}")
        return self.path / kind

    def _exists(self, kind: str) -> bool:
        return whoosh_index.exists_in(str(self._dir(kind)))

    def _whoosh(self, kind: str, create: bool = False):
        with self._guard:
            ix = self._ixes.get(kind)
            if ix is not None:
                return ix
            directory = self._dir(kind)
            if whoosh_index.exists_in(str(directory)):
                ix = FileStorage(str(directory)).open_index()
            elif create:
                ix = self._create_kind(directory)
            else:
                return None
            self._ixes[kind] = ix
            return ix

    def _create_kind(self, directory: Path):
        """A kind's first document: one process creates its index, others wait and open it."""
        import fcntl

        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".create.lock", "a+") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                if whoosh_index.exists_in(str(directory)):
                    return FileStorage(str(directory)).open_index()
                directory.mkdir(parents=True, exist_ok=True)
                return FileStorage(str(directory)).create_index(make_schema())
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _recreate(self, kind: str) -> None:
        with self._guard:
            self._ixes[kind] = FileStorage(str(self._dir(kind))).create_index(make_schema())

    def kinds(self) -> list[str]:
        """Kinds that have an index here."""
        if not self.path.exists():
            return []
        return sorted(p.name for p in self.path.iterdir()
                      if p.is_dir() and _KIND_RE.match(p.name) and whoosh_index.exists_in(str(p)))

    @contextmanager
    def _searcher(self, kind: str) -> Iterator[Any]:
        """The kind's current searcher (None when the kind has no index yet), for one use."""
        with self._guard:
            reader = self._readers.setdefault(kind, _Reader())
        with reader.lock:
            if reader.searcher is not None and not reader.searcher.up_to_date():
                # A fresh searcher, reusing the segments still there (Whoosh's refresh()
                # would miss deletions committed to a segment it already had open).
                reader.searcher = _fresh_searcher(self._whoosh(kind), reader.searcher)
                reader.generation += 1
                reader.searcher.kk_generation = reader.generation
            if reader.searcher is None:
                ix = self._whoosh(kind)
                if ix is None:
                    yield None
                    return
                reader.searcher = _fresh_searcher(ix, None)
                reader.generation += 1
                reader.searcher.kk_generation = reader.generation
            yield reader.searcher

    # -- writing ---------------------------------------------------------------------------
    def batch(self, timeout: float = WRITE_TIMEOUT, procs: int = 1, expected: int = 0) -> Batch:
        """`with ix.batch() as b: b.upsert(...); b.delete(...)`: one commit for all.
        A rebuild passes `procs` (processes that analyse) and `expected` (documents)."""
        return Batch(self, timeout, procs, expected)

    def optimise(self, kinds: Iterable[str] | None = None,
                 timeout: float = WRITE_TIMEOUT) -> dict[str, int]:
        """Merge each kind's segments into one (saves leave small segments behind); the
        number of segments each kind had. Minutes on a large kind: run it off the request
        path (the index worker when idle, `crm index optimise`, after a rebuild)."""
        before = {}
        for kind in list(kinds) if kinds is not None else self.kinds():
            ix = self._whoosh(kind)
            if ix is None:
                continue
            with _flock(self._dir(kind) / _MERGE_LOCK, timeout):  # no merge under way
                segments = len(ix._segments())
                before[kind] = segments
                if segments > 1:
                    try:
                        ix.writer(timeout=timeout, delay=0.05, limitmb=REBUILD_LIMITMB).commit(
                            optimize=True)
                    except writing.LockError as exc:
                        raise IndexBusy(f"the {kind} index is locked by another writer") from exc
        return before

    def _merge_later(self, kind: str) -> None:
        """After a save's commit: merge the kind's small segments when a band is full, in a
        thread of this process (BACKGROUND_MERGES) or here."""
        if not BACKGROUND_MERGES:
            self._merge(kind)
            return
        with self._guard:
            running = self._merging.get(kind)
            if running is not None and running.is_alive():
                self._merge_again.add(kind)  # it looks again before it ends
                return
            thread = threading.Thread(target=self._merge_in_background, args=(kind,),
                                      name=f"index-merge-{kind}", daemon=True)
            self._merging[kind] = thread
        thread.start()

    def _merge_in_background(self, kind: str) -> None:
        while True:
            try:
                self._merge(kind)
            except Exception:  # the index is as it was; the next save or optimise merges
                log.exception("merging the %s index's small segments failed", kind)
            with self._guard:
                if kind not in self._merge_again:
                    self._merging.pop(kind, None)
                    return
                self._merge_again.discard(kind)

    def _merge(self, kind: str) -> int:
        """Merge full bands of a kind's segments until none is left; merges done. Skipped
        when another thread or process is merging this kind (a band it left full is merged
        after the next save)."""
        ix = self._whoosh(kind)
        if ix is None:
            return 0
        folder = self._dir(kind)
        done = 0
        try:
            with _flock(folder / _MERGE_LOCK, 0):
                for stale in folder.glob(".merge-*"):  # left by a process that died merging
                    shutil.rmtree(stale, ignore_errors=True)
                while _Merge(ix, folder).run(WRITE_TIMEOUT):
                    done += 1
        except IndexBusy:
            pass
        return done

    def merge_small(self, kinds: Iterable[str] | None = None) -> dict[str, int]:
        """Merge each kind's full bands of small segments (as after a save: built aside, the
        write lock held only to swap them in); the merges done per kind, where any."""
        done = {kind: self._merge(kind) for kind in (kinds if kinds is not None
                                                     else self.kinds())}
        return {kind: n for kind, n in done.items() if n}

    def settle(self) -> None:
        """Wait for the merges this process has under way (tests, closing)."""
        while True:
            with self._guard:
                threads = [t for t in self._merging.values() if t.is_alive()]
            if not threads:
                return
            for thread in threads:
                thread.join()

    def segments(self, kind: str) -> int:
        """How many segments a kind's index has (1 after optimise())."""
        ix = self._whoosh(kind)
        return len(ix._segments()) if ix is not None else 0

    def lock(self, timeout: float | None = None):
        """An exclusive lock on this index directory across processes (a context manager);
        IndexBusy after `timeout` seconds (None waits as long as it takes)."""
        self.path.mkdir(parents=True, exist_ok=True)
        return _flock(self.path / _LOCK, timeout)

    # -- reading ---------------------------------------------------------------------------
    def count(self, kind: str) -> int:
        with self._searcher(kind) as searcher:
            return searcher.doc_count() if searcher is not None else 0

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per kind: documents and when the index last changed (seconds since the epoch)."""
        out = {}
        for kind in self.kinds():
            ix = self._whoosh(kind)
            out[kind] = {"documents": self.count(kind), "modified": ix.last_modified()}
        return out

    def ids(self, kind: str) -> set[int | str]:
        """Every id of a kind (for checks and tests)."""
        with self._searcher(kind) as searcher:
            if searcher is None:
                return set()
            return {_unkey(fields["key"]) for fields in searcher.all_stored_fields()}

    def match(self, text: str, kind: str = "seed", limit: int | None = 10,
              where: Mapping[str, Any] | None = None, exclude: Iterable[int | str] = (),
              scoring: str = "lm", cutoff: float | None = None,
              translator: Translator | None = None,
              doc_likelihood: float | None = None) -> list[Hit]:
        """Documents of `kind` that match a text, best first, each with the text's words that
        matched. `where` filters on tags; `exclude` leaves ids out; `limit=None` returns all.
        `cutoff` (0–1) leaves out documents whose matched words weigh less than that share of
        the best document's (weak matches on a common word). scoring="bm25" is the plain BM25
        baseline (an OR of every word), for comparison. `doc_likelihood` mixes the document
        likelihood into the score (matching.DOC_LIKELIHOOD; None: that default, off)."""
        spans = list(terms(text))
        if not spans:
            return []
        with self._searcher(kind) as searcher:
            if searcher is None or searcher.doc_count() == 0:
                return []
            if scoring == "bm25":
                return self._match_bm25(searcher, kind, spans, limit, where, exclude)
            if scoring != "lm":
                raise ValueError(f"unknown scoring {scoring!r}")
            reader = searcher.reader()
            total_length = reader.field_length(BODY)
            if not total_length:
                return []
            stats = _TermStats(reader)
            need = prepare(text, spans, stats.collection_frequency, total_length,
                           searcher.doc_count(), translator, doc_likelihood)
            if not need.weights:
                return []
            scored = _score(searcher, need, where, exclude, limit, cutoff)
        return [Hit(kind, _unkey(key), score, partial(need.why, parts))
                for score, key, parts in scored]

    def _match_bm25(self, searcher, kind, spans, limit, where, exclude) -> list[Hit]:
        counts = Counter(t.text for t in spans)
        query = Or([Term(BODY, t, boost=float(n)) for t, n in counts.items()])
        mask = Or([Term("key", _key(i)) for i in exclude]) if exclude else None
        results = searcher.search(query, limit=limit, filter=_where(where), mask=mask,
                                  terms=True)
        hits = []
        for hit in results:
            matched = sorted({t.decode() if isinstance(t, bytes) else t
                              for _, t in hit.matched_terms()})
            hits.append(Hit(kind, _unkey(hit["key"]), hit.score, matched))
        return hits

    def search(self, query: str, kinds: Iterable[str] | None = None, limit: int = 20,
               where: Mapping[str, Any] | None = None) -> SearchResults:
        """The search box: documents with every word of the query (or, when none has them
        all, with some), by kind in the order given, best first; at most `limit` per kind."""
        groups = query_words(query)
        kinds = list(kinds) if kinds is not None else self.kinds()
        if not groups:
            return SearchResults(totals={k: 0 for k in kinds})
        fields = list(SEARCH_FIELDS)
        words = [_group_query(g, fields) for g in groups]
        strict = And(words) if len(words) > 1 else words[0]
        found = self._search_kinds(strict, kinds, limit, where, groups)
        if len(words) > 1 and not found:
            found = self._search_kinds(Or(words), kinds, limit, where, groups)
            found.partial = True
        return found

    def _search_kinds(self, query, kinds, limit, where, groups) -> SearchResults:
        hits: list[Hit] = []
        totals: dict[str, int] = {}
        words = [g.display for g in groups]
        for kind in kinds:
            with self._searcher(kind) as searcher:
                if searcher is None:
                    totals[kind] = 0
                    continue
                found, totals[kind] = self._search_kind(searcher, kind, query, limit, where)
            hits.extend(Hit(kind, _unkey(key), score, words) for key, score in found)
        return SearchResults(hits, totals, cap=_cap(limit))

    def _search_kind(self, searcher, kind, query, limit, where) -> tuple[list, int]:
        """(key, score) of a kind's best `limit` documents and the capped total, reused while
        the kind's index is unchanged (RESULTS_SECONDS at most): the same words are searched
        again and again, and Whoosh scores every document that has them."""
        key = (kind, searcher.kk_generation, repr(query), limit,
               repr(sorted((where or {}).items())))
        now = time.monotonic()
        with self._found_lock:
            cached = self._found.get(key)
            if cached is not None and now - cached[0] < RESULTS_SECONDS:
                self._found.move_to_end(key)
                return cached[1], cached[2]
        results = searcher.search(query, limit=limit, filter=_where(where))
        found = [(hit["key"], hit.score) for hit in results]
        total = _count(searcher, results, query, where, limit)
        with self._found_lock:
            self._found[key] = (now, found, total)
            while len(self._found) > RESULTS_CACHED:
                self._found.popitem(last=False)
        return found, total


#: search() reuses a kind's results for the same query while that kind's index is unchanged,
#: for this many seconds at most, and keeps this many result lists per process.
RESULTS_SECONDS = 60.0
RESULTS_CACHED = 512


def _count(searcher, results, query, where, limit: int) -> int:
    """How many documents matched, counted up to COUNT_CAP + 1 (Whoosh's len() collects every
    match into a set in a second pass)."""
    shown = results.scored_length()
    if shown < limit:
        return shown  # fewer than asked for: that is all of them
    filtered = _where(where)
    if filtered is not None:
        query = And([query, filtered])
    counted = _count_arrays(searcher, query)
    if counted is not None:
        return min(counted, _cap(limit) + 1)
    return sum(1 for _ in islice(searcher.docs_for_query(query), _cap(limit) + 1))


def _count_arrays(searcher, query) -> int | None:
    """How many live documents match a query of terms joined by AND and OR, from the terms'
    postings as arrays (the decoded postings matching keeps): Whoosh's matcher tree walked
    every match of a query of several words again, as long as its search. None for a query
    of another shape (a word start)."""
    total = 0
    for segment, _ in searcher.reader().leaf_readers():
        docs = _docs_of(segment, query)
        if docs is None:
            return None
        if segment.has_deletions() and len(docs):
            docs = docs[~np.isin(docs, np.fromiter(segment.deleted_docs_set, dtype=np.int32))]
        total += len(docs)
    return total


def _docs_of(segment, query) -> np.ndarray | None:
    """The document numbers (sorted, unique) of a segment that a Term/And/Or query matches."""
    if isinstance(query, Term):
        text = query.text.decode() if isinstance(query.text, bytes) else query.text
        return _POSTINGS.get(segment, text, query.fieldname).ids
    if isinstance(query, (And, Or)) and query.subqueries:
        parts = []
        for sub in query.subqueries:
            docs = _docs_of(segment, sub)
            if docs is None:
                return None
            parts.append(docs)
        combined = parts[0]
        for docs in parts[1:]:
            combined = (np.intersect1d(combined, docs, assume_unique=True)
                        if isinstance(query, And) else np.union1d(combined, docs))
        return combined
    return None


def _cap(limit: int) -> int:
    """The count's cap for a search showing `limit` hits (never fewer than it shows)."""
    return max(COUNT_CAP, limit)


class _TermStats:
    """Collection frequency and document frequency of terms in the body field, summed from
    the postings arrays of each segment (Whoosh's own term_info on a reader of several
    segments cost more than scoring). Like Whoosh's statistics, they count documents deleted
    from a segment until it is merged."""

    def __init__(self, reader) -> None:
        self.leaves = [segment for segment, _ in reader.leaf_readers()]
        self._cache: dict[str, tuple[int, int]] = {}

    def get(self, term: str) -> tuple[int, int]:
        found = self._cache.get(term)
        if found is None:
            cf = df = 0
            for segment in self.leaves:
                postings = _POSTINGS.get(segment, term)
                cf += postings.cf
                df += len(postings.ids)
            found = self._cache[term] = (cf, df)
        return found

    def collection_frequency(self, term: str) -> int:
        return self.get(term)[0]


def _posting_blocks(matcher) -> Iterator[tuple[Any, Any]]:
    """(document numbers, term frequencies) of a term's postings, a block at a time (Whoosh's
    matcher tree costs far more per posting than this loop)."""
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


class _Arrays:
    """One term's postings in one segment: document numbers (ascending, int32), term
    frequencies (float32: exact for whole numbers), their sum, and log(1 + tf / μp) for the
    latest μp asked (it changes only when the kind's statistics do)."""

    __slots__ = ("_logs", "cf", "ids", "tfs")

    def __init__(self, ids: np.ndarray, tfs: np.ndarray, cf: int) -> None:
        self.ids, self.tfs, self.cf = ids, tfs, cf
        self._logs: tuple[float, np.ndarray] | None = None

    def logs(self, mu_p: float) -> np.ndarray:
        """log(1 + tf / μp) of every posting: a term's part of a score, less its weight."""
        found = self._logs
        if found is None or found[0] != mu_p:
            found = self._logs = (mu_p, np.log1p(self.tfs / np.float64(mu_p)))
        return found[1]


_EMPTY = _Arrays(np.zeros(0, np.int32), np.zeros(0, np.float32), 0)


class _Postings:
    """A term's postings per segment as arrays (document numbers, term frequencies), kept
    while they fit a budget of bytes, the least recently used dropped first: a segment never
    changes once written (deletions are applied when scoring), so what was decoded once
    serves every later match in this process."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._lock = threading.Lock()
        self._arrays: OrderedDict[tuple[str, str, str], _Arrays] = OrderedDict()

    def get(self, segment, term: str, field: str = BODY) -> _Arrays:
        key = (segment._segid, field, term)
        found = self._arrays.get(key)
        if found is not None:
            with self._lock:
                if key in self._arrays:
                    self._arrays.move_to_end(key)
            return found
        try:
            matcher = segment.postings(field, term)
        except TermNotFound:
            found = _EMPTY
        else:
            if isinstance(matcher, FilterMatcher):
                matcher = matcher.child  # deleted documents are dropped when scoring
            ids, tfs = [], []
            for block_ids, block_tfs in _posting_blocks(matcher):
                ids.append(np.asarray(block_ids, dtype=np.int32))
                tfs.append(np.asarray(block_tfs, dtype=np.float32))
            if ids:
                tf = np.concatenate(tfs)
                found = _Arrays(np.concatenate(ids), tf, int(tf.sum(dtype=np.float64)))
            else:
                found = _EMPTY
        with self._lock:
            if key not in self._arrays:
                self._arrays[key] = found
                self.size += _nbytes(found)
                self.shrink(self.budget)
        return found

    def shrink(self, budget: int) -> None:
        """Drop the least recently used arrays until the rest fit `budget` bytes (the
        latest one stays: a match needs it now). The caller holds the lock."""
        while self.size > budget and len(self._arrays) > 1:
            _, old = self._arrays.popitem(last=False)
            self.size -= _nbytes(old)

    def resize(self, budget: int) -> None:
        with self._lock:
            self.budget = budget
            self.shrink(budget)


def _nbytes(arrays: _Arrays) -> int:
    """What one term's arrays take: document numbers and frequencies (4 bytes each), the
    logs a match computes (8 bytes each), and Python's objects around them."""
    return 16 * len(arrays.ids) + POSTING_OVERHEAD


#: Bytes of Python objects around one cached term's arrays (three numpy arrays, their holder,
#: the key and its strings): 690 measured with tracemalloc.
POSTING_OVERHEAD = 700
#: Bytes of decoded postings kept per process (CRM_SEARCH_CACHE_MB sets it in the app).
POSTINGS_CACHE = 64 * 1024 * 1024
_POSTINGS = _Postings(POSTINGS_CACHE)


def set_cache_budget(nbytes: int) -> None:
    """How many bytes of decoded postings this process keeps (0: none kept between matches)."""
    _POSTINGS.resize(max(0, int(nbytes)))


def _where_mask(leaves, size: int, where: Mapping[str, Any] | None) -> np.ndarray | None:
    """The documents a `where` filter lets through, as a mask over every document number
    (each tag's postings read as arrays, like a need's terms); None: no filter."""
    mask = None
    for name, value in (where or {}).items():
        if value is None:
            continue
        values = (list(value) if isinstance(value, (list, tuple, set, frozenset, range))
                  else [value])
        some = np.zeros(size, dtype=bool)
        for segment, base in leaves:
            for v in values:
                ids = _POSTINGS.get(segment, f"{name}={_tag_value(v)}", "tags").ids
                some[base + ids] = True
        mask = some if mask is None else mask & some
    return mask


def _score(searcher, need, where, exclude, limit: int | None, cutoff: float | None) -> list:
    """Every document sharing a term with the need, scored exactly (the NLLR of
    matching.py, term by term over postings decoded to arrays); the best `limit` as
    (score, key, that document's part per matched term), best first, ties by key."""
    reader = searcher.reader()
    leaves = reader.leaf_readers()
    size = sum(segment.doc_count_all() for segment, _ in leaves)
    acc = np.zeros(size)
    weights = need.weights
    # Every part is > 0 when every weight is: a document was found when its sum is.
    seen = None if all(w > 0 for w, _ in weights.values()) else np.zeros(size, dtype=bool)
    # The document likelihood's sums, when it is on: Σ tf · log(1 + c_q / (μ_q·p)).
    dl = np.zeros(size) if need.dl_weight else None
    per_segment: list[dict[str, _Arrays]] = []
    for segment, base in leaves:
        mine = acc[base:base + segment.doc_count_all()]
        arrays: dict[str, _Arrays] = {}
        for term, (weight, mu_p) in weights.items():
            postings = arrays[term] = _POSTINGS.get(segment, term)
            if postings.cf:
                mine[postings.ids] += weight * postings.logs(mu_p)
                if dl is not None:
                    dl[base + postings.ids] += np.float64(need.dl_logs[term]) * postings.tfs
                if seen is not None:
                    seen[base + postings.ids] = True
        if segment.has_deletions():
            mine[np.fromiter(segment.deleted_docs_set, dtype=np.int64)] = 0.0
        per_segment.append(arrays)
    if seen is not None:
        acc[~seen] = 0.0
        acc[seen & (acc == 0.0)] = np.nextafter(0, 1)  # found, with parts adding up to 0
    for i in exclude:
        acc[list(searcher.docs_for_query(Term("key", _key(i))))] = 0.0
    allowed = _where_mask(leaves, size, where)
    if allowed is not None:
        acc[~allowed] = 0.0
    found = np.flatnonzero(acc)
    if not len(found):
        return []
    parts = acc[found]
    if cutoff:
        kept = parts >= cutoff * parts.max()
        found, parts = found[kept], parts[kept]
    lengths = np.concatenate([lengths_of(segment) for segment, _ in leaves])[found]
    scores = parts / need.total_weight + np.log(need.mu / (lengths + need.mu))
    if dl is not None:
        scores = need.blend(scores, dl[found] / np.maximum(lengths, 1.0))
    if limit is not None and len(found) > limit:
        # The best `limit` and any tied with the last of them (ties are ordered by key).
        kth = np.partition(-scores, limit - 1)[limit - 1]
        kept = scores >= -kth
        found, scores = found[kept], scores[kept]
    bases = np.array([base for _, base in leaves])
    leaf_of = np.searchsorted(bases, found, side="right") - 1
    out = []
    for leaf, (segment, base) in enumerate(leaves):
        here = leaf_of == leaf
        if not here.any():
            continue
        local = found[here] - base
        # Each hit's part per term, for the words shown with it (one lookup per term).
        hit_parts: list[dict[str, float]] = [{} for _ in range(len(local))]
        for term, postings in per_segment[leaf].items():
            if not postings.cf:
                continue
            at = np.searchsorted(postings.ids, local)
            at[at >= len(postings.ids)] = 0
            matched = np.flatnonzero(postings.ids[at] == local)
            if len(matched):
                weight, mu_p = weights[term]
                values = weight * postings.logs(mu_p)[at[matched]]
                for n, value in zip(matched.tolist(), values.tolist(), strict=True):
                    hit_parts[n][term] = value
        for docnum, score, its_parts in zip(local.tolist(), scores[here].tolist(), hit_parts,
                                            strict=True):
            out.append((score, segment.stored_fields(docnum)["key"], its_parts))
    out.sort(key=lambda x: (-x[0], x[1]))
    return out[:limit] if limit is not None else out


_LENGTHS: OrderedDict[str, np.ndarray] = OrderedDict()
_LENGTHS_LOCK = threading.Lock()


def lengths_of(segment) -> np.ndarray:
    """Every document's exact body length in a segment (the `blen` column; segments never
    change: kept by id)."""
    key = segment.segment().segment_id()
    with _LENGTHS_LOCK:
        found = _LENGTHS.get(key)
        if found is not None:
            _LENGTHS.move_to_end(key)
            return found
    count = segment.doc_count_all()
    found = np.zeros(count, dtype=np.float64)
    if segment.has_column("blen"):
        column = segment.column_reader("blen")
        raw = getattr(column, "_dbfile", None)
        if raw is not None and getattr(column, "_fixedlen", 0) == 4:
            stored = min(column._count, count)
            found[:stored] = np.frombuffer(raw.get(column._basepos, stored * 4), dtype=">u4")
        else:
            found[:] = np.fromiter(column, dtype=np.float64, count=count)
    with _LENGTHS_LOCK:
        _LENGTHS[key] = found
        while len(_LENGTHS) > 256:
            _LENGTHS.popitem(last=False)
    return found


def _group_query(group: QueryWord, fields: list[str]) -> Query:
    per_term = []
    for term in group.terms:
        options: list[Query] = [Term(f, term) for f in fields]
        if group.prefix is not None:
            options.extend(Prefix(f, group.prefix) for f in fields)
        per_term.append(Or(options))
    return And(per_term) if len(per_term) > 1 else per_term[0]

