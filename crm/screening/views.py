"""Export-control screening pages: lists and imports, a company's screening and decisions,
screening a typed name. Seeing needs screening.view; screening, deciding and importing need
screening.decide."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.common.services import ValidationError
from crm.common.views import form_errors, get_or_404, require
from crm.companies.models import Company
from crm.extensions import db
from crm.screening import kinds, services
from crm.screening.forms import DECISION_LABELS, DecisionForm, ListImportForm, ScreenNameForm
from crm.screening.models import Hit, Screening, ScreeningList

bp = Blueprint("screening", __name__, url_prefix="/screening")

CLEARANCE_CLASSES = {state: css for state, (_, css) in kinds.CLEARANCES.items()}
STATUS_CLASSES = {status: css for status, (_, css) in kinds.HIT_STATUSES.items()}


def clearance_labels() -> dict[str, str]:
    return kinds.labels(kinds.CLEARANCES)


def status_labels() -> dict[str, str]:
    return kinds.labels(kinds.HIT_STATUSES)


def _hit_context() -> dict:
    """What the hit partial (screening/_entry.html) needs besides the hit."""
    return {"status_labels": status_labels(), "status_classes": STATUS_CLASSES,
            "labels": services.list_labels(), "reason_labels": kinds.labels(kinds.REASONS),
            "is_possible": services.possible,
            "raised_count": lambda s: sum(1 for h in s.hits if h.status != "cleared"
                                          and services.raised(h, s.threshold))}


@bp.app_context_processor
def _panel() -> dict:
    """`screening_panel(company)` for the company page's status panel."""

    def screening_panel(company: Company) -> dict:
        latest = services.latest_screening(company.id)
        state = services.clearance_of(latest, company)
        return {"state": state, "label": clearance_labels()[state],
                "css": CLEARANCE_CLASSES[state], "latest": latest,
                "open": sum(1 for h in (latest.hits if latest else [])
                            if services.waiting(h, latest.threshold))}

    return {"screening_panel": screening_panel}


def _index_page(name_form: ScreenNameForm | None = None, import_form: ListImportForm | None = None,
                result: Screening | None = None):
    lists = db.session.execute(
        select(ScreeningList).order_by(ScreeningList.kind, ScreeningList.imported_at.desc(),
                                       ScreeningList.id.desc())).scalars().all()
    return render_template(
        "screening/index.html", lists=lists, current=[lst for lst in lists if lst.current],
        attention=services.companies_needing_attention(),
        import_form=import_form or ListImportForm(), name_form=name_form or ScreenNameForm(),
        result=result, threshold=services.threshold(), **_hit_context())


@bp.get("/")
@require("screening.view")
def index():
    """The screening page: the lists held, their versions, and a name to screen."""
    return _index_page()


@bp.post("/lists")
@require("screening.decide")
def import_list():
    """Load a new version of a screening list from an uploaded file."""
    form = ListImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = services.import_list(form.kind.data, upload.read(), upload.filename or "",
                                          version=form.version.data, by=current_user)
        except ValidationError as err:
            form_errors(form, err)
        else:
            lst = result.list
            entries = ngettext("%(count)s entry", "%(count)s entries", lst.entry_count,
                               count=f"{lst.entry_count:,}")
            rescreened = ngettext("%(count)s company re-screened",
                                  "%(count)s companies re-screened", result.rescreened,
                                  count=f"{result.rescreened:,}")
            flash(_("Imported %(kind)s version %(version)s: %(entries)s. %(rescreened)s.",
                    kind=lst.kind, version=lst.version, entries=entries,
                    rescreened=rescreened), "success")
            return redirect(url_for("screening.index"))
    return _index_page(import_form=form), 422


@bp.post("/name")
@require("screening.decide")
def screen_name():
    """Screen a typed name (and country) against every list; the screening is kept."""
    form = ScreenNameForm()
    if form.validate_on_submit():
        try:
            result = services.screen_name(form.name.data, country=form.country.data,
                                          by=current_user)
        except ValidationError as err:
            form_errors(form, err)
        else:
            return _index_page(name_form=form, result=result)
    return _index_page(name_form=form), 422


def _company_page(company: Company, forms: dict[int, DecisionForm] | None = None):
    latest = services.latest_screening(company.id)
    history = db.session.execute(
        select(Screening).where(Screening.company_id == company.id)
        .order_by(Screening.id.desc()).limit(50)
        .options(selectinload(Screening.hits), selectinload(Screening.screened_by))
    ).scalars().all()
    forms = forms or {}
    hits = latest.hits if latest else []
    for hit in hits:
        forms.setdefault(hit.id, DecisionForm(prefix=f"hit{hit.id}"))
    state = services.clearance_of(latest, company)
    limit = latest.threshold if latest else services.threshold()
    return render_template(
        "screening/company.html", company=company, latest=latest, history=history,
        raised=[h for h in hits if (h.carried_from_id is None or h.status != "cleared")
                and not services.possible(h, limit)],
        possible=[h for h in hits if services.possible(h, limit)],
        remembered=[h for h in hits if h.carried_from_id is not None and h.status == "cleared"],
        forms=forms, state=state, state_label=clearance_labels()[state],
        state_css=CLEARANCE_CLASSES[state], decision_labels=DECISION_LABELS,
        has_lists=bool(services.current_lists()), **_hit_context())


@bp.get("/companies/<int:company_id>")
@require("screening.view")
def company(company_id: int):
    """A company's screenings, their hits and the decisions taken on them."""
    return _company_page(get_or_404(Company, company_id))


@bp.post("/companies/<int:company_id>/screen")
@require("screening.decide")
def screen_company(company_id: int):
    """Screen a company (with its contacts) against every list now."""
    target = get_or_404(Company, company_id)
    try:
        screening = services.screen_company(target, by=current_user)
    except ValidationError as err:
        for message in err.errors.values():
            flash(message, "danger")
        return _company_page(target), 409
    n = sum(1 for h in screening.hits if h.status != "cleared")
    lists = ngettext("%(num)s list", "%(num)s lists", len(screening.list_versions))
    hits = ngettext("%(num)s candidate hit", "%(num)s candidate hits", n)
    flash(_("Screened against %(lists)s: %(hits)s.", lists=lists, hits=hits),
          "success" if not n else "warning")
    return redirect(url_for("screening.company", company_id=company_id))


@bp.post("/hits/<int:hit_id>/decide")
@require("screening.decide")
def decide(hit_id: int):
    """Record a decision on a hit (a match or not, with a note)."""
    hit = get_or_404(Hit, hit_id)
    company_id = hit.screening.company_id
    form = DecisionForm(prefix=f"hit{hit.id}")
    if form.validate_on_submit():
        try:
            services.decide(hit, form.decision.data, form.note.data, by=current_user)
        except ValidationError as err:
            form_errors(form, err)
        else:
            flash(_("Decision recorded: %(decision)s.",
                    decision=DECISION_LABELS[form.decision.data]), "success")
            return redirect(url_for("screening.company", company_id=company_id)
                            if company_id else url_for("screening.index"))
    if company_id is None:
        flash(_("Decisions are recorded on a company's screening, not on a typed name."),
              "danger")
        return redirect(url_for("screening.index")), 303
    return _company_page(db.session.get(Company, company_id), {hit.id: form}), 422


@bp.get("/screenings/<int:screening_id>")
@require("screening.view")
def screening(screening_id: int):
    """One screening as it was run: the subject, the lists' versions, the hits."""
    record = get_or_404(Screening, screening_id, selectinload(Screening.hits)
                        .selectinload(Hit.decisions))
    return render_template("screening/screening.html", screening=record, **_hit_context())
