"""Error cells (#N/A, #DIV/0!, #REF!...) of one worksheet of an .xlsx file.

python-calamine reads an error cell as empty; openpyxl read it as its text ("#N/A"). To keep
the text (so a formula error in, say, a corporate-number column is reported for its row rather
than silently imported as a blank), the worksheet's XML is searched for error cells. The search
streams the part and keeps nothing unless the file has an error cell (t="e"), which is rare:
then the part is read again and the error cells collected.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MARK = b't="e"'
_CHUNK = 1 << 20
#: An error cell: <c r="B5" s="2" t="e"><f>...</f><v>#N/A</v></c> (any attribute order, any
#: namespace prefix).
_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*\bt="e"[^>/]*)>(.*?)</(?:\w+:)?c>', re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The name of the zip member holding a sheet's XML, from workbook.xml and its rels."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = None
    for element in book.iter(f"{_MAIN}sheet"):
        if element.get("name") == sheet:
            rel_id = element.get(f"{_REL}id")
            break
    if rel_id is None:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for element in rels.iter(f"{_PKG_REL}Relationship"):
        if element.get("Id") == rel_id:
            target = element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    return None


def _has_error_cell(archive: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if _MARK in tail + chunk[:len(_MARK)] or _MARK in chunk:
                return True
            tail = chunk[-len(_MARK):]
    return False


def error_cells(archive: zipfile.ZipFile, sheet: str) -> dict[int, dict[int, str]]:
    """{row number (1-based): {column index (0-based): error text}} for one sheet; empty when
    it has none or when the workbook's structure is not what Excel writes (then nothing is
    added: the cells stay empty, as python-calamine reads them)."""
    try:
        part = _sheet_part(archive, sheet)
        if part is None or not _has_error_cell(archive, part):
            return {}
        xml = archive.read(part)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError):
        return {}
    found: dict[int, dict[int, str]] = {}
    for match in _CELL.finditer(xml):
        ref = _REF.search(match.group(1))
        value = _VALUE.search(match.group(2))
        if ref is None or value is None:
            continue
        text = value.group(1).decode("utf-8", "replace")
        found.setdefault(int(ref.group(2)), {})[_column_index(ref.group(1))] = text
    return found
