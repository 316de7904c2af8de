"""Portfolio pages: an officer's own portfolio, the manager's overview, a company's history."""
from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import User
from crm.common.forms import ConfirmForm, options
from crm.common.params import arg_int
from crm.common.services import ValidationError
from crm.common.users import officer_choices
from crm.common.views import form_errors, get_or_404, paginate, render_list, require, safe_next
from crm.companies.forms import STATUS_LABELS, TIER_LABELS
from crm.companies.models import Company, name_contains
from crm.extensions import db
from crm.liaison import services
from crm.liaison.forms import AssignForm, CoverageForm, HistoryLookupForm
from crm.liaison.models import PORTFOLIO_MAX, PORTFOLIO_MIN, Coverage
from crm.research.models import Department
from crm.common.time import office_today

bp = Blueprint("liaison", __name__, url_prefix="/liaison")


@bp.context_processor
def _constants() -> dict:
    return {"PORTFOLIO_MIN": PORTFOLIO_MIN, "PORTFOLIO_MAX": PORTFOLIO_MAX,
            "STALE_DAYS": services.STALE_DAYS, "TIER_LABELS": TIER_LABELS,
            "STATUS_LABELS": STATUS_LABELS}


def _portfolio_page(officer: User):
    """One officer's companies, follow-ups and departments: the same queries for any size."""
    return render_template(
        "liaison/portfolio.html", officer=officer, own=officer.id == current_user.id,
        load=services.officer_load(officer), rows=services.portfolio(officer.id),
        follow_ups=services.open_follow_ups(officer.id),
        departments=services.covered_departments(officer.id), today=office_today(),
        confirm=ConfirmForm(),
    )


@bp.get("/mine")
@require("records.view")
def mine():
    """The logged-in officer's portfolio: companies, follow-ups, covered departments."""
    return _portfolio_page(current_user)


@bp.get("/officers/<int:user_id>")
@require("portfolio.manage")
def officer(user_id: int):
    """Another officer's portfolio, as they see it (for managers)."""
    return _portfolio_page(get_or_404(User, user_id))


UNCOVERED_SORTS = {
    "members": services.MEMBERS_FIRST,
    "name": Company.sort_name,
    "renewal": Company.renewal_date,
    "status": Company.status,
    "country": Company.country,
}
UNCOVERED_FILTERS = {
    "tier": lambda s, v: s.where(Company.membership_tier == v),
    "status": lambda s, v: s.where(Company.status == v),
}


def _department_choices() -> list:
    rows = db.session.execute(select(Department.id, Department.name).order_by(Department.name))
    return options(rows.all(), blank=True)


@bp.route("/", methods=["GET", "POST"])
@require("portfolio.manage")
def overview():
    """Every officer's load against 7–10, the assign and coverage forms, and what nobody
    covers. Both forms post here (told apart by their action field), so a refused form comes
    back on this page with its error beside the field."""
    action = request.form.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in ("assign", "cover"):
        abort(400)
    # Only the form that was sent reads the request; the other one shows empty.
    assign = AssignForm() if action == "assign" else AssignForm(formdata=None)
    cover = CoverageForm() if action == "cover" else CoverageForm(formdata=None)
    officers = officer_choices()
    assign.officer.choices = officers
    cover.officer.choices = officers
    cover.department.choices = _department_choices()
    status = 200
    if request.method == "POST":
        form = assign if action == "assign" else cover
        if form.validate_on_submit():
            try:
                message = _assign(assign) if form is assign else _cover(cover)
            except ValidationError as err:
                form_errors(form, err)
            else:
                flash(message, "success")
                return redirect(safe_next(request.args.get("next"), url_for("liaison.overview")))
        status = 422
    elif arg_int("company") is not None:  # "Reassign" links prefill the company
        assign.company.data = db.session.get(Company, arg_int("company"))
    page = paginate(services.uncovered_companies(),
                    search=lambda s, q: s.where(name_contains(q)), sorts=UNCOVERED_SORTS,
                    default_sort="members", filters=UNCOVERED_FILTERS, per_page=25,
                    count_cap=None)  # the page shows how many nobody holds
    loads = services.loads()
    return render_list(
        "liaison/overview.html", page=page, loads=loads,
        coverages=services.coverages_by_officer(),
        departments=services.uncovered_departments(), assign=assign, cover=cover,
        lookup=HistoryLookupForm(formdata=None),
        under=sum(1 for x in loads if x.band == "under"),
        over=sum(1 for x in loads if x.band == "over"),
    ), status


def _assign(form: AssignForm) -> str:
    company = form.company.data
    officer = db.session.get(User, form.officer.data)
    if officer is None:
        raise ValidationError({"officer": _("That officer no longer exists; pick again.")})
    services.assign_company(company, officer, by=current_user,
                            override_reason=form.override_reason.data, note=form.note.data)
    return _("%(company)s is now held by %(officer)s.", company=company.name,
             officer=officer.name)


def _cover(form: CoverageForm) -> str:
    officer = db.session.get(User, form.officer.data)
    department = db.session.get(Department, form.department.data)
    if officer is None or department is None:
        raise ValidationError({"officer": _("That officer or department no longer exists.")})
    services.assign_coverage(officer, department, by=current_user)
    return _("%(officer)s now covers %(department)s.", officer=officer.name,
             department=department.name)


@bp.post("/officers/<int:user_id>/departments/<int:department_id>/end")
@require("portfolio.manage")
def end_coverage(user_id: int, department_id: int):
    """Stop an officer covering a department (the row stays as history)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    coverage = db.session.scalar(select(Coverage).where(
        Coverage.officer_id == user_id, Coverage.department_id == department_id,
        Coverage.ended_at.is_(None)))
    if coverage is None:
        abort(404)
    services.end_coverage(coverage, by=current_user)
    flash(_("%(officer)s no longer covers %(department)s.", officer=coverage.officer.name,
            department=coverage.department.name), "success")
    return redirect(safe_next(request.form.get("next"),
                              url_for("liaison.officer", user_id=user_id)))


@bp.get("/history")
@require("records.view")
def find_history():
    """Go to the portfolio history of the company typed in the look-up box."""
    form = HistoryLookupForm(request.args)
    if form.validate():
        return redirect(url_for("liaison.history", company_id=form.company.data.id))
    for message in form.company.errors:
        flash(message, "warning")
    return redirect(safe_next(request.args.get("next"), url_for("liaison.mine")))


@bp.get("/companies/<int:company_id>/history")
@require("records.view")
def history(company_id: int):
    """Who held the company when, who assigned it, and any override of the 7–10 rule."""
    company = get_or_404(Company, company_id)
    return render_template("liaison/history.html", company=company,
                           rows=services.company_history(company.id), confirm=ConfirmForm())


@bp.post("/companies/<int:company_id>/unassign")
@require("portfolio.manage")
def unassign(company_id: int):
    """Nobody holds the company any more; the history stays."""
    company = get_or_404(Company, company_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.unassign_company(company, by=current_user)
    flash(_("Nobody holds %(company)s now.", company=company.name), "success")
    return redirect(url_for("liaison.history", company_id=company.id))
