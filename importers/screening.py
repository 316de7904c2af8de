"""Export-control screening lists: bytes in, plain entries out (no Flask, no ORM).

One parser per list kind, each as the list's publisher writes it:

- ``csl``: US Consolidated Screening List CSV (both header variants: with and without ``_id``).
- ``sdn``: OFAC SDN CSV (no header, latin-1, CRLF, a trailing Ctrl-Z, empty fields ``-0-``);
  aliases normally come in a separate ALT file: here the ``a.k.a.`` names in Remarks are used.
- ``dpl``: BIS Denied Persons List, tab-separated with a header.
- ``un``: UN Security Council consolidated list XML (individuals and entities, aliases).
- ``meti-eul``: Japan METI End User List, either its published columns (No., Country or Region,
  Company or Organization, Also Known As, Type of WMD; CSV or xlsx, English or Japanese headers)
  or the normalised names file (name, entry id, list code; one name per row).

``parse(kind, data, filename)`` returns a `ParsedList`; a file that cannot be read raises
`ScreeningFileError` whose message names the line/row and field.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

KINDS = ("csl", "sdn", "dpl", "un", "meti-eul")

#: Largest list file accepted (the SDN list is ~4 MB, the full CSL ~ 15 MB).
MAX_LIST_BYTES = 60 * 1024 * 1024

#: Entry types a parser gives; None when the list does not say (DPL: people and firms alike).
ENTRY_TYPES = ("individual", "entity", "vessel", "aircraft")


class ScreeningFileError(Exception):
    """The file cannot be read as this kind of list; the message says where and why."""


@dataclass
class ParsedEntry:
    entry_id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    entry_type: str | None = None
    #: countries as the list writes them (ISO codes or names); the matcher maps them.
    countries: list[str] = field(default_factory=list)
    programs: str = ""
    remarks: str = ""


@dataclass
class ParsedList:
    kind: str
    #: the list's own date (publication / generation / file date) when the file says one
    published_on: date | None
    entries: list[ParsedEntry]
    notes: list[str] = field(default_factory=list)


def parse(kind: str, data: bytes, filename: str = "") -> ParsedList:
    """Parse one list file of the given kind."""
    if kind not in KINDS:
        raise ScreeningFileError(f"Unknown list kind {kind!r}: use one of {', '.join(KINDS)}.")
    if not data or not data.strip(b" \r\n\t\x1a"):
        raise ScreeningFileError("The file is empty.")
    if len(data) > MAX_LIST_BYTES:
        raise ScreeningFileError(f"The file is larger than {MAX_LIST_BYTES // 1024 // 1024} MB.")
    parser = {"csl": parse_csl, "sdn": parse_sdn, "dpl": parse_dpl, "un": parse_un,
              "meti-eul": parse_meti}[kind]
    try:
        parsed = parser(data, filename)
    except csv.Error as err:  # binary or mis-quoted data, e.g. an Excel file given as SDN
        raise ScreeningFileError(
            f"The file cannot be read as a {kind} list ({err}): is it the right file and the "
            "right kind?") from None
    if not parsed.entries:
        raise ScreeningFileError("The file holds no list entries.")
    _unique_ids(parsed.entries)
    return parsed


# --- helpers -------------------------------------------------------------------------------------

def _clean(value: str | None) -> str:
    value = (value or "").replace("\x1a", "").strip()
    return "" if value in ("-0-", "-0") else re.sub(r"\s+", " ", value)


def _decode(data: bytes, *encodings: str) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ScreeningFileError(
        f"The file is not in a text encoding this list uses ({', '.join(encodings)}).")


def _split_names(value: str) -> list[str]:
    return [n for n in (_clean(p) for p in re.split(r"\s*;\s*|\n", value or "")) if n]


def split_aliases(value: str) -> list[str]:
    """The UN list sometimes writes several aliases in one ALIAS_NAME:
    'جبهة النصرة (the Victory Front; Jabhat al-Nusrah; Al-Nusra Front)',
    'Mohammed Sabet; Mohammad Sabet b) M. Javad Kareemi Sabet', 'X (HTS) (هيئة ... (original
    script); Y)'. Each becomes an alias of its own; a single name is kept as written."""
    value = _clean(value)
    value = re.sub(r"\(\s*original script\s*\)", "", value, flags=re.IGNORECASE)
    if ";" not in value and not re.search(r"(?:^|\s)[a-z]\)\s", value):
        return [value] if value else []
    value = re.sub(r"(?:^|\s)[a-z]\)\s+", ";", value)
    value = value.replace("(", ";").replace(")", ";").replace("（", ";").replace("）", ";")
    return list(dict.fromkeys(p for p in (_clean(x).strip(" ,\"'") for x in value.split(";"))
                              if p))


def _date_in(text: str) -> date | None:
    """A date written YYYY-MM-DD / YYYYMMDD / YYYY_MM_DD in a file name or attribute."""
    match = re.search(r"(20\d\d|19\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])", text or "")
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _hash_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]
    return f"{prefix}-{digest}"


def _unique_ids(entries: list[ParsedEntry]) -> None:
    """Entry ids are unique within a list: a repeated id gets '#2', '#3' (kept stable by order)."""
    seen: dict[str, int] = {}
    for entry in entries:
        n = seen.get(entry.entry_id, 0) + 1
        seen[entry.entry_id] = n
        if n > 1:
            entry.entry_id = f"{entry.entry_id}#{n}"


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ]")


def split_script(name: str) -> list[str]:
    """'KIM IL SUNG UNIVERSITY (金日成総合大学)' -> the English and the Japanese name apart."""
    name = _clean(name).lstrip("・･").strip()
    japanese = []
    match = re.fullmatch(r"(.*?)\s*[(（]([^()（）]*)[)）]\s*", name)
    if match and _CJK.search(match.group(2)) and match.group(1).strip():
        name, japanese = match.group(1).strip(), [match.group(2).strip()]
    # 'KOREA MINING DEVELOPMENT TRADING CORPORATION (KOMID)': the acronym is a name of its own
    match = re.fullmatch(r"(.*?\S)\s*\(([A-Z][A-Z0-9&.-]{1,11})\)", name)
    acronym = []
    if match and " " in match.group(1):
        name, acronym = match.group(1).strip(), [match.group(2)]
    return ([name] + acronym + japanese) if name else []


# --- US Consolidated Screening List -----------------------------------------------------------------

_CSL_REQUIRED = ("source", "name")
_CSL_SUFFIX = re.compile(r";\s*and any successor.*$", re.IGNORECASE)


def parse_csl(data: bytes, filename: str = "") -> ParsedList:
    text = _decode(data, "utf-8-sig", "cp1252")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ScreeningFileError("The file is empty.") from None
    missing = [h for h in _CSL_REQUIRED if h not in header]
    if missing:
        raise ScreeningFileError(
            "This is not a Consolidated Screening List CSV: the header has no "
            f"{', '.join(repr(m) for m in missing)} column.")
    col = {h: i for i, h in enumerate(header)}
    entries: list[ParsedEntry] = []
    problems: list[str] = []
    for line_no, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        get = (lambda key: _clean(row[col[key]]) if key in col and col[key] < len(row) else "")
        name = _CSL_SUFFIX.sub("", get("name")).strip()
        if not name:
            problems.append(f"line {line_no}: the 'name' field is empty")
            continue
        source = get("source")
        short = re.search(r"\(([A-Z]{2,5})\)", source)
        countries = []
        for address in get("addresses").split(";"):
            code = address.strip().rsplit(",", 1)[-1].strip()
            if re.fullmatch(r"[A-Z]{2}", code):
                countries.append(code)
        for key in ("citizenships", "nationalities"):
            countries += [c for c in _split_names(get(key).replace(",", ";"))]
        entry_id = get("_id") or get("entity_number") or _hash_id(
            short.group(1) if short else "CSL", source, name, get("addresses"))
        kind = get("type").lower() or None
        entries.append(ParsedEntry(
            entry_id=entry_id, name=name,
            aliases=[a for a in _split_names(get("alt_names")) if a != name],
            entry_type=kind if kind in ENTRY_TYPES else None,
            countries=list(dict.fromkeys(countries)),
            programs="; ".join(p for p in (short.group(1) if short else source,
                                           get("programs")) if p),
            remarks=get("remarks")))
    if problems:
        raise ScreeningFileError(_problems(problems))
    return ParsedList("csl", _date_in(filename), entries)


def _problems(problems: list[str]) -> str:
    shown = "; ".join(problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return f"Nothing was imported: {shown}{more}."


# --- OFAC SDN ---------------------------------------------------------------------------------------

_AKA = re.compile(r"\b([afn])\.k\.a\.\s+'(.+?)'(?=\s*(?:;|\.\s|\.?\s*$))")
_NATIONALITY = re.compile(r"\b(?:nationality|citizen)\s+([A-Z][A-Za-z ,.'-]+?)(?=;|\.|$)")
SDN_COLUMNS = ("ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign", "Vess_type",
               "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks")


def parse_sdn(data: bytes, filename: str = "") -> ParsedList:
    text = _decode(data.rstrip(b"\x1a\r\n "), "latin-1")
    entries: list[ParsedEntry] = []
    problems: list[str] = []
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(c.strip() for c in row) or row == ["\x1a"]:
            continue
        if len(row) < 4:
            problems.append(f"line {line_no}: {len(row)} fields where the SDN list has 12")
            continue
        row = [_clean(c) for c in row] + [""] * (12 - len(row))
        ent_num, name, sdn_type, program = row[0], row[1], row[2].lower(), row[3]
        if line_no == 1 and not ent_num.isdigit() and ent_num.lower() in ("ent_num", "uid"):
            continue  # a header some copies carry
        if not ent_num.isdigit():
            problems.append(f"line {line_no}: ent_num {ent_num!r} is not a number")
            continue
        if not name:
            problems.append(f"line {line_no}: SDN_Name is empty")
            continue
        remarks = row[11]
        aliases = [m.group(2).strip() for m in _AKA.finditer(remarks)]
        countries = [m.group(1).strip() for m in _NATIONALITY.finditer(remarks)]
        entries.append(ParsedEntry(
            entry_id=ent_num, name=name, aliases=list(dict.fromkeys(aliases)),
            entry_type=sdn_type if sdn_type in ENTRY_TYPES else "entity",
            countries=list(dict.fromkeys(countries)), programs=program, remarks=remarks))
    if problems:
        raise ScreeningFileError(_problems(problems))
    return ParsedList("sdn", _date_in(filename), entries)


# --- BIS Denied Persons List -------------------------------------------------------------------------

def parse_dpl(data: bytes, filename: str = "") -> ParsedList:
    text = _decode(data, "utf-8-sig", "cp1252")
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ScreeningFileError("The file is empty.") from None
    if "name" not in header or len(header) < 3:
        raise ScreeningFileError(
            "This is not a Denied Persons List: line 1 should be a tab-separated header with "
            "a 'Name' column.")
    col = {h: i for i, h in enumerate(header)}
    entries: list[ParsedEntry] = []
    problems: list[str] = []
    latest: date | None = None
    for line_no, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        get = (lambda key: _clean(row[col[key]]) if key in col and col[key] < len(row) else "")
        name = get("name")
        if not name:
            problems.append(f"line {line_no}: the 'Name' field is empty")
            continue
        updated = _date_in(get("last_update"))
        if updated and (latest is None or updated > latest):
            latest = updated
        country = get("country")
        entries.append(ParsedEntry(
            entry_id=_hash_id("DPL", name, get("street_address"), get("effective_date")),
            name=name, entry_type=None, countries=[country] if country else [],
            programs="DPL", remarks="; ".join(p for p in (
                get("street_address"), get("city"), get("state"), country,
                get("effective_date") and f"effective {get('effective_date')}",
                get("expiration_date") and f"expires {get('expiration_date')}",
                get("fr_citation")) if p)))
    if problems:
        raise ScreeningFileError(_problems(problems))
    return ParsedList("dpl", _date_in(filename) or latest, entries)


# --- UN consolidated list ----------------------------------------------------------------------------

def parse_un(data: bytes, filename: str = "") -> ParsedList:
    import xml.etree.ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    # defusedxml: no entity declarations (a "billion laughs" file expands a few KB into
    # gigabytes), no external entities or DTDs fetched.
    try:
        root = fromstring(data)
    except DefusedXmlException:
        raise ScreeningFileError("The XML declares entities or a DTD; a UN list never does. "
                                 "Not read.") from None
    except ET.ParseError as err:
        raise ScreeningFileError(f"The XML cannot be read: {err}.") from None
    if root.tag != "CONSOLIDATED_LIST":
        raise ScreeningFileError(
            f"This is not the UN consolidated list: the root element is <{root.tag}>, "
            "not <CONSOLIDATED_LIST>.")
    published = _date_in(root.get("dateGenerated", "")) or _date_in(filename)
    entries: list[ParsedEntry] = []
    problems: list[str] = []
    for kind, path in (("individual", "INDIVIDUALS/INDIVIDUAL"), ("entity", "ENTITIES/ENTITY")):
        for n, node in enumerate(root.findall(path), start=1):
            text = (lambda tag: _clean(node.findtext(tag)))
            parts = [text(t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            full = " ".join(p for p in parts if p)
            ref = text("REFERENCE_NUMBER") or text("DATAID")
            if not full or not ref:
                problems.append(f"{kind} #{n} (DATAID {text('DATAID') or '?'}): "
                                f"{'no name' if not full else 'no REFERENCE_NUMBER'}")
                continue
            names = [p.strip() for p in full.split(" ; ")] if kind == "entity" else [full]
            aliases = names[1:]
            for alias in node.iter(f"{kind.upper()}_ALIAS"):
                aliases += split_aliases(alias.findtext("ALIAS_NAME") or "")
            original = text("NAME_ORIGINAL_SCRIPT")
            if original:
                aliases.append(original)
            countries = [_clean(v.text) for v in node.findall("NATIONALITY/VALUE") if _clean(v.text)]
            countries += [_clean(c.text) for c in node.findall(f"{kind.upper()}_ADDRESS/COUNTRY")
                          if _clean(c.text)]
            entries.append(ParsedEntry(
                entry_id=ref, name=names[0],
                aliases=[a for a in dict.fromkeys(aliases) if a != names[0]],
                entry_type=kind, countries=list(dict.fromkeys(countries)),
                programs=text("UN_LIST_TYPE"), remarks=text("COMMENTS1")))
    if problems:
        raise ScreeningFileError(_problems(problems))
    return ParsedList("un", published, entries)


# --- METI End User List ------------------------------------------------------------------------------

#: Published column -> field; English and Japanese headers of METI's Excel.
METI_HEADERS = {
    "no": "no", "no.": "no", "番号": "no",
    "country or region": "country", "country": "country", "国名・地域名": "country",
    "国名": "country", "国・地域名": "country",
    "company or organization": "name", "company or organisation": "name",
    "企業名・組織名": "name", "企業名": "name",
    "also known as": "aliases", "別名": "aliases",
    "type of wmd": "wmd", "懸念区分": "wmd",
}


def parse_meti(data: bytes, filename: str = "") -> ParsedList:
    """The published columns (CSV or xlsx) or the normalised names file (name, id, list code)."""
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    else:
        text = _decode(data, "utf-8-sig", "cp932")
        rows = [[c for c in row] for row in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any((c or "").strip() for c in r)]
    if not rows:
        raise ScreeningFileError("The file is empty.")
    if len(rows[0]) >= 2 and re.fullmatch(r"EUL\d+", (rows[0][1] or "").strip()):
        return _meti_names(rows, filename)
    return _meti_published(rows, filename)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    from . import xlsx_guard
    from .base import ImportFileError

    # Before openpyxl inflates anything: the zip's sizes and the first sheet's extent (also
    # the extent it declares, which openpyxl pads every row to) within importers/limits.py.
    try:
        report = xlsx_guard.inspect(data, "the list")
        sheets = [m for n, m in report.members.items() if n.startswith("xl/worksheets/")]
        for scan in sheets or [xlsx_guard.widest(report)]:
            xlsx_guard.check_sheet(scan, "the list", scan.name.rsplit("/", 1)[-1],
                                   declared=True)
    except ImportFileError as err:
        raise ScreeningFileError(str(err)) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # zip/xml errors of a broken workbook
        raise ScreeningFileError(f"The Excel file cannot be opened: {err}.") from None
    sheet = book.worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _meti_names(rows: list[list[str]], filename: str) -> ParsedList:
    by_id: dict[str, ParsedEntry] = {}
    problems: list[str] = []
    for line_no, row in enumerate(rows, start=1):
        if len(row) < 2 or not _clean(row[0]) or not re.fullmatch(r"EUL\d+", _clean(row[1])):
            problems.append(f"line {line_no}: expected name, entry id (EUL...), list code")
            continue
        names = split_script(row[0])
        entry_id = _clean(row[1])
        entry = by_id.get(entry_id)
        if entry is None:
            entry = by_id[entry_id] = ParsedEntry(entry_id=entry_id, name=names[0],
                                                  aliases=names[1:], entry_type="entity",
                                                  programs="METI EUL")
        else:
            entry.aliases += [n for n in names if n != entry.name and n not in entry.aliases]
    if problems:
        raise ScreeningFileError(_problems(problems))
    return ParsedList("meti-eul", _date_in(filename), list(by_id.values()),
                      notes=["names file: one name per row, grouped by entry id"])


def _meti_published(rows: list[list[str]], filename: str) -> ParsedList:
    header_at = None
    for i, row in enumerate(rows[:20]):
        fields = [METI_HEADERS.get(_header(c)) for c in row]
        if "name" in fields:
            header_at, mapping = i, {j: f for j, f in enumerate(fields) if f}
            break
    if header_at is None:
        raise ScreeningFileError(
            "No header found in the first 20 rows: METI's End User List has the columns No., "
            "Country or Region, Company or Organization, Also Known As, Type of WMD "
            "(or the names file: name, entry id, list code).")
    published = _date_in(filename)
    for row in rows[:header_at]:  # title lines: 'Revised on 2024-05-10' / 令和6年...
        published = (published or _date_in(" ".join(row)) or _wareki(" ".join(row))
                     or _english_date(" ".join(row)))
    entries: list[ParsedEntry] = []
    problems: list[str] = []
    for line_no, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        values = {f: (row[j] if j < len(row) else "") for j, f in mapping.items()}
        raw_name = (values.get("name") or "").strip()
        if not raw_name:
            problems.append(f"row {line_no}: 'Company or Organization' is empty")
            continue
        names = split_script(raw_name)
        aliases = []
        for alias in re.split(r"\s*(?:\n|;|／|、)\s*", values.get("aliases") or ""):
            aliases += split_script(alias)
        number = _clean(values.get("no")).removesuffix(".0")
        entries.append(ParsedEntry(
            entry_id=f"EUL{number}" if number.isdigit() else (number or _hash_id("EUL", raw_name)),
            name=names[0], aliases=[a for a in dict.fromkeys(names[1:] + aliases) if a != names[0]],
            entry_type="entity",
            countries=[_clean(values.get("country"))] if _clean(values.get("country")) else [],
            programs=" ".join(p for p in ("METI EUL", _clean(values.get("wmd"))) if p)))
    if problems:
        raise ScreeningFileError(_problems(problems))
    return ParsedList("meti-eul", published, entries)


def _header(cell: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", cell or "")).strip().lower()


def _wareki(text: str) -> date | None:
    """令和6年5月10日 / 2024年5月10日 in a title line."""
    text = unicodedata.normalize("NFKC", text)
    match = re.search(r"(令和|平成)?\s*(\d{1,4}|元)年\s*(\d{1,2})月\s*(\d{1,2})日", text)
    if not match:
        return None
    year = 1 if match.group(2) == "元" else int(match.group(2))
    year += {"令和": 2018, "平成": 1988}.get(match.group(1) or "", 0)
    try:
        return date(year, int(match.group(3)), int(match.group(4)))
    except ValueError:
        return None


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _english_date(text: str) -> date | None:
    """'Revised on May 10, 2024' / '10 May 2024' in an English title line."""
    match = (re.search(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b", text)
             or re.search(r"\b(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})\b", text))
    if not match:
        return None
    first, second, year = match.groups()
    month, day = (first, second) if not first.isdigit() else (second, first)
    if month.lower() not in _MONTHS:
        return None
    try:
        return date(int(year), _MONTHS[month.lower()], int(day))
    except ValueError:
        return None


def file_date(value: str | None) -> date | None:
    """A version string given by the user as a date (2024-05-03), else None."""
    try:
        return datetime.strptime((value or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
