"""One timeline per company (and per contact): everything that happened with them, newest
first, from the tables that hold it (and the audit trail for collaborations' moves between
steps, which no table keeps).

One query per kind whatever the company's size: each kind fetches its newest
page * PER_PAGE + 1 rows, the kinds are merged by day, and the page is cut from the merge, so
page N is exact without reading every row. Each kind's statement is built once per process for
each shape, with bound parameters (`_statement`): a request only binds the values. Each kind is shown only to the roles that may see
it (crm/auth/permissions.py); confidential minutes stay hidden as on the activity page.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Integer, String, Text, bindparam, literal, null, select, union_all

from crm.activities.forms import KIND_LABELS as ACTIVITY_LABELS
from crm.activities.models import Activity, activity_contacts
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.collaborations.models import Collaboration, CollaborationSignoff
from crm.collaborations.steps import STAGE_LABELS
from crm.common.text import person_name
from crm.common.time import format_day, to_office
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.ndas.models import Disclosure, Nda
from crm.requests.models import DataEntryRequest
from crm.screening.models import Decision, Hit, Screening
from crm.tasks.models import Task

#: Entries a page of the timeline shows.
PER_PAGE = 25
#: Characters of minutes and notes read per entry (an entry shows at most 240).
MINUTES_READ = 400
#: The deepest page served (bounded work: at most this many pages of each kind are read).
MAX_PAGE = 40
SUBJECTS = ("company", "contact")

#: kind -> (label, permission needed to see it)
KINDS: dict[str, tuple[Any, str]] = {
    "activity": (_l("Activities"), "records.view"),
    "encounter": (_l("Met at events"), "records.view"),
    "task": (_l("Tasks"), "tasks.own"),
    "collaboration": (_l("Collaborations"), "collaborations.view"),
    "nda": (_l("NDAs and disclosures"), "collaborations.view"),
    "screening": (_l("Screening decisions"), "screening.view"),
    "request": (_l("Data-entry requests"), "requests.submit"),
    "donation": (_l("Donations"), "donations.view"),
}
#: Kinds that concern a company only (nothing ties them to one person).
COMPANY_ONLY = ("collaboration", "donation")


@dataclass
class Entry:
    kind: str
    day: date
    #: Orders entries of one day (None: the start of the day).
    at: datetime | None
    title: str
    url: str | None = None
    detail: str = ""
    who: str = ""
    badge: str = ""
    #: A donation's amount, formatted by the template (money filter).
    amount: Decimal | None = None
    currency: str | None = None

    @property
    def key(self) -> tuple:
        return (self.day, self.at or datetime.min)

    def day_text(self, language: str) -> str:
        """The day as the page shows it (crm/common/time.py format_day), remembered per day and
        language: formatting a date with babel is the slowest part of an entry."""
        return _day_text(self.day, language)


@lru_cache(maxsize=8192)
def _day_text(day: date, language: str) -> str:
    return format_day(day, language)


@dataclass
class Pending:
    """An entry whose day and moment are known and whose text and link are made only when it
    lands on the page shown (page 40 reads a thousand rows per kind and shows 25)."""

    key: tuple
    make: Callable[[], Entry]


def _pending(day: date, at: datetime | None, make: Callable[[], Entry]) -> Pending:
    return Pending((day, at or datetime.min), make)


@dataclass
class TimelinePage:
    subject: str
    record_id: int
    entries: list[Entry]
    kinds: list[str]
    kind: str | None
    page: int
    has_more: bool


def kinds_for(by: User, subject: str) -> list[str]:
    """The kinds the user `by` may see on this subject's timeline, in menu order."""
    out = []
    for kind, (_label, permission) in KINDS.items():
        if not by.can(permission):
            continue
        if subject == "contact" and kind in COMPANY_ONLY:
            continue
        out.append(kind)
    return out


def kind_labels() -> dict[str, str]:
    return {kind: str(label) for kind, (label, _p) in KINDS.items()}


def timeline(subject: str, record_id: int, *, by: User, kind: str | None = None,
             page: int = 1) -> TimelinePage:
    """A page of the subject's timeline as `by` may see it: every allowed kind, or one."""
    allowed = kinds_for(by, subject)
    wanted = [kind] if kind else allowed
    limit = page * PER_PAGE + 1
    merged: list[Entry | Pending] = []
    for k in wanted:
        merged.extend(_READERS[k](subject, record_id, by, limit))
    merged.sort(key=lambda e: e.key, reverse=True)
    start = (page - 1) * PER_PAGE
    shown = [e.make() if isinstance(e, Pending) else e for e in merged[start:start + PER_PAGE]]
    return TimelinePage(subject, record_id, shown, allowed, kind, page,
                        len(merged) > page * PER_PAGE)


def _day(value: Any) -> date:
    """A date from a date, a datetime (its day in the office's zone) or SQLite's text."""
    if isinstance(value, datetime):
        return to_office(_utc(value)).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _utc(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _short(text: str | None, size: int = 240) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[:size - 1] + "…"


#: The values a reader's statement binds: the company's or contact's id, the rows wanted, the
#: user reading (for kinds that show only one's own).
RECORD = bindparam("record_id", type_=Integer)
LIMIT = bindparam("limit", type_=Integer)
READER = bindparam("user_id", type_=Integer)
_STATEMENTS: dict[tuple, Any] = {}


def _statement(key: tuple, build: Callable[[], Any]) -> Any:
    """The statement for this shape (kind, subject, variant), built once per process and
    database dialect: SQLAlchemy then neither rebuilds it nor recomputes its cache key, and the
    compiled form comes from its cache."""
    key = (*key, db.session.get_bind().dialect.name)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build()
    return stmt


def _rows(key: tuple, build: Callable[[], Any], record_id: int, limit: int,
          by: User | None = None) -> list[Any]:
    params = {"record_id": record_id, "limit": limit}
    if by is not None:
        params["user_id"] = by.id
    return db.session.execute(_statement(key, build), params).all()


# -- one reader per kind: (subject, id, user, limit) -> newest entries -------------------------

def _activities_stmt(subject: str) -> Any:
    # Only the columns shown (no ORM objects, no author's roles loaded with the author).
    stmt = (select(Activity.id, Activity.kind, Activity.subject, Activity.occurred_on,
                   Activity.created_at, Activity.confidential, Activity.user_id,
                   db.func.substr(Activity.minutes, 1, MINUTES_READ), User.name)
            .outerjoin(User, User.id == Activity.user_id))
    if subject == "company":
        stmt = stmt.where(Activity.company_id == RECORD)
    else:
        stmt = stmt.join(activity_contacts, activity_contacts.c.activity_id == Activity.id) \
            .where(activity_contacts.c.contact_id == RECORD)
    return stmt.order_by(Activity.occurred_on.desc(), Activity.id.desc()).limit(LIMIT)


def _activities(subject: str, record_id: int, by: User, limit: int) -> list[Pending]:
    rows = _rows(("activity", subject), partial(_activities_stmt, subject), record_id, limit)
    managers = by.has_role("manager", "admin")
    badges = {kind: str(label) for kind, label in ACTIVITY_LABELS.items()}  # translated once
    hidden = _("Confidential minutes: visible to their author and managers.")

    def make(row: Any) -> Entry:
        id_, kind, title, day, created, confidential, author, minutes, who = row
        # Activity.can_read_minutes, on the row: the author, managers and admins.
        readable = not confidential or by.id == author or managers
        return Entry(
            "activity", _day(day), _moment(created), title,
            url_for("activities.show", activity_id=id_),
            detail=_short(minutes) if readable else hidden,
            who=who or "", badge=badges.get(kind, kind))

    return [_pending(_day(r[3]), _moment(r[4]), partial(make, r)) for r in rows]


def _encounters_stmt(subject: str) -> Any:
    day = db.func.coalesce(Encounter.met_on, Event.starts_on)
    stmt = (select(Encounter.event_id, Event.name, Contact.family_name, Contact.given_name,
                   Encounter.follow_up_wanted, Encounter.follow_up_done,
                   db.func.substr(Encounter.research_interests, 1, MINUTES_READ),
                   Encounter.created_at, day, User.name)
            .join(Event, Event.id == Encounter.event_id)
            .join(Contact, Contact.id == Encounter.contact_id)
            .outerjoin(User, User.id == Encounter.user_id))
    if subject == "company":
        stmt = stmt.where(Contact.company_id == RECORD)
    else:
        stmt = stmt.where(Encounter.contact_id == RECORD)
    return stmt.order_by(day.desc(), Encounter.id.desc()).limit(LIMIT)


def _encounters(subject: str, record_id: int, by: User, limit: int) -> list[Pending]:
    rows = _rows(("encounter", subject), partial(_encounters_stmt, subject), record_id, limit)

    def make(row: Any) -> Entry:
        event_id, event, family, given, wanted, done, interests, created, met, who = row
        title = _("%(person)s met at %(event)s", person=person_name(family, given), event=event)
        badge = ""
        if wanted:
            badge = _("Follow-up done") if done else _("Follow-up wanted")
        return Entry("encounter", _day(met), _moment(created), title,
                     url_for("events.show", event_id=event_id),
                     detail=_short(interests), who=who or "", badge=badge)

    return [_pending(_day(r[8]), _moment(r[7]), partial(make, r)) for r in rows]


def _tasks_stmt(subject: str, own: bool) -> Any:
    column = Task.company_id if subject == "company" else Task.contact_id
    stmt = (select(Task.id, Task.title, Task.due_on, Task.created_at, Task.status, User.name)
            .outerjoin(User, User.id == Task.owner_id).where(column == RECORD))
    if own:
        stmt = stmt.where(Task.owner_id == READER)
    day = db.func.coalesce(Task.due_on, db.func.date(Task.created_at)) \
        if db.session.get_bind().dialect.name == "sqlite" else \
        db.func.coalesce(Task.due_on, db.cast(Task.created_at, Date))
    return stmt.order_by(day.desc(), Task.id.desc()).limit(LIMIT)


def _tasks(subject: str, record_id: int, by: User, limit: int) -> list[Pending]:
    own = not by.can("tasks.team")  # one's own tasks; managers see the team's (as task lists)
    rows = _rows(("task", subject, own), partial(_tasks_stmt, subject, own), record_id, limit,
                 by if own else None)

    def make(row: Any) -> Entry:
        id_, title, due_on, created, status, owner = row
        return Entry("task", due_on or _day(created), _moment(created), title,
                     url_for("tasks.edit", task_id=id_), who=owner or "",
                     badge=_("Done") if status == "done" else _("Due"))

    return [_pending(r[2] or _day(r[3]), _moment(r[3]), partial(make, r)) for r in rows]


def _collaborations_stmt() -> Any:
    ids = select(Collaboration.id).where(Collaboration.company_id == RECORD)
    opened = select(
        literal("opened", String).label("what"), Collaboration.id.label("cid"),
        Collaboration.title.label("title"), Collaboration.opened_on.label("day"),
        Collaboration.created_at.label("at"), null().cast(String).label("step"),
        null().cast(String).label("who"), null().cast(Text).label("extra"),
    ).where(Collaboration.company_id == RECORD)
    signed = select(
        literal("signed", String), Collaboration.id, Collaboration.title,
        CollaborationSignoff.signed_on, CollaborationSignoff.created_at,
        CollaborationSignoff.step, CollaborationSignoff.signed_by_name,
        CollaborationSignoff.override_reason,
    ).join(Collaboration, Collaboration.id == CollaborationSignoff.collaboration_id) \
        .where(Collaboration.company_id == RECORD)
    moved = select(
        literal("moved", String), AuditEntry.entity_id, AuditEntry.label,
        null().cast(Date), AuditEntry.at, null().cast(String), AuditEntry.actor,
        db.cast(AuditEntry.changes, Text),
    ).where(AuditEntry.entity == Collaboration.__tablename__, AuditEntry.action == "update",
            AuditEntry.entity_id.in_(ids),
            db.cast(AuditEntry.changes, Text).like('%"stage"%'))
    u = union_all(opened, signed, moved).subquery()
    return select(u).order_by(u.c.at.desc()).limit(LIMIT)


def _collaborations(subject: str, record_id: int, by: User, limit: int) -> list[Entry]:
    """Opened, each step signed off, each move between steps (from the audit trail), in one
    query (a UNION of the three)."""
    rows = _rows(("collaboration",), _collaborations_stmt, record_id, limit)
    out = []
    for what, cid, title, day, at, step, who, extra in rows:
        at = _moment(at)
        url = url_for("collaborations.show", collaboration_id=cid)
        if what == "opened":
            out.append(Entry("collaboration", _day(day), at,
                             _("Collaboration opened: %(title)s", title=title), url))
        elif what == "signed":
            out.append(Entry("collaboration", _day(day), at,
                             _("%(step)s signed off: %(title)s",
                               step=STAGE_LABELS.get(step, step), title=title), url, who=who,
                             detail=_("Override: %(reason)s", reason=_short(extra))
                             if extra else "", badge=_("Override") if extra else ""))
        else:
            stage = _stage_change(extra)
            if stage is None:
                continue
            before, after = stage
            out.append(Entry("collaboration", _day(at), at,
                             _("%(title)s moved to %(stage)s", title=title,
                               stage=STAGE_LABELS.get(after, after)), url, who=who,
                             detail=_("from %(stage)s", stage=STAGE_LABELS.get(before, before))
                             if before else ""))
    return out


def _stage_change(changes: Any) -> tuple[str | None, str] | None:
    import json

    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            return None
    pair = (changes or {}).get("stage") if isinstance(changes, dict) else None
    if not pair or len(pair) != 2 or not pair[1]:
        return None
    return pair[0], pair[1]


def _ndas_stmt(subject: str) -> Any:
    disclosures = select(
        literal("disclosure", String).label("what"), Disclosure.id.label("id"),
        Nda.id.label("nda_id"), Nda.title.label("title"), Disclosure.disclosed_on.label("day"),
        Disclosure.created_at.label("at"), Disclosure.classification.label("status"),
        Disclosure.description.label("text"), Disclosure.disclosed_to.label("who"),
    ).join(Nda, Nda.id == Disclosure.nda_id)
    if subject == "company":
        disclosures = disclosures.where(Nda.company_id == RECORD)
        ndas = select(
            literal("nda", String), Nda.id, Nda.id, Nda.title,
            db.func.coalesce(Nda.signed_on, Nda.effective_from), Nda.created_at, Nda.status,
            Nda.notes, null().cast(String),
        ).where(Nda.company_id == RECORD)
        u = union_all(disclosures, ndas).subquery()  # the first names the columns
    else:
        u = disclosures.where(Disclosure.disclosed_to_contact_id == RECORD).subquery()
    return select(u).order_by(u.c.day.desc(), u.c.at.desc()).limit(LIMIT)


def _ndas(subject: str, record_id: int, by: User, limit: int) -> list[Entry]:
    """The company's NDAs (on the day signed, else in force) and their disclosures; for a
    contact, disclosures made to them. One query."""
    rows = _rows(("nda", subject), partial(_ndas_stmt, subject), record_id, limit)
    from crm.ndas.forms import CLASSIFICATION_LABELS, NDA_STATUS_LABELS

    out = []
    for what, _id, nda_id, title, day, at, status, text, who in rows:
        url = url_for("ndas.show", nda_id=nda_id)
        if what == "nda":
            out.append(Entry("nda", _day(day), _moment(at), _("NDA: %(title)s", title=title),
                             url, badge=str(NDA_STATUS_LABELS.get(status, status))))
        else:
            out.append(Entry("nda", _day(day), _moment(at),
                             _("Disclosure under %(title)s", title=title), url,
                             detail=_short(text), who=who or "",
                             badge=str(CLASSIFICATION_LABELS.get(status, status))))
    return out


def _screening_stmt(subject: str) -> Any:
    stmt = (select(Decision.decided_at, Decision.note, Decision.decision, Hit.query_name,
                   Hit.entry_name, Screening.company_id, User.name)
            .join(Hit, Hit.id == Decision.hit_id)
            .join(Screening, Screening.id == Hit.screening_id)
            .outerjoin(User, User.id == Decision.decided_by_id))
    if subject == "company":
        stmt = stmt.where(Screening.company_id == RECORD)
    else:
        stmt = stmt.where(Hit.contact_id == RECORD)
    return stmt.order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(LIMIT)


def _screening(subject: str, record_id: int, by: User, limit: int) -> list[Entry]:
    rows = _rows(("screening", subject), partial(_screening_stmt, subject), record_id, limit)
    from crm.screening.forms import DECISION_LABELS

    out = []
    for decided_at, note, decision, query_name, entry_name, company_id, who in rows:
        out.append(Entry(
            "screening", _day(decided_at), _moment(decided_at),
            _("Screening: %(name)s against %(entry)s", name=query_name, entry=entry_name),
            url_for("screening.company", company_id=company_id) if company_id else None,
            detail=_short(note), who=who or "",
            badge=str(DECISION_LABELS.get(decision, decision))))
    return out


def _requests_stmt(subject: str, own: bool) -> Any:
    column = DataEntryRequest.company_id if subject == "company" else DataEntryRequest.contact_id
    stmt = select(DataEntryRequest, User.name).where(column == RECORD) \
        .outerjoin(User, User.id == DataEntryRequest.submitted_by_id)
    if own:
        stmt = stmt.where(DataEntryRequest.submitted_by_id == READER)
    return stmt.order_by(DataEntryRequest.created_at.desc(), DataEntryRequest.id.desc()) \
        .limit(LIMIT)


def _requests(subject: str, record_id: int, by: User, limit: int) -> list[Entry]:
    """Requests that became this company or contact: the team sees all, others their own."""
    own = not by.can("requests.work")
    rows = _rows(("request", subject, own), partial(_requests_stmt, subject, own), record_id,
                 limit, by if own else None)
    from crm.requests.forms import TEAM_STATUS_LABELS

    return [Entry("request", _day(r.created_at), _moment(r.created_at),
                  _("Request: %(person)s", person=r.label),
                  url_for("requests.show", request_id=r.id),
                  detail=_short(r.discussed),
                  who=who or "",
                  badge=str(TEAM_STATUS_LABELS.get(r.status, r.status))) for r, who in rows]


def _donations_stmt() -> Any:
    return select(Donation).where(Donation.company_id == RECORD) \
        .order_by(Donation.received_on.desc(), Donation.id.desc()).limit(LIMIT)


def _donations(subject: str, record_id: int, by: User, limit: int) -> list[Entry]:
    if not by.can("donations.view"):  # never read, whatever asked for it
        return []
    rows = [row[0] for row in _rows(("donation",), _donations_stmt, record_id, limit)]
    return [Entry("donation", d.received_on, _moment(d.created_at),
                  d.purpose or _("Donation"), url_for("donations.show", donation_id=d.id),
                  amount=d.amount, currency=d.currency) for d in rows]


_READERS: dict[str, Callable[[str, int, User, int], list[Entry] | list[Pending]]] = {
    "activity": _activities, "encounter": _encounters, "task": _tasks,
    "collaboration": _collaborations, "nda": _ndas, "screening": _screening,
    "request": _requests, "donation": _donations,
}

__all__ = ["COMPANY_ONLY", "Entry", "KINDS", "MAX_PAGE", "PER_PAGE", "TimelinePage",
           "kind_labels", "kinds_for", "timeline"]

