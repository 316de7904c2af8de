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
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶー]")
_LATIN_WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+")

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
)], key=len, reverse=True)


def nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "")


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def _hira2kata(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def _strip_legal_words(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for form in _LEGAL_LATIN:
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
    text = text.replace("'", "").replace("’", "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    for chunk in re.split(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶー]+)",
                          text):
        if not chunk:
            continue
        if _CJK.match(chunk):
            parts.append(chunk)
        else:
            words = _join_initials(_LATIN_WORD.findall(chunk))
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
    global _kakasi
    text = fold(name)
    if not is_cjk(text):
        return ""
    if _kakasi is None:
        import pykakasi

        _kakasi = pykakasi.kakasi()
    out = " ".join(item["hepburn"] for item in _kakasi.convert(text) if item["hepburn"].strip())
    return fold(_long_vowels(out))


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


def fingerprint(*parts: object) -> str:
    """A short hash of names/country: a remembered decision holds while this stays the same."""
    folded = sorted({fold(str(p)) for p in parts if p} - {""})
    return hashlib.sha1("\x1f".join(folded).encode("utf-8")).hexdigest()[:16]


# --- countries ---------------------------------------------------------------------------------------

COUNTRY_NAMES = {
    "afghanistan": "AF", "albania": "AL", "algeria": "DZ", "armenia": "AM", "azerbaijan": "AZ",
    "bahrain": "BH", "belarus": "BY", "belgium": "BE", "bosnia and herzegovina": "BA",
    "brazil": "BR", "bulgaria": "BG", "burma": "MM", "myanmar": "MM", "canada": "CA",
    "central african republic": "CF", "china": "CN", "colombia": "CO", "cuba": "CU",
    "cyprus": "CY", "democratic republic of the congo": "CD", "congo": "CG", "egypt": "EG",
    "eritrea": "ER", "ethiopia": "ET", "france": "FR", "georgia": "GE", "germany": "DE",
    "greece": "GR", "hong kong": "HK", "india": "IN", "indonesia": "ID", "iran": "IR",
    "iran (islamic republic of)": "IR", "iraq": "IQ", "israel": "IL", "italy": "IT",
    "japan": "JP", "jordan": "JO", "kazakhstan": "KZ", "kenya": "KE", "korea, north": "KP",
    "north korea": "KP", "democratic people's republic of korea": "KP",
    "korea, south": "KR", "south korea": "KR", "republic of korea": "KR", "kuwait": "KW",
    "kyrgyzstan": "KG", "lebanon": "LB", "libya": "LY", "malaysia": "MY", "mali": "ML",
    "mexico": "MX", "netherlands": "NL", "nicaragua": "NI", "niger": "NE", "nigeria": "NG",
    "oman": "OM", "pakistan": "PK", "palestinian": "PS", "philippines": "PH", "qatar": "QA",
    "russia": "RU", "russian federation": "RU", "rwanda": "RW", "saudi arabia": "SA",
    "singapore": "SG", "somalia": "SO", "south sudan": "SS", "spain": "ES", "sudan": "SD",
    "switzerland": "CH", "syria": "SY", "syrian arab republic": "SY", "taiwan": "TW",
    "tajikistan": "TJ", "thailand": "TH", "trinidad and tobago": "TT", "tunisia": "TN",
    "turkey": "TR", "turkiye": "TR", "türkiye": "TR", "uganda": "UG", "ukraine": "UA",
    "united arab emirates": "AE", "uae": "AE", "united kingdom": "GB", "uk": "GB",
    "united states": "US", "usa": "US", "united states of america": "US", "uzbekistan": "UZ",
    "venezuela": "VE", "viet nam": "VN", "vietnam": "VN", "yemen": "YE", "zimbabwe": "ZW",
    "中国": "CN", "中華人民共和国": "CN", "北朝鮮": "KP", "朝鮮民主主義人民共和国": "KP",
    "イラン": "IR", "イラク": "IQ", "シリア": "SY", "パキスタン": "PK", "ロシア": "RU",
    "アラブ首長国連邦": "AE", "イスラエル": "IL", "インド": "IN", "台湾": "TW", "香港": "HK",
    "アフガニスタン": "AF", "レバノン": "LB", "エジプト": "EG", "トルコ": "TR", "日本": "JP",
    "ベラルーシ": "BY", "ウクライナ": "UA", "ミャンマー": "MM", "韓国": "KR", "シンガポール": "SG",
}


def country_codes(values: list[str] | str | None) -> set[str]:
    """ISO codes for the countries a list writes ('IR', 'Iran', 'イラン'); unknown names dropped."""
    if isinstance(values, str):
        values = [v for v in values.split("\n") if v]
    codes: set[str] = set()
    for value in values or []:
        text = nfkc(value).strip()
        if re.fullmatch(r"[A-Z]{2}", text):
            codes.add(text)
            continue
        code = COUNTRY_NAMES.get(text.casefold())
        if code:
            codes.add(code)
    return codes


# --- matching ----------------------------------------------------------------------------------------

COUNTRY_BONUS = 0.04
#: Names of this many letters or fewer (acronyms) score at most SHORT_CAP: exact 3-letter
#: matches (NEC, NSK, MEC) flagged 14 of 3,902 listed Japanese companies on their own.
SHORT_KEY = 3
SHORT_CAP = 0.85
#: Words this common across all lists (document frequency) are not used to find candidates.
MAX_POSTINGS = 400


@dataclass
class Entry:
    """One list entry as the matcher sees it: `ref` is whatever the caller uses to find it."""
    ref: object
    names: list[str]
    entry_type: str | None
    countries: set[str]


@dataclass
class Candidate:
    ref: object
    entry: Entry
    matched_name: str
    query_name: str
    score: float


class Matcher:
    """Every current entry's keys, a token index over them, and the scorer."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.key_text: list[str] = []
        self.key_nospace: list[str] = []
        self.key_entry: list[int] = []
        self.key_name: list[str] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        for e_idx, entry in enumerate(entries):
            seen: set[str] = set()
            for name in entry.names:
                for key in keys(name):
                    if key in seen or not key:
                        continue
                    seen.add(key)
                    k = len(self.key_text)
                    self.key_text.append(key)
                    self.key_nospace.append(key.replace(" ", ""))
                    self.key_entry.append(e_idx)
                    self.key_name.append(name)
                    for token in set(self._tokens(key)):
                        self.postings[token].append(k)
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

    def score_keys(self, query: str, key: str) -> float:
        """0..100 for one folded query key against one folded entry key."""
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
        if len(short) < len(long_):
            matched = [w for w in short if any(fuzz.ratio(w, x) >= 90 for x in long_)]
            if len(matched) == len(short):
                covered = self._weight(short) / max(1e-9, self._weight(long_))
                best = max(best, 100 * (0.55 + 0.45 * covered))
        return best

    def search(self, names: list[str], *, country: str | None = None, person: bool = False,
               threshold: float = 0.0, limit: int = 20) -> list[Candidate]:
        """Candidates for a subject (its names), best first; individual entries only for
        people, entities (and entries of no stated type) only for companies."""
        query: list[tuple[str, str]] = []
        seen: set[str] = set()
        for name in names:
            for key in keys(name):
                sorted_key = " ".join(sorted(key.split()))
                if key and sorted_key not in seen:
                    seen.add(sorted_key)
                    query.append((key, name))
        if not query:
            return []
        best: dict[int, Candidate] = {}
        for k in self._blocked([q for q, _ in query]):
            entry = self.entries[self.key_entry[k]]
            if entry.entry_type is not None:
                if person and entry.entry_type != "individual":
                    continue
                if not person and entry.entry_type != "entity":
                    continue
            raw = max((self.score_keys(q, self.key_text[k]), name) for q, name in query)
            score = raw[0] / 100
            if len(self.key_nospace[k]) <= SHORT_KEY:
                score = min(score, SHORT_CAP)  # NEC, NSK, MEC: too short to raise alone
            if country and entry.countries:
                score += COUNTRY_BONUS if country in entry.countries else -COUNTRY_BONUS
            score = max(0.0, min(1.0, score))
            if score < threshold:
                continue
            e_idx = self.key_entry[k]
            if e_idx not in best or score > best[e_idx].score:
                best[e_idx] = Candidate(ref=entry.ref, entry=entry, matched_name=self.key_name[k],
                                        query_name=raw[1], score=round(score, 3))
        return sorted(best.values(), key=lambda c: -c.score)[:limit]
