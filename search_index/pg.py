"""The search index kept in PostgreSQL: the same face as search_index.Index (Whoosh in a
directory), for several web hosts sharing one index (CRM_SEARCH_BACKEND=postgres).

    ix = PgIndex.open_or_create("postgresql+psycopg://…/kakehashi")
    ix.upsert("seed", 42, {"title": ..., "text": ...}, tags={"department": 3})
    ix.match("a company's needs", kind="seed")       # the same NLLR score as the Whoosh index
    ix.search("全固体電池", kinds=["seed", "company"])

Documents are analysed by the same analyser (search_index/analysis.py) and laid out by the
same `document()` as the Whoosh index (name, title, keywords, body, the body's term counts,
tags). Three tables, created by `create()` (prefixed `search_`, all rows under an index name
so that several indexes can share a database — tests use that):

- search_documents: a document's terms (every searched field's, a text[] with a GIN index),
  its tags (text[], GIN), the body's term counts (jsonb: what matching scores exactly), the
  search fields' boosted counts (jsonb: what the search box ranks by), the body length;
- search_terms: per kind and term, the count over all bodies and the documents having it
  (what a match's weights need; a B-tree on the term also serves the search box's prefixes);
- search_kinds: per kind, documents, total body length, and when it last changed.

Matching: the need's terms are weighed with search_index.matching.prepare() on these counts;
the candidates are found by the need's weightiest terms within the same postings budget and
ranked in SQL by the same partial score plus length prior, then scored exactly on every
term by Need.score (search_index/matching.py): the same formula and the same candidate rule
as the Whoosh index. Writes take effect at commit; lock() is a PostgreSQL advisory lock, so
draining the outbox from any host waits for the others.
"""
from __future__ import annotations

import math
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index as SqlIndex,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    create_engine,
    delete,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.engine import Engine, make_url

from search_index.analysis import cached_term_texts, query_words, terms
from search_index.candidates import choose_terms
from search_index.index import (
    BODY,
    AllOrNothing,
    _KIND_RE,
    WRITE_TIMEOUT,
    IndexBusy,
    IndexNotFound,
    OneWrite,
    SearchResults,
    _cap,
    _key,
    _tag_value,
    _unkey,
    document,
)
from search_index.matching import CANDIDATES, Hit, prepare
from search_index.schema import SEARCH_FIELDS
from search_index.translate import Translator

__all__ = ["PgIndex"]

metadata = MetaData()
documents = Table(
    "search_documents", metadata,
    Column("ix", String(40), primary_key=True),
    Column("kind", String(30), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("terms", ARRAY(Text), nullable=False),
    Column("tags", ARRAY(Text), nullable=False),
    Column("bag", JSONB, nullable=False),
    Column("weights", JSONB, nullable=False),
    Column("length", Integer, nullable=False),
    SqlIndex("ix_search_documents_terms", "terms", postgresql_using="gin"),
    SqlIndex("ix_search_documents_tags", "tags", postgresql_using="gin"),
)
term_stats = Table(
    "search_terms", metadata,
    Column("ix", String(40), primary_key=True),
    Column("kind", String(30), primary_key=True),
    Column("term", Text, primary_key=True),
    Column("cf", BigInteger, nullable=False),  # occurrences in bodies
    Column("df", Integer, nullable=False),     # bodies having it
    Column("docs", Integer, nullable=False),   # documents having it in any searched field
)
kind_stats = Table(
    "search_kinds", metadata,
    Column("ix", String(40), primary_key=True),
    Column("kind", String(30), primary_key=True),
    Column("documents", Integer, nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("modified", Float, nullable=False),
)
#: The search box ranks by BM25 over a term's boosted count in a document (the fields'
#: boosts of SEARCH_FIELDS), with the body's length against the kind's average for the length
#: normalisation (Whoosh's BM25F normalises each field by its own).
K1 = 1.2
B = 0.75
#: A prefix (光, batt) stands for at most this many of the terms beginning with it.
PREFIX_TERMS = 200


class _Where(str):
    """Where the index lives, shown by `crm index status` (the URL without its password)."""

    def exists(self) -> bool:
        return True


def _analysed(doc: Mapping[str, Any]) -> tuple[list[str], dict[str, float]]:
    """Every term of the searched fields, and each term's count weighted by its field's boost."""
    weights: Counter[str] = Counter()
    for field, boost in SEARCH_FIELDS.items():
        for term in terms(doc.get(field) or ""):
            weights[term.text] += boost
    return sorted(weights), dict(weights)


class PgBatch(AllOrNothing):
    """Several writes in one transaction (committed together, or not at all)."""

    def __init__(self, index: PgIndex):
        self.index = index
        self.count = 0
        self._conn = index.engine.connect()
        self._tx = self._conn.begin()
        self._deltas: dict[tuple[str, str], list[int]] = {}
        self._kinds: dict[str, list[int]] = {}
        #: kinds cleared in this batch: their documents are new, none to look up
        self._cleared: set[str] = set()

    def _old(self, kind: str, key: str) -> tuple[list[str], dict[str, int]] | None:
        row = self._conn.execute(
            select(documents.c.terms, documents.c.bag)
            .where(documents.c.ix == self.index.name, documents.c.kind == kind,
                   documents.c.key == key).with_for_update()).first()
        return None if row is None else (row.terms, row.bag)

    def _count(self, kind: str, all_terms: list[str], bag: Mapping[str, int], sign: int) -> None:
        for term in all_terms:
            delta = self._deltas.setdefault((kind, term), [0, 0, 0])
            delta[0] += sign * bag.get(term, 0)
            delta[1] += sign * (term in bag)
            delta[2] += sign
        totals = self._kinds.setdefault(kind, [0, 0])
        totals[0] += sign
        totals[1] += sign * sum(bag.values())

    def upsert(self, kind: str, id_: int | str, fields: Mapping[str, Any],
               tags: Mapping[str, Any] | None = None) -> None:
        self.index._check_kind(kind)
        doc = document(id_, fields, tags)
        key = doc["key"]
        all_terms, weights = _analysed(doc)
        # The body's term counts (the Whoosh index keeps only its length since FORMAT 2).
        bag = dict(Counter(cached_term_texts(doc[BODY]))) if doc.get(BODY) else {}
        old = None if kind in self._cleared else self._old(kind, key)
        if old is not None:
            self._count(kind, old[0], old[1], -1)
        self._count(kind, all_terms, bag, +1)
        row = {"ix": self.index.name, "kind": kind, "key": key, "terms": all_terms,
               "tags": (doc.get("tags") or "").split(), "bag": bag, "weights": weights,
               "length": sum(bag.values())}
        stmt = insert(documents).values(**row)
        self._conn.execute(stmt.on_conflict_do_update(
            index_elements=["ix", "kind", "key"],
            set_={c: stmt.excluded[c] for c in ("terms", "tags", "bag", "weights", "length")}))
        self.count += 1

    def delete(self, kind: str, id_: int | str) -> None:
        self.index._check_kind(kind)
        old = self._old(kind, _key(id_))
        if old is None:
            return
        self._count(kind, old[0], old[1], -1)
        self._conn.execute(delete(documents).where(
            documents.c.ix == self.index.name, documents.c.kind == kind,
            documents.c.key == _key(id_)))
        self.count += 1

    def clear(self, kind: str) -> None:
        """Drop every document of a kind (others see the old ones until the batch commits)."""
        self.index._check_kind(kind)
        for table in (documents, term_stats):
            self._conn.execute(delete(table).where(table.c.ix == self.index.name,
                                                   table.c.kind == kind))
        self._conn.execute(delete(kind_stats).where(kind_stats.c.ix == self.index.name,
                                                    kind_stats.c.kind == kind))
        self._deltas = {k: v for k, v in self._deltas.items() if k[0] != kind}
        self._kinds.pop(kind, None)
        self._cleared.add(kind)

    def _flush(self) -> None:
        name = self.index.name
        rows = [{"ix": name, "kind": kind, "term": term, "cf": d[0], "df": d[1], "docs": d[2]}
                for (kind, term), d in sorted(self._deltas.items()) if any(d)]
        if rows:
            stmt = insert(term_stats)
            self._conn.execute(stmt.on_conflict_do_update(
                index_elements=["ix", "kind", "term"],
                set_={c: term_stats.c[c] + stmt.excluded[c] for c in ("cf", "df", "docs")}),
                rows)
            self._conn.execute(delete(term_stats).where(
                term_stats.c.ix == name, term_stats.c.docs <= 0,
                term_stats.c.kind.in_({r["kind"] for r in rows})))
        for kind, (docs, length) in sorted(self._kinds.items()):
            stmt = insert(kind_stats).values(ix=name, kind=kind, documents=docs, length=length,
                                             modified=time.time())
            self._conn.execute(stmt.on_conflict_do_update(
                index_elements=["ix", "kind"],
                set_={"documents": kind_stats.c.documents + stmt.excluded.documents,
                      "length": kind_stats.c.length + stmt.excluded.length,
                      "modified": stmt.excluded.modified}))
        self._deltas, self._kinds = {}, {}

    def commit(self) -> None:
        try:
            self._flush()
            self._tx.commit()
        finally:
            self._conn.close()

    def cancel(self) -> None:
        try:
            self._tx.rollback()
        finally:
            self._conn.close()



class PgIndex(OneWrite):
    """Full-text search and matching over documents of several kinds, in PostgreSQL."""

    #: The index is tables of the application's database: a database backup holds it.
    in_database = True

    def __init__(self, url: str | Engine, name: str = "main"):
        self.engine = url if isinstance(url, Engine) else create_engine(
            url, pool_pre_ping=True)
        self.name = name
        shown = make_url(str(self.engine.url)).render_as_string(hide_password=True)
        self.path = _Where(f"{shown} (search_* tables, index {name!r})")

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, url: str | Engine, name: str = "main") -> PgIndex:
        """The tables (made when missing) with no documents under `name`."""
        ix = cls(url, name)
        with ix.engine.begin() as conn:
            metadata.create_all(conn, checkfirst=True)
            for table in (documents, term_stats, kind_stats):
                conn.execute(delete(table).where(table.c.ix == name))
        return ix

    @classmethod
    def open(cls, url: str | Engine, name: str = "main") -> PgIndex:
        """The index in that database; IndexNotFound when its tables are not there."""
        ix = cls(url, name)
        with ix.engine.connect() as conn:
            if not ix.engine.dialect.has_table(conn, documents.name):
                raise IndexNotFound(f"no search index in {ix.path}")
        return ix

    @classmethod
    def open_or_create(cls, url: str | Engine, name: str = "main") -> PgIndex:
        try:
            return cls.open(url, name)
        except IndexNotFound:
            return cls.create(url, name)

    def drop(self) -> None:
        """Remove this index's documents (the tables stay for other indexes)."""
        with self.engine.begin() as conn:
            for table in (documents, term_stats, kind_stats):
                conn.execute(delete(table).where(table.c.ix == self.name))

    def close(self) -> None:
        """Nothing to close per index: connections return to the engine's pool."""

    def __enter__(self) -> PgIndex:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _check_kind(kind: str) -> None:
        if not _KIND_RE.match(kind or ""):
            raise ValueError(f"bad document kind {kind!r}")

    def kinds(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(kind_stats.c.kind).where(
                kind_stats.c.ix == self.name, kind_stats.c.documents > 0)).scalars())

    # -- writing ---------------------------------------------------------------------------
    def batch(self, timeout: float = WRITE_TIMEOUT, procs: int = 1,  # noqa: ARG002 - same face
              expected: int = 0) -> PgBatch:
        """One transaction for every write (a rebuild's `procs` and `expected` are Whoosh's:
        here the database does the work in one process)."""
        return PgBatch(self)

    def segments(self, kind: str) -> int:
        """The Whoosh index's segment count, for the same face: a kind's rows are one table
        here, never split by saves (1 when the kind has documents)."""
        return 1 if self.count(kind) else 0

    def optimise(self, kinds: Iterable[str] | None = None,  # noqa: ARG002 - same face
                 timeout: float = WRITE_TIMEOUT) -> dict[str, int]:
        """Nothing to merge: PostgreSQL keeps its own tables and indexes (autovacuum)."""
        return {kind: self.segments(kind) for kind in (kinds if kinds is not None
                                                       else self.kinds())}

    def merge_small(self, kinds: Iterable[str] | None = None) -> dict[str, int]:  # noqa: ARG002
        """Nothing to merge (same face as the Whoosh index)."""
        return {}

    @contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """An exclusive lock on this index across processes and hosts (a PostgreSQL advisory
        lock on its own connection); IndexBusy after `timeout` seconds (None: wait)."""
        lock_id = zlib.crc32(f"kakehashi-index:{self.name}".encode())
        with self.engine.connect() as conn:
            deadline = None if timeout is None else time.monotonic() + timeout
            while not conn.execute(text("SELECT pg_try_advisory_lock(:id)"),
                                   {"id": lock_id}).scalar():
                if deadline is not None and time.monotonic() >= deadline:
                    conn.rollback()
                    raise IndexBusy(f"the index {self.name!r} is busy")
                time.sleep(0.02)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                conn.commit()

    # -- reading ---------------------------------------------------------------------------
    def _kind_totals(self, conn, kind: str) -> tuple[int, int]:
        row = conn.execute(select(kind_stats.c.documents, kind_stats.c.length).where(
            kind_stats.c.ix == self.name, kind_stats.c.kind == kind)).first()
        return (row.documents, row.length) if row else (0, 0)

    def count(self, kind: str) -> int:
        with self.engine.connect() as conn:
            return self._kind_totals(conn, kind)[0]

    def stats(self) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(kind_stats).where(kind_stats.c.ix == self.name,
                                                         kind_stats.c.documents > 0)).all()
        return {r.kind: {"documents": r.documents, "modified": r.modified} for r in rows}

    def ids(self, kind: str) -> set[int | str]:
        with self.engine.connect() as conn:
            return {_unkey(k) for k in conn.execute(select(documents.c.key).where(
                documents.c.ix == self.name, documents.c.kind == kind)).scalars()}

    def _filters(self, kind: str, where: Mapping[str, Any] | None,
                 exclude: Iterable[int | str] = ()) -> list | None:
        """The WHERE conditions of a kind's documents with these tags (None: none can)."""
        conditions = [documents.c.ix == self.name, documents.c.kind == kind]
        for name, value in (where or {}).items():
            if value is None:
                continue
            values = [f"{name}={_tag_value(v)}" for v in (
                value if isinstance(value, (list, tuple, set, frozenset, range)) else [value])]
            if not values:
                return None
            conditions.append(documents.c.tags.overlap(values))
        keys = [_key(i) for i in exclude]
        if keys:
            conditions.append(documents.c.key.not_in(keys))
        return conditions

    def match(self, text: str, kind: str = "seed", limit: int | None = 10,
              where: Mapping[str, Any] | None = None, exclude: Iterable[int | str] = (),
              scoring: str = "lm", cutoff: float | None = None,
              translator: Translator | None = None,
              doc_likelihood: float | None = None) -> list[Hit]:
        """As search_index.Index.match: documents of `kind` matching a text, best first (with
        a translator, the text's words are also looked for in the other language). With the
        document likelihood on, candidates are still chosen by the NLLR's partial score."""
        spans = list(terms(text))
        if not spans:
            return []
        if scoring not in ("lm", "bm25"):
            raise ValueError(f"unknown scoring {scoring!r}")
        with self.engine.connect() as conn:
            doc_count, total_length = self._kind_totals(conn, kind)
            conditions = self._filters(kind, where, exclude)
            if not doc_count or not total_length or conditions is None:
                return []
            wanted = {t.text for t in spans}
            if translator is not None and scoring == "lm":
                wanted |= {term for e in translator.expand(text, spans) for term in e.terms}
            wanted = sorted(wanted)
            stats = {r.term: (r.cf, r.df) for r in conn.execute(
                select(term_stats.c.term, term_stats.c.cf, term_stats.c.df).where(
                    term_stats.c.ix == self.name, term_stats.c.kind == kind,
                    term_stats.c.term.in_(wanted), term_stats.c.cf > 0))}
            if scoring == "bm25":
                return self._match_bm25(conn, kind, spans, stats, doc_count, total_length,
                                        conditions, limit)
            need = prepare(text, spans, lambda t: stats.get(t, (0, 0))[0], total_length,
                           doc_count, translator, doc_likelihood)
            if not need.weights:
                return []
            keep = None if limit is None else max(CANDIDATES, 3 * limit)
            chosen = choose_terms(need, lambda t: stats[t][1], keep)
            rows = self._candidates(conn, need, chosen, conditions, keep)
        scored = []
        for key, bag in rows:
            score, parts = need.score(bag)
            if parts:
                scored.append((score, key, parts))
        if cutoff and scored:
            best = max(sum(parts.values()) for _, _, parts in scored)
            scored = [x for x in scored if sum(x[2].values()) >= cutoff * best]
        scored.sort(key=lambda x: (-x[0], x[1]))
        if limit is not None:
            scored = scored[:limit]
        return [Hit(kind, _unkey(key), score, partial(need.why, parts))
                for score, key, parts in scored]

    def _candidates(self, conn, need, chosen: list[str], conditions: list,
                    keep: int | None) -> list[tuple[str, dict]]:
        """(key, term counts) of the documents worth scoring exactly: those having a chosen
        term, the best `keep` by partial score on those terms plus the length prior."""
        stmt = select(documents.c.key, documents.c.bag).where(
            *conditions, documents.c.terms.overlap(chosen))
        if keep is not None:
            weights = [need.weights[t][0] for t in chosen]
            mu_ps = [need.weights[t][1] for t in chosen]
            partial_score = _weighted_sum(documents.c.bag, chosen, weights, mu_ps)
            prior = func.ln(need.mu / (documents.c.length + need.mu))
            stmt = (stmt.order_by((partial_score / need.total_weight + prior).desc(),
                                  documents.c.key).limit(keep))
        return [(r.key, r.bag) for r in conn.execute(stmt)]

    def _match_bm25(self, conn, kind, spans, stats, doc_count, total_length, conditions,
                    limit) -> list[Hit]:
        """Plain BM25 (an OR of every word), the baseline matching is compared with."""
        counts = Counter(t.text for t in spans if t.text in stats)
        if not counts:
            return []
        rows = conn.execute(select(documents.c.key, documents.c.bag, documents.c.length)
                            .where(*conditions, documents.c.terms.overlap(sorted(counts))))
        average = total_length / doc_count
        hits = []
        for key, bag, length in rows:
            score, matched = 0.0, []
            for term, n in counts.items():
                tf = bag.get(term, 0)
                if tf:
                    df = stats[term][1]
                    idf = math.log(1 + (doc_count - df + 0.5) / (df + 0.5))
                    score += n * idf * tf * (K1 + 1) / (tf + K1 * (0.25 + 0.75 * length / average))
                    matched.append(term)
            if matched:
                hits.append((score, key, sorted(matched)))
        hits.sort(key=lambda x: (-x[0], x[1]))
        return [Hit(kind, _unkey(key), score, matched)
                for score, key, matched in hits[:limit]]

    def search(self, query: str, kinds: Iterable[str] | None = None, limit: int = 20,
               where: Mapping[str, Any] | None = None) -> SearchResults:
        """As search_index.Index.search: documents with every word of the query (or, when
        none has them all, with some), by kind in the order given, best first."""
        groups = query_words(query)
        kinds = list(kinds) if kinds is not None else self.kinds()
        if not groups:
            return SearchResults(totals={k: 0 for k in kinds})
        with self.engine.connect() as conn:
            found = self._search_kinds(conn, groups, kinds, limit, where, strict=True)
            if len(groups) > 1 and not found:
                found = self._search_kinds(conn, groups, kinds, limit, where, strict=False)
                found.partial = True
        return found

    def _prefixed(self, conn, kind: str, prefix: str) -> list[str]:
        rows = conn.execute(select(term_stats.c.term).where(
            term_stats.c.ix == self.name, term_stats.c.kind == kind,
            term_stats.c.term >= prefix, term_stats.c.term < prefix + "\U0010ffff",
            func.left(term_stats.c.term, len(prefix)) == prefix)
            .order_by(term_stats.c.docs.desc()).limit(PREFIX_TERMS)).scalars()
        return list(rows)

    def _search_kinds(self, conn, groups, kinds, limit, where, strict: bool) -> SearchResults:
        hits: list[Hit] = []
        totals: dict[str, int] = {}
        words = [g.display for g in groups]
        cap = _cap(limit)
        for kind in kinds:
            conditions = self._filters(kind, where)
            if conditions is None:
                totals[kind] = 0
                continue
            # a word: all its terms (each of them, or a term it begins, for a prefix)
            per_group, scored_terms = [], set()
            for group in groups:
                extra = self._prefixed(conn, kind, group.prefix) if group.prefix else []
                parts = []
                for term in group.terms:
                    options = sorted({term, *extra})
                    parts.append(documents.c.terms.overlap(options))
                    scored_terms.update(options)
                per_group.append(parts[0] if len(parts) == 1 else and_(*parts))
            condition = and_(*per_group) if strict else or_(*per_group)
            base = select(documents.c.key).where(*conditions, condition)
            totals[kind] = conn.execute(select(func.count()).select_from(
                base.limit(cap + 1).subquery())).scalar_one()
            if not totals[kind]:
                continue
            stats = dict(conn.execute(select(term_stats.c.term, term_stats.c.docs).where(
                term_stats.c.ix == self.name, term_stats.c.kind == kind,
                term_stats.c.term.in_(sorted(scored_terms)))).all())
            doc_count, body_length = self._kind_totals(conn, kind)
            doc_count = doc_count or 1
            idf = {t: math.log(1 + (doc_count - n + 0.5) / (n + 0.5)) for t, n in stats.items()}
            average = body_length / doc_count
            norm = (1 - B + B * documents.c.length / average) if average else 1.0
            score = _weighted_sum(documents.c.weights, list(idf), list(idf.values()), norm=norm)
            rows = conn.execute(
                select(documents.c.key, score.label("score")).where(*conditions, condition)
                .order_by(score.desc(), documents.c.key).limit(limit))
            hits.extend(Hit(kind, _unkey(key), s, words) for key, s in rows)
        return SearchResults(hits, totals, cap=cap)


def _weighted_sum(counts, terms_: list[str], weights: list[float],
                  mu_ps: list[float] | None = None, norm: Any = 1.0):
    """SQL, per document: the sum over the terms it has of weight · ln(1 + count / μp)
    (matching's partial score), or with no μp BM25's weight · count · (K1 + 1) / (count +
    K1 · norm), `norm` the document's length normalisation (the search box's rank); `counts`
    is a jsonb column of term counts."""
    arrays = [bindparam(None, terms_, type_=ARRAY(Text)),
              bindparam(None, weights, type_=ARRAY(Float))]
    names = ["term", "weight"]
    if mu_ps is not None:
        arrays.append(bindparam(None, mu_ps, type_=ARRAY(Float)))
        names.append("mu_p")
    q = func.unnest(*arrays).table_valued(*names).render_derived()
    count = counts[q.c.term].astext.cast(Float)
    part = (q.c.weight * func.ln(1 + count / q.c.mu_p) if mu_ps is not None
            else q.c.weight * count * (K1 + 1) / (count + K1 * norm))
    return (select(func.coalesce(func.sum(part), 0.0)).where(counts.has_key(q.c.term))
            .scalar_subquery())
