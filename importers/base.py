"""The contract between the parsing half (importers/) and the save path (crm/imports/).

`importers.read(...)` turns the bytes of an uploaded file into a `ParsedFile`: the format and
encoding found, the header row, which column maps to which field, and the rows as plain strings
keyed by field name (see importers/fields.py). It never touches the database.
A file that cannot be read at all raises `ImportFileError` with a message for the user.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Largest file accepted, in bytes (the web form and the CLI say so when refused).
MAX_FILE_BYTES = 50 * 1024 * 1024

#: Formats `read` knows; `format=None` detects one.
FORMATS = ("csv", "xlsx", "vcard", "eight", "google", "outlook", "thunderbird", "atena", "garoon",
           "cybozu")


class ImportFileError(Exception):
    """The file as a whole cannot be read (empty, binary, too large, unknown encoding, duplicate
    headers, the wrong kind...). The message names the reason and is shown to the user as is."""


@dataclass
class Problem:
    """One rejected value: 1-based row number as a spreadsheet shows it, the column header as
    written in the file (or the field name), the value, and why."""
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value,
                "reason": self.reason}


@dataclass
class ParsedRow:
    #: 1-based line/row number in the file as the user sees it (the header is not row 1 of data:
    #: a CSV whose header is on line 2 has its first data row on line 3, and that is `number`).
    number: int
    #: field name -> value, stripped; empty cells are left out. Values stay strings, except
    #: where the field list says a type (dates as ISO 'YYYY-MM-DD', booleans as 'true'/'false').
    values: dict[str, str]
    #: problems found while parsing this row (a date that is no date, ...); the save path
    #: rejects a row with problems and adds its own (a missing required field, ...).
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ParsedFile:
    format: str                      # one of FORMATS
    encoding: str | None             # 'utf-8', 'utf-8-sig', 'cp932', 'utf-16' ... (None for xlsx)
    kind: str                        # companies, contacts, ... (importers/fields.py KINDS)
    header_row: int | None           # 1-based line of the header; None for vCard
    headers: list[str]               # as written in the file
    #: header index -> field name, for the headers that map; the others are listed in `unmapped`
    mapping: dict[int, str]
    unmapped: list[str]
    rows: list[ParsedRow]
    #: notes for the user that are not errors ("3 title lines skipped", "sheet 'Sheet1' read")
    notes: list[str] = field(default_factory=list)
    #: the file has no header row: `headers` are the column letters (A, B ...), every row is data
    headerless: bool = False
    #: the first rows of data as cells (shortened), to show beside the column mapping
    sample: list[list[str]] = field(default_factory=list)
    #: indexes of the columns whose values are not imported (no field mapped; blank headers
    #: holding values included)
    ignored: list[int] = field(default_factory=list)
