"""Name folding and fuzzy matching for export-control screening (no Flask, no ORM).

`fold(name)` gives the key under which 株式会社 X, X Co., Ltd., X Corporation and ｘ corp. are one
name: NFKC (width), case, punctuation, legal forms (Japanese, English, Russian, German, Chinese
...), a leading 'the'. `keys(name)` adds the Hepburn romaji of a Japanese name (pykakasi) so a
name typed in kana or kanji can meet a list's Latin spelling. `Matcher` holds every entry's keys
with a token index (the blocking step) and scores candidates with rapidfuzz:

- token_sort_ratio (word order), ratio without spaces (spacing), and a "subset" score when all
  the typed words are in the entry's name, weighted by how rare those words are in the lists
  (Huawei in 'Huawei Technologies' counts, 'bank' in 'Choson Central Bank' does not);
- a country bonus (+0.04) when the entry lists the subject's country, a penalty (-0.04) when the
  entry lists only other countries;
- score in 0..1.

Every script (issue 12): a name is compared in its own script (folded) against the lists' names
in that script, *and* in a common Latin form: Japanese through pykakasi (Hepburn), every other
script (Chinese, Cyrillic, Arabic, Persian, Hangul, Greek ...) through ICU's transforms as
OpenSanctions' `normality.ascii_text` gives them (what yente/nomenklatura use); common words of
company names are translated (航空/항공 -> air, 銀行/은행 -> bank ...). Latin keys get a variant with
German/French transliterations, synonyms and patronymics/initials folded (Wladimir/Vladimir,
Poutine/Putin, Airlines/Air). Names written in a non-Latin script also get a *sound* key, a
consonant skeleton that keeps voicing and reads katakana the way foreign names are written
(ウラジーミル・プーチン ~ VLADIMIR PUTIN), compared only with the lists' sound keys. Acronym names
of four letters or fewer hit only an acronym typed as such. A name that folds to nothing or that
no transform can read is *unreadable*: the caller treats it as needing review, never as clear.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from normality import ascii_text
from rapidfuzz import fuzz, process

from crm.screening import evidence
from importers.folding import nfkc

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶー]")
_LATIN_WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+")
#: a word in any script (Latin, Cyrillic, Arabic, Hangul, Greek ...)
_WORD = re.compile(r"[^\W_]+")

#: Japanese / Chinese legal forms (after NFKC), longest first.
_LEGAL_CJK = sorted([
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "公益社団法人",
    "一般財団法人", "公益財団法人", "国立研究開発法人", "独立行政法人", "(株)", "(有)", "(合)",
    "(同)", "㈱", "㈲", "股份有限公司", "有限责任公司", "有限責任公司", "有限公司",
], key=len, reverse=True)

#: Latin legal forms as folded word sequences, longest first ('co ltd' before 'co').
_LEGAL_LATIN = sorted([tuple(f.split()) for f in (
    "co ltd", "company limited", "company ltd", "co limited", "corporation", "incorporated",
    "limited", "corp", "inc", "ltd", "llc", "llp", "plc", "lp", "kk", "kabushiki kaisha",
    "kabushikikaisha", "kabushiki gaisha", "yugen kaisha", "godo kaisha", "gk", "gmbh", "mbh",
    "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "sl", "bv", "nv", "oy", "ab", "as", "pte",
    "pvt", "pty", "private limited", "bhd", "sdn bhd", "jsc", "ojsc", "cjsc", "pjsc", "ojs",
    "ooo", "zao", "oao", "pao", "ao", "tov", "fze", "fzc", "fzco", "fz llc", "fzllc", "llc fz",
    "sa de cv", "s de rl de cv", "de cv", "company", "co", "the",
    "open joint stock company", "closed joint stock company", "public joint stock company",
    "joint stock company", "limited liability company",
    "obshchestvo s ogranichennoi otvetstvennostyu", "aktsionernoe obshchestvo",
    # the same forms in Cyrillic, for names compared in their own script
    "ооо", "оао", "зао", "пао", "ао", "нао", "тов", "пат", "ат",
)], key=len, reverse=True)


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def _hira2kata(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


_LEGAL_SET = set(_LEGAL_LATIN)


#: legal forms by their first word, longest first
_LEGAL_BY_FIRST: dict[str, list[tuple[str, ...]]] = defaultdict(list)
for _form in _LEGAL_LATIN:
    _LEGAL_BY_FIRST[_form[0]].append(_form)


def _strip_legal_words(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for form in _LEGAL_BY_FIRST.get(words[i], ()):
            if tuple(words[i:i + len(form)]) == form:
                i += len(form)
                break
        else:
            out.append(words[i])
            i += 1
    return out or words  # a name that is only a legal form ('The Company') stays itself


def _join_initials(words: list[str]) -> list[str]:
    """'d e s international' -> 'des international' (D.E.S. written with dots)."""
    out: list[str] = []
    run: list[str] = []
    for w in words + [""]:
        if len(w) == 1 and w.isalpha():
            run.append(w)
            continue
        if run:
            out.append("".join(run))
            run = []
        if w:
            out.append(w)
    return out


def _c1(match: re.Match) -> str:
    try:
        return match.group(0).encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:
        return " "


@lru_cache(maxsize=200_000)
def fold(name: str | None) -> str:
    """The matching key of a name: Latin words space-separated, Japanese as one run of katakana
    and kanji; legal forms, 'the', punctuation, width and case gone."""
    text = re.sub(r"[\u0080-\u009f]", _c1, name or "")  # cp1252 bytes read as latin-1
    text = nfkc(text).casefold()
    text = _hira2kata(text)
    for form in _LEGAL_CJK:
        text = text.replace(form, " ")
    text = text.replace("'", "").replace("’", "").replace("ʼ", "").replace("`", "")
    text = text.replace("・", " ").replace("=", " ")  # ウラジーミル・プーチン: two words
    text = unicodedata.normalize("NFKD", text)
    # accents go; the kana voicing marks (゛゜) stay: プーチン is not フーチン
    text = "".join(c for c in text if not unicodedata.combining(c) or c in "\u3099\u309a")
    text = unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    for chunk in re.split(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶー]+)",
                          text):
        if not chunk:
            continue
        if _CJK.match(chunk):
            parts.append(chunk)
        else:
            words = _join_initials(_WORD.findall(chunk))
            if words:
                parts.append(" ".join(words))
    words = [_ABBREVIATIONS.get(w, w) for w in " ".join(parts).split()]
    return " ".join(_strip_legal_words(words))


#: Abbreviations users type for words the lists spell out ('Kim Il Sung Univ.').
_ABBREVIATIONS = {"univ": "university", "inst": "institute", "intl": "international",
                  "natl": "national", "acad": "academy", "mfg": "manufacturing"}


_kakasi = None


@lru_cache(maxsize=50_000)
def romaji(name: str | None) -> str:
    """Hepburn romaji of the Japanese part of a name ('' when there is none), long vowels folded:
    トヨタ自動車 -> 'toyota jidosha'."""
    text = fold(name)
    if not is_cjk(text):
        return ""
    out = " ".join(h for token in text.split() for h in _hepburn(token) if h.strip())
    return fold(_long_vowels(out))


@lru_cache(maxsize=100_000)
def _hepburn(text: str) -> tuple[str, ...]:
    """pykakasi's Hepburn of one word, its parts in order (cached: family and given names
    recur across thousands of contacts)."""
    global _kakasi
    if _kakasi is None:
        import pykakasi

        _kakasi = pykakasi.kakasi()
    return tuple(item["hepburn"] for item in _kakasi.convert(text))


def _long_vowels(text: str) -> str:
    text = re.sub(r"ou|oo", "o", text)
    text = re.sub(r"uu", "u", text)
    return re.sub(r"ii", "i", text)


def keys(name: str | None) -> list[str]:
    """Every key a name is matched under: its folded form and, when Japanese, its romaji."""
    base = fold(name)
    out = [base] if base else []
    r = romaji(name)
    if r and r not in out:
        out.append(r)
    return out


# --- every script: transliteration, translated words, variants, sound keys -----------------------

#: Words of company names in Japanese/Chinese/Korean and what the lists write for them. A tuple
#: gives the alternatives (朝鮮 is 'Korea' in some names and 'Choson' in others).
GLOSSARY: dict[str, str | tuple[str, ...]] = {
    # Japanese and Chinese (simplified and traditional)
    "航空": "air", "航空公司": "air", "銀行": "bank", "银行": "bank", "公司": "company",
    "会社": "company", "公社": "corporation", "總公司": "general corporation",
    "総公司": "general corporation", "总公司": "general corporation",
    "貿易": "trading", "贸易": "trading", "商事": "trading", "商社": "trading",
    "工業": "industry", "工业": "industry", "重工業": "heavy industry", "重工业": "heavy industry",
    "重工": "heavy industry", "産業": "industry", "产业": "industry",
    "大学": "university", "大學": "university", "総合大学": "university",
    "工科大学": "university of technology", "研究所": "institute", "研究院": "institute",
    "科学院": "academy of sciences", "科学技術": "science and technology",
    "科学技术": "science and technology", "技術": "technology", "技术": "technology",
    "科技": "technology", "電子": "electronics", "电子": "electronics", "機械": "machinery",
    "机械": "machinery", "開発": "development", "開發": "development", "开发": "development",
    "鉱業": "mining", "鑛業": "mining", "矿业": "mining", "国際": "international",
    "國際": "international", "国际": "international", "集団": "group", "集團": "group",
    "集团": "group", "商業": "commercial", "商业": "commercial", "進出口": "import export",
    "进出口": "import export", "輸出入": "import export", "中央": "central", "造船": "shipbuilding",
    "海運": "shipping", "海运": "shipping", "石油": "petroleum", "化学": "chemical",
    "化學": "chemical", "製鉄所": "steel complex", "鉄鋼": "steel", "钢铁": "steel",
    "原子力": "atomic energy", "原子能": "atomic energy", "電力": "electric power",
    "朝鮮": ("korea", "choson"), "朝鲜": ("korea", "choson"), "北朝鮮": "north korea", "戦線": "front",
    "中国": "china", "中國": "china", "香港": "hong kong", "伊朗": "iran", "俄罗斯": "russia",
    "ロシア": "russia", "イラン": "iran", "シリア": "syria", "ジャパン": "japan", "日本": "japan",
    "ヨーロッパ": "europe", "インターナショナル": "international", "グループ": "group",
    "エアライン": "air", "エアラインズ": "air", "バンク": "bank", "トレーディング": "trading",
    # Korean (Hangul)
    "조선": ("korea", "choson"), "광업": "mining", "개발": "development", "무역": "trading",
    "회사": "company", "총회사": "general corporation", "은행": "bank", "항공": "air",
    "대학": "university", "대학교": "university", "종합대학": "university", "공업": "industry",
    "연구소": "institute", "연구원": "institute", "기술": "technology", "국제": "international",
    "그룹": "group", "신용": "credit", "상업": "commercial", "중앙": "central", "고려": "koryo",
    "북한": "north korea", "러시아": "russia", "이란": "iran",
}
_GLOSSARY_MAX = max(len(w) for w in GLOSSARY)
#: glossary words read two ways (朝鮮: Korea or Choson)
_ALTERNATIVE_WORDS = [w for w, v in GLOSSARY.items() if isinstance(v, tuple)]

#: Latin words written differently for one thing (after folding): compared as one.
SYNONYMS = {"airlines": "air", "airline": "air", "airways": "air", "aviation": "air",
            "industries": "industry", "industrial": "industry", "intl": "international",
            "bank": "bank", "banka": "bank", "banco": "bank", "banque": "bank",
            "trade": "trading", "univ": "university"}

#: Titles the lists write before names (Dr. Ayman ...), dropped in a variant.
TITLES = {"dr", "mr", "mrs", "ms", "prof", "sheikh", "shaykh", "sheik", "haji", "hajji", "mullah",
          "maulavi", "maulvi", "qari", "colonel", "col", "general", "gen", "capt"}
_KANA_CHARS = re.compile(r"[\u30a1-\u30fcー]")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_PATRONYMIC = re.compile(r"\w{3,}(ovich|evich|yevich|ovych|ovna|evna|ivna|yevna|ogly|oglu|kyzy)$")


@lru_cache(maxsize=200_000)
def _ascii(text: str) -> str:
    """ICU's Any-Latin; Latin-ASCII (through normality), lower case."""
    return (ascii_text(text) or "").casefold()


def _has_foreign(text: str) -> bool:
    """True when the text has a letter outside the Latin script."""
    return any(c.isalpha() and not ("a" <= c <= "z" or "\u00c0" <= c <= "\u024f") for c in text)


def _romanise_span(span: str, japanese: bool) -> list[str]:
    """One run of non-glossary CJK/Hangul characters in Latin letters."""
    if _HANGUL.search(span) or not japanese:
        # Chinese (pinyin) or Korean: the syllables of one run are one word (Zhuhai Zhenrong)
        return ["".join(_ascii(span).replace("-", "").split())]
    return [_long_vowels(h) for h in _hepburn(span) if h.strip()]


def _translated(folded: str, japanese: bool, alternative: int = 0,
                raw: bool = False) -> list[list[str]]:
    """The words of a folded name with glossary words translated and the rest romanised; each
    word is a list of parts: ('english',) from the glossary, else romanised syllable words."""
    out: list[list[str]] = []
    for token in folded.split():
        if not (is_cjk(token) or _HANGUL.search(token)):
            out.append([token])
            continue
        i, rest = 0, ""
        while i < len(token):
            for size in range(min(_GLOSSARY_MAX, len(token) - i), 1, -1):
                word = GLOSSARY.get(token[i:i + size])
                if word is not None:
                    if rest:
                        out.append(["~" + rest] if raw else _romanise_span(rest, japanese))
                        rest = ""
                    if isinstance(word, tuple):
                        word = word[min(alternative, len(word) - 1)]
                    out.append(["=" + w for w in word.split()])
                    i += size
                    break
            else:
                rest += token[i]
                i += 1
        if rest:
            out.append(["~" + rest] if raw else _romanise_span(rest, japanese))
    return out


def _latin_forms(name: str, chinese: bool = True) -> list[tuple[str, str]]:
    """The name in Latin letters, folded, with its kind: 'latin-cjk' for a Japanese reading of
    Japanese/Chinese characters (romaji, glossary words translated), 'latin-zh' for a Chinese
    (pinyin) or Korean reading, 'latin' for any other script through ICU."""
    base = fold(name)
    if not base or not _has_foreign(base):
        return []
    forms: list[tuple[str, str]] = []
    if is_cjk(base) or _HANGUL.search(base):
        japanese = bool(_KANA_CHARS.search(base))
        # kanji only: read both ways, Japanese (pykakasi) and Chinese (pinyin)
        readings = [True, False] if is_cjk(base) and not japanese else [japanese]
        if not chinese:
            readings = [r for r in readings if r] or readings
        alternatives = (0, 1) if any(w in base for w in _ALTERNATIVE_WORDS) else (0,)
        for reading in readings:
            kind = "latin-cjk" if reading else "latin-zh"
            for alternative in alternatives:
                forms.append((" ".join(p.lstrip("=") for parts in
                                       _translated(base, reading, alternative) for p in parts),
                              kind))
        if japanese and all(_KANA_ONLY.fullmatch(t) or not is_cjk(t) for t in base.split()):
            forms.append((" ".join(_loose_romaji(t) if _KANA_ONLY.fullmatch(t) else t
                                   for t in base.split() if not is_cjk(t) or
                                   _KANA_ONLY.fullmatch(t)), "latin-cjk"))
        person = " ".join(_hangul_person(t) for t in base.split())
        if person.strip():
            forms.append((person, "latin-zh"))
    else:
        forms.append((_ascii(base), "latin"))
    out: dict[str, str] = {}
    for form, kind in forms:
        form = fold(form)
        if form and not _has_foreign(form) and form not in out:
            out[form] = kind
    return list(out.items())


def _variant_word(word: str) -> str:
    word = SYNONYMS.get(word, word)
    if word.isdigit():
        return word
    word = word.replace("w", "v").replace("ou", "u").replace("ph", "f").replace("kh", "h")
    word = re.sub(r"c(?![hei])", "k", word)  # Ascotec / アスコテック, Kaspersky / Caspersky
    word = re.sub(r"(.)\1+", r"\1", word)
    if len(word) >= 5 and word.endswith("e") and word[-2] not in "aeiou":
        word = word[:-1]  # Poutine / Putin, Alexandre / Alexandr
    return word


def variants(key: str) -> list[str]:
    """Latin spellings of one folded Latin key compared as one: transliteration variants and
    synonyms; without initials and patronymics when a name has three words or more."""
    words = [_variant_word(w) for w in key.split()]
    out = [" ".join(words)]
    if len(words) >= 3:
        short = [w for w in words if len(w) > 1 and not _PATRONYMIC.fullmatch(w)
                 and w not in TITLES]
        if 2 <= len(short) < len(words):
            out.append(" ".join(short))
    return [v for v in out if v and v != key]


# The sound key: consonant classes, voicing kept (P/B, T/D, K/G), vowels and glides dropped.
_KANA_SOUND = {}
for _cls, _chars in {"K": "カキクケコ", "G": "ガギグゲゴ", "S": "サシスセソザズゼゾヅ",
                     "D": "ジヂダデド", "T": "タチツテト", "N": "ナニヌネノン", "H": "ハヒヘホ",
                     "F": "フ", "B": "バビブベボヴ", "P": "パピプペポ", "M": "マミムメモ",
                     "R": "ラリルレロ"}.items():
    for _c in _chars:
        _KANA_SOUND[_c] = _cls
_LATIN_SOUND_PAIRS = [("tch", "T"), ("sch", "S"), ("dzh", "D"), ("ch", "T"), ("sh", "S"),
                      ("zh", "D"), ("ph", "F"), ("kh", "H"), ("gh", "G"), ("th", "T"),
                      ("ts", "T"), ("tz", "T"), ("dj", "D"), ("dz", "D"), ("ck", "K"),
                      ("qu", "K"), ("x", "KS")]
_LATIN_SOUND = {"b": "B", "c": "K", "d": "D", "f": "F", "g": "G", "h": "H", "j": "D", "k": "K", "l": "R",
                "m": "M", "n": "N", "p": "P", "q": "K", "r": "R", "s": "S", "t": "T", "z": "S",
                "v": "B"}


def _sound_latin(word: str) -> str:
    word = re.sub(r"[^a-z]", "", word)
    word = re.sub(r"^[vw](?=[^aeiouy])", "", word)  # Vladimir, Wladimir: ウラジーミル
    word = re.sub(r"(?<![cstkzgpd])h$", "", word)
    word = re.sub(r"c(?=[eiy])", "s", word)
    word = re.sub(r"v$", "f", word)  # Lavrov, Kadyrov: ラブロフ, カディロフ
    for pair, cls in _LATIN_SOUND_PAIRS:
        word = word.replace(pair, cls)
    out = "".join(c if c.isupper() else _LATIN_SOUND.get(c, "") for c in word)
    return re.sub(r"(.)\1+", r"\1", out)


def _sound_kana(word: str) -> str:
    out = "".join(_KANA_SOUND.get(c, "") for c in word)
    return re.sub(r"(.)\1+", r"\1", out)


def _sound_latin_key(key: str) -> str:
    return " ".join(w for w in (_sound_latin(SYNONYMS.get(w, w)) for w in key.split()
                                if len(w) > 1 and w not in TITLES) if w)


def sound(name: str) -> str:
    """The consonant skeleton of a name ('' when it has none): katakana read as foreign names are
    written, every other script through its Latin form. Kanji have no sound key (their readings
    are not renderings of foreign names): a name with kanji other than glossary words has none."""
    base = fold(name)
    if not base:
        return ""
    if not (is_cjk(base) or _HANGUL.search(base)):
        return _sound_latin_key(_ascii(base) if _has_foreign(base) else base)
    words: list[str] = []
    for token in base.split():
        if _KANA_ONLY.fullmatch(token):
            words.append(_sound_kana(token))
            continue
        if not (is_cjk(token) or _HANGUL.search(token)):
            words.append(_sound_latin(_variant_word(token)))
            continue
        for parts in _translated(token, True, raw=True):
            for part in parts:
                if part.startswith("="):
                    if (part[1:],) not in _LEGAL_SET:
                        words.append(_sound_latin(part[1:]))
                elif _KANA_ONLY.fullmatch(part[1:]):
                    words.append(_sound_kana(part[1:]))
                elif _HANGUL.search(part) and not is_cjk(part):
                    words.append(_sound_latin(_ascii(part[1:])))
                else:
                    return ""  # kanji
    return " ".join(w for w in words if w)


#: Skeletons of words too common in company names to tell one from another by sound.
GENERIC_SOUNDS = {"GRP", "HRDNG", "HRDNGS", "NBSTMNT", "NBSTMNTS", "NTRNTNR", "TRDNG", "NDSTR",
                  "BNK", "DPN", "KRPRTN", "KMPN", "TKNRD", "TKNRDS", "RKTRNKS", "NDNRNG",
                  "SSTMS", "KPTR", "GRBR", "SRBS", "SRBSS", "R", "PRTNRS", "MDKR", "FRM",
                  # the same words as katakana writes them, and more of them
                  "KPRSN", "MNDMNT", "PTNS", "FNS", "FNDS", "KNSRTNG", "PRNG", "STM", "SSTM",
                  "NTNSNR", "RKTRK", "SBS", "FKTR", "NBSTS", "NBSTRS", "NTK", "NTWRK", "SRSNS",
                  "SRTNS", "NTPRS", "NTRPRS", "KNPN", "RBRTRS", "KNSTRKSN", "DBRPMNT", "MPRT",
                  "KSPRT", "SNTR", "ST"}


def _distinctive(word: str) -> str:
    """A sound word without the common company words fused to it (サツドラホールディングス is
    one katakana word: STDR + HRDNGS)."""
    changed = True
    while changed:
        changed = False
        for generic in _GENERIC_BY_SIZE:
            if word.endswith(generic) and len(word) > len(generic):
                word, changed = word[:-len(generic)], True
            elif word.startswith(generic) and len(word) - len(generic) >= 2:
                word, changed = word[len(generic):], True
    return "" if word in GENERIC_SOUNDS else word


def _sound_enough(key: str) -> bool:
    """A sound key tells names apart only with enough distinctive consonants: six, or five in
    two words or more (a person's names); common company words don't count."""
    words = [d for d in (_distinctive(w) for w in key.split()) if d]
    size = len("".join(words))
    return bool(words) and max(map(len, words)) >= 2 and (
        size >= 6 or (size >= 5 and len(words) >= 2))


_GENERIC_BY_SIZE = sorted((g for g in GENERIC_SOUNDS if len(g) >= 3), key=len, reverse=True)
_KANA_ONLY = re.compile(r"[\u30a1-\u30fcー]+")


def _loose_romaji(token: str) -> str:
    """Hepburn of a katakana word without the vowels Japanese adds to foreign consonants:
    アスコテック 'asukotekku' -> 'askotek' (ASCOTEC), ズベルバンク -> 'zuberbank'."""
    text = _long_vowels("".join(_hepburn(token)))
    text = text.replace("tsu", "ts")
    text = re.sub(r"(?<=[kgszbpmfrh])u(?=[^aeiouy]|$)", "", text)
    text = re.sub(r"(?<=[td])o(?=[^aeiouy]|$)", "", text)
    text = re.sub(r"([b-df-hj-np-tv-z])\1", r"\1", text)
    return _variant_word(text)


_HANGUL_SURNAMES = {"김": "kim", "이": "ri", "리": "ri", "박": "pak", "최": "choe", "정": "jong",
                    "강": "kang", "조": "jo", "윤": "yun", "장": "jang", "임": "rim", "림": "rim",
                    "한": "han", "오": "o", "서": "so", "신": "sin", "권": "kwon", "황": "hwang",
                    "안": "an", "송": "song", "류": "ryu", "홍": "hong", "문": "mun", "전": "jon"}


def _hangul_person(token: str) -> str:
    """A Korean personal name of 2-4 syllables the way the lists write it: 김정은 -> 'kim jong un'."""
    if not (2 <= len(token) <= 4) or not all("\uac00" <= c <= "\ud7a3" for c in token):
        return ""
    first = _HANGUL_SURNAMES.get(token[0])
    if not first:
        return ""
    rest = [_ascii(c).replace("eo", "o").replace("eu", "u") for c in token[1:]]
    return " ".join([first] + rest)


@lru_cache(maxsize=200_000)
def match_keys(name: str | None, chinese: bool = True) -> tuple[tuple[str, str], ...]:
    """Every (key, kind) a name is matched under. kind 'name': folded, in its own script (Latin
    names too); 'latin': another Latin form (ICU transliteration, spelling variant);
    'latin-cjk' / 'latin-zh': a Japanese / Chinese-or-Korean reading of CJK or Hangul (translated
    words); 'sound': consonant skeletons (a name typed in another script than Latin is compared
    by sound only with these)."""
    base = fold(name)
    if not base:
        return ()
    out: dict[str, str] = {base: "name"}
    cjk = is_cjk(base) or bool(_HANGUL.search(base))
    if cjk:
        r = romaji(name)
        if r:
            out.setdefault(r, "latin-cjk")
    for key, kind in _latin_forms(name, chinese):
        out.setdefault(key, kind)
    for key, kind in list(out.items()):
        if _has_foreign(key) or len(key.replace(" ", "")) <= ACRONYM_KEY:
            continue
        for v in variants(key):
            out.setdefault(v, "latin" if kind == "name" else kind)
    sounds = [sound(name)] if _has_foreign(base) else []
    if not cjk:
        sounds += [_sound_latin_key(k) for k in out if not _has_foreign(k)]
    for s in sounds:
        if s:
            out.setdefault(s, "sound")
    return tuple(out.items())


def unreadable(name: str | None) -> bool:
    """True when a non-empty name folds to nothing or has letters no transform can read: such a
    name cannot be screened and needs a person to look at it."""
    if not (name or "").strip():
        return False
    base = fold(name)
    if not base:
        return True
    rest = _CJK.sub("", base)  # kana and kanji (佐々木) are read by pykakasi
    if not _has_foreign(rest):
        return False
    latin = _ascii(rest)
    return not latin.strip() or "?" in latin


def fingerprint(*parts: object) -> str:
    """A short hash of names/country: a remembered decision holds while this stays the same."""
    # a part that folds to nothing counts as written (a changed unreadable name is a change)
    folded = sorted({fold(str(p)) or "\x00" + nfkc(str(p)).strip() for p in parts if p}
                    - {"", "\x00"})
    return hashlib.sha1("\x1f".join(folded).encode("utf-8")).hexdigest()[:16]


# --- countries ---------------------------------------------------------------------------------------

def country_codes(values: list[str] | str | None) -> set[str]:
    """ISO codes for the countries a list writes ('IR', 'Iran', 'イラン'); unknown names dropped
    (country names from CLDR through Babel, see evidence.py)."""
    if isinstance(values, str):
        values = [v for v in values.split("\n") if v]
    return {c for c in (evidence.country_code(nfkc(v)) for v in values or []) if c}


# --- matching ----------------------------------------------------------------------------------------

COUNTRY_BONUS = 0.04
#: Names of this many letters or fewer (acronyms) score at most SHORT_CAP: exact 3-letter
#: matches (NEC, NSK, MEC) flagged 14 of 3,902 listed Japanese companies on their own.
SHORT_KEY = 3
SHORT_CAP = 0.85
#: Acronym names of this many letters or fewer hit only the acronym typed as such (EIKO is not
#: 株式会社エイコー nor 株式会社栄光).
ACRONYM_KEY = 4
#: Sound keys (consonant skeletons) weigh less than spelling (see _sound_enough for their size).
SOUND_FACTOR = 0.97
#: Score of a sound key whose every word (two or more) is one of the entry's words.
SOUND_PART = 92
#: A reading of a subject's Japanese, Chinese or Korean name (or its sound) weighs this much when
#: the subject also has its own Latin name (TWIN-BIRD is not read 'tsinbad' ~ SINBAD).
READING_FACTOR = 0.95
_READINGS = ("latin-cjk", "latin-zh", "sound")
#: How far under the threshold (in points) the cheap bound may be and the pair still scored.
PREFILTER_MARGIN = 12
#: Words this common across all lists (document frequency) are not used to find candidates.
MAX_POSTINGS = 400


#: What a name that is one common English word scores at most: OFAC marks such aliases weak
#: ('The Base' for al-Qaida, 'Alpha Group' for a KGB unit), and nomenklatura's logic-v1 weighs a
#: weak-alias match 0.8. The entry still alarms when it is linked to the subject's country.
WEAK_CAP = 0.80
#: Zipf frequency (wordfreq) from which an English word is common ('base' 5.1, 'alpha' 4.3)
COMMON_ZIPF = 4.0
#: Words of company names that say nothing of which company it is.
COMPANY_WORDS = {"group", "grup", "holding", "holdings", "company", "trading", "international",
                 "industry", "unit", "corporation", "enterprise", "enterprises", "general",
                 "global", "services", "service"}


@lru_cache(maxsize=50_000)
def weak_name(key: str) -> bool:
    """True for a folded Latin key whose one distinctive word is a common English word."""
    if _has_foreign(key) or is_cjk(key):
        return False
    words = [w for w in key.split() if w not in COMPANY_WORDS]
    if len(words) != 1 or len(words[0]) <= 3 or words[0].isdigit():
        return False
    from wordfreq import zipf_frequency

    return zipf_frequency(words[0], "en") >= COMMON_ZIPF


@dataclass
class Entry:
    """One list entry as the matcher sees it: `ref` is whatever the caller uses to find it."""
    ref: object
    names: list[str]
    entry_type: str | None
    countries: set[str]
    #: Japanese company numbers (the 12 digits of 会社法人等番号) the list gives for it
    jp_numbers: frozenset[str] = frozenset()
    #: a country the entry's list says it is outside of (evidence.OUTSIDE), when it gives none
    outside: str | None = None


@dataclass
class Candidate:
    ref: object
    entry: Entry
    matched_name: str
    query_name: str
    score: float
    #: how the best key pair met: 'name' (as written), 'latin' (romanised, translated or a
    #: spelling variant), 'sound' (consonant skeleton), 'acronym'
    how: str = ""
    query_key: str = ""
    matched_key: str = ""
    #: the score on the names alone, before the evidence qualified it
    name_score: float = 0.0
    #: what qualified it (evidence.REASONS): 'country-mismatch', 'orgid-mismatch' ...
    reasons: tuple[str, ...] = ()


def _share_countries(entries: list[Entry]) -> None:
    """An organisation listed under the same name of two words or more on several lists is one
    party (METI's EUL340 and OFAC's 19509 KOREA UNITED DEVELOPMENT BANK): an entry that gives no
    country takes the countries the others give."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.entry_type != "individual" and entry.countries and entry.names:
            key = fold(entry.names[0])
            if len(key.split()) >= 2:
                by_name[key] |= entry.countries
    for entry in entries:
        if entry.entry_type != "individual" and not entry.countries and entry.names:
            shared = by_name.get(fold(entry.names[0]))
            if shared:
                entry.countries = set(shared)


class Matcher:
    """Every current entry's keys, a token index over them, and the scorer."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.key_text: list[str] = []
        self.key_nospace: list[str] = []
        self.key_entry: list[int] = []
        self.key_name: list[str] = []
        #: True for a sound key (compared only with a query's sound key)
        self.key_sound: list[bool] = []
        self.key_kind: list[str] = []
        #: True for a key that is one common word (with company words): a weak alias
        self.key_weak: list[bool] = []
        #: the entry type of each key's entry (individual, entity, vessel ... or None)
        self.key_type: list[str | None] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        for e_idx, entry in enumerate(entries):
            seen: set[str] = set()
            for name in entry.names:
                weak = weak_name(fold(name))
                for key, kind in match_keys(name):
                    if key in seen or not key:
                        continue
                    seen.add(key)
                    k = len(self.key_text)
                    self.key_text.append(key)
                    self.key_nospace.append(key.replace(" ", ""))
                    self.key_entry.append(e_idx)
                    self.key_name.append(name)
                    self.key_sound.append(kind == "sound")
                    self.key_kind.append(kind)
                    self.key_weak.append(weak)
                    self.key_type.append(entry.entry_type)
                    for token in set(self._tokens(key)):
                        self.postings[token].append(k)
        _share_countries(entries)
        n = max(1, len(self.key_text))
        self.idf = {t: math.log(1 + n / len(p)) for t, p in self.postings.items()}
        self.default_idf = math.log(1 + n)

    @staticmethod
    def _tokens(key: str) -> list[str]:
        tokens: list[str] = []
        for word in key.split():
            if is_cjk(word):
                tokens += [word[i:i + 2] for i in range(max(1, len(word) - 1))]
            else:
                tokens.append(word)
                if len(word) >= 5:
                    tokens.append(word[:4] + "*")  # a prefix: catches a typo at the end
        nospace = key.replace(" ", "")
        if len(nospace) >= 6 and not is_cjk(nospace):
            # the whole name's first and last letters: spacing variants keep both
            tokens += ["<" + nospace[:5], ">" + nospace[-5:]]
        return tokens

    def _weight(self, tokens: list[str]) -> float:
        return sum(self.idf.get(t, self.default_idf) for t in tokens)

    def _blocked(self, query_keys: list[str]) -> set[int]:
        found: set[int] = set()
        for key in query_keys:
            for token in set(self._tokens(key)):
                posting = self.postings.get(token)
                if posting and len(posting) <= MAX_POSTINGS:
                    found.update(posting)
        return found

    def _aligned(self, a: list[str], b: list[str]) -> float:
        """Each word's best counterpart in the other name, weighted by the word's rarity, both
        ways: 'des international' and 'ate international' differ in their rare word."""
        total = weight = 0.0
        for left, right in ((a, b), (b, a)):
            for w in left:
                idf = self.idf.get(w, self.default_idf)
                total += idf * max(fuzz.ratio(w, x) for x in right)
                weight += idf
        return total / weight if weight else 0.0

    @staticmethod
    def score_sound(query: str, key: str) -> float:
        """0..100 for two sound keys: word order and spacing aside, the skeletons themselves
        (no credit for a part of a name: a skeleton is too short for that)."""
        best = max(fuzz.token_sort_ratio(query, key),
                   fuzz.ratio(query.replace(" ", ""), key.replace(" ", "")))
        q_words, k_words = query.split(), key.split()
        if 2 <= len(q_words) < len(k_words) and set(q_words) <= set(k_words):
            best = max(best, SOUND_PART)  # a middle name left out (Manuel Noriega)
        return best

    def score_keys(self, query: str, key: str, drop: frozenset[str] = frozenset()) -> float:
        """0..100 for one folded query key against one folded entry key. Words in `drop` (the
        subject's own country: 'Sberbank of Russia' for a Russian 'Sberbank') are left out of
        what a part of a name must cover."""
        if not query or not key:
            return 0.0
        q_words, k_words = query.split(), key.split()
        if is_cjk(query) != is_cjk(key):
            return 0.0
        best = min(fuzz.token_sort_ratio(query, key), self._aligned(q_words, k_words))
        if len(q_words) != len(k_words):  # 'sino bright' / 'sinobright': spacing only
            joined = fuzz.ratio(query.replace(" ", ""), key.replace(" ", ""))
            if joined >= 95:
                best = max(best, joined)
        if is_cjk(query):
            return best
        if len(q_words) == 1 and len(k_words) == 1 and query != key:
            # one short word each: a letter or two apart is weak evidence (ORICON / ORICO)
            size = max(len(query), len(key))
            best -= 6 if size <= 8 else 3 if size <= 12 else 0
        # all of the shorter name's words in the longer one: weigh what is left out by rarity
        short, long_ = (q_words, k_words) if len(q_words) <= len(k_words) else (k_words, q_words)
        if drop and not drop & set(short):
            long_ = [w for w in long_ if w not in drop] or long_
        if len(short) < len(long_):
            # one word alone must be the same word (POPLAR is not THE POPULAR ARMY)
            least = 100 if len(short) == 1 else 90
            matched = [w for w in short if any(fuzz.ratio(w, x) >= least for x in long_)]
            if len(matched) == len(short):
                covered = self._weight(short) / max(1e-9, self._weight(long_))
                best = max(best, 100 * (0.55 + 0.45 * covered))
        return best

    def search(self, names: list[str], *, country: str | None = None, person: bool = False,
               threshold: float = 0.0, limit: int = 20,
               corporate_number: str | None = None,
               also_in: frozenset[str] = frozenset()) -> list[Candidate]:
        """Candidates for a subject (its names), best first; individual entries only for
        people, entities (and entries of no stated type) only for companies.

        A candidate's `score` is its name score qualified by the evidence (evidence.py): for an
        organisation, an entry linked only to other countries than the subject's, or a
        Japanese company number that is not the subject's corporate number, lowers it; the
        same number raises it; `also_in` are other countries the subject is linked to (its
        group's headquarters). Candidates whose name score reaches the threshold are returned
        even when the evidence puts them under it: the caller shows them as possible matches.
        """
        own_number = evidence.company_number(corporate_number)
        query: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        # a subject with a name in Latin letters is compared by letters; only one written in
        # other scripts alone (マハン航空, Владимир Путин) is also compared by sound
        # (and not one with a kanji name: its kana reading is a Japanese reading, 高橋 タカハシ)
        by_sound = all(_has_foreign(fold(n)) and sound(n) for n in names if fold(n))
        for name in names:
            # a Japanese company's kanji are read in Japanese only (not in pinyin)
            for key, kind in match_keys(name, country != "JP"):
                if kind == "sound" and (not by_sound or not _sound_enough(key)):
                    continue
                if kind == "latin-zh" and country == "JP":
                    continue  # a Japanese company's kanji are read in Japanese
                sorted_key = " ".join(sorted(key.split()))
                if key and sorted_key not in seen:
                    seen.add(sorted_key)
                    query.append((key, kind, name))
        if not query:
            return []
        typed = [q for q in query if q[1] == "name" and not _has_foreign(q[0])]
        own_country = evidence.country_words(country)
        # people meet individual entries, organisations entities (and entries of no type)
        allowed = ("individual" if person else "entity", None)
        cands = sorted(k for k in self._blocked([q for q, _, _ in query])
                       if self.key_type[k] in allowed)
        if not cands:
            return []
        # a cheap bound in C (token set, spacing) before the word-by-word score: a pair far
        # under the threshold there cannot reach it
        texts = [q for q, _, _ in query]
        bound = process.cdist(texts, [self.key_text[k] for k in cands],
                              scorer=fuzz.token_set_ratio, workers=1)
        spaced = process.cdist([t.replace(" ", "") for t in texts],
                               [self.key_nospace[k] for k in cands], scorer=fuzz.ratio,
                               workers=1)
        cutoff = 100 * (threshold - COUNTRY_BONUS) - PREFILTER_MARGIN
        cuts = np.array([cutoff / SOUND_FACTOR if self.key_sound[k] else cutoff for k in cands])
        close = np.maximum(bound, spaced) >= cuts[None, :]
        best: dict[int, Candidate] = {}
        for j in np.flatnonzero(close.any(axis=0)):
            k = cands[j]
            near = {texts[i] for i in np.flatnonzero(close[:, j])}
            entry = self.entries[self.key_entry[k]]
            key = self.key_text[k]
            if self.key_sound[k]:
                pool = [(q, "sound", n) for q, kind, n in query if kind == "sound"]
                factor = SOUND_FACTOR
            elif len(self.key_nospace[k]) <= ACRONYM_KEY and " " not in key \
                    and not _has_foreign(key):
                # an acronym hits only the acronym typed as such (not a romanised name)
                pool = [(q, "acronym", n) for q, _, n in typed if key in q.split()]
                factor = 1.0
            else:
                # two readings of CJK names are not compared: the names themselves are
                cjk_key = self.key_kind[k] in ("latin-cjk", "latin-zh")
                pool = [(q, kind, n) for q, kind, n in query if kind != "sound" and not (
                    cjk_key and kind in ("latin-cjk", "latin-zh"))]
                factor = 1.0
            pool = [p for p in pool if p[0] in near]
            if not pool:
                continue
            if self.key_sound[k]:
                scored = [(self.score_sound(q, key), name, q, kind) for q, kind, name in pool]
            else:
                scored = [(self.score_keys(q, key, drop=own_country), name, q, kind)
                          for q, kind, name in pool]
            if typed:  # the subject's own Latin spelling beats our reading of its other names
                scored = [(s * (READING_FACTOR if kind in _READINGS else 1.0), name, q, kind)
                          for s, name, q, kind in scored]
            raw = max(scored)
            score = factor * raw[0] / 100
            if len(self.key_nospace[k]) <= SHORT_KEY:
                score = min(score, SHORT_CAP)  # NEC, NSK, MEC: too short to raise alone
            reasons: list[str] = []
            name_score = round(max(0.0, min(1.0, score)), 3)  # the names alone
            linked = bool(country) and (country in entry.countries
                                        or bool(also_in & entry.countries))
            if country and entry.countries:
                if linked:
                    score += COUNTRY_BONUS
                    reasons.append("country-match")
                else:
                    score -= COUNTRY_BONUS
            if self.key_weak[k] and not linked:
                score = min(score, WEAK_CAP)  # 'The Base', 'Alpha Group'
                reasons.append("weak-name")
            if not person and country and not linked and (
                    entry.countries or entry.outside == country):
                score -= evidence.COUNTRY_MISMATCH - (COUNTRY_BONUS if entry.countries else 0)
                reasons.append("country-mismatch")
            if not person:
                if own_number and entry.jp_numbers:
                    if own_number in entry.jp_numbers:
                        score += evidence.ORGID_MATCH
                        reasons.append("orgid-match")
                    else:
                        score -= evidence.ORGID_MISMATCH
                        reasons.append("orgid-mismatch")
            score = round(max(0.0, min(1.0, score)), 3)
            if max(score, name_score) < threshold:
                continue
            e_idx = self.key_entry[k]
            if e_idx not in best or (score, name_score) > (best[e_idx].score,
                                                           best[e_idx].name_score):
                best[e_idx] = Candidate(ref=entry.ref, entry=entry, matched_name=self.key_name[k],
                                        query_name=raw[1], score=score, how=raw[3],
                                        query_key=raw[2], matched_key=key,
                                        name_score=name_score, reasons=tuple(reasons))
        return sorted(best.values(), key=lambda c: (-c.score, -c.name_score))[:limit]
