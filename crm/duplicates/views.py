"""Duplicate pages: likely duplicate companies and contacts, and comparing and merging two.

Everything here needs records.delete: a merge deletes one of the two records.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from crm.auth.models import User
from crm.common.params import arg_choice, page_number, to_int
from crm.common.services import ValidationError
from crm.common.views import ListPage, require, safe_next
from crm.companies.forms import SIZE_LABELS, STATUS_LABELS, TIER_LABELS
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.duplicates import merge as merging
from crm.duplicates import services
from crm.duplicates.forms import DismissForm, MergeForm
from crm.extensions import db

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")

PER_PAGE = 25


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return to_int(value)


@bp.get("/")
@require("records.delete")
def index():
    """The likely duplicate pairs of one kind, strongest first, a page at a time."""
    kind = arg_choice("kind", services.DUPLICATE_KINDS, "companies")
    strength = arg_choice("strength", services.STRENGTHS)
    record = _int_arg("record")
    result = services.find_all(kind, refresh=request.args.get("refresh") == "1")
    pairs = services.find_pairs(kind, strength=strength, record=record)
    page_no = page_number()
    page = ListPage(items=pairs[(page_no - 1) * PER_PAGE: page_no * PER_PAGE], total=len(pairs),
                    page=page_no, per_page=PER_PAGE, sort="", direction="", q="",
                    args={k: v for k, v in request.args.items()})
    ids = {i for p in page.items for i in p.key} | ({record} if record else set())
    model = merging.MODELS[kind]
    stmt = select(model).where(model.id.in_(ids))
    stmt = stmt.options(joinedload(Contact.company)) if kind == "contacts" \
        else stmt.options(joinedload(Company.officer))
    records = {r.id: r for r in db.session.execute(stmt).unique().scalars()} if ids else {}
    if record and record not in records:
        abort(404)
    return render_template(
        "duplicates/index.html", kind=kind, page=page, records=records, result=result,
        strength=strength, record=records.get(record) if record else None,
        REASON_LABELS=services.REASON_LABELS, form=DismissForm())


@bp.post("/dismiss")
@require("records.delete")
def dismiss():
    """"Not a duplicate": the pair is not proposed again."""
    form = DismissForm()
    target = safe_next(form.next.data, url_for(".index", kind=form.kind.data or "companies"))
    if not form.validate_on_submit():
        flash(_("That pair could not be read; nothing was changed."), "danger")
        return redirect(target), 303
    try:
        services.dismiss(form.kind.data, form.first.data, form.second.data,
                         by_id=current_user.id)
    except ValidationError as err:
        return render_template("errors/error.html", code=409, title=_("Not changed"),
                               message=" ".join(err.errors.values())), 409
    flash(_("Marked as not a duplicate: the pair will not be proposed again."), "success")
    return redirect(target)


def _version(record: Any) -> str:
    return record.updated_at.isoformat() if record.updated_at else ""


def _display(kind: str, records: tuple[Any, Any]) -> dict[str, tuple[str, str]]:
    """Each field's value of A and B as shown (names for ids, labels for codes)."""
    ids = {getattr(r, n) for r in records for n in ("parent_id", "officer_id", "company_id")
           if hasattr(r, n) and getattr(r, n)}
    names: dict[tuple[str, int], str] = {}
    if kind == "companies" and ids:
        names |= {("parent_id", i): n for i, n in db.session.execute(
            select(Company.id, Company.name).where(Company.id.in_(ids))).all()}
        names |= {("officer_id", i): n for i, n in db.session.execute(
            select(User.id, User.name).where(User.id.in_(ids))).all()}
    elif ids:
        names |= {("company_id", i): n for i, n in db.session.execute(
            select(Company.id, Company.name).where(Company.id.in_(ids))).all()}
    labels = {"status": STATUS_LABELS, "size": SIZE_LABELS, "membership_tier": TIER_LABELS}
    out = {}
    for name in merging.FIELDS[kind]:
        shown = []
        for r in records:
            value = getattr(r, name)
            if value is None or value == "":
                shown.append("")
            elif isinstance(value, bool):
                shown.append(_("Yes") if value else _("No"))
            elif name in ("parent_id", "officer_id", "company_id"):
                shown.append(f"{names.get((name, value), '?')} (#{value})")
            elif name in labels:
                shown.append(str(labels[name].get(value, value)))
            else:
                shown.append(str(value))
        out[name] = (shown[0], shown[1])
    return out


def _compare(kind: str, a_id: int, b_id: int):
    if a_id == b_id:
        return render_template("errors/error.html", code=409, title=_("Not changed"),
                               message=_("A record cannot be merged with itself.")), 409
    model = merging.MODELS[kind]
    a, b = db.session.get(model, a_id), db.session.get(model, b_id)
    if a is None or b is None:
        abort(404)
    form = MergeForm()
    differing = merging.differing_fields(kind, a, b)
    defaults = merging.default_choices(kind, a, b)
    status = 200
    if request.method == "POST":
        choices = {name: request.form.get(f"keep_{name}", defaults[name]) for name in differing}
        if not form.validate_on_submit():
            abort(400)
        if form.a_version.data != _version(a) or form.b_version.data != _version(b):
            flash(_("One of the records was changed after this page was shown. Check the "
                    "values again; nothing was merged."), "warning")
            status = 409
        else:
            label_b = b.label
            try:
                merging.merge(kind, a.id, b.id, choices)
            except ValidationError as err:
                db.session.rollback()
                for message in err.errors.values():
                    flash(message, "danger")
                status = 409
            except IntegrityError as err:
                db.session.rollback()
                flash(_("The database refused the merge (%(reason)s). Nothing was changed.",
                        reason=str(err.orig).splitlines()[0][:200]), "danger")
                status = 409
            else:
                services.forget(kind, b_id)
                flash(_("Merged %(loser)s into this record: everything it had is here now.",
                        loser=label_b), "success")
                endpoint = "companies.show" if kind == "companies" else "contacts.show"
                key = "company_id" if kind == "companies" else "contact_id"
                return redirect(url_for(endpoint, **{key: a_id}))
        if status == 409:
            a, b = db.session.get(model, a_id), db.session.get(model, b_id)
            if a is None or b is None:
                abort(404)
            differing = merging.differing_fields(kind, a, b)
            defaults = merging.default_choices(kind, a, b) | {
                k: v for k, v in choices.items() if k in differing}
    form.a_version.data, form.b_version.data = _version(a), _version(b)
    pair = services.cached_pair(kind, a_id, b_id)
    return render_template(
        "duplicates/compare.html", kind=kind, a=a, b=b, form=form, differing=differing,
        defaults=defaults, shown=_display(kind, (a, b)), preview=merging.preview(kind, a, b),
        pair=pair, FIELD_LABELS=merging.FIELD_LABELS, JOINABLE=merging.JOINABLE,
        REASON_LABELS=services.REASON_LABELS, fields=merging.FIELDS[kind]), status


@bp.route("/companies/<int:company_a>/<int:company_b>", methods=["GET", "POST"])
@require("records.delete")
def companies(company_a: int, company_b: int):
    """Two companies side by side; merging keeps A and moves everything of B to it."""
    return _compare("companies", company_a, company_b)


@bp.route("/contacts/<int:contact_a>/<int:contact_b>", methods=["GET", "POST"])
@require("records.delete")
def contacts(contact_a: int, contact_b: int):
    """Two contacts side by side; merging keeps A and moves everything of B to it."""
    return _compare("contacts", contact_a, contact_b)
