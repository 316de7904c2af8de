"""`crm serve`: gunicorn (the production server), or Werkzeug's development server with `--dev`.

Gunicorn is driven from here (its documented "custom application" API), so `crm serve` needs no
separate configuration file: workers, threads, the address and the timeouts come from options
and the environment (`CRM_WORKERS`, `CRM_THREADS`, `CRM_HOST`, `CRM_PORT`). Each gunicorn worker
builds its own application after the fork (no database connection is shared between processes).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4


@dataclass
class ServePlan:
    """Which server `crm serve` runs, and how."""

    server: str  # "gunicorn" or "werkzeug"
    host: str
    port: int
    workers: int = DEFAULT_WORKERS
    threads: int = DEFAULT_THREADS
    debugger: bool = False  # Werkzeug's interactive debugger and reloader (--dev --debug only)
    timeout: int = 120
    options: dict[str, Any] = field(default_factory=dict)

    def url(self, port: int | None = None) -> str:
        host = self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port if port is None else port}/"


def plan(host: str, port: int, dev: bool = False, debug: bool = False,
         workers: int | None = None, threads: int | None = None,
         timeout: int = 120) -> ServePlan:
    """Choose the server: gunicorn unless `dev`; the debugger only with `dev` and `debug`."""
    if debug and not dev:
        raise ValueError("--debug needs --dev: the debugger runs only in the development server")
    if dev:
        return ServePlan("werkzeug", host, port, workers=1, threads=1, debugger=debug,
                         timeout=timeout)
    workers = workers or DEFAULT_WORKERS
    threads = threads or DEFAULT_THREADS
    options = {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        # Requests are logged by the application (crm/ops/logs.py), with their request id.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": os.environ.get("CRM_LOG_LEVEL", "info").lower(),
        "proc_name": "kakehashi",
        # A worker is recycled now and then, so a slow leak cannot grow for ever.
        "max_requests": 5000,
        "max_requests_jitter": 500,
    }
    return ServePlan("gunicorn", host, port, workers=workers, threads=threads,
                     timeout=timeout, options=options)


def run_gunicorn(p: ServePlan, app_factory: Callable[[], Any],
                 on_ready: Callable[[list[str]], None] | None = None,
                 on_start: Callable[[], None] | None = None) -> None:
    """Run gunicorn in this process (it forks the workers) until it is stopped (Ctrl+C, SIGTERM).

    `on_start` runs once in the master before the workers start (index catch-up);
    `on_ready(urls)` once the sockets are bound, with the URLs really served."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in p.options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25
                # no control socket in ~/.gunicorn shared by every instance on the machine
                self.cfg.set("control_socket_disable", True)

            def when_ready(server: Any) -> None:
                if on_start:
                    on_start()
                if on_ready:
                    urls = []
                    for listener in server.LISTENERS:
                        address = listener.sock.getsockname()
                        if isinstance(address, tuple):
                            urls.append(p.url(address[1]))
                        else:
                            urls.append(f"unix:{address}")
                    on_ready(urls)

            self.cfg.set("when_ready", when_ready)

        def load(self) -> Any:
            return app_factory()

    Application().run()


def run_werkzeug(p: ServePlan, app: Any, on_ready: Callable[[list[str]], None] | None = None
                 ) -> None:
    """The development server: one process, threads; reloader and debugger with --debug."""
    from werkzeug.serving import make_server, run_simple

    if p.debugger:
        app.debug = True
        if on_ready:
            on_ready([p.url()])
        run_simple(p.host, p.port, app, use_reloader=True, use_debugger=True, threaded=True)
        return
    server = make_server(p.host, p.port, app, threaded=True)
    if on_ready:
        on_ready([p.url(server.server_port)])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
