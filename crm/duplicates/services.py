"""Finding likely duplicate companies and contacts already in the database.

One query reads the key columns of every record (ids and names, not whole rows); one pass in
Python puts each record into blocks by key (folded name, reading, e-mail, phone ...); only
records sharing a block are compared. No record is compared with every other, so 50,000
companies or 250,000 contacts take seconds, not hours.

Companies in one field share words (X Electric, Y Electric; 東京電機, 大阪電機). A near name
match needs the same *distinctive* part of the name (as crm.contacts.matching.distinctive_core
takes the common nouns of company names off), the same line of business among the common
words, and no other place: 山田電機 and 山田電機工業 are proposed (工業 names no business),
北斗精機 and 北斗化成 are not, nor 京都協和工業 and 京都協和化学工業, nor 東京北斗精機 and
大阪北斗精機. When both records also have names in the other script (English and Japanese),
those must not say otherwise. Two valid corporate numbers that differ are two companies: such
pairs are set aside, whatever the names say. The same name in two countries with two legal
forms (Atlas GmbH, Atlas Inc.) is one group's two companies.

Each pair gets the reasons it was found for and a strength: "certain" (the same corporate
number, the same folded name, the same e-mail address) or "likely" (everything else).

Merging two records is in crm.duplicates.merge.
"""
from __future__ import annotations

import re
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import jaconv
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
import numpy
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist
from sqlalchemy import func, select

from crm.common.services import ValidationError
from crm.common.text import fold_company_name, fold_reading, fold_text, nfkc, person_name
from crm.companies.models import Company
from crm.contacts.matching import GENERIC_WORDS_EN, GENERIC_WORDS_JA
from crm.contacts.models import Contact
from crm.duplicates.models import DUPLICATE_KINDS, DuplicateDismissal
from crm.extensions import db, utcnow

CERTAIN, LIKELY = "certain", "likely"
STRENGTHS = (CERTAIN, LIKELY)

#: Why a pair was proposed, as shown on the page.
REASON_LABELS = {
    "corporate_number": _l("same corporate number"),
    "email": _l("same e-mail"),
    "name": _l("same name"),
    "other_name": _l("same English or other name"),
    "reading": _l("same reading"),
    "romaji": _l("English name matches the reading"),
    "website": _l("same website"),
    "near_name": _l("similar name"),
    "phone": _l("same phone number"),
    "name_company": _l("same name at the same company"),
    "reading_company": _l("same reading at the same company"),
    "romaji_company": _l("same name in Latin letters at the same company"),
    "countries_differ": _l("but different countries"),
}
#: Reasons that make a pair certain on their own.
CERTAIN_REASONS = {"corporate_number", "name", "email"}
#: Reasons that only say two names sound or are spelt alike in one script.
_SOUND_ALIKE = {"reading", "other_name", "romaji"}
#: Facts that speak against a pair: it is at most likely.
CAUTIONS = {"countries_differ"}

#: A key shared by more records than this is not evidence (a switchboard number, a shared
#: mailbox, a hosting site, a name half the database has): its block is skipped and counted.
BLOCK_MAX = {"website": 5, "phone": 5, "email": 5, "mailbox": 5, "near_name": 200}
DEFAULT_BLOCK_MAX = 50
#: Typos are looked for in Latin names of this many letters or more, within blocks of at most
#: TYPO_BLOCK_MAX names sharing a start or an end.
TYPO_MIN = 6
TYPO_BLOCK_MAX = 3000
#: How many folded words, readings and names are remembered between records (they recur).
CACHE_ENTRIES = 50_000
#: How long a computed list is reused while the tables look unchanged (seconds).
CACHE_SECONDS = 600

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶー]")
_WORD_SPLIT_RE = re.compile(r"[\s,、/・･&＆+]+")
_LATIN_KEY_RE = re.compile(r"^[a-z0-9]+$")
_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]")
_M_BEFORE_LABIAL_RE = re.compile(r"m(?=[bpm])")
_LONG_VOWEL_RE = re.compile(r"([aeiou])\1+")
#: Legal forms as read aloud; a reading is compared without them.
_LEGAL_READINGS = ("カブシキガイシャ", "カブシキカイシャ", "ユウゲンガイシャ", "ゴウドウガイシャ",
                   "ゴウシガイシャ", "ゴウメイガイシャ")
#: Common words that say *where* a company is: two names whose places differ are two companies.
_PLACE_WORDS = {fold_company_name(w) for w in (
    "日本", "東京", "大阪", "ジャパン", "国際", "インターナショナル", "japan", "nippon",
    "international", "global", "america", "europe", "asia", "usa")}
#: Common words that name no line of business: a name may add or drop them (山田電機 /
#: 山田電機工業, ABC / ABC Holdings). Words that do name one (電機, 化学, Steel) must agree.
_WEAK_WORDS = {fold_company_name(w) for w in (
    "工業", "産業", "興業", "工業所", "製作所", "商会", "商店", "ホールディングス", "グループ",
    "コーポレーション", "カンパニー", "本社", "industries", "industrial", "industry", "holdings",
    "holding", "group", "company", "works", "the", "and", "of", "de", "kabushiki", "kaisha")}
_GENERIC_JA = sorted({fold_company_name(w) for w in GENERIC_WORDS_JA}, key=len, reverse=True)
#: Mailboxes a whole office shares: the same one on two people is no proof they are one.
_ROLE_MAILBOXES = {"info", "sales", "contact", "office", "support", "admin", "inquiry", "toiawase",
                   "webmaster", "mail", "pr", "press", "hr", "jinji", "soumu", "somu", "eigyo",
                   "eigyou", "general", "team", "contactus", "hello"}


# --- keys ----------------------------------------------------------------------------------

@lru_cache(maxsize=CACHE_ENTRIES)
def roman_key(text: str | None) -> str:
    """Latin letters compared loosely: case, spaces and punctuation off, long vowels shortened
    (Toukyou = Tokyo), m before b/p as n (Shimbun = Shinbun)."""
    t = _NOT_ALNUM_RE.sub("", nfkc(text).lower())
    t = _M_BEFORE_LABIAL_RE.sub("n", t).replace("ou", "o")
    return _LONG_VOWEL_RE.sub(lambda m: m.group()[0], t)


@lru_cache(maxsize=CACHE_ENTRIES)
def reading_key(reading: str | None) -> str:
    """A reading in katakana without spaces or the read-aloud legal form (カブシキガイシャ)."""
    key = fold_reading(reading)
    for form in _LEGAL_READINGS:
        if key.startswith(form):
            key = key[len(form):]
        if key.endswith(form):
            key = key[: -len(form)]
    return key


def _kana_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Katakana to Hepburn as jaconv writes it: single kana, and kana with a small ャュョァィゥェォ."""
    single, double = {}, {}
    for code in range(ord("ァ"), ord("ヶ") + 1):
        kana = chr(code)
        single[kana] = jaconv.kana2alphabet(jaconv.kata2hira(kana))
        for small in "ャュョァィゥェォ":
            roman = jaconv.kana2alphabet(jaconv.kata2hira(kana + small))
            if re.fullmatch(r"[a-z]+", roman):
                double[kana + small] = roman
    single.update({"ヴ": "vu", "ッ": "\x00", "ー": ""})
    return single, double


_KANA_SINGLE, _KANA_DOUBLE = _kana_tables()
_KANA_SINGLE_TABLE = str.maketrans(_KANA_SINGLE)
_KANA_DOUBLE_RE = re.compile("|".join(sorted(_KANA_DOUBLE)))
_KATAKANA_RE = re.compile(r"[\u30a0-\u30ffー]+")


@lru_cache(maxsize=CACHE_ENTRIES)
def romaji_of_reading(reading: str | None) -> str:
    """The reading written in Latin letters, as roman_key compares it (ヤマダデンキ -> yamadadenki)."""
    key = reading_key(reading)
    if not key or not _KATAKANA_RE.fullmatch(key):
        return ""
    text = _KANA_DOUBLE_RE.sub(lambda m: _KANA_DOUBLE[m.group()], key)
    text = text.translate(_KANA_SINGLE_TABLE)
    if "\x00" in text:  # ッ doubles the next consonant (ッチ -> tchi)
        text = re.sub("\x00(?=ch)", "t", text)
        text = re.sub("\x00([a-z])", r"\1\1", text).replace("\x00", "")
    return roman_key(text)


def website_host(url: str | None) -> str:
    """The host of a website, lower case and without www. ('' when there is none)."""
    text = nfkc(url).lower()
    if not text:
        return ""
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    return host if "." in host else ""


def phone_key(number: str | None) -> str:
    """Digits only, +81 written as a leading 0, extensions dropped; '' when too short to mean
    anything (fewer than 9 digits)."""
    text = nfkc(number).lower()
    text = re.split(r"(?:ext\.?|x|内線|#)", text)[0]
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+"):
        if digits.startswith("81"):
            digits = "0" + digits[2:]
        else:
            digits = "+" + digits
    elif digits.startswith("0081"):
        digits = "0" + digits[4:]
    return digits if len(digits.lstrip("+")) >= 9 else ""


#: Company-name folding of one word, remembered: the same words (Co., Ltd., 電機 ...) recur.
_fold_word = lru_cache(maxsize=CACHE_ENTRIES)(fold_company_name)


_GENERIC_SUFFIX_RE = re.compile("(?<=.)(?:" + "|".join(map(re.escape, _GENERIC_JA)) + ")$")
_GENERIC_PREFIX_RE = re.compile("^(?:" + "|".join(map(re.escape, _GENERIC_JA)) + ")(?=.)")


@lru_cache(maxsize=CACHE_ENTRIES)
def _strip_generic(word: str) -> tuple[str, frozenset[str]]:
    """Take common nouns off both ends of a folded Japanese word, the longest first, as
    crm.contacts.matching does (山田電機工業 -> 山田), and say which were taken."""
    taken: set[str] = set()
    while word:
        suffix = _GENERIC_SUFFIX_RE.search(word)
        prefix = _GENERIC_PREFIX_RE.match(word)
        if suffix and (not prefix or len(suffix.group()) >= len(prefix.group())):
            taken.add(suffix.group())
            word = word[: suffix.start()]
        elif prefix:
            taken.add(prefix.group())
            word = word[prefix.end():]
        else:
            break
    if word in _GENERIC_JA:
        taken.add(word)
        word = ""
    return word, frozenset(taken)


@dataclass(frozen=True, slots=True)
class NameShape:
    """A company name taken apart: its distinctive core, the common words around it, and
    whether it is written in Japanese or in Latin letters."""

    core: str
    #: The common words that name a line of business (電機, 化学, electric ...).
    kinds: frozenset[str]
    #: The common words that name a place (東京, 日本, Japan ...).
    places: frozenset[str]
    script: str

    def agrees_with(self, other: NameShape) -> bool:
        """The same distinctive core, the same line of business, and no other place:
        山田電機 / 山田電機工業 (工業 names no business) and ABC / ABC Japan agree;
        北斗精機 / 北斗化成, 京都協和工業 / 京都協和化学工業, Subaru / Subaru Steel and
        ABC Japan / ABC America do not."""
        if self.core != other.core or self.kinds != other.kinds:
            return False
        return not (self.places and other.places and self.places != other.places)


def name_shape(name: str | None, folded: str | None = None) -> NameShape | None:
    """The shape of a company name (None for an empty one). The core is
    crm.contacts.matching.distinctive_core(name), computed here in the same pass that collects
    the common words (and faster, remembering how each word folds)."""
    folded = fold_company_name(name) if folded is None else folded
    if not folded:
        return None
    words: list[str] = []
    generic: set[str] = set()
    for chunk in _WORD_SPLIT_RE.split(nfkc(name)):
        word = _fold_word(chunk)
        if not word:
            continue
        if word in GENERIC_WORDS_EN:
            generic.add(word)
            continue
        if _CJK_RE.search(word):
            word, taken = _strip_generic(word)
            generic |= taken
        if word:
            words.append(word)
    core = "".join(words) or folded
    script = "ja" if _CJK_RE.search(folded) else "latin"
    return NameShape(core=core, kinds=_one_set(generic - _PLACE_WORDS - _WEAK_WORDS),
                     places=_one_set(generic & _PLACE_WORDS), script=script)


_SETS: dict[frozenset[str], frozenset[str]] = {}


def _one_set(words: set[str]) -> frozenset[str]:
    """One shared frozenset per set of words: there are few, and 50,000 names hold them."""
    key = frozenset(words)
    return _SETS.setdefault(key, key) if len(_SETS) < 10_000 else key


def _typo_close(a: str, b: str) -> bool:
    """Latin cores of six letters or more, one edit apart (Toyota / Toyoda). Japanese cores
    are not compared this way: 東日本北斗 and 西日本北斗 are one character apart and two
    companies."""
    if min(len(a), len(b)) < TYPO_MIN:
        return False
    return Levenshtein.distance(a, b, score_cutoff=1) <= 1


# --- pairs ---------------------------------------------------------------------------------

@dataclass
class Pair:
    """Two records that may be one: first_id < second_id."""

    kind: str
    first_id: int
    second_id: int
    reasons: list[str] = field(default_factory=list)
    #: The shared value behind each reason (the e-mail address, the distinctive name ...).
    details: dict[str, str] = field(default_factory=dict)

    @property
    def strength(self) -> str:
        if CAUTIONS & set(self.reasons):
            return LIKELY
        return CERTAIN if CERTAIN_REASONS & set(self.reasons) else LIKELY

    @property
    def key(self) -> tuple[int, int]:
        return self.first_id, self.second_id

    def sort_key(self) -> tuple:
        return (STRENGTHS.index(self.strength),
                -len([r for r in self.reasons if r not in CAUTIONS]), self.key)


class _Found:
    """Pairs as they are found, each reason once."""

    def __init__(self, kind: str):
        self.kind = kind
        self.pairs: dict[tuple[int, int], Pair] = {}
        #: Blocks skipped because too many records shared the key, per reason.
        self.skipped: dict[str, int] = defaultdict(int)
        #: Records read.
        self.records = 0
        #: Pairs found but left out: two corporate numbers are two companies.
        self.set_aside = 0

    def add(self, a: int, b: int, reason: str, detail: str = "") -> None:
        if a == b:
            return
        key = (a, b) if a < b else (b, a)
        pair = self.pairs.get(key)
        if pair is None:
            pair = self.pairs[key] = Pair(self.kind, *key)
        if reason not in pair.reasons:
            pair.reasons.append(reason)
            if detail:
                pair.details[reason] = detail

    def add_block(self, reason: str, key: str, ids: Iterable[int], detail: str = "") -> None:
        members = sorted(set(ids))
        if len(members) < 2:
            return
        if len(members) > BLOCK_MAX.get(reason, DEFAULT_BLOCK_MAX):
            self.skipped[reason] += 1
            return
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                self.add(a, b, reason, detail or key)


@dataclass
class Result:
    """What a search for duplicates found."""

    kind: str
    pairs: list[Pair]
    #: Records read, blocks skipped as too common (per reason), seconds taken.
    records: int = 0
    #: Pairs left out because both records have corporate numbers and they differ.
    set_aside: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Compact(dict):
    """key -> one id, or a list of ids once a second record shares the key: most keys are
    held by one record, and an int costs far less memory than a list."""

    def put(self, key: Any, value: int) -> None:
        held = self.get(key)
        if held is None:
            self[key] = value
        elif isinstance(held, list):
            held.append(value)
        elif held != value:
            self[key] = [held, value]

    def shared(self) -> Iterable[tuple[Any, list[int]]]:
        return ((k, v) for k, v in self.items() if isinstance(v, list))


def _ids(held: Any) -> list:
    """The ids a _Compact holds for a key, as a list."""
    return [] if held is None else held if isinstance(held, list) else [held]


def _company_pairs(rows: Iterable[Any]) -> _Found:
    found = _Found("companies")
    blocks = _Compact()
    romaji_readings = _Compact()
    romaji_names = _Compact()
    #: Folded main names, and folded English names and aliases: a main name equal to the
    #: other's main, English name or alias is certain; English names alone are likely.
    main_names = _Compact()
    other_names = _Compact()
    numbers: dict[int, str] = {}
    #: Country and legal form, for telling a group's companies in two countries apart.
    entity: dict[int, tuple[str | None, str | None]] = {}
    shapes: dict[int, list[NameShape]] = {}
    by_core: dict[tuple[str, str], list[tuple[int, NameShape]]] = defaultdict(list)
    count = 0
    for row in rows:
        count += 1
        cid = row.id
        names = [n for n in (row.name, row.name_en,
                             *(row.aliases or "").splitlines()) if n and n.strip()]
        if row.corporate_number:
            numbers[cid] = row.corporate_number
            blocks.put(("corporate_number", row.corporate_number), cid)
        entity[cid] = (row.country and sys.intern(row.country),
                       row.legal_form and sys.intern(row.legal_form))
        # The stored folded name saves folding the main name again.
        folds = {n: (row.name_folded if n is row.name and row.name_folded is not None
                     else fold_company_name(n)) for n in names}
        folded = set(folds.values()) - {""}
        main = folds.get(row.name, "")
        if main:
            main_names.put(main, cid)
        for key in folded - {main}:
            other_names.put(key, cid)
        reading = reading_key(row.name_reading) if row.name_reading else ""
        if len(reading) >= 3:
            blocks.put(("reading", reading), cid)
        romaji = romaji_of_reading(row.name_reading) if reading else ""
        if len(romaji) >= 4:
            romaji_readings.put(romaji, cid)
        for key in folded:
            if _LATIN_KEY_RE.match(key):
                latin = roman_key(key)
                if len(latin) >= 4:
                    romaji_names.put(latin, cid)
        host = website_host(row.website)
        if host:
            blocks.put(("website", host), cid)
        own = shapes[cid] = []
        for n in names:
            shape = name_shape(n, folds[n])
            if shape is None or shape in own:
                continue
            own.append(shape)
            if len(shape.core) >= (2 if shape.script == "ja" else 3):
                by_core[(shape.script, shape.core)].append((cid, shape))
    found.records = count

    for (reason, key), ids in blocks.shared():
        found.add_block(reason, key, ids)
    for key, held in main_names.items():
        ids = _ids(held) + _ids(other_names.get(key))
        if len(ids) > 1:
            found.add_block("name", key, ids)
    for key, ids in other_names.shared():
        found.add_block("other_name", key, ids)
    for key, held in romaji_readings.items():
        readers, writers = _ids(held), _ids(romaji_names.get(key))
        if writers and len(readers) + len(writers) <= DEFAULT_BLOCK_MAX:
            for a in set(readers):
                for b in set(writers):
                    found.add(a, b, "romaji", key)

    def other_script_agrees(a: int, b: int, script: str) -> bool:
        """Names in the other script, when both have some, must agree as well."""
        other = "latin" if script == "ja" else "ja"
        mine = [s for s in shapes[a] if s.script == other]
        theirs = [s for s in shapes[b] if s.script == other]
        if not mine or not theirs:
            return True
        return any(x.agrees_with(y) or other == "latin" and x.kinds == y.kinds
                   and _typo_close(x.core, y.core) for x in mine for y in theirs)

    def business_differs(a: int, b: int, script: str) -> bool:
        """Both have names in this script, and each pair of them names different lines of
        business or different places."""
        mine = [s for s in shapes[a] if s.script == script]
        theirs = [s for s in shapes[b] if s.script == script]
        return bool(mine and theirs) and all(
            x.kinds != y.kinds or (x.places and y.places and x.places != y.places)
            for x in mine for y in theirs)

    def propose(a: int, b: int, script: str, detail: str) -> None:
        if a != b and other_script_agrees(a, b, script):
            found.add(a, b, "near_name", detail)

    for (script, core), members in by_core.items():
        if len({cid for cid, _ in members}) > BLOCK_MAX["near_name"]:
            found.skipped["near_name"] += 1
            continue
        # Only names of the same line of business can agree: compare within those.
        same_kinds: dict[frozenset[str], list[tuple[int, NameShape]]] = defaultdict(list)
        for cid, shape in members:
            same_kinds[shape.kinds].append((cid, shape))
        for group in same_kinds.values():
            for i, (a, sa) in enumerate(group):
                for b, sb in group[i + 1:]:
                    if a != b and sa.agrees_with(sb):
                        propose(a, b, script, core)
    # Typos in Latin names (Toyota / Toyoda): one edit apart. The letters before the edit and
    # those after it are equal, and one of the two runs is at least (L - 1) // 2 long (L the
    # shorter length): cores are compared only within blocks sharing such a start or end.
    typo_blocks = _Compact()
    for (script, core), members in by_core.items():
        if script != "latin" or len(core) < TYPO_MIN:
            continue
        for k in {(len(core) - 1) // 2, (len(core) - 2) // 2}:
            typo_blocks.put(("start", k, core[:k]), core)
            typo_blocks.put(("end", k, core[-k:]), core)
    typo_pairs: set[tuple[str, str]] = set()
    for _, cores in typo_blocks.shared():
        if len(cores) > TYPO_BLOCK_MAX:
            found.skipped["near_name"] += 1
            continue
        # Every core against every other of the block, in C (rapidfuzz), not in Python.
        distances = cdist(cores, cores, scorer=Levenshtein.distance, score_cutoff=1,
                          dtype=numpy.uint8)
        for i, j in numpy.argwhere(distances <= 1):
            if i < j:
                a, b = cores[i], cores[j]
                typo_pairs.add((a, b) if a < b else (b, a))
    for core_a, core_b in sorted(typo_pairs):
        for a, sa in by_core[("latin", core_a)]:
            for b, sb in by_core[("latin", core_b)]:
                if sa.kinds == sb.kinds and not (
                        sa.places and sb.places and sa.places != sb.places):
                    propose(a, b, "latin", f"{core_a} / {core_b}")

    for key, pair in list(found.pairs.items()):
        (country_a, form_a), (country_b, form_b) = entity[pair.first_id], entity[pair.second_id]
        if "name" in pair.reasons:
            pair.reasons = [r for r in pair.reasons if r != "other_name"]
        number_a, number_b = numbers.get(pair.first_id), numbers.get(pair.second_id)
        if number_a and number_b and number_a != number_b:
            # Two corporate numbers are two legal entities, whatever their names say.
            del found.pairs[key]
            found.set_aside += 1
            continue
        if country_a and country_b and country_a != country_b \
                and "corporate_number" not in pair.reasons:
            if form_a and form_b and form_a.casefold() != form_b.casefold():
                # Atlas GmbH in Germany and Atlas Inc. in the US: one group, two companies.
                del found.pairs[key]
                continue
            pair.reasons.append("countries_differ")
            continue
        if set(pair.reasons) <= _SOUND_ALIKE and (
                business_differs(pair.first_id, pair.second_id, "ja")
                or business_differs(pair.first_id, pair.second_id, "latin")):
            # 仙台常磐工業 and 仙台常磐鋼業 read alike, but Industries and Steel differ;
            # 東日本北斗精機 and 東日本北斗化成 share an English name, but 精機 and 化成 differ.
            del found.pairs[key]
    for pair in found.pairs.values():
        if "name" in pair.reasons and "near_name" in pair.reasons:
            pair.reasons.remove("near_name")  # the same name says it already
            pair.details.pop("near_name", None)
    return found


def _person_tokens(family: str | None, given: str | None, family_reading: str | None,
                   given_reading: str | None) -> set[str]:
    """Ways one person's name may be written: as typed, by reading, in Latin letters."""
    tokens = set()
    for name, reading in ((family, family_reading), (given, given_reading)):
        typed = fold_text(name).replace(" ", "")
        if typed:
            tokens.add(roman_key(typed) if _LATIN_KEY_RE.match(typed) else typed)
        if reading:
            tokens.add(fold_reading(reading))
            tokens.add(romaji_of_reading(reading))
    return tokens - {""}


@lru_cache(maxsize=CACHE_ENTRIES)
def _name_part(value: str | None) -> str:
    """One part of a person's name folded (width, case, kana) without spaces."""
    return fold_text(value).replace(" ", "").replace("\u3000", "")


def _email_key(address: str) -> str:
    address = address.strip()
    return (address if address.isascii() else nfkc(address)).lower()


def _contact_pairs(rows: Iterable[Any]) -> _Found:
    """Rows must come ordered by company: names are compared within one company at a time,
    so only e-mail addresses and phone numbers are held for the whole table."""
    found = _Found("contacts")
    emails, phones = _Compact(), _Compact()
    #: Name forms of the people whose phone or shared mailbox may pair them (few hold one).
    tokens: dict[int, set[str]] = {}
    shown: dict[int, str] = {}
    company: Any = object()
    local: dict[str, _Compact] = {}

    def close_company() -> None:
        for reason, blocks in local.items():
            for key, ids in blocks.shared():
                found.add_block(reason, " ".join(key), ids)
                if reason == "name_company":
                    for pair_key in ((a, b) for a in ids for b in ids if a < b):
                        pair = found.pairs.get(pair_key)
                        if pair is not None:
                            pair.details["name_company"] = shown[pair_key[0]]
        local.clear()
        shown.clear()

    count = 0
    for row in rows:
        count += 1
        pid = row.id
        role_mailbox = False
        for address in (row.email, *(row.other_emails or "").splitlines()):
            address = _email_key(address or "")
            if address:
                emails.put(address, pid)
                role_mailbox |= address.split("@")[0] in _ROLE_MAILBOXES
        numbers = {phone_key(n) for n in (row.phone, row.mobile) if n} - {""}
        for number in numbers:
            phones.put(number, pid)
        if numbers or role_mailbox:
            tokens[pid] = _person_tokens(row.family_name, row.given_name,
                                         row.family_name_reading, row.given_name_reading)
        if row.company_id != company:
            close_company()
            company = row.company_id
            local.update(name_company=_Compact(), reading_company=_Compact(),
                         romaji_company=_Compact())
        if row.company_id is None:
            continue
        family, given = _name_part(row.family_name), _name_part(row.given_name)
        if family:
            # Either order: Western names are often typed family name last.
            local["name_company"].put(tuple(sorted((family, given))), pid)
            shown[pid] = person_name(row.family_name, row.given_name)
        fr = reading_key(row.family_name_reading) if row.family_name_reading else ""
        gr = reading_key(row.given_name_reading) if row.given_name_reading else ""
        if fr and gr:
            local["reading_company"].put((fr, gr), pid)
        if family and _LATIN_KEY_RE.match(family + given):
            latin = sorted((roman_key(family), roman_key(given)))
        elif fr and gr:
            latin = sorted((romaji_of_reading(fr), romaji_of_reading(gr)))
        else:
            continue
        if all(latin):
            local["romaji_company"].put(tuple(latin), pid)
    close_company()
    found.records = count

    for address, ids in emails.shared():
        if address.split("@")[0] not in _ROLE_MAILBOXES:
            found.add_block("email", address, ids)
            continue
        _add_if_names_agree(found, "email", address, ids, tokens, "mailbox")
    for number, ids in phones.shared():
        _add_if_names_agree(found, "phone", number, ids, tokens, "phone")
    # Latin letters matter only between a Latin name and a read Japanese one: when the names
    # or the readings agree already, they say it.
    for pair in found.pairs.values():
        if "romaji_company" in pair.reasons and (
                "name_company" in pair.reasons or "reading_company" in pair.reasons):
            pair.reasons.remove("romaji_company")
            pair.details.pop("romaji_company", None)
    return found


def _add_if_names_agree(found: _Found, reason: str, key: str, ids: list[int],
                        tokens: dict[int, set[str]], block: str) -> None:
    """A shared line or mailbox counts only between people whose names agree."""
    members = sorted(set(ids))
    if len(members) > BLOCK_MAX.get(block, DEFAULT_BLOCK_MAX):
        found.skipped[block] += 1
        return
    for i, a in enumerate(members):
        for b in members[i + 1:]:
            if tokens.get(a, set()) & tokens.get(b, set()):
                found.add(a, b, reason, key)


_COMPANY_COLUMNS = (Company.id, Company.name, Company.name_folded, Company.name_en,
                    Company.aliases, Company.name_reading, Company.corporate_number,
                    Company.website, Company.country, Company.legal_form)
_CONTACT_COLUMNS = (Contact.id, Contact.company_id, Contact.family_name, Contact.given_name,
                    Contact.family_name_reading, Contact.given_name_reading, Contact.email,
                    Contact.other_emails, Contact.phone, Contact.mobile)
_MODELS = {"companies": (Company, _COMPANY_COLUMNS, _company_pairs),
           "contacts": (Contact, _CONTACT_COLUMNS, _contact_pairs)}

@dataclass
class _Cached:
    fingerprint: tuple
    at: float
    result: Result
    #: Patched after a merge here: the next look takes the table's new state as its own.
    patched: bool = False


_cache: dict[tuple[str, str], _Cached] = {}
_cache_lock = threading.Lock()


def _fingerprint(model: type) -> tuple:
    """What changes when a record is added, changed or deleted through the application."""
    # three subqueries in one statement, each answered from an index on its own (together in
    # one select they made SQLite read every row: 15 ms for 50,000 companies)
    row = db.session.execute(select(
        select(func.count(model.id)).scalar_subquery(),
        select(func.max(model.id)).scalar_subquery(),
        select(func.max(model.updated_at)).scalar_subquery())).one()
    return tuple(str(v) for v in row)


def _one_fewer(before: tuple, now: tuple) -> bool:
    """The table has exactly one record fewer than before and none added (a merge)."""
    try:
        return int(now[0]) == int(before[0]) - 1 and int(now[1]) <= int(before[1])
    except ValueError:  # an empty table: max(id) is None
        return False


def _release_key_caches() -> None:
    """Let go of the keys remembered while reading every record (they recur within one
    reading, and the next is CACHE_SECONDS away at the earliest): kept, they held 25 MiB of
    every web process that had shown the list."""
    for cached in (roman_key, reading_key, romaji_of_reading, _fold_word, _strip_generic,
                   _name_part):
        cached.cache_clear()


def find_all(kind: str, *, use_cache: bool = True, refresh: bool = False) -> Result:
    """Every likely duplicate pair of companies or contacts, strongest first (dismissed
    pairs included: see find_pairs).

    The list is kept and reused while the table is unchanged (for CACHE_SECONDS at most);
    refresh=True computes it afresh and keeps that; use_cache=False neither reads nor keeps.
    """
    if kind not in _MODELS:
        raise ValueError(kind)
    model, columns, pairs_of = _MODELS[kind]
    slot = (str(db.engine.url), kind)
    fingerprint = _fingerprint(model) if use_cache else ()
    if use_cache and not refresh:
        with _cache_lock:
            hit = _cache.get(slot)
            if hit and (hit.fingerprint == fingerprint or hit.patched and _one_fewer(
                    hit.fingerprint, fingerprint)) and time.monotonic() - hit.at < CACHE_SECONDS:
                hit.fingerprint, hit.patched = fingerprint, False
                return hit.result
    started = time.perf_counter()
    stmt = select(*columns)
    if kind == "contacts":
        stmt = stmt.order_by(Contact.company_id, Contact.id)
    rows = db.session.execute(stmt.execution_options(yield_per=5000))
    found = pairs_of(rows)
    _release_key_caches()
    order = list(REASON_LABELS)
    for pair in found.pairs.values():
        pair.reasons.sort(key=order.index)
    result = Result(kind=kind, pairs=sorted(found.pairs.values(), key=Pair.sort_key),
                    records=found.records, set_aside=found.set_aside,
                    skipped=dict(found.skipped), seconds=time.perf_counter() - started)
    if use_cache:
        with _cache_lock:
            _cache[slot] = _Cached(fingerprint, time.monotonic(), result)
    return result


def cached_pair(kind: str, a: int, b: int) -> Pair | None:
    """The pair of a and b from the kept list, if there is one (never computes the list)."""
    with _cache_lock:
        hit = _cache.get((str(db.engine.url), kind))
    if hit is None:
        return None
    wanted = (min(a, b), max(a, b))
    return next((p for p in hit.result.pairs if p.key == wanted), None)


def forget(kind: str, record_id: int) -> None:
    """A record was merged away: take its pairs out of the kept list at once, so the list
    need not be computed again for the merge (other changes made meanwhile show when it is,
    within CACHE_SECONDS, or on "check again")."""
    with _cache_lock:
        hit = _cache.get((str(db.engine.url), kind))
        if hit is not None:
            hit.result.pairs = [p for p in hit.result.pairs if record_id not in p.key]
            hit.patched = True


def dismissed(kind: str) -> set[tuple[int, int]]:
    """The pairs users said are not the same."""
    return {tuple(r) for r in db.session.execute(
        select(DuplicateDismissal.first_id, DuplicateDismissal.second_id)
        .where(DuplicateDismissal.kind == kind))}


def find_pairs(kind: str, *, strength: str | None = None, record: int | None = None,
               use_cache: bool = True) -> list[Pair]:
    """The pairs to show: strongest first, without dismissed ones, optionally only of one
    strength or only those that include one record."""
    result = find_all(kind, use_cache=use_cache)
    hidden = dismissed(kind)
    return [p for p in result.pairs if p.key not in hidden
            and (strength is None or p.strength == strength)
            and (record is None or record in p.key)]


def dismiss(kind: str, a: int, b: int, *, by_id: int | None = None) -> DuplicateDismissal:
    """Remember that records a and b are not the same, so they are not proposed again."""
    if kind not in DUPLICATE_KINDS:
        raise ValidationError({"kind": _("Unknown kind of record.")})
    if a == b:
        raise ValidationError({"pair": _("A record is always the same as itself.")})
    first, second = sorted((a, b))
    existing = db.session.scalar(select(DuplicateDismissal).where(
        DuplicateDismissal.kind == kind, DuplicateDismissal.first_id == first,
        DuplicateDismissal.second_id == second))
    if existing is not None:
        return existing
    model = _MODELS[kind][0]
    if db.session.scalar(select(func.count(model.id)).where(model.id.in_((first, second)))) != 2:
        raise ValidationError({"pair": _("One of the two records no longer exists.")})
    row = DuplicateDismissal(kind=kind, first_id=first, second_id=second, dismissed_by_id=by_id,
                             dismissed_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row
