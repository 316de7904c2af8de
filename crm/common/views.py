"""Helpers shared by every feature's views: permission checks, lists, forms."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar
import re
from urllib.parse import urlencode, urlsplit

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from sqlalchemy.orm.exc import ObjectDeletedError
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.urls import iri_to_uri

from crm.common import locking
from crm.common.forms import ConfirmForm
from crm.common.params import arg_choice, page_number
from crm.common.services import DuplicateRule, ValidationError
from crm.common.sql import like  # noqa: F401  (re-exported for the views)
from crm.extensions import db

T = TypeVar("T")

#: What a browser's URL parser drops anywhere in a URL (WHATWG URL standard).
_URL_STRIP = re.compile(r"[\t\n\r]")


def safe_next(target: str | None, default: str) -> str:
    r"""A next= target when it stays on this site, else default.

    Checked as a browser would read it: tabs and line breaks anywhere and control characters or
    spaces at the ends are dropped first (``/\t/evil.example`` is ``//evil.example`` to a
    browser); then only a path on this site passes: it starts with one "/", has no scheme or
    host, no backslash (read as "/"), no other control character. The answer is ASCII (an IRI
    is percent-encoded), so no header can be split by it."""
    if not isinstance(target, str):
        return default
    target = _URL_STRIP.sub("", target).strip("".join(map(chr, range(33))) + "\x7f")
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 32 or ord(c) == 127 for c in target)):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return iri_to_uri(target)


def _guarded(permission: str, gate: str) -> Callable:
    """Login required and `gate` from the role table, or 403; the route declares `permission`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(gate):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission  # read by the role-walking test and the README table
        return wrapped

    return decorator


def require(permission: str) -> Callable:
    """Login required, and the permission from the role table, or 403."""
    return _guarded(permission, permission)


def require_or_record_rule(permission: str) -> Callable:
    """Like require(permission), but the view may also let a user in by a record-level rule.

    The route is declared with the role-table permission (what the role walk and the README
    show); the view then calls the record's own rule (ResearchSeed.can_edit,
    services.can_edit_researcher), which grants `permission` holders everything and a
    researcher their own seeds and profile, and answers 403 to everyone else.
    """
    return _guarded(permission, "records.view")


def get_or_404(model: type, ident: int, *options: Any) -> Any:
    """Load one record by id with the given loader options, or show the 404 page."""
    obj = db.session.execute(
        select(model).where(model.id == ident).options(*options)
    ).unique().scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


#: The most matches a typed search counts ("more than 1,000": refine the search).
SEARCH_COUNT_CAP = 1000
#: The most rows a list without a typed search counts ("more than 10,000"): counting 300,000
#: activities reads a whole index (5 ms on SQLite, 40 ms on PostgreSQL) to print one number.
LIST_COUNT_CAP = 10_000


@dataclass
class ListPage:
    items: list[Any]
    total: int
    page: int
    per_page: int
    sort: str
    direction: str
    q: str
    args: dict[str, str] = field(default_factory=dict)
    #: The count stopped past this many (total is then cap + 1); None: counted in full.
    cap: int | None = None

    @property
    def capped(self) -> bool:
        """True when the list has more records than it counts."""
        return self.cap is not None and self.total > self.cap

    @property
    def pages(self) -> int:
        """How many pages the links offer: past a capped count, always one more."""
        pages = max(1, math.ceil(self.total / self.per_page))
        return max(pages, self.page + 1) if self.capped else pages

    def url(self, **changes: Any) -> str:
        """The current list URL with some query arguments changed."""
        args = {k: v for k, v in self.args.items() if v not in (None, "")}
        args.update({k: v for k, v in changes.items()})
        args = {k: v for k, v in args.items() if v not in (None, "")}
        return request.path + ("?" + urlencode(args) if args else "")

    def sort_url(self, key: str) -> str:
        direction = "desc" if self.sort == key and self.direction == "asc" else "asc"
        return self.url(sort=key, dir=direction, page=None)


def paginate(
    stmt: Select,
    *,
    search: Callable[[Select, str], Select] | None = None,
    sorts: dict[str, ColumnElement],
    default_sort: str,
    filters: dict[str, Callable[[Select, str], Select]] | None = None,
    per_page: int = 50,
    default_dir: str = "asc",
    joins: Callable[[Select], Select] | None = None,
    count_cap: int | None = LIST_COUNT_CAP,
) -> ListPage:
    """Filter, sort and cut one page of a list from the query string; three queries in all.
    `search(stmt, q)` applies the typed search (`stmt` then is the list without it, which
    the last query loads the page's rows from).

    `joins(stmt)` adds the joins only the search and the sorts read, each to one row at most
    (an outer join on a to-one key, or an inner join on a required foreign key): the filters
    then read the list's own table alone, and the count of an unsearched list runs without
    them (SQLite counts a subquery with joins row by row: 900 ms for 300,000 activities, where
    the table alone is counted from its narrowest index in 5).

    A list without a typed search counts up to `count_cap` rows ("more than 10,000"; None:
    all of them, for a page that shows the total elsewhere)."""
    args = {k: v.strip() for k, v in request.args.items()}
    q = args.get("q", "")
    for name, apply_filter in (filters or {}).items():
        if args.get(name):
            stmt = apply_filter(stmt, args[name])
    unjoined = stmt
    if joins is not None:
        stmt = joins(stmt)
    unsearched = stmt
    if search and q:
        stmt = search(stmt, q)
    sort = arg_choice("sort", sorts, default_sort, args=args)
    direction = arg_choice("dir", ("asc", "desc"), default_dir, args=args)
    column = sorts[sort]
    order = column.desc() if direction == "desc" else column.asc()
    page = page_number(args=args)
    entity = stmt.column_descriptions[0]["entity"]
    order_by = (order, entity.id.desc() if direction == "desc" else entity.id.asc())
    offset = (page - 1) * per_page
    if q:
        # A typed search runs its condition (a scan on a large list) once: it collects the
        # ids of at most SEARCH_COUNT_CAP + 1 matches, unordered, which stops early for a
        # common word; a page of the few matches of a rarer one is then sorted from those ids
        # alone. Past the cap it says "more than SEARCH_COUNT_CAP" and the page walks the
        # sort order (matches are dense then, so that walk stops early too).
        matching = stmt.with_only_columns(entity.id).order_by(None)
        found = db.session.execute(matching.limit(SEARCH_COUNT_CAP + 1)).scalars().all()
        total = len(found)
        # Past the cap, the matches are found first (a CTE the engine must materialise), then
        # sorted: left to choose, PostgreSQL walked the sort order testing each row against the
        # search (3.7 s for 工業 among 50,000 companies by renewal date, against 9 ms).
        source = (unsearched.where(entity.id.in_(found)) if total <= SEARCH_COUNT_CAP
                  else unsearched.where(entity.id.in_(select(
                      matching.cte("matches").prefix_with("MATERIALIZED").c.id))))
        ids = db.session.execute(source.with_only_columns(entity.id).order_by(*order_by)
                                 .limit(per_page).offset(offset)).scalars().all() if found else []
    else:
        counted = unjoined.with_only_columns(entity.id).order_by(None)  # the engine counts ids
        if count_cap is not None:
            counted = counted.limit(count_cap + 1)
        total = db.session.execute(
            select(func.count()).select_from(counted.subquery())).scalar_one()
        # The page's ids first (an index walk, narrow rows), then those rows in full with
        # their relations: skipping 25,000 wide rows to reach page 500 is what makes deep
        # pages slow.
        ids = db.session.execute(stmt.with_only_columns(entity.id).order_by(*order_by)
                                 .limit(per_page).offset(offset)).scalars().all()
    items = []
    if ids:
        # The rows by id, without the search condition (the ids came from it).
        by_id = {row.id: row for row in db.session.execute(
            unsearched.where(entity.id.in_(ids)).order_by(None)).unique().scalars()}
        items = [by_id[i] for i in ids if i in by_id]
    return ListPage(items=list(items), total=total, page=page, per_page=per_page, sort=sort,
                    direction=direction, q=q, args=args,
                    cap=SEARCH_COUNT_CAP if q else count_cap)


def render_list(template: str, **context: Any) -> str:
    """The full list page, or only its results when htmx asks as the user types."""
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        context["partial"] = True
    return render_template(template, **context)


def form_errors(form: Any, error: ValidationError) -> None:
    """Put a service's validation errors next to the fields they concern."""
    for name, message in error.errors.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = list(target.errors) + [message]
        else:
            form.form_errors.append(message)


def save_form(form: FlaskForm, save: Callable[..., T], *, message: Callable[[T], str],
              target: Callable[[T], str], render: Callable[..., str],
              record: Any = None, duplicates: DuplicateRule | None = None) -> ResponseReturnValue:
    """Save a valid form through its service and redirect, or show it again with errors (422).

    record is the record being edited (None for a new one): the form carries its version, and
    a save from a form opened before someone else saved it is refused (409) with their change
    shown and what the user typed kept in the form (crm/common/locking.py).

    duplicates: the record is typed by hand under this duplicate rule (the company and contact
    forms hand in crm.contacts.matching.DUPLICATE_RULE): save(mode) gets "ask", or "confirmed"
    once the user has ticked the box the near-match panel renders (confirm_new);
    render(near=..., existing=...) shows the near matches to choose from, or the existing
    record a refusal names."""
    asks = duplicates.near if duplicates else ()
    refusals = duplicates.refused if duplicates else ()
    sent = locking.sent_version(request.form.get(locking.FIELD)) \
        if request.method == "POST" else None
    if record is not None:
        form.record_version = sent if sent is not None else record.version
    found: dict[str, Any] = {"near": None, "existing": None} if duplicates else {}
    valid = form.validate_on_submit()
    try:
        # A stale form is answered as such even when a field no longer validates (a record it
        # names was merged away meanwhile): the conflict explains it.
        if record is not None and form.is_submitted():
            locking.check(record, sent)
        if valid:
            try:
                with locking.guarded(record, sent):
                    if duplicates:
                        mode = "confirmed" if request.form.get("confirm_new") == "1" else "ask"
                        saved = save(mode)
                    else:
                        saved = save()
            except asks as near:
                found["near"] = near
            except refusals as err:
                found["existing"] = err.existing
                form_errors(form, err)
            except ValidationError as err:
                form_errors(form, err)
            else:
                flash(message(saved), "success")
                return redirect(target(saved))
    except locking.Conflict as conflict:
        db.session.rollback()
        try:
            form.conflict = locking.describe(conflict, form)
            # Saving this form again is now a choice made knowing their change.
            form.record_version = record.version
        except ObjectDeletedError:
            abort(404)  # deleted by someone else meanwhile
        return render(**found), 409
    # A question wrote nothing and is no error; a refusal rolls back what the service flushed
    # before it refused (422).
    asked = found.get("near") is not None
    return render(**found), 422 if request.method == "POST" and not asked else 200


def confirm_delete(delete: Callable[[], None], *, message: str, target: str,
                   render: Callable[[ConfirmForm], str]) -> ResponseReturnValue:
    """Ask first (GET); on a confirmed POST delete and redirect, or show why not (409)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            delete()
        except ValidationError as err:
            for reason in err.errors.values():
                flash(reason, "danger")
            return render(form), 409
        flash(message, "success")
        return redirect(target)
    return render(form)
