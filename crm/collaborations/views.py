"""Collaboration pages: the board by step, the list, one collaboration with its checklist,
sign-offs, conflicts, warnings, history and minutes; the open / edit form.

Seeing anything needs collaborations.view; changing anything collaborations.edit; moving past
unfinished checklist items with a reason collaborations.override (checked in the service).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.routing import BuildError

from crm.audit.labels import value_label
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.collaborations import services
from crm.collaborations.forms import (
    BLANK_SLOTS, MAX_LINKS, CloseForm, CollaborationForm, MinuteForm, SignoffForm,
)
from crm.collaborations.models import (
    KINDS, OPEN_STAGES, STAGES, STEPS, Collaboration, CollaborationCheck, CollaborationMinute,
    collaboration_seeds,
)
from crm.collaborations.steps import (
    CHECKLISTS, EXCLUSIVITY_LABELS, KIND_LABELS, LANGUAGE_LABELS, MINUTE_KIND_LABELS,
    RATE_REASON_LABELS, STAGE_LABELS, item_label,
)
from crm.common.forms import options
from crm.common.params import to_int
from crm.common.services import ValidationError
from crm.common.text import fold_company_name, nfkc
from crm.common.views import form_errors, get_or_404, like, paginate, render_list, require, \
    save_form
from crm.companies.models import Company
from crm.extensions import db
from crm.research.forms import TECH_FIELD_LABELS
from crm.research.models import Researcher, ResearchSeed
from crm.common.time import office_today

bp = Blueprint("collaborations", __name__, url_prefix="/collaborations")

#: Closed collaborations stay on the board this many days after closing.
BOARD_CLOSED_DAYS = 180


# --- filters shared by the board and the list -------------------------------------------------

def search_collaborations(stmt: Select, q: str) -> Select:
    """Title or partner name (any of its names, folded as the company list does)."""
    text = nfkc(q)
    folded = fold_company_name(q)
    return stmt.where(or_(
        Collaboration.title.ilike(like(text), escape="\\"),
        Company.name_folded.like(like(folded), escape="\\") if folded else False,
        Company.name_en.ilike(like(text), escape="\\"),
    ))


def _int(value: str) -> int | None:
    return to_int(value)


FILTERS = {
    "stage": lambda s, v: s.where(Collaboration.stage == v) if v in STAGES else s,
    "kind": lambda s, v: s.where(Collaboration.kind == v) if v in KINDS else s,
    "officer": lambda s, v: s.where(Collaboration.officer_id == _int(v)) if _int(v) else s,
    "company": lambda s, v: s.where(Collaboration.company_id == _int(v)) if _int(v) else s,
}

SORTS = {
    "opened": Collaboration.opened_on,
    "title": Collaboration.title,
    "company": Company.sort_name,
    "stage": Collaboration.stage,
    "costs": Collaboration.direct_costs,
}


def _base() -> Select:
    return (select(Collaboration).join(Company, Collaboration.company_id == Company.id)
            .options(joinedload(Collaboration.company), joinedload(Collaboration.officer)))


def _officer_options() -> list[tuple[str, str]]:
    """Users who may hold a collaboration (collaborations.edit), for selects and filters."""
    users = db.session.execute(select(User).where(User.active.is_(True)).order_by(User.name))
    return [(str(u.id), u.name) for u in users.scalars() if u.can("collaborations.edit")]


def _company_filter_label(args: dict[str, str]) -> Company | None:
    value = _int(args.get("company", ""))
    return db.session.get(Company, value) if value else None


@bp.get("/")
@require("collaborations.view")
def index():
    """The board: one column per stage, a card per collaboration (closed: the recent ones)."""
    args = {k: v.strip() for k, v in request.args.items()}
    stmt = _base()
    if args.get("q"):
        stmt = search_collaborations(stmt, args["q"])
    for name, apply_filter in FILTERS.items():
        if name != "stage" and args.get(name):
            stmt = apply_filter(stmt, args[name])
    since = office_today() - timedelta(days=BOARD_CLOSED_DAYS)
    rows = db.session.execute(
        stmt.where(or_(Collaboration.stage.in_(OPEN_STAGES), Collaboration.closed_on >= since))
        .order_by(Collaboration.opened_on.desc(), Collaboration.id.desc())
    ).scalars().all()
    columns: dict[str, list[Collaboration]] = {stage: [] for stage in STAGES}
    for collab in rows:
        columns[collab.stage].append(collab)
    older_closed = db.session.scalar(
        select(func.count()).select_from(
            stmt.where(Collaboration.stage == "closed", Collaboration.closed_on < since)
            .order_by(None).subquery()))
    return render_template(
        "collaborations/board.html", columns=columns, args=args, older_closed=older_closed,
        officers=_officer_options(), company=_company_filter_label(args),
        KIND_LABELS=KIND_LABELS, STAGE_LABELS=STAGE_LABELS, BOARD_CLOSED_DAYS=BOARD_CLOSED_DAYS)


@bp.get("/list")
@require("collaborations.view")
def list_view():
    """Every collaboration, filtered by stage, kind, officer, company or a search."""
    page = paginate(_base(), search=search_collaborations, sorts=SORTS, default_sort="opened",
                    default_dir="desc", filters=FILTERS)
    return render_list("collaborations/index.html", page=page, officers=_officer_options(),
                       company=_company_filter_label(page.args), KIND_LABELS=KIND_LABELS,
                       STAGE_LABELS=STAGE_LABELS)


# --- one collaboration -------------------------------------------------------------------------

def _load(collaboration_id: int) -> Collaboration:
    return get_or_404(
        Collaboration, collaboration_id, joinedload(Collaboration.company),
        joinedload(Collaboration.officer), joinedload(Collaboration.conflicts_reviewed_by),
        selectinload(Collaboration.seeds), selectinload(Collaboration.researchers),
        selectinload(Collaboration.checks).joinedload(CollaborationCheck.checked_by),
        selectinload(Collaboration.signoffs),
        selectinload(Collaboration.minutes).joinedload(CollaborationMinute.author),
    )


def screening_url(company_id: int) -> str:
    """The company's screening page, or the screening start page until that page exists."""
    try:
        return url_for("screening.company", company_id=company_id)
    except BuildError:
        return url_for("screening.index")


def _field_label(key: str) -> str:
    labels = {
        "kind": _("Kind"), "title": _("Subject"), "company_id": _("Company"),
        "officer_id": _("Responsible officer"), "stage": _("Stage"),
        "description": _("Description"),
        "direct_costs": _("Direct costs"), "currency": _("Currency"),
        "indirect_rate": _("Indirect cost rate"), "indirect_amount": _("Indirect costs"),
        "indirect_reason": _("Reason for the rate"),
        "quarterly_reports": _("Quarterly progress reports"),
        "contract_language": _("Contract language"), "opened_on": _("Opened on"),
        "planned_start": _("Planned start"), "planned_end": _("Planned end"),
        "closed_on": _("Closed on"), "close_reason": _("Outcome or reason"),
        "exclusivity": _("Licence exclusivity"), "transfers_ip": _("Transfers IP"),
        "bayh_dole_agency": _("Approving agency"), "bayh_dole_approved_on": _("Approved on"),
        "bayh_dole_reference": _("Approval reference"), "seeds": _("Research seeds"),
        "researchers": _("Researchers"), "conflicts_reviewed_ids": _("Conflicts reviewed"),
    }
    return labels.get(key, key)


def history(collab: Collaboration, limit: int = 200) -> list[dict[str, Any]]:
    """The collaboration's audit trail, with its sign-offs, ticks and minutes, newest first,
    written as sentences. One query."""
    parts = [and_(AuditEntry.entity == "collaborations", AuditEntry.entity_id == collab.id)]
    for entity, rows in (("collaboration_signoffs", collab.signoffs),
                         ("collaboration_checks", collab.checks),
                         ("collaboration_minutes", collab.minutes)):
        if rows:
            parts.append(and_(AuditEntry.entity == entity,
                              AuditEntry.entity_id.in_([r.id for r in rows])))
    entries = db.session.execute(
        select(AuditEntry).where(or_(*parts))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).scalars().all()
    lines = []
    for entry in entries:
        ch = entry.changes or {}
        texts: list[str] = []
        kind = "change"
        if entry.entity == "collaborations":
            if entry.action == "create":
                texts.append(_("Opened the collaboration at %(stage)s.", stage=STAGE_LABELS.get(
                    (ch.get("stage") or [None, "partner_search"])[1], "")))
                kind = "open"
            else:
                if "stage" in ch:
                    before, after = ch["stage"]
                    texts.append(_("Stage: %(before)s → %(after)s", before=STAGE_LABELS.get(
                        before, before), after=STAGE_LABELS.get(after, after)))
                    kind = "move"
                others = [k for k in ch if k not in ("stage", "updated_at")]
                if others:
                    texts.append(_("Changed: %(fields)s",
                                   fields=", ".join(_field_label(k) for k in others)))
        elif entry.entity == "collaboration_signoffs" and entry.action == "create":
            step = (ch.get("step") or [None, ""])[1]
            texts.append(_("Signed off %(step)s (dated %(date)s).",
                           step=STAGE_LABELS.get(step, step),
                           date=value_label(entry.entity, "signed_on",
                                            (ch.get("signed_on") or [None, ""])[1])))
            kind = "signoff"
            if ch.get("override_reason"):
                missing = (ch.get("missing_items") or [None, ""])[1] or ""
                texts.append(_("Override — not done: %(items)s. Reason: %(reason)s",
                               items="; ".join(str(item_label(step, m))
                                               for m in missing.split(",") if m),
                               reason=ch["override_reason"][1]))
                kind = "override"
        elif entry.entity == "collaboration_checks":
            step, _dot, item = (entry.label or "").partition(".")
            done = (ch.get("done") or [None, True])[1]
            text = item_label(step, item)
            texts.append(_("Ticked: %(item)s", item=text) if done
                         else _("Unticked: %(item)s", item=text))
            kind = "tick"
        elif entry.entity == "collaboration_minutes" and entry.action == "create":
            texts.append(_("Added minutes dated %(date)s.",
                           date=value_label(entry.entity, "held_on",
                                            (ch.get("held_on") or [None, ""])[1])))
        if texts:
            lines.append({"at": entry.at, "actor": entry.actor, "texts": texts, "kind": kind})
    return lines


def _steps_view(collab: Collaboration,
                posted: tuple[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """Each step with its items (ticked or not, by whom), its sign-off and its state; posted
    (step, items) shows the ticks of a refused sign-off as the user left them."""
    checks = {(c.step, c.item): c for c in collab.checks}
    signoffs = {s.step: s for s in collab.signoffs}
    current = collab.step_index
    out = []
    for index, step in enumerate(STEPS):
        items = []
        for code, label in CHECKLISTS[step]:
            check = checks.get((step, code))
            done = bool(check and check.done)
            if posted is not None and posted[0] == step:
                done = code in posted[1]
            items.append({"code": code, "label": label, "done": done, "check": check})
        signoff = signoffs.get(step)
        state = ("signed" if signoff else "current" if index == current
                 else "skipped" if index < current else "later")
        out.append({"step": step, "label": STAGE_LABELS[step], "items": items,
                    "signoff": signoff, "state": state,
                    "done": sum(1 for i in items if i["done"]), "total": len(items)})
    return out


def _company_ndas(collab: Collaboration) -> list:
    from crm.ndas.models import Nda

    return list(db.session.execute(
        select(Nda).where(or_(Nda.collaboration_id == collab.id,
                              Nda.company_id == collab.company_id))
        .order_by(Nda.effective_from.desc(), Nda.id.desc())).scalars())


def _render_show(collab: Collaboration, *, signoff_form: SignoffForm | None = None,
                 close_form: CloseForm | None = None, minute_form: MinuteForm | None = None,
                 checklist_errors: list[str] | None = None, open_panel: str | None = None,
                 posted: tuple[str, list[str]] | None = None):
    clearance = services.export_clearance(collab)
    return render_template(
        "collaborations/show.html", collab=collab, steps=_steps_view(collab, posted),
        posted=posted,
        conflicts=services.find_conflicts(collab.company, [s.id for s in collab.seeds],
                                          [r.id for r in collab.researchers],
                                          exclude_id=collab.id),
        tech=services.tech_warnings(collab), clearance=clearance,
        screening_url=screening_url(collab.company_id), ndas=_company_ndas(collab),
        history=history(collab), today=office_today(),
        signoff_form=signoff_form or SignoffForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
        minute_form=minute_form or MinuteForm(formdata=None),
        checklist_errors=checklist_errors or [], open_panel=open_panel,
        missing=(([c for c in services.item_codes(collab.stage) if c not in posted[1]]
                  if posted is not None and posted[0] == collab.stage
                  else services.missing_items(collab, collab.stage))
                 if collab.stage in STEPS else [])
        + ([services.NDA_GATE] if collab.stage == "nda"
           and not services.nda_registered(collab) else []),
        KIND_LABELS=KIND_LABELS, STAGE_LABELS=STAGE_LABELS, STAGES=STAGES, STEPS=STEPS,
        EXCLUSIVITY_LABELS=EXCLUSIVITY_LABELS, LANGUAGE_LABELS=LANGUAGE_LABELS,
        RATE_REASON_LABELS=RATE_REASON_LABELS, MINUTE_KIND_LABELS=MINUTE_KIND_LABELS,
        TECH_FIELD_LABELS=TECH_FIELD_LABELS, item_label=item_label,
        foreign=services.is_foreign(collab.company))


@bp.get("/<int:collaboration_id>")
@require("collaborations.view")
def show(collaboration_id: int):
    """Summary, costs, the current step's checklist and sign-off, conflicts, warnings, NDAs,
    history and minutes."""
    return _render_show(_load(collaboration_id))


@bp.post("/<int:collaboration_id>/checklist")
@require("collaborations.edit")
def checklist(collaboration_id: int):
    """Tick the items of one step (the form sends the ticked ones)."""
    collab = _load(collaboration_id)
    step = request.form.get("step", "")
    try:
        services.set_checks(collab, step, request.form.getlist("item"), by=current_user)
    except ValidationError as err:
        db.session.rollback()
        return _render_show(_load(collaboration_id),
                            checklist_errors=list(err.errors.values())), 422
    flash(_("Saved the checklist of %(step)s.", step=STAGE_LABELS.get(step, step)), "success")
    return redirect(url_for("collaborations.show", collaboration_id=collab.id) + "#checklist")


@bp.post("/<int:collaboration_id>/signoff")
@require("collaborations.edit")
def signoff(collaboration_id: int):
    """Sign off the current step and move to the next stage (see services.sign_off). The
    current step's checklist is in the same form: its ticks are saved with the sign-off, and
    kept on the page, as ticked, when the sign-off is refused."""
    return _signoff(collaboration_id)


def _signoff(collaboration_id: int):
    collab = _load(collaboration_id)
    form = SignoffForm()
    step = collab.stage
    posted = None
    # The export-control officer signs off without editing the checklist (its boxes render
    # disabled for them): only someone who edits collaborations sends ticks.
    if request.form.get("step") == step and current_user.can("collaborations.edit"):
        posted = (step, request.form.getlist("item"))
    if form.validate_on_submit():
        try:
            if posted is not None:
                services.set_checks(collab, step, posted[1], by=current_user)
            services.sign_off(collab, form.signed_on.data, form.override_reason.data,
                              by=current_user)
        except ValidationError as err:
            db.session.rollback()
            collab = _load(collaboration_id)
            form_errors(form, err)
        else:
            flash(_("Signed off %(step)s: the collaboration is now at %(stage)s.",
                    step=STAGE_LABELS[step], stage=STAGE_LABELS[collab.stage]), "success")
            return redirect(url_for("collaborations.show", collaboration_id=collab.id))
    return _render_show(collab, signoff_form=form, posted=posted), 422


@bp.post("/<int:collaboration_id>/export-signoff")
@require("screening.decide")
def export_signoff(collaboration_id: int):
    """The export-control step is signed off by an export-control officer (or an admin), who
    need not be able to edit collaborations otherwise."""
    collab = _load(collaboration_id)
    if collab.stage != "export_control":
        flash(_("The collaboration is not at the export-control step."), "danger")
        return redirect(url_for("collaborations.show", collaboration_id=collab.id)), 303
    return _signoff(collaboration_id)


@bp.post("/<int:collaboration_id>/close")
@require("collaborations.edit")
def close(collaboration_id: int):
    """Close the collaboration (finished, or dropped at any step)."""
    collab = _load(collaboration_id)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services.close(collab, form.closed_on.data, form.close_reason.data)
        except ValidationError as err:
            db.session.rollback()
            collab = _load(collaboration_id)
            form_errors(form, err)
        else:
            flash(_("Closed %(title)s.", title=collab.title), "success")
            return redirect(url_for("collaborations.show", collaboration_id=collab.id))
    return _render_show(collab, close_form=form, open_panel="close"), 422


@bp.post("/<int:collaboration_id>/minutes")
@require("collaborations.edit")
def add_minutes(collaboration_id: int):
    """Minutes of a meeting or a progress note on an active collaboration."""
    collab = _load(collaboration_id)
    form = MinuteForm()
    if form.validate_on_submit():
        try:
            services.add_minute(collab, {name: form[name].data for name in (
                "kind", "held_on", "attendees", "body", "next_steps")}, by=current_user)
        except ValidationError as err:
            db.session.rollback()
            collab = _load(collaboration_id)
            form_errors(form, err)
        else:
            flash(_("Saved the minutes."), "success")
            return redirect(url_for("collaborations.show", collaboration_id=collab.id)
                            + "#minutes")
    return _render_show(collab, minute_form=form), 422


# --- the open / edit form ----------------------------------------------------------------------

def _form_conflicts(form: CollaborationForm, collab: Collaboration | None) -> list:
    """The conflicts of what the form holds now (shown above the "reviewed" box)."""
    if request.method != "POST" and collab is None:
        return []
    company = form.company.data if isinstance(form.company.data, Company) else None
    try:
        seeds, people = form.ids("seeds"), form.ids("researchers")
    except AttributeError:
        return []
    if company is None and not seeds and not people:
        return []
    return services.find_conflicts(company, seeds, people,
                                   exclude_id=collab.id if collab is not None else None)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:collaboration_id>/edit", methods=["GET", "POST"])
@require("collaborations.edit")
def edit(collaboration_id: int | None = None):
    """Open a collaboration (?company=, ?seed=, ?researcher= prefill) or change one."""
    collab = _load(collaboration_id) if collaboration_id else None
    form = CollaborationForm(obj=collab)
    form.officer.choices = options(_officer_options(), blank=True)
    if request.method == "GET":
        if collab is not None:
            form.officer.data = collab.officer_id
        else:
            form.officer.data = current_user.id if current_user.can("collaborations.edit") \
                else None
            company = db.session.get(Company, _int(request.args.get("company", "")) or 0)
            if company is not None:
                form.company.data = company
            seed = db.session.get(ResearchSeed, _int(request.args.get("seed", "")) or 0)
            if seed is not None:
                form.seeds.append_entry(seed)
                for person in seed.researchers:
                    form.researchers.append_entry(person)
            person = db.session.get(Researcher, _int(request.args.get("researcher", "")) or 0)
            if person is not None:
                form.researchers.append_entry(person)
        for name in ("seeds", "researchers"):
            for _n in range(BLANK_SLOTS):
                if len(form[name].entries) < MAX_LINKS:
                    form[name].append_entry()

    def render() -> str:
        conflicts = _form_conflicts(form, collab)
        form.conflicts_seen.data = services.conflict_summary(conflicts)
        reviewed = collab.reviewed_conflict_ids if collab is not None else set()
        return render_template("collaborations/form.html", form=form, collab=collab,
                               conflicts=conflicts, reviewed=reviewed, today=office_today())

    return save_form(
        form, lambda: services.save_collaboration(collab, form.data_for_service(),
                                                  by=current_user),
        message=lambda saved: _("Saved %(title)s.", title=saved.title),
        target=lambda saved: url_for("collaborations.show", collaboration_id=saved.id),
        render=render,
        record=collab,
    )


# --- panels other pages include ----------------------------------------------------------------

@bp.app_template_global()
def company_collaborations(company_id: int) -> dict[str, list]:
    """A company's collaborations and NDAs for its page (two queries)."""
    from crm.ndas.models import Nda

    collabs = db.session.execute(
        select(Collaboration).where(Collaboration.company_id == company_id)
        .order_by((Collaboration.stage == "closed").asc(), Collaboration.opened_on.desc())
        .limit(50)).scalars().all()
    ndas = db.session.execute(
        select(Nda).where(Nda.company_id == company_id)
        .order_by(Nda.expires_on.desc(), Nda.id.desc()).limit(50)).scalars().all()
    return {"collaborations": collabs, "ndas": ndas, "today": office_today()}


@bp.app_template_global()
def seed_collaborations(seed_id: int) -> list[Collaboration]:
    """The collaborations a seed is part of, open first (one query)."""
    return list(db.session.execute(
        select(Collaboration)
        .join(collaboration_seeds, collaboration_seeds.c.collaboration_id == Collaboration.id)
        .where(collaboration_seeds.c.seed_id == seed_id)
        .options(joinedload(Collaboration.company))
        .order_by((Collaboration.stage == "closed").asc(), Collaboration.opened_on.desc())
        .limit(50)).scalars())


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"COLLAB_KIND_LABELS": KIND_LABELS, "COLLAB_STAGE_LABELS": STAGE_LABELS,
            "TECH_FIELD_LABELS": TECH_FIELD_LABELS}
