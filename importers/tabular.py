"""CSV and xlsx: records, header row detection, column mapping and the rows as fields."""
from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator

from . import apps, limits as L, values as V
from .base import ImportFileError, ParsedRow, Problem
from .fields import BOOL_FIELDS, DATE_FIELDS, FIELDS, NUMBER_FIELDS, REQUIRED
from .i18n import _
from .labels import field_label, kind_label
from .mapping import LIST_FIELDS, expected_headers, fold_header, suggest_mapping

HEADER_SEARCH_ROWS = 20
_DELIMITERS = (",", "\t", ";")
_EMPTY_MARKS = {"-", "ー", "―", "—", "－", "n/a", "N/A", "#N/A"}
_EMPTY_OK = DATE_FIELDS | NUMBER_FIELDS

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

Record = tuple[int, list]   # (row number as Excel shows it, cells)


# ---------------------------------------------------------------------------- CSV records
def sniff_delimiter(text: str) -> str:
    lines = [line for line in text[:65536].splitlines()[:30] if line.strip()]
    best, best_count = ",", 0
    for delim in _DELIMITERS:
        count = sum(line.count(delim) for line in lines)
        if count > best_count:
            best, best_count = delim, count
    return best


def csv_stream(text: str) -> tuple[Iterator[Record], str, list[str]]:
    """The records of a CSV text with their row numbers (a quoted line break stays in its cell,
    as in Excel), lazily; the delimiter; notes."""
    notes: list[str] = []
    offset = 0
    first_line = text[:20].split("\n", 1)[0].strip().lower()
    if first_line.startswith("sep=") and len(first_line) == 5:  # Excel's delimiter hint
        delimiter = first_line[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""  # Excel hides the line
    else:
        delimiter = sniff_delimiter(text)
    if delimiter == "\t":
        notes.append(_("Tab-separated values read."))
    elif delimiter == ";":
        notes.append(_("Semicolon-separated values read."))

    limits = L.current()
    # Every delimiter starts a cell: a line of a million commas would be a list of a million
    # cells before any row could be checked, so count them first (in C, nothing copied).
    if text.count(delimiter) > limits.max_cells:
        raise ImportFileError(
            _("The file has more than {limit} cells (the limit, {setting}): split it into "
              "smaller files.").format(limit=L.number(limits.max_cells),
                                       setting=L.setting("max_cells")))

    def records() -> Iterator[Record]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = offset
        last_span = 0
        previous_line = 0
        try:
            for cells in reader:
                number += 1
                last_span = reader.line_num - previous_line
                previous_line = reader.line_num
                if number > limits.max_rows:
                    raise ImportFileError(too_many_rows(limits))
                if len(cells) > limits.max_columns:
                    raise ImportFileError(too_many_columns(number, len(cells), limits))
                if cells and max(map(len, cells)) > limits.max_cell_chars:
                    index = next(i for i, c in enumerate(cells) if len(c) > limits.max_cell_chars)
                    raise ImportFileError(cell_too_long(number, column_letter(index),
                                                        len(cells[index]), limits))
                yield number, cells
        except csv.Error as exc:  # e.g. a NUL in a cell
            raise ImportFileError(
                _("Row {row} cannot be read as CSV ({error}).").format(
                    row=number + 1, error=exc)) from None
        if number > offset and last_span > 1 and text.count('"') % 2 == 1:
            raise ImportFileError(
                _('Row {row}: a quote (") opens a cell that is never closed, so the rest of the '
                  "file would be read as one cell. Fix the quote and try again.")
                .format(row=number))

    return records(), delimiter, notes


def too_many_rows(limits: L.Limits) -> str:
    return _("The file has more than {limit} rows (the limit, {setting}): split it into "
             "smaller files.").format(limit=L.number(limits.max_rows),
                                      setting=L.setting("max_rows"))


def too_many_columns(row: int, count: int, limits: L.Limits) -> str:
    return _("Row {row} has {count} cells; the limit is {limit} columns ({setting}).").format(
        row=row, count=L.number(count), limit=L.number(limits.max_columns),
        setting=L.setting("max_columns"))


def cell_too_long(row: int, column: str, length: int, limits: L.Limits) -> str:
    return _("Row {row}, column {column}: the cell holds {length} characters; a cell may hold "
             "at most {limit} ({setting}). Nothing was read.").format(
        row=row, column=column, length=L.number(length), limit=L.number(limits.max_cell_chars),
        setting=L.setting("max_cell_chars"))


def csv_records(text: str) -> tuple[list[Record], str, list[str]]:
    stream, delimiter, notes = csv_stream(text)
    return list(stream), delimiter, notes


def head_of(stream: Iterator[Record]) -> list[Record]:
    """The first records, up to HEADER_SEARCH_ROWS non-empty ones (the header is among them)."""
    head: list[Record] = []
    seen = 0
    for record in stream:
        head.append(record)
        if any(V.clean(c) for c in record[1]):
            seen += 1
            if seen >= HEADER_SEARCH_ROWS:
                break
    return head


# ---------------------------------------------------------------------------- xlsx records
def _calamine_failure(filename: str, exc: BaseException) -> ImportFileError:
    return ImportFileError(
        _('"{name}" cannot be read as an Excel (.xlsx) file ({error}).')
        .format(name=filename, error=str(exc) or exc.__class__.__name__))


def xlsx_stream(data: bytes, filename: str, sheet: str | None
                ) -> tuple[Iterator[Record], list[str]]:
    """The records of one sheet of an .xlsx file, read with python-calamine: the sheet named,
    or else the first sheet with a value in it. Dates come as date/datetime objects, numbers as
    float (V.clean makes 5070001000715.0 "5070001000715"), empty cells as "". Row numbers and
    columns are the sheet's own (A1 is row 1, column 0), whatever rows or columns are empty."""
    from python_calamine import CalamineWorkbook

    from . import xlsx_guard
    from .xlsx_errors import error_cells

    # Before calamine opens anything: every member inflated once, streaming, within the
    # bounds of importers/limits.py (a zip bomb is refused after at most the bound's bytes),
    # its CRC checked (a damaged archive is refused whichever part is damaged: calamine reads
    # only the parts it needs), and each sheet's extent and longest text found.
    report = xlsx_guard.inspect(data, filename)

    # Everything else that can fail on a malformed file (the XML of the workbook and of the
    # sheets, which calamine parses in full when a sheet is opened) happens here, before the
    # first record is returned. Malformed XML may also make the Rust parser panic, which
    # surfaces as a BaseException (pyo3's PanicException): that, too, is the file's fault.
    def failure(exc: BaseException) -> ImportFileError:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
            raise exc
        return _calamine_failure(filename, exc)

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except BaseException as exc:  # noqa: BLE001 - see failure()
        raise failure(exc) from None
    notes: list[str] = []
    if sheet is not None and sheet not in names:
        raise ImportFileError(
            _('"{name}" has no sheet "{sheet}"; its sheets are: {sheets}.')
            .format(name=filename, sheet=sheet, sheets=", ".join(names)))

    def has_value(ws) -> bool:
        if ws.start is None:
            return False
        return any(any(c != "" for c in row) for row in ws.iter_rows())

    chosen = None
    chosen_part = None
    for name in [sheet] if sheet is not None else names:
        # calamine allocates the rectangle the sheet spans: refuse an absurd one first (when
        # the workbook does not say which part is the sheet, the widest part is checked)
        part = xlsx_guard.part_for(data, report, name)
        xlsx_guard.check_sheet(part or xlsx_guard.widest(report), filename, name)
        try:
            ws = book.get_sheet_by_name(name)
        except BaseException as exc:  # noqa: BLE001 - see failure()
            raise failure(exc) from None
        if has_value(ws):
            chosen, chosen_part = ws, part
            break
    book.close()
    if chosen is None:
        raise ImportFileError(_('"{name}" has no data: every sheet is empty.')
                              .format(name=filename))
    if len(names) > 1:
        notes.append(_('Sheet "{sheet}" read.').format(sheet=chosen.name))
    errors = error_cells(data, chosen_part.name) if chosen_part and chosen_part.has_errors \
        else {}

    def records() -> Iterator[Record]:
        # iter_rows gives the rows above the first value as empty rows (so row numbers are the
        # sheet's), but starts each row at the first column holding a value: the columns to its
        # left are put back so that column indexes and letters are the sheet's.
        pad = [""] * chosen.start[1]
        for number, row in enumerate(chosen.iter_rows(), start=1):
            cells = pad + row if pad else row
            if errors and number in errors:
                for index, text in errors[number].items():
                    if index >= len(cells):
                        cells.extend([""] * (index + 1 - len(cells)))
                    cells[index] = text
            while cells and cells[-1] == "":
                cells.pop()
            yield number, cells

    return records(), notes


# ---------------------------------------------------------------------------- header row
def _header_texts(cells: list) -> list[str]:
    return [V.clean(c) for c in cells]


def find_header(records: list[Record], kind: str,
                user_mapping: dict[str, str] | None) -> tuple[int, list[str], dict[int, str]]:
    """(index in records, header texts, automatic mapping) of the header row: among the first
    non-empty rows, the one whose cells name the most known fields (ties: the earliest)."""
    user_folded = {fold_header(k) for k in (user_mapping or {})}
    best: tuple[int, int, list[str], dict[int, str]] | None = None
    seen = 0
    for index, (_number, cells) in enumerate(records):
        if not any(V.clean(c) for c in cells):
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            break
        headers = _header_texts(cells)
        auto = suggest_mapping(headers, kind)
        score = len(set(auto.values()))
        if user_folded:
            score += sum(1 for h in headers if h and fold_header(h) in user_folded)
        if best is None or score > best[0]:
            best = (score, index, headers, auto)
    if best is None:
        raise ImportFileError(_("The file has no rows."))
    return best[1], best[2], best[3]


#: A cell that is a value, not a column name: an e-mail, a web address, a number, a date or a
#: phone number (digits with - / . , ( ) + and spaces).
_VALUE_RE = re.compile(r"^(?:[^@\s]+@[^@\s]+\.[^@\s]+"   # an e-mail
                       r"|https?://\S+"                  # a web address
                       r"|[+\-]?[\d\s,./()\-]*\d[\d\s,./()\-]*)$")  # number, date, phone
#: Rows below a candidate header compared with it (a header's text is not a value below it).
_COMPARE_ROWS = 10


class HeaderlessFile(ImportFileError):
    """A file with no header row, read where nothing names its columns (the command line
    without --map): the message says so; `sample` holds its first rows, `width` its columns."""

    def __init__(self, message: str, sample: list[list[str]], width: int):
        super().__init__(message)
        self.sample = sample
        self.width = width


def is_headerless(records: list[Record], index: int, auto: dict[int, str],
                  user_mapping: dict[str, str] | None) -> bool:
    """The row found as the header (`index`) is the file's first row of data: none of its cells
    names a field (nor a column the user mapped), and one holds a value (an e-mail, a number, a
    date ...), two are the same, or one is repeated in its column below (a header's text is not a
    value of its own column)."""
    if auto:
        return False
    cells = _header_texts(records[index][1])
    if user_mapping:
        named = {fold_header(k) for k in user_mapping if column_position(str(k)) is None}
        if any(c and fold_header(c) in named for c in cells):
            return False
    texts = [c for c in cells if c]
    if not texts:
        return False
    if len(set(texts)) < len(texts) or any(_VALUE_RE.match(c) for c in texts):
        return True
    for _number, row in records[index + 1:index + 1 + _COMPARE_ROWS]:
        if any(cells[i] and V.clean(c) == cells[i] for i, c in enumerate(row[:len(cells)])):
            return True
    return False


def data_width(records: Iterable[Record]) -> int:
    """Columns up to the last one holding a value in any of these rows."""
    width = 0
    for _number, cells in records:
        for i in range(len(cells) - 1, width - 1, -1):
            if V.clean(cells[i]):
                width = i + 1
                break
    return width


#: Rows of a file kept to show on the preview (a file without a header shows more of them),
#: and the characters of each cell kept.
SAMPLE_ROWS, SAMPLE_HEADERLESS_ROWS, SAMPLE_CHARS = 3, 5, 60


def sample_of(records: Iterable[Record], width: int, rows: int) -> list[list[str]]:
    """The first `rows` non-empty rows, `width` cells each (padded), every cell shortened."""
    sample: list[list[str]] = []
    for _number, cells in records:
        texts = [V.clean(c) for c in cells[:width]]
        if not any(texts):
            continue
        texts += [""] * (width - len(texts))
        sample.append([t if len(t) <= SAMPLE_CHARS else t[:SAMPLE_CHARS] + "…" for t in texts])
        if len(sample) >= rows:
            break
    return sample


def headerless_message() -> str:
    return _("This file has no header row: its first row holds values, not column names. "
             "Name the columns (A, B, C ...) to import them.")


#: A header longer than this is no header (headers are kept with the preview and shown on it).
HEADER_MAX_CHARS = 1_000


def check_duplicates(headers: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, header in enumerate(headers):
        if not header:
            continue
        if len(header) > HEADER_MAX_CHARS:
            raise ImportFileError(
                _("The header of column {letter} is {length} characters long; a header may be "
                  "at most {limit}.").format(letter=column_letter(i), length=L.number(len(header)),
                                             limit=L.number(HEADER_MAX_CHARS)))
        key = header.strip()
        if key in seen:
            first = seen[key]
            raise ImportFileError(
                _('The header "{header}" appears twice: column {first} ({first_letter}) and '
                  "column {second} ({second_letter}). Rename one of them.").format(
                    header=key, first=first + 1, first_letter=column_letter(first),
                    second=i + 1, second_letter=column_letter(i)))
        seen[key] = i


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS_RE = re.compile(r"^[A-Za-z]{1,3}$")


def column_position(key: str) -> int | None:
    """The column a mapping key names by position: "3" (the third) or "C" / "c" (Excel's letter),
    0-based; None for any other key (a header's text)."""
    key = key.strip()
    if key.isdigit() and key.isascii():
        return int(key) - 1 if int(key) >= 1 else None
    if _LETTERS_RE.match(key):
        index = 0
        for letter in key.upper():
            index = index * 26 + ord(letter) - 64
        return index - 1
    return None


def column_for(key: str, headers: list[str]) -> int | None:
    """The column a mapping key names: its header as written, or folded, or else its number or
    letter; None when no column of these headers is meant."""
    key = str(key).strip()
    for i, header in enumerate(headers):
        if header and header == key:
            return i
    folded = fold_header(key)
    for i, header in enumerate(headers):
        if header and fold_header(header) == folded:
            return i
    position = column_position(key)
    return position if position is not None and position < len(headers) else None


def apply_user_mapping(headers: list[str], auto: dict[int, str], kind: str,
                       user_mapping: dict[str, str] | None) -> dict[int, str]:
    """The automatic mapping with the user's over it: a key is a header (as written or folded)
    or a column's number or letter ("3", "C"); a field of "" ignores the column."""
    if not user_mapping:
        return auto
    chosen: dict[int, tuple[str, str]] = {}
    for key, field in user_mapping.items():
        index = column_for(key, headers)
        if index is not None and (index not in chosen or str(key).strip() == headers[index]):
            chosen[index] = (str(key).strip(), field)
    mapping: dict[int, str] = {}
    for i in range(len(headers)):
        if i in chosen:
            header, field = chosen[i]
            if field:
                if field not in FIELDS[kind]:
                    raise ImportFileError(
                        _('The column "{header}" is mapped to "{field}", which is not a field '
                          "of {kind}.").format(header=header, field=field,
                                               kind=kind_label(kind)))
                mapping[i] = field
        elif i in auto:
            mapping[i] = auto[i]
    return mapping


def check_required(mapping: dict[int, str], kind: str, headers: list[str], filename: str,
                   groups: bool = True, sample: list[list[str]] | None = None
                   ) -> list[tuple[str, ...]]:
    """Refuse a file none of whose headers is a field of `kind`, or (groups=True) one that
    lacks a required field; with groups=False return the required groups it lacks. A file
    without a header row (`sample` given: its first rows) is refused, when nothing maps its
    columns and groups=True, as a HeaderlessFile."""
    mapped = set(mapping.values())
    if not mapped and sample is not None:
        if groups:
            raise HeaderlessFile(headerless_message(), sample, len(headers))
        return [tuple(group) for group in REQUIRED[kind]]
    if not mapped:
        raise ImportFileError(
            _('None of the headers of "{name}" is a field of {kind}: expected headers such as '
              "{expected}. Is this the right kind of import?").format(
                name=filename, kind=kind_label(kind), expected=expected_headers(kind)))
    missing = [tuple(group) for group in REQUIRED[kind] if not mapped & set(group)]
    for group in missing if groups else ():
        labels = " / ".join(field_label(kind, f) for f in group)
        raise ImportFileError(
            _('No column of "{name}" gives {labels} for {kind}: expected a header such as '
              "{expected}.").format(name=filename, labels=labels, kind=kind_label(kind),
                                    expected=expected_headers(kind, group)))
    return missing


# ---------------------------------------------------------------------------- values
def normaliser(field: str) -> Callable[[str], str] | None:
    if field in DATE_FIELDS:
        return V.parse_date
    if field in BOOL_FIELDS:
        return V.parse_bool
    if field in NUMBER_FIELDS:
        return V.parse_number
    if field in ("corporate_number", "company_corporate_number"):
        return V.corporate_number
    if field in ("email", "alumnus_email", "officer_email"):
        return V.email
    if field.endswith("reading"):
        return V.reading
    if field == "postal_code":
        return lambda v: V.nfkc(v).lstrip("〒").strip()
    if field in ("phone", "mobile"):
        return V.nfkc
    if field == "other_emails":
        return lambda v: "; ".join(V.email(p) for p in _split_list(V.nfkc(v)))
    return None


def _split_list(text: str) -> list[str]:
    return [p for p in re.split(r"\s*(?:;|,|\n|:::)\s*", text) if p.strip()]


class RowBuilder:
    """Turns cells into ParsedRow values with the mapping; shared by CSV, xlsx and app formats."""

    def __init__(self, headers: list[str], mapping: dict[int, str], kind: str,
                 app: str | None = None):
        self.headers = headers
        self.kind = kind
        self.app = app
        self.mapping = mapping
        self.header_index: dict[str, int] = {}
        for i, header in enumerate(headers):
            if header:
                self.header_index.setdefault(fold_header(header), i)
        plan: dict[str, list[int]] = {}
        for index in sorted(mapping):
            plan.setdefault(mapping[index], []).append(index)
        self.single = [(idx[0], f, normaliser(f)) for f, idx in plan.items() if len(idx) == 1]
        self.multi = [(f, idx, normaliser(f)) for f, idx in plan.items() if len(idx) > 1]
        self.width = len(headers)
        self.last_header = max((i for i, h in enumerate(headers) if h), default=-1)
        self.fixup = apps.FIXUPS.get(app) if app else None
        #: columns without a header (below the last header); those found holding data
        self.blank_columns = [i for i, h in enumerate(headers) if not h and i < self.last_header]
        self.blank_with_data: set[int] = set()
        self.split_names = "full_name" in FIELDS[kind]
        self.max_cell_chars = L.current().max_cell_chars

    def _one(self, number, index, field, func, raw, values, problems):
        value = V.clean(raw)
        if not value:
            return
        if func is not None:
            if value in _EMPTY_MARKS and field in _EMPTY_OK:
                return
            try:
                value = func(value)
            except V.ValueProblem as exc:
                problems.append(Problem(number, self.headers[index], V.clean(raw), str(exc)))
                return
            if not value:
                return
        values[field] = value

    def build(self, number: int, cells: list) -> ParsedRow | None:
        n = len(cells)
        values: dict[str, str] = {}
        problems: list[Problem] = []
        clean = V.clean
        for index, field, func in self.single:  # inlined _one: the hot loop
            if index >= n:
                continue
            value = clean(cells[index])
            if not value:
                continue
            if func is not None:
                if value in _EMPTY_MARKS and field in _EMPTY_OK:
                    continue
                try:
                    value = func(value)
                except V.ValueProblem as exc:
                    problems.append(Problem(number, self.headers[index], clean(cells[index]),
                                            str(exc)))
                    continue
                if not value:
                    continue
            values[field] = value
        for field, indexes, func in self.multi:
            parts: list[tuple[int, str]] = []
            for index in indexes:
                if index < n:
                    got: dict[str, str] = {}
                    self._one(number, index, field, func, cells[index], got, problems)
                    if field in got:
                        parts.append((index, got[field]))
            if parts:
                self._combine(field, parts, values)
        if self.fixup is not None:
            self.fixup(self, cells, values)
        for index in self.blank_columns:
            if index < n and index not in self.blank_with_data and clean(cells[index]):
                self.blank_with_data.add(index)
        if not values and not problems and not any(V.clean(c) for c in cells):
            return None  # an empty row (a row with data only in unmapped columns is kept)
        extra = [c for c in cells[self.last_header + 1:] if clean(c)] \
            if n > self.last_header + 1 else None
        if extra:
            problems.append(Problem(
                number, column_letter(self.last_header + 1), V.clean(extra[0]),
                _("this row has {cells} cells but the header has {headers}: the values past the "
                  "last header would be lost").format(cells=n, headers=self.last_header + 1)))
        limit = self.max_cell_chars
        for field, value in values.items():
            if len(value) > limit:
                index = next((i for i, f in self.mapping.items() if f == field), None)
                column = self.headers[index] if index is not None and self.headers[index] \
                    else column_letter(index or 0)
                raise ImportFileError(cell_too_long(number, column, len(value), L.current()))
        if self.split_names:
            split_person(values)
        return ParsedRow(number, values, problems)

    def _combine(self, field: str, parts: list[tuple[int, str]], values: dict[str, str]) -> None:
        if field in LIST_FIELDS:
            values[field] = "; ".join(v for _i, v in parts)
        elif field == "notes":  # after lines other fields' extra columns put there, if any
            values[field] = "\n".join(filter(None, [
                "\n".join(f"{self.headers[i]}: {v}" for i, v in parts), values.get(field)]))
        elif field == "address":
            values[field] = join_address([v for _i, v in parts])
        else:
            values[field] = parts[0][1]
            rest = [f"{self.headers[i]}: {v}" for i, v in parts[1:] if v != parts[0][1]]
            if rest and "notes" in FIELDS[self.kind] and not (self.app == "eight"
                                                              and field == "phone"):
                values["notes"] = "\n".join(filter(None, [values.get("notes"), *rest]))


def join_address(parts: Iterable[str]) -> str:
    parts = [p for p in parts if p]
    if any(V.is_japanese(p) for p in parts):
        return "".join(parts)
    return ", ".join(parts)


def split_person(values: dict[str, str]) -> None:
    """full_name -> family/given and full_name_reading -> readings, when those are absent."""
    full = values.get("full_name")
    if full and not values.get("family_name") and not values.get("given_name"):
        family, given = V.split_name(full)
        values["family_name"] = family
        if given:
            values["given_name"] = given
    reading = values.get("full_name_reading")
    if reading and not values.get("family_name_reading") and not values.get("given_name_reading"):
        family, given = V.split_name(reading)
        if given or not values.get("given_name"):
            values["family_name_reading"] = family
            if given:
                values["given_name_reading"] = given


def build_rows(records: Iterable[Record], builder: RowBuilder) -> list[ParsedRow]:
    rows: list[ParsedRow] = []
    build = builder.build
    for number, cells in records:
        if not cells:
            continue
        row = build(number, cells)
        if row is not None:
            rows.append(row)
    return rows


def blank_column_notes(builder: RowBuilder) -> list[str]:
    return [_("Column {letter} has no header: its values are not imported.")
            .format(letter=column_letter(i)) for i in sorted(builder.blank_with_data)]
