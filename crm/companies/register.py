"""Japan's corporate-number register (国税庁 法人番号公表サイト) against our companies.

`import_register(path)` streams a published file (importers/houjin.py: the zip as downloaded or
its CSV, UTF-8 or CP932) and compares the rows of our companies' corporate numbers with them:

* empty fields of ours are filled: reading (furigana), English name, address, postcode;
* closure (閉鎖: date and cause) and the successor on a merger (承継先) are the register's, set
  and cleared as it says;
* a name that differs from the register's is never overwritten: the register's name waits on
  the review page (`register_name`) until someone accepts it or keeps ours
  (`register_name_kept`: not asked again until the register changes the name).

Every line of the file is checked before anything is written (a bad file changes nothing);
the changes are flushed in the caller's one transaction and audited like any other (the audit
trail's actor is the caller's). Running the same file again changes nothing.
"""
from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.common.services import ValidationError
from crm.common.text import nfkc
from crm.companies.models import Company
from crm.companies.services import save_company
from crm.extensions import db
from importers.houjin import RegisterReader, RegisterRow, open_register

#: Companies loaded per query while applying rows.
CHUNK = 500
#: The columns of ours the register fills when they are empty: column -> RegisterRow attribute.
FILLS = {"name_reading": "furigana", "name_en": "en_name", "address": "address",
         "postal_code": "postal_code"}


@dataclass
class ImportReport:
    """What an import found and did (the CLI prints it, --json writes it)."""

    file: str
    encoding: str = ""
    lines: int = 0
    rows: int = 0
    matched: int = 0
    changed: int = 0
    filled: int = 0
    to_review: int = 0
    closed: int = 0
    reopened: int = 0
    skipped: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0
    peak_bytes: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items()}
        data["rows_per_second"] = round(self.rows_per_second)
        data["seconds"] = round(self.seconds, 3)
        data["read_seconds"] = round(self.read_seconds, 3)
        return data


def same_name(ours: str | None, theirs: str | None) -> bool:
    """Names that differ only in width or spacing (ＡＢＣ株式会社, ABC 株式会社) are the same."""
    def key(text: str | None) -> str:
        return "".join(nfkc(text).split())
    return key(ours) == key(theirs)


def our_numbers() -> set[str]:
    """Every corporate number we hold (a few hundred thousand at most: a set of short strings)."""
    return set(db.session.scalars(
        select(Company.corporate_number).where(Company.corporate_number.is_not(None))))


def latest_rows(path: Path, wanted: set[str], report: ImportReport) -> dict[str, RegisterRow]:
    """The newest current row (latest=1) of each wanted number in the file; every line checked
    first (RegisterFileError names the first bad one)."""
    found: dict[str, RegisterRow] = {}
    with open_register(path) as stream:
        reader = RegisterReader(stream, wanted=wanted)
        report.encoding = reader.encoding
        for row in reader:
            if not row.latest:
                continue  # a 差分 file's history rows: what the corporation used to be
            held = found.get(row.number)
            if held is None or (row.update_date, row.sequence) >= (held.update_date,
                                                                     held.sequence):
                found[row.number] = row
        report.lines, report.rows = reader.lines, reader.rows
    return found


def apply_row(company: Company, row: RegisterRow, report: ImportReport) -> list[str]:
    """Bring one company in line with its register row; the names of the columns changed."""
    changed: list[str] = []

    def put(column: str, value: Any) -> None:
        if getattr(company, column) != value:
            setattr(company, column, value)
            changed.append(column)

    if row.process == "99":  # 削除: the number was withdrawn; nothing in the row to trust
        report.skipped += 1
        return changed
    for column, attribute in FILLS.items():
        value = getattr(row, attribute)
        if value and not getattr(company, column):
            put(column, value[:company.__table__.c[column].type.length])
            report.filled += 1
    was_closed = company.closed_on is not None
    put("closed_on", row.close_date)
    put("close_cause", row.close_cause or None)
    put("successor_number", row.successor or None)
    if row.close_date and not was_closed:
        report.closed += 1
    elif was_closed and not row.close_date:
        report.reopened += 1
    if same_name(company.name, row.name) or row.name == company.register_name_kept:
        put("register_name", None)
    else:
        put("register_name", row.name[:300])
    if company.register_name:
        report.to_review += 1
    if changed:
        put("register_updated_on", row.update_date)
        if {"name_reading", "name_en"} & set(changed):
            company.refresh_derived()
    return changed


def import_register(path: Path, *, measure_memory: bool = False) -> ImportReport:
    """Compare a register file with our companies and apply what it says (flushed, not
    committed: the caller commits once, or rolls back for a dry run)."""
    report = ImportReport(file=path.name)
    started = time.perf_counter()
    if measure_memory:
        tracemalloc.start()
    try:
        rows = latest_rows(path, our_numbers(), report)
        report.read_seconds = time.perf_counter() - started
        report.matched = len(rows)
        numbers = sorted(rows)
        for start in range(0, len(numbers), CHUNK):
            chunk = numbers[start:start + CHUNK]
            for company in db.session.scalars(
                    select(Company).where(Company.corporate_number.in_(chunk))):
                changed = apply_row(company, rows[company.corporate_number], report)
                if changed:
                    report.changed += 1
                    report.changes.append({"id": company.id, "name": company.name,
                                           "number": company.corporate_number,
                                           "changed": changed})
            db.session.flush()
    finally:
        if measure_memory:
            report.peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    report.seconds = time.perf_counter() - started
    return report


# -- the review page's decisions ----------------------------------------------------------------

def pending_reviews():
    """select() of the companies whose register name awaits a decision."""
    return select(Company).where(Company.register_name.is_not(None))


def decide_register_name(company: Company, register_name: str, accept: bool) -> Company:
    """Take the register's name (through the company service: rules, derived keys, audit) or
    keep ours (not asked again for this register name). register_name is the name the user
    saw: a decision about a name the register has since changed is refused."""
    if not company.register_name or company.register_name != register_name:
        raise ValidationError({"register_name": _(
            "The register's name for %(name)s has changed or was decided meanwhile; look again.",
            name=company.name)})
    if accept:
        data = {"name": register_name, "corporate_number": company.corporate_number}
        company = save_company(company, data)
        company.register_name_kept = None
    else:
        company.register_name_kept = register_name
    company.register_name = None
    db.session.flush()
    return company


def successor(company: Company) -> Company | None:
    """Our company holding the successor's corporate number (a merger), if we have it."""
    if not company.successor_number:
        return None
    return db.session.scalar(
        select(Company).where(Company.corporate_number == company.successor_number))
