"""The save path of imports: plan (the dry run) and commit, through the crm services.

`importers.read` turns a file into a ParsedFile (plain strings keyed by field name). Each kind
of record is imported by its feature's `importing.py` (crm/companies/importing.py ...: how a
row is cleaned, matched and saved), registered in crm/imports/kinds.py. Here, for every kind:

* `plan(parsed, kind, policy)` decides, for every row, what would happen: create, update,
  merge, unchanged, or reject (with row, column, value and why). It matches rows with records
  already in the database (corporate number, folded company name, e-mail, name + company ...)
  from keys loaded in a few queries, not one query per row, and only reads the database.
* `commit(parsed, kind, policy)` plans again inside the caller's transaction and writes the
  accepted rows through the features' services (save_company, save_contact, ...), so the audit
  trail, the derived fields and the search-index outbox all happen. It flushes, never commits:
  the request or command commits once, so either every accepted row is written or none.

Policies for rows that match a record: "update" (the file's values overwrite), "merge" (fill
only the fields that are empty; differing values are listed as conflicts and kept), "skip"
(leave the record alone). A blank cell never erases a value, and neither does a value that
lost characters on its way (`lost_characters`: a "?" where the stored value has a character
Shift_JIS cannot hold, as a CP932 export writes it, or U+FFFD): whatever the policy, that field
is kept and listed as a conflict naming it, and the row's other fields follow the policy.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from difflib import SequenceMatcher
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

import importers
from crm.common.services import ValidationError
from crm.common.text import cp932_lacks, may_have_lost_characters, nfkc
from crm.extensions import db, utcnow
from crm.imports.kinds import KindImporter, NewRef, RowError, importer_class
from crm.imports.models import POLICIES, ImportBatch, SavedMapping
from importers.base import ImportFileError, ParsedFile, ParsedRow, Problem  # noqa: F401
from importers.fields import FIELDS, REQUIRED

ACTIONS = ("create", "update", "merge", "unchanged", "reject")
#: Rows whose changes the preview keeps (the counts are always complete).
PREVIEW_CAP = 1000
#: New companies checked for similar names already in the CRM ("create, similar to X"): one
#: query each, so only the first ones of a large file.
NEAR_CHECK_LIMIT = 200
#: Records loaded per query when matched rows are fetched.
LOAD_CHUNK = 500


class CommitError(Exception):
    """A row the services refused while committing: nothing of the import is kept."""

    def __init__(self, row: int, errors: dict[str, str]):
        self.row = row
        self.errors = errors
        super().__init__(_("Row %(row)s: %(reasons)s. Nothing was imported.", row=row,
                           reasons="; ".join(f"{k}: {v}" for k, v in errors.items())))


def read_file(data: bytes, filename: str, kind: str, format: str | None = None,
              mapping: dict[str, str] | None = None, require_all: bool = True) -> ParsedFile:
    """The parsing half (importers.read); ImportFileError when the file cannot be read.
    require_all=False: a file lacking a required column is previewed (the user maps it)."""
    reader = getattr(importers, "read", None)
    if reader is None:  # pragma: no cover - only while the parsing half is being written
        raise ImportFileError(_("The file reader is not installed."))
    return reader(data, filename, kind, format=format, mapping=mapping,
                  require_all=require_all)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(old: Any, new: Any) -> bool:
    if _empty(old) and _empty(new):
        return True
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except InvalidOperation:
            return False
    if isinstance(old, str) and isinstance(new, str):
        # ＡＧＣ株式会社 (EDINET's full width) is AGC株式会社: no update, no conflict.
        return old.strip() == new.strip() or nfkc(old) == nfkc(new)
    return old == new


#: Attributes that hold a reference, and the field of the file that names it.
REFERENCE_FIELDS = {"company_id": "company_name", "employer_id": "employer",
                    "alumnus_id": "alumnus_name"}
#: Longer pairs of values are not aligned character by character (difflib is quadratic).
ALIGN_LIMIT = 4_000_000


def lost_characters(old: Any, new: Any) -> bool:
    """The file's value is the stored one with characters lost: it holds U+FFFD (a byte that
    could not be decoded), or a "?" stands where the stored value has a character Shift_JIS
    (CP932) cannot hold (Führungsetage exported to CP932 comes back as F?hrungsetage)."""
    if not isinstance(old, str) or not isinstance(new, str) or not old.strip():
        return False
    if "\ufffd" in new and "\ufffd" not in old:
        return True
    if "?" not in new or old.isascii() or not any(cp932_lacks(c) for c in old if ord(c) > 127):
        return False
    if len(old) == len(new):  # the export's own case: one "?" for each character lost
        pairs = [(o, n) for o, n in zip(old, new) if o != n]
        if all(n == "?" and cp932_lacks(o) for o, n in pairs):
            return bool(pairs)
    if len(old) * len(new) > ALIGN_LIMIT:
        return new.count("?") > old.count("?")
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if sum(b.size for b in matcher.get_matching_blocks()) * 2 < len(new):
        return False  # another text, not this one with characters lost
    # an export writes one "?" for each character it cannot hold
    return any(tag == "replace" and i2 - i1 == j2 - j1 and set(new[j1:j2]) == {"?"}
               and all(cp932_lacks(c) for c in old[i1:i2])
               for tag, i1, i2, j1, j2 in matcher.get_opcodes())


def _lossy_names(data: dict[str, Any], kind: str) -> list[str]:
    """The names of a new record (and of the records it creates) holding what a file writes
    for characters it lost (F?hrungsetage, U+FFFD): listed by label for the preview."""
    labels = FIELDS[kind]
    found = []
    for key, value in data.items():
        text = value.label if isinstance(value, NewRef) else value
        if ("name" in key or isinstance(value, NewRef)) and isinstance(text, str) \
                and may_have_lost_characters(text):
            key = REFERENCE_FIELDS.get(key, key)
            found.append(_(labels[key]) if key in labels else key)
    return found


def _load(model: type, ids: Iterable[int]) -> dict[int, Any]:
    """Records by id, LOAD_CHUNK per query."""
    ids = sorted(set(ids))
    found: dict[int, Any] = {}
    for start in range(0, len(ids), LOAD_CHUNK):
        chunk = ids[start:start + LOAD_CHUNK]
        found.update({r.id: r for r in db.session.scalars(
            select(model).where(model.id.in_(chunk)))})
    return found


# --- the plan ---------------------------------------------------------------------------------

@dataclass
class RowPlan:
    number: int
    action: str
    label: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    record_id: int | None = None
    record_label: str | None = None
    #: field -> [old, new] as shown: what the row changes, and what merge keeps as it is.
    changes: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    #: "similar to X", companies created with the row ...
    note: str | None = None
    #: the fields written (update: every differing one; merge: the empty ones filled).
    write: dict[str, Any] = field(default_factory=dict)
    #: merge/skip: the file differs from a value kept as it is.
    has_conflicts: bool = False
    #: fields whose value in the file lost characters ("?", U+FFFD): kept whatever the policy
    lost: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def by_field(values: dict[str, list[str]]) -> dict[str, list[str]]:
            return {REFERENCE_FIELDS.get(k, k): v for k, v in values.items()}

        return {"row": self.number, "action": self.action, "label": self.label,
                "record_id": self.record_id, "record_label": self.record_label,
                "changes": by_field(self.changes), "conflicts": by_field(self.conflicts),
                "note": self.note}


@dataclass
class Plan:
    kind: str
    policy: str
    rows: list[RowPlan]
    rejected: list[Problem]
    importer: KindImporter
    records: dict[int, Any]
    #: field -> the column header it came from
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def new_references(self) -> list[NewRef]:
        """Records created because rows refer to them (companies of contacts ...), used by
        at least one row that is written."""
        refs: list[NewRef] = []
        for row in self.rows:
            if row.action in ("create", "update", "merge"):
                for value in row.write.values():
                    if isinstance(value, NewRef) and value not in refs:
                        refs.append(value)
                        spec = getattr(self.importer, "contact_specs", {}).get(value)
                        company = spec.get("company_id") if spec else None
                        if isinstance(company, NewRef) and company not in refs:
                            refs.append(company)
        return refs

    def counts(self) -> dict[str, int]:
        counts = {a: 0 for a in ACTIONS}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        """{"created", "updated", "merged", "unchanged", "rejected": [...], "conflicts": [...]}:
        conflicts are the values kept because the file's had lost characters."""
        counts = self.counts()
        return {
            "created": counts["create"] + len(self.new_references),
            "updated": counts["update"],
            "merged": counts["merge"],
            "unchanged": counts["unchanged"],
            "rejected": [p.as_dict() for p in self.rejected],
            "conflicts": self.lost_conflicts(),
        }

    def lost_conflicts(self) -> list[dict[str, Any]]:
        columns = self.columns
        return [{"row": r.number, "column": columns.get(f, f), "field": f,
                 "reason": _("The file's value lost characters (“?” or “\ufffd”) that the CRM's "
                             "value has; the CRM's value was kept.")}
                for r in self.rows for f in r.lost]


def _columns(parsed: ParsedFile) -> dict[str, str]:
    """field -> the column header it came from, as written in the file."""
    return {name: parsed.headers[i] for i, name in parsed.mapping.items()
            if i < len(parsed.headers)}


def plan(parsed: ParsedFile, kind: str, policy: str = "update", *, by: Any = None,
         near_limit: int = NEAR_CHECK_LIMIT, detail_limit: int | None = PREVIEW_CAP) -> Plan:
    """What importing these rows would do; reads the database, writes nothing.

    Every row gets its action; the first `detail_limit` rows worth showing (None: all) also
    get their label and the changes and conflicts as the preview shows them."""
    kind_importer = importer_class(kind)
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}")
    importer = kind_importer(policy, by)
    importer.preload(parsed.rows)
    columns = _columns(parsed)
    rows: list[RowPlan] = []
    rejected: list[Problem] = []
    seen: dict[tuple[str, Any], int] = {}
    matched_by: dict[int, int] = {}

    def reject(row: ParsedRow, problems: list[Problem]) -> None:
        rows.append(RowPlan(row.number, "reject"))
        rejected.extend(problems)

    for row in parsed.rows:
        values = row.values
        if row.problems:
            reject(row, list(row.problems))
            continue
        missing = [group for group in REQUIRED[kind] if not any(
            (values.get(f) or "").strip() for f in group)]
        if missing:
            labels = FIELDS[kind]
            reject(row, [Problem(row.number, columns.get(group[0]) or _(labels[group[0]]), "", _(
                "Required: %(fields)s.", fields=_(" or ").join(_(labels[f]) for f in group)))
                for group in missing])
            continue
        try:
            data = importer.clean(values)
            importer.check_lengths(data)
            keys = importer.keys(data)
            duplicate = next((k for k in keys if k in seen), None)
            if duplicate is not None:
                name, _key = duplicate
                raise RowError(name if name in FIELDS[kind] else "", _(
                    "The same record as row %(row)s of this file.", row=seen[duplicate]))
            record_id = importer.match(data)
            if record_id is None:
                importer.check_new(data)
            if record_id is not None and record_id in matched_by:
                raise RowError("", _("Matches the same record as row %(row)s of this file.",
                                     row=matched_by[record_id]))
        except RowError as err:
            column = columns.get(err.field, err.field)
            value = err.value if err.value is not None else (values.get(err.field) or "")
            reject(row, [Problem(row.number, column, value, err.reason)])
            continue
        for key in keys:
            seen[key] = row.number
        if record_id is not None:
            matched_by[record_id] = row.number
        rows.append(RowPlan(row.number, "create", data=data, record_id=record_id))

    # Load the matched records (a few queries), then compare.
    records = _load(importer.model, (r.record_id for r in rows if r.record_id is not None))
    near_checked = 0
    detailed = 0

    def detail(rp: RowPlan, record: Any) -> bool:
        nonlocal detailed
        if detail_limit is not None and detailed >= detail_limit:
            return False
        detailed += 1
        rp.label = importer.label(rp.data, record)
        return True

    for rp in rows:
        if rp.action == "reject":
            continue
        record = records.get(rp.record_id) if rp.record_id is not None else None
        if record is None:
            rp.action = "create"
            rp.write = rp.data
            if detail(rp, None):
                rp.changes = {k: ["", importer.display(k, v)] for k, v in rp.data.items()}
            if near_checked < near_limit and importer.checks_near:
                near_checked += 1
                similar = importer.near(rp.data)
                if similar:
                    rp.note = _("similar to %(names)s", names=similar)
            refs = [v for v in rp.data.values() if isinstance(v, NewRef)]
            if refs:
                rp.note = "; ".join(filter(None, [rp.note, *(
                    _("creates %(name)s", name=importer.ref_label(r)) for r in refs)]))
            lossy = _lossy_names(rp.data, kind)
            if lossy:
                rp.note = "; ".join(filter(None, [rp.note, _(
                    "check %(fields)s: “?” or “\ufffd” may stand for characters the file lost "
                    "(a Shift_JIS export cannot hold them)", fields=", ".join(lossy))]))
            continue
        rp.record_label = str(getattr(record, "label", rp.record_id))
        fills: dict[str, Any] = {}
        differs: dict[str, Any] = {}
        lost: dict[str, Any] = {}
        for attr, new in rp.data.items():
            if attr not in importer.attrs:
                continue
            old = importer.current(record, attr)
            if _same(old, importer.normalise_new(attr, new)) or importer.same(attr, old, new):
                continue
            if lost_characters(old, new) or (
                    old is not None and not isinstance(new, str) and lost_characters(
                        importer.display(attr, old), importer.display(attr, new))):
                lost[attr] = new  # never written, whatever the policy (a reference by name too)
                continue
            (fills if _empty(old) else differs)[attr] = new
        rp.lost = [REFERENCE_FIELDS.get(a, a) for a in lost]
        rp.has_conflicts = (bool(differs) and policy != "update") or bool(lost)
        shown_row = bool(fills or differs) and (policy != "skip" or rp.has_conflicts) \
            or bool(lost)
        shown = {k: [importer.display(k, importer.current(record, k)),
                     importer.display(k, v)] for k, v in {**fills, **differs, **lost}.items()} \
            if shown_row and detail(rp, record) else {}
        if policy == "skip" or not (fills or differs):
            rp.action = "unchanged"
            rp.conflicts = shown if policy == "skip" else {k: shown[k] for k in lost
                                                           if k in shown}
        elif policy == "update":
            # Values the kind keeps (edited by hand since its last import) and values that
            # lost characters are conflicts: listed, never written.
            kept = {k for k in differs if importer.kept(record, k)}
            rp.write = {**fills, **{k: v for k, v in differs.items() if k not in kept}}
            rp.changes = {k: v for k, v in shown.items() if k not in kept and k not in lost}
            rp.conflicts = {k: v for k, v in shown.items() if k in kept or k in lost}
            rp.has_conflicts = bool(kept) or bool(lost)
            rp.action = "update" if rp.write else "unchanged"
        else:  # merge
            rp.write = fills
            rp.changes = {k: shown[k] for k in fills if k in shown}
            rp.conflicts = {k: shown[k] for k in (*differs, *lost) if k in shown}
            rp.action = "merge" if fills else "unchanged"
        if lost:
            labels = FIELDS[kind]
            rp.note = _("Kept %(fields)s: the file's value lost characters (“?” or “\ufffd”) "
                        "that the CRM's value has.", fields=", ".join(
                            _(labels[f]) if f in labels else f for f in rp.lost))
        refs = [v for v in rp.write.values() if isinstance(v, NewRef)]
        if refs:
            rp.note = "; ".join(filter(None, [rp.note, *(
                _("creates %(name)s", name=importer.ref_label(r)) for r in refs)]))
    rejected.sort(key=lambda p: p.row)
    return Plan(kind, policy, rows, rejected, importer, records, columns)


def commit(parsed: ParsedFile, kind: str, policy: str = "update", *, by: Any = None,
           chunk: int = 1000) -> dict[str, Any]:
    """Write the accepted rows through the services (plans again first, inside the caller's
    transaction); flushes, never commits. Raises CommitError (row and reasons) when a service
    refuses a row: the caller rolls back and nothing of the import is kept."""
    the_plan = plan(parsed, kind, policy, by=by, near_limit=0, detail_limit=0)
    importer = the_plan.importer
    created: dict[NewRef, Any] = {}
    written = 0
    for rp in the_plan.rows:
        if rp.action not in ("create", "update", "merge"):
            continue
        data = dict(rp.write)
        try:
            for key, value in data.items():
                if isinstance(value, NewRef):
                    data[key] = importer.create_reference(value, created).id
            if rp.action == "create":
                data = {k: (importer.create_reference(v, created).id
                            if isinstance(v, NewRef) else v) for k, v in rp.data.items()}
            record = the_plan.records.get(rp.record_id) if rp.record_id else None
            if record is not None or importer.bulk_create(data) is None:
                importer.save(record, data)
        except ValidationError as err:
            raise CommitError(rp.number, err.errors) from err
        written += 1
        if written % chunk == 0:
            db.session.flush()
    db.session.flush()
    summary = the_plan.summary()
    if importer.also_counts:
        summary["also"] = dict(importer.tally)
    return summary


# --- batches (the web's upload -> preview -> commit) -------------------------------------------

def read_batch(batch: ImportBatch) -> ParsedFile:
    return read_file(batch.data, batch.filename, batch.kind, format=batch.format,
                     mapping=batch.mapping_dict, require_all=False)


#: Characters of one value the preview and the result keep (a page shows 80 of them): a file
#: with long cells (up to CRM_IMPORT_MAX_CELL_CHARS each) must not make a page of megabytes.
PREVIEW_VALUE_CHARS = 200


def shorten(value: Any, limit: int = PREVIEW_VALUE_CHARS) -> Any:
    """`value` with every string longer than `limit` cut to it and an ellipsis (in lists,
    tuples and dict values too): what the preview keeps and shows of the rows."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + "…"
    if isinstance(value, dict):
        return {k: shorten(v, limit) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [shorten(v, limit) for v in value]
    return value


def ignored_columns(parsed: ParsedFile) -> list[dict[str, str]]:
    """The columns whose values are not imported: their letter and header (as in the file;
    "" for a column with no header, and for every column of a file without a header row)."""
    from importers.tabular import column_letter

    return [{"column": column_letter(i),
             "header": "" if parsed.headerless else parsed.headers[i]}
            for i in parsed.ignored if i < len(parsed.headers)]


def preview_of(parsed: ParsedFile, the_plan: Plan, cap: int = PREVIEW_CAP) -> dict[str, Any]:
    """What the preview page shows, kept with the batch: what was detected, the counts, and
    the first `cap` rejected and changed rows (with the totals), long values shortened."""
    shown = [r for r in the_plan.rows if r.action in ("create", "update", "merge")
             or (r.action == "unchanged" and r.has_conflicts)]
    summary = the_plan.summary()
    return {
        "format": parsed.format, "encoding": parsed.encoding, "header_row": parsed.header_row,
        "headers": parsed.headers,
        "mapping": {parsed.headers[i]: f for i, f in parsed.mapping.items()
                    if i < len(parsed.headers)},
        "unmapped": parsed.unmapped, "notes": parsed.notes, "rows": len(parsed.rows),
        "headerless": parsed.headerless, "sample": parsed.sample,
        "ignored_columns": ignored_columns(parsed),
        "conflicts": shorten(summary["conflicts"][:cap]),
        "counts": the_plan.counts(),
        "summary": {k: v for k, v in summary.items() if k != "rejected"},
        "references": shorten([r.label for r in the_plan.new_references[:cap]]),
        "rejected": shorten(summary["rejected"][:cap]),
        "rejected_total": len(summary["rejected"]),
        "changes": shorten([r.as_dict() for r in shown[:cap]]), "changes_total": len(shown),
    }


def create_batch(data: bytes, filename: str, kind: str, *, policy: str = "update",
                 format: str | None = None, mapping: dict[str, str] | None = None,
                 by: Any = None) -> ImportBatch:
    """Read the file (ImportFileError when it cannot be), plan it, keep it as a pending batch."""
    parsed = read_file(data, filename, kind, format=format, mapping=mapping, require_all=False)
    the_plan = plan(parsed, kind, policy, by=by)
    batch = ImportBatch(kind=kind, filename=filename[:300], format=parsed.format,
                        encoding=parsed.encoding, data=data, policy=policy, status="pending",
                        mapping=json.dumps(mapping, ensure_ascii=False) if mapping else None,
                        created_by_id=getattr(by, "id", None),
                        preview=json.dumps(preview_of(parsed, the_plan), ensure_ascii=False,
                                           default=str))
    db.session.add(batch)
    db.session.flush()
    return batch


def replan_batch(batch: ImportBatch, *, mapping: dict[str, str] | None = None,
                 policy: str | None = None, by: Any = None) -> ImportBatch:
    """Preview the batch again with another mapping or policy (ImportFileError possible)."""
    if mapping is not None:
        batch.mapping = json.dumps(mapping, ensure_ascii=False)
    if policy is not None:
        batch.policy = policy
    parsed = read_batch(batch)
    batch.preview = json.dumps(preview_of(parsed, plan(parsed, batch.kind, batch.policy, by=by)),
                               ensure_ascii=False, default=str)
    db.session.flush()
    return batch


class AlreadyCommitted(Exception):
    """The batch was committed or discarded before."""


def commit_batch(batch: ImportBatch, *, by: Any = None) -> dict[str, Any]:
    """Commit a pending batch once: claims it (a second, even concurrent, commit finds it no
    longer pending and raises AlreadyCommitted), writes its rows, keeps the summary."""
    claimed = db.session.execute(
        update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "pending")
        .values(status="committed", committed_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise AlreadyCommitted()
    summary = commit(read_batch(batch), batch.kind, batch.policy, by=by)
    db.session.refresh(batch)
    batch.summary = json.dumps({**summary, "rejected": shorten(summary.get("rejected", [])),
                                "conflicts": summary["conflicts"][:PREVIEW_CAP],
                                "conflicts_total": len(summary["conflicts"])},
                               ensure_ascii=False)
    batch.data = b""  # the file is not needed once its rows are in
    db.session.flush()
    return summary


def discard_batch(batch: ImportBatch) -> None:
    if batch.status != "pending":
        raise AlreadyCommitted()
    batch.status = "discarded"
    batch.data = b""
    db.session.flush()


def save_mapping(name: str, kind: str, mapping: dict[str, str], *, format: str | None = None,
                 by: Any = None):
    """Keep a column mapping under a name (the same name for the same kind replaces it)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"mapping_name": _("Give the mapping a name.")})
    if len(name) > 100:
        raise ValidationError({"mapping_name": _("Longer than %(limit)s characters.", limit=100)})
    saved = db.session.scalar(select(SavedMapping).where(SavedMapping.kind == kind,
                                                         SavedMapping.name == name))
    if saved is None:
        saved = SavedMapping(name=name, kind=kind, created_by_id=getattr(by, "id", None))
        db.session.add(saved)
    saved.format = format
    saved.mapping = json.dumps(mapping, ensure_ascii=False)
    db.session.flush()
    return saved
