"""Contact pages: the list, the contact page, the form, deletion."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from crm.activities.models import Activity, activity_contacts
from crm.alumni.models import Alumnus
from crm.audit.views import recent_changes
from crm.common.params import to_int
from crm.common.suggest import Suggester, person_suggester, register
from crm.common.users import officer_choices
from crm.common.views import confirm_delete, get_or_404, paginate, render_list, require, save_form
from crm.companies.forms import STATUS_LABELS, TIER_LABELS
from crm.companies.models import Company
from crm.contacts import services
from crm.contacts.forms import ContactForm
from crm.contacts.matching import DUPLICATE_RULE
from crm.contacts.models import Contact
from crm.companies.queries import any_set, donation_currencies, filter_errors, industries
from crm.contacts.queries import (
    CONTACT_SORTS,
    contact_starts,
    contact_text_matches,
    contacts_query,
    search_contacts,
)
from crm.events.models import Encounter
from crm.extensions import db

bp = Blueprint("contacts", __name__, url_prefix="/contacts")
# Pickers and the quick search look in the contact list's search column (one narrow LIKE).
register("contact", Suggester(
    Contact,
    lambda q: select(Contact).where(contact_text_matches(q)).order_by(Contact.sort_name,
                                                                        Contact.id),
    person_suggester(Contact).exact,
    starting=lambda q: select(Contact).where(contact_starts(q)).order_by(Contact.sort_name,
                                                                           Contact.id),
))

#: How many encounters and activities a contact page shows before "and N more".
SECTION_LIMIT = 50

ACTIVITY_LABELS = {"meeting": _l("Meeting"), "call": _l("Call"), "email": _l("E-mail"),
                   "visit": _l("Visit")}
YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]


#: Search, filters and sorts live in one place shared with the partner-list exports.
SORTS = CONTACT_SORTS
#: The filters on the contact's company, behind "More filters" on the page.
COMPANY_FILTER_KEYS = ("status", "tier", "officer", "industry", "country", "origin",
                       "contacted_since", "no_contact_since", "min_donations", "currency")


@bp.get("/")
@require("records.view")
def index():
    """All contacts, filtered as the user types, sorted by any column, 50 a page."""
    donations = current_user.can("donations.view")
    # The typed search goes to paginate(), which runs it once and loads the rows without it.
    filters = {k: v for k, v in request.args.items() if k != "q"}
    stmt = contacts_query(filters, donations=donations, join_company=False).options(
        joinedload(Contact.company))
    page = paginate(stmt, search=search_contacts, sorts=SORTS, default_sort="name")
    company_arg = page.args.get("company", "")
    company = db.session.get(Company, to_int(company_arg)) if to_int(company_arg) else None
    return render_list(
        "contacts/index.html", page=page, company=company, YES_NO=YES_NO,
        officers=officer_choices(), industries=industries(),
        currencies=donation_currencies() if donations else [],
        more_open=any_set(page.args, COMPANY_FILTER_KEYS),
        filter_errors=filter_errors("contacts", request.args, donations=donations),
        STATUS_LABELS=STATUS_LABELS, TIER_LABELS=TIER_LABELS)


@bp.get("/<int:contact_id>")
@require("records.view")
def show(contact_id: int):
    """The contact page: who they are, where we met them, what we did together."""
    contact = get_or_404(Contact, contact_id, joinedload(Contact.company))
    encounters = db.session.execute(
        select(Encounter).where(Encounter.contact_id == contact.id)
        .order_by(Encounter.met_on.desc(), Encounter.id.desc()).limit(SECTION_LIMIT)
        .options(joinedload(Encounter.event), joinedload(Encounter.user))
    ).scalars().all()
    activities = db.session.execute(
        select(Activity).join(activity_contacts, activity_contacts.c.activity_id == Activity.id)
        .where(activity_contacts.c.contact_id == contact.id)
        .order_by(Activity.occurred_on.desc(), Activity.id.desc()).limit(SECTION_LIMIT)
        .options(joinedload(Activity.company), joinedload(Activity.user),
                 selectinload(Activity.contacts))
    ).unique().scalars().all()
    alumnus = db.session.execute(
        select(Alumnus).where(Alumnus.contact_id == contact.id)
        .options(joinedload(Alumnus.department), joinedload(Alumnus.employer))
    ).scalar_one_or_none()
    counts = services.history(contact)
    return render_template(
        "contacts/show.html", contact=contact, encounters=encounters, activities=activities,
        alumnus=alumnus, counts=counts, changes=recent_changes(contact), ACTIVITY_LABELS=ACTIVITY_LABELS,
        SECTION_LIMIT=SECTION_LIMIT,
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@require("records.edit")
def edit(contact_id: int | None = None):
    """Create a contact or edit one; errors appear beside their fields and nothing is saved."""
    contact = get_or_404(Contact, contact_id, joinedload(Contact.company)) if contact_id else None
    form = ContactForm(obj=contact)
    if request.method == "GET" and contact is None:
        company_arg = request.args.get("company", "")
        if to_int(company_arg) is not None:
            form.company.data = db.session.get(Company, to_int(company_arg))
    return save_form(
        form, lambda duplicates: services.save_contact(contact, form.data_for_service(),
                                                       duplicates=duplicates),
        message=lambda saved: _("Saved %(name)s.", name=saved.display_name),
        target=lambda saved: url_for("contacts.show", contact_id=saved.id),
        render=lambda **found: render_template("contacts/form.html", form=form,
                                               contact=contact, **found),
        record=contact, duplicates=DUPLICATE_RULE,
    )


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
@require("records.delete")
def delete(contact_id: int):
    """Ask first, showing what the contact has; then delete them (the audit trail stays)."""
    contact = get_or_404(Contact, contact_id)
    return confirm_delete(
        lambda: services.delete_contact(contact),
        message=_("Deleted %(name)s.", name=contact.display_name),
        target=url_for("contacts.index"),
        render=lambda form: render_template("contacts/delete.html", contact=contact,
                                            counts=services.history(contact), form=form),
    )
