"""The search index backends a test runs against: the Whoosh directory always, and the
PostgreSQL tables (search_index/pg.py) when the test database is PostgreSQL (DATABASE_URL)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from search_index import Index


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        from crm.config import database_url

        return database_url(url)
    return None


BACKENDS = ["whoosh"] + (["postgres"] if _postgres_url() else [])
_ENGINES: dict[str, object] = {}


def _engine():
    from sqlalchemy import create_engine

    url = _postgres_url()
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url)
    return _ENGINES[url]


class Backend:
    """create(place) / open(place): an index at a temporary folder, or, for PostgreSQL, under
    an index name made from that folder (so each test has its own)."""

    def __init__(self, name: str):
        self.name = name

    def _name(self, place: str | os.PathLike[str]) -> str:
        return "t" + hashlib.sha1(str(Path(place)).encode()).hexdigest()[:30]

    def create(self, place):
        if self.name == "postgres":
            from search_index.pg import PgIndex

            return PgIndex.create(_engine(), self._name(place))
        return Index.create(place)

    def open(self, place):
        if self.name == "postgres":
            from search_index.pg import PgIndex

            return PgIndex.open(_engine(), self._name(place))
        return Index.open(place)

    def __repr__(self) -> str:
        return self.name


def in_processes(target, *args_each: tuple, timeout: float = 120) -> None:
    """Run `target` in one new process per argument tuple, all at once; each must succeed."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=target, args=args) for args in args_each]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout)
        assert p.exitcode == 0
