"""Donation pages: the list with totals, one donation, the form, deletion.

Everything here needs donations.view; changing anything needs donations.edit.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from crm.alumni.models import Alumnus
from crm.common.params import arg_int, int_filter, to_int
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
from crm.donations import services
from crm.donations.forms import DONOR_TYPES, DonationForm
from crm.donations.models import Donation
from crm.extensions import db

bp = Blueprint("donations", __name__, url_prefix="/donations")


def search_donations(stmt: Select, q: str) -> Select:
    """Donor (company or alumnus name) or purpose."""
    text = nfkc(q)
    folded = fold_company_name(q) or fold_text(q)
    full = func.coalesce(Alumnus.family_name, "") + func.coalesce(Alumnus.given_name, "")
    full_en = func.coalesce(Alumnus.given_name, "") + " " + func.coalesce(Alumnus.family_name, "")
    return stmt.where(or_(
        Company.name_folded.like(like(folded), escape="\\"),
        Company.name_en.ilike(like(text), escape="\\"),
        full.ilike(like(text.replace(" ", "")), escape="\\"),
        full_en.ilike(like(text), escape="\\"),
        Donation.purpose.ilike(like(text), escape="\\"),
    ))


def _year(stmt: Select, value: str) -> Select:
    year = to_int(value, minimum=1900, maximum=2100)
    if year is None:
        return stmt
    return stmt.where(Donation.received_on >= date(year, 1, 1),
                      Donation.received_on <= date(year, 12, 31))


def _donor(stmt: Select, value: str) -> Select:
    if value == "company":
        return stmt.where(Donation.company_id.is_not(None))
    if value == "alumnus":
        return stmt.where(Donation.alumnus_id.is_not(None))
    return stmt


def _restricted(stmt: Select, value: str) -> Select:
    if value in ("yes", "no"):
        return stmt.where(Donation.restricted.is_(value == "yes"))
    return stmt


SORTS = {
    "date": Donation.received_on,
    "amount": Donation.amount,
    "currency": Donation.currency,
    "donor": func.coalesce(Company.name_reading, Company.name_folded, Alumnus.family_name_reading,
                           Alumnus.family_name),
}

FILTERS = {
    "year": _year,
    "currency": lambda s, v: s.where(Donation.currency == nfkc(v).upper()),
    "donor": _donor,
    "restricted": _restricted,
    "company": int_filter(Donation.company_id),
    "alumnus": int_filter(Donation.alumnus_id),
}


def _joins(stmt: Select) -> Select:
    """What the search and the donor sort read: the donor, a company or an alumnus."""
    return (stmt.outerjoin(Company, Donation.company_id == Company.id)
            .outerjoin(Alumnus, Donation.alumnus_id == Alumnus.id))


@bp.get("/")
@require("donations.view")
def index():
    """All donations, newest first, with totals per currency for what the filters select."""
    stmt = select(Donation).options(joinedload(Donation.company), joinedload(Donation.alumnus))
    args = {k: v.strip() for k, v in request.args.items()}
    for name, apply_filter in FILTERS.items():
        if args.get(name):
            stmt = apply_filter(stmt, args[name])
    # The same filtered rows feed the page and the totals above it; the donors are joined
    # only for a typed search, which reads their names (the filters read the donation alone).
    selected = search_donations(_joins(stmt), args["q"]) if args.get("q") else stmt
    rows = selected.order_by(None).subquery()
    totals = db.session.execute(
        select(rows.c.currency, func.sum(rows.c.amount), func.count())
        .group_by(rows.c.currency).order_by(rows.c.currency)
    ).all()
    page = paginate(stmt, search=search_donations, sorts=SORTS, default_sort="date",
                    default_dir="desc", joins=_joins)
    years = db.session.execute(
        select(func.extract("year", Donation.received_on).label("y")).distinct()
        .order_by(func.extract("year", Donation.received_on).desc())
    ).scalars().all()
    currencies = db.session.execute(
        select(Donation.currency).distinct().order_by(Donation.currency)).scalars().all()
    donor = None
    if to_int(args.get("company")) is not None:
        donor = db.session.get(Company, to_int(args["company"]))
    elif to_int(args.get("alumnus")) is not None:
        donor = db.session.get(Alumnus, to_int(args["alumnus"]))
    return render_list("donations/index.html", page=page, totals=totals, donor=donor,
                       years=[(str(int(y)), str(int(y))) for y in years if y is not None],
                       currencies=[(c, c) for c in currencies], DONOR_TYPES=DONOR_TYPES)


@bp.get("/<int:donation_id>")
@require("donations.view")
def show(donation_id: int):
    """One donation: donor, amount, date, purpose and whether it is restricted."""
    donation = get_or_404(Donation, donation_id, joinedload(Donation.company),
                          joinedload(Donation.alumnus))
    return render_template("donations/show.html", donation=donation)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:donation_id>/edit", methods=["GET", "POST"])
@require("donations.edit")
def edit(donation_id: int | None = None):
    """Record a donation (?company=ID or ?alumnus=ID fills in the donor) or change one."""
    donation = get_or_404(Donation, donation_id) if donation_id else None
    form = DonationForm(obj=donation)
    if request.method == "GET":
        if donation is not None:
            form.donor_type.data = "alumnus" if donation.alumnus_id else "company"
        elif arg_int("alumnus") is not None:
            form.alumnus.data = db.session.get(Alumnus, arg_int("alumnus"))
            form.donor_type.data = "alumnus"
        elif arg_int("company") is not None:
            form.company.data = db.session.get(Company, arg_int("company"))
    return save_form(
        form, lambda: services.save_donation(donation, form.data_for_service()),
        message=lambda saved: _("Saved the donation from %(donor)s.", donor=saved.donor_label),
        target=lambda saved: url_for("donations.show", donation_id=saved.id),
        render=lambda: render_template("donations/form.html", form=form, donation=donation),
        record=donation,
    )


@bp.route("/<int:donation_id>/delete", methods=["GET", "POST"])
@require("donations.edit")
def delete(donation_id: int):
    """Ask first, then delete the donation (the audit trail keeps what it was)."""
    donation = get_or_404(Donation, donation_id, joinedload(Donation.company),
                          joinedload(Donation.alumnus))
    return confirm_delete(
        lambda: services.delete_donation(donation),
        message=_("Deleted the donation from %(donor)s.", donor=donation.donor_label),
        target=url_for("donations.index"),
        render=lambda form: render_template("donations/delete.html", donation=donation,
                                            form=form),
    )
