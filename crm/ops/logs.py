"""Logging: one line per request (request id, user id, route, status, duration), and the request
id on every other line logged while that request runs.

`CRM_LOG_FORMAT=json` writes one JSON object per line (for journald, Loki, CloudWatch ...);
anything else writes plain text. `CRM_LOG_LEVEL` (DEBUG, INFO, WARNING, ERROR; default INFO)
sets the level. The request id comes from the reverse proxy's `X-Request-ID` header when it
looks like one (letters, digits, `-_.:`, at most 64), else is made here; it is sent back in the
`X-Request-ID` response header so a user's report can be found in the log.

The JSON formatter is a few lines of the standard library's `logging` (no extra package).
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: The fields a request line carries (also in the plain format).
REQUEST_FIELDS = ("request_id", "user_id", "method", "route", "path", "status", "duration_ms")
_HANDLER_MARK = "_kakehashi_handler"

request_log = logging.getLogger("crm.request")


class RequestContextFilter(logging.Filter):
    """Puts the current request's id (and user id) on every record logged during it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            if not hasattr(record, "request_id"):
                record.request_id = g.get("request_id")
            if not hasattr(record, "user_id"):
                record.user_id = g.get("log_user_id")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request
    fields when there are some, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in REQUEST_FIELDS:
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        if rid and record.name != request_log.name:
            line += f" [request {rid}]"
        return line


class _Stream(logging.StreamHandler):
    """A stream handler that writes to whatever sys.stderr is when it writes (so a test
    runner's or a daemon's replaced stderr is honoured), unless given a stream."""

    def __init__(self, stream: Any = None) -> None:
        self._given = stream
        super().__init__(stream)

    @property
    def stream(self) -> Any:
        return self._given if self._given is not None else sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        self._given = value if value is not sys.stderr else None


def log_settings(environ: dict[str, str] | None = None) -> tuple[str, int]:
    """(format, level) from CRM_LOG_FORMAT and CRM_LOG_LEVEL; ValueError names a bad level."""
    environ = os.environ if environ is None else environ
    fmt = "json" if environ.get("CRM_LOG_FORMAT", "").strip().lower() == "json" else "plain"
    name = environ.get("CRM_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise ValueError(f"CRM_LOG_LEVEL={name!r} is not a level: use DEBUG, INFO, WARNING "
                         "or ERROR")
    return fmt, level


def configure(fmt: str = "plain", level: int = logging.INFO,
              stream: Any = None) -> logging.Handler:
    """Send the application's logs (the `crm` loggers, and Flask's) to `stream` (stderr) in
    the given format, replacing what an earlier call installed."""
    handler = _Stream(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    handler.addFilter(RequestContextFilter())
    setattr(handler, _HANDLER_MARK, True)
    for name in ("crm", "search_index", "importers", "flask.app"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
    return handler


def init_app(app: Flask) -> None:
    """Configure logging from the environment (or CRM_LOG_FORMAT / CRM_LOG_LEVEL in the app's
    config) and register the request-id and request-line hooks."""
    environ = dict(os.environ)
    for key in ("CRM_LOG_FORMAT", "CRM_LOG_LEVEL"):
        if app.config.get(key):
            environ[key] = str(app.config[key])
    fmt, level = log_settings(environ)
    configure(fmt, level)

    @app.before_request
    def _start_request() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        rid = g.get("request_id")
        if rid is None:  # a request that failed before our before_request ran
            return response
        response.headers[REQUEST_ID_HEADER] = rid
        if request.endpoint == "static":
            return response
        user_id = None
        from flask_login import current_user

        try:
            if current_user and current_user.is_authenticated:
                user_id = current_user.id
        except Exception:  # noqa: BLE001 - the log line must not fail the request
            user_id = None
        g.log_user_id = user_id
        duration = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        fields = {
            "request_id": rid,
            "user_id": user_id,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration, 1),
        }
        level = logging.WARNING if response.status_code >= 500 else logging.INFO
        request_log.log(level, "%s %s %s %.0f ms user=%s request=%s", request.method,
                        request.path, response.status_code, duration, user_id or "-", rid,
                        extra=fields)
        return response
