"""My work: what each person has to do next, by their roles, each item linking to where it is
done. The home page shows it; the e-mail digest (crm/notify/digest.py) sends the same items.

A fixed handful of queries whatever the data: each section is one or two grouped or limited
queries, most of them the portfolio, request, screening, NDA and report queries the other pages
already use. Texts are translated here, in the language active when called (the request's, or
the digest's recipient's under force_locale); links are paths (url_for), the digest makes them
absolute.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select

from crm.auth.models import User
from crm.collaborations.models import STEPS, Collaboration, CollaborationSignoff
from crm.collaborations.steps import STAGE_LABELS
from crm.common.time import format_day, office_today
from crm.companies.models import Company
from crm.extensions import db
from crm.liaison import services as liaison
from crm.liaison.models import PORTFOLIO_MAX, PORTFOLIO_MIN
from crm.ndas import services as ndas
from crm.ndas.models import Nda
from crm.requests import services as requests
from crm.requests.models import DataEntryRequest
from crm.screening import services as screening
from crm.screening.models import Screening, ScreeningList
from crm.tasks.models import LINKS as TASK_LINKS
from crm.tasks.models import Task

#: Items listed per section (the section's link leads to all of them).
SHOWN = 8
#: Tasks due within this many days count as "due this week".
DUE_SOON_DAYS = 7
#: NDAs ending within this many days.
NDA_DAYS = 60
#: Default days a collaboration may stay in one step before it shows as stuck
#: (CRM_STUCK_DAYS overrides).
STUCK_DAYS = 30
#: Roles that see the office's sections (loads, coverage, every NDA, stuck collaborations).
MANAGING = ("manager", "admin")


@dataclass
class Item:
    """One thing to do or to know, and the page where it is done."""

    text: str
    url: str
    #: A short note shown beside it: a date, "12 days", a count.
    note: str = ""
    #: How urgent: danger (late), warning (soon), info (new), secondary.
    tone: str = "secondary"
    #: New since the person's last visit (or last digest).
    new: bool = False


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    #: One line of counts above the items ("4 open, 2 waiting over 7 days").
    summary: str = ""
    #: Where the whole list is.
    more_url: str | None = None
    more_label: str = ""
    #: Shown when there is nothing (a section with nothing to do says so).
    empty: str = ""

    @property
    def count(self) -> int:
        return len(self.items)


def stuck_days() -> int:
    value = current_app.config.get("CRM_STUCK_DAYS")
    return STUCK_DAYS if value in (None, "") else int(value)


def items_for(user: User, *, since: datetime | None = None,
              today: date | None = None) -> list[Section]:
    """The sections of My work for this user, in the order shown. `since` (UTC, naive): what
    happened after it is marked new (the last visit, or the last digest)."""
    today = today or office_today()
    sections: list[Section] = []
    mine = _tasks(user, today)
    if mine is not None:
        sections.append(mine)
    if user.has_role(*liaison.OFFICER_ROLES):
        held = _portfolio(user, today)
        if held.summary or user.has_role("liaison"):  # a manager holding nothing: no section
            sections.append(held)
    if user.has_role("researcher"):
        sections.append(_my_requests(user, since))
    # By role, not by permission: a manager may work the queue, but it is BD's daily work.
    if user.has_role("bd"):
        sections.append(_queue())
    if user.has_role("export_control"):
        sections.append(_screening())
    managing = user.has_role(*MANAGING)
    if managing:
        cover = liaison.office_cover()  # the same for every manager: reused a few seconds
        sections.append(_loads(cover))
        sections.append(_uncovered(cover))
    if user.can("collaborations.view") and (managing
                                            or user.has_role(*liaison.OFFICER_ROLES, "bd")):
        sections.append(_ndas(user, today, every=managing))
    if managing:
        sections.append(_stuck(today))
    return sections


# -- tasks (crm/tasks) -------------------------------------------------------------------------

def _tasks(user: User, today: date) -> Section | None:
    """Overdue and due-this-week tasks (crm/tasks' open_tasks); None without a task list."""
    if not user.can("tasks.own"):
        return None
    # open_tasks()'s selection and order, but only the columns an item needs (title, due day,
    # the ids its link is made of): not the owner and the five linked records per task.
    until = today + timedelta(days=DUE_SOON_DAYS)
    rows = db.session.execute(
        select(Task.id, Task.title, Task.due_on,
               *(getattr(Task, f"{link}_id") for link in TASK_LINKS))
        .where(Task.owner_id == user.id, Task.status == "open", Task.due_on <= until)
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id)).all()
    late = [t for t in rows if t.due_on is not None and t.due_on < today]
    section = Section("tasks", _("My tasks"), more_url=url_for("tasks.index"),
                      more_label=_("All my tasks"),
                      empty=_("Nothing overdue or due this week."))
    if rows:
        section.summary = ", ".join(filter(None, [
            ngettext("%(num)d overdue", "%(num)d overdue", len(late)) if late else "",
            ngettext("%(num)d due this week", "%(num)d due this week", len(rows) - len(late))
            if len(rows) > len(late) else ""]))
    for t in rows[:SHOWN]:
        overdue = t.due_on is not None and t.due_on < today
        section.items.append(Item(
            t.title, _task_url(t),
            note=(_("%(n)s days late", n=(today - t.due_on).days) if overdue
                  else format_day(t.due_on) if t.due_on else ""),
            tone="danger" if overdue else "warning" if t.due_on == today else "secondary"))
    return section


def _task_url(task) -> str:
    """Where a task is done: the record it is about, else the task's own form."""
    for attr, endpoint, arg in (("collaboration_id", "collaborations.show", "collaboration_id"),
                                ("nda_id", "ndas.show", "nda_id"),
                                ("request_id", "requests.show", "request_id"),
                                ("contact_id", "contacts.show", "contact_id"),
                                ("company_id", "companies.show", "company_id")):
        value = getattr(task, attr)
        if value:
            return url_for(endpoint, **{arg: value})
    return url_for("tasks.edit", task_id=task.id)


# -- a liaison officer's portfolio -------------------------------------------------------------

def _portfolio(user: User, today: date) -> Section:
    """Stale companies (no activity or encounter for liaison.STALE_DAYS days) and renewals due,
    from the portfolio page's one query."""
    rows = liaison.portfolio(user.id, today)
    stale = [r for r in rows if r.stale]
    renewals = sorted((r for r in rows if r.renewal), key=lambda r: r.company.renewal_date)
    section = Section("portfolio", _("My companies"), more_url=url_for("liaison.mine"),
                      more_label=_("My portfolio"),
                      empty=_("No companies are assigned to you.") if not rows else
                      _("Every company was contacted in the last %(days)s days; no renewal "
                        "is due.", days=liaison.STALE_DAYS))
    if rows:
        section.summary = _(
            "Held: %(held)s · no contact for %(days)s+ days: %(stale)s · renewals due: "
            "%(renew)s", held=len(rows), stale=len(stale), days=liaison.STALE_DAYS,
            renew=len(renewals))
    for r in renewals[:SHOWN]:
        section.items.append(Item(
            _("Renewal of %(company)s", company=r.company.name),
            url_for("companies.show", company_id=r.company.id),
            note=format_day(r.company.renewal_date),
            tone="danger" if r.renewal == "overdue" else "warning"))
    for r in stale[:max(SHOWN - len(section.items), 3)]:
        section.items.append(Item(
            r.company.name, url_for("companies.show", company_id=r.company.id),
            note=(_("never contacted") if r.days_since is None
                  else _("%(n)s days since contact", n=r.days_since)),
            tone="warning"))
    return section


# -- a researcher's requests -------------------------------------------------------------------

def _my_requests(user: User, since: datetime | None) -> Section:
    """Requests the team sent back with a question, and requests entered since the last
    visit. One query."""
    entered_since = requests.naive_utc(since) if since else \
        requests.naive_utc() - timedelta(days=DUE_SOON_DAYS)
    rows = db.session.execute(
        select(DataEntryRequest).where(
            DataEntryRequest.submitted_by_id == user.id,
            or_(DataEntryRequest.status == "returned",
                and_(DataEntryRequest.status == "entered",
                     DataEntryRequest.entered_at > entered_since)))
        .order_by(DataEntryRequest.status.desc(), DataEntryRequest.updated_at.desc())
        .limit(SHOWN * 2)).scalars().all()
    questions = [r for r in rows if r.status == "returned"]
    entered = [r for r in rows if r.status == "entered"]
    section = Section("my_requests", _("My requests"), more_url=url_for("requests.mine"),
                      more_label=_("All my requests"),
                      empty=_("No question from the team; nothing newly entered."))
    if rows:
        section.summary = _("With a question for you: %(q)s · entered since your last "
                            "visit: %(e)s", q=len(questions), e=len(entered))
    for r in questions[:SHOWN]:
        section.items.append(Item(_("The team asks about %(person)s", person=_person(r)),
                                  url_for("requests.show", request_id=r.id),
                                  note=_("answer"), tone="danger"))
    for r in entered[:SHOWN]:
        target = (url_for("contacts.show", contact_id=r.contact_id) if r.contact_id
                  else url_for("requests.show", request_id=r.id))
        section.items.append(Item(_("%(person)s was entered", person=_person(r)), target,
                                  note=_("new"), tone="info", new=True))
    return section


def _person(req: DataEntryRequest) -> str:
    """The person a request is about, with their company when the researcher gave it."""
    return f"{req.person_name} ({req.company_name})" if req.company_name else req.person_name


# -- business development: the data-entry queue ------------------------------------------------

def _queue() -> Section:
    """The queue's counts (requests' queue_counts, one query) and its oldest open items."""
    counts = requests.queue_counts()
    oldest = db.session.execute(
        select(DataEntryRequest).where(DataEntryRequest.status.in_(requests.OPEN_STATUSES))
        .order_by(DataEntryRequest.created_at, DataEntryRequest.id).limit(5)).scalars().all()
    now = requests.naive_utc()
    section = Section("queue", _("Data-entry queue"),
                      summary=_("%(open)s open, %(aging)s waiting over %(days)s days, "
                                "%(returned)s sent back", open=counts["open"],
                                aging=counts["aging"], days=requests.AGING_DAYS,
                                returned=counts["returned"]),
                      more_url=url_for("requests.index"), more_label=_("The whole queue"),
                      empty=_("The queue is empty."))
    for r in oldest:
        days = requests.days_waiting(r, now)
        section.items.append(Item(
            _person(r), url_for("requests.show", request_id=r.id),
            note=ngettext("%(num)d day", "%(num)d days", days),
            tone="danger" if days > requests.AGING_DAYS else "secondary"))
    return section


# -- the export-control officer ----------------------------------------------------------------

def _screening() -> Section:
    """Hits waiting for a decision (the screening page's query), and companies in an open
    collaboration not screened since the current lists were imported or since they changed."""
    attention = screening.companies_needing_attention(limit=SHOWN)
    newest_list = select(func.max(ScreeningList.imported_at)).where(
        ScreeningList.current.is_(True)).scalar_subquery()
    last_screened = (select(Screening.company_id.label("company_id"),
                            func.max(Screening.screened_at).label("at"))
                     .where(Screening.company_id.is_not(None))
                     .group_by(Screening.company_id).subquery())
    partners = select(Collaboration.company_id).where(Collaboration.stage != "closed")
    stale = (select(Company)
             .outerjoin(last_screened, last_screened.c.company_id == Company.id)
             .where(Company.id.in_(partners),
                    or_(last_screened.c.at.is_(None), last_screened.c.at < newest_list,
                        last_screened.c.at < Company.updated_at))
             .order_by(Company.sort_name).limit(SHOWN + 1))
    needing = db.session.execute(stale).scalars().all()
    to_decide = sum(n for _c, _s, n, _b in attention)
    more = len(attention) >= SHOWN  # the first SHOWN companies' hits were counted
    section = Section("screening", _("Export-control screening"),
                      summary=_("Hits to decide: %(hits)s · partners to (re-)screen: "
                                "%(n)s", hits=f"{to_decide}+" if more else to_decide,
                                n=f"{SHOWN}+" if len(needing) > SHOWN else len(needing)),
                      more_url=url_for("screening.index"), more_label=_("Screening"),
                      empty=_("No hit waits for a decision; every partner is screened."))
    for company, _scr, n_open, n_blocked in attention:
        if not n_open:
            continue
        section.items.append(Item(
            company.name, url_for("screening.company", company_id=company.id),
            note=ngettext("%(num)d hit to decide", "%(num)d hits to decide", n_open),
            tone="danger"))
    for company in needing[:SHOWN]:
        section.items.append(Item(
            company.name, url_for("screening.company", company_id=company.id),
            note=_("to screen"), tone="warning"))
    return section


# -- managers ----------------------------------------------------------------------------------

def _loads(cover: liaison.OfficeCover) -> Section:
    """Officers outside the 7–10 band (liaison's loads(), in the office's cover)."""
    outside = cover.outside
    section = Section("loads", _("Officers outside %(min)s–%(max)s companies",
                                 min=PORTFOLIO_MIN, max=PORTFOLIO_MAX),
                      more_url=url_for("liaison.overview"), more_label=_("Portfolios"),
                      empty=_("Every officer holds %(min)s–%(max)s companies.",
                              min=PORTFOLIO_MIN, max=PORTFOLIO_MAX))
    for officer_id, name, companies, band in outside[:SHOWN]:
        section.items.append(Item(
            name, url_for("liaison.officer", user_id=officer_id),
            note=ngettext("%(num)d company", "%(num)d companies", companies),
            tone="danger" if band == "over" else "warning"))
    if outside:
        section.summary = ngettext("%(num)d officer outside the band",
                                   "%(num)d officers outside the band", len(outside))
    return section


def _uncovered(cover: liaison.OfficeCover) -> Section:
    """Companies nobody holds (a count) and departments nobody covers (liaison's queries, in
    the office's cover)."""
    companies, departments = cover.uncovered, cover.departments
    section = Section("uncovered", _("Not covered"),
                      more_url=url_for("liaison.overview"), more_label=_("Assign them"),
                      empty=_("Every company and department has an officer."))
    if companies or departments:
        section.summary = _("Companies nobody holds: %(c)s · departments nobody covers: "
                            "%(d)s", c=f"{companies:,}", d=len(departments))
    if companies:
        section.items.append(Item(
            ngettext("%(num)d company nobody holds", "%(num)d companies nobody holds",
                     companies), url_for("liaison.overview") + "#uncovered",
            tone="warning"))
    for _id, name, researchers, seeds in departments[:SHOWN]:
        section.items.append(Item(
            name, url_for("liaison.overview") + "#cover",
            note=_("%(r)s researchers, %(s)s seeds", r=researchers, s=seeds)))
    return section


def _ndas(user: User, today: date, *, every: bool) -> Section:
    """NDAs ending within NDA_DAYS days (the register's query): all of them for a manager,
    those of one's companies and collaborations for the others."""
    rows = ndas.expiring(NDA_DAYS, today)
    if not every:
        mine = set(db.session.execute(select(Company.id).where(
            Company.officer_id == user.id)).scalars())
        mine |= set(db.session.execute(select(Collaboration.company_id).where(
            Collaboration.officer_id == user.id)).scalars())
        rows = [n for n in rows if n.company_id in mine]
    section = Section("ndas", _("NDAs expiring within %(days)s days", days=NDA_DAYS),
                      more_url=url_for("ndas.index") + "#expiring",
                      more_label=_("NDA register"), empty=_("No NDA ends soon."))
    for n in rows[:SHOWN]:
        left = (n.expires_on - today).days
        section.items.append(Item(
            f"{n.title} · {n.company.name}", url_for("ndas.show", nda_id=n.id),
            note=format_day(n.expires_on), tone="danger" if left <= 14 else "warning"))
    if rows:
        section.summary = ngettext("%(num)d NDA", "%(num)d NDAs", len(rows))
    return section


def _stuck(today: date) -> Section:
    """Open collaborations in the same step for more than stuck_days() days: the step began at
    the last sign-off (steps move only by signing off), else when it was opened. One query."""
    days = stuck_days()
    last_signoff = (select(func.max(CollaborationSignoff.signed_on))
                    .where(CollaborationSignoff.collaboration_id == Collaboration.id)
                    .scalar_subquery())
    since = func.coalesce(last_signoff, Collaboration.opened_on)
    cutoff = today - timedelta(days=days)
    rows = db.session.execute(
        select(Collaboration, since.label("since"))
        .where(Collaboration.stage.in_(STEPS), since < cutoff)
        .order_by(since, Collaboration.id).limit(SHOWN + 1)).all()
    section = Section("stuck", _("Collaborations stuck in a step for over %(days)s days",
                                 days=days),
                      more_url=url_for("collaborations.index"), more_label=_("Pipeline"),
                      empty=_("No collaboration has waited that long."))
    for collab, began in rows[:SHOWN]:
        began = _as_date(began)
        section.items.append(Item(
            f"{collab.title} · {STAGE_LABELS.get(collab.stage, collab.stage)}",
            url_for("collaborations.show", collaboration_id=collab.id),
            note=_("%(n)s days", n=(today - began).days), tone="warning"))
    if rows:
        section.summary = (_("More than %(n)s", n=SHOWN) if len(rows) > SHOWN
                           else ngettext("%(num)d collaboration", "%(num)d collaborations",
                                         len(rows)))
    return section


def _as_date(value) -> date:
    """SQLite hands back coalesce() of dates as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
