"""Bytes to text: size and emptiness checks, binary refusal, encoding detection.

Order: BOM (UTF-8, UTF-16 LE/BE) -> UTF-16 without BOM (NUL pattern) -> strict UTF-8 ->
strict CP932 (what Excel in Japan writes; Shift_JIS is a subset) or EUC-JP -> charset-normalizer.
"""
from __future__ import annotations

import codecs
import re
from collections import Counter

from . import base
from .i18n import _

# Signatures of files that are certainly not text (images, PDF, archives, old Office, ...).
_MAGIC = (
    (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"%PDF", "PDF"),
    (b"\xd0\xcf\x11\xe0", "Office 97-2003"), (b"PK\x03\x04", "zip"), (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7-Zip"), (b"Rar!", "RAR"), (b"BM", None), (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"), (b"\x7fELF", "program"), (b"MZ", None), (b"RIFF", "RIFF"),
    (b"SQLite format 3", "SQLite"),
)
_KANA = re.compile(r"[\u3041-\u30ff]")
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
#: Kana (full or half width) and kanji: what a Japanese text holds.
_JAPANESE = re.compile(r"[\u3041-\u30ff\u4e00-\u9fff\uff66-\uff9f]")
#: Half-width katakana glued to a Latin letter or a kanji, or a kanji or two inside a Latin
#: word: a Western text read as CP932 (Auﾟenstelle, Lef鐡re), never a Japanese one.
_GLUED_HALF_WIDTH = re.compile(
    r"[A-Za-z\u4e00-\u9fff][\uff61-\uff9f]|[\uff61-\uff9f][a-z\u4e00-\u9fff]"
    r"|[A-Za-z][\u4e00-\u9fff]{1,2}[a-z]")


def display_limit(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    if limit >= 1024:
        return f"{limit / 1024:g} KB"
    return f"{limit} bytes"


def check_size(data: bytes, filename: str) -> None:
    """Refuse an empty or too large file (the limit is read at call time: tests lower it)."""
    limit = base.MAX_FILE_BYTES
    if len(data) > limit:
        raise base.ImportFileError(
            _('"{name}" is too large ({size}); the limit is {limit}. Split it into smaller files.')
            .format(name=filename, size=display_limit(len(data)), limit=display_limit(limit)))
    if not data.strip(b" \t\r\n\x00\x1a\xef\xbb\xbf\xff\xfe"):
        raise base.ImportFileError(_('"{name}" is empty.').format(name=filename))


def binary_error(filename: str, what: str | None = None) -> base.ImportFileError:
    if what == "Office 97-2003":
        return base.ImportFileError(
            _('"{name}" is an old Excel (.xls) file: open it in Excel and save it as .xlsx or CSV.')
            .format(name=filename))
    return base.ImportFileError(
        _('"{name}" looks like a binary file, not CSV, Excel (.xlsx) or vCard.')
        .format(name=filename))


def sniff_binary(data: bytes) -> str | None:
    """The kind of binary file `data` starts with, or None."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            if what is None:  # BM / MZ are also plausible starts of text: only with NULs
                return "binary" if b"\x00" in data[:512] else None
            return what
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the NULs fall on every other byte (ASCII-heavy UTF-16)."""
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, filename: str) -> tuple[str, str]:
    """(text, encoding name) or ImportFileError. The size has been checked already."""
    what = sniff_binary(data)
    if what:
        raise binary_error(filename, what)
    text: str | None = None
    encoding: str | None = None
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _strict(data[3:], "utf-8"), "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE):
        text, encoding = _strict(data[2:], "utf-16-le"), "utf-16"
    elif data.startswith(codecs.BOM_UTF16_BE):
        text, encoding = _strict(data[2:], "utf-16-be"), "utf-16"
    elif b"\x00" in data:
        guess = _utf16_without_bom(data[:8192])
        if guess is None:
            raise binary_error(filename)
        text, encoding = _strict(data, guess), "utf-16"
        if text is None:
            raise binary_error(filename)
    else:
        text = _strict(data, "utf-8")
        if text is not None:
            encoding = "utf-8"
        else:
            text, encoding = _japanese_or_other(data)
    if text is None:
        raise base.ImportFileError(
            _('The encoding of "{name}" is unknown: save it as UTF-8 or Shift_JIS (CP932) CSV.')
            .format(name=filename))
    sample = text[:20000]
    if sample and len(_BAD_CONTROL.findall(sample)) > max(3, len(sample) // 200):
        raise binary_error(filename)
    return text.rstrip("\x1a"), encoding or "utf-8"


def _japanese_or_other(data: bytes) -> tuple[str | None, str | None]:
    candidates = []
    for enc in ("cp932", "euc-jp"):
        text = _strict(data, enc)
        if text is not None and len(_PRIVATE_USE.findall(text[:50000])) <= max(
                2, len(text[:50000]) // 1000):  # user-defined characters: rare in real files
            candidates.append((len(_KANA.findall(text[:50000])), enc, text))
    if candidates:
        candidates.sort(key=lambda c: -c[0])
        kana, enc, text = candidates[0]
        if kana:
            return text, enc
        # kanji only (a list of company names): still Japanese unless the bytes read far better
        # as a Western single-byte encoding (an accented European file also decodes as CP932)
        guess = _normalizer_guess(data)
        if not guess or not re.match(r"(cp125\d|latin|iso8859|mac_)", guess):
            return text, enc
    guess = _normalizer_guess(data)
    if guess:
        text = _strict(data, guess)
        if text is not None:
            return text, guess
    return None, None


def _normalizer_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200000]).best()
    if best is None:
        return None
    return best.encoding


# ------------------------------------------------------------------ short texts (a vCard)
#: The letters of each single-byte code page's script, most frequent first (letter frequency
#: tables of Russian and Ukrainian, Greek, Hebrew; the accented letters of Western Europe).
_SCRIPT_LETTERS = {
    "cp1251": "оаеинітсрвлкмдпуяызьгбчйхжшюцщєїэфъёґ",
    "cp1253": "αοιετσνηυρπκμλωδγχθφβξζψάέίόύήώςϊϋΐΰ",
    "cp1255": "יוהלרמאתבשנעקדחכפסגםזטצןךףץ",
    "cp1252": "éèàüöäßçñáíóúâêîôûëïœåøæãõìòùÿ",
}
#: Tried in this order when a card names no charset; a tie goes to the first.
SINGLE_BYTE = ("cp1252", "cp1251", "cp1253", "cp1255")
_WORD = re.compile(r"[^\W\d_]+")


_RANKS = {enc: {ch: 3 - 3 * i / len(letters) for i, ch in enumerate(letters)}
          for enc, letters in _SCRIPT_LETTERS.items()}
_HARMLESS = frozenset("–—‘’“”„€«»·°§©®№")
#: The letters of each script a single-byte code page writes (Latin beyond ASCII included).
_SCRIPT_RES = (re.compile(r"[A-Za-z\u00c0-\u024f]"), re.compile(r"[\u0370-\u03ff]"),
               re.compile(r"[\u0400-\u04ff]"), re.compile(r"[\u0590-\u05ff]"))
_NOT_LATIN = re.compile(r"[\u0370-\u05ff]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _byte_weights(encoding: str) -> dict[int, float]:
    """What each byte 0x80-0xFF read in `encoding` adds to the score: its letter's weight
    (frequent letters of the script score), or a loss for a symbol or a mark."""
    rank, weights = _RANKS[encoding], {}
    for byte in range(0x80, 0x100):
        ch = bytes([byte]).decode(encoding, errors="replace")
        weight = rank.get(ch.lower())
        if weight is not None:
            weights[byte] = weight
        elif not ch.isalpha() and not ch.isspace() and ch not in _HARMLESS:
            weights[byte] = -4.0  # ÷ × ¤ ¦ or a combining point: a letter read as another
    return weights


_BYTE_WEIGHTS = {encoding: _byte_weights(encoding) for encoding in SINGLE_BYTE}


def _single_byte_score(text: str, encoding: str, high_bytes: Counter[int]) -> float:
    """How much `text` (the bytes counted in `high_bytes`, read in `encoding`) looks like a text
    written in that code page's script: frequent letters of the script score, a word mixing
    scripts or holding a symbol or a mark loses."""
    weights = _BYTE_WEIGHTS[encoding]
    score = sum(weights.get(byte, 0.0) * count for byte, count in high_bytes.items())
    for word in set(_WORD.findall(text)):
        if word.isascii():
            continue
        if sum(1 for script in _SCRIPT_RES if script.search(word)) > 1:
            score -= 5  # Mьller: Latin and Cyrillic in one word
        if word[1:].lower() != word[1:] and not word.isupper() and _NOT_LATIN.search(word):
            score -= 2  # aBc inside a Greek or Cyrillic word
        if len(word) > 1 and word[0].islower() and not _ASCII_LETTER.search(word):
            score -= 3  # no capital, no ASCII letter: Hebrew (no case) read as another script
    return score


def guess_short(data: bytes) -> str:
    """The encoding of a short text that names none (the values of one vCard): UTF-8 when it
    decodes strictly, Shift_JIS (CP932) when it reads as Japanese, else the Windows code page
    (Western, Cyrillic, Greek, Hebrew) whose letters it reads best as; Latin-1 decodes anything."""
    if _strict(data, "utf-8") is not None:
        return "utf-8"
    text = _strict(data, "cp932")
    if text is not None and _JAPANESE.search(text) and not _PRIVATE_USE.search(text) \
            and not _GLUED_HALF_WIDTH.search(text):
        return "cp932"
    best, best_score = "latin-1", float("-inf")
    high_bytes = Counter(byte for byte in data if byte >= 0x80)
    for encoding in SINGLE_BYTE:
        decoded = _strict(data, encoding)
        if decoded is not None:
            score = _single_byte_score(decoded, encoding, high_bytes)
            if score > best_score:
                best, best_score = encoding, score
    return best
