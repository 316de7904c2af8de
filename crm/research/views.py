"""Research pages: seeds, researchers and departments — lists, pages, forms, deletion."""
from __future__ import annotations

import operator

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from crm.audit.views import recent_changes
from crm.auth.models import User
from crm.common.params import int_filter, to_int
from crm.common.suggest import named_suggester, person_suggester, register
from crm.common.text import hira_to_kata, nfkc
from crm.common.views import (
    ListPage, confirm_delete, get_or_404, like, paginate, render_list, require,
    require_or_record_rule, save_form,
)
from crm.extensions import db
from crm.research import services
from crm.research.forms import (
    BLANK_RESEARCHER_SLOTS, IP_LABELS, MAX_RESEARCHERS, SEED_STATUS_LABELS, TRL_LABELS,
    DepartmentForm, ResearcherForm, SeedForm, department_choices, department_options,
)
from crm.research.models import Department, Researcher, ResearchSeed, seed_researchers
from crm.search import researcher_text, seed_text
from crm.search_views import interested_companies

bp = Blueprint("research", __name__, url_prefix="/research")
register("researcher", person_suggester(Researcher))
register("seed", named_suggester(ResearchSeed, ResearchSeed.title, ResearchSeed.id))

#: How many researchers or seeds a detail page lists before linking to the full list.
SECTION_LIMIT = 50


@bp.context_processor
def _research_helpers() -> dict:
    return {"keyword_list": services.keyword_list, "IP_LABELS": IP_LABELS,
            "SEED_STATUS_LABELS": SEED_STATUS_LABELS, "TRL_LABELS": TRL_LABELS,
            "can_edit_researcher": services.can_edit_researcher}


def _terms(q: str) -> list[str]:
    """Search words: width-folded, split on any space (including 全角 spaces)."""
    return nfkc(q).split()[:8]


def _int_arg(value: str) -> int | None:
    return to_int(value)


# --- research seeds --------------------------------------------------------------------------

def search_seeds(stmt: Select, q: str) -> Select:
    """Every word must appear in the title, abstract or keywords."""
    for term in _terms(q):
        pattern = like(term)
        stmt = stmt.where(or_(
            ResearchSeed.title.ilike(pattern, escape="\\"),
            ResearchSeed.abstract.ilike(pattern, escape="\\"),
            ResearchSeed.keywords.ilike(pattern, escape="\\"),
        ))
    return stmt


SEED_SORTS = {
    "title": ResearchSeed.title,
    "department": Department.name,
    "readiness": ResearchSeed.readiness,
    "status": ResearchSeed.status,
    "updated": ResearchSeed.updated_at,
}


def _yes_no(stmt: Select, value: str) -> Select:
    if value in ("yes", "no"):
        return stmt.where(ResearchSeed.government_funded.is_(value == "yes"))
    return stmt


SEED_FILTERS = {
    "department": int_filter(ResearchSeed.department_id),
    "readiness": int_filter(ResearchSeed.readiness, operator.ge),
    "ip": lambda s, v: s.where(ResearchSeed.ip_status == v),
    "status": lambda s, v: s.where(ResearchSeed.status == v),
    "gov": _yes_no,
    "researcher": lambda s, v: s.where(ResearchSeed.researchers.any(Researcher.id == to_int(v)))
    if to_int(v) is not None else s,
}


@bp.get("/seeds/")
@require("records.view")
def seeds():
    """All research seeds, filtered as the user types, newest change first, 50 a page."""
    stmt = (select(ResearchSeed)
            .outerjoin(Department, ResearchSeed.department_id == Department.id)
            .options(contains_eager(ResearchSeed.department),
                     selectinload(ResearchSeed.researchers)))
    page = paginate(stmt, search=search_seeds, sorts=SEED_SORTS, default_sort="updated",
                    default_dir="desc", filters=SEED_FILTERS)
    return render_list("research/seeds.html", page=page, departments=department_options())


@bp.get("/seeds/<int:seed_id>")
@require("records.view")
def seed(seed_id: int):
    """A seed: abstract, readiness, IP, the Bayh-Dole flag, its researchers and department."""
    item = get_or_404(
        ResearchSeed, seed_id, joinedload(ResearchSeed.department),
        selectinload(ResearchSeed.researchers).joinedload(Researcher.department),
    )
    return render_template("research/seed.html", seed=item, changes=recent_changes(item),
                           can_edit=item.can_edit(current_user),
                           interested=interested_companies(seed_text(item)))


def _seed_form(item: ResearchSeed | None):
    form = SeedForm(obj=item)
    form.department.choices = department_choices()
    if request.method == "GET":
        if item is not None:
            form.department.data = item.department_id
        else:
            form.department.data = _int_arg(request.args.get("department", ""))
            prefill = db.session.get(Researcher, _int_arg(request.args.get("researcher", "")) or 0)
            if prefill is not None:
                form.researchers.append_entry(prefill)
                if form.department.data is None:
                    form.department.data = prefill.department_id
        for _n in range(BLANK_RESEARCHER_SLOTS):
            if len(form.researchers.entries) < MAX_RESEARCHERS:
                form.researchers.append_entry()
    return save_form(
        form, lambda: services.save_seed(item, form.data_for_service(), by=current_user),
        message=lambda saved: _("Saved %(name)s.", name=saved.title),
        target=lambda saved: url_for("research.seed", seed_id=saved.id),
        render=lambda: render_template("research/seed_form.html", form=form, seed=item,
                                       next_slot=len(form.researchers.entries),
                                       MAX_RESEARCHERS=MAX_RESEARCHERS),
        record=item,
    )


@bp.route("/seeds/new", methods=["GET", "POST"])
@require("research.edit")
def new_seed():
    """Record a new research seed (?department=ID, ?researcher=ID prefill)."""
    return _seed_form(None)


@bp.route("/seeds/<int:seed_id>/edit", methods=["GET", "POST"])
@require_or_record_rule("research.edit")
def edit_seed(seed_id: int):
    """Edit a seed: research editors any seed, a researcher the seeds they are named on."""
    item = get_or_404(ResearchSeed, seed_id, selectinload(ResearchSeed.researchers))
    if not item.can_edit(current_user):
        abort(403)
    return _seed_form(item)


@bp.get("/seeds/researcher-slot")
@require("records.view")
def researcher_slot():
    """One more empty researcher picker for the seed form (htmx), and the next "add" button."""
    index = min(_int_arg(request.args.get("index", "")) or 0, 10 * MAX_RESEARCHERS)
    form = SeedForm(formdata=None)
    entry = form.researchers.append_entry()
    entry.name = entry.id = f"researchers-{index}"
    return render_template("research/_researcher_slot.html", entry=entry, next_slot=index + 1,
                           oob=True, MAX_RESEARCHERS=MAX_RESEARCHERS)


@bp.route("/seeds/<int:seed_id>/delete", methods=["GET", "POST"])
@require("research.edit")
def delete_seed(seed_id: int):
    """Ask first, then delete the seed (its researchers stay; the audit trail keeps it)."""
    item = get_or_404(ResearchSeed, seed_id)
    if not current_user.can("records.delete"):
        abort(403)
    return confirm_delete(
        lambda: services.delete_seed(item),
        message=_("Deleted %(name)s.", name=item.title),
        target=url_for("research.seeds"),
        render=lambda form: render_template(
            "research/delete.html", title=item.title,
            what=_("This removes the research seed from the CRM. Its researchers "
                   "and department stay."),
            counts={}, labels={}, form=form,
            cancel_url=url_for("research.seed", seed_id=item.id)),
    )


# --- researchers -----------------------------------------------------------------------------

def search_researchers(stmt: Select, q: str) -> Select:
    """Every word must appear in the name (kanji, kana reading or Latin), lab or keywords."""
    full = func.coalesce(Researcher.family_name, "") + func.coalesce(Researcher.given_name, "")
    reading = (func.coalesce(Researcher.family_name_reading, "")
               + func.coalesce(Researcher.given_name_reading, ""))
    for term in _terms(q):
        pattern = like(term)
        stmt = stmt.where(or_(
            full.ilike(pattern, escape="\\"),
            reading.ilike(like(hira_to_kata(term)), escape="\\"),
            Researcher.name_en.ilike(pattern, escape="\\"),
            Researcher.lab.ilike(pattern, escape="\\"),
            Researcher.keywords.ilike(pattern, escape="\\"),
        ))
    return stmt


RESEARCHER_SORTS = {
    "reading": (func.coalesce(Researcher.family_name_reading, Researcher.family_name) + " "
                + func.coalesce(Researcher.given_name_reading, Researcher.given_name, "")),
    "department": Department.name,
    "lab": Researcher.lab,
}

RESEARCHER_FILTERS = {
    "department": int_filter(Researcher.department_id),
}


def _seed_counts(researcher_ids: list[int]) -> dict[int, int]:
    """Seeds per researcher for one page of researchers, in one grouped query."""
    if not researcher_ids:
        return {}
    rows = db.session.execute(
        select(seed_researchers.c.researcher_id, func.count())
        .where(seed_researchers.c.researcher_id.in_(researcher_ids))
        .group_by(seed_researchers.c.researcher_id)
    ).all()
    return dict(rows)


@bp.get("/researchers/")
@require("records.view")
def researchers():
    """All researchers, filtered as the user types, by reading, 50 a page."""
    stmt = (select(Researcher)
            .outerjoin(Department, Researcher.department_id == Department.id)
            .options(contains_eager(Researcher.department)))
    page = paginate(stmt, search=search_researchers, sorts=RESEARCHER_SORTS,
                    default_sort="reading", filters=RESEARCHER_FILTERS)
    return render_list("research/researchers.html", page=page,
                       departments=department_options(),
                       seed_counts=_seed_counts([r.id for r in page.items]))


@bp.get("/researchers/<int:researcher_id>")
@require("records.view")
def researcher(researcher_id: int):
    """A researcher: profile, keywords, department, lab and their research seeds."""
    person = get_or_404(Researcher, researcher_id, joinedload(Researcher.department))
    seed_rows = db.session.execute(
        select(ResearchSeed)
        .join(seed_researchers, seed_researchers.c.seed_id == ResearchSeed.id)
        .where(seed_researchers.c.researcher_id == person.id)
        .order_by(ResearchSeed.updated_at.desc(), ResearchSeed.id.desc())
        .options(joinedload(ResearchSeed.department), selectinload(ResearchSeed.researchers))
    ).unique().scalars().all()
    account = db.session.scalar(select(User).where(User.researcher_id == person.id))
    return render_template("research/researcher.html", researcher=person, seeds=seed_rows,
                           account=account,
                           can_edit=services.can_edit_researcher(current_user, person),
                           interested=interested_companies(researcher_text(person, seed_rows)))


def _researcher_form(person: Researcher | None):
    form = ResearcherForm(obj=person)
    form.department.choices = department_choices()
    if request.method == "GET":
        form.department.data = (person.department_id if person is not None
                                else _int_arg(request.args.get("department", "")))
    return save_form(
        form, lambda: services.save_researcher(person, form.data_for_service()),
        message=lambda saved: _("Saved %(name)s.", name=saved.display_name),
        target=lambda saved: url_for("research.researcher", researcher_id=saved.id),
        render=lambda: render_template("research/researcher_form.html", form=form,
                                       researcher=person),
        record=person,
    )


@bp.route("/researchers/new", methods=["GET", "POST"])
@require("research.edit")
def new_researcher():
    """Add a researcher (?department=ID prefill)."""
    return _researcher_form(None)


@bp.route("/researchers/<int:researcher_id>/edit", methods=["GET", "POST"])
@require_or_record_rule("research.edit")
def edit_researcher(researcher_id: int):
    """Edit a researcher: research editors anyone, a researcher user their own profile."""
    person = get_or_404(Researcher, researcher_id)
    if not services.can_edit_researcher(current_user, person):
        abort(403)
    return _researcher_form(person)


@bp.route("/researchers/<int:researcher_id>/delete", methods=["GET", "POST"])
@require("research.edit")
def delete_researcher(researcher_id: int):
    """Ask first, showing their seeds and login; then delete the researcher."""
    person = get_or_404(Researcher, researcher_id)
    if not current_user.can("records.delete"):
        abort(403)
    counts = services.researcher_usage(person)
    labels = {"seeds": _("Research seeds naming them (kept, without them)"),
              "users": _("Login accounts linked to them (kept, unlinked)")}
    return confirm_delete(
        lambda: services.delete_researcher(person),
        message=_("Deleted %(name)s.", name=person.display_name),
        target=url_for("research.researchers"),
        render=lambda form: render_template(
            "research/delete.html", title=person.display_name,
            what=_("This removes the researcher from the CRM."),
            counts=counts, labels=labels, form=form,
            cancel_url=url_for("research.researcher", researcher_id=person.id)),
    )


# --- departments -----------------------------------------------------------------------------

DEPARTMENT_SORTS = ("name", "code", "researchers", "seeds")


@bp.get("/departments/")
@require("records.view")
def departments():
    """Every department with its number of researchers and seeds, in one grouped query."""
    args = {k: v.strip() for k, v in request.args.items()}
    researchers_n = (select(Researcher.department_id.label("dep"), func.count().label("n"))
                     .group_by(Researcher.department_id).subquery())
    seeds_n = (select(ResearchSeed.department_id.label("dep"), func.count().label("n"))
               .group_by(ResearchSeed.department_id).subquery())
    n_researchers = func.coalesce(researchers_n.c.n, 0)
    n_seeds = func.coalesce(seeds_n.c.n, 0)
    stmt = (select(Department, n_researchers, n_seeds)
            .outerjoin(researchers_n, researchers_n.c.dep == Department.id)
            .outerjoin(seeds_n, seeds_n.c.dep == Department.id))
    q = args.get("q", "")
    for term in _terms(q):
        pattern = like(term)
        stmt = stmt.where(or_(Department.name.ilike(pattern, escape="\\"),
                              Department.name_en.ilike(pattern, escape="\\"),
                              Department.code.ilike(pattern, escape="\\")))
    sort = args.get("sort") if args.get("sort") in DEPARTMENT_SORTS else "name"
    direction = args.get("dir") if args.get("dir") in ("asc", "desc") else "asc"
    column = {"name": Department.name, "code": Department.code, "researchers": n_researchers,
              "seeds": n_seeds}[sort]
    rows = db.session.execute(
        stmt.order_by(column.desc() if direction == "desc" else column.asc(), Department.id)
    ).all()
    page = ListPage(items=rows, total=len(rows), page=1, per_page=max(len(rows), 1), sort=sort,
                    direction=direction, q=q, args=args)
    return render_list("research/departments.html", page=page)


@bp.get("/departments/<int:department_id>")
@require("records.view")
def department(department_id: int):
    """A department: its researchers and research seeds."""
    dept = get_or_404(Department, department_id)
    usage = services.department_usage(dept)
    people = db.session.execute(
        select(Researcher).where(Researcher.department_id == dept.id)
        .order_by(RESEARCHER_SORTS["reading"], Researcher.id).limit(SECTION_LIMIT)
    ).scalars().all()
    seed_rows = db.session.execute(
        select(ResearchSeed).where(ResearchSeed.department_id == dept.id)
        .order_by(ResearchSeed.updated_at.desc(), ResearchSeed.id.desc()).limit(SECTION_LIMIT)
        .options(selectinload(ResearchSeed.researchers))
    ).scalars().all()
    return render_template("research/department.html", department=dept, usage=usage,
                           researchers=people, seeds=seed_rows, SECTION_LIMIT=SECTION_LIMIT)


def _department_form(dept: Department | None):
    form = DepartmentForm(obj=dept)
    return save_form(
        form, lambda: services.save_department(dept, form.data),
        message=lambda saved: _("Saved %(name)s.", name=saved.name),
        target=lambda saved: url_for("research.department", department_id=saved.id),
        render=lambda: render_template("research/department_form.html", form=form,
                                       department=dept),
        record=dept,
    )


@bp.route("/departments/new", methods=["GET", "POST"])
@require("research.edit")
def new_department():
    """Add a department."""
    return _department_form(None)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@require("research.edit")
def edit_department(department_id: int):
    """Rename a department or change its code."""
    return _department_form(get_or_404(Department, department_id))


@bp.route("/departments/<int:department_id>/delete", methods=["GET", "POST"])
@require("research.edit")
def delete_department(department_id: int):
    """Delete a department nobody belongs to; refused (409) while it is in use."""
    dept = get_or_404(Department, department_id)
    if not current_user.can("records.delete"):
        abort(403)
    usage = services.department_usage(dept)
    return confirm_delete(
        lambda: services.delete_department(dept),
        message=_("Deleted %(name)s.", name=dept.name),
        target=url_for("research.departments"),
        render=lambda form: render_template("research/department_delete.html",
                                            department=dept, usage=usage, form=form),
    )
