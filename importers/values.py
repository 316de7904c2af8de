"""Cell values to the plain strings the save path expects: dates as ISO, booleans as
'true'/'false', numbers without separators, names split into family/given."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .folding import fold_case, is_japanese, nfkc
from .i18n import _

# Japanese eras: (names, first day). 元年 is year 1.
_ERAS = {
    "令和": dt.date(2019, 5, 1), "r": dt.date(2019, 5, 1),
    "平成": dt.date(1989, 1, 8), "h": dt.date(1989, 1, 8),
    "昭和": dt.date(1926, 12, 25), "s": dt.date(1926, 12, 25),
    "大正": dt.date(1912, 7, 30), "t": dt.date(1912, 7, 30),
    "明治": dt.date(1868, 1, 25), "m": dt.date(1868, 1, 25),
    "㋿": dt.date(2019, 5, 1),
}
_ERA_RE = re.compile(
    r"^(令和|平成|昭和|大正|明治|[rhstm])\s*(\d{1,2}|元)\s*(?:年|[./\-])\s*(\d{1,2})\s*(?:月|[./\-])"
    r"\s*(\d{1,2})\s*日?$", re.IGNORECASE)
_YMD_RE = re.compile(r"^(\d{4})\s*(?:年|[./\-])\s*(\d{1,2})\s*(?:月|[./\-])\s*(\d{1,2})\s*日?"
                     r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+\-]\d{2}:?\d{2})?)?$",
                     re.IGNORECASE)
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY_RE = re.compile(r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_SERIAL_RE = re.compile(r"^\d{1,5}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_TRUE = {"はい", "yes", "y", "true", "t", "1", "○", "〇", "◯", "●", "✓", "✔", "有", "あり",
         "有り", "済", "on", "要", "する"}
_FALSE = {"いいえ", "no", "n", "false", "f", "0", "×", "✕", "✗", "無", "なし", "無し", "off",
          "不要", "しない", "-", "ー"}

_NUMBER_STRIP = re.compile(r"[\s,'_]|円|圓|¥|\\|\$|€|£|jpy|yen|usd|eur|万円?$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^[+\-]?\d+(?:\.\d+)?$")
_SCI_RE = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u3000]+")


_STRIP = " \t\n\u3000\ufeff"
_CORP_SEPARATORS = re.compile(r"[\s\-‐‑–—ー.]")
_CORP_FLOAT = re.compile(r"^(\d{13})\.0+$")


class ValueProblem(ValueError):
    """A value that cannot be turned into what the field needs; str() is the reason."""


#: What a spreadsheet export puts a ' before so that it is not read as a formula.
_FORMULA_GUARDED = frozenset("=+-@\t＝＋－＠\u2212")


def clean(value: object) -> str:
    """A cell as a stripped string (full-width spaces and non-breaking spaces included)."""
    if value.__class__ is str:  # the fast path: every CSV cell
        if "\r" in value or "\u00a0" in value:
            value = value.replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
        value = value.strip(_STRIP)
        if value[:2] == '="' and value[-1:] == '"' and len(value) > 2:
            value = value[2:-1].replace('""', '"')  # ="0123": kept as text for Excel
        elif value[:1] == "'" and value[1:2] in _FORMULA_GUARDED:
            value = value[1:]  # '+81-3-...: the quote an export put before = + - @ (ours too)
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip(_STRIP)


def _make_date(year: int, month: int, day: int, raw: str) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueProblem(_("{value} is not a day in the calendar").format(value=raw)) from None


def parse_date(value: str) -> str:
    """ISO 'YYYY-MM-DD' for the ways dates are written in Japanese and English files."""
    raw = value
    text = nfkc(value).lower()
    match = _YMD_RE.match(text)
    if match:
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    match = _ERA_RE.match(text)
    if match:
        era = match[1] if match[1] in _ERAS else match[1].lower()
        start = _ERAS[era]
        year = 1 if match[2] == "元" else int(match[2])
        iso = _make_date(start.year + year - 1, int(match[3]), int(match[4]), raw)
        if iso < start.isoformat():
            raise ValueProblem(_("{value} is before the first day of the era").format(value=raw))
        return iso
    match = _COMPACT_RE.match(text)
    if match:
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    match = _DMY_RE.match(text)
    if match:
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first > 12 and second <= 12:
            return _make_date(year, second, first, raw)
        if second > 12 and first <= 12 or first == second:
            return _make_date(year, first, second, raw)
        if first > 12 and second > 12:
            raise ValueProblem(_("{value} is not a day in the calendar").format(value=raw))
        raise ValueProblem(
            _("{value} is ambiguous (month/day or day/month?): write it as 2024-04-01")
            .format(value=raw))
    if _SERIAL_RE.match(text):
        serial = float(text)
        if 1 <= serial < 2958466:  # Excel's day numbers: 1 = 1900-01-01 ... 9999-12-31
            return serial_date(serial)
    raise ValueProblem(
        _("{value} is not a date: write it as 2024-04-01, 2024/4/1 or 令和6年4月1日")
        .format(value=raw))


def serial_date(serial: float) -> str:
    """An Excel day number (1900 date system) as ISO."""
    return (_EXCEL_EPOCH + dt.timedelta(days=int(serial))).isoformat()


def parse_bool(value: str) -> str:
    text = nfkc(value).lower()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    raise ValueProblem(
        _("{value} is not yes or no: write はい/いいえ, yes/no, true/false, 1/0 or ○/×")
        .format(value=value))


def parse_number(value: str) -> str:
    """'¥1,234,567', '1,234円', '１２３' -> '1234567', '1234', '123'."""
    text = nfkc(value)
    man = bool(re.search(r"万円?$", text))
    text = _NUMBER_STRIP.sub("", text)
    if text.startswith("(") and text.endswith(")"):  # accounting negative
        text = "-" + text[1:-1]
    text = text.replace("−", "-").replace("△", "-").replace("▲", "-")
    if not _NUMBER_RE.match(text):
        raise ValueProblem(_("{value} is not a number").format(value=value))
    if man:
        number = float(text) * 10000
        text = str(int(number)) if number.is_integer() else str(number)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def corporate_number(value: str) -> str:
    """Digits only; a number Excel has already rounded (5.07E+12) is refused."""
    text = nfkc(value)
    if _SCI_RE.match(text):
        raise ValueProblem(
            _("{value} was rounded by Excel: format the column as text and export again")
            .format(value=value))
    text = _CORP_FLOAT.sub(r"\1", text)
    return _CORP_SEPARATORS.sub("", text)


def email(value: str) -> str:
    text = nfkc(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().strip("<>").strip()


#: A hyphen or minus written for the long-vowel mark after a kana (ｺ-ﾋ- and コ-ヒ- as Japan
#: Post and old systems write コーヒー), when a kana, a space or the end follows.
_KANA_HYPHEN = re.compile(r"(?<=[\u3041-\u30fc])[\-\u2010\u2011\u2012\u2013\u2212\uff0d\uff70]"
                          r"(?=[\u3041-\u30fc\s・().]|$)")
#: A full stop between kana: Japan Post's middle dot (ニツパンアイ.ピ-.エス).
_KANA_DOT = re.compile(r"(?<=[\u3041-\u30fc])\.(?=[\u3041-\u30fc])")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def reading(value: str) -> str:
    """Readings in full-width kana (half-width ｱﾝﾄﾞｳ -> アンドウ), spaces folded to one, a
    hyphen after a kana read as the long-vowel mark (ｺ-ﾋ- -> コーヒー; ABC-1 stays) and a
    full stop between kana as the middle dot (アイ.ピ- -> アイ・ピー)."""
    text = _KANA_HYPHEN.sub("ー", _SPACES.sub(" ", nfkc(value)))
    return _KANA_DOT.sub("・", text) if "." in text else text


def is_latin_reading(value: str) -> bool:
    """A "reading" in Latin letters (Amano, Yoshitaka: phones keep the romanised name there),
    not in kana: it holds Latin letters and no Japanese script."""
    text = nfkc(value)
    return bool(_LATIN_LETTER.search(text)) and not is_japanese(text)


_READING_KEYS = ("family_name_reading", "given_name_reading", "full_name_reading")


def romanised_reading(values: dict[str, str | None]) -> tuple[dict[str, str | None], str]:
    """A row's readings written in Latin letters taken out of the readings (which are kana):
    phones keep a kanji name's romanisation there (N:天野;喜孝 with SOUND:Amano;Yoshitaka).
    Returns the row without them and the romanised name as written ("Amano Yoshitaka"; ""
    when there is none or it only repeats the name). `values` is not changed."""
    latin = [key for key in _READING_KEYS if is_latin_reading(values.get(key) or "")]
    if not latin:
        return values, ""
    rest = {k: v for k, v in values.items() if k not in latin}
    romanised = " ".join(_SPACES.sub(" ", (values[key] or "").strip()) for key in latin)
    name = f"{values.get('family_name') or ''} {values.get('given_name') or ''}"
    if same_words(romanised, name) or same_words(romanised, values.get("full_name")):
        return rest, ""
    return rest, romanised


def clear_romanised(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """romanised_reading for a record's data: the Latin readings set to None (not left out,
    so that an update clears them), and the romanised name."""
    rest, romanised = romanised_reading(data)
    if rest is data:
        return data, ""
    return {**rest, **{k: None for k in data if k not in rest}}, romanised


def same_words(one: str | None, other: str | None) -> bool:
    """The same words in any order, case and spaces aside (Amano Yoshitaka, YOSHITAKA Amano)."""
    return sorted(fold_case(one or "").split()) == sorted(fold_case(other or "").split())


def romanised_note(romanised: str) -> str:
    """The line a record's notes keep a romanised name in (which the search reads)."""
    return _("Romanised name: {name}").format(name=romanised) if romanised else ""


def with_line(text: str | None, line: str) -> str | None:
    """`text` with `line` added as its last line, unless it already has that line."""
    if not line or line in (text or "").splitlines():
        return text
    return "\n".join(filter(None, (text, line)))


def take_romanised(values: dict[str, str]) -> tuple[dict[str, str], str]:
    """romanised_reading for records without a column for a romanised name (contacts): it
    comes back as a line for the notes, "Romanised name: Amano Yoshitaka"."""
    rest, romanised = romanised_reading(values)
    return rest, romanised_note(romanised)


def split_name(full: str) -> tuple[str, str]:
    """(family, given): 山田 太郎 / 山田　太郎 -> (山田, 太郎); 'Taro Yamada' -> (Yamada, Taro);
    'Yamada, Taro' -> (Yamada, Taro). A name without a space stays whole as the family name."""
    text = _SPACES.sub(" ", full.strip())
    if "," in text and not is_japanese(text):
        family, _sep, given = text.partition(",")
        return family.strip(), given.strip()
    parts = text.split(" ")
    if len(parts) == 1:
        return text, ""
    if is_japanese(text):
        return parts[0], " ".join(parts[1:])
    return parts[-1], " ".join(parts[:-1])
