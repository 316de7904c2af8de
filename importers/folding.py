"""Text folding, one definition for the whole house: crm/, importers/ and search_index/ import it.

It lives here because importers/ is the lowest package (standard library only, no Flask, no
ORM): crm/ imports importers/, and search_index/ may import it without a cycle. crm/ code
imports these through crm/common/text.py, which adds the company-name rules on top.

- ``nfkc``: width folding (full-width ＡＢＣ１ → ABC1, half-width ｶﾅ → カナ), ends trimmed.
- ``fold_case``: NFKC and casefold, for comparing words typed in any width or case.
- ``hira_to_kata`` / ``HIRA_TO_KATA``: hiragana to katakana (やまだ → ヤマダ), as jaconv does.
- ``fold_text``: the three together, for search-as-you-type filters.
- ``is_japanese``: written in Japanese script (kana or kanji).
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["CJK_RE", "HIRA_TO_KATA", "fold_case", "fold_text", "hira_to_kata", "is_japanese",
           "nfkc"]

#: str.translate table: hiragana ぁ..ゖ and the iteration marks ゝゞ to their katakana.
HIRA_TO_KATA = {c: c + 0x60 for c in range(0x3041, 0x3097)}
HIRA_TO_KATA.update({0x309D: 0x30FD, 0x309E: 0x30FE})

#: One character of Japanese script: kana, CJK ideographs, 々〆ヵヶ.
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ]")


def nfkc(text: str | None) -> str:
    """Unicode NFKC: full-width ASCII to half-width, half-width katakana to full-width; trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def fold_case(text: str | None) -> str:
    """NFKC and casefold (not trimmed): ＡＢＣ, abc and ABC compare equal."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def hira_to_kata(text: str | None) -> str:
    """Hiragana to katakana (やまだ → ヤマダ); everything else as it is."""
    return (text or "").translate(HIRA_TO_KATA)


def fold_text(text: str | None) -> str:
    """Loose folding for search-as-you-type filters: NFKC, casefold, katakana."""
    return hira_to_kata(nfkc(text).casefold())


def is_japanese(*parts: str | None) -> bool:
    """True when any of the texts holds Japanese script (so a name reads family name first)."""
    return any(CJK_RE.search(p or "") for p in parts)
