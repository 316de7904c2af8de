"""The global search page, the match page, and the match sections other pages include."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import Length

from crm import search
from crm.common.forms import OptionalSelectField, options, strip
from crm.common.params import arg_int, to_int
from crm.common.views import get_or_404, require
from crm.companies.models import Company
from crm.extensions import db
from crm.research.models import Department
from search_index import highlight, snippet

bp = Blueprint("search", __name__, url_prefix="/search")

KIND_LABELS = {
    "company": _l("Companies"), "contact": _l("Contacts"), "researcher": _l("Researchers"),
    "seed": _l("Research seeds"), "event": _l("Events"), "activity": _l("Activities"),
    "encounter": _l("Met at events"),
}
MATCH_KINDS = {"seed": _l("Research seeds"), "researcher": _l("Researchers"),
               "company": _l("Companies")}
PER_KIND = 10
ONE_KIND = 50
MATCH_LIMIT = 10


# --- highlighting (escaped pieces, the matches in <mark>) ------------------------------------

def _render(segments: list[tuple[str, bool]]) -> Markup:
    return Markup("".join(f"<mark>{escape(piece)}</mark>" if hit else escape(piece)
                          for piece, hit in segments))


@bp.app_template_filter("search_highlight")
def _highlight_filter(text: str | None, query: str | list[str]) -> Markup:
    """The whole text, the query's words marked."""
    return _render(highlight(text or "", query))


@bp.app_template_filter("search_snippet")
def _snippet_filter(text: str | None, query: str | list[str], width: int = 180) -> Markup:
    """Part of a long text around the first match, the query's words marked."""
    return _render(snippet(text or "", query, width))


def describe(kind: str, record: Any) -> dict[str, Any]:
    """What the search page shows for a record: title, link, a line under it, a text to quote."""
    if kind == "company":
        return {"title": record.name, "url": url_for("companies.show", company_id=record.id),
                "sub": " · ".join(x for x in (record.name_en, record.industry,
                                              record.officer.name if record.officer else None)
                                  if x),
                "text": "\n".join(x for x in (record.interests, record.description) if x)}
    if kind == "contact":
        return {"title": record.display_name,
                "url": url_for("contacts.show", contact_id=record.id),
                "sub": " · ".join(x for x in (record.reading, record.title,
                                              record.company.name if record.company else None)
                                  if x),
                "text": "\n".join(x for x in (record.how_we_met, record.notes) if x)}
    if kind == "researcher":
        return {"title": record.display_name,
                "url": url_for("research.researcher", researcher_id=record.id),
                "sub": " · ".join(x for x in (record.name_en, record.department.name
                                              if record.department else None, record.lab) if x),
                "text": "\n".join(x for x in (record.keywords, record.profile) if x)}
    if kind == "seed":
        return {"title": record.title, "url": url_for("research.seed", seed_id=record.id),
                "sub": " · ".join(x for x in (record.department.name if record.department
                                              else None, record.keywords) if x),
                "text": record.abstract or ""}
    if kind == "event":
        return {"title": record.name, "url": url_for("events.show", event_id=record.id),
                "sub": " · ".join(x for x in (record.location,) if x),
                "text": record.description or ""}
    if kind == "activity":
        readable = record.can_read_minutes(current_user)
        return {"title": record.subject,
                "url": url_for("activities.show", activity_id=record.id),
                "sub": " · ".join(x for x in (record.company.name if record.company else None,)
                                  if x),
                "text": (record.minutes or "") if readable else ""}
    if kind == "encounter":
        who = record.contact.display_name if record.contact else "?"
        where = record.event.name if record.event else "?"
        return {"title": f"{who} @ {where}",
                "url": url_for("events.show", event_id=record.event_id),
                "sub": "", "text": "\n".join(x for x in (record.research_interests,
                                                         record.small_talk) if x)}
    raise ValueError(kind)


@bp.get("/")
@require("records.view")
def index():
    """Search everything: companies, contacts, researchers, seeds, events and notes."""
    q = request.args.get("q", "").strip()[:500]
    kind = request.args.get("kind")
    kind = kind if kind in search.KINDS else None
    groups, partial = [], False
    if q:
        groups, partial = search.search(q, [kind] if kind else search.KINDS,
                                        limit=ONE_KIND if kind else PER_KIND)
    return render_template("search/index.html", q=q, kind=kind, groups=groups, partial=partial,
                           describe=describe, KIND_LABELS=KIND_LABELS)


# --- matching ----------------------------------------------------------------------------

class MatchForm(FlaskForm):
    text = TextAreaField(_l("Needs, a call for proposals, an e-mail…"),
                         validators=[Length(max=20000)], filters=[strip])
    kind = SelectField(_l("Find"), choices=options(MATCH_KINDS.items()), default="seed")
    department = OptionalSelectField(_l("Department"), coerce=lambda v: int(v) if v else None)
    readiness = OptionalSelectField(
        _l("Readiness at least"), coerce=lambda v: int(v) if v else None,
        choices=options(((n, f"TRL {n}") for n in range(1, 10)), blank=True))
    exclude_government = BooleanField(_l("Leave out government-funded (Bayh-Dole) seeds"))


def _match_filters(args: Any) -> dict[str, Any]:
    def number(name: str) -> int | None:
        return to_int(args.get(name))

    return {"department": number("department"), "min_readiness": number("readiness"),
            "exclude_government_funded": args.get("exclude_government") in ("y", "1", "on")}


@bp.route("/match", methods=["GET", "POST"])
@require("records.view")
def match():
    """Paste any text (a company's needs, a call for proposals, an e-mail) and see which
    research seeds, researchers or companies match it, and why."""
    # A read-only search: a bookmarkable GET link (?text=…, or ?company= from a company page)
    # needs no CSRF check; the page's POST form (long texts) carries its token, rendered by the
    # template whatever the method, so a form opened by a GET link posts too.
    form = MatchForm(request.form if request.method == "POST" else request.args,
                     meta={"csrf": request.method == "POST"})
    departments = db.session.scalars(select(Department).order_by(Department.name)).all()
    form.department.choices = options(((d.id, d.name) for d in departments), blank=True)
    company = None
    company_id = arg_int("company")
    if company_id:
        company = get_or_404(Company, company_id)
        if request.method == "GET" and not form.text.data:
            form.text.data = search.company_need_text(company)
    found: list[search.Found] = []
    searched = False
    status = 200
    if form.text.data:
        if form.validate():
            searched = True
            kind = form.kind.data
            found = search.match(
                form.text.data, kind=kind, limit=25,
                department=form.department.data if kind != "company" else None,
                min_readiness=form.readiness.data,
                exclude_government_funded=bool(form.exclude_government.data),
                exclude=[company.id] if company is not None and kind == "company" else ())
        else:
            status = 422
    return render_template("search/match.html", form=form, found=found, searched=searched,
                           kind=form.kind.data or "seed", company=company,
                           MATCH_KINDS=MATCH_KINDS), status


@bp.get("/companies/<int:company_id>/seeds")
@require("records.view")
def company_seeds(company_id: int):
    """The "Matching research seeds" section of a company page, refiltered (htmx)."""
    company = get_or_404(Company, company_id)
    return render_template("search/_company_seeds.html", company=company,
                           **company_seed_matches(company, request.args))


def company_seed_matches(company: Company, args: Any = None) -> dict[str, Any]:
    """What the company page's "Matching research seeds" section needs: one index call and
    one query, whatever matched."""
    filters = _match_filters(args or {})
    text = search.company_need_text(company)
    return {"seed_matches": search.match(text, kind="seed", limit=MATCH_LIMIT, **filters),
            "seed_filters": filters, "need_text": text}


def interested_companies(text: str) -> list[search.Found]:
    """Companies whose interests, encounters and activities match a seed or a researcher,
    each with its officer: one index call and one query."""
    return search.match(text, kind="company", limit=MATCH_LIMIT)
