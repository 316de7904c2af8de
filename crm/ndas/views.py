"""NDA register pages: the list with expiry reminders, one NDA with its disclosure log, the form.

Seeing needs collaborations.view; recording NDAs and disclosures collaborations.edit.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from crm.collaborations.models import Collaboration
from crm.common.forms import options
from crm.common.params import arg_int, int_filter, to_int
from crm.common.services import ValidationError
from crm.common.text import fold_company_name, nfkc
from crm.common.views import form_errors, get_or_404, like, paginate, render_list, require, \
    save_form
from crm.companies.models import Company
from crm.extensions import db
from crm.ndas import services
from crm.ndas.forms import (
    CLASSIFICATION_LABELS, DIRECTION_LABELS, NDA_STATUS_LABELS, DisclosureForm, NdaForm,
)
from crm.ndas.models import Disclosure, Nda
from crm.common.time import office_today

bp = Blueprint("ndas", __name__, url_prefix="/ndas")


def search_ndas(stmt: Select, q: str) -> Select:
    text = nfkc(q)
    folded = fold_company_name(q)
    return stmt.where(or_(
        Nda.title.ilike(like(text), escape="\\"),
        Company.name_folded.like(like(folded), escape="\\") if folded else False,
        Company.name_en.ilike(like(text), escape="\\"),
    ))


def _status(stmt: Select, value: str) -> Select:
    today = office_today()
    if value == "expired":
        return stmt.where(Nda.status == "signed", Nda.expires_on < today)
    if value == "signed":  # in force
        return stmt.where(Nda.status == "signed", Nda.expires_on >= today)
    if value in NDA_STATUS_LABELS:
        return stmt.where(Nda.status == value)
    return stmt


FILTERS = {
    "status": _status,
    "company": int_filter(Nda.company_id),
    "collaboration": int_filter(Nda.collaboration_id),
}
SORTS = {"expires": Nda.expires_on, "effective": Nda.effective_from, "title": Nda.title,
         "company": Company.sort_name}


@bp.get("/")
@require("collaborations.view")
def index():
    """The register, soonest expiry first, with the NDAs expiring in the next 60 and 90 days."""
    stmt = (select(Nda).join(Company, Nda.company_id == Company.id)
            .options(joinedload(Nda.company), joinedload(Nda.collaboration)))
    page = paginate(stmt, search=search_ndas, sorts=SORTS, default_sort="expires",
                    default_dir="desc", filters=FILTERS)
    company = None
    if to_int(page.args.get("company")) is not None:
        company = db.session.get(Company, to_int(page.args["company"]))
    soon = services.expiring(max(services.REMINDER_DAYS))
    return render_list("ndas/index.html", page=page, company=company, expiring=soon,
                       today=office_today(), limit_60=office_today() + timedelta(days=60),
                       NDA_STATUS_LABELS=NDA_STATUS_LABELS)


def _load(nda_id: int) -> Nda:
    return get_or_404(
        Nda, nda_id, joinedload(Nda.company), joinedload(Nda.collaboration),
        selectinload(Nda.disclosures).joinedload(Disclosure.disclosed_to_contact),
        selectinload(Nda.disclosures).joinedload(Disclosure.recorded_by))


def _render_show(nda: Nda, form: DisclosureForm | None = None):
    if form is None:
        form = DisclosureForm(formdata=None)
        form.disclosed_by.data = current_user.name
    from crm.collaborations.services import is_foreign

    return render_template(
        "ndas/show.html", nda=nda, form=form, today=office_today(),
        arbitration_warning=services.arbitration_warning(nda), foreign=is_foreign(nda.company),
        NDA_STATUS_LABELS=NDA_STATUS_LABELS, CLASSIFICATION_LABELS=CLASSIFICATION_LABELS,
        DIRECTION_LABELS=DIRECTION_LABELS)


@bp.get("/<int:nda_id>")
@require("collaborations.view")
def show(nda_id: int):
    """An NDA: parties, dates, law and arbitration (with the third-country rule), disclosures."""
    return _render_show(_load(nda_id))


@bp.post("/<int:nda_id>/disclosures")
@require("collaborations.edit")
def disclose(nda_id: int):
    """Log a disclosure; refused outside the NDA's term (422, nothing saved)."""
    nda = _load(nda_id)
    form = DisclosureForm()
    if form.validate_on_submit():
        try:
            services.add_disclosure(nda, form.data_for_service(), by=current_user)
        except ValidationError as err:
            db.session.rollback()
            nda = _load(nda_id)
            form_errors(form, err)
        else:
            flash(_("Logged the disclosure."), "success")
            return redirect(url_for("ndas.show", nda_id=nda.id) + "#disclosures")
    return _render_show(nda, form), 422


def _collaboration_choices(company_id: int | None) -> list:
    """The company's collaborations (or every open one when no company is known yet)."""
    stmt = select(Collaboration).options(joinedload(Collaboration.company))
    if company_id:
        stmt = stmt.where(Collaboration.company_id == company_id)
    else:
        stmt = stmt.where(Collaboration.stage != "closed")
    rows = db.session.execute(stmt.order_by(Collaboration.opened_on.desc()).limit(500)).scalars()
    return options(((c.id, f"{c.title} — {c.company.name}") for c in rows), blank=True)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:nda_id>/edit", methods=["GET", "POST"])
@require("collaborations.edit")
def edit(nda_id: int | None = None):
    """Record an NDA (?company=ID, ?collaboration=ID prefill) or change one."""
    nda = _load(nda_id) if nda_id else None
    form = NdaForm(obj=nda)
    if request.method == "GET":
        if nda is not None:
            form.collaboration.data = nda.collaboration_id
        else:
            collab_id, company_id = arg_int("collaboration"), arg_int("company")
            collab = db.session.get(Collaboration, collab_id) if collab_id is not None else None
            company = db.session.get(Company, company_id) if company_id is not None else None
            if collab is not None:
                company = company or collab.company
                form.collaboration.data = collab.id
                form.title.data = _("NDA for %(title)s", title=collab.title)
            if company is not None:
                form.company.data = company
                form.parties.data = "\n".join([_("The university"), company.name])
    company = form.company.data if isinstance(form.company.data, Company) else None
    form.collaboration.choices = _collaboration_choices(company.id if company else None)
    return save_form(
        form, lambda: services.save_nda(nda, form.data_for_service()),
        message=lambda saved: _("Saved %(title)s.", title=saved.title),
        target=lambda saved: url_for("ndas.show", nda_id=saved.id),
        render=lambda: render_template("ndas/form.html", form=form, nda=nda),
        record=nda,
    )


@bp.app_context_processor
def _labels() -> dict:
    return {"NDA_STATUS_LABELS": NDA_STATUS_LABELS}
