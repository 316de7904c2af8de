"""Query parameters and path numbers, read one way everywhere: what cannot be read answers
400 (or is ignored where a list names and ignores a bad filter), never reaches the database as
something it cannot hold (a 23-digit id, a NUL byte) and never turns into a 500.

- ``to_int`` / ``arg_int``: an integer within 0 .. 2**31-1 (what an id column holds on
  PostgreSQL), written in ASCII or full-width digits; anything else (², 1e3, 23 digits) is not
  an integer.
- ``arg_choice``: one of the allowed values, else the default (or 400).
- ``arg_date``: an ISO date, else the default (or 400).
- ``BoundedIntConverter``: ``<int:...>`` in routes stops at 2**31-1, so a huge path id is a 404.
- ``refuse_nul``: a NUL byte in any query or form parameter is a 400 naming the parameter:
  PostgreSQL text cannot hold one, and no one types it.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

#: The largest id a column holds: every id here is an `integer` (PostgreSQL int4, 2**31-1);
#: a larger number reaching PostgreSQL is "integer out of range" (SQLite stops at 2**63-1).
MAX_INT = 2**31 - 1
#: Pages past this are not pages (and their OFFSET would overflow).
MAX_PAGE = 10**9

_DIGITS = re.compile(r"[0-9]{1,19}")  # longer is out of range anyway (and slow to convert)


class BadParameter(BadRequest):
    """A query parameter that cannot be read: 400, with a message naming it."""

    def __init__(self, name: str, message: str):
        super().__init__(description=message)
        self.parameter = name


def to_int(value: Any, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """The integer a parameter or form value holds, within [minimum, maximum]; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
        negative = text.startswith("-")
        digits = text[1:] if negative else text
        if not _DIGITS.fullmatch(digits):
            return None
        number = -int(digits) if negative else int(digits)
    return number if minimum <= number <= maximum else None


def _args(args: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return request.args if args is None else args


def _raw(name: str, args: Mapping[str, Any] | None) -> str:
    value = _args(args).get(name)
    return "" if value is None else str(value).strip()


def arg_int(name: str, default: int | None = None, *, minimum: int = 0,
            maximum: int = MAX_INT, strict: bool = False,
            args: Mapping[str, Any] | None = None) -> int | None:
    """An integer query parameter: blank is the default; unreadable or out of range is the
    default too, or 400 naming the parameter when strict."""
    raw = _raw(name, args)
    if not raw:
        return default
    number = to_int(raw, minimum=minimum, maximum=maximum)
    if number is None:
        if strict:
            raise BadParameter(name, _("The parameter “%(name)s” must be a whole number from "
                                       "%(min)s to %(max)s.", name=name, min=minimum,
                                       max=maximum))
        return default
    return number


def page_number(name: str = "page", args: Mapping[str, Any] | None = None) -> int:
    """The page asked for: 1 when blank, unreadable or past MAX_PAGE."""
    return arg_int(name, 1, minimum=1, maximum=MAX_PAGE, args=args) or 1


def arg_choice(name: str, allowed: Iterable[str], default: str | None = None, *,
               strict: bool = False, args: Mapping[str, Any] | None = None) -> str | None:
    """One of the allowed values; blank is the default, anything else the default or 400."""
    raw = _raw(name, args)
    allowed = tuple(allowed)
    if not raw:
        return default
    if raw in allowed:
        return raw
    if strict:
        raise BadParameter(name, _("The parameter “%(name)s” must be one of: %(allowed)s.",
                                   name=name, allowed=", ".join(allowed)))
    return default


def arg_date(name: str, default: date | None = None, *, strict: bool = False,
             args: Mapping[str, Any] | None = None) -> date | None:
    """An ISO date (YYYY-MM-DD, full-width digits allowed); else the default or 400."""
    raw = unicodedata.normalize("NFKC", _raw(name, args))
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        if strict:
            raise BadParameter(name, _("The parameter “%(name)s” must be a date "
                                       "(YYYY-MM-DD).", name=name)) from None
        return default


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only what an id column holds: a larger number is a 404, not
    an overflow in the database or its driver."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        bound = MAX_INT if max is None or max > MAX_INT else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)


def _nul_in_body() -> str | None:
    """The name of the JSON key holding a NUL (escaped as \\u0000 or raw), "body" when it is
    not JSON one can read, or None: a body sent as JSON or text rather than as a form (no page
    sends one; a script or a hostile client may)."""
    body = request.get_data(cache=True)
    if b"\x00" not in body and b"\\u0000" not in body.lower():
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested past what the parser takes
        return "body"
    stack = [data]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item) \
            if isinstance(item, list) else ()
        for key, value in pairs:
            if isinstance(key, str) and "\x00" in key or isinstance(value, str) and "\x00" in value:
                return str(key)
            stack.append(value)
    return "body" if b"\x00" in body else None


def refuse_nul() -> None:
    """A NUL byte in a query or form parameter (name or value), or anywhere in a body sent as
    JSON or text, is refused before any view runs: 400, naming the parameter."""
    sources = [request.args]
    name = None
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.form)
        elif request.content_length or request.headers.get("Transfer-Encoding"):
            name = _nul_in_body()
    if name is None:
        name = next((key for source in sources for key, value in source.items(multi=True)
                     if "\x00" in key or "\x00" in value), None)
    if name is not None:
        name = name.replace("\x00", "\\0")[:50]
        raise BadParameter(name, _("The parameter “%(name)s” contains a NUL character "
                                   "(\\0); nothing was done.", name=name))


def init_app(app: Flask) -> None:
    """The bounded int converter (before any route is added), the NUL check, the 400 page."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_nul)

    @app.errorhandler(BadParameter)
    def _bad_parameter(e: BadParameter):
        return render_template("errors/error.html", code=400, title=_("Bad request"),
                               message=e.description), 400


def int_filter(column: Any, compare: Any = None) -> Any:
    """A list filter on an integer column (paginate's filters): a value that is not an id
    filters nothing (the list names it where it names bad filters)."""

    def apply(stmt: Any, value: str) -> Any:
        number = to_int(value)
        if number is None:
            return stmt
        return stmt.where(compare(column, number) if compare else column == number)

    return apply
