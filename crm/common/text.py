"""Text folding for Japanese and English names: width, kana, case and legal forms.

The general folds (nfkc, fold_case, hira_to_kata, fold_text, is_japanese[_name]) are defined once in
importers/folding.py, which importers/ and search_index/ use too; crm/ imports them from here.
"""
from __future__ import annotations

import re

from importers.folding import fold_case, fold_text, hira_to_kata, nfkc
from importers.folding import is_japanese as is_japanese_name
from importers.values import reading as _width_and_long_vowels

__all__ = ["KANA_RE", "company_sort_reading", "cp932_lacks", "fold_case", "fold_company_name",
           "fold_lost_name", "fold_reading", "fold_text", "hira_to_kata", "is_japanese_name",
           "legal_form", "may_have_lost_characters", "nfkc", "normalise_corporate_number",
           "normalise_reading", "not_kana", "person_name", "strip_legal_reading",
           "valid_corporate_number"]

# Legal forms as they appear after NFKC + casefold. Longer forms first so "co., ltd." wins over "co.".
_LEGAL_FORMS_JA = [
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "公益社団法人",
    "一般財団法人", "公益財団法人", "国立研究開発法人", "独立行政法人", "学校法人", "医療法人",
    "(株)", "(有)", "(合)", "(同)", "㈱", "㈲", "(社)", "(財)",
]
_LEGAL_FORMS_EN = [
    r"co\.?,?\s*ltd\.?", r"company\s+limited", r"corporation", r"incorporated", r"limited",
    r"corp\.?", r"inc\.?", r"ltd\.?", r"llc", r"l\.l\.c\.", r"llp", r"plc", r"k\.\s?k\.?",
    r"kabushiki\s+kaisha", r"gmbh\s*&\s*co\.?\s*kg", r"gmbh", r"ag", r"s\.a\.s\.?", r"s\.a\.?",
    r"s\.p\.a\.?", r"b\.v\.?", r"n\.v\.?", r"oy", r"ab", r"pte\.?", r"pty\.?", r"co\.?",
]
_EN_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(_LEGAL_FORMS_EN) + r")(?![\w])", re.IGNORECASE
)
_PUNCT_RE = re.compile(r"[\s\.,・･'\"’`\-‐‑–—_/\\&()（）「」『』【】\[\]{}!！?？:：;；]+")


def legal_form(name: str | None) -> str | None:
    """The legal form found in a company name, normalised (株式会社, (株) -> 株式会社; Co., Ltd. -> Co., Ltd.)."""
    text = nfkc(name)
    for form in _LEGAL_FORMS_JA:
        if form in text:
            return {"(株)": "株式会社", "㈱": "株式会社", "(有)": "有限会社", "㈲": "有限会社",
                    "(合)": "合同会社", "(同)": "合同会社"}.get(form, form)
    match = _EN_RE.search(text)
    if match:
        return match.group(0).strip()
    return None


def fold_company_name(name: str | None) -> str:
    """A key under which 株式会社ABC, ＡＢＣ(株) and ABC Co., Ltd. are the same company."""
    text = nfkc(name).casefold()
    for form in _LEGAL_FORMS_JA:
        text = text.replace(form.casefold(), " ")
    text = _EN_RE.sub(" ", text)
    text = hira_to_kata(text)
    text = _PUNCT_RE.sub("", text)
    return text


def cp932_lacks(char: str) -> bool:
    """Shift_JIS (CP932) has no glyph for this character: an export to it writes "?"."""
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return True
    return False


#: What a file writes for characters it lost: "?" (an export to Shift_JIS, CP932, one for each
#: character it cannot hold) or U+FFFD (bytes that could not be decoded).
_LOST_MARKS = re.compile(r"[?\ufffd]+")
_LOST_RUNS = re.compile("\ufffd+")


def fold_lost_name(name: str | None, stored: bool) -> str | None:
    """A company name's folded key with the characters a Shift_JIS (CP932) file loses marked,
    each run of them one U+FFFD, so that Führungsetage GmbH (stored: the characters CP932
    cannot hold are marked) and F?hrungsetage GmbH (read from a file, stored=False: its "?"
    and U+FFFD are marked) meet. None when the name has nothing to mark."""
    if not name:
        return None
    if stored:
        try:
            name.encode("cp932")
            return None  # nothing a Shift_JIS file would lose (most names: checked at once)
        except UnicodeEncodeError:
            pass
        marked = "".join("\ufffd" if ord(c) > 127 and cp932_lacks(c) else c for c in name)
    else:
        marked = _LOST_MARKS.sub("\ufffd", name)
    if "\ufffd" not in marked:
        return None
    key = _LOST_RUNS.sub("\ufffd", fold_company_name(marked))
    return key if key.strip("\ufffd") else None


#: A "?" inside a word (F?hrungsetage, ?田) or U+FFFD: what a lost character leaves; "Who?" is
#: a question mark.
_LOST_IN_WORD = re.compile(r"\ufffd|\?(?=\w)")


def may_have_lost_characters(value: str | None) -> bool:
    """The value holds what a file writes for a character it lost (F?hrungsetage, U+FFFD)."""
    return bool(value) and bool(_LOST_IN_WORD.search(value))


def normalise_reading(value: str | None) -> str | None:
    """A reading (ふりがな) as stored: full-width katakana (やまだ, ﾔﾏﾀﾞ -> ヤマダ), a hyphen
    after a kana as the long-vowel mark (ｺ-ﾋ- -> コーヒー), spaces folded; None when blank."""
    return hira_to_kata(_width_and_long_vowels(value or "")) or None


#: Katakana, the long-vowel mark, middle dots and spaces: what a reading may hold once
#: normalised (normalise_reading).
KANA_RE = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff\s・ー]+")
_NOT_KANA = re.compile(r"[^\u30a0-\u30ff\u31f0-\u31ff\s・ー]")


def not_kana(reading: str | None, allow: str = "") -> str:
    """The characters of a normalised reading that are not kana nor in `allow` ("" when
    there are none)."""
    return "".join(dict.fromkeys(c for c in _NOT_KANA.findall(reading or "") if c not in allow))


def fold_reading(reading: str | None) -> str:
    """Readings compared in full-width katakana without spaces (ﾔﾏﾀﾞ, やまだ, ヤマダ are one;
    コ-ヒ- is コーヒー)."""
    text = hira_to_kata(_width_and_long_vowels(reading or ""))
    return _PUNCT_RE.sub("", text).casefold()


#: Small kana written large, as Japan Post and many old systems write readings (カブシキガイシヤ).
_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
#: A company reading's read-aloud legal form, small kana written large: 株式会社 and its
#: kind, and Japan Post's bracketed abbreviations ((カブ) for 株式会社, (ユ) for 有限会社 ...).
_LEGAL_READING_FORMS = (
    r"\((?:カブ|カ|ユウ|ユ|ゴウ|ゴ|ドウ|シヤ|ザイ|ガク|イ|フク|トクヒ|ドク)\)",
    r"(?:カブシキ|ユウゲン|ゴウドウ|ゴウシ|ゴウメイ)[ガカ]イシヤ",
    r"(?:(?:イツパン|コウエキ)?(?:シヤダン|ザイダン)|ガツコウ|イリヨウ|シヤカイフクシ"
    r"|トクテイヒエイリカツドウ|ドクリツギヨウセイ|コクリツダイガク"
    r"|コクリツケンキユウカイハツ)ホウジン",
)
#: The bank-transfer abbreviations (全銀 style): カ) before the name, (カ after it.
_ABBREVIATED = r"(?:カ|ユ|ゴ|ド|シヤ|ザイ|ガク|イ|フク|トクヒ|ドク)"
_LEGAL_AT_START = re.compile(r"^[\s・]*(?:" + "|".join(_LEGAL_READING_FORMS) + "|"
                             + _ABBREVIATED + r"\))[\s・]*")
_LEGAL_AT_END = re.compile(r"[\s・]*(?:" + "|".join(_LEGAL_READING_FORMS) + r"|\("
                           + _ABBREVIATED + r")[\s・]*$")


def strip_legal_reading(reading: str | None) -> str:
    """A company reading without its legal form at the start or the end (カブシキガイシャ
    ミカミ, ミカミ(カブ), ユウゲンガイシヤミカミ -> ミカミ); the reading as it is when it is
    nothing else. Expects a normalised reading (normalise_reading)."""
    text = reading or ""
    while True:
        folded = text.translate(_SMALL_KANA)  # one character for one: positions agree
        start = _LEGAL_AT_START.match(folded)
        end = _LEGAL_AT_END.search(folded)
        cut = text[start.end() if start else 0:end.start() if end else len(text)]
        if not cut.strip() or cut == text:
            return text
        text = cut


def company_sort_reading(reading: str | None) -> str:
    """A company's sort key from its reading: folded (fold_reading) without the legal form,
    so カブシキガイシヤ ミカミ sorts under ミ, not カ."""
    return fold_reading(strip_legal_reading(normalise_reading(reading)))


def person_name(family: str | None, given: str | None) -> str:
    """Display a person's name: 山田 太郎 (family first) for Japanese, John Smith otherwise."""
    family, given = (family or "").strip(), (given or "").strip()
    if is_japanese_name(family, given):
        return f"{family} {given}".strip()
    return f"{given} {family}".strip()


def valid_corporate_number(number: str) -> bool:
    """Japanese corporate number (法人番号): 13 digits, the first is a check digit over the other 12."""
    if not re.fullmatch(r"\d{13}", number or ""):
        return False
    base = number[1:]
    total = 0
    for n, ch in enumerate(reversed(base), start=1):
        total += int(ch) * (1 if n % 2 else 2)
    return int(number[0]) == 9 - total % 9


def normalise_corporate_number(value: str | None) -> str | None:
    """Digits only (full-width and hyphens allowed in input); None when empty."""
    digits = re.sub(r"[\s\-‐]", "", nfkc(value))
    return digits or None
