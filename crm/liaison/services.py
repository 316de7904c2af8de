"""Portfolios (who holds which company, 7–10 each) and coverage (who covers which department).

Every change ends the open row and opens a new one, so the history of who held what when is
kept. Company.officer_id mirrors the open assignment for the lists and pages that read it;
only these functions write it.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, event, func, literal, or_, select, union
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload, lazyload

from crm.activities.models import Activity
from crm.auth.models import User, UserRole
from crm.common.services import ValidationError
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.events.models import Encounter
from crm.extensions import db, utcnow
from crm.liaison.models import PORTFOLIO_MAX, PORTFOLIO_MIN, Coverage, PortfolioAssignment
from crm.research.models import Department, Researcher, ResearchSeed, seed_researchers
from crm.common.time import office_today

#: Roles that may hold a portfolio (the same people the responsible-officer select offers).
OFFICER_ROLES = ("liaison", "manager")
#: Days without contact after which a company counts as stale.
STALE_DAYS = 90
#: Days before a membership renewal when it shows as due soon.
RENEWAL_SOON_DAYS = 60
#: Researchers listed per covered department on the portfolio page (the rest behind a link).
RESEARCHERS_PER_DEPARTMENT = 12


# -- portfolios: changes ---------------------------------------------------------------------

def open_assignment(company_id: int) -> PortfolioAssignment | None:
    """The company's current assignment, if anyone holds it."""
    return db.session.scalar(select(PortfolioAssignment).where(
        PortfolioAssignment.company_id == company_id, PortfolioAssignment.ended_at.is_(None)))


def portfolio_size(officer_id: int) -> int:
    """How many companies the officer holds now."""
    return db.session.scalar(
        select(func.count(PortfolioAssignment.id)).join(Company)
        .where(PortfolioAssignment.officer_id == officer_id,
               PortfolioAssignment.ended_at.is_(None))) or 0


def may_manage(by: User | None) -> bool:
    """A script or loader (by=None) or a user with portfolio.manage."""
    return by is None or by.can("portfolio.manage")


def assignment_problems(company: Company | None, officer: User | None, *, by: User | None,
                        override_reason: str | None = None,
                        enforce_limit: bool = True) -> dict[str, str]:
    """Why giving the company to the officer is refused, keyed by form field; {} when allowed.

    Checked before anything is written, so a refusal leaves every row as it was.
    """
    if not may_manage(by):
        return {"officer": _("Only a manager can change who is responsible for a company.")}
    if officer is None:
        return {}
    if not officer.active or not officer.roles & set(OFFICER_ROLES):
        return {"officer": _("%(name)s is not an active liaison officer.", name=officer.name)}
    if company is not None and company.id is not None and company.officer_id == officer.id:
        return {}
    held = portfolio_size(officer.id)
    if enforce_limit and held >= PORTFOLIO_MAX and not (override_reason or "").strip():
        return {"officer": _(
            "%(name)s already holds %(count)s companies (the programme's limit is %(limit)s). "
            "A manager may override with a reason.",
            name=officer.name, count=held, limit=PORTFOLIO_MAX)}
    return {}


def assign_company(company: Company, officer: User, *, by: User | None,
                   override_reason: str | None = None, note: str | None = None,
                   enforce_limit: bool = True, at: datetime | None = None) -> PortfolioAssignment:
    """Give the company to the officer: end the open assignment, open a new one, set
    Company.officer_id. An 11th company is refused unless a manager gives a reason (recorded).

    by is the user acting (None: a script or loader); enforce_limit=False is for loaders
    that copy existing portfolios in as they are.
    """
    reason = (override_reason or "").strip() or None
    note = (note or "").strip() or None
    errors = assignment_problems(company, officer, by=by, override_reason=reason,
                                 enforce_limit=enforce_limit)
    if errors:
        raise ValidationError(errors)
    if company.id is None:
        db.session.flush()
    current = open_assignment(company.id)
    if current is not None and current.officer_id == officer.id:
        company.officer_id = officer.id
        return current
    over_limit = portfolio_size(officer.id) >= PORTFOLIO_MAX
    when = at or utcnow()
    if current is not None:
        current.ended_at = max(when, _aware(current.started_at))
        db.session.flush()  # the open row ends before the new one opens (one open row each)
    assignment = PortfolioAssignment(
        company_id=company.id, officer_id=officer.id, started_at=when,
        assigned_by_id=by.id if by is not None else None,
        override_reason=reason if over_limit else None,
        # A reason typed when none was needed is kept, as a note.
        note=note or (reason if not over_limit else None),
    )
    db.session.add(assignment)
    company.officer_id = officer.id
    db.session.flush()
    return assignment


def unassign_company(company: Company, *, by: User | None, at: datetime | None = None) -> None:
    """Nobody holds the company any more; its history stays."""
    errors = assignment_problems(company, None, by=by)
    if errors:
        raise ValidationError(errors)
    current = open_assignment(company.id) if company.id is not None else None
    if current is not None:
        current.ended_at = max(at or utcnow(), _aware(current.started_at))
    company.officer_id = None
    db.session.flush()


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def company_history(company_id: int) -> list[PortfolioAssignment]:
    """Who held the company when, newest first."""
    return list(db.session.execute(
        select(PortfolioAssignment).where(PortfolioAssignment.company_id == company_id)
        .order_by(PortfolioAssignment.started_at.desc(), PortfolioAssignment.id.desc())
        .options(joinedload(PortfolioAssignment.officer),
                 joinedload(PortfolioAssignment.assigned_by))
    ).scalars())


# -- coverage ----------------------------------------------------------------------------------

def assign_coverage(officer: User, department: Department, *, by: User | None) -> Coverage:
    """The officer covers the department (and its researchers) from now on."""
    if not may_manage(by):
        raise ValidationError({"officer": _("Only a manager can change coverage.")})
    if not officer.active or not officer.roles & set(OFFICER_ROLES):
        raise ValidationError({"officer": _("%(name)s is not an active liaison officer.",
                                            name=officer.name)})
    current = db.session.scalar(select(Coverage).where(
        Coverage.officer_id == officer.id, Coverage.department_id == department.id,
        Coverage.ended_at.is_(None)))
    if current is not None:
        raise ValidationError({"department": _("%(officer)s already covers %(department)s.",
                                               officer=officer.name, department=department.name)})
    coverage = Coverage(officer_id=officer.id, department_id=department.id,
                        assigned_by_id=by.id if by is not None else None)
    db.session.add(coverage)
    db.session.flush()
    return coverage


def end_coverage(coverage: Coverage, *, by: User | None) -> None:
    """The officer no longer covers the department; the row stays as history."""
    if not may_manage(by):
        raise ValidationError({"officer": _("Only a manager can change coverage.")})
    if coverage.ended_at is None:
        coverage.ended_at = max(utcnow(), _aware(coverage.started_at))
        db.session.flush()


# -- loads -------------------------------------------------------------------------------------

@dataclass
class Load:
    officer: User
    companies: int
    members: int
    departments: int

    @property
    def band(self) -> str:
        """under, ok or over against the programme's 7–10."""
        if self.companies < PORTFOLIO_MIN:
            return "under"
        if self.companies > PORTFOLIO_MAX:
            return "over"
        return "ok"


def _officers_filter() -> Any:
    """Active liaison officers, and anyone else (a manager, a former officer) still holding a
    company or department."""
    return or_(
        and_(User.active.is_(True), User.id.in_(
            select(UserRole.user_id).where(UserRole.role == "liaison"))),
        User.id.in_(select(PortfolioAssignment.officer_id)
                    .where(PortfolioAssignment.ended_at.is_(None))),
        User.id.in_(select(Coverage.officer_id).where(Coverage.ended_at.is_(None))),
    )


def loads() -> list[Load]:
    """Every officer with how many companies (and member companies) and departments they hold,
    in one grouped query; the most loaded first."""
    held = (select(PortfolioAssignment.officer_id.label("officer_id"),
                   func.count(Company.id).label("companies"),
                   func.count(Company.membership_tier).label("members"))
            .join(Company, Company.id == PortfolioAssignment.company_id)
            .where(PortfolioAssignment.ended_at.is_(None))
            .group_by(PortfolioAssignment.officer_id).subquery())
    covered = (select(Coverage.officer_id.label("officer_id"),
                      func.count(Coverage.id).label("departments"))
               .where(Coverage.ended_at.is_(None)).group_by(Coverage.officer_id).subquery())
    companies = func.coalesce(held.c.companies, 0)
    rows = db.session.execute(
        select(User, companies, func.coalesce(held.c.members, 0),
               func.coalesce(covered.c.departments, 0))
        .outerjoin(held, held.c.officer_id == User.id)
        .outerjoin(covered, covered.c.officer_id == User.id)
        .where(_officers_filter())
        .order_by(companies.desc(), User.name)
        # Names and ids are shown, not roles: no second query for every officer's roles
        # (they load on first use, as ever).
        .options(lazyload(User.role_rows))
    ).all()
    return [Load(u, c, m, d) for u, c, m, d in rows]


def coverages_by_officer() -> dict[int, list[Coverage]]:
    """Open coverage rows with their departments, grouped by officer (one query)."""
    out: dict[int, list[Coverage]] = {}
    for cov in db.session.execute(
        select(Coverage).where(Coverage.ended_at.is_(None))
        .join(Department).order_by(Department.name)
        .options(joinedload(Coverage.department))
    ).scalars():
        out.setdefault(cov.officer_id, []).append(cov)
    return out


# -- what nobody covers ----------------------------------------------------------------------

def uncovered_companies() -> Select:
    """Companies nobody holds (for paginate(): members first)."""
    return select(Company).where(Company.officer_id.is_(None))


def uncovered_count() -> int:
    """How many companies nobody holds: all companies less the held ones. Both counts are
    cheap (SQLite counts a table without reading it; the held ones are a short index range)
    where counting `officer_id IS NULL` reads nearly every row of a large table."""
    total = select(func.count()).select_from(Company).scalar_subquery()
    held = select(func.count()).select_from(Company).where(
        Company.officer_id.is_not(None)).scalar_subquery()
    return db.session.scalar(select(total - held)) or 0


#: Sort key for uncovered companies: members first, then by name.
MEMBERS_FIRST = case((Company.membership_tier.is_not(None), literal("0")),
                     else_=literal("1")) + Company.sort_name


def uncovered_departments() -> list[tuple[Department, int, int]]:
    """Departments nobody covers, with their researcher and seed counts (one query)."""
    researchers = (select(func.count(Researcher.id))
                   .where(Researcher.department_id == Department.id).scalar_subquery())
    seeds = (select(func.count(ResearchSeed.id))
             .where(ResearchSeed.department_id == Department.id).scalar_subquery())
    covered = select(Coverage.department_id).where(Coverage.ended_at.is_(None))
    return [tuple(r) for r in db.session.execute(
        select(Department, researchers, seeds).where(Department.id.not_in(covered))
        .order_by(Department.name)
    ).all()]


# -- the office's cover, for My work (cached) -------------------------------------------------

@dataclass(frozen=True)
class OfficeCover:
    """What My work shows managers about the whole office: officers outside the 7–10 band
    (id, name, companies, band), how many companies nobody holds, and the departments nobody
    covers (id, name, researchers, seeds). Plain values (no records), the same for every
    manager: nothing in it depends on who asks (My work shows it to managers only)."""

    outside: tuple[tuple[int, str, int, str], ...]
    uncovered: int
    departments: tuple[tuple[int, str, int, int], ...]


#: Classes whose committed change may change the cover: it is read afresh after one.
_COVER_MODELS = (PortfolioAssignment, Coverage, Company, User, UserRole, Department,
                 Researcher, ResearchSeed)
_cover_lock = threading.Lock()
#: Bumped after every commit that changed one of _COVER_MODELS in this process.
_cover_generation = [0]
#: app -> (generation, monotonic time, cover)
_cover_cache: dict[int, tuple[int, float, OfficeCover]] = {}


def cover_seconds() -> float:
    """How long this process reuses the office's cover (CRM_WORK_CACHE_SECONDS; 30 by default,
    0 in tests unless set). Any change committed in this process reads it afresh at once; the
    seconds bound how long another web process's change takes to show."""
    default = 0 if current_app.testing else 30
    value = current_app.config.get("CRM_WORK_CACHE_SECONDS")
    return float(default if value in (None, "") else value)


def office_cover() -> OfficeCover:
    """The office's cover: loads(), uncovered_count() and uncovered_departments() (three
    queries), reused for cover_seconds() unless something that changes it was committed."""
    ttl = cover_seconds()
    key = id(current_app._get_current_object())
    generation = _cover_generation[0]  # read before the queries: a commit meanwhile wins
    if ttl > 0:
        with _cover_lock:
            found = _cover_cache.get(key)
        if found and found[0] == generation and time.monotonic() - found[1] < ttl:
            return found[2]
    cover = OfficeCover(
        outside=tuple((ld.officer.id, ld.officer.name, ld.companies, ld.band)
                      for ld in loads() if ld.band != "ok"),
        uncovered=uncovered_count(),
        departments=tuple((d.id, d.name, r, s) for d, r, s in uncovered_departments()))
    if ttl > 0:
        with _cover_lock:
            _cover_cache[key] = (generation, time.monotonic(), cover)
    return cover


def forget_office_cover() -> None:
    """Read the office's cover afresh next time (after a change made outside the ORM)."""
    with _cover_lock:
        _cover_generation[0] += 1


@event.listens_for(Session, "after_flush")
def _note_cover_change(session: Session, _context: Any) -> None:
    if any(isinstance(obj, _COVER_MODELS)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info["cover_changed"] = True


@event.listens_for(Session, "after_commit")
def _cover_changed(session: Session) -> None:
    if session.info.pop("cover_changed", False):
        with _cover_lock:
            _cover_generation[0] += 1


@event.listens_for(Session, "after_rollback")
def _cover_unchanged(session: Session) -> None:
    session.info.pop("cover_changed", None)


# -- one officer's portfolio -------------------------------------------------------------------

@dataclass
class PortfolioRow:
    company: Company
    since: datetime | None
    last_activity: date | None
    last_encounter: date | None
    follow_ups: int
    today: date

    @property
    def last_contact(self) -> date | None:
        """The latest activity or encounter."""
        dates = [d for d in (self.last_activity, self.last_encounter) if d]
        return max(dates) if dates else None

    @property
    def days_since(self) -> int | None:
        return (self.today - self.last_contact).days if self.last_contact else None

    @property
    def stale(self) -> bool:
        """No contact for STALE_DAYS days or more, or none ever."""
        return self.days_since is None or self.days_since >= STALE_DAYS

    @property
    def renewal(self) -> str | None:
        """overdue, soon or None for the membership renewal date."""
        due = self.company.renewal_date
        if due is None:
            return None
        if due < self.today:
            return "overdue"
        if (due - self.today).days <= RENEWAL_SOON_DAYS:
            return "soon"
        return None


def portfolio(officer_id: int, today: date | None = None) -> list[PortfolioRow]:
    """The officer's companies with last contact, open follow-ups and renewal (one query):
    stale ones first, then by name."""
    today = today or office_today()
    last_activity = (select(func.max(Activity.occurred_on))
                     .where(Activity.company_id == Company.id).scalar_subquery())
    last_encounter = (select(func.max(Encounter.met_on)).join(Contact)
                      .where(Contact.company_id == Company.id).scalar_subquery())
    follow_ups = (select(func.count(Encounter.id)).join(Contact)
                  .where(Contact.company_id == Company.id, _follow_up_open())
                  .scalar_subquery())
    rows = db.session.execute(
        select(Company, PortfolioAssignment.started_at, last_activity, last_encounter,
               follow_ups)
        .outerjoin(PortfolioAssignment, and_(PortfolioAssignment.company_id == Company.id,
                                             PortfolioAssignment.ended_at.is_(None)))
        .where(Company.officer_id == officer_id)
        .order_by(Company.sort_name, Company.id)
    ).all()
    out = [PortfolioRow(c, since, la, le, n, today) for c, since, la, le, n in rows]
    # Stale first, the longest silent (or never contacted) at the top; the rest by name.
    out.sort(key=lambda r: (0, -(r.days_since if r.days_since is not None else 10**6))
             if r.stale else (1, 0))
    return out


def _follow_up_open() -> Any:
    return and_(Encounter.follow_up_wanted.is_(True), Encounter.follow_up_done.is_(False))


def open_follow_ups(officer_id: int, limit: int = 100) -> list[Encounter]:
    """Follow-ups not done yet that the officer owes: met by them, or with people at their
    companies; the ones due first (undated last). One query."""
    portfolio_companies = select(Company.id).where(Company.officer_id == officer_id)
    # Two indexed look-ups joined by UNION: an OR across the two tables would scan them all.
    owed = union(
        select(Encounter.id).where(Encounter.user_id == officer_id, _follow_up_open()),
        select(Encounter.id).join(Contact)
        .where(Contact.company_id.in_(portfolio_companies), _follow_up_open()),
    ).subquery()
    return list(db.session.execute(
        select(Encounter).where(Encounter.id.in_(select(owed.c.id)))
        .order_by(Encounter.follow_up_by.is_(None), Encounter.follow_up_by, Encounter.met_on,
                  Encounter.id)
        .limit(limit)
        .options(joinedload(Encounter.contact).joinedload(Contact.company),
                 joinedload(Encounter.event), joinedload(Encounter.user))
    ).unique().scalars())


@dataclass
class CoveredDepartment:
    coverage: Coverage
    researchers: int
    seeds: int
    available_seeds: int
    people: list[tuple[Researcher, int]]

    @property
    def department(self) -> Department:
        return self.coverage.department


def covered_departments(officer_id: int) -> list[CoveredDepartment]:
    """The officer's departments with their counts and their most productive researchers
    (RESEARCHERS_PER_DEPARTMENT each, with seed counts): two queries whatever the size."""
    dept = Coverage.department_id
    researchers = (select(func.count(Researcher.id))
                   .where(Researcher.department_id == dept).scalar_subquery())
    seeds = (select(func.count(ResearchSeed.id))
             .where(ResearchSeed.department_id == dept).scalar_subquery())
    available = (select(func.count(ResearchSeed.id))
                 .where(ResearchSeed.department_id == dept,
                        ResearchSeed.status == "available").scalar_subquery())
    rows = db.session.execute(
        select(Coverage, researchers, seeds, available).join(Department)
        .where(Coverage.officer_id == officer_id, Coverage.ended_at.is_(None))
        .order_by(Department.name).options(joinedload(Coverage.department))
    ).all()
    if not rows:
        return []
    dept_ids = [cov.department_id for cov, *_ in rows]
    per_person = (
        select(Researcher.id.label("rid"), Researcher.department_id.label("dept"),
               Researcher.family_name_reading.label("reading"),
               func.count(seed_researchers.c.seed_id).label("n"))
        .outerjoin(seed_researchers, seed_researchers.c.researcher_id == Researcher.id)
        .where(Researcher.department_id.in_(dept_ids))
        .group_by(Researcher.id, Researcher.department_id, Researcher.family_name_reading)
        .subquery())
    ranked = select(
        per_person.c.rid, per_person.c.n,
        func.row_number().over(partition_by=per_person.c.dept,
                               order_by=(per_person.c.n.desc(), per_person.c.reading,
                                         per_person.c.rid)).label("rank"),
    ).subquery()
    people: dict[int, list[tuple[Researcher, int]]] = {d: [] for d in dept_ids}
    for person, n in db.session.execute(
        select(Researcher, ranked.c.n).join(ranked, ranked.c.rid == Researcher.id)
        .where(ranked.c.rank <= RESEARCHERS_PER_DEPARTMENT).order_by(ranked.c.rank)
    ).all():
        people[person.department_id].append((person, n))
    return [CoveredDepartment(cov, r, s, a, people[cov.department_id])
            for cov, r, s, a in rows]


def officer_load(officer: User) -> Load:
    """One officer's counts (for their own page)."""
    companies, members = db.session.execute(
        select(func.count(Company.id), func.count(Company.membership_tier))
        .where(Company.officer_id == officer.id)).one()
    departments = db.session.scalar(select(func.count(Coverage.id)).where(
        Coverage.officer_id == officer.id, Coverage.ended_at.is_(None)))
    return Load(officer, companies, members, departments or 0)
