"""The only place that turns records into search documents and talks to `search_index`.

How the index stays current (the outbox, see shared/design/ARCHITECTURE.md):

1. When a session flushes a change to a company, contact, encounter, activity, event,
   researcher or research seed, a hook here writes an `index_outbox` row for every search
   document the change touches ("seed 42", and "researcher 7" whose profile quotes that seed),
   in the same transaction as the change. A rollback takes them away with the change.
2. After the commit, the outbox is drained into the index: in the same process by default
   (CRM_INDEX_MODE = "inline", so a change is searchable when the save returns), or by
   `crm index worker` (CRM_INDEX_MODE = "worker", for several web processes or hosts).
   Draining reads each touched record afresh and upserts (or deletes) its document, under a
   cross-process lock, and deletes the rows it handled only after the index committed:
   a process that dies in between loses nothing, the rows are still there.
3. `crm index rebuild` rebuilds every document from the database, which is the truth.

Reads: views call search()/match_*() here; the index answers ids, scores and the words that
matched; one query per kind loads the records to show.
"""
from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import bindparam, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session, joinedload

from crm.activities.models import Activity
from crm.auth.models import User
from crm.common.text import person_name
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.glossary import services as glossary
from crm.outbox import IndexOutbox
from crm.research.models import Department, Researcher, ResearchSeed, seed_researchers
from search_index import COUNT_CAP, Hit, Index, IndexBusy, SearchResults
from search_index.index import set_cache_budget

log = logging.getLogger(__name__)

#: Document kinds, in the order the search page shows them.
KINDS = ("company", "contact", "researcher", "seed", "event", "activity", "encounter")
_MODEL_KIND = {Company: "company", Contact: "contact", Researcher: "researcher",
               ResearchSeed: "seed", Event: "event", Activity: "activity", Encounter: "encounter"}
#: How long a save waits for another process that is writing the index before leaving its
#: update in the outbox for the next drain (seconds).
INLINE_LOCK_TIMEOUT = 2.0
DRAIN_BATCH = 500
#: Processes that analyse documents in a rebuild (CRM_INDEX_PROCS overrides; 1: in-process).
REBUILD_PROCS = min(4, os.cpu_count() or 1)
#: A company document quotes this many of its latest activities and encounter interests.
COMPANY_RECENT = 100
#: Matches whose matched words weigh less than this share of the best match's are not shown.
MATCH_CUTOFF = 0.25


# --- the index ------------------------------------------------------------------------------

def get_index(app=None) -> Index:
    """The application's index (CRM_INDEX_DIR, or with CRM_SEARCH_BACKEND=postgres the
    database's search_* tables), created empty when there is none."""
    app = app or current_app._get_current_object()
    ix = app.extensions.get("search_index")
    if ix is None or not ix.path.exists():
        if app.config.get("CRM_SEARCH_BACKEND") == "postgres":
            # the index in the database itself, shared by every host (search_index/pg.py)
            from search_index.pg import PgIndex

            if db.engine.dialect.name != "postgresql":
                raise RuntimeError("CRM_SEARCH_BACKEND=postgres keeps the search index in the "
                                   "database: DATABASE_URL must name a PostgreSQL database.")
            ix = PgIndex.open_or_create(db.engine)
        else:
            ix = Index.open_or_create(app.config["CRM_INDEX_DIR"])
            if app.config.get("CRM_SEARCH_CACHE_MB") is not None:
                set_cache_budget(int(app.config["CRM_SEARCH_CACHE_MB"]) * 1024 * 1024)
        app.extensions["search_index"] = ix
    return ix


def index_mode(app=None) -> str:
    """"inline" (drain after each commit, the default) or "worker" (`crm index worker`)."""
    app = app or current_app
    mode = app.config.get("CRM_INDEX_MODE") or os.environ.get("CRM_INDEX_MODE") or "inline"
    return mode if mode in ("inline", "worker") else "inline"


# --- documents ------------------------------------------------------------------------------

Doc = tuple[dict[str, Any], dict[str, Any]]  # (text fields, filter tags)


def _join(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts if p)


def _company_docs(s: Session, ids: list[int]) -> dict[int, Doc]:
    docs: dict[int, Doc] = {}
    extra: dict[int, list[str]] = defaultdict(list)
    taken: dict[int, int] = defaultdict(int)
    for company_id, subject, minutes, confidential in s.execute(
        select(Activity.company_id, Activity.subject, Activity.minutes, Activity.confidential)
        .where(Activity.company_id.in_(ids))
        .order_by(Activity.company_id, Activity.occurred_on.desc(), Activity.id.desc())
    ):
        # The most recent ones say what a company cares about now (and keep a company with
        # thousands of meetings from becoming one huge document).
        taken[company_id] += 1
        if taken[company_id] <= COMPANY_RECENT:
            # Confidential minutes stay out: the words that matched would show them.
            extra[company_id].append(subject if confidential else _join(subject, minutes))
    taken.clear()
    for company_id, interests in s.execute(
        select(Contact.company_id, Encounter.research_interests)
        .join(Contact, Encounter.contact_id == Contact.id)
        .where(Contact.company_id.in_(ids), Encounter.research_interests.is_not(None))
        .order_by(Contact.company_id, Encounter.met_on.desc(), Encounter.id.desc())
    ):
        taken[company_id] += 1
        if taken[company_id] <= COMPANY_RECENT:
            extra[company_id].append(interests)
    for c in s.execute(select(Company.__table__).where(Company.id.in_(ids))).mappings():
        docs[c["id"]] = (
            {"name": [c["name"], c["name_reading"], c["name_en"], c["aliases"],
                      c["corporate_number"]],
             "keywords": [c["interests"], c["industry"]],
             "text": [c["description"], *extra.get(c["id"], [])]},
            {"status": c["status"], "officer": c["officer_id"], "country": c["country"]},
        )
    return docs


def _contact_docs(s: Session, ids: list[int]) -> dict[int, Doc]:
    docs: dict[int, Doc] = {}
    rows = s.execute(
        select(Contact.__table__, Company.name.label("company_name"))
        .outerjoin(Company, Contact.company_id == Company.id).where(Contact.id.in_(ids))
    ).mappings()
    for c in rows:
        docs[c["id"]] = (
            {"name": [person_name(c["family_name"], c["given_name"]), c["family_name_reading"],
                      c["given_name_reading"], c["email"], c["other_emails"]],
             "keywords": [c["title"], c["department"], c["company_name"]],
             "text": [c["how_we_met"], c["notes"]]},
            {"company": c["company_id"]},
        )
    return docs


def _researcher_docs(s: Session, ids: list[int]) -> dict[int, Doc]:
    docs: dict[int, Doc] = {}
    seeds: dict[int, list[str]] = defaultdict(list)
    for researcher_id, title, abstract, keywords in s.execute(
        select(seed_researchers.c.researcher_id, ResearchSeed.title, ResearchSeed.abstract,
               ResearchSeed.keywords)
        .join(ResearchSeed, ResearchSeed.id == seed_researchers.c.seed_id)
        .where(seed_researchers.c.researcher_id.in_(ids))
        .order_by(seed_researchers.c.researcher_id, ResearchSeed.id)
    ):
        seeds[researcher_id].append(_join(title, abstract, keywords))
    for r in s.execute(select(Researcher.__table__).where(Researcher.id.in_(ids))).mappings():
        docs[r["id"]] = (
            {"name": [person_name(r["family_name"], r["given_name"]), r["family_name_reading"],
                      r["given_name_reading"], r["name_en"], r["email"]],
             "keywords": r["keywords"],
             "text": [r["profile"], r["lab"], *seeds.get(r["id"], [])]},
            {"department": r["department_id"]},
        )
    return docs


def _seed_docs(s: Session, ids: list[int]) -> dict[int, Doc]:
    return {
        r["id"]: (
            {"title": r["title"], "text": r["abstract"], "keywords": r["keywords"]},
            {"department": r["department_id"], "readiness": r["readiness"],
             "government_funded": bool(r["government_funded"]), "status": r["status"],
             "ip": r["ip_status"]},
        )
        for r in s.execute(select(ResearchSeed.__table__).where(ResearchSeed.id.in_(ids)))
        .mappings()
    }


def _event_docs(s: Session, ids: list[int]) -> dict[int, Doc]:
    return {
        r["id"]: ({"name": r["name"], "text": [r["description"], r["location"]]},
                  {"kind": r["kind"]})
        for r in s.execute(select(Event.__table__).where(Event.id.in_(ids))).mappings()
    }


def _activity_docs(s: Session, ids: list[int]) -> dict[int, Doc]:
    return {
        r["id"]: ({"title": r["subject"], "text": None if r["confidential"] else r["minutes"]},
                  {"company": r["company_id"], "kind": r["kind"]})
        for r in s.execute(select(Activity.__table__).where(Activity.id.in_(ids))).mappings()
    }


def _encounter_docs(s: Session, ids: list[int]) -> dict[int, Doc]:
    return {
        r["id"]: ({"text": [r["research_interests"], r["small_talk"]]},
                  {"event": r["event_id"], "contact": r["contact_id"]})
        for r in s.execute(select(Encounter.__table__).where(Encounter.id.in_(ids))).mappings()
    }


DOCUMENTS: dict[str, Callable[[Session, list[int]], dict[int, Doc]]] = {
    "company": _company_docs, "contact": _contact_docs, "researcher": _researcher_docs,
    "seed": _seed_docs, "event": _event_docs, "activity": _activity_docs,
    "encounter": _encounter_docs,
}
_TABLES = {"company": Company, "contact": Contact, "researcher": Researcher,
           "seed": ResearchSeed, "event": Event, "activity": Activity, "encounter": Encounter}


def documents(s: Session, kind: str, chunk: int = 1000) -> Iterator[tuple[int, Doc]]:
    """Every document of a kind, read from the database in chunks."""
    model = _TABLES[kind]
    last = 0
    while True:
        ids = list(s.scalars(select(model.id).where(model.id > last).order_by(model.id)
                             .limit(chunk)))
        if not ids:
            return
        docs = DOCUMENTS[kind](s, ids)
        for id_ in ids:
            if id_ in docs:
                yield id_, docs[id_]
        last = ids[-1]


# --- the outbox: written in the same transaction as the change ------------------------------

def _history_old(obj: Any, attr: str) -> list[Any]:
    hist = inspect(obj).attrs[attr].history
    return [v for v in hist.deleted if v is not None]


def _collection_ids(obj: Any, attr: str) -> list[int]:
    hist = inspect(obj).attrs[attr].history
    return [o.id for o in (*hist.added, *hist.deleted, *hist.unchanged) if o.id is not None]


def _pending(session: Session) -> set[tuple[str, int]]:
    return session.info.setdefault("outbox_pairs", set())


@event.listens_for(Session, "before_flush")
def _outbox_before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Note what this flush touches while old values (a contact's previous company, the
    researchers a seed is leaving) are still known."""
    pairs = _pending(session)
    later = session.info.setdefault("outbox_later", [])
    conn = None
    for obj in list(session.new):
        if type(obj) in _MODEL_KIND:
            later.append(obj)
    for obj in list(session.dirty):
        kind = _MODEL_KIND.get(type(obj))
        if kind is None or not session.is_modified(obj, include_collections=True):
            continue
        later.append(obj)
        if isinstance(obj, (Activity, Contact)):
            pairs.update(("company", i) for i in _history_old(obj, "company_id"))
        elif isinstance(obj, ResearchSeed):
            pairs.update(("researcher", i) for i in _collection_ids(obj, "researchers"))
        elif isinstance(obj, Encounter):
            later.append(("contacts", _history_old(obj, "contact_id")))
    for obj in list(session.deleted):
        if isinstance(obj, Department):
            conn = conn or session.connection()
            pairs.update(("seed", i) for i in conn.scalars(
                select(ResearchSeed.id).where(ResearchSeed.department_id == obj.id)))
            pairs.update(("researcher", i) for i in conn.scalars(
                select(Researcher.id).where(Researcher.department_id == obj.id)))
            continue
        kind = _MODEL_KIND.get(type(obj))
        if kind is None or obj.id is None:
            continue
        pairs.add((kind, obj.id))
        if isinstance(obj, (Activity, Contact)):
            pairs.update(("company", i) for i in (obj.company_id, *_history_old(obj, "company_id"))
                         if i is not None)
        elif isinstance(obj, Encounter):
            later.append(("contacts", [obj.contact_id, *_history_old(obj, "contact_id")]))
        elif isinstance(obj, ResearchSeed):
            conn = conn or session.connection()
            pairs.update(("researcher", i) for i in conn.scalars(
                select(seed_researchers.c.researcher_id)
                .where(seed_researchers.c.seed_id == obj.id)))
            pairs.update(("researcher", i) for i in _collection_ids(obj, "researchers"))
    # An encounter's company is its contact's: resolved before a deleted contact is gone.
    contact_ids = {i for item in later if isinstance(item, tuple) for i in item[1] if i}
    if contact_ids:
        conn = conn or session.connection()
        pairs.update(("company", i) for i in conn.scalars(
            select(Contact.company_id).where(Contact.id.in_(contact_ids),
                                             Contact.company_id.is_not(None))))
    session.info["outbox_later"] = [x for x in later if not isinstance(x, tuple)]


@event.listens_for(Session, "after_flush")
def _outbox_after_flush(session: Session, flush_context: Any) -> None:
    """Write the outbox rows for this flush (new records have their ids now)."""
    pairs = _pending(session)
    later = session.info.pop("outbox_later", [])
    contact_ids: set[int] = set()
    seed_ids: set[int] = set()
    for obj in later:
        if obj.id is None or inspect(obj).deleted:
            continue
        pairs.add((_MODEL_KIND[type(obj)], obj.id))
        if isinstance(obj, Activity) and obj.company_id:
            pairs.add(("company", obj.company_id))
        elif isinstance(obj, Encounter) and obj.contact_id:
            contact_ids.add(obj.contact_id)
        elif isinstance(obj, ResearchSeed):
            seed_ids.add(obj.id)
    if contact_ids or seed_ids:
        conn = session.connection()
        if contact_ids:
            pairs.update(("company", i) for i in conn.scalars(
                select(Contact.company_id).where(Contact.id.in_(contact_ids),
                                                 Contact.company_id.is_not(None))))
        if seed_ids:
            pairs.update(("researcher", i) for i in conn.scalars(
                select(seed_researchers.c.researcher_id)
                .where(seed_researchers.c.seed_id.in_(seed_ids))))
    written = session.info.setdefault("outbox_written", set())
    rows = [{"kind": k, "entity_id": i} for k, i in sorted(pairs - written)]
    pairs.clear()
    if rows:
        session.connection().execute(insert(IndexOutbox), rows)
        written.update((r["kind"], r["entity_id"]) for r in rows)


def _forget(session: Session) -> None:
    for key in ("outbox_pairs", "outbox_later", "outbox_written"):
        session.info.pop(key, None)


@event.listens_for(Session, "after_commit")
def _outbox_after_commit(session: Session) -> None:
    """Drain what this transaction wrote, unless a separate worker does it."""
    wrote = bool(session.info.get("outbox_written"))
    _forget(session)
    if not wrote or not has_app_context() or index_mode() != "inline":
        return
    try:
        drain(timeout=INLINE_LOCK_TIMEOUT)
    except IndexBusy:
        log.info("search index busy; the update waits in the outbox for the next drain")
    except Exception:  # the change is committed; the outbox keeps the update for later
        log.exception("search index update failed; it stays in the outbox")


@event.listens_for(Session, "after_soft_rollback")
def _outbox_after_rollback(session: Session, previous_transaction: Any) -> None:
    _forget(session)


# --- draining and rebuilding ----------------------------------------------------------------

def _apply(s: Session, ix: Index, rows: list[tuple[int, str, int]]) -> None:
    by_kind: dict[str, set[int]] = defaultdict(set)
    for _, kind, entity_id in rows:
        if kind in DOCUMENTS:
            by_kind[kind].add(entity_id)
    with ix.batch() as batch:
        for kind, ids in by_kind.items():
            docs = DOCUMENTS[kind](s, sorted(ids))
            for id_ in sorted(ids):
                if id_ in docs:
                    batch.upsert(kind, id_, *docs[id_])
                else:
                    batch.delete(kind, id_)


def _drain_locked(ix: Index, limit: int | None = None) -> int:
    done = 0
    while limit is None or done < limit:
        with Session(db.engine) as s:
            rows = [tuple(r) for r in s.execute(
                select(IndexOutbox.id, IndexOutbox.kind, IndexOutbox.entity_id)
                .order_by(IndexOutbox.id).limit(DRAIN_BATCH))]
            if not rows:
                break
            # Records are read after the rows: a change committed after this read has a row
            # of its own that stays for the next drain.
            _apply(s, ix, rows)
            s.execute(delete(IndexOutbox).where(IndexOutbox.id.in_([r[0] for r in rows])))
            s.commit()
        done += len(rows)
        if len(rows) < DRAIN_BATCH:
            break
    return done


def drain(timeout: float | None = INLINE_LOCK_TIMEOUT, ix: Index | None = None) -> int:
    """Apply every pending outbox row to the index; the number applied. Waits up to
    `timeout` seconds for another process that is writing the index (IndexBusy after)."""
    ix = ix or get_index()
    with ix.lock(timeout):
        return _drain_locked(ix)


def rebuild(kinds: Iterable[str] = KINDS, echo: Callable[[str], None] | None = None,
            ix: Index | None = None, outbox: bool = True) -> dict[str, tuple[int, float]]:
    """Recreate the documents of the given kinds from the database; per kind the number of
    documents and the seconds it took. Updates saved meanwhile wait in the outbox and are
    applied at the end (`outbox=False` leaves the outbox alone: a read-only database)."""
    ix = ix or get_index()
    done: dict[str, tuple[int, float]] = {}
    with ix.lock(None):
        snapshot: list[int] = []
        if outbox:
            with Session(db.engine) as s:
                snapshot = list(s.scalars(select(IndexOutbox.id)))
        for kind in kinds:
            started = time.perf_counter()
            count = 0
            with Session(db.engine) as s:
                expected = s.scalar(select(func.count()).select_from(_TABLES[kind])) or 0
            # Several processes analyse the documents (the database is read here, while
            # they index); each writes a segment of its own.
            procs = current_app.config.get("CRM_INDEX_PROCS") or REBUILD_PROCS
            with Session(db.engine) as s, ix.batch(procs=procs, expected=expected) as batch:
                batch.clear(kind)
                for id_, (fields, tags) in documents(s, kind):
                    batch.upsert(kind, id_, fields, tags)
                    count += 1
                    if echo and count % 10000 == 0:
                        echo(f"  {kind}: {count:,}…")
            done[kind] = (count, time.perf_counter() - started)
            if echo:
                echo(f"  {kind}: {count:,} documents in {done[kind][1]:.1f} s")
        if outbox:
            with Session(db.engine) as s:
                for start in range(0, len(snapshot), 1000):
                    s.execute(delete(IndexOutbox)
                              .where(IndexOutbox.id.in_(snapshot[start:start + 1000])))
                s.commit()
            _drain_locked(ix)
    return done


def optimise(kinds: Iterable[str] | None = None, ix: Index | None = None,
             more_than: int = 1, timeout: float | None = None) -> dict[str, int]:
    """Merge the segments of each kind that has more than `more_than` into one, holding the
    index lock (saves wait in the outbox meanwhile); the segments each kind had."""
    ix = ix or get_index()
    with ix.lock(timeout):
        crowded = [k for k in (kinds or ix.kinds()) if ix.segments(k) > more_than]
        return ix.optimise(crowded) if crowded else {}


def tidy(ix: Index | None = None) -> dict[str, int]:
    """The index worker's idle chore: merge the full bands of small segments saves left (built
    aside; the write lock is held only to swap them in, so updates never wait for a merge).
    A kind is never rewritten whole here: on 50,000 companies that holds the index for a
    minute, during which every save waits (`crm index optimise` does it, off hours)."""
    return (ix or get_index()).merge_small()


def status(ix: Index | None = None) -> dict[str, Any]:
    """Pending updates, the oldest one's age, and per kind documents indexed vs records."""
    ix = ix or get_index()
    now = datetime.now(UTC)
    with Session(db.engine) as s:
        pending, oldest = s.execute(
            select(func.count(IndexOutbox.id), func.min(IndexOutbox.created_at))).one()
        records = {kind: s.scalar(select(func.count(model.id)))
                   for kind, model in _TABLES.items()}
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    stats = ix.stats()
    modified = max((v["modified"] for v in stats.values()), default=None)
    return {
        "path": str(ix.path),
        "mode": index_mode(),
        "pending": pending,
        "oldest_pending_seconds": (now - oldest).total_seconds() if oldest else None,
        "last_change_seconds": time.time() - modified if modified else None,
        "kinds": {kind: {"documents": stats.get(kind, {}).get("documents", 0),
                         "records": records[kind]} for kind in KINDS},
    }


# --- reading: search and matching for the pages ---------------------------------------------

@dataclass
class Found:
    """A hit with its record loaded from the database."""

    hit: Hit
    record: Any

    @property
    def terms(self) -> list[str]:
        return self.hit.terms

    @property
    def score(self) -> float:
        return self.hit.score


@dataclass
class Group:
    kind: str
    total: int
    items: list[Found] = field(default_factory=list)
    #: The most matches the index counted (search_index.COUNT_CAP).
    cap: int = COUNT_CAP

    @property
    def capped(self) -> bool:
        """True when more records matched than the index counted."""
        return self.total > self.cap

    @property
    def total_label(self) -> str:
        """The total as the page shows it: "1,000+" past the count's cap."""
        return f"{self.cap:,}+" if self.capped else f"{self.total:,}"


_LOAD_OPTIONS: dict[str, Callable[[], list[Any]]] = {
    # the officer's name only: their roles (loaded with a user by default) wait until asked
    "company": lambda: [joinedload(Company.officer).lazyload(User.role_rows)],
    "contact": lambda: [joinedload(Contact.company)],
    "researcher": lambda: [joinedload(Researcher.department)],
    "seed": lambda: [joinedload(ResearchSeed.department)],
    "event": list,
    "activity": lambda: [joinedload(Activity.company)],
    "encounter": lambda: [joinedload(Encounter.contact), joinedload(Encounter.event)],
}


@lru_cache(maxsize=None)
def _load_statement(kind: str):
    """A kind's records by id, built once (the search page loads seven kinds per request)."""
    model = _TABLES[kind]
    return (select(model).where(model.id.in_(bindparam("ids", expanding=True)))
            .options(*_LOAD_OPTIONS[kind]()))


def load(kind: str, hits: list[Hit]) -> list[Found]:
    """The records of some hits, in the hits' order, in one query (always one, even for no
    hits, so a page runs the same number of queries whatever matched). Hits whose record is
    gone (deleted, the index not yet drained) are left out."""
    ids = [h.id for h in hits if isinstance(h.id, int)]
    records = {r.id: r for r in db.session.scalars(_load_statement(kind), {"ids": ids}).unique()}
    return [Found(h, records[h.id]) for h in hits if h.id in records]


def search(query: str, kinds: Iterable[str] = KINDS, limit: int = 10) -> tuple[list[Group], bool]:
    """The search box: groups of found records by kind (kinds with no hit left out), and
    whether the hits are partial (no record had every word)."""
    kinds = [k for k in kinds if k in _TABLES]
    results: SearchResults = get_index().search(query, kinds=kinds, limit=limit)
    by_kind = results.by_kind()
    groups = []
    for kind in kinds:
        hits = by_kind.get(kind, [])
        if hits:
            groups.append(Group(kind, results.totals.get(kind, len(hits)), load(kind, hits),
                                cap=results.cap))
    return groups, results.partial


def match(text: str, kind: str = "seed", limit: int = 10, department: int | None = None,
          min_readiness: int | None = None, exclude_government_funded: bool = False,
          exclude: Iterable[int] = ()) -> list[Found]:
    """Records of `kind` whose text matches `text`, best first, with why (the words, and the
    translations that found records written in the other language: crm/glossary)."""
    where: dict[str, Any] = {}
    if department:
        where["department"] = department
    if min_readiness and kind == "seed":
        where["readiness"] = list(range(int(min_readiness), 10))
    if exclude_government_funded and kind == "seed":
        where["government_funded"] = False
    if not (text or "").strip():
        return load(kind, [])
    hits = get_index().match(text, kind=kind, limit=limit, where=where or None,
                             exclude=exclude, cutoff=MATCH_CUTOFF,
                             translator=glossary.translator())
    return load(kind, hits)


def company_need_text(company: Company) -> str:
    """What a company wants, as matched against research: its interests (its description when
    no interests were recorded)."""
    return (company.interests or "").strip() or (company.description or "").strip()


def seed_text(seed: ResearchSeed) -> str:
    return _join(seed.title, seed.abstract, seed.keywords)


def researcher_text(researcher: Researcher, seeds: Iterable[ResearchSeed] = ()) -> str:
    return _join(researcher.keywords, researcher.profile,
                 *(seed_text(s) for s in seeds))
