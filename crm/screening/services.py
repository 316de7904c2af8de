"""Export-control screening: import lists, screen companies and names, record decisions.

Services validate and flush; they never commit (the request or `unit_of_work` does).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import selectinload

from crm.common.services import ValidationError
from crm.common.text import person_name
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.extensions import db, utcnow
from crm.screening import evidence, kinds
from crm.screening import names as nm
from crm.screening.models import (DECISION_STATUS, DECISIONS, LIST_KINDS, Decision, Hit,
                                  ListEntry, Screening, ScreeningList)
from crm.common.time import office_today
from importers.screening import ScreeningFileError, file_date, parse

#: What a company's screening state may be (labels in kinds.py).
CLEARANCES = tuple(kinds.CLEARANCES)
REVIEW_KIND = kinds.REVIEW_KIND

#: Score at or above which a candidate is raised (CRM_SCREENING_THRESHOLD overrides). Chosen on
#: bench/screening_quality.py: recall 60/61 on the typed-name set and 53/55 on the multi-script
#: set, 2 of 30 clean look-alikes, 5 of the 11,188 EDINET filers raised (0.045 %). A candidate
#: whose name reaches it but whose evidence puts it under (a different country, a different
#: corporate number, a weak one-word name) is kept as a *possible match*: shown, not raised.
DEFAULT_THRESHOLD = 0.86

list_labels = kinds.list_labels


def threshold() -> float:
    """CRM_SCREENING_THRESHOLD (crm/config.py reads it from the environment), else the default."""
    value = current_app.config.get("CRM_SCREENING_THRESHOLD")
    return DEFAULT_THRESHOLD if value is None else float(value)


def review_hit(name: str, *, subject_key: str, subject_fp: str,
               contact_id: int | None = None) -> Hit:
    """The open 'needs review' hit for a name the matcher cannot read (never a silent clear)."""
    return Hit(**_review_values(name, subject_key=subject_key, subject_fp=subject_fp,
                                contact_id=contact_id))


# --- lists ------------------------------------------------------------------------------------------

def current_lists() -> list[ScreeningList]:
    return list(db.session.execute(
        select(ScreeningList).where(ScreeningList.current.is_(True))
        .order_by(ScreeningList.kind)).scalars())


@dataclass
class ImportResult:
    list: ScreeningList
    replaced: ScreeningList | None
    notes: list[str]
    rescreened: int


def _id(by: Any) -> int | None:
    """The acting user's id (None: the command line, a test)."""
    return by.id if by is not None else None


def import_list(kind: str, data: bytes, filename: str = "", *, version: str | None = None,
                by: Any = None, rescreen: bool = True) -> ImportResult:
    """Read a list file and make it the current version of its kind: the previous version's
    entries are replaced (its row is kept for the record), then every company is re-screened.
    `by`: the user importing it (None from the command line)."""
    if kind not in LIST_KINDS:
        raise ValidationError({"kind": _("Unknown list kind %(kind)s.", kind=kind)})
    version = (version or "").strip()
    if len(version) > 100:
        raise ValidationError({"version": _("The version is longer than 100 characters.")})
    try:
        parsed = parse(kind, data, filename)
    except ScreeningFileError as err:
        raise ValidationError({"file": str(err)}) from None
    sha = hashlib.sha256(data).hexdigest()
    previous = db.session.execute(
        select(ScreeningList).where(ScreeningList.kind == kind, ScreeningList.current.is_(True))
    ).scalar_one_or_none()
    if previous is not None and previous.file_sha256 == sha and (
            not version or version == previous.version):
        raise ValidationError({"file": _(
            "This file is already the current %(kind)s list (version %(version)s); nothing "
            "was imported.", kind=kind, version=previous.version)})
    published = parsed.published_on or file_date(version)
    new = ScreeningList(
        kind=kind, version=version or (published or office_today()).isoformat(),
        published_on=published, source_filename=(filename or "")[-300:] or None,
        file_sha256=sha, imported_at=utcnow(), imported_by_id=_id(by),
        entry_count=len(parsed.entries), current=True)
    # Old versions keep their row (past screenings name them); their entries make way.
    old_ids = list(db.session.execute(
        select(ScreeningList.id).where(ScreeningList.kind == kind)).scalars())
    if old_ids:
        db.session.execute(delete(ListEntry).where(ListEntry.list_id.in_(old_ids)))
        db.session.execute(update(ScreeningList).where(ScreeningList.id.in_(old_ids))
                           .values(current=False))
        db.session.expire_all()
    db.session.add(new)
    db.session.flush()
    rows = []
    for e in parsed.entries:
        all_names = [e.name] + e.aliases
        folded = list(dict.fromkeys(k for n in all_names for k in nm.keys(n)))
        rows.append({
            "list_id": new.id, "entry_key": e.entry_id[:100], "name": e.name[:500],
            "aliases": "\n".join(e.aliases) or None, "entry_type": e.entry_type,
            "countries": "\n".join(e.countries) or None, "programs": e.programs or None,
            "remarks": e.remarks or None, "folded_keys": "\n".join(folded),
            "fingerprint": nm.fingerprint(*all_names),
        })
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(ListEntry), rows[start:start + 2000])
    _MATCHER.clear()
    count = rescreen_all(trigger="list import", by=by) if rescreen else 0
    return ImportResult(new, previous, parsed.notes, count)


# --- the matcher over the current lists ------------------------------------------------------------

_MATCHER: dict[tuple, tuple[nm.Matcher, dict[int, dict]]] = {}


def matcher() -> tuple[nm.Matcher | None, list[ScreeningList]]:
    """The matcher for the current lists, built once per set of list versions (per process)."""
    lists = current_lists()
    if not lists:
        return None, []
    # ids alone may come back after a database is emptied: the file and time make it unique
    signature = tuple(sorted((lst.id, lst.file_sha256 or "", str(lst.imported_at))
                             for lst in lists))
    cached = _MATCHER.get(signature)
    if cached is None:
        by_id = {lst.id: lst for lst in lists}
        rows = db.session.execute(
            select(ListEntry.id, ListEntry.list_id, ListEntry.entry_key, ListEntry.name,
                   ListEntry.aliases, ListEntry.entry_type, ListEntry.countries,
                   ListEntry.programs, ListEntry.remarks, ListEntry.fingerprint)
            .where(ListEntry.list_id.in_(by_id)).order_by(ListEntry.id)).all()
        entries = []
        for r in rows:
            names = [r.name] + [a for a in (r.aliases or "").splitlines() if a]
            countries = [c for c in (r.countries or "").splitlines() if c]
            ref = {"entry_pk": r.id, "list_id": r.list_id, "kind": by_id[r.list_id].kind,
                   "version": by_id[r.list_id].version, "entry_key": r.entry_key,
                   "name": r.name, "names": names, "type": r.entry_type,
                   "countries": countries, "programs": r.programs or "",
                   "fingerprint": r.fingerprint}
            kind = by_id[r.list_id].kind
            entries.append(nm.Entry(
                ref=ref, names=names, entry_type=r.entry_type,
                countries=evidence.entry_countries(names, countries, r.remarks, r.entry_type),
                jp_numbers=frozenset(evidence.jp_numbers(r.remarks)),
                outside=evidence.OUTSIDE.get(kind)))
        _MATCHER.clear()
        cached = _MATCHER[signature] = (nm.Matcher(entries), {})
    return cached[0], lists


def _versions(lists: list[ScreeningList]) -> list[dict[str, Any]]:
    return [{"list_id": lst.id, "kind": lst.kind, "version": lst.version,
             "entries": lst.entry_count} for lst in lists]


# --- screening ---------------------------------------------------------------------------------------

def raised(hit: Hit, limit: float) -> bool:
    """A hit that stops the company being clear until decided: a name the matcher cannot read,
    a candidate scoring at or above the threshold its screening used, or one an officer escalated
    or blocked. An open hit under the threshold is a *possible match*: shown to the officer (an
    exact name downgraded by its evidence), decided if they wish, but not waited for."""
    return (hit.status in ("escalated", "blocked") or hit.list_kind == REVIEW_KIND
            or hit.score >= limit - 1e-9)


def waiting(hit: Hit, limit: float) -> bool:
    """An undecided (or escalated) hit that is raised: the company is not clear."""
    return hit.status == "escalated" or (hit.status == "open" and raised(hit, limit))


def possible(hit: Hit, limit: float) -> bool:
    """An undecided candidate under the threshold (its evidence put it there)."""
    return hit.status == "open" and not raised(hit, limit)


@dataclass(frozen=True)
class CompanyNames:
    """What screening reads of a company (a row, or the Company itself: same attributes)."""
    id: int
    name: str
    name_en: str | None
    name_reading: str | None
    aliases: str | None
    country: str | None
    corporate_number: str | None
    hq_country: str | None = None

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in (self.aliases or "").splitlines() if a.strip()]


@dataclass(frozen=True)
class ContactNames:
    """What screening reads of a contact (a row, or the Contact itself)."""
    id: int
    family_name: str
    given_name: str | None
    family_name_reading: str | None
    given_name_reading: str | None

    @property
    def display_name(self) -> str:
        return person_name(self.family_name, self.given_name)

    @property
    def reading(self) -> str:
        return " ".join(p for p in (self.family_name_reading, self.given_name_reading) if p)


def _company_names(company: Company | CompanyNames) -> list[str]:
    return [n for n in [company.name, company.name_en, company.name_reading,
                        *company.alias_list] if n]


def _contact_names(contact: Contact | ContactNames) -> list[str]:
    return [n for n in (contact.display_name, contact.reading,
                        f"{contact.family_name} {contact.given_name or ''}".strip()) if n]


def subject_fingerprint(company: Company | CompanyNames,
                        contacts: list[Contact] | list[ContactNames]) -> str:
    """What a screening of this company covered: its names, country and contacts' names."""
    parts: list[str] = [*_company_names(company), f"country:{company.country}"]
    hq = getattr(company, "hq_country", None)
    if hq and hq != company.country:  # its evidence counts (Screener.plan)
        parts.append(f"hq:{hq}")
    for c in contacts:
        parts += [f"contact:{c.id}", *_contact_names(c)]
    return nm.fingerprint(*parts)


@dataclass(frozen=True)
class Remembered:
    """A decided hit of an earlier screening, as far as carrying its decision over needs."""
    status: str
    entry_fingerprint: str
    subject_fingerprint: str
    decision_id: int | None


def _memory(company_ids: list[int]) -> dict[tuple, Remembered]:
    """The latest decided (not open) hit per (company, subject, list kind, entry)."""
    if not company_ids:
        return {}
    latest = (select(Decision.hit_id, func.max(Decision.id).label("did"))
              .group_by(Decision.hit_id).subquery())
    rows = db.session.execute(
        select(Screening.company_id, Hit.subject_key, Hit.list_kind, Hit.entry_key, Hit.status,
               Hit.entry_fingerprint, Hit.subject_fingerprint, Hit.carried_from_id,
               latest.c.did)
        .join(Screening, Hit.screening_id == Screening.id)
        .outerjoin(latest, latest.c.hit_id == Hit.id)
        .where(Screening.company_id.in_(company_ids), Hit.status != "open")
        .order_by(Hit.id)).all()
    return {(r.company_id, r.subject_key, r.list_kind, r.entry_key): Remembered(
        r.status, r.entry_fingerprint, r.subject_fingerprint, r.carried_from_id or r.did)
        for r in rows}


class Screener:
    """One prepared screening run: the matcher, the lists, the threshold and a cache of the
    searches already made (the same contact name in two companies of one country is searched
    once). `plan()` gives the rows a company's screening writes; the page's one company and
    `crm screen --all` both go through it, so they decide alike."""

    def __init__(self, m: nm.Matcher, lists: list[ScreeningList], limit: float, *,
                 trigger: str, by: Any, cache_size: int = 50_000):
        self.m, self.lists, self.limit = m, lists, limit
        self.trigger, self.by_id = trigger, _id(by)
        self.versions = _versions(lists)
        self.cache: dict[tuple, list[nm.Candidate]] = {}
        self.cache_size = cache_size

    def _search(self, names: list[str], country: str | None, person: bool,
                number: str | None, also_in: frozenset[str]) -> list[nm.Candidate]:
        key = (tuple(names), country, person, number, also_in)
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= self.cache_size:
                self.cache.clear()  # bounded memory: start again rather than grow
            found = self.cache[key] = self.m.search(
                names, country=country, person=person, threshold=self.limit,
                corporate_number=number, also_in=also_in)
        return found

    def plan(self, company: Company | CompanyNames,
             contacts: list[Contact] | list[ContactNames],
             memory: dict[tuple, Remembered]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """(screening values, hit values) of one company with its contacts."""
        subjects: list[tuple[str, Any, list[str], bool]] = [
            ("company", None, _company_names(company), False)]
        subjects += [(f"contact:{c.id}", c, _contact_names(c), True) for c in contacts]
        hits: list[dict[str, Any]] = []
        # the group's headquarters is a country the company is linked to as well
        also_in = frozenset({company.hq_country} - {None, "", company.country})
        for key, contact, names, person in subjects:
            fp = nm.fingerprint(*names, f"country:{company.country}")
            contact_id = contact.id if contact is not None else None
            for n in dict.fromkeys(names):
                if nm.unreadable(n):
                    hits.append(_review_values(n, subject_key=key, subject_fp=fp,
                                               contact_id=contact_id))
            for cand in self._search(names, company.country, person,
                                     None if person else company.corporate_number, also_in):
                ref = cand.ref
                hits.append({
                    "list_id": ref["list_id"], "list_kind": ref["kind"],
                    "list_version": ref["version"], "entry_key": ref["entry_key"],
                    "entry_name": ref["name"][:500],
                    "entry_snapshot": _snapshot(ref, cand),
                    "entry_fingerprint": ref["fingerprint"], "subject_key": key,
                    "subject_fingerprint": fp, "contact_id": contact_id,
                    "query_name": cand.query_name[:300], "matched_name": cand.matched_name[:500],
                    "score": cand.score, "status": "open", "carried_from_id": None})
        for hit in hits:
            before = memory.get((company.id, hit["subject_key"], hit["list_kind"],
                                 hit["entry_key"]))
            if (before is not None and before.entry_fingerprint == hit["entry_fingerprint"]
                    and before.subject_fingerprint == hit["subject_fingerprint"]):
                hit["status"] = before.status  # remembered: cleared stays cleared, blocked blocked
                hit["carried_from_id"] = before.decision_id
        result = "hits" if any(
            h["status"] in ("escalated", "blocked") or (
                h["status"] == "open" and (h["list_kind"] == REVIEW_KIND
                                           or h["score"] >= self.limit - 1e-9))
            for h in hits) else "clear"
        screening = {"company_id": company.id, "subject_name": company.name[:300],
                     "country": company.country, "screened_at": utcnow(),
                     "screened_by_id": self.by_id, "trigger": self.trigger,
                     "list_versions": self.versions,
                     "subject_fingerprint": subject_fingerprint(company, contacts),
                     "threshold": self.limit, "result": result}
        return screening, hits


def _snapshot(ref: dict, cand: nm.Candidate) -> dict[str, Any]:
    """The entry as the hit keeps it, with the evidence that qualified its score."""
    return {"names": ref["names"], "type": ref["type"], "countries": ref["countries"],
            "programs": ref["programs"], "linked_countries": sorted(cand.entry.countries),
            "name_score": cand.name_score, "reasons": list(cand.reasons)}


def _review_values(name: str, *, subject_key: str, subject_fp: str,
                   contact_id: int | None = None) -> dict[str, Any]:
    raw = nm.nfkc(name).strip()
    return {"list_id": None, "list_kind": REVIEW_KIND, "list_version": "-",
            "entry_key": "unreadable-name", "entry_name": raw[:500],
            "entry_snapshot": {"names": [raw], "type": None, "countries": [], "programs": ""},
            "entry_fingerprint": hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16],
            "subject_key": subject_key, "subject_fingerprint": subject_fp,
            "contact_id": contact_id, "query_name": raw[:300], "matched_name": "",
            "score": 0.0, "status": "open", "carried_from_id": None}


def _refuse_without_lists() -> None:
    raise ValidationError({"lists": _(
        "No screening list has been imported yet: import the lists first "
        "(crm lists import KIND FILE, or the form on the screening page).")})


def screener(*, trigger: str, by: Any) -> Screener:
    m, lists = matcher()
    if m is None:
        _refuse_without_lists()
    return Screener(m, lists, threshold(), trigger=trigger, by=by)


def screen_company(company: Company, *, by: Any = None, trigger: str = "web") -> Screening:
    run = screener(trigger=trigger, by=by)
    contacts = list(db.session.execute(
        select(Contact).where(Contact.company_id == company.id).order_by(Contact.id)).scalars())
    values, hits = run.plan(company, contacts, _memory([company.id]))
    screening = Screening(**values)
    screening.hits = [Hit(**h) for h in hits]
    db.session.add(screening)
    db.session.flush()
    return screening


_COMPANY_COLUMNS = (Company.id, Company.name, Company.name_en, Company.name_reading,
                    Company.aliases, Company.country, Company.corporate_number,
                    Company.hq_country)
_CONTACT_COLUMNS = (Contact.company_id, Contact.id, Contact.family_name, Contact.given_name,
                    Contact.family_name_reading, Contact.given_name_reading)


def rescreen_all(*, trigger: str = "cli", by: Any = None, batch: int = 1000,
                 commit_each: bool = False,
                 on_batch: Callable[[list[tuple[dict, list[dict]]]], None] | None = None) -> int:
    """Screen every company (and its contacts) against the current lists. One prepared matcher
    for the whole run; companies, contacts and earlier decisions are read a batch at a time as
    plain rows; screenings and hits are written with one multi-row insert per batch. With
    `commit_each` (the CLI) each batch is committed, so memory stays bounded and a long run
    keeps what it did; otherwise the caller's unit of work commits. `on_batch` gets each
    batch's (screening values, hit values), e.g. for the CLI's report."""
    if not current_lists():
        return 0
    run = screener(trigger=trigger, by=by)
    last, count = 0, 0
    while True:
        companies = [CompanyNames(*r) for r in db.session.execute(
            select(*_COMPANY_COLUMNS).where(Company.id > last).order_by(Company.id)
            .limit(batch)).all()]
        if not companies:
            break
        ids = [c.id for c in companies]
        last = ids[-1]
        contacts: dict[int, list[ContactNames]] = {}
        for r in db.session.execute(select(*_CONTACT_COLUMNS)
                                    .where(Contact.company_id.in_(ids)).order_by(Contact.id)):
            contacts.setdefault(r[0], []).append(ContactNames(*r[1:]))
        memory = _memory(ids)
        plans = [run.plan(c, contacts.get(c.id, []), memory) for c in companies]
        new_ids = db.session.execute(
            insert(Screening).returning(Screening.id, sort_by_parameter_order=True),
            [values for values, _ in plans]).scalars().all()
        hit_rows = [{**h, "screening_id": sid} for sid, (_, hits) in zip(new_ids, plans)
                    for h in hits]
        if hit_rows:
            db.session.execute(insert(Hit), hit_rows)
        count += len(companies)
        if commit_each:
            db.session.commit()
        if on_batch:
            on_batch(plans)
    return count


def screen_name(name: str, *, country: str | None = None, by: Any = None,
                trigger: str = "web", record: bool = True) -> Screening:
    """Screen a typed name (a person or an organisation) against every current list."""
    name = nm.nfkc(name).strip()
    errors = {}
    if not name:
        errors["name"] = _("Type a name to screen.")
    elif len(name) > 300:
        errors["name"] = _("The name is longer than 300 characters.")
    country = nm.nfkc(country).strip().upper() or None
    if country and (len(country) != 2 or not country.isalpha()):
        errors["country"] = _("Give the country as a two-letter code (JP, CN, US ...).")
    if errors:
        raise ValidationError(errors)
    m, lists = matcher()
    if m is None:
        _refuse_without_lists()
    screening = Screening(company_id=None, subject_name=name, country=country,
                          screened_at=utcnow(), screened_by_id=_id(by), trigger=trigger,
                          list_versions=_versions(lists), threshold=threshold())
    hits = []
    if nm.unreadable(name):
        hits.append(review_hit(name, subject_key="name", subject_fp=nm.fingerprint(name)))
    for cand in m.search([name], country=country, person=False, threshold=threshold()) + \
            m.search([name], country=country, person=True, threshold=threshold()):
        ref = cand.ref
        hits.append(Hit(list_id=ref["list_id"], list_kind=ref["kind"],
                        list_version=ref["version"], entry_key=ref["entry_key"],
                        entry_name=ref["name"][:500], entry_snapshot=_snapshot(ref, cand),
                        entry_fingerprint=ref["fingerprint"], subject_key="name",
                        subject_fingerprint=nm.fingerprint(name), query_name=name[:300],
                        matched_name=cand.matched_name[:500], score=cand.score,
                        status="open"))
    seen: set[tuple] = set()
    unique = []
    for h in sorted(hits, key=lambda h: -h.score):
        if (h.list_kind, h.entry_key) not in seen:
            seen.add((h.list_kind, h.entry_key))
            unique.append(h)
    screening.hits = unique
    screening.result = "hits" if any(raised(h, screening.threshold) for h in unique) else "clear"
    if record:
        db.session.add(screening)
        db.session.flush()
    return screening


# --- decisions and state -----------------------------------------------------------------------------

def latest_screening(company_id: int) -> Screening | None:
    return db.session.execute(
        select(Screening).where(Screening.company_id == company_id)
        .order_by(Screening.id.desc()).limit(1)
        .options(selectinload(Screening.hits).selectinload(Hit.decisions))
    ).scalar_one_or_none()


def decide(hit: Hit, decision: str, note: str, *, by: Any) -> Decision:
    """Record an officer's decision on a hit of a company's latest screening."""
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = _("Choose clear, escalate or block.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Write why: the note is the record of the decision.")
    screening = hit.screening
    if screening.company_id is None:
        errors["decision"] = _("Decisions are recorded on a company's screening, not on a "
                               "typed name.")
    else:
        latest = db.session.scalar(select(func.max(Screening.id))
                                   .where(Screening.company_id == screening.company_id))
        if latest != screening.id:
            errors["decision"] = _("This hit belongs to an older screening; decide on the "
                                   "latest one.")
    if errors:
        raise ValidationError(errors)
    record = Decision(hit=hit, decision=decision, note=note, decided_by_id=_id(by),
                      decided_at=utcnow())
    db.session.add(record)
    hit.status = DECISION_STATUS[decision]
    hit.carried_from_id = None
    screening.result = "hits" if any(h.status == "blocked" or waiting(h, screening.threshold)
                                     for h in screening.hits) else "clear"
    db.session.flush()
    return record


def clearance_of(screening: Screening | None, company: Company | None = None,
                 lists: list[ScreeningList] | None = None) -> str:
    """The clearance a screening gives, given the current lists and the company as it is."""
    lists = current_lists() if lists is None else lists
    if screening is None or not lists:
        return "unscreened"
    used = {v.get("list_id") for v in screening.list_versions or []}
    if used != {lst.id for lst in lists}:
        return "unscreened"
    if company is not None:
        contacts = list(db.session.execute(
            select(Contact).where(Contact.company_id == company.id).order_by(Contact.id)
        ).scalars())
        if screening.subject_fingerprint != subject_fingerprint(company, contacts):
            return "unscreened"
    statuses = {h.status for h in screening.hits}
    if "blocked" in statuses:
        return "blocked"
    kinds_waiting = {h.list_kind for h in screening.hits if waiting(h, screening.threshold)}
    if kinds_waiting - {REVIEW_KIND}:
        return "open"
    if kinds_waiting:
        return "review"
    return "clear"


def company_clearance(company_id: int) -> str:
    """'clear' when the company (and its contacts) were screened against every current list and
    no hit is open or blocking (cleared false positives don't count); 'open' when a candidate hit
    awaits a decision (or was escalated); 'review' when the only thing waiting is a name the
    matcher cannot read; 'blocked' when an officer blocked it; 'unscreened' when
    never screened, or a list (or the company's names or contacts) changed since."""
    company = db.session.get(Company, company_id)
    if company is None:
        return "unscreened"
    return clearance_of(latest_screening(company_id), company)


def companies_needing_attention(limit: int = 200) -> list[tuple[Company, Screening, int, int]]:
    """Companies whose latest screening has raised open/escalated or blocked hits (possible
    matches under the threshold aside): (company, screening, open count, blocked count)."""
    latest = (select(func.max(Screening.id).label("sid"))
              .where(Screening.company_id.is_not(None))
              .group_by(Screening.company_id).subquery())
    raised_open = (Hit.status == "escalated") | ((Hit.status == "open") & (
        (Hit.list_kind == REVIEW_KIND) | (Hit.score >= Screening.threshold - 1e-9)))
    rows = db.session.execute(
        select(Screening, Company,
               func.sum(func.cast(raised_open, db.Integer)),
               func.sum(func.cast(Hit.status == "blocked", db.Integer)))
        .join(latest, latest.c.sid == Screening.id)
        .join(Company, Company.id == Screening.company_id)
        .join(Hit, Hit.screening_id == Screening.id)
        .where(raised_open | (Hit.status == "blocked"))
        .group_by(Screening.id, Company.id)
        .order_by(func.sum(func.cast(Hit.status == "blocked", db.Integer)).desc(),
                  Company.sort_name)
        .limit(limit)).all()
    return [(company, screening, int(n_open or 0), int(n_blocked or 0))
            for screening, company, n_open, n_blocked in rows]


def hits_json(hits: list[Hit]) -> list[dict[str, Any]]:
    """The CLI's --json shape of hits (with the evidence that qualified the score)."""
    out = []
    for h in hits:
        snap = h.entry_snapshot or {}
        item: dict[str, Any] = {"list": h.list_kind, "entry_id": h.entry_key,
                                "name": h.entry_name, "score": round(h.score, 3)}
        if h.list_kind == REVIEW_KIND:
            item["review"] = True
        if snap.get("reasons"):
            item["name_score"] = snap.get("name_score")
            item["reasons"] = snap["reasons"]
        out.append(item)
    return out
