"""Activity pages: the list, one activity, the form, deletion."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from crm.activities import services
from crm.activities.forms import KIND_LABELS, ActivityForm, CompanyPick
from crm.activities.models import Activity
from crm.auth.models import User
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
from crm.contacts.models import Contact
from crm.extensions import db
from crm.tasks.models import Task
from crm.tasks.services import next_step

bp = Blueprint("activities", __name__, url_prefix="/activities")


def search_activities(stmt: Select, q: str) -> Select:
    """Subject, company name, and minutes the current user may read (never confidential
    minutes of others: a match would reveal what they say)."""
    text = nfkc(q)
    folded = fold_company_name(q) or fold_text(q)
    return stmt.where(or_(
        Activity.subject.ilike(like(text), escape="\\"),
        and_(services.readable_minutes(current_user),
             Activity.minutes.ilike(like(text), escape="\\")),
        Company.name_folded.like(like(folded), escape="\\"),
        Company.name_en.ilike(like(text), escape="\\"),
    ))


def _on_or_after(stmt: Select, value: str) -> Select:
    try:
        return stmt.where(Activity.occurred_on >= date.fromisoformat(value))
    except ValueError:
        return stmt


def _on_or_before(stmt: Select, value: str) -> Select:
    try:
        return stmt.where(Activity.occurred_on <= date.fromisoformat(value))
    except ValueError:
        return stmt


SORTS = {
    "date": Activity.occurred_on,
    "company": func.coalesce(Company.name_reading, Company.name_folded),
    "kind": Activity.kind,
    "subject": Activity.subject,
    "officer": User.name,
}

FILTERS = {
    "kind": lambda s, v: s.where(Activity.kind == v),
    "company": int_filter(Activity.company_id),
    "officer": int_filter(Activity.user_id),
    "from": _on_or_after,
    "to": _on_or_before,
}


def _joins(stmt: Select) -> Select:
    """What the search and the sorts read: the company (every activity has one), the officer."""
    return (stmt.join(Company, Activity.company_id == Company.id)
            .outerjoin(User, Activity.user_id == User.id))


@bp.get("/")
@require("records.view")
def index():
    """All activities, newest first; filter by kind, company, officer and dates."""
    stmt = select(Activity).options(joinedload(Activity.company), joinedload(Activity.user),
                                    selectinload(Activity.contacts))
    page = paginate(stmt, search=search_activities, sorts=SORTS, default_sort="date",
                    default_dir="desc", filters=FILTERS, joins=_joins)
    company_arg = page.args.get("company", "")
    company = db.session.get(Company, to_int(company_arg)) if to_int(company_arg) else None
    # one index lookup per user, not a DISTINCT over every activity
    officers = db.session.execute(
        select(User.id, User.name).where(exists().where(Activity.user_id == User.id))
        .order_by(User.name)
    ).all()
    return render_list("activities/index.html", page=page, company=company,
                       officers=[(str(i), n) for i, n in officers], KIND_LABELS=KIND_LABELS)


@bp.get("/<int:activity_id>")
@require("records.view")
def show(activity_id: int):
    """One activity: with whom, when, who logged it, and the minutes if the user may read them."""
    activity = get_or_404(Activity, activity_id, joinedload(Activity.company),
                          joinedload(Activity.user), selectinload(Activity.contacts))
    return render_template("activities/show.html", activity=activity, KIND_LABELS=KIND_LABELS,
                           can_change=services.can_change(activity, current_user))


def _contact_choices(company: Company | None, activity: Activity | None) -> list[Contact]:
    """The people who can be ticked: the company's contacts, and whoever is already on it."""
    people: dict[int, Contact] = {}
    if company is not None:
        for c in db.session.execute(
            select(Contact).where(Contact.company_id == company.id)
            .order_by(Contact.family_name_reading, Contact.family_name, Contact.id)
        ).scalars():
            people[c.id] = c
    if activity is not None:
        for c in activity.contacts:
            people.setdefault(c.id, c)
    return list(people.values())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@require("records.edit")
def edit(activity_id: int | None = None):
    """Log an activity (?company=ID fills in the company) or edit one; errors beside fields."""
    activity = None
    if activity_id is not None:
        activity = get_or_404(Activity, activity_id, joinedload(Activity.company),
                              selectinload(Activity.contacts))
        if not services.can_change(activity, current_user):
            abort(403)
    form = ActivityForm(obj=activity)
    if request.method == "GET":
        if activity is not None:
            form.contacts.data = [c.id for c in activity.contacts]
        elif arg_int("company") is not None:
            form.company.data = db.session.get(Company, arg_int("company"))

    def page() -> str:
        """The form, with the company's contacts to tick and a cancel link back."""
        people = _contact_choices(form.company.data, activity)
        if activity is not None:
            cancel = url_for("activities.show", activity_id=activity.id)
        elif form.company.data is not None:
            cancel = url_for("companies.show", company_id=form.company.data.id)
        else:
            cancel = url_for("activities.index")
        return render_template("activities/form.html", form=form, activity=activity,
                               people=people, cancel_url=cancel)

    made: list[Task] = []

    def save() -> Activity:
        """The activity, and its next step as a task (same commit; neither without the other)."""
        saved = services.save_activity(activity, form.data_for_service(), by=current_user)
        if current_user.can("tasks.own"):
            made.extend(filter(None, [next_step(saved, form.next_step.data,
                                                form.next_step_on.data, by=current_user)]))
        return saved

    def message(saved: Activity) -> str:
        text = _("Saved the %(kind)s “%(subject)s”.",
                 kind=KIND_LABELS.get(saved.kind, saved.kind), subject=saved.subject)
        if made:
            text += " " + _("Next step added to the tasks of %(name)s.", name=made[0].owner.name)
        return text

    return save_form(
        form, save, message=message,
        target=lambda saved: url_for("activities.show", activity_id=saved.id),
        render=page,
        record=activity,
    )


@bp.get("/contact-options")
@require("records.edit")
def contact_options():
    """The contact tick-boxes for the company typed in the form (htmx, as it changes)."""
    pick = CompanyPick(formdata=request.args)
    company = pick.company.data if not pick.company.process_errors else None
    return render_template("activities/_contacts.html", people=_contact_choices(company, None),
                           company=company, selected=[], field_name="contacts")


@bp.route("/<int:activity_id>/delete", methods=["GET", "POST"])
@require("records.delete")
def delete(activity_id: int):
    """Ask first, then delete the activity (the audit trail keeps what it said)."""
    activity = get_or_404(Activity, activity_id, joinedload(Activity.company),
                          selectinload(Activity.contacts))
    if not services.can_change(activity, current_user):
        abort(403)
    return confirm_delete(
        lambda: services.delete_activity(activity),
        message=_("Deleted the activity “%(subject)s”.", subject=activity.subject),
        target=url_for("companies.show", company_id=activity.company_id),
        render=lambda form: render_template("activities/delete.html", activity=activity,
                                            form=form, KIND_LABELS=KIND_LABELS),
    )
