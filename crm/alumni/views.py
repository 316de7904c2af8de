"""Alumni pages: the list, one alumnus, the form, deletion."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from crm.alumni import services
from crm.alumni.forms import DEGREE_LABELS, AlumnusForm, department_options
from crm.alumni.models import Alumnus
from crm.common.params import arg_int, int_filter, to_int
from crm.common.suggest import person_suggester, register
from crm.common.text import fold_company_name, fold_text, nfkc
from crm.common.views import (
    confirm_delete,
    get_or_404,
    like,
    paginate,
    render_list,
    require,
    save_form,
)
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.extensions import db
from crm.research.models import Department

bp = Blueprint("alumni", __name__, url_prefix="/alumni")
register("alumnus", person_suggester(Alumnus))

#: How many donations the alumnus page lists.
SECTION_LIMIT = 50


def search_alumni(stmt: Select, q: str) -> Select:
    """Name in either order, reading (kana of any kind), e-mail or employer name."""
    text = nfkc(q)
    full = func.coalesce(Alumnus.family_name, "") + func.coalesce(Alumnus.given_name, "")
    full_en = func.coalesce(Alumnus.given_name, "") + " " + func.coalesce(Alumnus.family_name, "")
    reading = (func.coalesce(Alumnus.family_name_reading, "")
               + func.coalesce(Alumnus.given_name_reading, ""))
    folded = fold_company_name(q) or fold_text(q)
    return stmt.where(or_(
        full.ilike(like(text.replace(" ", "")), escape="\\"),
        full_en.ilike(like(text), escape="\\"),
        reading.like(like(fold_text(q).replace(" ", "")), escape="\\"),
        Alumnus.email.ilike(like(text), escape="\\"),
        Company.name_folded.like(like(folded), escape="\\"),
        Company.name_en.ilike(like(text), escape="\\"),
    ))


def _year(stmt: Select, value: str) -> Select:
    return int_filter(Alumnus.graduation_year)(stmt, value)


SORTS = {
    "name": func.coalesce(Alumnus.family_name_reading, Alumnus.family_name),
    "year": Alumnus.graduation_year,
    "degree": Alumnus.degree,
    "department": Department.name,
    "employer": func.coalesce(Company.name_reading, Company.name_folded),
    "country": Alumnus.country,
}

FILTERS = {
    "degree": lambda s, v: s.where(Alumnus.degree == v),
    "year": _year,
    "department": int_filter(Alumnus.department_id),
    "country": lambda s, v: s.where(Alumnus.country == nfkc(v).upper()),
    "employer": int_filter(Alumnus.employer_id),
}


def _joins(stmt: Select) -> Select:
    """What the search and the sorts read: the employer and the department (one at most)."""
    return (stmt.outerjoin(Company, Alumnus.employer_id == Company.id)
            .outerjoin(Department, Alumnus.department_id == Department.id))


@bp.get("/")
@require("records.view")
def index():
    """All alumni, filtered as the user types: by degree, year, department, country, employer."""
    stmt = select(Alumnus).options(joinedload(Alumnus.employer), joinedload(Alumnus.department))
    page = paginate(stmt, search=search_alumni, sorts=SORTS, default_sort="name", filters=FILTERS,
                    joins=_joins)
    years = db.session.execute(
        select(Alumnus.graduation_year).where(Alumnus.graduation_year.is_not(None)).distinct()
        .order_by(Alumnus.graduation_year.desc())
    ).scalars().all()
    # The employer filter comes from a company's page ("All alumni working here"), as the
    # activities' company filter does: a choice among every employer (12,000 of them on the
    # large demo) would be most of the page.
    employer = (db.session.get(Company, to_int(page.args["employer"]))
                if to_int(page.args.get("employer", "")) else None)
    return render_list(
        "alumni/index.html", page=page, DEGREE_LABELS=DEGREE_LABELS, employer=employer,
        years=[(str(y), str(y)) for y in years],
        departments=[(o.value, o.label) for o in department_options(blank=False)],
    )


@bp.get("/<int:alumnus_id>")
@require("records.view")
def show(alumnus_id: int):
    """One alumnus: where they work, their department, the linked contact, their donations."""
    alumnus = get_or_404(Alumnus, alumnus_id, joinedload(Alumnus.employer),
                         joinedload(Alumnus.department),
                         joinedload(Alumnus.contact).joinedload(Contact.company))
    donations, totals, donation_total = [], [], 0
    if current_user.can("donations.view"):
        donations = db.session.execute(
            select(Donation).where(Donation.alumnus_id == alumnus.id)
            .order_by(Donation.received_on.desc(), Donation.id.desc()).limit(SECTION_LIMIT)
        ).scalars().all()
        totals = db.session.execute(
            select(Donation.currency, func.sum(Donation.amount), func.count(Donation.id))
            .where(Donation.alumnus_id == alumnus.id)
            .group_by(Donation.currency).order_by(Donation.currency)
        ).all()
        donation_total = sum(n for _c, _s, n in totals)
    return render_template("alumni/show.html", alumnus=alumnus, donations=donations,
                           totals=totals, donation_total=donation_total,
                           DEGREE_LABELS=DEGREE_LABELS, SECTION_LIMIT=SECTION_LIMIT)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:alumnus_id>/edit", methods=["GET", "POST"])
@require("records.edit")
def edit(alumnus_id: int | None = None):
    """Add an alumnus (?employer=ID fills in the employer) or edit one."""
    alumnus = get_or_404(Alumnus, alumnus_id) if alumnus_id else None
    form = AlumnusForm(obj=alumnus)
    form.department.choices = department_options()
    if request.method == "GET":
        if alumnus is not None:
            form.department.data = alumnus.department_id
        elif arg_int("employer") is not None:
            form.employer.data = db.session.get(Company, arg_int("employer"))
    return save_form(
        form, lambda: services.save_alumnus(alumnus, form.data_for_service()),
        message=lambda saved: _("Saved %(name)s.", name=saved.display_name),
        target=lambda saved: url_for("alumni.show", alumnus_id=saved.id),
        render=lambda: render_template("alumni/form.html", form=form, alumnus=alumnus),
        record=alumnus,
    )


@bp.route("/<int:alumnus_id>/delete", methods=["GET", "POST"])
@require("records.delete")
def delete(alumnus_id: int):
    """Ask first; refuse while the alumnus has donations; then delete."""
    alumnus = get_or_404(Alumnus, alumnus_id)
    donations = services.donation_count(alumnus)
    return confirm_delete(
        lambda: services.delete_alumnus(alumnus),
        message=_("Deleted %(name)s.", name=alumnus.display_name),
        target=url_for("alumni.index"),
        render=lambda form: render_template("alumni/delete.html", alumnus=alumnus, form=form,
                                            donations=donations),
    )
