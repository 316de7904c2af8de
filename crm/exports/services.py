"""Partner lists (連携先リスト): the filtered company or contact list as CSV (UTF-8 with BOM, or
CP932), .xlsx or vCard, as the exporting role may see it.

One query (plus one for the donation currencies) selects the rows with their aggregates as
correlated subqueries; rows are streamed from the cursor and written as they come, so 50,000
companies never become 50,000 ORM objects. Every export is written to the audit trail.

Text cells are made safe from formula injection: in CSV a cell beginning with = + - @ (or tab,
CR, or their full-width forms) gets a leading apostrophe; in .xlsx such a cell is written as a
string with Excel's quote prefix, never as a formula.

Do-not-contact people are exported (the list stays complete) with a "Do not contact" column set
and their e-mail and telephone numbers left blank, unless the caller asks for them explicitly
(`dnc_details`).
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import Date, func, select
from sqlalchemy.orm import Session, aliased
import xlsxwriter

from crm.activities.models import Activity, activity_contacts
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.common.cells import formula_like, quoted
from crm.common.fields import FieldTable
from crm.common.services import ValidationError
from crm.common.text import person_name
from crm.companies.fields import COMPANY_FIELDS
from crm.companies.forms import TIER_LABELS
from crm.companies.queries import (
    clean_args,
    companies_query,
    filter_errors,
    order_companies,
)
from crm.companies.models import Company
from crm.contacts.fields import CONTACT_FIELDS
from crm.contacts.models import Contact
from crm.contacts.queries import contacts_query, order_contacts
from crm.donations.models import Donation
from crm.events.models import Encounter
from crm.extensions import db
from crm.common.time import office_today

KINDS = ("companies", "contacts")
FORMATS = ("csv", "csv-cp932", "xlsx", "vcard")
EXTENSIONS = {"csv": "csv", "csv-cp932": "csv", "xlsx": "xlsx", "vcard": "vcf"}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-cp932": "text/csv; charset=windows-31j",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vcard": "text/vcard; charset=utf-8",
}
#: Rows fetched from the cursor at a time, and CSV rows encoded per chunk.
BATCH = 1000
#: Column widths in .xlsx (characters; a full-width character counts two).
MIN_WIDTH, MAX_WIDTH = 6, 50
#: Characters whose JIS form CP932 holds at another code point (what Windows writes for them).
CP932_VARIANTS = str.maketrans({
    "\u301c": "\uff5e",  # 〜 WAVE DASH -> ～
    "\u2212": "\uff0d",  # − MINUS SIGN -> －
    "\u2016": "\u2225",  # ‖ -> ∥
    "\u2014": "\u2015",  # — EM DASH -> ―
    "\u00a2": "\uffe0", "\u00a3": "\uffe1", "\u00ac": "\uffe2",  # ¢ £ ¬ -> full width
})
#: How many replaced cells a message names before "and N more".
REPORT_CELLS = 5


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    #: text | code (digits kept as text) | date | int | money
    type: str = "text"
    number_format: str | None = None


@dataclass
class Table:
    kind: str
    columns: list[Column]
    rows: Iterator[tuple]


@dataclass
class Request:
    """What to export, as whom."""
    kind: str
    format: str
    args: dict[str, str]
    #: The role may see donations (donations.view): donation columns and filters.
    donations: bool
    #: Export e-mail and phone numbers of do-not-contact people too (asked for explicitly).
    dnc_details: bool = False
    #: Only these companies (the rows ticked on the list), within the filters.
    ids: tuple[int, ...] = ()

    def check(self) -> None:
        """Refuse an unknown list or format, or a filter value that cannot be used."""
        errors: dict[str, str] = {}
        if self.kind not in KINDS:
            errors["kind"] = _("Unknown list “%(kind)s”: use companies or contacts.",
                               kind=self.kind)
        elif self.format not in FORMATS or (self.format == "vcard" and self.kind != "contacts"):
            errors["format"] = _("Unknown format “%(format)s” for this list.", format=self.format)
        else:
            errors.update(filter_errors(self.kind, self.args, donations=self.donations))
        if errors:
            raise ValidationError(errors)

    @property
    def applied(self) -> dict[str, str]:
        return applied_filters(self.kind, self.args, donations=self.donations)


def applied_filters(kind: str, args: Mapping[str, Any], *, donations: bool) -> dict[str, str]:
    """The filters that shape the list (valid and allowed): what the audit trail records."""
    cleaned = clean_args(kind, args, donations=donations)
    errors = filter_errors(kind, cleaned, donations=donations)
    if "min_donations" not in cleaned:
        cleaned.pop("currency", None)
    return {k: v for k, v in cleaned.items() if k not in errors}


@dataclass
class Result:
    rows: int = 0
    #: Characters CP932 cannot encode, replaced by "?", and the cells they were in.
    replaced: int = 0
    #: How many cells had a character replaced, and the first few of them (row, column).
    replaced_cell_count: int = 0
    replaced_cells: list[tuple[int, str]] = field(default_factory=list)

    def replaced_message(self) -> str:
        if not self.replaced:
            return ""
        cells = ", ".join(_("row %(row)s (%(column)s)", row=row, column=column)
                          for row, column in self.replaced_cells[:REPORT_CELLS])
        more = self.replaced_cell_count - REPORT_CELLS
        if more > 0:
            cells += " " + _("and %(n)s more cells", n=more)
        return _("%(n)s characters that Shift_JIS (CP932) cannot hold were replaced by “?”: "
                 "%(cells)s. Export as UTF-8 CSV or Excel to keep them.",
                 n=self.replaced, cells=cells)


# -- the rows -----------------------------------------------------------------------------------

def _later(a: date | None, b: date | None) -> date | None:
    return max(a, b) if a and b else (a or b)


def _money_format(currency: str) -> str:
    return "#,##0" if currency in ("JPY", "KRW") else "#,##0.00"


def _execute(stmt, session: Session | None):
    """The rows of a statement fetched from the cursor in batches, never all at once."""
    return (session or db.session).execute(stmt.execution_options(yield_per=BATCH))


#: Cell types for a column the exports have no header of their own for (see _columns).
_DATE, _TEXT = Column("", "", "date", "yyyy-mm-dd"), Column("", "")


def _columns(fields: FieldTable, own: dict[str, Column]) -> list[Column]:
    """The exported columns of a record: the field table's exportable ones, in its order, each
    as the exports write it (`own`: header and cell type), or else under the field's label
    (a date as a date): a column marked exportable is exported without a change here."""
    out = []
    for name in fields.names("exportable"):
        if name in own:
            out.append(own[name])
        else:
            kind = _DATE if isinstance(fields.model.__table__.c[name].type, Date) else _TEXT
            out.append(Column(name, str(fields.label(name)), kind.type, kind.number_format))
    return out


def _selected(fields: FieldTable, model: type, instead: dict[str, Any]) -> list:
    """The exportable columns to select, each labelled by its field name."""
    return [instead.get(name, getattr(model, name)).label(name)
            for name in fields.names("exportable")]


def company_table(req: Request, session: Session | None = None) -> Table:
    """The company list as filtered: one row per company, aggregates as subqueries."""
    base = _base(req)
    officer = aliased(User)
    last_activity = (select(func.max(Activity.occurred_on))
                     .where(Activity.company_id == Company.id).scalar_subquery())
    last_encounter = (select(func.max(Encounter.met_on))
                      .join(Contact, Encounter.contact_id == Contact.id)
                      .where(Contact.company_id == Company.id).scalar_subquery())
    n_contacts = (select(func.count(Contact.id)).where(Contact.company_id == Company.id)
                  .scalar_subquery())
    currencies: list[str] = []
    if req.donations:
        ids = base.with_only_columns(Company.id).order_by(None)
        found = db.session.execute(
            select(Donation.currency).where(Donation.company_id.in_(ids)).distinct()
        ).scalars().all()
        currencies = ["JPY"] + sorted(set(found) - {"JPY"})
    donation_totals = [
        select(func.sum(Donation.amount))
        .where(Donation.company_id == Company.id, Donation.currency == code).scalar_subquery()
        for code in currencies
    ]
    fields = _selected(COMPANY_FIELDS, Company, {"officer_id": officer.name})
    stmt = (base.with_only_columns(*fields, last_activity, last_encounter, n_contacts,
                                   *donation_totals)
            .outerjoin(officer, officer.id == Company.officer_id)
            .order_by(*order_companies(req.args)))
    columns = [
        *_columns(COMPANY_FIELDS, {
            "name": Column("name", _("Company name")),
            "name_reading": Column("name_reading", _("Reading")),
            "corporate_number": Column("corporate_number", _("Corporate number"), "code", "@"),
            "membership_tier": Column("membership_tier", _("Membership")),
            "renewal_date": Column("renewal_date", _("Renewal"), "date", "yyyy-mm-dd"),
            "officer_id": Column("officer", _("Officer")),
        }),
        Column("last_contact", _("Last contact"), "date", "yyyy-mm-dd"),
        Column("contacts", _("Number of contacts"), "int", "#,##0"),
        *(Column(f"donations_{code}", _("Donations (%(currency)s)", currency=code), "money",
                 _money_format(code)) for code in currencies),
    ]
    tiers = {key: str(label) for key, label in TIER_LABELS.items()}
    n = len(fields)
    tier = [f.name for f in fields].index("membership_tier") \
        if "membership_tier" in COMPANY_FIELDS.names("exportable") else None

    def rows() -> Iterator[tuple]:
        for r in _execute(stmt, session):
            own = list(r[:n])
            if tier is not None:
                own[tier] = tiers.get(own[tier], own[tier])
            yield (*own, _later(r[n], r[n + 1]), r[n + 2], *r[n + 3:n + 3 + len(currencies)])

    return Table("companies", columns, rows())


def contact_rows_statement(req: Request):
    """The contact list's exportable columns (labelled by field name), then the last dates met
    at an encounter and at an activity."""
    base = contacts_query(req.args, donations=req.donations)
    last_encounter = (select(func.max(Encounter.met_on))
                      .where(Encounter.contact_id == Contact.id).scalar_subquery())
    last_activity = (select(func.max(Activity.occurred_on))
                     .join(activity_contacts, activity_contacts.c.activity_id == Activity.id)
                     .where(activity_contacts.c.contact_id == Contact.id).scalar_subquery())
    return (base.with_only_columns(
        *_selected(CONTACT_FIELDS, Contact, {"company_id": Company.name}),
        last_encounter.label("last_encounter"), last_activity.label("last_activity"))
        .order_by(*order_contacts(req.args)))


#: What a do-not-contact person's export leaves blank (unless asked for explicitly).
DNC_HIDDEN = ("email", "phone", "mobile")


def contact_table(req: Request, session: Session | None = None) -> Table:
    """The contact list as filtered; do-not-contact people flagged, their details blank."""
    stmt = contact_rows_statement(req)
    columns = [
        *_columns(CONTACT_FIELDS, {
            "company_id": Column("company", _("Company")),
            "department": Column("department", pgettext("company", "Department")),
            "phone": Column("phone", _("Phone"), "code", "@"),
            "mobile": Column("mobile", _("Mobile"), "code", "@"),
        }),
        Column("last_met", _("Last met"), "date", "yyyy-mm-dd"),
    ]
    names = CONTACT_FIELDS.names("exportable")
    yes = _("Yes")

    def rows() -> Iterator[tuple]:
        for r in _execute(stmt, session):
            values = r._mapping
            dnc = bool(values["do_not_contact"])
            hide = dnc and not req.dnc_details
            yield (*(None if hide and name in DNC_HIDDEN else
                     (yes if dnc else None) if name == "do_not_contact" else values[name]
                     for name in names),
                   _later(values["last_encounter"], values["last_activity"]))

    return Table("contacts", columns, rows())


def table(req: Request, session: Session | None = None) -> Table:
    return (company_table if req.kind == "companies" else contact_table)(req, session)


def _base(req: Request):
    """select(Company) or select(Contact) as the list filters it (and the selection, if any)."""
    if req.kind != "companies":
        return contacts_query(req.args, donations=req.donations)
    base = companies_query(req.args, donations=req.donations)
    return base.where(Company.id.in_(req.ids)) if req.ids else base


def count(req: Request) -> int:
    """How many rows the export will have (one COUNT query)."""
    base = _base(req)
    return db.session.execute(
        select(func.count()).select_from(base.order_by(None).subquery())).scalar_one()


# -- cells --------------------------------------------------------------------------------------

def _plain_number(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal(1)) if value == value.to_integral() else value, "f")
    return str(value)


def csv_cell(value: Any) -> str:
    """A value as CSV text: ISO dates, plain numbers, formula-like text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return _plain_number(value)
    return quoted(str(value))


# -- CSV ----------------------------------------------------------------------------------------

def csv_chunks(tbl: Table, encoding: str, result: Result) -> Iterator[bytes]:
    """The CSV file in pieces: UTF-8 with a BOM (Excel in Japan reads it right), or CP932 with
    the characters it lacks replaced by "?" and counted in result."""
    cp932 = encoding == "cp932"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    headers = [c.header for c in tbl.columns]

    def encode(text: str) -> bytes:
        return text.encode("cp932") if cp932 else text.encode("utf-8")

    def fix(row: list[str], row_no: int) -> list[str]:
        out = []
        for text, header in zip(row, headers):
            if not text.isascii():
                text = text.translate(CP932_VARIANTS)
                try:
                    text.encode("cp932")
                except UnicodeEncodeError:
                    kept = []
                    for ch in text:
                        try:
                            ch.encode("cp932")
                            kept.append(ch)
                        except UnicodeEncodeError:
                            kept.append("?")
                            result.replaced += 1
                    text = "".join(kept)
                    result.replaced_cell_count += 1
                    if len(result.replaced_cells) < REPORT_CELLS:
                        result.replaced_cells.append((row_no, header))
            out.append(text)
        return out

    header_row = [csv_cell(h) for h in headers]
    writer.writerow(fix(header_row, 1) if cp932 else header_row)
    prefix = "" if cp932 else "\ufeff"
    row_no = 1
    for row in tbl.rows:
        row_no += 1
        cells = [csv_cell(v) for v in row]
        writer.writerow(fix(cells, row_no) if cp932 else cells)
        if row_no % BATCH == 0:
            yield encode(prefix + buf.getvalue())
            prefix = ""
            buf.seek(0)
            buf.truncate()
        result.rows += 1
    yield encode(prefix + buf.getvalue())


# -- xlsx ---------------------------------------------------------------------------------------

def _width(value: Any, column: Column) -> int:
    if value is None:
        return 0
    if column.type == "date":
        return 10
    if column.type in ("int", "money"):
        return len(f"{value:,}") + (3 if column.number_format.endswith(".00") else 0)
    text = str(value)
    if text.isascii():
        return len(text)
    # A CJK character is three bytes in UTF-8 and two columns wide; accents are two and one.
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


#: Control characters an .xlsx cannot hold (XML 1.0); dropped from text cells.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


#: Pixels per character of column width (Calibri 11, Excel's default font). A width given in
#: pixels as width * 7 is stored as exactly `width` characters in the file, as before.
_PIXELS_PER_CHAR = 7


def write_xlsx(tbl: Table, out: BinaryIO, result: Result, title: str) -> None:
    """An .xlsx workbook written with XlsxWriter in constant_memory mode (each row goes to a
    temporary file as it is written, so memory stays flat): typed cells, a number format per
    column, widths fitted to the content (capped), the header row bold and frozen, an
    autofilter.

    Every text cell is written with write_string (never write(), which would turn "=..." into
    a formula); a text that a spreadsheet would read as a formula also gets Excel's quote
    prefix, so it stays text when the cell is edited. Column widths and the autofilter are only
    written out when the workbook is closed, so they are measured while the rows stream by.
    Nothing reaches `out` before every row has been read."""
    ncols = len(tbl.columns)
    widths = [_width(c.header, Column("", "")) + 2 for c in tbl.columns]
    with tempfile.TemporaryDirectory(prefix="kakehashi-xlsx-") as tmp:
        wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tmp})
        ws = wb.add_worksheet(title[:31])
        try:
            header_fmt = wb.add_format({"bold": True, "pattern": 1, "bg_color": "#DDE6F0"})
            header_quoted = wb.add_format({"bold": True, "pattern": 1, "bg_color": "#DDE6F0",
                                           "quote_prefix": True})
            for i, column in enumerate(tbl.columns):
                text = _xlsx_value(column.header)
                ws.write_string(0, i, text, header_quoted if formula_like(text) else header_fmt)
            ws.freeze_panes(1, 0)
            # One format per column (and one with the quote prefix for formula-like text).
            formats, quoted = [], []
            for column in tbl.columns:
                fmt = {"num_format": column.number_format} if column.number_format else {}
                formats.append(wb.add_format(fmt) if fmt else None)
                quoted.append(wb.add_format({**fmt, "quote_prefix": True}))
            write_string, write_number = ws.write_string, ws.write_number
            write_datetime, write_boolean = ws.write_datetime, ws.write_boolean
            cols = list(zip(range(ncols), tbl.columns, formats, quoted))
            row_no = 0
            for row in tbl.rows:
                row_no += 1
                for (i, column, fmt, quote_fmt), value in zip(cols, row):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        value = _xlsx_value(value)
                        if not value:
                            continue
                        write_string(row_no, i, value, quote_fmt if formula_like(value) else fmt)
                    elif isinstance(value, bool):
                        write_boolean(row_no, i, value, fmt)
                    elif isinstance(value, (int, float)):
                        write_number(row_no, i, value, fmt)
                    elif isinstance(value, Decimal):
                        write_number(row_no, i, int(value) if value == value.to_integral_value()
                                     else float(value), fmt)
                    elif isinstance(value, (date, datetime)):
                        write_datetime(row_no, i, value, fmt)
                    else:
                        value = _xlsx_value(str(value))
                        write_string(row_no, i, value, quote_fmt if formula_like(value) else fmt)
                    if widths[i] < MAX_WIDTH:
                        widths[i] = max(widths[i], _width(value, column) + 1)
            result.rows = row_no
            for i, width in enumerate(widths):
                ws.set_column_pixels(i, i, max(MIN_WIDTH, min(MAX_WIDTH, width))
                                     * _PIXELS_PER_CHAR)
            ws.autofilter(0, 0, row_no, ncols - 1)
        except BaseException:
            # Not closed: nothing is written to `out`; the row file goes with the directory.
            fh = getattr(ws, "row_data_fh", None)
            if fh is not None and not fh.closed:
                fh.close()
            raise
        wb.close()


# -- vCard --------------------------------------------------------------------------------------

def _escape(text: str | None) -> str:
    """A vCard 3.0 text value (RFC 2426): backslash, comma, semicolon and newlines escaped."""
    return (text or "").replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;") \
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets folded (CRLF + space), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts, current, size, limit = [], [], 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(ch)
        size += n
    parts.append("".join(current))
    return "\r\n ".join(parts) + "\r\n"


def vcard_chunks(req: Request, result: Result,
                 session: Session | None = None) -> Iterator[bytes]:
    """One .vcf of vCard 3.0 cards in UTF-8: N, FN, readings (X-PHONETIC-* as iOS and Android
    read them, and SORT-STRING), ORG with the department, TITLE, EMAIL, TEL, and a NOTE for
    do-not-contact people (whose e-mail and phones are left out unless asked for)."""
    stmt = contact_rows_statement(req)
    note = _("Do not contact")
    return _vcards(req, result, stmt, note, session)


def _vcards(req: Request, result: Result, stmt, note: str,
            session: Session | None) -> Iterator[bytes]:
    out: list[str] = []
    for r in _execute(stmt, session):
        v = r._mapping
        family, given, family_reading, given_reading, company, title, department, email, \
            phone, mobile, dnc = (v[k] for k in (
                "family_name", "given_name", "family_name_reading", "given_name_reading",
                "company_id", "title", "department", "email", "phone", "mobile",
                "do_not_contact"))
        hide = dnc and not req.dnc_details
        lines = ["BEGIN:VCARD", "VERSION:3.0",
                 f"N:{_escape(family)};{_escape(given)};;;",
                 f"FN:{_escape(person_name(family, given))}"]
        if family_reading:
            lines.append(f"X-PHONETIC-LAST-NAME:{_escape(family_reading)}")
        if given_reading:
            lines.append(f"X-PHONETIC-FIRST-NAME:{_escape(given_reading)}")
        if family_reading or given_reading:
            reading = " ".join(p for p in (family_reading, given_reading) if p)
            lines.append(f"SORT-STRING:{_escape(reading)}")
        if company or department:
            org = _escape(company)
            if department:
                org += ";" + _escape(department)
            lines.append(f"ORG:{org}")
        if title:
            lines.append(f"TITLE:{_escape(title)}")
        if not hide:
            if email:
                lines.append(f"EMAIL;TYPE=INTERNET,WORK:{_escape(email)}")
            if phone:
                lines.append(f"TEL;TYPE=WORK,VOICE:{_escape(phone)}")
            if mobile:
                lines.append(f"TEL;TYPE=CELL:{_escape(mobile)}")
        if dnc:
            lines.append(f"NOTE:{_escape(note)}")
        lines.append("END:VCARD")
        out.append("".join(_fold(line) for line in lines))
        result.rows += 1
        if len(out) >= BATCH:
            yield "".join(out).encode("utf-8")
            out = []
    yield "".join(out).encode("utf-8")


# -- putting it together ------------------------------------------------------------------------

def title(req: Request) -> str:
    return _("Companies") if req.kind == "companies" else _("Contacts")


def chunks(req: Request, result: Result, session: Session | None = None) -> Iterator[bytes]:
    """The file as a stream of bytes (CSV and vCard; .xlsx is written to a file)."""
    if req.format == "vcard":
        return vcard_chunks(req, result, session)
    return csv_chunks(table(req, session), "cp932" if req.format == "csv-cp932" else "utf-8",
                      result)


def stream(req: Request) -> Iterator[bytes]:
    """The file as a stream for an HTTP response that is sent after the request has ended.

    Everything that needs the request (permissions, translated headers, the currency columns)
    is settled now; the rows are then read through a session of the stream's own, opened when
    the first piece is sent and closed when the last one is (or when the client goes away)."""
    session = Session(db.engine)
    try:
        pieces = chunks(req, Result(), session)
    except BaseException:
        session.close()
        raise

    def generate() -> Iterator[bytes]:
        try:
            yield from pieces
        finally:
            session.close()

    return generate()


def write(req: Request, out: BinaryIO) -> Result:
    """Write the whole export to a binary file; the Result says how many rows."""
    req.check()
    result = Result()
    if req.format == "xlsx":
        write_xlsx(table(req), out, result, title(req))
    else:
        for piece in chunks(req, result):
            out.write(piece)
    return result


def filename(req: Request, today: date | None = None) -> str:
    day = (today or office_today()).strftime("%Y%m%d")
    return f"kakehashi-{req.kind}-{day}.{EXTENSIONS[req.format]}"


def record_export(req: Request, rows: int, *, by: User | None, actor: str | None = None,
                  ) -> AuditEntry:
    """The audit-trail entry for an export: who exported which list, in which format, with which
    filters, how many rows, and whether donation columns or do-not-contact details went out.
    `by` is the user exporting (None for the command line); `actor` names them in the trail
    (default: their e-mail)."""
    user_id = by.id if by is not None else None
    actor = actor or (by.email if by is not None else "cli")
    number = (db.session.scalar(select(func.max(AuditEntry.entity_id))
                                .where(AuditEntry.entity == "exports")) or 0) + 1
    changes = {
        "list": [None, req.kind], "format": [None, req.format],
        "filters": [None, req.applied], "rows": [None, rows],
    }
    if req.kind == "companies":
        changes["donation_columns"] = [None, req.donations]
    if req.ids:
        changes["selection"] = [None, list(req.ids)]
    else:
        changes["do_not_contact_details"] = [None, req.dnc_details]
    entry = AuditEntry(user_id=user_id, actor=actor[:254], action="create", entity="exports",
                       entity_id=number, label=f"Export {req.kind} ({req.format}, {rows} rows)",
                       changes=changes)
    db.session.add(entry)
    db.session.flush()
    return entry
