"""The numbers behind the dashboards: a few grouped SQL queries each, shaped with pandas.

Every function here runs a fixed number of queries whatever the size of the data (the
dashboards' query counts are tested small vs. larger), and fetches grouped rows, never whole
tables. Labels are not translated here: the dashboards (crm.reports.dashboards) do that.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (Select, String, Subquery, and_, case, distinct, extract, func,
                        literal, literal_column, select, union_all)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from crm.activities.models import Activity
from crm.alumni.models import Alumnus
from crm.auth.models import User
from crm.collaborations.models import Collaboration
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.events.models import Event, Encounter
from crm.extensions import db
from crm.liaison import services as liaison
from crm.requests.models import DataEntryRequest
from crm.requests.services import OPEN_STATUSES
from crm.research.models import Department, Researcher, ResearchSeed
from crm.common.text import fold_case
from crm.common.time import naive_utc, office_today

#: Days ahead in which membership renewals count as due.
RENEWAL_HORIZON = 90
#: Age buckets (upper bounds in days) of open data-entry requests.
REQUEST_AGE_BUCKETS = (7, 14, 30)
#: Requests that are still somebody's work: waiting, being entered, sent back with a question.
REQUEST_OPEN = (*OPEN_STATUSES, "returned")
#: The home country: donors and companies here are domestic.
HOME = "JP"


@dataclass
class Filters:
    """What the filter bar selects. None means "all"."""

    start: date
    end: date
    officer: int | None = None
    department: int | None = None
    country: str | None = None
    currency: str = "JPY"
    today: date | None = None

    def __post_init__(self) -> None:
        self.today = self.today or office_today()


def _frame(stmt: Select, columns: list[str]) -> pd.DataFrame:
    """One query's rows as a DataFrame (through the session, so it shares its transaction).

    Read in batches into one list per column: thousands of rows kept alive at once would make
    Python's garbage collector sweep the whole heap during the request."""
    data: list[list[Any]] = [[] for _ in columns]
    for part in db.session.connection().execute(stmt).partitions(1000):
        for values, column in zip(zip(*part), data):
            column.extend(values)
    return pd.DataFrame(dict(zip(columns, data)), columns=columns)


def _date(value: Any) -> date | None:
    """SQLite hands back aggregates of dates as strings."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class year_month(FunctionElement):  # noqa: N801 - used like func.*
    """The month of a date as 'YYYY-MM' text, grouped on in SQL: strftime on SQLite, to_char
    on PostgreSQL (the format is literal SQL, so PostgreSQL sees the same expression in SELECT
    and GROUP BY)."""

    type = String()
    inherit_cache = True
    name = "year_month"


@compiles(year_month)
def _year_month_default(element: year_month, compiler: Any, **kw: Any) -> str:
    (day,) = element.clauses.clauses
    return compiler.process(func.to_char(day, literal_column("'YYYY-MM'")), **kw)


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: Any, **kw: Any) -> str:
    (day,) = element.clauses.clauses
    return compiler.process(func.strftime(literal_column("'%Y-%m'"), day), **kw)


def _exists(*where: Any) -> Any:
    """EXISTS (SELECT 1 ...): SQLite answers it from an index alone (SELECT * reads rows)."""
    return select(literal(1)).where(*where).exists()


# -- lookups shared by the filter bar and the charts -------------------------------------------

def user_names() -> dict[int, str]:
    """Every user's name by id (a small table): officers in charts and the officer filter."""
    return dict(db.session.execute(select(User.id, User.name)).all())


def department_names() -> dict[int, str]:
    return dict(db.session.execute(select(Department.id, Department.name)
                                   .order_by(Department.name)).all())


def company_countries() -> list[str]:
    """The countries companies are in, for the country filter."""
    return [c for c in db.session.scalars(
        select(Company.country).where(Company.country.is_not(None)).distinct()) if c]


def alumni_countries_list() -> list[str]:
    """The countries alumni work in, for the country filter of the alumni board."""
    return [c for c in db.session.scalars(
        select(Alumnus.country).where(Alumnus.country.is_not(None)).distinct()) if c]


# -- office overview ---------------------------------------------------------------------------

def encounter_days(start: date, end: date) -> Subquery:
    """(contact_id, user_id, day) of every encounter met between start and end, the day being
    met_on, or the event's first day when met_on is blank. Two index range scans
    (encounters.met_on; events.starts_on for the undated), where coalesce(met_on, starts_on)
    in a WHERE clause would read every encounter."""
    dated = (select(Encounter.contact_id.label("contact_id"), Encounter.user_id.label("user_id"),
                    Encounter.met_on.label("day"))
             .where(Encounter.met_on >= start, Encounter.met_on <= end))
    undated = (select(Encounter.contact_id, Encounter.user_id, Event.starts_on)
               .join(Event, Event.id == Encounter.event_id)
               .where(Encounter.met_on.is_(None), Event.starts_on >= start,
                      Event.starts_on <= end))
    return union_all(dated, undated).subquery()


def _contact_dates(start: date, end: date) -> Subquery:
    """(company, day) of every activity and encounter between start and end."""
    enc = encounter_days(start, end)
    return union_all(
        select(Activity.company_id.label("company_id"), Activity.occurred_on.label("day"))
        .where(Activity.occurred_on >= start, Activity.occurred_on <= end),
        select(Contact.company_id, enc.c.day)
        .join(Contact, Contact.id == enc.c.contact_id)
        .where(Contact.company_id.is_not(None)),
    ).subquery()


def engaged_companies(f: Filters) -> pd.DataFrame:
    """Companies with an activity or encounter this quarter (to date), the same part of last
    quarter, and all of last quarter; members and others. One query."""
    this_q = quarter_start(f.today)
    last_q = quarter_start(this_q - timedelta(days=1))
    same_day_last = last_q + (f.today - this_q)
    u = _contact_dates(last_q, f.today)
    flag = lambda cond: func.max(case((cond, 1), else_=0))  # noqa: E731
    per_company = select(
        u.c.company_id,
        flag(u.c.day >= this_q).label("this_q"),
        flag(u.c.day < this_q).label("last_q"),
        flag(and_(u.c.day < this_q, u.c.day <= same_day_last)).label("last_q_to_date"),
    ).group_by(u.c.company_id).subquery()
    member = case((Company.membership_tier.is_not(None), literal("member")),
                  else_=literal("other"))
    stmt = (select(member.label("segment"), func.sum(per_company.c.last_q),
                   func.sum(per_company.c.last_q_to_date), func.sum(per_company.c.this_q))
            .join(Company, Company.id == per_company.c.company_id)
            .group_by(member))
    stmt = _company_filters(stmt, f)
    df = _frame(stmt, ["segment", "last_q", "last_q_to_date", "this_q"])
    df.attrs.update(this_q=this_q, last_q=last_q, same_day_last=same_day_last)
    return df.fillna(0)


def _company_filters(stmt: Select, f: Filters) -> Select:
    if f.officer:
        stmt = stmt.where(Company.officer_id == f.officer)
    if f.country:
        stmt = stmt.where(Company.country == f.country)
    return stmt


def monthly_contacts(f: Filters) -> pd.DataFrame:
    """Activities and encounters per month and per officer (who logged them / met them), in
    the period, grouped by month in SQL. Two grouped queries."""
    month = year_month(Activity.occurred_on)
    acts = (select(month, Activity.user_id, func.count())
            .where(Activity.occurred_on >= f.start, Activity.occurred_on <= f.end)
            .group_by(month, Activity.user_id))
    if f.officer:
        acts = acts.where(Activity.user_id == f.officer)
    if f.country:
        acts = acts.join(Company, Company.id == Activity.company_id).where(
            Company.country == f.country)
    enc = encounter_days(f.start, f.end)
    emonth = year_month(enc.c.day)
    encs = select(emonth, enc.c.user_id, func.count()).group_by(emonth, enc.c.user_id)
    if f.officer:
        encs = encs.where(enc.c.user_id == f.officer)
    if f.country:
        encs = (encs.join(Contact, Contact.id == enc.c.contact_id)
                .join(Company, Company.id == Contact.company_id)
                .where(Company.country == f.country))
    cols = ["month", "user_id", "count"]
    a = _frame(acts, cols).assign(kind="activity")
    e = _frame(encs, cols).assign(kind="encounter")
    df = pd.concat([a, e], ignore_index=True)
    if df.empty:
        return pd.DataFrame(columns=["month", "user_id", "kind", "count"])
    return df[["month", "user_id", "kind", "count"]]


def months_between(start: date, end: date) -> list[str]:
    """Every month of the period as YYYY-MM, so empty months show as zero."""
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def renewals_due(f: Filters) -> pd.DataFrame:
    """Member companies whose renewal is overdue or due within RENEWAL_HORIZON days, by
    bucket and tier. One query."""
    due = Company.renewal_date
    t = f.today
    bucket = case(
        (due < t, literal("overdue")),
        (due <= t + timedelta(days=30), literal("0-30")),
        (due <= t + timedelta(days=60), literal("31-60")),
        else_=literal("61-90"))
    stmt = (select(bucket, Company.membership_tier, func.count())
            .where(Company.membership_tier.is_not(None), due.is_not(None),
                   due <= t + timedelta(days=RENEWAL_HORIZON))
            .group_by(bucket, Company.membership_tier))
    return _frame(_company_filters(stmt, f), ["bucket", "tier", "companies"])


def open_requests(f: Filters) -> pd.DataFrame:
    """Open data-entry requests by status and age bucket (days since sent). One query."""
    now = naive_utc()
    created = DataEntryRequest.created_at
    whens = []
    low = 0
    for high in REQUEST_AGE_BUCKETS:
        whens.append((created >= now - timedelta(days=high), literal(f"{low}-{high}")))
        low = high + 1
    bucket = case(*whens, else_=literal(f"{REQUEST_AGE_BUCKETS[-1] + 1}+"))
    stmt = (select(DataEntryRequest.status, bucket, func.count())
            .where(DataEntryRequest.status.in_(REQUEST_OPEN))
            .group_by(DataEntryRequest.status, bucket))
    return _frame(stmt, ["status", "age", "requests"])


def request_age_buckets() -> list[str]:
    out, low = [], 0
    for high in REQUEST_AGE_BUCKETS:
        out.append(f"{low}-{high}")
        low = high + 1
    return out + [f"{REQUEST_AGE_BUCKETS[-1] + 1}+"]


# -- portfolios --------------------------------------------------------------------------------

def officer_loads() -> pd.DataFrame:
    """Each officer's companies, member companies and departments (crm.liaison's loads())."""
    rows = [(ld.officer.id, ld.officer.name, ld.companies, ld.members, ld.departments, ld.band)
            for ld in liaison.loads()]
    return pd.DataFrame(rows, columns=["officer_id", "officer", "companies", "members",
                                       "departments", "band"])


def stale_companies(f: Filters) -> pd.DataFrame:
    """Per officer: companies never contacted, not contacted for liaison.STALE_DAYS days or
    more, and contacted more recently (last activity or encounter, as the portfolio page
    counts it). One query."""
    last_activity = (select(func.max(Activity.occurred_on))
                     .where(Activity.company_id == Company.id).scalar_subquery())
    last_encounter = (select(func.max(Encounter.met_on))
                      .join(Contact, Contact.id == Encounter.contact_id)
                      .where(Contact.company_id == Company.id).scalar_subquery())
    inner = select(Company.officer_id.label("officer_id"), last_activity.label("la"),
                   last_encounter.label("le")).where(Company.officer_id.is_not(None))
    inner = _company_filters(inner, f).subquery()
    last = case((inner.c.la.is_(None), inner.c.le), (inner.c.le.is_(None), inner.c.la),
                (inner.c.la > inner.c.le, inner.c.la), else_=inner.c.le)
    cutoff = f.today - timedelta(days=liaison.STALE_DAYS)
    bucket = case((last.is_(None), literal("never")), (last <= cutoff, literal("stale")),
                  else_=literal("recent"))
    stmt = (select(inner.c.officer_id, bucket, func.count())
            .group_by(inner.c.officer_id, bucket))
    return _frame(stmt, ["officer_id", "bucket", "companies"])


def uncovered(f: Filters) -> pd.DataFrame:
    """Departments nobody covers with their researchers and seeds (crm.liaison's
    uncovered_departments()), and researchers with no department at all. Two queries."""
    rows = [(d.id, d.name, r, s) for d, r, s in liaison.uncovered_departments()
            if not f.department or d.id == f.department]
    df = pd.DataFrame(rows, columns=["department_id", "department", "researchers", "seeds"])
    if not f.department:
        loose = db.session.execute(select(
            select(func.count(Researcher.id)).where(Researcher.department_id.is_(None))
            .scalar_subquery(),
            select(func.count(ResearchSeed.id)).where(ResearchSeed.department_id.is_(None))
            .scalar_subquery())).one()
        if loose[0] or loose[1]:
            df.loc[len(df)] = [None, None, int(loose[0]), int(loose[1])]
    return df


# -- events ------------------------------------------------------------------------------------

def event_outcomes(f: Filters) -> pd.DataFrame:
    """Per event in the period: people met, their companies, and how many of those companies
    had an activity and a collaboration after the meeting. One query."""
    met = func.coalesce(Encounter.met_on, Event.starts_on)
    pairs = (select(Encounter.event_id.label("event_id"), Contact.company_id.label("company_id"),
                    func.min(met).label("met"),
                    func.count(distinct(Encounter.contact_id)).label("contacts"))
             .join(Contact, Contact.id == Encounter.contact_id)
             .join(Event, Event.id == Encounter.event_id)
             .where(Event.starts_on >= f.start, Event.starts_on <= f.end)
             .group_by(Encounter.event_id, Contact.company_id))
    if f.officer:
        pairs = pairs.where(Encounter.user_id == f.officer)
    if f.country:
        pairs = pairs.join(Company, Company.id == Contact.company_id).where(
            Company.country == f.country)
    p = pairs.subquery()
    later_activity = _exists(Activity.company_id == p.c.company_id,
                             Activity.occurred_on > p.c.met)
    later_collab = _exists(Collaboration.company_id == p.c.company_id,
                           Collaboration.opened_on > p.c.met)
    counted = [func.sum(p.c.contacts), func.count(p.c.company_id),
               func.sum(case((later_activity, 1), else_=0)),
               func.sum(case((later_collab, 1), else_=0))]
    per_event = select(p.c.event_id, *counted).group_by(p.c.event_id).subquery()
    cols = per_event.c
    stmt = (select(Event.id, Event.name, Event.kind, Event.starts_on, *list(cols)[1:])
            .join(per_event, per_event.c.event_id == Event.id)
            .order_by(Event.starts_on.desc(), Event.id.desc()))
    names = ["event_id", "event", "kind", "starts_on", "contacts", "companies",
             "with_activity", "with_collaboration"]
    df = _frame(stmt, names)
    df["starts_on"] = df["starts_on"].map(_date)
    for c in names[4:]:
        df[c] = df[c].fillna(0).astype(int)
    return df


# -- alumni and donations ----------------------------------------------------------------------

def donations(f: Filters) -> pd.DataFrame:
    """Donations received in the period by year, donor origin (domestic / foreign / unknown),
    donor country, purpose and currency: sums and counts. One grouped query."""
    donor_country = func.coalesce(Company.country, Alumnus.country)
    origin = case((donor_country.is_(None), literal("unknown")),
                  (donor_country == HOME, literal("domestic")), else_=literal("foreign"))
    year = extract("year", Donation.received_on)
    stmt = (select(year, origin, donor_country, Donation.purpose, Donation.currency,
                   func.sum(Donation.amount), func.count())
            .outerjoin(Company, Company.id == Donation.company_id)
            .outerjoin(Alumnus, Alumnus.id == Donation.alumnus_id)
            .where(Donation.received_on >= f.start, Donation.received_on <= f.end)
            .group_by(year, origin, donor_country, Donation.purpose, Donation.currency))
    if f.country:
        stmt = stmt.where(donor_country == f.country)
    df = _frame(stmt, ["year", "origin", "country", "purpose", "currency", "amount",
                       "donations"])
    df["year"] = df["year"].astype(int)
    df["amount"] = df["amount"].astype(float)
    return df


def _alumni_filters(stmt: Select, f: Filters) -> Select:
    if f.department:
        stmt = stmt.where(Alumnus.department_id == f.department)
    if f.country:
        stmt = stmt.where(Alumnus.country == f.country)
    return stmt


#: Employers shown on the alumni-by-employer chart.
TOP_EMPLOYERS = 15


def _alumni_per_employer(f: Filters) -> Subquery:
    """Alumni counted per employer (NULL: employer unknown), from the employer index alone when
    no filter applies; companies are joined to the few grouped rows, not to every alumnus."""
    stmt = (select(Alumnus.employer_id.label("employer_id"), func.count().label("alumni"))
            .group_by(Alumnus.employer_id))
    return _alumni_filters(stmt, f).subquery()


def alumni_employers(f: Filters) -> pd.DataFrame:
    """The employers of the most alumni (TOP_EMPLOYERS), with their membership. One query."""
    per = _alumni_per_employer(f)
    stmt = (select(Company.id, Company.name, Company.membership_tier, per.c.alumni)
            .join(Company, Company.id == per.c.employer_id)
            .order_by(per.c.alumni.desc(), Company.name).limit(TOP_EMPLOYERS))
    return _frame(stmt, ["company_id", "company", "tier", "alumni"])


def alumni_countries(f: Filters) -> pd.DataFrame:
    """Alumni by the country they work in. One query."""
    stmt = select(Alumnus.country, func.count(Alumnus.id)).group_by(Alumnus.country)
    return _frame(_alumni_filters(stmt, f), ["country", "alumni"])


def alumni_at_members(f: Filters) -> pd.DataFrame:
    """Alumni by their employer's membership: each tier, non-member, employer unknown.
    One query."""
    per = _alumni_per_employer(f)
    group = case((per.c.employer_id.is_(None), literal("unknown")),
                 (Company.membership_tier.is_(None), literal("none")),
                 else_=Company.membership_tier)
    stmt = (select(group, func.sum(per.c.alumni))
            .outerjoin(Company, Company.id == per.c.employer_id)
            .group_by(group))
    return _frame(stmt, ["membership", "alumni"])


# -- seeds -------------------------------------------------------------------------------------

_SPLIT = re.compile(r"[,、，;；\n]+")
#: Keywords shorter than this (after folding) are too common to count as a match.
MIN_KEYWORD = 2


def seed_matches(f: Filters) -> pd.DataFrame:
    """Per group of seeds that share their keywords and department: how many companies'
    interests (企業ニーズ) mention at least one of those keywords (width and case folded).

    The proxy for "companies that match": the search index's matcher scores one text at a
    time (tens of milliseconds per seed), far too slow for every seed of a large office on
    each page view; a keyword named in a company's interests is the same signal, computed for
    all seeds from two grouped queries (seed keywords, company interests) by InterestIndex.
    """
    seeds = (select(ResearchSeed.keywords, ResearchSeed.department_id,
                    func.count(ResearchSeed.id), func.min(ResearchSeed.id),
                    func.min(ResearchSeed.title))
             .group_by(ResearchSeed.keywords, ResearchSeed.department_id))
    if f.department:
        seeds = seeds.where(ResearchSeed.department_id == f.department)
    s = _frame(seeds, ["keywords", "department_id", "seeds", "seed_id", "title"])
    interests = (select(Company.interests, func.count())
                 .where(Company.interests.is_not(None), Company.interests != "")
                 .group_by(Company.interests))
    if f.country:
        interests = interests.where(Company.country == f.country)
    if f.officer:
        interests = interests.where(Company.officer_id == f.officer)
    c = _frame(interests, ["interests", "companies"])
    index = InterestIndex(c["interests"].tolist(), c["companies"].astype(int).tolist())
    by_keywords: dict[str | None, int] = {}
    counts = []
    for kw in s["keywords"].tolist():
        if kw not in by_keywords:
            by_keywords[kw] = index.companies(keyword_set(kw))
        counts.append(by_keywords[kw])
    s["companies"] = pd.Series(counts, index=s.index, dtype="int64")
    return s


def keyword_set(keywords: str | None) -> frozenset[str]:
    """A seed's keywords, folded, without those too short to mean anything."""
    words = (w.strip() for w in _SPLIT.split(fold_case(keywords)))
    return frozenset(w for w in words if len(w) >= MIN_KEYWORD)


class InterestIndex:
    """Which companies' interests name a word, for many words at once.

    A keyword never spans a line break (keywords are split at line breaks), so each distinct
    line of the interests is folded and searched once, however many companies share it: a
    word is looked for in all distinct lines joined into one string (a C-speed scan), the hits
    map back to lines, lines to interest texts, texts to companies. Each word's companies are
    kept as a bit set (one bit per company), so a seed's companies - those naming any of its
    keywords - are the union of its words' sets, counted with int.bit_count().
    """

    def __init__(self, texts: list[str], companies: list[int]) -> None:
        line_ids: dict[str, int] = {}
        owner: list[int] = []  # for each (text, line) pair: the text ...
        line_of: list[int] = []  # ... and the line
        for i, text in enumerate(texts):
            for line in set(text.split("\n")):
                owner.append(i)
                line_of.append(line_ids.setdefault(line, len(line_ids)))
        self._owner = np.asarray(owner, dtype=np.int64)
        self._line_of = np.asarray(line_of, dtype=np.int64)
        self._texts = len(texts)
        self._weights = np.asarray(companies, dtype=np.int64)
        # NFKC and casefold never make or remove a line break: fold all lines in one call.
        lines = fold_case("\n".join(line_ids)).split("\n") if line_ids else []
        self._big = "\n".join(lines)
        self._starts = np.cumsum([0] + [len(t) + 1 for t in lines[:-1]]) if lines \
            else np.zeros(0, dtype=np.int64)
        self._lines = len(lines)
        self._words: dict[str, int] = {}
        self._sets: dict[frozenset[str], int] = {}

    def _word(self, word: str) -> int:
        """The companies naming `word`, as a bit set."""
        if word not in self._words:
            at = np.fromiter((m.start() for m in re.finditer(re.escape(word), self._big)),
                             dtype=np.int64)
            bits = 0
            if len(at):
                line_hit = np.zeros(self._lines, dtype=bool)
                line_hit[np.searchsorted(self._starts, at, side="right") - 1] = True
                text_hit = np.zeros(self._texts, dtype=bool)
                text_hit[self._owner[line_hit[self._line_of]]] = True
                company_hit = np.repeat(text_hit, self._weights)
                bits = int.from_bytes(np.packbits(company_hit).tobytes(), "big")
            self._words[word] = bits
        return self._words[word]

    def companies(self, words: frozenset[str]) -> int:
        """How many companies name at least one of the words."""
        if words not in self._sets:
            bits = 0
            for word in words:
                bits |= self._word(word)
            self._sets[words] = bits.bit_count()
        return self._sets[words]
