"""Tasks: create, change, complete and reopen them; who may see and change whose.

Every function takes the acting user as `by` and flushes (the request or command commits); the
audit trail records each change like any record's. A task is its owner's: the owner, and users
with tasks.team (managers, admins), see and change it. Tasks made from an encounter's follow-up
(source "fair") stay one thing with the follow-up: completing the task ticks the follow-up off
and the other way round (sync_follow_up, called by crm.events.services).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.audit.services import current_actor
from crm.auth.models import User
from crm.collaborations.models import Collaboration
from crm.common.services import ValidationError
from crm.common.time import office_today
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.extensions import db, utcnow
from crm.ndas.models import Nda
from crm.requests.models import DataEntryRequest
from crm.tasks.models import LINKS, TASK_SOURCES, TITLE_MAX, Task

#: The linked record's model and the permission that shows it (requests: crm.requests rule).
LINK_MODELS: dict[str, tuple[type, str]] = {
    "company": (Company, "records.view"),
    "contact": (Contact, "records.view"),
    "collaboration": (Collaboration, "collaborations.view"),
    "nda": (Nda, "collaborations.view"),
    "request": (DataEntryRequest, "requests.submit"),
}
EARLIEST_YEAR = 2000
YEARS_AHEAD = 20


def _list_load() -> tuple:
    """The relations a task list shows: loaded in one query each, whatever the list's length
    (the owner's and the closer's names, not their roles)."""
    return (*(selectinload(getattr(Task, name)).lazyload(User.role_rows)
              for name in ("owner", "done_by")),
            # the company's and the contact's names (their full rows are wide)
            selectinload(Task.company).load_only(Company.name),
            selectinload(Task.contact).load_only(Contact.family_name, Contact.given_name),
            *(selectinload(getattr(Task, name)) for name in LINKS
              if name not in ("company", "contact")))


# --- who may do what ----------------------------------------------------------------------

def can_see_team(by: Any) -> bool:
    """Managers and admins see and change every officer's tasks."""
    return by is not None and by.can("tasks.team")


def can_change(task: Task, by: Any) -> bool:
    """The owner, and users with tasks.team; None (a script) may."""
    if by is None:
        return True
    return by.can("tasks.own") and (task.owner_id == by.id or can_see_team(by))


def can_link(by: Any, kind: str, record: Any) -> bool:
    """May this user see the record a task of theirs would point to?"""
    if by is None:
        return True
    _model, permission = LINK_MODELS[kind]
    if not by.can(permission):
        return False
    if kind == "request":
        from crm.requests.services import can_view

        return can_view(by, record)
    return True


def _allowed(task: Task, by: Any) -> None:
    if not can_change(task, by):
        raise PermissionError(f"user {getattr(by, 'id', None)} may not change task {task.id}")


# --- reading ------------------------------------------------------------------------------

def _by_due():
    """Overdue first then by due date (the earliest is the most overdue), undated last."""
    return (Task.due_on.is_(None), Task.due_on, Task.id)


def open_tasks(owner_id: int, *, until: date | None = None) -> list[Task]:
    """The owner's open tasks, overdue first then by due date, undated last. With `until`,
    only those due on or before that day (undated ones are left out)."""
    query = select(Task).where(Task.owner_id == owner_id, Task.status == "open")
    if until is not None:
        query = query.where(Task.due_on <= until)
    return list(db.session.scalars(query.options(*_list_load()).order_by(*_by_due())))


def overdue_count(owner_id: int) -> int:
    """How many of the owner's open tasks are past their due date (in the office's today)."""
    return db.session.scalar(
        select(func.count(Task.id)).where(Task.owner_id == owner_id, Task.status == "open",
                                          Task.due_on < office_today())) or 0


def done_tasks(owner_id: int, *, limit: int = 50) -> list[Task]:
    """The owner's latest done tasks, the last done first."""
    return list(db.session.scalars(
        select(Task).where(Task.owner_id == owner_id, Task.status == "done")
        .options(*_list_load()).order_by(Task.done_at.desc(), Task.id.desc()).limit(limit)))


def team_tasks(*, by: Any, owner_id: int | None = None, limit: int = 50,
               offset: int = 0) -> list[Task]:
    """Every officer's open tasks (or one officer's), overdue first then by due date, for
    managers and admins, a page of `limit` from `offset`; PermissionError for anyone else."""
    if not can_see_team(by):
        raise PermissionError("the team's tasks are for managers and admins")
    query = select(Task).where(Task.status == "open")
    if owner_id is not None:
        query = query.where(Task.owner_id == owner_id)
    return list(db.session.scalars(
        query.options(*_list_load()).order_by(*_by_due()).limit(limit).offset(offset)))


def team_counts() -> list[tuple[Any, int, int]]:
    """(user, open tasks, overdue tasks) for every active user with open tasks; the user as
    its id and name (all the team view shows)."""
    today = office_today()
    rows = db.session.execute(
        select(Task.owner_id, func.count(Task.id),
               func.count(Task.id).filter(Task.due_on < today))
        .where(Task.status == "open").group_by(Task.owner_id)).all()
    users = {u.id: u for u in db.session.execute(
        select(User.id, User.name).where(User.id.in_([r[0] for r in rows])))}
    return sorted(((users[o], n, late) for o, n, late in rows if o in users),
                  key=lambda r: (-r[2], -r[1], r[0].name))


def assignable_users(by: Any) -> list[User]:
    """Whom this user may give a task to: anyone active (tasks.team), else only themselves."""
    if can_see_team(by):
        return list(db.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.name)))
    return [by]


# --- writing ------------------------------------------------------------------------------

def _check_due(value: Any, errors: dict[str, str]) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        errors["due_on"] = _("Enter the due date as a date.")
        return None
    last = office_today().year + YEARS_AHEAD
    if not EARLIEST_YEAR <= value.year <= last:
        errors["due_on"] = _("Enter a due date between %(first)s and %(last)s.",
                             first=EARLIEST_YEAR, last=last)
        return None
    return value


def _check_owner(value: Any, by: Any, errors: dict[str, str], any_owner: bool) -> User | None:
    owner = db.session.get(User, value) if isinstance(value, int) else None
    if owner is None or not owner.active:
        errors["owner_id"] = _("Choose who the task is for.")
        return None
    if by is not None and owner.id != by.id and not any_owner and not can_see_team(by):
        errors["owner_id"] = _("You can give tasks only to yourself; a manager can assign them "
                            "to others.")
        return None
    return owner


def _check_links(data: dict[str, Any], by: Any, errors: dict[str, str],
                 task: Task | None) -> dict[str, Any]:
    """The linked records, each existing and visible to the user (a link the task already has
    may stay)."""
    linked: dict[str, Any] = {}
    for kind in LINKS:
        ident = data.get(f"{kind}_id")
        if ident in (None, ""):
            linked[kind] = None
            continue
        model, _permission = LINK_MODELS[kind]
        record = db.session.get(model, ident) if isinstance(ident, int) else None
        kept = task is not None and getattr(task, f"{kind}_id") == ident
        if record is None:
            errors[kind] = _("That record no longer exists; pick again.")
        elif not kept and not can_link(by, kind, record):
            errors[kind] = _("You cannot see that record, so a task cannot point to it.")
        else:
            linked[kind] = record
    # A task about a contact, an NDA, a collaboration or a request is also about its company.
    if linked.get("company") is None:
        for kind in ("contact", "nda", "collaboration", "request"):
            record = linked.get(kind)
            if record is not None and getattr(record, "company_id", None):
                linked["company"] = db.session.get(Company, record.company_id)
                break
    return linked


def _validate(task: Task | None, data: dict[str, Any], by: Any, any_owner: bool = False
              ) -> tuple[str, date | None, User | None, dict[str, Any]]:
    errors: dict[str, str] = {}
    title = " ".join((data.get("title") or "").split())
    if not title:
        errors["title"] = _("Enter what has to be done.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(num)s characters.", num=TITLE_MAX)
    due = _check_due(data.get("due_on"), errors)
    owner = _check_owner(data.get("owner_id", by.id if by is not None else None), by, errors,
                         any_owner)
    linked = _check_links(data, by, errors, task)
    if errors:
        raise ValidationError(errors)
    return title, due, owner, linked


def _fill(task: Task, data: dict[str, Any], title: str, due: date | None, owner: User,
          linked: dict[str, Any]) -> None:
    task.title = title
    task.due_on = due
    task.owner = owner
    task.notes = (data.get("notes") or "").strip() or None
    for kind, record in linked.items():
        setattr(task, kind, record)


def create_task(data: dict[str, Any], *, by: Any) -> Task:
    """A new open task. data: title, notes, due_on, owner_id (default: by), company_id,
    contact_id, collaboration_id, nda_id, request_id, source ("manual" unless said).
    ValidationError naming the field for a bad value or a link the user may not make."""
    return _create(data, by)


def _create(data: dict[str, Any], by: Any, any_owner: bool = False) -> Task:
    """create_task; any_owner: the owner is given by a rule (an activity's author), not chosen."""
    if by is not None and not by.can("tasks.own"):
        raise PermissionError("this role keeps no tasks")
    source = data.get("source") or "manual"
    if source not in TASK_SOURCES:
        raise ValidationError({"source": _("Unknown source of a task.")})
    title, due, owner, linked = _validate(None, data, by, any_owner)
    task = Task(status="open", source=source, created_by_id=by.id if by is not None else None,
                encounter_id=data.get("encounter_id"))
    _fill(task, data, title, due, owner, linked)
    db.session.add(task)
    db.session.flush()
    return task


def update_task(task: Task, data: dict[str, Any], *, by: Any) -> Task:
    """Change a task's title, notes, due date, owner and link (same rules as create_task)."""
    _allowed(task, by)
    title, due, owner, linked = _validate(task, data, by)
    _fill(task, data, title, due, owner, linked)
    db.session.flush()
    _mirror_to_follow_up(task)
    return task


def complete_task(task: Task, *, by: Any) -> Task:
    """Mark the task done by this user, now. Done already: nothing changes (who and when stay)."""
    _allowed(task, by)
    if task.status != "done":
        task.status, task.done_at = "done", utcnow()
        task.done_by_id = by.id if by is not None else current_actor()[0]
        _mirror_to_follow_up(task)
        db.session.flush()
    return task


def reopen_task(task: Task, *, by: Any) -> Task:
    """Open a done task again (who did it and when are cleared; the audit trail keeps them)."""
    _allowed(task, by)
    if task.status != "open":
        task.status, task.done_at, task.done_by_id = "open", None, None
        _mirror_to_follow_up(task)
        db.session.flush()
    return task


def delete_task(task: Task, *, by: Any) -> None:
    """Delete a task (a follow-up's task: the follow-up is no longer wanted)."""
    _allowed(task, by)
    encounter = task.encounter
    if encounter is not None and encounter.follow_up_wanted:
        encounter.follow_up_wanted, encounter.follow_up_done = False, False
        encounter.follow_up_by = None
    db.session.delete(task)
    db.session.flush()


# --- from other records -------------------------------------------------------------------

def next_step(activity: Any, title: str | None, due_on: date | None, *, by: Any
              ) -> Task | None:
    """An activity's next step: a task for the activity's author about the same company (and
    its contact when it names one). Nothing without a title; a date without a title is an
    error on the form."""
    title = (title or "").strip()
    if not title:
        if due_on is not None:
            raise ValidationError({"next_step": _("Say what the next step is, or clear its "
                                                  "date.")})
        return None
    contacts = list(activity.contacts)
    owner_id = activity.user_id or (by.id if by is not None else None)
    try:
        return _create({
            "title": title, "due_on": due_on, "owner_id": owner_id,
            "company_id": activity.company_id,
            "contact_id": contacts[0].id if len(contacts) == 1 else None,
            "source": "activity"}, by, any_owner=True)
    except ValidationError as err:
        raise ValidationError({("next_step_on" if k == "due_on" else "next_step"): v
                               for k, v in err.errors.items()}) from err


def _follow_up_owner(encounter: Any) -> int | None:
    """Who follows up: the user who met the person, else whoever records it, else the officer
    holding the contact's company."""
    if encounter.user_id:
        return encounter.user_id
    actor_id = current_actor()[0]
    if actor_id is not None:
        return actor_id
    from crm.liaison.models import PortfolioAssignment

    company_id = encounter.contact.company_id if encounter.contact else None
    if company_id is None:
        return None
    return db.session.scalar(select(PortfolioAssignment.officer_id).where(
        PortfolioAssignment.company_id == company_id, PortfolioAssignment.ended_at.is_(None)))


def follow_up_title(encounter: Any) -> str:
    name = encounter.contact.display_name if encounter.contact else "?"
    event = encounter.event.name if encounter.event else "?"
    return _("Follow up with %(name)s (%(event)s)", name=name, event=event)[:TITLE_MAX]


def sync_follow_up(encounter: Any) -> Task | None:
    """Keep an encounter's follow-up and its task one thing: a wanted follow-up has a task
    (created for whoever follows up, due on the follow-up date, done when the follow-up is
    done); an open task of a follow-up no longer wanted goes. Called after the encounter is
    saved (the fair form, the queue, the encounter form, imports)."""
    task = db.session.scalar(select(Task).where(Task.encounter_id == encounter.id))
    if not encounter.follow_up_wanted:
        if task is not None and task.is_open:
            db.session.delete(task)
            db.session.flush()
        return None
    if task is None:
        owner_id = _follow_up_owner(encounter)
        if owner_id is None:
            return None
        contact = encounter.contact
        task = Task(status="open", source="fair", title=follow_up_title(encounter),
                    owner_id=owner_id, created_by_id=current_actor()[0],
                    encounter_id=encounter.id, contact_id=encounter.contact_id,
                    company_id=contact.company_id if contact else None)
        db.session.add(task)
    task.due_on = encounter.follow_up_by
    if task.is_open and task.contact_id != encounter.contact_id:  # the encounter was corrected
        db.session.expire(encounter, ["contact"])  # the relation still holds the old person
        task.contact_id = encounter.contact_id
        task.company_id = encounter.contact.company_id if encounter.contact else None
        task.title = follow_up_title(encounter)
    if encounter.follow_up_done and task.is_open:
        task.status, task.done_at, task.done_by_id = "done", utcnow(), current_actor()[0]
    elif not encounter.follow_up_done and not task.is_open:
        task.status, task.done_at, task.done_by_id = "open", None, None
    db.session.flush()
    return task


def backfill_follow_ups(*, bulk: bool = False) -> int:
    """A task for every wanted follow-up that has none, for records loaded without the
    services (the demo data): owned by who met the person, else the officer holding the
    company. bulk: Core INSERTs without audit entries, like the benchmark set's other rows."""
    from crm.common.text import person_name
    from crm.events.models import Encounter, Event
    from crm.liaison.models import PortfolioAssignment

    officer = (select(PortfolioAssignment.officer_id)
               .where(PortfolioAssignment.company_id == Contact.company_id,
                      PortfolioAssignment.ended_at.is_(None))
               .limit(1).scalar_subquery())
    query = (select(Encounter.id, Encounter.user_id, Encounter.contact_id, Encounter.follow_up_by,
                    Encounter.follow_up_done, Contact.company_id, Contact.family_name,
                    Contact.given_name, Event.name, officer)
             .join(Contact, Contact.id == Encounter.contact_id)
             .join(Event, Event.id == Encounter.event_id)
             .where(Encounter.follow_up_wanted.is_(True),
                    ~select(Task.id).where(Task.encounter_id == Encounter.id).exists())
             .order_by(Encounter.id))
    now, made, batch = utcnow(), 0, []
    for (encounter_id, user_id, contact_id, due, done, company_id, family, given, event,
         officer_id) in db.session.execute(query).all():
        if not (user_id or officer_id):
            continue
        batch.append({
            "title": _("Follow up with %(name)s (%(event)s)", name=person_name(family, given),
                       event=event)[:TITLE_MAX],
            "due_on": due, "owner_id": user_id or officer_id, "created_by_id": user_id,
            "created_at": now, "status": "done" if done else "open",
            "done_at": now if done else None, "company_id": company_id,
            "contact_id": contact_id, "encounter_id": encounter_id, "source": "fair"})
        made += 1
        if bulk and len(batch) >= 5000:
            db.session.execute(Task.__table__.insert(), batch)
            batch = []
    if bulk and batch:
        db.session.execute(Task.__table__.insert(), batch)
    elif batch:
        db.session.add_all(Task(**row) for row in batch)
        db.session.flush()
    return made


def _mirror_to_follow_up(task: Task) -> None:
    """A follow-up's task changed: the encounter's follow-up says the same."""
    encounter = task.encounter
    if encounter is None or not encounter.follow_up_wanted:
        return
    done = task.status == "done"
    if encounter.follow_up_done != done:
        encounter.follow_up_done = done
    if encounter.follow_up_by != task.due_on and (
            task.due_on is None or encounter.met_on is None or task.due_on >= encounter.met_on):
        encounter.follow_up_by = task.due_on
