"""Files in, plain records out: read, detect the format, map columns, validate, report.

Knows nothing of Flask or the ORM (the save path is crm/imports).

    read(data, filename, kind, format=None, mapping=None, sheet=None) -> ParsedFile
    detect_format(data, filename) -> 'csv' | 'xlsx' | 'vcard' | an app ('eight', 'outlook' ...:
        importers/apps.py APPS)
    suggest_mapping(headers, kind) -> {column index: field}
    known_headers(kind) -> {field: [headers recognised]}
"""
from __future__ import annotations

import io
import itertools
import zipfile

from . import apps, encoding as E, researchmap, tabular, vcard
from .base import FORMATS, MAX_FILE_BYTES, ImportFileError, ParsedFile, ParsedRow, Problem
from .fields import FIELDS, KINDS
from .i18n import _, set_translator
from .labels import field_label, kind_label
from .mapping import fold_header, known_headers, suggest_mapping

__all__ = ["read", "detect_format", "suggest_mapping", "known_headers", "fold_header",
           "set_translator", "field_label", "kind_label", "ParsedFile", "ParsedRow", "Problem",
           "ImportFileError", "FORMATS", "MAX_FILE_BYTES", "FIELDS", "KINDS"]


def _is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _check_damaged_xlsx(data: bytes, filename: str) -> None:
    """A workbook cut short (an interrupted download, a broken USB stick) is a zip whose
    directory is missing: say it is a damaged Excel file, not "a binary file"."""
    if data.startswith(b"PK\x03\x04") and (b"xl/" in data[:65536] or b"[Content_Types].xml"
                                             in data[:65536]):
        try:
            zipfile.ZipFile(io.BytesIO(data)).close()
        except zipfile.BadZipFile as exc:
            raise ImportFileError(_('"{name}" cannot be read as an Excel (.xlsx) file ({error}).')
                                  .format(name=filename, error=exc)) from None


def _raw_vcard(data: bytes) -> bool:
    return data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")[:11].upper() == b"BEGIN:VCARD"


def _looks_like_vcard(text: str) -> bool:
    return text[:4096].lstrip("\ufeff \t\r\n")[:11].upper() == "BEGIN:VCARD"


def detect_format(data: bytes, filename: str = "") -> str:
    """The format of a file from its content (the name is only used in messages)."""
    E.check_size(data, filename)
    if _is_xlsx(data):
        return "xlsx"
    if _raw_vcard(data):
        return "vcard"
    text, _enc = E.decode(data, filename)
    return _text_format(text)


def _text_format(text: str) -> str:
    if _looks_like_vcard(text):
        return "vcard"
    records, _delim, _notes = tabular.csv_records(text[:200000].rsplit("\n", 1)[0]
                                                  if len(text) > 200000 else text)
    for _number, cells in records[:tabular.HEADER_SEARCH_ROWS]:
        app = apps.detect_app([tabular.V.clean(c) for c in cells])
        if app:
            return app
    return "csv"


def read(data: bytes, filename: str, kind: str, format: str | None = None,
         mapping: dict[str, str] | None = None, sheet: str | None = None,
         require_all: bool = True) -> ParsedFile:
    """Parse an uploaded file into rows of field values for `kind` (see importers/base.py).

    `mapping` (file header -> field name, or "" to ignore the column) overrides the automatic
    mapping for the headers it names. Raises ImportFileError when the file cannot be read.
    With `require_all=False` (the web preview, where the user maps the columns) a file whose
    known headers lack a required field is read, with a note, rather than refused."""
    if kind not in FIELDS:
        raise ImportFileError(_("Unknown kind of import: {kind}.").format(kind=kind))
    if kind == "researchmap":  # JSON, JSON lines or a zip of them, whatever `format` says
        return researchmap.read(data, filename)
    if format is not None and format not in FORMATS:
        raise ImportFileError(_("Unknown file format: {format}. Known formats: {formats}.")
                              .format(format=format, formats=", ".join(FORMATS)))
    E.check_size(data, filename)
    _check_damaged_xlsx(data, filename)
    if format == "xlsx" or (format is None and _is_xlsx(data)):
        if not _is_xlsx(data):
            raise ImportFileError(_('"{name}" is not an Excel (.xlsx) file.')
                                  .format(name=filename))
        stream, notes = tabular.xlsx_stream(data, filename, sheet)
        return _table(stream, notes, filename, kind, "xlsx", None, mapping,
                      require_all=require_all)
    if format in (None, "vcard") and _raw_vcard(data):
        # per-property charsets: a card file may mix UTF-8 and Shift_JIS, so it is not decoded
        # as a whole (the vCard parser decodes each value)
        enc = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "ascii"
        return _vcard(data, "", enc, filename, kind)
    text, enc = E.decode(data, filename)
    detected = _text_format(text) if format is None else format
    if detected == "vcard":
        if not _looks_like_vcard(text):
            raise ImportFileError(_('"{name}" is not a vCard file: it does not start with '
                                    "BEGIN:VCARD.").format(name=filename))
        return _vcard(data, text, enc, filename, kind)
    if _looks_like_vcard(text):
        raise ImportFileError(_('"{name}" is a vCard file, not {format}.')
                              .format(name=filename, format=detected))
    stream, _delim, notes = tabular.csv_stream(text)
    return _table(stream, notes, filename, kind, detected, enc, mapping,
                  require_all=require_all)


def _vcard(data: bytes, text: str, enc: str, filename: str, kind: str) -> ParsedFile:
    if kind != "contacts":
        raise ImportFileError(
            _('"{name}" is a vCard file: vCards hold contacts, so import it as contacts, not '
              "{kind}.").format(name=filename, kind=kind_label(kind)))
    if enc.startswith("utf-16"):
        data = text.encode("utf-8")
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    rows, card_encoding, count = vcard.parse(data)
    if count == 0:
        raise ImportFileError(_('"{name}" has no complete vCard (BEGIN:VCARD ... END:VCARD).')
                              .format(name=filename))
    encoding = enc if enc.startswith("utf-16") or enc == "utf-8-sig" else card_encoding
    headers = list(vcard.FIELDS_OUT)
    return ParsedFile(format="vcard", encoding=encoding, kind=kind, header_row=None,
                      headers=headers, mapping=dict(enumerate(headers)), unmapped=[], rows=rows,
                      notes=[_("{count} cards read.").format(count=count)])


def _table(stream, notes, filename, kind, fmt, enc, user_mapping,
           require_all=True) -> ParsedFile:
    records = tabular.head_of(stream)
    index, headers, auto = tabular.find_header(records, kind, user_mapping)
    headerless = tabular.is_headerless(records, index, auto, user_mapping)
    if headerless:
        # every row is data: the columns are named by their letters (A, B, C ...) on the
        # preview's mapping form and in --map
        headers = [tabular.column_letter(i) for i in range(tabular.data_width(records[index:]))]
        auto, app, data_from = {}, None, index
        sample = tabular.sample_of(records[index:], len(headers), tabular.SAMPLE_HEADERLESS_ROWS)
    else:
        app = apps.detect_app(headers) if fmt in ("xlsx", "csv") else fmt if fmt in apps.APPS \
            else None
        tabular.check_duplicates(apps.check_duplicates_args(app, headers))
        if app and kind == "contacts":
            auto = apps.app_mapping(app, headers, auto)
        else:
            app = None
        data_from = index + 1
        sample = tabular.sample_of(records[data_from:], len(headers), tabular.SAMPLE_ROWS)
    mapping = tabular.apply_user_mapping(headers, auto, kind, user_mapping)
    missing = tabular.check_required(mapping, kind, headers, filename, groups=require_all,
                                     sample=sample if headerless else None)
    for group in missing:
        notes.append(_("No column is mapped to {labels} yet: choose it in the column mapping.")
                     .format(labels=" / ".join(field_label(kind, f) for f in group)))
    header_number = None if headerless else records[index][0]
    skipped = sum(1 for _n, cells in records[:index] if any(tabular.V.clean(c) for c in cells))
    if skipped and not headerless:
        notes.append(_("{count} line(s) before the header skipped (the header is row {row}).")
                     .format(count=skipped, row=header_number))
    app_ignored = apps.IgnoredColumns(app, headers, mapping) if app else None
    if app and fmt == "xlsx":
        notes.append(_("Recognised as a {app} export.").format(app=_(apps.LABELS[app])))
    builder = tabular.RowBuilder(headers, mapping, kind, app=app)
    body = itertools.chain(records[data_from:], stream)
    rows = tabular.build_rows(app_ignored.watch(body) if app_ignored else body, builder)
    if app_ignored:
        notes += app_ignored.notes()
    if not headerless:
        notes += tabular.blank_column_notes(builder)
    unmapped = [h for i, h in enumerate(headers) if h and i not in mapping]
    ignored = [i for i, h in enumerate(headers)
               if i not in mapping and (h or i in builder.blank_with_data)]
    return ParsedFile(format=fmt, encoding=enc, kind=kind, header_row=header_number,
                      headers=headers, mapping=mapping, unmapped=unmapped, rows=rows,
                      notes=notes, headerless=headerless, sample=sample, ignored=ignored)
