"""Task pages: my tasks, the form, done / reopen, the team view, the calendar feed."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import User
from crm.collaborations.models import Collaboration
from crm.common.forms import ConfirmForm
from crm.common.params import arg_int, page_number, to_int
from crm.common.time import office_today
from crm.common.views import ListPage, get_or_404, require, safe_next, save_form
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.extensions import db
from crm.ndas.models import Nda
from crm.requests.models import DataEntryRequest
from crm.tasks import calendar, services
from crm.tasks.forms import SOURCE_LABELS, TaskForm
from crm.tasks.models import Task

bp = Blueprint("tasks", __name__)


@bp.app_template_global()
def task_source_label(source: str) -> str:
    """Where a task came from, as the pages say it (any page may list tasks)."""
    return str(SOURCE_LABELS.get(source, source))


def week_end(today: date) -> date:
    """The last day (Sunday) of today's week."""
    return today + timedelta(days=6 - today.weekday())


def group(tasks: list[Task], today: date) -> list[tuple[str, str, list[Task]]]:
    """Open tasks as the page shows them: overdue, due this week, later, undated."""
    end = week_end(today)
    groups = {"overdue": [], "week": [], "later": [], "undated": []}
    for task in tasks:
        if task.due_on is None:
            groups["undated"].append(task)
        elif task.due_on < today:
            groups["overdue"].append(task)
        elif task.due_on <= end:
            groups["week"].append(task)
        else:
            groups["later"].append(task)
    titles = {"overdue": _("Overdue"), "week": _("Due this week"), "later": _("Later"),
              "undated": _("No due date")}
    return [(key, titles[key], groups[key]) for key in groups]


@bp.get("/tasks/")
@require("tasks.own")
def index():
    """My open tasks, overdue first; the last done ones folded away below."""
    today = office_today()
    tasks = services.open_tasks(current_user.id)
    return render_template("tasks/index.html", groups=group(tasks, today), today=today,
                           open_count=len(tasks), done=services.done_tasks(current_user.id),
                           overdue=sum(1 for t in tasks if t.overdue(today)))


#: Open tasks a page of the team view lists.
TEAM_PAGE = 50


@bp.get("/tasks/team")
@require("tasks.team")
def team():
    """Every officer's open tasks (or one officer's), overdue first, with each one's load."""
    officer_id = arg_int("officer")
    officer = db.session.get(User, officer_id) if officer_id is not None else None
    if officer_id is not None and officer is None:
        abort(404)
    # 50 a page (a page of every open task took 0.3 s to render on the large demo); the total
    # is the officers' counts added up, which the page shows anyway
    counts = services.team_counts()
    total = sum(n for user, n, _late in counts if officer is None or user.id == officer.id)
    number = page_number()
    tasks = services.team_tasks(by=current_user, owner_id=officer_id, limit=TEAM_PAGE,
                                offset=(number - 1) * TEAM_PAGE)
    page = ListPage(items=tasks, total=total, page=number, per_page=TEAM_PAGE, sort="due",
                    direction="asc", q="", args={k: v.strip() for k, v in request.args.items()})
    return render_template("tasks/team.html", tasks=tasks, page=page, officer=officer,
                           counts=counts, today=office_today())


#: The records a new task can be about, as the "Add task" links pass them (?company=ID ...).
_PREFILL = {"company": Company, "contact": Contact, "collaboration": Collaboration, "nda": Nda,
            "request": DataEntryRequest}


def _prefill(form: TaskForm) -> None:
    """The record whose page the "Add task" link was on (the service checks the user may see
    it): a company or contact in its field, any other record in its hidden field."""
    for kind, model in _PREFILL.items():
        raw = request.args.get(kind, "").strip()
        if not raw:
            continue
        ident = to_int(raw)
        record = db.session.get(model, ident) if ident is not None else None
        if record is None:  # no such record (or no number at all): the link is broken
            abort(404)
        if kind in ("company", "contact"):
            getattr(form, kind).data = record
        else:
            getattr(form, f"{kind}_id").data = str(record.id)
        if kind == "contact" and record.company is not None and form.company.data is None:
            form.company.data = record.company


def _linked(form: TaskForm) -> list[tuple[str, object]]:
    """The collaboration, NDA or request the form's hidden fields point to, to show them."""
    shown = []
    for kind, label in (("collaboration", _("Collaboration")), ("nda", _("NDA")),
                        ("request", _("Data-entry request"))):
        ident = to_int(getattr(form, f"{kind}_id").data or "")
        record = db.session.get(_PREFILL[kind], ident) if ident is not None else None
        if record is not None:
            shown.append((label, record))
    return shown


def _back(task: Task | None) -> str:
    """Where Cancel goes: back where the user came from (next=), else the task list."""
    return safe_next(request.args.get("next"), url_for("tasks.index"))


def record_url(record: object) -> str:
    """The page of a task's linked record."""
    endpoints = {Company: ("companies.show", "company_id"), Contact: ("contacts.show", "contact_id"),
                 Collaboration: ("collaborations.show", "collaboration_id"),
                 Nda: ("ndas.show", "nda_id"), DataEntryRequest: ("requests.show", "request_id")}
    endpoint, arg = endpoints[type(record)]
    return url_for(endpoint, **{arg: record.id})


@bp.route("/tasks/new", methods=["GET", "POST"])
@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@require("tasks.own")
def edit(task_id: int | None = None):
    """A new task (for me unless a manager chooses someone; ?company=ID, ?contact=ID ... from
    a record's page links it), or a change to one of mine (managers: anyone's)."""
    task = None
    if task_id is not None:
        task = get_or_404(Task, task_id)
        if not services.can_change(task, current_user):
            abort(403)
    form = TaskForm(obj=task)
    people = services.assignable_users(current_user)
    if task is not None and task.owner not in people:
        people = [task.owner] + people
    form.owner_id.choices = [(u.id, u.name) for u in people]
    if request.method == "GET" and task is None:
        form.owner_id.data = current_user.id
        _prefill(form)
    cancel = _back(task)

    def page() -> str:
        return render_template("tasks/form.html", form=form, task=task, cancel_url=cancel,
                               linked=_linked(form))

    def save() -> Task:
        data = form.data_for_service()
        if task is None:
            return services.create_task(data, by=current_user)
        return services.update_task(task, data, by=current_user)

    return save_form(
        form, save,
        message=lambda saved: _("Saved the task “%(title)s”.", title=saved.title),
        target=lambda saved: safe_next(request.args.get("next"), url_for("tasks.index")),
        render=page, record=task)


def _state_change(task_id: int, change, message: str):
    """Mark done / reopen: a POST with the page's CSRF token, by the owner or a manager."""
    task = get_or_404(Task, task_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not services.can_change(task, current_user):
        abort(403)
    change(task, by=current_user)
    flash(message % {"title": task.title}, "success")
    return redirect(safe_next(request.form.get("next"), url_for("tasks.index")))


@bp.post("/tasks/<int:task_id>/done")
@require("tasks.own")
def done(task_id: int):
    """Mark a task done (by me, now), then go back where the button was."""
    return _state_change(task_id, services.complete_task, _("Done: “%(title)s”."))


@bp.post("/tasks/<int:task_id>/reopen")
@require("tasks.own")
def reopen(task_id: int):
    """Open a done task again."""
    return _state_change(task_id, services.reopen_task, _("Reopened “%(title)s”."))


# --- the calendar feed --------------------------------------------------------------------

@bp.route("/me/calendar", methods=["GET", "POST"])
@require("tasks.own")
def calendar_link():
    """My calendar link (to subscribe from Outlook or Google Calendar), and a new one on
    request: the old link stops working at once."""
    user = db.session.get(User, current_user.id)
    form = ConfirmForm()
    if form.validate_on_submit():
        calendar.reset(user)
        flash(_("Your calendar link is new; the old one no longer works. Subscribe again with "
                "the link below."), "success")
        return redirect(url_for("tasks.calendar_link"))
    if request.method == "POST":
        abort(400)
    link = url_for("tasks.feed", token=calendar.token_for(user), _external=True) \
        if user.calendar_key else None
    return render_template("tasks/calendar.html", link=link, form=form)


@bp.get("/me/tasks.ics")
def feed():
    """My open tasks as an iCalendar file, for calendar apps: no session, the link's secret
    token says whose (404 for a wrong or reset one, so no link can be guessed at)."""
    user = calendar.user_for_token(request.args.get("token"))
    if user is None:
        abort(404)
    body = calendar.feed(user, services.open_tasks(user.id))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "inline; filename=tasks.ics"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
