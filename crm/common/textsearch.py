""""Contains this text" on a table's search_text column, served by an index on both engines.

The company and contact lists (and the record pickers) look for a typed text anywhere in one
narrow column, search_text, as LIKE '%…%'. PostgreSQL answers that from a pg_trgm GIN index
(migration 0016); SQLite from an FTS5 table with the trigram tokenizer over the same column
(`<table>_fts`, migration 0021, kept current by triggers). Both need three characters to
make a trigram: a text of one or two characters (田中, ヤマ) scans the narrow search_text
index instead — a bounded scan, since the list collects at most SEARCH_COUNT_CAP + 1 matches
(crm/common/views.py paginate()) and a short text is a common one.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, column, false, or_, select, table, union_all

from crm.common.sql import like
from crm.extensions import db

#: Texts shorter than this make no trigram: they scan.
TRIGRAM = 3
#: The FTS5 tables of migration 0021 (SQLite), by the table they index.
FTS_TABLES = {"companies": "companies_fts", "contacts": "contacts_fts"}


def _fts(name: str):
    return table(FTS_TABLES[name], column("rowid"), column("search_text"))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def contains_any(model: Any, patterns: Iterable[str]) -> ColumnElement[bool]:
    """Rows of `model` (Company or Contact) whose search_text contains any of the texts,
    compared as LIKE compares (give the texts folded as the column is)."""
    patterns = sorted({p for p in patterns if p})
    if not patterns:
        return false()
    long = [p for p in patterns if len(p) >= TRIGRAM]
    short = [p for p in patterns if len(p) < TRIGRAM]
    conditions = [model.search_text.like(like(p), escape="\\") for p in short]
    if long and _dialect() == "sqlite":
        fts = _fts(model.__tablename__)
        found = [select(fts.c.rowid).where(fts.c.search_text.like(like(p), escape="\\"))
                 for p in long]
        conditions.append(model.id.in_(found[0] if len(found) == 1 else union_all(*found)))
    else:
        conditions.extend(model.search_text.like(like(p), escape="\\") for p in long)
    return or_(*conditions)
