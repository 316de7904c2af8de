"""Helpers shared by every feature's views: permission checks, lists, forms."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select
from sqlalchemy.sql.elements import ColumnElement

from crm.common.services import ValidationError
from crm.extensions import db


def require(permission: str) -> Callable:
    """Login required, and the permission from the role table, or 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission  # read by the role-walking test and the README table
        return wrapped

    return decorator


def get_or_404(model: type, ident: int, *options: Any) -> Any:
    """Load one record by id with the given loader options, or show the 404 page."""
    obj = db.session.execute(
        select(model).where(model.id == ident).options(*options)
    ).unique().scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


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

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

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
) -> ListPage:
    """Filter, sort and cut one page of a list from the query string; two queries in all."""
    args = {k: v.strip() for k, v in request.args.items()}
    q = args.get("q", "")
    if search and q:
        stmt = search(stmt, q)
    for name, apply_filter in (filters or {}).items():
        if args.get(name):
            stmt = apply_filter(stmt, args[name])
    sort = args.get("sort", default_sort)
    if sort not in sorts:
        sort = default_sort
    direction = args.get("dir") if args.get("dir") in ("asc", "desc") else default_dir
    column = sorts[sort]
    order = column.desc() if direction == "desc" else column.asc()
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    total = db.session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    entity = stmt.column_descriptions[0]["entity"]
    items = db.session.execute(
        stmt.order_by(order, entity.id.asc()).limit(per_page).offset((page - 1) * per_page)
    ).unique().scalars().all()
    return ListPage(items=list(items), total=total, page=page, per_page=per_page, sort=sort,
                    direction=direction, q=q, args=args)


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


def like(text: str) -> str:
    """A LIKE pattern for a substring, with the wildcard characters escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
