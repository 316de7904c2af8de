"""Export-control screening: import lists, screen companies and names, record decisions.

Services validate and flush; they never commit (the request or `unit_of_work` does).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import selectinload

from crm.common.services import ValidationError
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.extensions import db, utcnow
from crm.screening import names as nm
from crm.screening.models import (DECISION_STATUS, DECISIONS, LIST_KINDS, Decision, Hit,
                                  ListEntry, Screening, ScreeningList)
from crm.common.time import office_today
from importers.screening import ScreeningFileError, file_date, parse

#: What a company's screening state may be. 'review': a name of the company or of a contact
#: cannot be read by the matcher (folds to nothing, a script no transform reads): a person must
#: look at it and record a decision, as on a hit; it is never 'clear' until then.
CLEARANCES = ("unscreened", "clear", "review", "open", "blocked")

#: list_kind of the hit that stands for a name the matcher cannot read.
REVIEW_KIND = "review"

#: Score at or above which a candidate is raised (CRM_SCREENING_THRESHOLD overrides). Chosen on
#: bench/screening_quality.py: recall 59/61 (96.7 %) on the typed-name set, 24 of 3,902 listed
#: Japanese companies flagged (0.62 %); see the README section for the other thresholds.
DEFAULT_THRESHOLD = 0.86

def N_(message: str) -> str:
    """Mark a list name for `make translations`; pages translate it (list_labels), the CLI
    prints it in English."""
    return message


LIST_LABELS = {"csl": N_("US Consolidated Screening List"), "sdn": N_("OFAC SDN"),
               "dpl": N_("BIS Denied Persons List"),
               "un": N_("UN Security Council consolidated list"),
               "meti-eul": N_("METI End User List"),
               REVIEW_KIND: N_("Needs review: the matcher cannot read this name")}


def list_labels() -> dict[str, str]:
    """The list names in the user's language."""
    return {kind: _(label) for kind, label in LIST_LABELS.items()}


def threshold() -> float:
    """CRM_SCREENING_THRESHOLD (crm/config.py reads it from the environment), else the default."""
    value = current_app.config.get("CRM_SCREENING_THRESHOLD")
    return DEFAULT_THRESHOLD if value is None else float(value)


def review_hit(name: str, *, subject_key: str, subject_fp: str,
               contact_id: int | None = None) -> Hit:
    """The open 'needs review' hit for a name the matcher cannot read (never a silent clear)."""
    raw = nm.nfkc(name).strip()
    return Hit(list_id=None, list_kind=REVIEW_KIND, list_version="-",
               entry_key="unreadable-name", entry_name=raw[:500],
               entry_snapshot={"names": [raw], "type": None, "countries": [], "programs": ""},
               entry_fingerprint=hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16],
               subject_key=subject_key, subject_fingerprint=subject_fp, contact_id=contact_id,
               query_name=raw[:300], matched_name="", score=0.0, status="open")


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


def import_list(kind: str, data: bytes, filename: str = "", *, version: str | None = None,
                user_id: int | None = None, rescreen: bool = True) -> ImportResult:
    """Read a list file and make it the current version of its kind: the previous version's
    entries are replaced (its row is kept for the record), then every company is re-screened."""
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
        file_sha256=sha, imported_at=utcnow(), imported_by_id=user_id,
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
    count = rescreen_all(trigger="list import", user_id=user_id) if rescreen else 0
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
                   ListEntry.programs, ListEntry.fingerprint)
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
            entries.append(nm.Entry(ref=ref, names=names, entry_type=r.entry_type,
                                    countries=nm.country_codes(countries)))
        _MATCHER.clear()
        cached = _MATCHER[signature] = (nm.Matcher(entries), {})
    return cached[0], lists


def _versions(lists: list[ScreeningList]) -> list[dict[str, Any]]:
    return [{"list_id": lst.id, "kind": lst.kind, "version": lst.version,
             "entries": lst.entry_count} for lst in lists]


# --- screening ---------------------------------------------------------------------------------------

def _company_names(company: Company) -> list[str]:
    return [n for n in [company.name, company.name_en, company.name_reading,
                        *company.alias_list] if n]


def _contact_names(contact: Contact) -> list[str]:
    return [n for n in (contact.display_name, contact.reading,
                        f"{contact.family_name} {contact.given_name or ''}".strip()) if n]


def subject_fingerprint(company: Company, contacts: list[Contact]) -> str:
    """What a screening of this company covered: its names, country and contacts' names."""
    parts: list[str] = [*_company_names(company), f"country:{company.country}"]
    for c in contacts:
        parts += [f"contact:{c.id}", *_contact_names(c)]
    return nm.fingerprint(*parts)


def _memory(company_ids: list[int]) -> dict[tuple, Hit]:
    """The latest decided (not open) hit per (company, subject, list kind, entry)."""
    if not company_ids:
        return {}
    rows = db.session.execute(
        select(Hit, Screening.company_id).join(Screening, Hit.screening_id == Screening.id)
        .where(Screening.company_id.in_(company_ids), Hit.status != "open")
        .order_by(Hit.id)).all()
    return {(cid, h.subject_key, h.list_kind, h.entry_key): h for h, cid in rows}


def _latest_decision_id(hit: Hit) -> int | None:
    if hit.carried_from_id:
        return hit.carried_from_id
    return max((d.id for d in hit.decisions), default=None)


def _screen(company: Company, contacts: list[Contact], m: nm.Matcher,
            lists: list[ScreeningList], memory: dict[tuple, Hit], *, trigger: str,
            user_id: int | None, limit: float) -> Screening:
    screening = Screening(company_id=company.id, subject_name=company.name[:300],
                          country=company.country, screened_at=utcnow(), screened_by_id=user_id,
                          trigger=trigger, list_versions=_versions(lists),
                          subject_fingerprint=subject_fingerprint(company, contacts),
                          threshold=limit)
    subjects: list[tuple[str, Contact | None, list[str], bool]] = [
        ("company", None, _company_names(company), False)]
    subjects += [(f"contact:{c.id}", c, _contact_names(c), True) for c in contacts]
    hits = []
    for key, contact, names, person in subjects:
        fp = nm.fingerprint(*names, f"country:{company.country}")
        candidates = [review_hit(n, subject_key=key, subject_fp=fp,
                                 contact_id=contact.id if contact else None)
                      for n in dict.fromkeys(names) if nm.unreadable(n)]
        for hit in candidates:
            before = memory.get((company.id, key, hit.list_kind, hit.entry_key))
            if (before is not None and before.entry_fingerprint == hit.entry_fingerprint
                    and before.subject_fingerprint == fp):
                hit.status = before.status
                hit.carried_from_id = _latest_decision_id(before)
            hits.append(hit)
        for cand in m.search(names, country=company.country, person=person, threshold=limit):
            ref = cand.ref
            hit = Hit(list_id=ref["list_id"], list_kind=ref["kind"], list_version=ref["version"],
                      entry_key=ref["entry_key"], entry_name=ref["name"][:500],
                      entry_snapshot={k: ref[k] for k in ("names", "type", "countries",
                                                          "programs")},
                      entry_fingerprint=ref["fingerprint"], subject_key=key,
                      subject_fingerprint=fp, contact_id=contact.id if contact else None,
                      query_name=cand.query_name[:300], matched_name=cand.matched_name[:500],
                      score=cand.score, status="open")
            before = memory.get((company.id, key, ref["kind"], ref["entry_key"]))
            if (before is not None and before.entry_fingerprint == hit.entry_fingerprint
                    and before.subject_fingerprint == fp):
                hit.status = before.status  # remembered: cleared stays cleared, blocked blocked
                hit.carried_from_id = _latest_decision_id(before)
            hits.append(hit)
    screening.hits = hits
    screening.result = "hits" if any(h.status != "cleared" for h in hits) else "clear"
    return screening


def _refuse_without_lists() -> None:
    raise ValidationError({"lists": _(
        "No screening list has been imported yet: import the lists first "
        "(crm lists import KIND FILE, or the form on the screening page).")})


def screen_company(company: Company, *, user_id: int | None = None,
                   trigger: str = "web") -> Screening:
    m, lists = matcher()
    if m is None:
        _refuse_without_lists()
    contacts = list(db.session.execute(
        select(Contact).where(Contact.company_id == company.id).order_by(Contact.id)).scalars())
    screening = _screen(company, contacts, m, lists, _memory([company.id]), trigger=trigger,
                        user_id=user_id, limit=threshold())
    db.session.add(screening)
    db.session.flush()
    return screening


def rescreen_all(*, trigger: str = "cli", user_id: int | None = None,
                 batch: int = 500) -> int:
    """Screen every company (and its contacts) against the current lists; the matcher is built
    once, companies, contacts and earlier decisions are read a batch at a time."""
    m, lists = matcher()
    if m is None:
        return 0
    limit = threshold()
    ids = list(db.session.execute(select(Company.id).order_by(Company.id)).scalars())
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        companies = db.session.execute(
            select(Company).where(Company.id.in_(chunk)).order_by(Company.id)).scalars().all()
        contacts: dict[int, list[Contact]] = {}
        for c in db.session.execute(select(Contact).where(Contact.company_id.in_(chunk))
                                    .order_by(Contact.id)).scalars():
            contacts.setdefault(c.company_id, []).append(c)
        memory = _memory(chunk)
        for company in companies:
            db.session.add(_screen(company, contacts.get(company.id, []), m, lists, memory,
                                   trigger=trigger, user_id=user_id, limit=limit))
        db.session.flush()
    return len(ids)


def screen_name(name: str, *, country: str | None = None, user_id: int | None = None,
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
                          screened_at=utcnow(), screened_by_id=user_id, trigger=trigger,
                          list_versions=_versions(lists), threshold=threshold())
    hits = []
    if nm.unreadable(name):
        hits.append(review_hit(name, subject_key="name", subject_fp=nm.fingerprint(name)))
    for cand in m.search([name], country=country, person=False, threshold=threshold()) + \
            m.search([name], country=country, person=True, threshold=threshold()):
        ref = cand.ref
        hits.append(Hit(list_id=ref["list_id"], list_kind=ref["kind"],
                        list_version=ref["version"], entry_key=ref["entry_key"],
                        entry_name=ref["name"][:500],
                        entry_snapshot={k: ref[k] for k in ("names", "type", "countries",
                                                            "programs")},
                        entry_fingerprint=ref["fingerprint"], subject_key="name",
                        subject_fingerprint=nm.fingerprint(name), query_name=name[:300],
                        matched_name=cand.matched_name[:500], score=cand.score))
    seen: set[tuple] = set()
    unique = []
    for h in sorted(hits, key=lambda h: -h.score):
        if (h.list_kind, h.entry_key) not in seen:
            seen.add((h.list_kind, h.entry_key))
            unique.append(h)
    screening.hits = unique
    screening.result = "hits" if unique else "clear"
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


def decide(hit: Hit, decision: str, note: str, *, user_id: int | None) -> Decision:
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
    record = Decision(hit=hit, decision=decision, note=note, decided_by_id=user_id,
                      decided_at=utcnow())
    db.session.add(record)
    hit.status = DECISION_STATUS[decision]
    hit.carried_from_id = None
    screening.result = "hits" if any(h.status != "cleared" for h in screening.hits) else "clear"
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
    waiting = {h.list_kind for h in screening.hits if h.status in ("open", "escalated")}
    if waiting - {REVIEW_KIND}:
        return "open"
    if waiting:
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
    """Companies whose latest screening has open/escalated or blocked hits:
    (company, screening, open count, blocked count)."""
    latest = (select(func.max(Screening.id).label("sid"))
              .where(Screening.company_id.is_not(None))
              .group_by(Screening.company_id).subquery())
    rows = db.session.execute(
        select(Screening, Company,
               func.sum(func.cast(Hit.status.in_(("open", "escalated")), db.Integer)),
               func.sum(func.cast(Hit.status == "blocked", db.Integer)))
        .join(latest, latest.c.sid == Screening.id)
        .join(Company, Company.id == Screening.company_id)
        .join(Hit, Hit.screening_id == Screening.id)
        .where(Hit.status.in_(("open", "escalated", "blocked")))
        .group_by(Screening.id, Company.id)
        .order_by(func.sum(func.cast(Hit.status == "blocked", db.Integer)).desc(),
                  Company.sort_name)
        .limit(limit)).all()
    return [(company, screening, int(n_open or 0), int(n_blocked or 0))
            for screening, company, n_open, n_blocked in rows]


def hits_json(hits: list[Hit]) -> list[dict[str, Any]]:
    """The CLI's --json shape of hits."""
    return [{"list": h.list_kind, "entry_id": h.entry_key, "name": h.entry_name,
             "score": round(h.score, 3), **({"review": True} if h.list_kind == REVIEW_KIND
                                           else {})} for h in hits]
