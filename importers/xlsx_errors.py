"""Error cells (#N/A, #DIV/0!, #REF!...) of one worksheet of an .xlsx file.

python-calamine reads an error cell as empty; openpyxl read it as its text ("#N/A"). To keep
the text (so a formula error in, say, a corporate-number column is reported for its row rather
than silently imported as a blank), the worksheet's XML is searched for error cells. The .xlsx
guard (importers/xlsx_guard.py) notes while it inflates each part whether it has an error cell
(t="e"), which is rare; only then is the sheet's part read again, streaming, within the same
bounds, and the error cells collected (nothing but them is kept).
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib

from . import limits as L

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


def error_cells(data: bytes, part: str) -> dict[int, dict[int, str]]:
    """{row number (1-based): {column index (0-based): error text}} for one sheet's part; empty
    when it has none or cannot be read (then nothing is added: the cells stay empty, as
    python-calamine reads them)."""
    limits = L.current()
    # An error cell is a few short elements; one longer than this is not one. Chunks overlap
    # by this much, so a cell cut by a chunk's end is read whole from the next one.
    overlap = limits.max_cell_chars * 10 + 4096
    found: dict[int, dict[int, str]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
            buf = b""
            buf_start = 0  # position of buf[0] in the part
            done = 0  # cells starting before this position have been read
            read = 0
            while True:
                chunk = stream.read(_CHUNK)
                read += len(chunk)
                if read > limits.max_member_bytes:  # the guard refused such a file already
                    return {}
                buf += chunk
                # a cell starting before `safe` lies whole in buf (cells are shorter than
                # `overlap`); the others are read from the next buffer
                safe = len(buf) if not chunk else len(buf) - overlap
                for match in _CELL.finditer(buf):
                    if match.start() >= safe:
                        break
                    if buf_start + match.start() < done:
                        continue
                    ref = _REF.search(match.group(1))
                    value = _VALUE.search(match.group(2))
                    if ref is None or value is None:
                        continue
                    text = value.group(1).decode("utf-8", "replace")
                    found.setdefault(int(ref.group(2)), {})[_column_index(ref.group(1))] = text
                if not chunk:
                    break
                if safe > 0:
                    done = buf_start + safe
                    buf_start += safe
                    buf = buf[safe:]
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
        return {}
    return found
