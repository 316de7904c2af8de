"""Readiness: is this process able to serve? (`/readyz`; `/healthz` only says it is alive.)

Ready means: the database answers, its schema is at the newest migration this code knows, and
the search index can be opened. The index lag (seconds since the oldest update still waiting in
the outbox) is reported; it makes the process "not ready" only past `CRM_READY_MAX_INDEX_LAG`
seconds when that is set (a stopped index worker should not take every web server out of the
load balancer unless the operator wants it to). Nothing secret is answered: no URL, no host,
no error text, only the error's class name.
"""
from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import text


@functools.lru_cache(maxsize=4)
def migration_heads(directory: str) -> tuple[str, ...]:
    """The newest revision(s) in the migrations folder (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def readiness() -> tuple[bool, dict[str, Any]]:
    """(ready, report) for /readyz."""
    from crm.extensions import db
    from crm.outbox import IndexOutbox

    started = time.perf_counter()
    checks: dict[str, Any] = {}
    ready = True

    heads = migration_heads(current_app.extensions["migrate"].directory)
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks["database"] = {"ok": True}
            try:
                current = tuple(sorted(r[0] for r in conn.execute(
                    text("SELECT version_num FROM alembic_version"))))
            except Exception:  # noqa: BLE001 - no version table: never migrated
                conn.rollback()
                current = ()
            schema_ok = current == heads
            checks["schema"] = {"ok": schema_ok, "revision": list(current), "head": list(heads)}
            ready = ready and schema_ok
            if schema_ok:
                pending, oldest = conn.execute(
                    db.select(db.func.count(IndexOutbox.id),
                              db.func.min(IndexOutbox.created_at))).one()
                if oldest is not None and oldest.tzinfo is None:
                    oldest = oldest.replace(tzinfo=UTC)
                lag = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
                checks["index_lag"] = {"seconds": round(max(lag, 0.0), 1),
                                       "pending": int(pending), "ok": True}
                # crm/config.py reads CRM_READY_MAX_INDEX_LAG from the environment; unset: no limit
                limit = current_app.config.get("CRM_READY_MAX_INDEX_LAG")
                if limit and lag > float(limit):
                    checks["index_lag"]["ok"] = False
                    checks["index_lag"]["limit"] = float(limit)
                    ready = False
    except Exception as err:  # noqa: BLE001 - any failure to talk to the database
        checks["database"] = {"ok": False, "error": type(err).__name__}
        ready = False

    try:
        from crm import search

        ix = search.get_index()
        checks["index"] = {"ok": True, "kinds": len(ix.kinds())}
    except Exception as err:  # noqa: BLE001
        checks["index"] = {"ok": False, "error": type(err).__name__}
        ready = False

    report = {"status": "ready" if ready else "not ready", "checks": checks,
              "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    return ready, report
