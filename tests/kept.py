"""What an address-book import kept: each value a file's mapped columns hold, looked for in the
contacts the import created. Used by tests/test_importers_apps.py and bench/import_formats.py.

A value is kept when each of its words (split on spaces, ; , and :::) is found in the stored
contact (its fields, its company's name, its notes), compared after NFKC, case and kana folding;
numbers (phones, dates) are compared by their digits."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from importers.base import ParsedFile
from importers.folding import fold_text

FIXTURES = Path(__file__).parent / "fixtures" / "importers"

#: the address-book and card-app fixtures: file -> (format detected, rows in, rows rejected)
ADDRESS_BOOKS: dict[str, tuple[str, int, int]] = {
    "thunderbird.csv": ("thunderbird", 3, 0),
    "outlook.csv": ("outlook", 2, 0),
    "outlook_ja_cp932.csv": ("outlook", 2, 0),
    "outlook_de_cp1252.csv": ("outlook", 1, 0),
    "outlook_fr_cp1252.csv": ("outlook", 1, 0),
    "google_legacy.csv": ("google", 2, 0),
    "google_2023.csv": ("google", 1, 0),
    "atena_shokunin.csv": ("atena", 2, 0),
    "cybozu_office_cp932.csv": ("cybozu", 2, 0),
    "garoon.csv": ("garoon", 2, 0),
    "eight_fixed15.csv": ("eight", 1, 0),
    "eight_with_tags_cp932.csv": ("eight", 3, 1),
    "vcard/apple_contacts_ja.vcf": ("vcard", 1, 0),
}

_WORDS = re.compile(r"[\s;,、]+|:::")
_DIGITS = re.compile(r"\D")
#: Google's own groups ("* myContacts", "* starred"), left out on purpose by google_fixup
_SYSTEM_LABELS = {"*", "mycontacts", "starred", "*mycontacts", "*starred"}


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", fold_text(text))


def stored_text(contact) -> tuple[str, str]:
    """(folded text, digits) of everything a contact keeps."""
    parts = [contact.family_name, contact.given_name, contact.family_name_reading,
             contact.given_name_reading, contact.title, contact.department, contact.email,
             contact.other_emails, contact.phone, contact.mobile, contact.how_we_met,
             contact.notes, contact.company.name if contact.company else None,
             # a full name / full reading written in one column
             (contact.family_name or "") + (contact.given_name or ""),
             (contact.family_name_reading or "") + (contact.given_name_reading or "")]
    text = "|".join(p for p in parts if p)
    return _fold(text), _DIGITS.sub("", text)


def is_kept(value: str, stored: tuple[str, str]) -> bool:
    folded, digits = stored
    for word in _WORDS.split(value):
        if not word.strip() or _fold(word) in _SYSTEM_LABELS:
            continue
        number = _DIGITS.sub("", word)
        if len(number) >= 4 and len(number) * 2 >= len(word.replace("-", "")):
            if number not in digits:
                return False
        elif _fold(word) not in folded:
            return False
    return True


def mapped_cells(data: bytes, parsed: ParsedFile) -> dict[int, dict[str, str]]:
    """row number -> {header: cell} of the file's mapped, non-empty cells (CSV files)."""
    text = data.decode(parsed.encoding)
    rows: dict[int, dict[str, str]] = {}
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number <= (parsed.header_row or 0):
            continue
        rows[number] = {parsed.headers[i]: cells[i].strip() for i in parsed.mapping
                        if i < len(cells) and cells[i].strip()}
    return rows


def lost_values(data: bytes, parsed: ParsedFile, contacts: list, rejected: set[int]) -> list[str]:
    """'row N, header: value' for each mapped value not found in the contact its row made
    (found by its e-mail address). vCard files: the card's values instead of the cells."""
    by_email = {c.email.lower(): c for c in contacts if c.email}
    if parsed.format == "vcard":
        cells = {row.number: {k: v for k, v in row.values.items() if k != "full_name"}
                 for row in parsed.rows}
    else:
        cells = mapped_cells(data, parsed)
    lost = []
    for row in parsed.rows:
        if row.number in rejected:
            continue
        contact = by_email.get((row.values.get("email") or "").lower())
        if contact is None:
            lost.append(f"row {row.number}: no contact created")
            continue
        stored = stored_text(contact)
        for header, value in cells.get(row.number, {}).items():
            if not is_kept(value, stored):
                lost.append(f"row {row.number}, {header}: {value}")
    return lost
