"""researchmap (https://researchmap.jp, Japan's researcher database) files in, researcher rows
out. Knows nothing of Flask or the ORM (the save path is crm/research/importing.py).

Three shapes are read, each as researchmap publishes it:

* **API v2 JSON-LD**: what `GET https://api.researchmap.jp/{permalink}` answers: one researcher
  object (`family_name`, `given_name`, `affiliations`, `profile` ... each a {"ja", "en",
  "ja-Kana"} object) whose `@graph` lists the achievements by `@type` (`research_interests`,
  `research_areas`, `research_projects`, `published_papers` ...), each with its `items`.
  A JSON array of such objects holds several researchers.
* **JSON lines** (the researchmap export / bulk-registration format): one object a line,
  `{"insert": {"type": "researchers", "id": ...}, "merge": {...}}` starting a researcher and
  the achievement lines after it (`"type": "research_interests"` ...) belonging to them.
* **a .zip** of such files (one per researcher, or several JSON-lines files).

Each researcher becomes one row of plain strings (importers/base.py ParsedRow), keyed by the
"researchmap" kind's fields (importers/fields.py); both languages are kept: Japanese names
with their kana readings and the name in Latin letters, keywords in Japanese and English.
The research projects travel as one JSON value (`projects`: a list of {"title", "title_en",
"abstract", "id"}) that the save path turns into research seeds.

Bounds: the file's size (MAX_FILE_BYTES), one JSON document or line (MAX_DOCUMENT_BYTES: a
researcher with a thousand papers is a few MB), a zip's members and their inflated size, the
nesting depth, and the number of researchers (importers.limits max_rows). Past any of them, or
on JSON that does not parse, the whole file is refused (ImportFileError) naming the member,
line and column; nothing is written.
"""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from . import encoding as E
from . import limits
from .base import MAX_FILE_BYTES, ImportFileError, ParsedFile, ParsedRow
from .i18n import _

#: Bytes of one JSON document (a .json file, a zip member) or one line of a JSON-lines file.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: Members of a zip.
MAX_ZIP_MEMBERS = 10_000
#: Paper titles kept per researcher (in the profile), projects kept as seeds.
MAX_PAPERS = 30
MAX_PROJECTS = 200
#: Keywords kept per researcher.
MAX_KEYWORDS = 200

#: Public funders (a project they fund is government-funded: licensing its results needs prior
#: approval under the Japanese Bayh-Dole rule, crm/research/models.py ResearchSeed).
_PUBLIC_FUNDERS = re.compile(
    r"科学研究費|科研費|日本学術振興会|JSPS|Grants-in-Aid for Scientific Research|KAKENHI|"
    r"科学技術振興機構|\bJST\b|日本医療研究開発機構|\bAMED\b|新エネルギー・産業技術総合開発機構|"
    r"\bNEDO\b|文部科学省|\bMEXT\b|経済産業省|総務省|厚生労働省|農林水産省|内閣府|環境省|国土交通省|"
    r"防衛装備庁", re.I)
_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"[ \t\u3000]+")


def _text(value: Any, lang: str = "ja") -> str:
    """A researchmap value in one language: {"ja": ..., "en": ...} objects, plain strings."""
    if isinstance(value, str):
        return value.strip() if lang == "ja" else ""
    if isinstance(value, dict):
        found = value.get(lang)
        return found.strip() if isinstance(found, str) else ""
    return ""


def _both(value: Any) -> list[str]:
    """Japanese then English of a value, each once."""
    out: list[str] = []
    for lang in ("ja", "en"):
        text = _text(value, lang)
        if text and text not in out:
            out.append(text)
    return out


def _plain(text: str) -> str:
    """researchmap profiles are HTML: the text, tags dropped, entities read."""
    text = html.unescape(_TAG.sub(" ", text.replace("</p>", "\n").replace("<br>", "\n")))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


class _Researcher:
    """One researcher being gathered: the profile object and its achievements by type."""

    def __init__(self, number: int, source: str, profile: dict[str, Any],
                 rm_id: str | None = None):
        self.number = number
        self.source = source
        self.profile = profile
        self.rm_id = rm_id
        self.items: dict[str, list[Any]] = {}

    def add(self, kind: str, item: Any) -> None:
        self.items.setdefault(kind, []).append(item)

    def row(self) -> ParsedRow:
        p = self.profile
        values: dict[str, str] = {}
        permalink = p.get("permalink") if isinstance(p.get("permalink"), str) else ""
        if not permalink and isinstance(p.get("@id"), str):
            permalink = p["@id"].rstrip("/").rsplit("/", 1)[-1]
        rm_id = (permalink or self.rm_id or (p.get("rm:id") if isinstance(p.get("rm:id"), str)
                                             else "") or "").strip()
        if rm_id:
            values["researchmap_id"] = rm_id
        family, given = p.get("family_name"), p.get("given_name")
        values["family_name"] = _text(family, "ja") or _text(family, "en")
        values["given_name"] = _text(given, "ja") or _text(given, "en")
        values["family_name_reading"] = _text(family, "ja-Kana")
        values["given_name_reading"] = _text(given, "ja-Kana")
        values["name_en"] = " ".join(filter(None, (_text(given, "en"), _text(family, "en"))))
        email = p.get("email") or p.get("mail")
        if isinstance(email, list):
            email = next((e for e in email if isinstance(e, str)), "")
        if isinstance(email, str):
            values["email"] = email.strip()
        affiliations = [a for a in (p.get("affiliations") or []) if isinstance(a, dict)] \
            if isinstance(p.get("affiliations"), list) else []
        # Every section name, Japanese and English, of every affiliation: the save path takes
        # the first that names one of our departments.
        values["department"] = "\n".join(
            name for a in affiliations for name in _both(a.get("section")))
        if affiliations:
            values["title"] = " / ".join(_both(affiliations[0].get("job")))
        keywords: list[str] = []
        for item in self.items.get("research_interests", []):
            if isinstance(item, dict):
                keywords.extend(_both(item.get("keyword")))
        for item in self.items.get("research_areas", []):
            if isinstance(item, dict):
                for key in ("research_field", "research_keyword"):
                    keywords.extend(_both(item.get(key)))
        seen: set[str] = set()
        unique = [k for k in keywords if not (k.casefold() in seen or seen.add(k.casefold()))]
        values["keywords"] = "\n".join(unique[:MAX_KEYWORDS])
        profile = [_plain(t) for t in _both(p.get("profile"))]
        papers = []
        for item in self.items.get("published_papers", [])[:MAX_PAPERS]:
            if isinstance(item, dict):
                title = " / ".join(_both(item.get("paper_title")))
                date = item.get("publication_date") if isinstance(
                    item.get("publication_date"), str) else ""
                if title:
                    papers.append(f"- {title}" + (f" ({date[:4]})" if date[:4] else ""))
        if papers:
            profile.append("論文 / Published papers:\n" + "\n".join(papers))
        values["profile"] = "\n\n".join(t for t in profile if t)
        projects = []
        for item in self.items.get("research_projects", [])[:MAX_PROJECTS]:
            if not isinstance(item, dict):
                continue
            title_ja = _text(item.get("research_project_title"), "ja")
            title_en = _text(item.get("research_project_title"), "en")
            if not (title_ja or title_en):
                continue
            lines = [title_en] if title_ja and title_en and title_en != title_ja else []
            funding = " ".join(_both(item.get("system_name")) + _both(item.get("category")))
            if funding:
                lines.append(funding)
            start, end = item.get("from_date"), item.get("to_date")
            if isinstance(start, str) and start:
                end_text = "" if not isinstance(end, str) or end.startswith("9999") else end
                lines.append(f"{start} – {end_text}".strip())
            grants = (item.get("identifiers") or {}).get("grant_number") \
                if isinstance(item.get("identifiers"), dict) else None
            if isinstance(grants, list) and grants:
                lines.append("課題番号 / Grant number: " + ", ".join(
                    str(g) for g in grants if isinstance(g, (str, int))))
            description = [_plain(t) for t in _both(item.get("description"))]
            funders = " ".join(_both(item.get("offer_organization")) + [funding])
            projects.append({"title": (title_ja or title_en)[:300], "title_en": title_en,
                             "government_funded": bool(_PUBLIC_FUNDERS.search(funders)),
                             "abstract": "\n".join(lines + description),
                             "id": str(item.get("rm:id") or item.get("@id") or "")})
        if projects:
            values["projects"] = json.dumps(projects, ensure_ascii=False)
        return ParsedRow(self.number, {k: v for k, v in values.items() if v})


def _load(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportFileError(_("{where}: this is not valid JSON (line {line}, column {column}: "
                                "{error}).").format(where=where, line=err.lineno,
                                                    column=err.colno, error=err.msg)) from None
    except RecursionError:
        raise ImportFileError(_("{where}: the JSON is nested too deeply to be a researchmap "
                                "file.").format(where=where)) from None


def _check_document(size: int, where: str) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise ImportFileError(_(
            "{where} is one JSON document of {size}; one document may hold up to {limit}. Export "
            "several researchers as JSON lines, or as a zip of one file per researcher.").format(
                where=where, size=E.display_limit(size), limit=E.display_limit(MAX_DOCUMENT_BYTES)))


_RESEARCHER_KEYS = {"family_name", "given_name", "permalink", "affiliations", "@graph"}


def _is_researcher(obj: Any) -> bool:
    """A researcher's object (even one lacking a name: that row is refused, naming it), not an
    achievement list or anything else."""
    return isinstance(obj, dict) and (obj.get("@type") == "researchers" or (
        "items" not in obj and bool(_RESEARCHER_KEYS & set(obj))))


def _from_document(doc: Any, where: str, counter: list[int]) -> Iterator[_Researcher]:
    """Researchers of one parsed API JSON document (an object, or an array of them)."""
    items = doc if isinstance(doc, list) else [doc]
    for index, obj in enumerate(items, 1):
        counter[0] += 1
        item_where = where if not isinstance(doc, list) else _("{where}, item {n}").format(
            where=where, n=index)
        if not _is_researcher(obj):
            what = type(obj).__name__ if not isinstance(obj, dict) else (
                obj.get("@type") or ", ".join(list(obj)[:5]) or "{}")
            raise ImportFileError(_(
                "{where} is not a researchmap researcher (it has no name; found: {what}). "
                "Export the researcher's profile (https://api.researchmap.jp/PERMALINK), not one "
                "list of achievements.").format(where=item_where, what=what))
        researcher = _Researcher(counter[0], item_where, obj)
        graph = obj.get("@graph")
        for group in graph if isinstance(graph, list) else []:
            if isinstance(group, dict) and isinstance(group.get("items"), list):
                for item in group["items"]:
                    researcher.add(str(group.get("@type") or ""), item)
        yield researcher


def _iter_lines(text: str) -> Iterator[str]:
    """The lines of `text` one by one (splitlines would hold a second copy of a 50 MB file)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end].rstrip("\r")
        start = end + 1


def _lines(text: str, where: str, counter: list[int]) -> Iterator[_Researcher]:
    """Researchers of a JSON-lines export: a "researchers" line and the lines after it."""
    current: _Researcher | None = None
    for number, line in enumerate(_iter_lines(text), 1):
        if not line.strip():
            continue
        _check_document(len(line), _("{where}, line {n}").format(where=where, n=number))
        record = _load(line, _("{where}, line {n}").format(where=where, n=number))
        insert = record.get("insert") if isinstance(record, dict) else None
        merge = record.get("merge") if isinstance(record, dict) else None
        if not isinstance(insert, dict) or not isinstance(merge, dict):
            if _is_researcher(record):  # an API object on a line of its own
                if current is not None:
                    yield current
                current = next(_from_document(record, _("{where}, line {n}").format(
                    where=where, n=number), counter))
                continue
            raise ImportFileError(_(
                '{where}, line {n}: a researchmap JSON-lines record has "insert" and "merge" '
                "objects.").format(where=where, n=number))
        kind = str(insert.get("type") or "")
        if kind == "researchers":
            if current is not None:
                yield current
            counter[0] += 1
            current = _Researcher(number, _("{where}, line {n}").format(where=where, n=number),
                                  merge, str(insert.get("id") or "") or None)
        elif current is None:
            raise ImportFileError(_(
                "{where}, line {n}: a {type} record before any researcher; the researcher's own "
                'line ("type": "researchers") comes first.').format(where=where, n=number,
                                                                   type=kind or "?"))
        else:
            current.add(kind, {"rm:id": str(insert.get("id") or ""), **merge})
    if current is not None:
        yield current


def _looks_like_lines(text: str) -> bool:
    head = text.lstrip()
    if not head.startswith("{"):
        return False
    first = head.split("\n", 1)[0].strip()
    try:
        json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        return False
    return "\n" in head.strip()


def _from_text(data: bytes, where: str, counter: list[int]) -> tuple[Iterator[_Researcher], str]:
    text, enc = E.decode(data, where)
    if _looks_like_lines(text) or where.lower().endswith((".jsonl", ".ndjson")) or re.match(
            r'\s*\{\s*"(insert|merge)"\s*:', text):
        return _lines(text, where, counter), enc
    _check_document(len(data), where)
    return _from_document(_load(text, where), where, counter), enc


def _zip_members(data: bytes, filename: str) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise ImportFileError(_('"{name}" cannot be read as a zip file ({error}).').format(
            name=filename, error=err)) from None
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()
                   and not i.filename.startswith(("__MACOSX/", "."))
                   and i.filename.lower().endswith((".json", ".jsonl", ".ndjson"))]
        if len(members) > MAX_ZIP_MEMBERS:
            raise ImportFileError(_('"{name}" holds {count} files; up to {limit} are read.')
                                  .format(name=filename, count=len(members),
                                          limit=MAX_ZIP_MEMBERS))
        total = sum(i.file_size for i in members)
        if total > MAX_FILE_BYTES:
            raise ImportFileError(_(
                '"{name}" inflates to {size}; the limit is {limit}. Split it into smaller '
                "files.").format(name=filename, size=E.display_limit(total),
                                 limit=E.display_limit(MAX_FILE_BYTES)))
        if not members:
            raise ImportFileError(_('"{name}" holds no .json or .jsonl file.').format(
                name=filename))
        for info in members:
            where = f"{filename}: {info.filename}"
            if info.file_size > MAX_DOCUMENT_BYTES and not info.filename.lower().endswith(
                    (".jsonl", ".ndjson")):
                _check_document(info.file_size, where)
            try:
                with archive.open(info) as member:
                    # no more than the directory says: a forged size does not inflate more
                    content = member.read(info.file_size + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                    RuntimeError) as err:  # damaged, cut short, encrypted, unknown method
                raise ImportFileError(_("{where} cannot be read from the zip ({error}).").format(
                    where=where, error=err)) from None
            if len(content) > info.file_size:
                raise ImportFileError(_("{where}: the zip directory gives a wrong size.").format(
                    where=where))
            yield where, content


def read(data: bytes, filename: str) -> ParsedFile:
    """A researchmap file (JSON, JSON lines, or a zip of them) as rows of the "researchmap" kind;
    ImportFileError when it cannot be read."""
    E.check_size(data, filename)
    counter = [0]
    rows: list[ParsedRow] = []
    notes: list[str] = []
    encoding: str | None = None
    max_rows = limits.current().max_rows
    if data.startswith(b"PK\x03\x04"):
        sources = ((where, _from_text(content, where, counter)[0])
                   for where, content in _zip_members(data, filename))
        fmt = "researchmap-zip"
    else:
        researchers, encoding = _from_text(data, filename, counter)
        sources = iter([(filename, researchers)])
        fmt = "researchmap"
    for _where, researchers in sources:
        for researcher in researchers:
            if len(rows) >= max_rows:
                raise ImportFileError(_('"{name}" holds more than {limit} researchers; split it.')
                                      .format(name=filename, limit=max_rows))
            row = researcher.row()
            if fmt == "researchmap-zip":
                row.number = len(rows) + 1
            rows.append(row)
    if not rows:
        raise ImportFileError(_('"{name}" holds no researchmap researcher.').format(name=filename))
    notes.append(_("Rows are numbered by researcher: the line of a JSON-lines file, the "
                   "researcher's place in a JSON array or a zip."))
    return ParsedFile(format=fmt, encoding=encoding, kind="researchmap", header_row=None,
                      headers=[], mapping={}, unmapped=[], rows=rows, notes=notes)
