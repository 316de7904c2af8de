"""`crm index worker`: the single index writer for CRM_INDEX_MODE=worker.

It catches up first: whatever the outbox holds when it starts (updates saved while it was
stopped, or left by a crash) is applied before it waits for anything new. A database or index
error is logged and retried after a pause instead of ending the service.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

log = logging.getLogger("crm.index.worker")


def run(interval: float = 0.5, once: bool = False, echo: Callable[[str], None] = print,
        stop: threading.Event | None = None, retry_after: float = 5.0) -> int:
    """Drain the outbox now, then every `interval` seconds until `stop` is set (or SIGTERM /
    Ctrl+C); the number of updates applied."""
    from crm import search

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    total = 0
    first = True
    while not stop.is_set():
        try:
            done = search.drain(timeout=None)
        except Exception:  # noqa: BLE001 - a service retries rather than dies
            log.exception("index update failed; retrying in %.0f s", retry_after)
            if once:
                raise
            stop.wait(retry_after)
            continue
        total += done
        if first:
            echo(f"Caught up on start: Indexed {done} update(s) that were pending.")
            first = False
        elif done:
            echo(f"Indexed {done} update(s).")
        if once:
            break
        if not done:  # idle: merge the segments saves left behind (crm/search.py tidy)
            search.tidy()
        stop.wait(interval)
    return total
