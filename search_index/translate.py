"""Matching across languages: a need's words looked up in the other language.

A need written in English finds seeds written in Japanese (and the other way round) when its
words are also searched for in their translations: "battery" → 電池, 全固体電池 → all-solid-state
battery. Translations come from two lexicons, most trusted first:

- a **glossary** of the office's own fields (pairs of Japanese and English terms, kept as data
  in the repository and editable by admins: crm/glossary), and
- **JMdict** (the Electronic Dictionary Research and Development Group's Japanese–English
  dictionary, CC BY-SA 4.0), read from the `jamdict-data` package's SQLite file, read-only.

A dictionary is noisy ("battery" is also a fort's gun battery, 台場), so translations are
restricted to nouns, ranked (the sense a word is first glossed with, priority entries), capped
per word, and weigh less than the need's own words (`matching.prepare`); a glossary entry for a
word replaces the dictionary's guesses. Each translation is reported as "source → target" so a
reader sees why a record in the other language matched.

This module knows nothing of Flask or the database: the glossary's pairs are handed in.
"""
from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from search_index.analysis import Term, terms

__all__ = ["Expansion", "Lexicon", "Translator", "jmdict", "jmdict_path"]

#: How much a translation's terms weigh against one occurrence of the need's own word.
GLOSSARY_WEIGHT = 0.5
DICTIONARY_WEIGHT = 0.3
#: Translations kept per word of the need.
PER_WORD = 2
#: Longest Japanese word looked up, in characters, and longest English phrase, in words.
MAX_JA = 10
MAX_EN = 4

_JA_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u30a1-\u30fa\u30fc]+")
_PAREN = re.compile(r"\s*\([^)]*\)\s*")
_HAS_JA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Expansion:
    """One translation of a need's word: its index terms, each weighing `weight` against one
    occurrence of the need's own words, and what to show a reader."""

    source: str
    target: str
    terms: tuple[str, ...]
    weight: float

    @property
    def label(self) -> str:
        return f"{self.source} → {self.target}"


def _ja_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _en_key(text: str) -> tuple[str, ...]:
    """An English phrase as the analyzer's stems ("Solid-state batteries" → solid state batteri)."""
    return tuple(t.text for t in terms(text) if not _HAS_JA.search(t.text))


class Lexicon:
    """Pairs of a Japanese and an English term, looked up from either side."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()):
        self.ja: dict[str, list[str]] = {}
        self.en: dict[tuple[str, ...], list[str]] = {}
        for ja, en in pairs:
            ja, en = _ja_key(ja), " ".join((en or "").split())
            key = _en_key(en)
            if not ja or not key or not _HAS_JA.search(ja):
                continue
            self.ja.setdefault(ja, [])
            if en not in self.ja[ja]:
                self.ja[ja].append(en)
            self.en.setdefault(key, [])
            if ja not in self.en[key]:
                self.en[key].append(ja)

    def __len__(self) -> int:
        return len(self.ja)

    def japanese(self, key: tuple[str, ...]) -> list[str]:
        return self.en.get(key, [])

    def english(self, word: str) -> list[str]:
        return self.ja.get(word, [])


class JMdict:
    """JMdict as packaged by jamdict-data, read with plain SQL (read-only, immutable), each
    lookup cached. Nouns only; at most PER_WORD translations per word, best first."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self.english = lru_cache(maxsize=50_000)(self._english)
        self.japanese = lru_cache(maxsize=50_000)(self._japanese)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True,
                                 check_same_thread=False)
            self._local.db = db
        return db

    def _english(self, word: str) -> tuple[str, ...]:
        """English glosses of a Japanese word (written in kanji, or a katakana word), from the
        entry's first noun sense."""
        table = "Kanji" if re.search(r"[\u3400-\u9fff\uf900-\ufaff]", word) else "Kana"
        rows = self._db().execute(
            f"SELECT s.ID, g.text FROM {table} k JOIN Sense s ON s.idseq = k.idseq "  # noqa: S608
            "JOIN SenseGloss g ON g.sid = s.ID "
            "WHERE k.text = ? AND EXISTS (SELECT 1 FROM pos p "
            "WHERE p.sid = s.ID AND p.text LIKE 'noun%') ORDER BY k.idseq, s.ID, g.rowid "
            "LIMIT 12", (word,)).fetchall()
        if not rows:
            return ()
        first = rows[0][0]
        out: list[str] = []
        for sid, gloss in rows:
            if sid != first:
                break
            gloss = _PAREN.sub(" ", gloss).strip()
            if gloss and len(gloss.split()) <= MAX_EN and gloss not in out:
                out.append(gloss)
        return tuple(out[:PER_WORD])

    def _japanese(self, phrase: str) -> tuple[str, ...]:
        """Japanese words glossed with an English noun phrase ("battery", or "battery (...)"),
        best first: the gloss exactly, as the first gloss of the entry's first sense, an
        entry marked common; only those as good as the best."""
        rows = self._db().execute(
            "SELECT g.text, g.sid, s.idseq, g.rowid, "
            "(SELECT MIN(g2.rowid) FROM SenseGloss g2 WHERE g2.sid = g.sid), "
            "(SELECT MIN(s2.ID) FROM Sense s2 WHERE s2.idseq = s.idseq) "
            "FROM SenseGloss g JOIN Sense s ON s.ID = g.sid "
            "WHERE g.text >= ? AND g.text < ? "
            "AND EXISTS (SELECT 1 FROM pos p WHERE p.sid = s.ID AND p.text LIKE 'noun%') "
            "LIMIT 60", (phrase, phrase + " )")).fetchall()
        ranked: list[tuple[int, int, str]] = []
        for gloss, sid, idseq, rowid, first_gloss, first_sense in rows:
            if gloss != phrase and not gloss.startswith(phrase + " ("):
                continue
            forms = self._forms(idseq)
            if not forms:
                continue
            form, common = forms
            score = ((2 if gloss == phrase else 0) + (2 if rowid == first_gloss else 0)
                     + (1 if sid == first_sense else 0) + (2 if common else 0))
            ranked.append((-score, idseq, form))
        ranked.sort()
        out: list[str] = []
        for score, _, form in ranked:
            if score != ranked[0][0]:
                break  # only the best readings: a weaker one beside them is noise
            if form not in out:
                out.append(form)
        return tuple(out[:PER_WORD])

    def _forms(self, idseq: int) -> tuple[str, bool] | None:
        """The entry's first written form (kanji, else kana) and whether it is marked common."""
        db = self._db()
        row = db.execute("SELECT k.text, EXISTS (SELECT 1 FROM KJP WHERE kid = k.ID) FROM Kanji k "
                         "WHERE k.idseq = ? ORDER BY k.ID LIMIT 1", (idseq,)).fetchone()
        if row is None:
            row = db.execute("SELECT k.text, EXISTS (SELECT 1 FROM KNP WHERE kid = k.ID) "
                             "FROM Kana k WHERE k.idseq = ? ORDER BY k.ID LIMIT 1",
                             (idseq,)).fetchone()
        if row is None or len(row[0]) < 2:
            return None
        return row[0], bool(row[1])


def jmdict_path() -> Path | None:
    """Where jamdict-data keeps JMdict's SQLite file (None when the package is missing)."""
    try:
        import jamdict_data  # noqa: PLC0415 (optional at import time: the file is large)
    except ImportError:
        return None
    path = Path(jamdict_data.__file__).parent / "jamdict.db"
    return path if path.exists() else None


@lru_cache(maxsize=1)
def jmdict() -> JMdict | None:
    path = jmdict_path()
    return JMdict(path) if path else None


class Translator:
    """Translations of a need's words: glossary first, JMdict for words it lacks."""

    def __init__(self, glossary: Lexicon | None = None, dictionary: JMdict | None = None,
                 glossary_weight: float = GLOSSARY_WEIGHT,
                 dictionary_weight: float = DICTIONARY_WEIGHT):
        self.glossary = glossary or Lexicon()
        self.dictionary = dictionary
        self.glossary_weight = glossary_weight
        self.dictionary_weight = dictionary_weight

    def expand(self, text: str, spans: list[Term]) -> list[Expansion]:
        """Every translation of the need's words (a word translated once, however often it
        occurs: the need's own counts already say how much it matters)."""
        found: dict[tuple[str, str], Expansion] = {}
        for source, targets, weight in [*self._from_english(text, spans),
                                        *self._from_japanese(text)]:
            into_japanese = not _HAS_JA.search(source)
            for target in targets[:PER_WORD]:
                # Only the other language's terms: the "3D" of 3Dプリンタ is the need's own word.
                index_terms = tuple(dict.fromkeys(
                    t.text for t in terms(target)
                    if bool(_HAS_JA.search(t.text)) == into_japanese))
                key = (_ja_key(source).lower(), target)
                if index_terms and key not in found:
                    found[key] = Expansion(source, target, index_terms, weight)
        return list(found.values())

    def _from_english(self, text: str, spans: list[Term]):
        words = [t for t in spans if not _HAS_JA.search(t.text)]
        i = 0
        while i < len(words):
            for n in range(min(MAX_EN, len(words) - i), 0, -1):
                run = words[i:i + n]
                if n > 1 and not all(_adjacent(text, a, b) for a, b in zip(run, run[1:])):
                    continue
                key = tuple(t.text for t in run)
                source = text[run[0].start:run[-1].end]
                targets, weight = list(self.glossary.japanese(key)), self.glossary_weight
                if not targets and self.dictionary is not None:
                    targets = list(self.dictionary.japanese(_dictionary_phrase(source)))
                    if targets and _common(source, "en"):
                        targets = []  # a common word: consumed, not translated
                    weight = self.dictionary_weight
                    if not targets and n > 1:
                        continue
                if targets or n == 1:
                    if targets:
                        yield source, targets, weight
                    i += n
                    break
            else:
                i += 1

    def _from_japanese(self, text: str):
        for match in _JA_RUN.finditer(unicodedata.normalize("NFKC", text)):
            run = match.group()
            i = 0
            while i < len(run):
                for length in range(min(MAX_JA, len(run) - i), 1, -1):
                    word = run[i:i + length]
                    targets, weight = list(self.glossary.english(word)), self.glossary_weight
                    known = bool(targets)
                    if not known and self.dictionary is not None:
                        targets = list(self.dictionary.english(word))
                        weight = self.dictionary_weight
                        known = bool(targets)
                        if known and _common(word, "ja"):
                            targets = []  # a common word: consumed, not translated
                    if known:
                        if targets:
                            yield word, targets, weight
                        i += length
                        break
                else:
                    i += 1


#: A word this common (wordfreq's Zipf scale: 5 is once in 100,000 words) says little about a
#: topic and has many senses: the dictionary is not asked about it (the glossary still is).
COMMON_ZIPF = 5.0


@lru_cache(maxsize=4)
def _common_words(lang: str) -> frozenset[str]:
    """The words of wordfreq's list at least COMMON_ZIPF frequent (about a thousand): read
    from the list's file once, not through get_frequency_dict, which keeps every word of the
    language (300,000 English and 200,000 Japanese: 80 MiB per process) for good. Wordfreq's
    own lookup would also tokenise Japanese with MeCab."""
    from wordfreq import available_languages, cB_to_freq, read_cBpack  # noqa: PLC0415

    least = 10.0 ** (COMMON_ZIPF - 9)
    common: set[str] = set()
    for index, bucket in enumerate(read_cBpack(available_languages()[lang])):
        if cB_to_freq(-index) >= least:
            common.update(bucket)
        else:  # a word listed twice counts at its last, rarer place (as in wordfreq's dict)
            common.difference_update(bucket)
    return frozenset(common)


def _common(word: str, lang: str) -> bool:
    return word.lower() in _common_words(lang)


def _adjacent(text: str, a: Term, b: Term) -> bool:
    """Two English words one after the other (a space or a hyphen between, no full stop)."""
    between = text[a.end:b.start]
    return len(between) <= 3 and not re.search(r"[^\s\-]", between)


def _dictionary_phrase(source: str) -> str:
    """The need's words as JMdict glosses are written: lower case, singular for a plain
    English plural ("batteries" → "battery")."""
    words = source.lower().split()
    last = words[-1]
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "shes", "ches", "xes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        last = last[:-1]
    return " ".join([*words[:-1], last])
