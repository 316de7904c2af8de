"""Company pages: the list, the company page, the form, deletion."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from crm.activities.models import Activity
from crm.alumni.models import Alumnus
from crm.audit.views import recent_changes
from crm.common.suggest import Suggester, register
from crm.common.text import fold_company_name
from crm.common.users import officer_choices
from crm.common.views import (
    confirm_delete,
    get_or_404,
    paginate,
    render_list,
    require,
    save_form,
)
from crm.common.services import ValidationError
from crm.companies import register as nta_register
from crm.companies import services
from crm.companies.forms import (
    CLOSE_CAUSE_LABELS,
    SIZE_LABELS,
    STATUS_LABELS,
    TIER_LABELS,
    CompanyForm,
    RegisterImportForm,
    RegisterNameForm,
)
from crm.companies.models import Company, name_contains, name_starts
from crm.companies.queries import (
    COMPANY_SORTS,
    companies_query,
    donation_currencies,
    filter_errors,
    industries,
)
from crm.contacts.models import Contact
from crm.contacts.matching import DUPLICATE_RULE
from crm.donations.models import Donation
from crm.extensions import db
from crm.search_views import company_seed_matches
from importers.houjin import RegisterFileError

bp = Blueprint("companies", __name__, url_prefix="/companies")

register("company", Suggester(
    Company,
    lambda q: select(Company).where(name_contains(q)).order_by(func.length(Company.name_folded),
                                                               Company.id),
    lambda t: select(Company).where(Company.name_folded == fold_company_name(t)),
    starting=lambda q: select(Company).where(name_starts(q)).order_by(Company.sort_name,
                                                                        Company.id),
))

#: How many related rows a company page shows per section before "show all".
SECTION_LIMIT = 20


#: Search, filters and sorts live in one place shared with the partner-list exports.
SORTS = COMPANY_SORTS


@bp.get("/")
@require("records.view")
def index():
    """All companies, filtered as the user types, sorted by any column, 50 a page."""
    donations = current_user.can("donations.view")
    # The typed search goes to paginate(), which runs it once and loads the rows without it.
    filters = {k: v for k, v in request.args.items() if k != "q"}
    stmt = companies_query(filters, donations=donations).options(joinedload(Company.officer))
    page = paginate(stmt, search=lambda s, q: s.where(name_contains(q)), sorts=SORTS,
                    default_sort="name")
    return render_list(
        "companies/index.html", page=page, officers=officer_choices(),
        industries=industries(),
        currencies=donation_currencies() if donations else [],
        filter_errors=filter_errors("companies", request.args, donations=donations),
        STATUS_LABELS=STATUS_LABELS, TIER_LABELS=TIER_LABELS)


@bp.get("/<int:company_id>")
@require("records.view")
def show(company_id: int):
    """The company page: who they are, what they need, everyone and everything related."""
    company = get_or_404(
        Company, company_id, joinedload(Company.officer), joinedload(Company.parent),
        selectinload(Company.subsidiaries),
    )
    contacts = db.session.execute(
        select(Contact).where(Contact.company_id == company.id)
        .order_by(Contact.family_name_reading, Contact.family_name).limit(SECTION_LIMIT)
    ).scalars().all()
    # Activities, encounters and donations are in the page's timeline (crm/timeline).
    alumni = db.session.execute(
        select(Alumnus).where(Alumnus.employer_id == company.id).order_by(Alumnus.family_name)
        .limit(SECTION_LIMIT).options(joinedload(Alumnus.department))
    ).scalars().all()
    counts = services.history(company)
    donation_totals = []
    if current_user.can("donations.view"):
        donation_totals = db.session.execute(
            select(Donation.currency, func.sum(Donation.amount))
            .where(Donation.company_id == company.id).group_by(Donation.currency)
        ).all()
    last_contact = db.session.scalar(
        select(func.max(Activity.occurred_on)).where(Activity.company_id == company.id))
    return render_template(
        "companies/show.html", company=company, contacts=contacts, alumni=alumni,
        donation_totals=donation_totals, counts=counts, last_contact=last_contact,
        changes=recent_changes(company), STATUS_LABELS=STATUS_LABELS, TIER_LABELS=TIER_LABELS,
        SIZE_LABELS=SIZE_LABELS, SECTION_LIMIT=SECTION_LIMIT,
        CLOSE_CAUSE_LABELS=CLOSE_CAUSE_LABELS, successor=nta_register.successor(company),
        **company_seed_matches(company),  # one index call + one query
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@require("records.edit")
def edit(company_id: int | None = None):
    """Create a company or edit one; errors appear beside their fields and nothing is saved."""
    company = get_or_404(Company, company_id) if company_id else None
    form = CompanyForm(obj=company)
    form.officer.choices = officer_choices()
    if request.method == "GET" and company is not None:
        form.officer.data = company.officer_id
    return save_form(
        form, lambda duplicates: services.save_company(company, form.data_for_service(),
                                                       duplicates=duplicates),
        message=lambda saved: _("Saved %(name)s.", name=saved.name),
        target=lambda saved: url_for("companies.show", company_id=saved.id),
        render=lambda **found: render_template("companies/form.html", form=form,
                                               company=company, **found),
        record=company, duplicates=DUPLICATE_RULE,
    )


@bp.route("/<int:company_id>/delete", methods=["GET", "POST"])
@require("records.delete")
def delete(company_id: int):
    """Ask first, showing what the company has; then delete it (the audit trail stays)."""
    company = get_or_404(Company, company_id)
    counts = services.history(company)
    return confirm_delete(
        lambda: services.delete_company(company),
        message=_("Deleted %(name)s.", name=company.name),
        target=url_for("companies.index"),
        render=lambda form: render_template("companies/delete.html", company=company,
                                            counts=counts, form=form),
    )


# -- Japan's corporate-number register (crm/companies/register.py) ------------------------------

def _register_page(import_form: RegisterImportForm | None = None, error: str | None = None):
    page = paginate(nta_register.pending_reviews(), sorts={"name": Company.sort_name},
                    default_sort="name")
    return render_template("companies/register.html", page=page, error=error,
                           import_form=import_form or RegisterImportForm(),
                           name_form=RegisterNameForm())


@bp.get("/register")
@require("import")
def register_review():
    """Names that differ from the corporate-number register, to take or to keep; the upload."""
    return _register_page()


@bp.post("/register")
@require("import")
def register_import():
    """Compare an uploaded register file with our companies (one transaction; a bad file
    changes nothing and its first bad line is named)."""
    form = RegisterImportForm()
    if not form.validate_on_submit():
        return _register_page(form), 422
    upload = form.file.data
    suffix = Path(upload.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register{suffix if suffix in ('.zip', '.csv') else '.csv'}"
        upload.save(path)
        try:
            report = nta_register.import_register(path)
        except RegisterFileError as err:
            return _register_page(form, _("%(file)s: %(error)s Nothing was written.",
                                          file=upload.filename, error=str(err))), 422
    flash(_("%(file)s: %(rows)s register rows, %(matched)s of our companies found, "
            "%(changed)s changed (%(filled)s empty fields filled, %(closed)s newly closed).",
            file=upload.filename, rows=f"{report.rows:,}", matched=f"{report.matched:,}",
            changed=f"{report.changed:,}", filled=f"{report.filled:,}",
            closed=f"{report.closed:,}"), "success")
    return redirect(url_for("companies.register_review"))


@bp.post("/<int:company_id>/register-name")
@require("import")
def register_name(company_id: int):
    """Take the register's name for one company, or keep ours."""
    company = get_or_404(Company, company_id)
    form = RegisterNameForm()
    if not form.validate_on_submit() or not (form.accept.data or form.keep.data):
        flash(_("Choose the register's name or ours."), "warning")
        return _register_page(), 422
    try:
        nta_register.decide_register_name(company, form.register_name.data,
                                      accept=bool(form.accept.data))
    except ValidationError as err:
        flash(" ".join(err.errors.values()), "warning")
        return _register_page(), 409
    if form.accept.data:
        flash(_("%(name)s now has the register's name.", name=company.name), "success")
    else:
        flash(_("Kept our name %(name)s.", name=company.name), "success")
    return redirect(url_for("companies.register_review"))
