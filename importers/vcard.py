"""vCard 2.1, 3.0 and 4.0 to contact rows, with a tolerant line parser (real phone exports break
the rules vobject enforces): unfolding, quoted-printable with soft line breaks, CHARSET per
property (Shift_JIS cards from Japanese phones), readings from SOUND;X-IRMC-N, X-PHONETIC-* and
SORT-AS, nested and truncated cards."""
from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from collections import Counter
from dataclasses import dataclass, field

from . import encoding as E, limits as L, values as V
from .base import ImportFileError, ParsedRow, Problem
from .i18n import _
from .labels import field_label

_LINE_SPLIT = re.compile(rb"\r\n|\r|\n")
_NAME_RE = re.compile(rb"^[A-Za-z0-9\-_.]+$")
_CHARSETS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
             "windows-31j": "cp932", "ms932": "cp932", "iso-2022-jp": "iso2022_jp"}
_EMAIL_IN = re.compile(r"<([^<>@\s]+@[^<>\s]+)>")

FIELDS_OUT = ("family_name", "given_name", "full_name", "family_name_reading",
              "given_name_reading", "company_name", "department", "title", "email",
              "other_emails", "phone", "mobile", "address", "postal_code", "website", "notes",
              "tags")


@dataclass
class Prop:
    name: str
    params: dict[str, list[str]]
    types: set[str]
    raw: bytes
    value: str = ""


@dataclass
class Card:
    number: int
    props: list[Prop] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ended: bool = False
    version: str = ""
    #: The encoding of the card's values that name no CHARSET (guessed per card).
    encoding: str = ""


def _split_params(text: str) -> list[str]:
    """'TYPE="a;b",PREF;CHARSET=X' -> ['TYPE="a;b",PREF', 'CHARSET=X'] (quotes respected)."""
    parts, buf, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            buf.append(ch)
        elif ch == ";" and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _parse_params(text: str) -> tuple[dict[str, list[str]], set[str]]:
    params: dict[str, list[str]] = {}
    types: set[str] = set()
    for part in _split_params(text):
        if not part:
            continue
        if "=" in part:
            key, _sep, value = part.partition("=")
            key = key.strip().upper()
            vals = [v.strip().strip('"') for v in re.split(r',(?=(?:[^"]*"[^"]*")*[^"]*$)', value)]
            if key == "TYPE":
                for v in vals:
                    types.update(t.strip().upper() for t in v.split(",") if t.strip())
            params.setdefault(key, []).extend(vals)
        else:  # vCard 2.1 bare parameters: HOME, CELL, PREF, QUOTED-PRINTABLE, BASE64 ...
            bare = part.strip().upper()
            if bare in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"):
                params.setdefault("ENCODING", []).append(bare)
            else:
                types.add(bare)
    if "PREF" in params:
        types.add("PREF")
    return params, types


def _trailing_backslashes(piece: bytes) -> int:
    return len(piece) - len(piece.rstrip(b"\\"))


#: A logical line with its folds: split where a line break is not followed by a space or tab.
_BLOCK_SPLIT = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?![ \t])")


def _unfold(block: bytes) -> bytes:
    """A line break followed by a space or tab taken out (bytes.replace: C, no per-fold work)."""
    if b"\n" not in block and b"\r" not in block:
        return block
    for fold in (b"\r\n ", b"\r\n\t", b"\n ", b"\n\t", b"\r ", b"\r\t"):
        if fold in block:
            block = block.replace(fold, b"")
    return block


#: What only the line-by-line unfolding handles: quoted-printable soft breaks, a line going on
#: after a trailing backslash.
_TRICKY = re.compile(rb"(?i)quoted-printable|\\(?:\r|\n|$)")
_BREAKS = re.compile(rb"\r\n|\r|\n")


def _logical_lines(data: bytes) -> list[bytes]:
    """Unfold: a line starting with a space or tab continues the previous one; a
    quoted-printable value ending with '=' continues on the next line (soft line break).

    In linear time: each logical line with its folds is cut out and unfolded by the regular
    expression engine (C); only a line with quoted-printable or a trailing backslash goes
    line by line, kept as pieces joined once. Refuses a file of more than `max_vcard_lines`
    lines, or a logical line longer than `max_vcard_line_bytes`, before building either."""
    limits = L.current()
    lines = max(data.count(b"\n"), data.count(b"\r")) + 1
    if lines > limits.max_vcard_lines:
        raise ImportFileError(
            _("The vCard file has {count} lines; the limit is {limit} lines ({setting}). Split "
              "it into smaller files.").format(count=L.number(lines),
                                               limit=L.number(limits.max_vcard_lines),
                                               setting=L.setting("max_vcard_lines")))
    unfolder = _Unfolder(limits.max_vcard_line_bytes)
    number = 1
    for block in _BLOCK_SPLIT.split(data):
        if unfolder.is_open() or _TRICKY.search(block):
            for offset, line in enumerate(_BREAKS.split(block)):
                unfolder.line(number + offset, line)
        else:
            unfolder.whole(number, _unfold(block))
        number += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n") + 1
    unfolder.flush()
    return unfolder.out


class _Unfolder:
    """Logical lines from physical ones, keeping the state the rules need."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.out: list[bytes] = []
        self.pieces: list[bytes] = []
        self.size = 0
        self.started_at = 0
        self.head = _HeadFinder()
        self.qp_open = self.backslash_open = False
        self.trailing = 0

    def is_open(self) -> bool:
        return self.qp_open or self.backslash_open

    def flush(self) -> None:
        if self.pieces:
            pieces = self.pieces
            self.out.append(pieces[0] if len(pieces) == 1 else b"".join(pieces))
            self.pieces = []

    def _check(self, size: int, number: int) -> None:
        if size > self.max_bytes:
            raise ImportFileError(
                _("Line {line} of the vCard file is longer than {limit} once unfolded (the "
                  "limit, {setting}).").format(line=number, limit=L.size(self.max_bytes),
                                               setting=L.setting("max_vcard_line_bytes")))

    def whole(self, number: int, line: bytes) -> None:
        """A logical line already unfolded (no quoted-printable, no trailing backslash)."""
        self._check(len(line), number)
        self.flush()
        self.out.append(line)
        self.qp_open = self.backslash_open = False

    def line(self, number: int, line: bytes) -> None:
        pieces = self.pieces
        if self.qp_open and pieces:
            _drop_last_byte(pieces)
            pieces.append(line)
            self.size += len(line) - 1
            self.head.feed(line)
            self.qp_open = line.endswith(b"=") if line else _ends_with(pieces, b"=")
            self.trailing = _trailing_backslashes(line)
        else:
            if self.backslash_open and pieces and b":" not in line.split(b";", 1)[0]:
                # vCard 2.1 from some phones: a line ending in a lone backslash goes on
                _drop_last_byte(pieces)
                pieces.append(b"\\n")
                pieces.append(line)
                self.size += len(line) + 1
                self.head.feed(b"\\n" + line)
                self.trailing = _trailing_backslashes(line)
            elif line[:1] in (b" ", b"\t") and pieces:
                piece = line[1:]
                pieces.append(piece)
                self.size += len(piece)
                self.head.feed(piece)
                stripped = _trailing_backslashes(piece)
                self.trailing = self.trailing + len(piece) if stripped == len(piece) \
                    else stripped
            else:
                self.flush()
                self.pieces = pieces = [line]
                self.size = len(line)
                self.started_at = number
                self.head = _HeadFinder()
                self.head.feed(line)
                self.trailing = _trailing_backslashes(line)
            self.qp_open = self.head.quoted_printable() and _ends_with(pieces, b"=")
            self.backslash_open = self.trailing % 2 == 1 and not self.qp_open
        self._check(self.size, self.started_at)


def _drop_last_byte(pieces: list[bytes]) -> None:
    while pieces and not pieces[-1]:
        pieces.pop()
    if pieces:
        pieces[-1] = pieces[-1][:-1]


def _ends_with(pieces: list[bytes], suffix: bytes) -> bool:
    for piece in reversed(pieces):
        if piece:
            return piece.endswith(suffix)
    return False


class _HeadFinder:
    """The name and parameters of a logical line (up to its first colon outside double
    quotes), found from the pieces as they come: each byte is looked at once at most."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.done = False
        self.quoted = False
        self._qp: bool | None = None

    def feed(self, piece: bytes) -> None:
        if self.done:
            return
        start = 0
        while True:
            colon = piece.find(b":", start)
            if colon < 0:
                if piece.count(b'"', start) % 2:
                    self.quoted = not self.quoted
                self.parts.append(piece)
                return
            if piece.count(b'"', start, colon) % 2:
                self.quoted = not self.quoted
            if not self.quoted:
                self.parts.append(piece[:colon])
                self.done = True
                return
            start = colon + 1

    def quoted_printable(self) -> bool:
        if self._qp is None or not self.done:
            self._qp = b"QUOTED-PRINTABLE" in b"".join(self.parts).upper()
        return self._qp


def _head(line: bytes) -> tuple[bytes, bytes]:
    """(name and parameters, value): split on the first colon outside double quotes."""
    quoted = False
    for i, byte in enumerate(line):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x3A and not quoted:
            return line[:i], line[i + 1:]
    head, _sep, value = line.partition(b":")
    return head, value


#: ENCODING values (and vCard 2.1 bare parameters) that say a value is base64.
_BASE64 = frozenset({"BASE64", "B"})
_BASE64_LINE = re.compile(rb"^[A-Za-z0-9+/=\s]+$")
#: Properties never decoded (binary or irrelevant), so a broken photo breaks nothing.
_BINARY = frozenset({"PHOTO", "LOGO", "KEY"})


class _Undecodable(ValueError):
    """A value whose transfer encoding (base64) does not decode; str() says why."""


def _transfer_decoded(raw: bytes, params: dict[str, list[str]]) -> bytes:
    """The value's bytes with its ENCODING (QUOTED-PRINTABLE, BASE64/B) taken off."""
    encoding = (params.get("ENCODING") or [""])[0].upper()
    if encoding == "QUOTED-PRINTABLE":
        return quopri.decodestring(raw)
    if encoding in _BASE64:
        packed = re.sub(rb"\s+", b"", raw)
        try:
            return base64.b64decode(packed + b"=" * (-len(packed) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise _Undecodable(_("this BASE64 value does not decode (it is not base64 or "
                                 "it was cut off)")) from None
    return raw


def _charset(params: dict[str, list[str]]) -> str | None:
    """The value's own CHARSET, as a Python codec name; None when it names none (or one
    Python does not know, which is then guessed like a value without one)."""
    charset = (params.get("CHARSET") or [""])[0].strip().lower()
    if not charset:
        return None
    charset = _CHARSETS.get(charset, charset)
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _text(data: bytes, charset: str) -> str:
    return data.decode(charset).replace("\r\n", "\n").replace("\r", "\n")


def _decode_card(card: Card, pending: list[tuple[Prop, bytes, str | None]]) -> None:
    """Decode the card's values: each by its own CHARSET; those naming none by one encoding
    guessed from all of them together (per card: one file may hold cards of several)."""
    unnamed = b"\n".join(data for _prop, data, charset in pending if charset is None)
    guessed = E.guess_short(unnamed) if unnamed.strip() else "utf-8"
    used: Counter[str] = Counter()
    for prop, data, charset in pending:
        if not data.isascii():
            used[charset or guessed] += 1
        try:
            prop.value = _text(data, charset or guessed)
        except UnicodeDecodeError:
            card.problems.append(Problem(
                card.number, prop.name, data.decode("latin-1")[:60],
                _("this value cannot be decoded as {charset}").format(
                    charset=(prop.params.get("CHARSET") or [guessed])[0])))
            continue
        card.props.append(prop)
    card.encoding = used.most_common(1)[0][0] if used else guessed


def split_cards(data: bytes) -> tuple[list[Card], str]:
    """The cards of a file, each value decoded; and the encoding most of the cards that name
    no charset were in ("utf-8" when none)."""
    cards: list[Card] = []
    stack: list[tuple[Card, list[tuple[Prop, list[bytes], str | None]]]] = []
    count = 0
    base64_pieces: list[bytes] | None = None
    base64_size = 0
    max_bytes = L.current().max_vcard_line_bytes
    for line in _logical_lines(data):
        if base64_pieces is not None:
            if b":" not in line and line.strip() and _BASE64_LINE.match(line):
                base64_pieces.append(line)  # vCard 2.1: base64 goes on over lines of its own
                base64_size += len(line)
                if base64_size > max_bytes:
                    raise ImportFileError(
                        _("Card {card}: a BASE64 value is longer than {limit} (the limit, "
                          "{setting}).").format(card=count, limit=L.size(max_bytes),
                                                setting=L.setting("max_vcard_line_bytes")))
                continue
            base64_pieces = None
        if not line.strip() or b":" not in line:
            continue  # blank lines, comments, stray base64: ignored as phones do
        head, raw = _head(line)
        name_part, _sep, param_part = head.partition(b";")
        name = name_part.strip().rsplit(b".", 1)[-1].upper()  # item1.EMAIL -> EMAIL
        if not _NAME_RE.match(name or b"-"):
            continue
        name_s = name.decode("ascii")
        value_upper = raw.strip().upper()
        if name_s == "BEGIN" and value_upper == b"VCARD":
            count += 1
            stack.append((Card(count), []))
            continue
        if name_s == "END" and value_upper == b"VCARD":
            if stack:
                card, pending = stack.pop()
                card.ended = True
                _finish(card, pending)
                cards.append(card)
            continue
        if not stack:
            continue
        card, pending = stack[-1]
        try:
            params, types = _parse_params(param_part.decode("utf-8"))
        except UnicodeDecodeError:
            params, types = _parse_params(param_part.decode("latin-1"))
        prop = Prop(name_s, params, types, raw)
        if name_s == "VERSION":
            card.version = raw.decode("ascii", errors="replace").strip()
        if name_s in _BINARY or (name_s == "SOUND" and "X-IRMC-N" not in types):
            continue  # binary or irrelevant: never decoded
        pieces = [raw]
        if (params.get("ENCODING") or [""])[0].upper() in _BASE64:
            base64_pieces, base64_size = pieces, len(raw)
        pending.append((prop, pieces, _charset(params)))
    for card, pending in reversed(stack):  # cards never closed: the file was cut off
        _finish(card, pending)
        card.problems.append(Problem(
            card.number, "END", "",
            _("the card has no END:VCARD line: the file may be cut off")))
        cards.append(card)
    cards.sort(key=lambda c: c.number)
    guessed = Counter(c.encoding for c in cards if c.encoding)
    return cards, (guessed.most_common(1)[0][0] if guessed else "utf-8")


def _finish(card: Card, pending: list[tuple[Prop, list[bytes], str | None]]) -> None:
    """Take the transfer encodings off the card's values, then decode them."""
    ready: list[tuple[Prop, bytes, str | None]] = []
    for prop, pieces, charset in pending:
        if len(pieces) > 1:
            prop.raw = b"\n".join(pieces)
        try:
            ready.append((prop, _transfer_decoded(prop.raw, prop.params), charset))
        except _Undecodable as err:
            card.problems.append(Problem(card.number, prop.name,
                                         prop.raw.decode("latin-1")[:60], str(err)))
    _decode_card(card, ready)


# ---------------------------------------------------------------------------- values
def _unescape(text: str) -> str:
    return re.sub(r"\\([nN,;:\\])", lambda m: "\n" if m[1] in "nN" else m[1], text)


def _components(text: str) -> list[str]:
    """Split a structured value on unescaped ';' and unescape each part."""
    parts, buf, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            buf.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        if ch == ";":
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf).strip())
    return parts


def _list(text: str) -> list[str]:
    parts = re.split(r"(?<!\\),", text)
    return [_unescape(p).strip() for p in parts if p.strip()]


def _pref_first(props: list[Prop]) -> list[Prop]:
    return sorted(props, key=lambda p: 0 if "PREF" in p.types else 1)


def _email(value: str) -> str:
    value = _unescape(value).strip()
    match = _EMAIL_IN.search(value)
    return V.email(match[1] if match else value.strip('"'))


def _address(parts: list[str]) -> str:
    parts = (parts + [""] * 7)[:7]
    pobox, ext, street, city, region, _postal, country = parts
    if any(V.is_japanese(p) for p in parts):
        return "".join(p for p in (region, city, street, ext, pobox) if p)
    return ", ".join(p.replace("\n", ", ") for p in (pobox, ext, street, city, region, country)
                     if p)


def card_values(card: Card) -> dict[str, str]:
    by: dict[str, list[Prop]] = {}
    for prop in card.props:
        by.setdefault(prop.name, []).append(prop)
    values: dict[str, str] = {}
    notes: list[str] = []

    def first(name: str) -> Prop | None:
        return by[name][0] if by.get(name) else None

    n = first("N")
    if n:
        parts = _components(n.value)
        if parts and parts[0]:
            values["family_name"] = parts[0]
        if len(parts) > 1 and parts[1]:
            values["given_name"] = parts[1]
        sort_as = n.params.get("SORT-AS")
        if sort_as:
            readings = _components(",".join(sort_as)) if len(sort_as) == 1 else sort_as
            if readings and readings[0]:
                values["family_name_reading"] = V.reading(readings[0])
            if len(readings) > 1 and readings[1]:
                values["given_name_reading"] = V.reading(readings[1])
    fn = first("FN")
    if fn and _unescape(fn.value).strip():
        values["full_name"] = _unescape(fn.value).strip()
    sound = first("SOUND")
    if sound:
        parts = _components(sound.value)
        if parts and parts[0]:
            values.setdefault("family_name_reading", V.reading(parts[0]))
        if len(parts) > 1 and parts[1]:
            values.setdefault("given_name_reading", V.reading(parts[1]))
    for prop_name, field_name in (("X-PHONETIC-LAST-NAME", "family_name_reading"),
                                  ("X-PHONETIC-FIRST-NAME", "given_name_reading")):
        prop = first(prop_name)
        if prop and prop.value.strip():
            values.setdefault(field_name, V.reading(_unescape(prop.value)))
    if "family_name" not in values and "given_name" not in values and values.get("full_name"):
        family, given = V.split_name(values["full_name"])
        values["family_name"] = family
        if given:
            values["given_name"] = given
    values, romanised = V.take_romanised(values)
    if romanised:
        notes.append(romanised)
    # organisation and title: the first is the contact's; any others go to the notes
    orgs = [p for p in by.get("ORG", []) if _unescape(p.value).strip(" ;")]
    if orgs:
        parts = [p for p in _components(orgs[0].value) if p]
        if parts:
            values["company_name"] = parts[0]
        if len(parts) > 1:
            values["department"] = " ".join(parts[1:])
        notes += [f"ORG: {' '.join(p for p in _components(o.value) if p)}" for o in orgs[1:]]
    titles = [_unescape(p.value).strip() for p in by.get("TITLE", []) if p.value.strip()]
    roles = [_unescape(p.value).strip() for p in by.get("ROLE", []) if p.value.strip()]
    if titles:
        values["title"] = titles[0]
        notes += [f"TITLE: {t}" for t in titles[1:]]
        notes += [f"ROLE: {r}" for r in roles]
    elif roles:
        values["title"] = roles[0]
        notes += [f"ROLE: {r}" for r in roles[1:]]
    # e-mails: the preferred first
    emails = [e for e in (_email(p.value) for p in _pref_first(by.get("EMAIL", []))) if e]
    emails = list(dict.fromkeys(emails))
    if emails:
        values["email"] = emails[0]
        if emails[1:]:
            values["other_emails"] = "; ".join(emails[1:])
    # phones: cell -> mobile, fax/pager/others -> notes
    for prop in _pref_first(by.get("TEL", [])):
        number = _unescape(prop.value).strip()
        if number.lower().startswith("tel:"):
            number = number[4:]
        number = V.nfkc(number)
        if not number:
            continue
        types = prop.types
        label = "/".join(sorted(t for t in types if t not in ("PREF", "VOICE")))
        if number.lower().startswith("sip:"):
            notes.append(f"SIP: {number[4:]}")
        elif types & {"CELL", "MOBILE", "IPHONE"} and "mobile" not in values:
            values["mobile"] = number
        elif not types & {"FAX", "PAGER", "CELL", "MOBILE", "MODEM", "BBS", "CAR", "ISDN"} \
                and "phone" not in values:
            values["phone"] = number
        else:
            notes.append(f"TEL ({label}): {number}" if label else f"TEL: {number}")
    adrs = [p for p in by.get("ADR", []) if _unescape(p.value).strip(" ;")]
    adrs.sort(key=lambda p: (0 if "PREF" in p.types else 1, 0 if "WORK" in p.types else 1))
    if adrs:
        parts = _components(adrs[0].value)
        address = _address(parts)
        if address:
            values["address"] = address
        if len(parts) > 5 and parts[5]:
            values["postal_code"] = V.nfkc(parts[5])
        for other in adrs[1:]:
            label = "/".join(sorted(t for t in other.types if t != "PREF")) or "ADR"
            oparts = _components(other.value)
            text = " ".join(filter(None, [oparts[5] if len(oparts) > 5 else "",
                                          _address(oparts)]))
            notes.append(f"ADR ({label}): {text}")
    urls = [_unescape(p.value).strip() for p in _pref_first(by.get("URL", [])) if p.value.strip()]
    if urls:
        values["website"] = urls[0]
        notes += [f"URL: {u}" for u in urls[1:]]
    card_notes = [_unescape(p.value).strip() for p in by.get("NOTE", []) if p.value.strip()]
    if any(n.casefold() in _DNC_NOTES for n in card_notes):
        # The NOTE Kakehashi's vCard export writes for a do-not-contact person: the flag.
        values["do_not_contact"] = "true"
        card_notes = [n for n in card_notes if n.casefold() not in _DNC_NOTES]
    all_notes = card_notes + notes
    if all_notes:
        values["notes"] = "\n".join(all_notes)
    tags: list[str] = []
    for prop in by.get("CATEGORIES", []):
        tags += _list(prop.value)
    if tags:
        values["tags"] = "; ".join(dict.fromkeys(tags))
    return {k: v for k, v in values.items() if v}


#: The NOTE of a do-not-contact person in our own vCard export (English and Japanese).
_DNC_NOTES = frozenset({"do not contact", "連絡不可"})


def parse(data: bytes) -> tuple[list[ParsedRow], str, int]:
    """(rows, encoding, number of cards). A card's row number is its place in the file (1 =
    first card)."""
    cards, encoding = split_cards(data)
    limits = L.current()
    if len(cards) > limits.max_rows:
        raise ImportFileError(
            _("The vCard file has {count} cards; the limit is {limit} ({setting}). Split it "
              "into smaller files.").format(count=L.number(len(cards)),
                                            limit=L.number(limits.max_rows),
                                            setting=L.setting("max_rows")))
    rows = []
    for card in cards:
        values = card_values(card)
        for name, value in values.items():
            if len(value) > limits.max_cell_chars:
                raise ImportFileError(
                    _("Card {card}: {field} holds {length} characters; a value may hold at "
                      "most {limit} ({setting}). Nothing was read.").format(
                        card=card.number, field=field_label("contacts", name),
                        length=L.number(len(value)),
                        limit=L.number(limits.max_cell_chars),
                        setting=L.setting("max_cell_chars")))
        problems = list(card.problems)
        if not values and not problems:
            problems.append(Problem(card.number, "N", "",
                                    _("the card has no name, e-mail or other contact data")))
        rows.append(ParsedRow(card.number, values, problems))
    return rows, encoding, len(cards)
