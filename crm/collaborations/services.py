"""Opening, changing and moving collaborations through the pipeline.

The rules the guideline asks for live here, not in the views:
- a step is signed off by a named user with a date; its checklist must be complete, unless a user
  with collaborations.override gives a reason (kept on the sign-off with the missing items);
- a licence or transfer of a government-funded seed cannot reach "contract terms" without the
  recorded Bayh-Dole approval, and the export-control step cannot be signed off unless the
  company's screening is clear; no override lifts either (they are the law);
- conflicts with open collaborations are listed and must be confirmed before saving;
- indirect costs are computed from the direct costs (20 %, or 30 % with quarterly progress
  reports or a contract in the partner's language), stored with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import get_currency_precision, list_currencies
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from crm.auth.models import User
from crm.config import DEFAULTS
from crm.collaborations.fields import COLLABORATION_FIELDS, OWN_RULES
from crm.collaborations.models import (
    CONTRACT_LANGUAGES, EXCLUSIVITY, KINDS, MINUTE_KINDS, OPEN_STAGES, STEPS, Collaboration,
    CollaborationCheck, CollaborationMinute, CollaborationSignoff, collaboration_researchers,
    collaboration_seeds,
)
from crm.collaborations.steps import STAGE_LABELS, item_codes, item_label, next_stage
from crm.common.params import to_int
from crm.common.services import ValidationError, apply
from crm.common.text import nfkc
from crm.companies.models import Company
from crm.extensions import db, utcnow
from crm.research.models import Researcher, ResearchSeed
from crm.common.time import office_today

#: What save_collaboration copies from a form, from the field table
#: (crm/collaborations/fields.py); the others a user types go through their own rules.
FIELDS = tuple(name for name in COLLABORATION_FIELDS.names("editable") if name not in OWN_RULES)

#: Numeric(14, 2): twelve digits before the decimal point.
MAX_AMOUNT = Decimal("999999999999.99")
#: How many open collaborations with competitors the conflict check lists at most.
COMPETITOR_LIMIT = 20


# --- indirect costs (case 23) ------------------------------------------------------------------

def _rate(key: str, config: dict | None) -> Decimal:
    if config is None and has_app_context():
        config = current_app.config
    value = (config or {}).get(key, DEFAULTS[key])  # the defaults live in crm/config.py
    return Decimal(str(value))


def indirect_costs(direct: Decimal | None, *, quarterly_reports: bool, contract_language: str,
                   currency: str = "JPY", config: dict | None = None
                   ) -> tuple[Decimal, Decimal | None, str]:
    """(rate, amount, reason) for the given direct costs.

    The high rate applies when the company wants quarterly progress reports or the contract is
    in the partner's language; the reason names which ("quarterly_reports+partner_language" when
    both). The amount is rounded to the currency's minor unit (whole yen for JPY).
    """
    reasons = []
    if quarterly_reports:
        reasons.append("quarterly_reports")
    if contract_language == "partner":
        reasons.append("partner_language")
    rate = _rate("CRM_INDIRECT_RATE_HIGH" if reasons else "CRM_INDIRECT_RATE_DEFAULT", config)
    amount = None
    if direct is not None:
        try:
            places = get_currency_precision(currency)
        except Exception:  # an unknown code was refused before this; be safe anyway
            places = 2
        amount = (direct * rate).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rate, amount, "+".join(reasons) or "default"


# --- conflicts (case 26) -----------------------------------------------------------------------

@dataclass
class Conflict:
    """An open collaboration that may clash with the one being opened, and why."""

    collaboration: Collaboration
    reasons: list[str] = field(default_factory=list)  # same_seed, same_researcher, ...
    seeds: list[ResearchSeed] = field(default_factory=list)
    researchers: list[Researcher] = field(default_factory=list)


def find_conflicts(company: Company | None, seed_ids: list[int], researcher_ids: list[int], *,
                   exclude_id: int | None = None) -> list[Conflict]:
    """Open collaborations on the same seeds or researchers, exclusive licences on those seeds,
    and open collaborations with the company's competitors (same industry). Three queries."""
    seed_set, researcher_set = set(seed_ids), set(researcher_ids)
    found: dict[int, Conflict] = {}
    loaders = (joinedload(Collaboration.company), selectinload(Collaboration.seeds),
               selectinload(Collaboration.researchers))
    base = select(Collaboration).where(Collaboration.stage.in_(OPEN_STAGES))
    if exclude_id is not None:
        base = base.where(Collaboration.id != exclude_id)

    def add(collab: Collaboration, reason: str) -> Conflict:
        conflict = found.setdefault(collab.id, Conflict(collab))
        if reason not in conflict.reasons:
            conflict.reasons.append(reason)
        return conflict

    if seed_set or researcher_set:
        on_seeds = select(collaboration_seeds.c.collaboration_id).where(
            collaboration_seeds.c.seed_id.in_(seed_set or [-1]))
        on_people = select(collaboration_researchers.c.collaboration_id).where(
            collaboration_researchers.c.researcher_id.in_(researcher_set or [-1]))
        for collab in db.session.execute(
                base.where(or_(Collaboration.id.in_(on_seeds), Collaboration.id.in_(on_people)))
                .options(*loaders).order_by(Collaboration.opened_on.desc())).scalars():
            shared_seeds = [s for s in collab.seeds if s.id in seed_set]
            shared_people = [r for r in collab.researchers if r.id in researcher_set]
            if shared_seeds:
                conflict = add(collab, "same_seed")
                conflict.seeds = shared_seeds
                if collab.kind == "licence" and collab.exclusivity == "exclusive":
                    add(collab, "exclusive_licence")
            if shared_people:
                add(collab, "same_researcher").researchers = shared_people
    industry = nfkc(company.industry).casefold() if company is not None and company.industry \
        else ""
    if industry:
        for collab in db.session.execute(
                base.join(Company, Collaboration.company_id == Company.id)
                .where(func.lower(Company.industry) == industry, Company.id != company.id)
                .options(*loaders).order_by(Collaboration.opened_on.desc())
                .limit(COMPETITOR_LIMIT)).scalars():
            add(collab, "competitor")
    order = {"exclusive_licence": 0, "same_seed": 1, "same_researcher": 2, "competitor": 3}
    return sorted(found.values(), key=lambda c: (min(order[r] for r in c.reasons),
                                                 -c.collaboration.id))


def conflict_summary(conflicts: list[Conflict]) -> str:
    """The conflicts' ids as stored on the collaboration ("3,8,12")."""
    return ",".join(str(i) for i in sorted(c.collaboration.id for c in conflicts))


# --- opening and changing ----------------------------------------------------------------------

def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return Decimal("NaN")


def _ids(values: Any) -> list[int]:
    return list(dict.fromkeys(int(i) for i in values or []))


def _load(model: type, ids: list[int]) -> tuple[list[Any], list[int]]:
    if not ids:
        return [], []
    found = {o.id: o for o in db.session.execute(
        select(model).where(model.id.in_(ids))).scalars()}
    return [found[i] for i in ids if i in found], [i for i in ids if i not in found]


def save_collaboration(collab: Collaboration | None, data: dict[str, Any], *,
                       by: User | None = None) -> Collaboration:
    """Open a collaboration (collab=None) or change one.

    data: kind, title, description, company_id, officer_id, seed_ids, researcher_ids,
    direct_costs, currency, quarterly_reports, contract_language, opened_on, planned_start,
    planned_end, exclusivity, transfers_ip, bayh_dole_agency / _approved_on / _reference,
    conflicts_reviewed (bool) and conflicts_seen ("3,8": the conflicts the user was shown).
    """
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = _("Pick the kind of collaboration from the list.")
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Enter a title for the collaboration.")
    company = db.session.get(Company, data["company_id"]) if data.get("company_id") else None
    if company is None:
        errors["company"] = (_("That company no longer exists; pick again.")
                             if data.get("company_id") else _("Choose the partner company."))
    officer = db.session.get(User, data["officer_id"]) if data.get("officer_id") else None
    if data.get("officer_id") and officer is None:
        errors["officer"] = _("That user no longer exists; pick another.")

    seeds, missing_seeds = _load(ResearchSeed, _ids(data.get("seed_ids")))
    if missing_seeds:
        errors["seeds"] = _("These research seeds no longer exist: %(ids)s.",
                            ids=", ".join(f"#{i}" for i in missing_seeds))
    researchers, missing_people = _load(Researcher, _ids(data.get("researcher_ids")))
    if missing_people:
        errors["researchers"] = _("These researchers no longer exist: %(ids)s.",
                                  ids=", ".join(f"#{i}" for i in missing_people))
    if kind == "licence" and not seeds and "seeds" not in errors:
        errors["seeds"] = _("A licence licenses at least one research seed: name it.")
    elif kind in KINDS and kind != "membership" and not seeds and not researchers \
            and "seeds" not in errors and "researchers" not in errors:
        errors["seeds"] = _("Name at least one research seed or researcher.")

    direct = _decimal(data.get("direct_costs"))
    if direct is not None:
        if not direct.is_finite() or direct < 0:
            errors["direct_costs"] = _("Direct costs are an amount of zero or more.")
        elif direct > MAX_AMOUNT:
            errors["direct_costs"] = _("That amount is too large to record.")
        elif direct != direct.quantize(Decimal("0.01")):
            errors["direct_costs"] = _("Use at most two decimal places.")
    currency = nfkc(data.get("currency")).upper() or "JPY"
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = _("Use a three-letter ISO currency code (JPY, USD, EUR ...).")
    elif currency not in list_currencies():
        errors["currency"] = _("%(code)s is not a known ISO currency code.", code=currency)
    language = data.get("contract_language") or "ja"
    if language not in CONTRACT_LANGUAGES:
        errors["contract_language"] = _("Pick the contract language from the list.")

    exclusivity = data.get("exclusivity") or None
    if kind == "licence":
        if exclusivity not in EXCLUSIVITY:
            errors["exclusivity"] = _("Say whether the licence is exclusive or non-exclusive.")
    else:
        exclusivity = None

    opened_on = data.get("opened_on")
    if not isinstance(opened_on, date):
        errors["opened_on"] = _("Enter the date the collaboration was opened.")
    elif opened_on > office_today() and (collab is None or opened_on != collab.opened_on):
        # a future opening date could never be signed off or closed (both refuse the future)
        errors["opened_on"] = _("The opening date cannot be in the future.")
    start, end = data.get("planned_start"), data.get("planned_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["planned_end"] = _("The planned end is before the planned start.")

    approval = [data.get("bayh_dole_agency"), data.get("bayh_dole_approved_on"),
                data.get("bayh_dole_reference")]
    approval = [v.strip() if isinstance(v, str) else v for v in approval]
    if any(approval) and not all(approval):
        for key, value in zip(("bayh_dole_agency", "bayh_dole_approved_on",
                               "bayh_dole_reference"), approval):
            if not value:
                errors[key] = _("A Bayh-Dole approval needs the agency, the date and the "
                                "reference: fill in all three, or none.")
    if isinstance(approval[1], date) and approval[1] > office_today():
        errors["bayh_dole_approved_on"] = _("The approval date cannot be in the future.")

    if collab is not None and kind in KINDS and not errors:
        # The Bayh-Dole gate holds on edits too: past "research plan" a licence or transfer of a
        # government-funded seed must already have its approval.
        funded = [s for s in seeds if s.government_funded]
        licensing = kind == "licence" or bool(data.get("transfers_ip"))
        if licensing and funded and not all(approval) \
                and collab.step_index > STEPS.index("research_plan"):
            errors["bayh_dole_agency"] = _(
                "This collaboration is past the research plan: licensing or transferring the "
                "government-funded seed %(seed)s needs the recorded Bayh-Dole approval first.",
                seed=funded[0].title)

    # Conflicts: new ones must be confirmed as reviewed.
    conflicts: list[Conflict] = []
    if not errors:
        conflicts = find_conflicts(company, [s.id for s in seeds], [r.id for r in researchers],
                                   exclude_id=collab.id if collab is not None else None)
        already = collab.reviewed_conflict_ids if collab is not None else set()
        new = {c.collaboration.id for c in conflicts} - already
        seen = {to_int(x) for x in str(data.get("conflicts_seen") or "").split(",")} - {None}
        if new and not (data.get("conflicts_reviewed") and new <= seen):
            errors["conflicts_reviewed"] = _(
                "%(n)s open collaborations may conflict with this one (listed above): review "
                "them and tick the box to confirm.", n=len(conflicts))
    if errors:
        raise ValidationError(errors)

    if collab is None:
        collab = Collaboration(stage="partner_search")
        db.session.add(collab)
    values = {**data, "title": title, "currency": currency, "contract_language": language,
              "exclusivity": exclusivity, "quarterly_reports": bool(data.get("quarterly_reports")),
              "transfers_ip": bool(data.get("transfers_ip"))}
    apply(collab, values, FIELDS)
    collab.exclusivity = exclusivity
    collab.company = company
    collab.officer = officer
    collab.seeds = seeds
    collab.researchers = researchers
    collab.direct_costs = direct
    collab.indirect_rate, collab.indirect_amount, collab.indirect_reason = indirect_costs(
        direct, quarterly_reports=collab.quarterly_reports, contract_language=language,
        currency=currency)
    ids = {c.collaboration.id for c in conflicts}
    if ids - collab.reviewed_conflict_ids:
        collab.conflicts_reviewed_ids = ",".join(
            str(i) for i in sorted(ids | collab.reviewed_conflict_ids))
        collab.conflicts_reviewed_by = by
        collab.conflicts_reviewed_at = utcnow()
    collab.updated_at = utcnow()
    db.session.flush()
    return collab


# --- the checklist and sign-offs ---------------------------------------------------------------

def ticked(collab: Collaboration, step: str) -> set[str]:
    return {c.item for c in collab.checks if c.step == step and c.done}


def missing_items(collab: Collaboration, step: str) -> list[str]:
    done = ticked(collab, step)
    return [code for code in item_codes(step) if code not in done]


def signoff_for(collab: Collaboration, step: str) -> CollaborationSignoff | None:
    return next((s for s in collab.signoffs if s.step == step), None)


def set_checks(collab: Collaboration, step: str, items: list[str], *, by: User | None) -> int:
    """Tick exactly `items` of a step (the others unticked); returns how many changed.

    Refused on a closed collaboration, an unknown step or item, or a step already signed off.
    """
    if step not in STEPS:
        raise ValidationError({"step": _("There is no such step.")})
    if not collab.is_open:
        raise ValidationError({"step": _("The collaboration is closed: its checklists can no "
                                         "longer change.")})
    if signoff_for(collab, step) is not None:
        raise ValidationError({"step": _("%(step)s is signed off: its checklist can no longer "
                                         "change.", step=STAGE_LABELS[step])})
    wanted = set(items)
    unknown = wanted - set(item_codes(step))
    if unknown:
        raise ValidationError({"items": _("Unknown checklist items: %(items)s.",
                                          items=", ".join(sorted(unknown)))})
    rows = {c.item: c for c in collab.checks if c.step == step}
    changed = 0
    for code in item_codes(step):
        row = rows.get(code)
        done = code in wanted
        if row is None and done:
            collab.checks.append(CollaborationCheck(step=step, item=code, done=True,
                                                    checked_by=by, checked_at=utcnow()))
            changed += 1
        elif row is not None and row.done != done:
            row.done, row.checked_by, row.checked_at = done, by, utcnow()
            changed += 1
    db.session.flush()
    return changed


def export_clearance(collab: Collaboration) -> str:
    """The company's screening state, from the screening feature (looked up at call time)."""
    from crm.screening import services as screening

    return screening.company_clearance(collab.company_id)


#: The code recorded in a sign-off's missing items when the NDA step moved on without a signed
#: NDA in the register (a manager's override).
NDA_GATE = "nda_register"


def nda_registered(collab: Collaboration, on: Any = None) -> bool:
    """True when the NDA register holds a signed NDA with the collaboration's company that is in
    force on `on` (the sign-off date; today when not a date)."""
    from crm.ndas.models import Nda

    day = on if isinstance(on, date) else date.today()
    return db.session.execute(
        select(Nda.id).where(Nda.company_id == collab.company_id, Nda.status == "signed",
                             Nda.effective_from <= day, Nda.expires_on >= day).limit(1)
    ).first() is not None


def _missing_text(step: str, codes: list[str]) -> str:
    return "; ".join(str(item_label(step, code)) for code in codes)


def sign_off(collab: Collaboration, signed_on: Any, override_reason: str | None = None, *,
             by: User) -> CollaborationSignoff:
    """Sign off the collaboration's current step and move it to the next stage.

    Refused (ValidationError, nothing changed) when the checklist is incomplete and no override
    reason is given, when the user giving one lacks collaborations.override, when a licence or
    transfer of a government-funded seed lacks its Bayh-Dole approval before "contract terms",
    or when the export-control step is signed off while the company's screening is not clear.
    """
    step = collab.stage
    if step not in STEPS:
        raise ValidationError({"step": _("Only the nine pipeline steps are signed off; this "
                                         "collaboration is %(stage)s.",
                                         stage=STAGE_LABELS[step])})
    errors: dict[str, str] = {}
    if not isinstance(signed_on, date):
        errors["signed_on"] = _("Enter the date of the sign-off.")
    elif signed_on > office_today():
        errors["signed_on"] = _("The sign-off date cannot be in the future.")
    elif signed_on < collab.opened_on:
        errors["signed_on"] = _("The sign-off date is before the collaboration was opened.")

    # Rules no override lifts.
    if step == "research_plan" and collab.needs_bayh_dole_approval \
            and not collab.has_bayh_dole_approval:
        errors["bayh_dole"] = _(
            "%(seeds)s came from government-funded research: licensing or transferring it needs "
            "the government's prior approval (Japanese Bayh-Dole). Record the approval (agency, "
            "date, reference) before moving to contract terms.",
            seeds=", ".join(s.title for s in collab.government_funded_seeds))
    if step == "export_control":
        clearance = export_clearance(collab)
        if clearance != "clear":
            errors["export_control"] = {
                "blocked": _("The company is blocked by export-control screening: this step "
                             "cannot be signed off."),
                "open": _("The company has an open export-control screening hit awaiting a "
                          "decision: this step cannot be signed off until it is cleared."),
                "review": _("A name of the company or of a contact cannot be read by the "
                            "screening: an export-control officer must review it on the "
                            "screening page before this step is signed off."),
            }.get(clearance, _("The company has not been screened against the current "
                               "export-control lists: screen it first."))

    if step == "export_control" and not by.can("screening.decide"):
        errors["export_control"] = _(
            "Only an export-control officer (or an administrator) signs off the export-control "
            "step.")

    missing = missing_items(collab, step)
    reason = (override_reason or "").strip()
    can_override = by.can("collaborations.override")
    if step == "nda" and not nda_registered(collab, signed_on):
        # the NDA register is the evidence: without a signed NDA there, only a manager's
        # override with a reason (kept with the sign-off, shown on the page) moves on
        missing = missing + [NDA_GATE]
        if not (reason and can_override):
            errors["nda"] = _("No signed NDA with %(company)s is in the NDA register: record it "
                              "first, or a manager overrides with a reason.",
                              company=collab.company.name if collab.company else "")
    if missing and (not reason or not can_override):
        errors["checklist"] = _("These items of %(step)s are not done: %(items)s.",
                                step=STAGE_LABELS[step], items=_missing_text(step, missing))
        if reason:
            errors["override_reason"] = _("Only a manager may move past unfinished items.")
    if not missing:
        reason = ""  # nothing was overridden: no reason to record
    if errors:
        raise ValidationError(errors)

    signoff = CollaborationSignoff(
        step=step, signed_by=by, signed_by_name=by.name, signed_on=signed_on,
        override_reason=reason or None, missing_items=",".join(missing) if missing else None)
    collab.signoffs.append(signoff)
    collab.stage = next_stage(step)
    collab.updated_at = utcnow()
    db.session.flush()
    return signoff


def close(collab: Collaboration, closed_on: Any, reason: str | None) -> Collaboration:
    """Close a collaboration (finished, or dropped at any step) on a date."""
    if not collab.is_open:
        raise ValidationError({"closed_on": _("The collaboration is already closed.")})
    if not isinstance(closed_on, date):
        raise ValidationError({"closed_on": _("Enter the date the collaboration closed.")})
    if closed_on < collab.opened_on:
        raise ValidationError({"closed_on": _("The closing date is before the collaboration "
                                              "was opened.")})
    if closed_on > office_today():
        raise ValidationError({"closed_on": _("The closing date cannot be in the future.")})
    collab.stage = "closed"
    collab.closed_on = closed_on
    collab.close_reason = (reason or "").strip() or None
    collab.updated_at = utcnow()
    db.session.flush()
    return collab


# --- monitoring (case 28) ----------------------------------------------------------------------

def add_minute(collab: Collaboration, data: dict[str, Any], *, by: User | None
               ) -> CollaborationMinute:
    """Minutes of a meeting or a progress note; only on an active collaboration."""
    errors: dict[str, str] = {}
    if collab.stage != "active":
        errors["body"] = _("Minutes and progress notes are kept once the collaboration is "
                           "active.")
    kind = data.get("kind") or "meeting"
    if kind not in MINUTE_KINDS:
        errors["kind"] = _("Pick minutes or progress note.")
    held_on = data.get("held_on")
    if not isinstance(held_on, date):
        errors["held_on"] = _("Enter the date of the meeting.")
    elif held_on > office_today():
        errors["held_on"] = _("The date cannot be in the future.")
    body = (data.get("body") or "").strip()
    if not body:
        errors["body"] = errors.get("body") or _("Write what was discussed or achieved.")
    if errors:
        raise ValidationError(errors)
    minute = CollaborationMinute(kind=kind, held_on=held_on, body=body, author=by,
                                 attendees=(data.get("attendees") or "").strip() or None,
                                 next_steps=(data.get("next_steps") or "").strip() or None)
    collab.minutes.append(minute)
    db.session.flush()
    return minute


# --- warnings ----------------------------------------------------------------------------------

def is_foreign(company: Company) -> bool:
    """A company outside Japan, or a Japanese entity of a group headquartered abroad."""
    return company.country != "JP" or (company.hq_country or "JP") != "JP"


def tech_warnings(collab: Collaboration) -> list[tuple[ResearchSeed, list[str]]]:
    """The seeds tagged with emerging-technology fields, when the partner is foreign."""
    if not is_foreign(collab.company):
        return []
    return [(s, s.tech_field_list) for s in collab.seeds if s.tech_field_list]
