"""How much a reader may inflate: the bounds that keep a hostile file (a zip bomb, a sheet that
claims a million rows by sixteen thousand columns, a megabyte cell, a vCard folded into a
million lines) from taking a worker's memory or minutes of its time.

Every reader checks these *before* it inflates: the .xlsx guard (importers/xlsx_guard.py) reads
the zip directory and then counts the bytes it inflates, and scans each sheet for its extent and
its longest text before python-calamine (or openpyxl) builds anything; the CSV reader counts
cells before splitting; the vCard reader counts lines before unfolding. A file past a bound is
refused as a whole (ImportFileError) with a message naming the bound and its setting.

The web app sets them from its config (CRM_IMPORT_MAX_*; see README, *Configuration*; the
defaults there are these); elsewhere the defaults below apply. Tests lower them with `configure(...)` / `override(...)`.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Limits:
    #: rows of a sheet or CSV file (Excel's own maximum is 1,048,576)
    max_rows: int = 200_000
    #: columns of a sheet or CSV row (Excel's own maximum is 16,384)
    max_columns: int = 1_000
    #: rows x columns of the rectangle a sheet spans (python-calamine allocates 32 bytes per
    #: cell of it: 5,000,000 cells are 160 MB)
    max_cells: int = 5_000_000
    #: characters in one cell or value (Excel's own maximum is 32,767)
    max_cell_chars: int = 32_767
    #: uncompressed bytes of one member of an .xlsx zip
    max_member_bytes: int = 200 * 1024 * 1024
    #: uncompressed bytes of all the members of an .xlsx zip together
    max_uncompressed_bytes: int = 300 * 1024 * 1024
    #: lines of a vCard file (before unfolding)
    max_vcard_lines: int = 1_000_000
    #: bytes of one unfolded vCard line (a photo is one line: a few hundred KB)
    max_vcard_line_bytes: int = 2 * 1024 * 1024


#: config key -> Limits field
CONFIG_KEYS = {f"CRM_IMPORT_{f.name.upper()}": f.name for f in fields(Limits)}

_current = Limits()


def current() -> Limits:
    return _current


def configure(**values: int) -> Limits:
    """Set some bounds for this process (the others stay); returns the previous Limits."""
    global _current
    previous = _current
    _current = replace(_current, **{k: int(v) for k, v in values.items()})
    return previous


@contextlib.contextmanager
def override(**values: int) -> Iterator[Limits]:
    """Lower (or raise) some bounds for the duration of a block (tests)."""
    previous = configure(**values)
    try:
        yield _current
    finally:
        configure(**{f.name: getattr(previous, f.name) for f in fields(Limits)})


def from_config(config: Mapping) -> Limits:
    """Apply CRM_IMPORT_MAX_* from a Flask config (crm/config.py reads the environment into it;
    keys it lacks keep their bounds)."""
    values = {}
    for key, name in CONFIG_KEYS.items():
        value = config.get(key)
        if value not in (None, ""):
            values[name] = int(value)
    configure(**values)
    return _current


def setting(name: str) -> str:
    """The config key of a bound, for messages: 'max_rows' -> 'CRM_IMPORT_MAX_ROWS'."""
    return f"CRM_IMPORT_{name.upper()}"


def number(value: int) -> str:
    return f"{value:,}"


def size(value: int) -> str:
    if value >= 1024 * 1024:
        return f"{value / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")
    if value >= 1024:
        return f"{value / 1024:,.1f} KB".replace(".0 KB", " KB")
    return f"{value:,} bytes"
