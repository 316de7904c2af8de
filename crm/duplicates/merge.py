"""Merging two companies or two contacts: the survivor keeps the chosen values and every
relation of the other record, which is then deleted — all in the caller's transaction.

Relations are moved generically: every foreign key in the schema that points at the table
(companies.id or contacts.id) is found in the metadata, so a table another feature adds later is
covered without a change here. Rows are moved through the ORM where a model maps them, so the
audit trail records each move and the search outbox re-indexes what changed; a link table
that a relationship manages (activity_contacts) is changed through that relationship.
Unique rules are respected: a link the survivor already has is dropped rather than doubled, the
loser's open portfolio assignment is closed when the survivor keeps its own, a unique link
(alumnus ↔ contact) that both hold stays with the survivor.

The service flushes and never commits: a request commits once, a command in unit_of_work. Any
error leaves the caller to roll back everything (all or nothing).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Table, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Mapper, RelationshipProperty

from crm.audit.models import AuditEntry
from crm.audit.services import _actor
from crm.common.services import ValidationError
from crm.companies.fields import COMPANY_FIELDS
from crm.companies.models import Company
from crm.contacts.fields import CONTACT_FIELDS
from crm.contacts.models import Contact
from crm.duplicates.models import DuplicateDismissal
from crm.extensions import db, utcnow
from crm.liaison.models import PortfolioAssignment

#: The field tables (crm/companies/fields.py, crm/contacts/fields.py) say what a merge keeps:
#: "pick" fields the user picks A's or B's value for, "join" ones (free text) may keep both,
#: "combine" ones the merge computes from both records (_prepare_companies/_prepare_contacts).
TABLES = {"companies": COMPANY_FIELDS, "contacts": CONTACT_FIELDS}
FIELDS = {kind: table.merged("pick") + table.merged("join") for kind, table in TABLES.items()}
#: The kept record's own name stays by default, whichever record is newer.
_IDENTITY = {"name", "family_name", "given_name"}
#: Free text that can keep both values, one after the other.
JOINABLE = {name for table in TABLES.values() for name in table.merged("join")}
MODELS = {"companies": Company, "contacts": Contact}
FIELD_LABELS = {**CONTACT_FIELDS.labels(), **COMPANY_FIELDS.labels()}
#: What the rows that move are called (a table added later shows its own name).
TABLE_LABELS = {
    "contacts": _l("contacts"), "activities": _l("activities"),
    "activity_contacts": _l("activities attended"), "encounters": _l("encounters"),
    "alumni": _l("alumni"), "donations": _l("donations"),
    "portfolio_assignments": _l("portfolio history"),
    "data_entry_requests": _l("data-entry requests"), "companies": _l("subsidiaries"),
    "duplicate_dismissals": _l("pairs marked not a duplicate"),
    "collaborations": _l("collaborations"), "ndas": _l("NDAs"),
    "nda_disclosures": _l("disclosures under NDAs"),
    "screenings": _l("export-control screenings"),
    "screening_hits": _l("export-control screening hits"),
    "tasks": _l("tasks"),
}


def _now() -> datetime:
    return utcnow()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the schema, read from the metadata -----------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """One foreign-key column somewhere in the schema that points at the merged table."""

    table: Table
    column: Column

    @property
    def name(self) -> str:
        return self.table.name


def references(target: Table) -> list[Reference]:
    """Every column of every table whose foreign key points at target.id."""
    refs = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is target and fk.column.name == "id":
                refs.append(Reference(table, fk.parent))
    return sorted(refs, key=lambda r: (r.table.name, r.column.name))


def _mapper_for(table: Table) -> Mapper | None:
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return mapper
    return None


def _link_relationship(table: Table, target: Table) -> RelationshipProperty | None:
    """A relationship that manages a link table from the other side (Activity.contacts for
    activity_contacts when contacts are merged)."""
    for mapper in db.Model.registry.mappers:
        for rel in mapper.relationships:
            if rel.secondary is table and rel.mapper.local_table is target \
                    and not rel.viewonly:
                return rel
    return None


def _unique_sets(table: Table, column: Column) -> list[tuple[list[Column], bool]]:
    """Unique rules on a table that include column: (the other columns, partial or not)."""
    sets = []
    if column.primary_key and len(table.primary_key.columns) > 1:
        sets.append(([c for c in table.primary_key.columns if c is not column], False))
    if column.unique:
        sets.append(([], False))
    for constraint in table.constraints:
        cols = list(getattr(constraint, "columns", []))
        if constraint.__class__.__name__ == "UniqueConstraint" and column in cols:
            sets.append(([c for c in cols if c is not column], False))
    for index in table.indexes:
        if index.unique and column in index.columns.values():
            partial = any(index.dialect_options[d].get("where") is not None
                          for d in ("sqlite", "postgresql"))
            sets.append(([c for c in index.columns if c is not column], partial))
    return sets


# --- preview -------------------------------------------------------------------------------

@dataclass
class Preview:
    """What a merge will move: rows per table (the loser's), and notes on special cases."""

    moves: list[tuple[str, str, int]] = field(default_factory=list)  # table, label, rows
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.moves)


def preview(kind: str, survivor: Any, loser: Any) -> Preview:
    """Count, per referencing table, the loser's rows that will move to the survivor."""
    target = MODELS[kind].__table__
    counts: dict[str, int] = defaultdict(int)
    refs = references(target)
    if refs:
        parts = [select(func.count()).select_from(r.table).where(r.column == loser.id)
                 .scalar_subquery().label(f"c{i}") for i, r in enumerate(refs)]
        row = db.session.execute(select(*parts)).one()
        for ref, n in zip(refs, row, strict=True):
            counts[ref.name] += n or 0
    counts["duplicate_dismissals"] = db.session.scalar(
        select(func.count(DuplicateDismissal.id)).where(
            DuplicateDismissal.kind == kind,
            (DuplicateDismissal.first_id == loser.id) | (DuplicateDismissal.second_id == loser.id),
        )) or 0
    result = Preview(moves=[(name, str(TABLE_LABELS.get(name, name.replace("_", " "))), n)
                            for name, n in sorted(counts.items()) if n])
    if kind == "companies":
        open_a = _open_assignment(survivor.id)
        open_b = _open_assignment(loser.id)
        if open_a and open_b:
            result.notes.append(_(
                "Both have a responsible officer: the one not kept has their assignment ended "
                "(the portfolio history keeps it)."))
    else:
        if loser.do_not_contact or survivor.do_not_contact:
            result.notes.append(_(
                "One of them asked not to be contacted: the merged contact keeps "
                "“do not contact”."))
    return result


def _open_assignment(company_id: int) -> PortfolioAssignment | None:
    return db.session.scalar(select(PortfolioAssignment).where(
        PortfolioAssignment.company_id == company_id, PortfolioAssignment.ended_at.is_(None)))


# --- choosing values ------------------------------------------------------------------------

def _filled(value: Any) -> bool:
    return value not in (None, "")


#: A company's status, from what says most about the relationship to what says least.
_STATUS_RANK = {"active": 4, "dormant": 3, "former": 2, "prospect": 1}


def default_choices(kind: str, a: Any, b: Any) -> dict[str, str]:
    """Per field, whose value to keep by default: the one that is filled in; when both are,
    the newer record's (the survivor's when they are equally new), except the name, which is
    the kept record's; a company's status is the one that says most about the relationship
    (active over dormant over former over prospect). Consent is kept only when both agreed."""
    newer = "b" if (b.updated_at and a.updated_at and b.updated_at > a.updated_at) else "a"
    choices = {}
    for name in FIELDS[kind]:
        va, vb = getattr(a, name), getattr(b, name)
        if name == "consent":
            choices[name] = "a" if not va else "b"
        elif kind == "companies" and name == "status" and va != vb:
            # the record that knows the relationship wins: a card typed again at a fair says
            # "prospect" about a company we already work with
            choices[name] = "a" if _STATUS_RANK.get(va, 0) >= _STATUS_RANK.get(vb, 0) else "b"
        elif name in _IDENTITY and _filled(va):
            choices[name] = "a"  # the record kept keeps its name unless the user says so
        elif _filled(va) and not _filled(vb):
            choices[name] = "a"
        elif _filled(vb) and not _filled(va):
            choices[name] = "b"
        else:
            choices[name] = newer
    return choices


def differing_fields(kind: str, a: Any, b: Any) -> list[str]:
    """The fields whose values differ (only they need a choice)."""
    return [n for n in FIELDS[kind] if getattr(a, n) != getattr(b, n)
            and (_filled(getattr(a, n)) or _filled(getattr(b, n)))]


def _joined(a: Any, b: Any) -> Any:
    parts = [p.strip() for p in (a, b) if _filled(p) and p.strip()]
    out: list[str] = []
    for p in parts:
        if p not in out:
            out.append(p)
    return "\n\n".join(out) or None


def _lines(*values: str | None) -> list[str]:
    out: list[str] = []
    for value in values:
        for line in (value or "").splitlines():
            line = line.strip()
            if line and line not in out:
                out.append(line)
    return out


# --- the merge ------------------------------------------------------------------------------

@dataclass
class MergeResult:
    survivor_id: int
    loser_id: int
    moved: dict[str, int] = field(default_factory=dict)
    dropped_links: int = 0
    unlinked: dict[str, int] = field(default_factory=dict)


def merge(kind: str, survivor_id: int, loser_id: int, choices: dict[str, str] | None = None,
          ) -> MergeResult:
    """Merge record loser_id into survivor_id: chosen values ("a" = survivor's, "b" = loser's,
    "both" for free text), every relation moved, the loser deleted. Flushes, never commits."""
    if kind not in MODELS:
        raise ValidationError({"kind": _("Unknown kind of record.")})
    if survivor_id == loser_id:
        raise ValidationError({"pair": _("A record cannot be merged with itself.")})
    model = MODELS[kind]
    survivor = db.session.get(model, survivor_id)
    loser = db.session.get(model, loser_id)
    if survivor is None or loser is None:
        raise ValidationError({"pair": _("One of the two records no longer exists.")})
    wanted = default_choices(kind, survivor, loser) | {
        k: v for k, v in (choices or {}).items() if k in FIELDS[kind]}
    for name, choice in wanted.items():
        if choice not in ("a", "b", "both") or (choice == "both" and name not in JOINABLE):
            raise ValidationError({name: _("Choose whose value to keep.")})
    values = {}
    for name in FIELDS[kind]:
        va, vb = getattr(survivor, name), getattr(loser, name)
        values[name] = {"a": va, "b": vb}.get(wanted[name]) if wanted[name] != "both" \
            else _joined(va, vb)
    result = MergeResult(survivor_id, loser_id)
    survivor_label, loser_label = survivor.label, loser.label

    if kind == "companies":
        _prepare_companies(survivor, loser, values, wanted)
    else:
        _prepare_contacts(survivor, loser, values)
    db.session.flush()

    target = model.__table__
    for ref in references(target):
        _move(ref, target, survivor, loser, values, result)
    _move_dismissals(kind, survivor.id, loser.id, result)
    db.session.flush()

    for name, value in values.items():
        if getattr(survivor, name) != value:
            setattr(survivor, name, value)
    if kind == "companies":
        survivor.refresh_derived()
    # Re-indexes the survivor even when none of its own values changed (its document quotes
    # the activities and encounters it has just received); not a line in the trail.
    survivor.updated_at = utcnow()
    db.session.flush()
    if kind == "companies":
        _check_parent_chain(survivor)

    # Collections loaded before the moves still list the moved rows: forget them, so deleting
    # the loser cascades to nothing it no longer has.
    db.session.expire(loser)
    db.session.expire(survivor)
    db.session.delete(loser)
    db.session.flush()
    _write_trail(kind, survivor_id, survivor_label, loser_id, loser_label, result)
    return result


def _prepare_companies(survivor: Company, loser: Company, values: dict, wanted: dict) -> None:
    # A corporate number is unique: the loser gives it up before the survivor takes it.
    if values["corporate_number"] and values["corporate_number"] == loser.corporate_number:
        loser.corporate_number = None
    # Never the company's own parent, nor the one being merged away.
    if values["parent_id"] in (survivor.id, loser.id):
        values["parent_id"] = None
    # One open portfolio assignment per company: the officer kept keeps theirs (it moves with
    # the loser's rows when it is the loser's); the other one is ended, and the history keeps it.
    closing = _open_assignment(survivor.id if wanted["officer_id"] == "b" else loser.id)
    if closing is not None:
        closing.ended_at = max(_now(), _aware(closing.started_at))
    # The loser's names stay findable as the survivor's other names.
    names = {values["name"], values["name_en"]} - {None, ""}
    aliases = [n for n in _lines(survivor.aliases, loser.aliases, loser.name, loser.name_en,
                                 survivor.name, survivor.name_en) if n not in names]
    values["aliases"] = "\n".join(aliases) or None


def _prepare_contacts(survivor: Contact, loser: Contact, values: dict) -> None:
    # Someone who asked not to be contacted stays that way.
    values["do_not_contact"] = bool(survivor.do_not_contact or loser.do_not_contact)
    kept = (values["email"] or "").lower()
    others = [e for e in _lines(survivor.other_emails, loser.other_emails,
                                survivor.email, loser.email) if e.lower() != kept]
    values["other_emails"] = "\n".join(others) or None


def _move(ref: Reference, target: Table, survivor: Any, loser: Any, values: dict,
          result: MergeResult) -> None:
    """Point ref's rows from the loser to the survivor, respecting the table's unique rules."""
    table, column = ref.table, ref.column
    mapper = _mapper_for(table)
    if table is target:  # subsidiaries of the loser become the survivor's
        cls = mapper.class_
        key = mapper.get_property_by_column(column).key
        for child in db.session.scalars(select(cls).where(column == loser.id)):
            if child is survivor:
                continue  # the survivor's own parent was chosen among the values
            setattr(child, key, survivor.id)
            result.moved[table.name] = result.moved.get(table.name, 0) + 1
        return
    if mapper is None:
        _move_links(ref, target, survivor, loser, result)
        return
    cls = mapper.class_
    key = mapper.get_property_by_column(column).key
    rows = list(db.session.scalars(select(cls).where(column == loser.id)))
    if not rows:
        return
    conflicts: set[int] = set()
    for others, partial in _unique_sets(table, column):
        if partial:
            continue  # the open portfolio assignment was handled before
        if not others:
            taken = db.session.scalar(select(func.count()).select_from(table)
                                      .where(column == survivor.id))
            if taken:
                conflicts |= {id(r) for r in rows}
            continue
        held = {tuple(r) for r in db.session.execute(
            select(*others).where(column == survivor.id))}
        for row in rows:
            if tuple(getattr(row, mapper.get_property_by_column(c).key) for c in others) in held:
                conflicts.add(id(row))
    for row in rows:
        if id(row) in conflicts:
            if not column.nullable:
                raise ValidationError({"pair": _(
                    "Both records have a %(table)s row that may exist only once; resolve it "
                    "first. Nothing was changed.", table=table.name)})
            setattr(row, key, None)  # the survivor keeps its own link; this one is let go
            result.unlinked[table.name] = result.unlinked.get(table.name, 0) + 1
        else:
            setattr(row, key, survivor.id)
            result.moved[table.name] = result.moved.get(table.name, 0) + 1


def _move_links(ref: Reference, target: Table, survivor: Any, loser: Any,
                result: MergeResult) -> None:
    """A link table (no model of its own): through the relationship that manages it, so the
    trail and the index see the change; else directly, with the trail written here."""
    table, column = ref.table, ref.column
    rel = _link_relationship(table, target)
    if rel is not None:
        parent_cls = rel.parent.class_
        parents = db.session.scalars(
            select(parent_cls).join(table, rel.primaryjoin).where(column == loser.id)).all()
        for parent in parents:
            links = getattr(parent, rel.key)
            if survivor in links:
                links.remove(loser)
                result.dropped_links += 1
            else:
                links[links.index(loser)] = survivor
                result.moved[table.name] = result.moved.get(table.name, 0) + 1
        return
    if column.primary_key:
        # A link row the survivor already has is dropped rather than doubled.
        others = [c for c in table.primary_key.columns if c is not column]
        if others:
            held = select(*others).where(column == survivor.id)
            dup = db.session.execute(delete(table).where(
                column == loser.id, tuple_(*others).in_(held)))
            result.dropped_links += dup.rowcount or 0
    pk = list(table.primary_key.columns)
    ids = list(db.session.scalars(select(pk[0]).where(column == loser.id))) \
        if len(pk) == 1 else []
    values = {column.name: survivor.id}
    if "version" in table.c:  # an edit form opened before the merge must not put the loser back
        values["version"] = table.c.version + 1
    moved = db.session.execute(update(table).where(column == loser.id).values(values))
    if moved.rowcount:
        result.moved[table.name] = result.moved.get(table.name, 0) + moved.rowcount
    if ids:
        # No model, so no flush hook: the trail is written here, one line per moved row.
        user_id, actor = _actor.get()
        now = utcnow()
        db.session.execute(insert(AuditEntry), [
            {"at": now, "user_id": user_id, "actor": actor, "action": "update",
             "entity": table.name, "entity_id": i, "label": None,
             "changes": {column.name: [loser.id, survivor.id]}} for i in ids])


def _move_dismissals(kind: str, survivor_id: int, loser_id: int, result: MergeResult) -> None:
    """"Not the same as X" said of the loser holds for the survivor that absorbed it."""
    rows = db.session.scalars(select(DuplicateDismissal).where(
        DuplicateDismissal.kind == kind,
        (DuplicateDismissal.first_id == loser_id) | (DuplicateDismissal.second_id == loser_id),
    )).all()
    held = {tuple(r) for r in db.session.execute(
        select(DuplicateDismissal.first_id, DuplicateDismissal.second_id).where(
            DuplicateDismissal.kind == kind,
            (DuplicateDismissal.first_id == survivor_id)
            | (DuplicateDismissal.second_id == survivor_id)))}
    for row in rows:
        other = row.second_id if row.first_id == loser_id else row.first_id
        pair = tuple(sorted((survivor_id, other)))
        if other == survivor_id or pair in held:
            db.session.delete(row)
            continue
        held.add(pair)
        row.first_id, row.second_id = pair
        result.moved["duplicate_dismissals"] = result.moved.get("duplicate_dismissals", 0) + 1


def _check_parent_chain(company: Company) -> None:
    seen: set[int] = set()
    current = company.parent_id
    while current is not None and current not in seen:
        if current == company.id:
            raise ValidationError({"parent_id": _(
                "The merged company would become its own parent through its subsidiaries; "
                "choose the other parent. Nothing was changed.")})
        seen.add(current)
        current = db.session.scalar(select(Company.parent_id).where(Company.id == current))


def _write_trail(kind: str, survivor_id: int, survivor_label: str, loser_id: int,
                 loser_label: str, result: MergeResult) -> None:
    """One line on each record's history saying what was merged into what; the moved rows
    and the deletion have their own lines (written by the audit hook)."""
    user_id, actor = _actor.get()
    moved = ", ".join(f"{TABLE_LABELS.get(t, t)} {n}" for t, n in sorted(result.moved.items()))
    now = utcnow()
    entries = [
        {"entity_id": survivor_id, "label": survivor_label[:300],
         "changes": {"merged": [f"#{loser_id} {loser_label}", f"#{survivor_id} {survivor_label}"],
                     **({"moved": [None, moved]} if moved else {})}},
        {"entity_id": loser_id, "label": loser_label[:300],
         "changes": {"merged_into": [None, f"#{survivor_id} {survivor_label}"]}},
    ]
    db.session.execute(insert(AuditEntry), [
        {"at": now, "user_id": user_id, "actor": actor, "action": "update", "entity": kind,
         **entry} for entry in entries])


__all__ = ["merge", "preview", "default_choices", "differing_fields", "references",
           "MergeResult", "Preview", "FIELDS", "FIELD_LABELS", "JOINABLE"]
