""".xlsx files are zips of XML: check what they would inflate to before a reader touches them.

python-calamine allocates the whole rectangle a sheet spans (32 bytes a cell: a sheet with one
cell at A1 and one at XFD1048576 asks for 512 GiB and aborts the process), and any reader inflates
whatever the zip holds (a 4 MB file can hold a 1 GB sheet). So, before calamine or openpyxl
opens the file, `inspect(data, filename)`:

1. reads the zip directory and refuses a member, or all members together, declared larger
   than `max_member_bytes` / `max_uncompressed_bytes`;
2. inflates every member itself, streaming, *counting* the bytes (the directory can lie: a
   member that inflates past what its directory entry declares is refused as damaged, and the
   bounds are checked on the bytes counted), checking each member's CRC as it goes;
3. while inflating, scans each XML member for the cells it places (`<row r>`, `<c r>`, and
   cells without a reference, placed as calamine places them), the `<dimension>` it declares
   and its longest run of text, without building anything per cell.

`check_sheet(report, part, filename, sheet)` then refuses a sheet whose extent passes
`max_rows`, `max_columns` or `max_cells` (rows x columns); `sheet_part(archive, name)` finds a
sheet's member from workbook.xml (parsed with defusedxml). Messages name the bound and its
setting (importers/limits.py).
"""
from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

from . import limits as L
from .base import ImportFileError
from .i18n import _

_CHUNK = 1 << 20
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref\s*=\s*["\']([^"\']*)["\']')
# The tokens calamine reads when cells or rows have no reference (the careful path).
_TOKEN = re.compile(rb"<(/?)(?:\w+:)?(row|c)([\s/][^>]*)?>")
_REF_ATTR = re.compile(rb'\br\s*=\s*["\']\$?([A-Za-z]{0,7})\$?(\d{1,12})')
_RANGE_REF = re.compile(r"\$?([A-Za-z]{1,7})\$?(\d{1,12})")


def column_index(letters: str | bytes) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27, 'XFD' -> 16384 (1-based)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def column_letters(index: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class PartScan:
    """What one XML member places: its extent (1-based; 0 = none) and its longest text."""
    name: str
    max_row: int = 0
    max_col: int = 0
    declared_rows: int = 0
    declared_cols: int = 0
    longest_text: int = 0
    has_errors: bool = False
    #: the careful path's state (cells or rows without a reference)
    careful: bool = False
    _row: int = 0
    _col: int = 0


@dataclass
class Report:
    members: dict[str, PartScan] = field(default_factory=dict)
    total_bytes: int = 0


def _failure(filename: str, error: str) -> ImportFileError:
    return ImportFileError(_('"{name}" cannot be read as an Excel (.xlsx) file ({error}).')
                           .format(name=filename, error=error))


def _too_large_member(filename: str, member: str, limit: int) -> ImportFileError:
    return ImportFileError(
        _('"{name}" is refused: its part {member} inflates to more than {limit} (the limit for '
          "one part of an Excel file, {setting}). A real sheet of that size is too large to "
          "import at once: split it into smaller files.")
        .format(name=filename, member=member, limit=L.size(limit),
                setting=L.setting("max_member_bytes")))


def _too_large_total(filename: str, limit: int) -> ImportFileError:
    return ImportFileError(
        _('"{name}" is refused: it inflates to more than {limit} (the limit for an Excel file '
          "once unzipped, {setting}). Split it into smaller files.")
        .format(name=filename, limit=L.size(limit), setting=L.setting("max_uncompressed_bytes")))


_LT = ord("<")
_PREFIXED = re.compile(rb":(?:c|row)[\s>/]")
_WINDOW = 16  # bytes read after r=" : up to 3 letters (XFD), 7 digits (1048576) and a quote


def _name_char(values):
    """XML name characters (ASCII): letters, digits, - _ . :"""
    return (((values | 32) >= 97) & ((values | 32) <= 122)) | ((values >= 48) & (values <= 58)) \
        | (values == 45) | (values == 95) | (values == 46)


def _elements(a, lts, name: bytes):
    """(all, plain): positions of the '<' of every NAME element, and the windows after `r="`
    of those written `<NAME r="` (as Excel and every common writer write them)."""
    import numpy as np

    at = lts
    for i, byte in enumerate(name, start=1):
        at = at[a[at + i] == byte]
    at = at[~_name_char(a[at + len(name) + 1])]  # <c ... but not <col, <cfRule
    plain = at
    for i, byte in enumerate(b' r="', start=len(name) + 1):
        plain = plain[a[plain + i] == byte]
    starts = plain + len(name) + 5
    return at, a[starts[:, None] + np.arange(_WINDOW)]


def _parse_refs(window):
    """(column, row, well-formed) arrays for reference windows like b'XFD1048576"...'."""
    import numpy as np

    letter = (window >= 65) & (window <= 90)
    digit = (window >= 48) & (window <= 57)
    n_letters = np.argmin(letter, axis=1)  # letters come first
    col = np.zeros(len(window), dtype=np.int64)
    for i in range(4):
        col = np.where(n_letters > i, col * 26 + (window[:, i].astype(np.int64) - 64), col)
    index = np.arange(_WINDOW)[None, :]
    end = np.argmin(np.where(index >= n_letters[:, None], digit, True), axis=1)
    row = np.zeros(len(window), dtype=np.int64)
    for i in range(_WINDOW - 1):
        inside = (i >= n_letters) & (i < end)
        row = np.where(inside, row * 10 + (window[:, i].astype(np.int64) - 48), row)
    n_digits = end - n_letters
    closed = window[np.arange(len(window)), end] == 34
    well = (n_letters <= 3) & (n_digits >= 1) & (n_digits <= 8) & closed
    return col, row, well


def _scan_part(scan: PartScan, part: bytes) -> None:
    """The longest text and the extent of the cells in `part` (complete tags only), with numpy:
    a few array operations per chunk, nothing in Python per cell."""
    import numpy as np

    a = np.frombuffer(part + b"\0" * (_WINDOW + 8), dtype=np.uint8)
    lts = np.flatnonzero(a[:len(part)] == _LT)
    if len(lts) == 0:
        scan.longest_text = max(scan.longest_text, len(part))
        return
    longest = max(int(lts[0]), len(part) - int(lts[-1]))
    if len(lts) > 1:
        longest = max(longest, int(np.diff(lts).max()))
    scan.longest_text = max(scan.longest_text, longest)
    if not scan.has_errors and (b't="e"' in part or b"t='e'" in part):
        scan.has_errors = True
    if scan.careful or _PREFIXED.search(part):
        _scan_tokens(scan, part)
        return
    cells, cell_refs = _elements(a, lts, b"c")
    rows, row_refs = _elements(a, lts, b"row")
    if len(cell_refs) != len(cells) or len(row_refs) != len(rows):
        _scan_tokens(scan, part)  # a cell or row without a reference, or spelt otherwise
        return
    col, cell_row, cell_ok = _parse_refs(cell_refs)
    _col, row, row_ok = _parse_refs(row_refs)
    if not (cell_ok.all() and row_ok.all()):
        _scan_tokens(scan, part)
        return
    if len(col):
        scan.max_col = max(scan.max_col, int(col.max()))
        scan.max_row = max(scan.max_row, int(cell_row.max()))
    if len(row):
        scan.max_row = max(scan.max_row, int(row.max()))


def _scan_tokens(scan: PartScan, part: bytes) -> None:
    """calamine's placement, tag by tag: a row without r follows the previous row, a cell
    without r follows the previous cell of its row."""
    if not scan.has_errors and (b't="e"' in part or b"t='e'" in part):
        scan.has_errors = True
    if not scan.careful:  # start where the fast path left off: after the rows seen
        scan.careful, scan._row, scan._col = True, scan.max_row, 0
    row, col = scan._row, scan._col
    max_row, max_col = scan.max_row, scan.max_col
    for match in _TOKEN.finditer(part):
        closing, tag, attrs = match.group(1), match.group(2), match.group(3) or b""
        if tag == b"row":
            if closing:
                row += 1
                col = 0
            elif not attrs.rstrip().endswith(b"/"):
                ref = _REF_ATTR.search(attrs)
                if ref is not None:
                    row = int(ref.group(2)) - 1
            continue
        if closing or attrs.rstrip().endswith(b"/"):
            continue  # </c>, or an empty <c/> (calamine skips it)
        ref = _REF_ATTR.search(attrs)
        if ref is not None and ref.group(1):
            cell_row, col = int(ref.group(2)) - 1, column_index(ref.group(1)) - 1
        else:
            cell_row = row
        max_row = max(max_row, cell_row + 1)
        max_col = max(max_col, col + 1)
        col += 1
    scan.max_row, scan.max_col = max_row, max_col
    scan._row, scan._col = row, col


def _scan_dimension(scan: PartScan, part: bytes) -> None:
    match = _DIMENSION.search(part)
    if match is None:
        return
    refs = _RANGE_REF.findall(match.group(1).decode("ascii", "replace"))
    if refs:
        scan.declared_rows = max(int(r) for _c, r in refs)
        scan.declared_cols = max(column_index(c) for c, _r in refs)


def inspect(data: bytes, filename: str, limits: L.Limits | None = None) -> Report:
    """Inflate every member once, within the bounds; ImportFileError when a bound is passed or
    the zip is damaged (bad CRC, a member larger than its directory entry says)."""
    limits = limits or L.current()
    text_limit = _text_limit(limits)
    report = Report()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
            NotImplementedError, RuntimeError) as exc:
        raise _failure(filename, str(exc) or exc.__class__.__name__) from None
    with archive:
        infos = archive.infolist()
        declared_total = 0
        for info in infos:
            if info.file_size > limits.max_member_bytes:
                raise _too_large_member(filename, info.filename, limits.max_member_bytes)
            declared_total += info.file_size
            if declared_total > limits.max_uncompressed_bytes:
                raise _too_large_total(filename, limits.max_uncompressed_bytes)
        for info in infos:
            if info.is_dir():
                continue
            scan = PartScan(info.filename)
            report.members[info.filename] = scan
            lower = info.filename.lower()
            xml = lower.endswith((".xml", ".rels")) or "." not in posixpath.basename(lower)
            # Cells' text lives in the sheets and the shared strings: there a text longer than
            # a cell may be is refused; elsewhere (themes, custom XML) only a memory bound.
            text_bound = text_limit if "worksheets/" in lower or \
                lower.endswith("sharedstrings.xml") else max(text_limit, _OTHER_TEXT_BYTES)
            # Open the member as if it could be as large as the bound: zipfile would otherwise
            # stop at the size the directory declares, and hide a member that inflates past it.
            probe = copy.copy(info)
            probe.file_size = limits.max_member_bytes + 1
            counted = 0
            carry = b""
            first = True
            try:
                with archive.open(probe) as stream:
                    while True:
                        chunk = stream.read(_CHUNK)
                        if not chunk:
                            break
                        counted += len(chunk)
                        report.total_bytes += len(chunk)
                        if counted > info.file_size:
                            raise _failure(filename, f"{info.filename} inflates to more than "
                                           f"the {info.file_size:,} bytes its directory entry "
                                           "declares")
                        if counted > limits.max_member_bytes:
                            raise _too_large_member(filename, info.filename,
                                                    limits.max_member_bytes)
                        if report.total_bytes > limits.max_uncompressed_bytes:
                            raise _too_large_total(filename, limits.max_uncompressed_bytes)
                        if not xml:
                            continue
                        buf = carry + chunk if carry else chunk
                        cut = buf.rfind(b">") + 1
                        part, carry = buf[:cut], buf[cut:]
                        if len(carry) > text_bound:
                            raise _long_text(filename, info.filename, limits)
                        if part:
                            if first:
                                _scan_dimension(scan, part)
                                first = False
                            _scan_part(scan, part)
                            if scan.longest_text > text_bound:
                                raise _long_text(filename, info.filename, limits)
            except ImportFileError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
                    NotImplementedError, RuntimeError) as exc:
                raise _failure(filename, str(exc) or exc.__class__.__name__) from None
            if counted != info.file_size:
                raise _failure(filename, f"{info.filename} inflates to {counted:,} bytes, not "
                               f"the {info.file_size:,} its directory entry declares")
    return report


#: Longest text accepted in a part that holds no cells (a theme, custom XML...).
_OTHER_TEXT_BYTES = 8 * 1024 * 1024


def _text_limit(limits: L.Limits) -> int:
    # A cell's text in the XML: up to 4 bytes a character in UTF-8, more for &amp; and
    # numeric references; ten bytes a character is generous for any real cell.
    return limits.max_cell_chars * 10 + 1024


def _long_text(filename: str, member: str, limits: L.Limits) -> ImportFileError:
    return ImportFileError(
        _('"{name}" is refused: a text in {member} is longer than a cell may be (at most '
          "{limit} characters, {setting}).")
        .format(name=filename, member=member, limit=L.number(limits.max_cell_chars),
                setting=L.setting("max_cell_chars")))


def sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The name of the zip member holding a sheet's XML, from workbook.xml and its rels
    (parsed with defusedxml: no entities, no external references)."""
    book = SafeET.fromstring(archive.read("xl/workbook.xml"))
    rel_id = None
    for element in book.iter(f"{_MAIN}sheet"):
        if element.get("name") == sheet:
            rel_id = element.get(f"{_REL}id")
            break
    if rel_id is None:
        return None
    rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for element in rels.iter(f"{_PKG_REL}Relationship"):
        if element.get("Id") == rel_id:
            target = element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    return None


def part_for(data: bytes, report: Report, sheet: str) -> PartScan | None:
    """The scan of a sheet's member; None when the workbook does not say which it is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = sheet_part(archive, sheet)
    except Exception:  # noqa: BLE001 - a workbook Excel would not write: checked conservatively
        return None
    return report.members.get(name) if name else None


def widest(report: Report) -> PartScan:
    """The member spanning the most cells (used when a sheet's member is unknown)."""
    return max(report.members.values(), key=lambda s: (s.max_row * s.max_col, s.max_row),
               default=PartScan(""))


def check_sheet(scan: PartScan, filename: str, sheet: str, limits: L.Limits | None = None,
                declared: bool = False) -> None:
    """Refuse a sheet whose extent (from A1; with declared=True also the <dimension> it
    declares, which openpyxl trusts) passes max_rows, max_columns or max_cells."""
    limits = limits or L.current()
    rows, cols = scan.max_row, scan.max_col
    if declared:
        rows, cols = max(rows, scan.declared_rows), max(cols, scan.declared_cols)
    if not rows or not cols:
        return
    extent = f"A1:{column_letters(cols)}{rows}"
    what = _('Sheet "{sheet}" of "{name}" spans {extent} ({rows} rows × {columns} columns)') \
        .format(sheet=sheet, name=filename, extent=extent, rows=L.number(rows),
                columns=L.number(cols))
    if rows > limits.max_rows:
        bound = _("the limit is {limit} rows ({setting})").format(
            limit=L.number(limits.max_rows), setting=L.setting("max_rows"))
    elif cols > limits.max_columns:
        bound = _("the limit is {limit} columns ({setting})").format(
            limit=L.number(limits.max_columns), setting=L.setting("max_columns"))
    elif rows * cols > limits.max_cells:
        bound = _("the limit is {limit} cells, rows × columns ({setting})").format(
            limit=L.number(limits.max_cells), setting=L.setting("max_cells"))
    else:
        return
    raise ImportFileError(
        _("{what}: {bound}. Nothing was read. If the data is really that large, split it into "
          "smaller files; if not, delete the stray cells far from the data and save again.")
        .format(what=what, bound=bound))
