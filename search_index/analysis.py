"""The bilingual analyzer: Japanese and English text to index terms.

- Unicode NFKC (full-width ＡＢＣ１２３ → ABC123, half-width ｶﾀｶﾅ → カタカナ) and case folding.
- Hiragana folded to katakana (やまだ and ヤマダ are one term), after the text is split by script,
  so a particle written in hiragana does not glue onto the katakana word before it.
- Japanese has no spaces: each run of kanji, katakana or hiragana becomes overlapping character
  bigrams (電池材料 → 電池 池材 材料). A run of one kanji or katakana is kept as a one-character
  term (熱, 光); a lone hiragana character (a particle: の, を, は) is dropped.
- Other words (English, numbers, codes) are lower-cased, stop words dropped, stemmed with the
  Porter2 (Snowball English) stemmer, so "batteries" and "battery" are one term.

Every term keeps the character offsets of the *original* text it came from, so highlighting
works on the text as the user wrote it (full-width letters included).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter2 import stem as _porter2

from importers.folding import HIRA_TO_KATA as _HIRA_TO_KATA

__all__ = [
    "STOP_WORDS",
    "BilingualAnalyzer",
    "Term",
    "analyzer",
    "normalise",
    "query_words",
    "term_list",
    "term_texts",
    "terms",
]

#: English words too common to say anything about a topic (the usual function words plus the
#: boilerplate of calls for proposals and abstracts).
STOP_WORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "down", "during", "each", "either", "etc", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "ie", "if", "in", "into", "is", "it", "its", "itself", "just", "let", "me", "more", "most", "much", "must", "my", "myself", "neither", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "otherwise", "our", "ours", "ourselves", "out", "over", "own", "per", "same", "shall", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "thus", "to", "too", "under", "until", "up", "upon", "us", "very", "via", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "yourself", "yourselves", "e", "g", "eg"])

#: Bigrams of function words written in hiragana (particles, endings, auxiliaries: して, いる,
#: について, による ...): they say nothing about a topic. Content words in hiragana (めっき,
#: はんだ, におい) are kept.
HIRAGANA_STOP_BIGRAMS = frozenset(["して", "てい", "いる", "いた", "いて", "いま", "した", "する", "され", "れる", "れた", "れて", "られ", "らる", "ます", "まし", "です", "でし", "でき", "きる", "きた", "ある", "あり", "あっ", "ない", "なく", "なか", "なる", "なっ", "なり", "った", "って", "こと", "もの", "ため", "よう", "など", "から", "まで", "より", "につ", "つい", "によ", "よる", "よっ", "おけ", "ける", "にお", "おい", "おり", "とし", "たい", "たち", "これ", "それ", "あれ", "この", "その", "あの", "どの", "ので", "のは", "には", "では", "とは", "での", "への", "へと", "かっ", "かつ", "また", "およ", "よび", "なお", "ただ", "いう", "とい", "ころ", "とこ", "ろの", "にな", "にと", "との", "にも", "もあ", "のよ", "うな", "であ", "あろ", "ろう", "でも", "にて", "おき", "てお", "とも", "ども", "けど", "けれ", "れど", "ずに", "せる", "させ", "わせ", "まり", "ほど", "だけ", "しか", "まま", "ごと", "たり", "ださ", "くだ", "さい", "ござ", "ざい", "だい", "にし", "にす", "がで", "があ", "がな", "がい", "はな", "とな", "のた", "しま", "しい", "さら", "いく", "いき", "みる", "みた", "おこ", "こな", "けた"])

_HIRAGANA = r"\u3041-\u3096\u309d\u309e"
_KATAKANA = r"\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
_KANJI = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u3007\u30f6\u30f5"
# One token per match: a run of one script, or a word of letters and digits.
_TOKEN_RE = re.compile(
    rf"(?P<kanji>[{_KANJI}]+)"
    rf"|(?P<kata>[{_KATAKANA}]+)"
    rf"|(?P<hira>[{_HIRAGANA}]+)"
    rf"|(?P<word>[^\W_{_KANJI}{_KATAKANA}{_HIRAGANA}]+)"
)
# Characters that combine with the one before them under NFKC (half-width voicing marks,
# combining diacritics): a normalised character must map back to the whole cluster.
_COMBINING = re.compile(r".[\u0300-\u036f\u3099\u309a\uff9e\uff9f]*", re.DOTALL)


class Term(NamedTuple):
    """One index term and where it came from in the original text."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _porter2(word) if len(word) > 2 and not word.isdigit() else word


def _stable_class() -> str:
    """A regex character class of the characters NFKC leaves as they are, alone (ASCII,
    Latin, Greek, Cyrillic, kana, CJK ideographs, Hangul, the usual Japanese punctuation):
    only the others are normalised one by one."""
    ranges = [(0x0000, 0x02FF), (0x0370, 0x052F), (0x3000, 0x30FF), (0x3400, 0x4DBF),
              (0x4E00, 0x9FFF), (0xAC00, 0xD7A3)]
    runs: list[tuple[int, int]] = []
    for low, high in ranges:
        for code in range(low, high + 1):
            ch = chr(code)
            if unicodedata.combining(ch) or unicodedata.normalize("NFKC", ch) != ch:
                continue
            if ch in "\u3099\u309a":
                continue
            if runs and runs[-1][1] == code - 1:
                runs[-1] = (runs[-1][0], code)
            else:
                runs.append((code, code))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in runs)


# A character NFKC changes (with the combining marks after it), or a stable character
# followed by combining marks: the clusters normalised one by one, as _COMBINING cuts them.
_UNSTABLE = re.compile(rf".[\u0300-\u036f\u3099\u309a\uff9e\uff9f]+|[^{_stable_class()}]",
                       re.DOTALL)


def _normalise_with_offsets(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """NFKC text, and for each of its characters the original start and end offsets
    (None when the text was already normalised: offsets are then the identity).

    Each cluster (a character and the combining marks after it) is normalised on its own;
    runs of characters NFKC leaves alone are copied whole, so only the few clusters that
    change (full-width letters, half-width kana ...) cost a call each."""
    if unicodedata.is_normalized("NFKC", text):
        return text, None, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for match in _UNSTABLE.finditer(text):
        a, b = match.start(), match.end()
        if a > done:  # a stable run: copied, offsets the identity
            out.append(text[done:a])
            starts.extend(range(done, a))
            ends.extend(range(done + 1, a + 1))
        piece = unicodedata.normalize("NFKC", match.group(0))
        out.append(piece)
        starts.extend([a] * len(piece))
        ends.extend([b] * len(piece))
        done = b
    if done < len(text):
        out.append(text[done:])
        starts.extend(range(done, len(text)))
        ends.extend(range(done + 1, len(text) + 1))
    return "".join(out), starts, ends


def _normalise_with_offsets_slow(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """The definition _normalise_with_offsets keeps: every cluster normalised on its own
    (for tests)."""
    if unicodedata.is_normalized("NFKC", text):
        return text, None, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _COMBINING.finditer(text):
        piece = unicodedata.normalize("NFKC", match.group(0))
        out.append(piece)
        starts.extend([match.start()] * len(piece))
        ends.extend([match.end()] * len(piece))
    return "".join(out), starts, ends


def normalise(text: str) -> str:
    """The folding the analyzer applies before splitting (NFKC, lower case, katakana)."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_HIRA_TO_KATA)


def _normalised(text: str) -> str:
    """_normalise_with_offsets(text)[0], without the offsets."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    out: list[str] = []
    done = 0
    for match in _UNSTABLE.finditer(text):
        a = match.start()
        if a > done:
            out.append(text[done:a])
        out.append(unicodedata.normalize("NFKC", match.group(0)))
        done = match.end()
    out.append(text[done:])
    return "".join(out)


def _pieces(norm: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) in the normalised text: the one definition of what a term is."""
    stop_words = STOP_WORDS
    hira_stops = HIRAGANA_STOP_BIGRAMS
    for match in _TOKEN_RE.finditer(norm):
        kind = match.lastgroup
        run = match.group(0)
        a = match.start()
        if kind == "word":
            word = run.lower()
            if word in stop_words:
                continue
            yield _stem(word), a, match.end()
            continue
        n = len(run)
        if kind == "hira":
            if n == 1:
                continue
            for i in range(n - 1):
                pair = run[i:i + 2]
                if pair not in hira_stops and "を" not in pair:
                    yield pair.translate(_HIRA_TO_KATA), a + i, a + i + 2
            continue
        if n == 1:
            yield run, a, a + 1
            continue
        for i in range(n - 1):
            yield run[i:i + 2], a + i, a + i + 2


def terms(text: str | None) -> Iterator[Term]:
    """The index terms of a text, in order, with their offsets in `text`."""
    if not text:
        return
    norm, starts, ends = _normalise_with_offsets(text)
    if starts is None:
        for piece in _pieces(norm):
            yield Term._make(piece)
        return
    for term, a, b in _pieces(norm):
        yield Term(term, starts[a], ends[b - 1])


def term_texts(text: str | None) -> list[str]:
    """Just the terms of a text, without offsets (what the index stores; faster)."""
    if not text:
        return []
    return [piece[0] for piece in _pieces(_normalised(text))]


def term_list(text: str | None) -> list[str]:
    """Just the terms of a text."""
    return term_texts(text)


# The index analyses each body text twice (for the document's length and for Whoosh's
# postings): the second time comes from this small cache of the latest texts.
_RECENT: dict[str, list[str]] = {}


def cached_term_texts(text: str) -> list[str]:
    """term_texts(text), remembered for the next few calls with the same text."""
    found = _RECENT.get(text)
    if found is None:
        if len(_RECENT) >= 64:
            _RECENT.clear()
        found = _RECENT[text] = term_texts(text)
    return found


class QueryWord:
    """One word of a search query: its terms, and whether the last may be a prefix."""

    def __init__(self, display: str, terms_: list[str], prefix: str | None = None):
        self.display = display
        self.terms = terms_
        self.prefix = prefix


def query_words(query: str) -> list[QueryWord]:
    """The words of a search-box query. A Japanese run is one word (its bigrams must all be
    there); one kanji or kana also finds the words that start with it (光 → 光触媒); the last
    English word also finds longer words it begins (batt → battery)."""
    text = normalise(query or "")
    groups: list[QueryWord] = []
    matches = list(_TOKEN_RE.finditer(text))
    for n, match in enumerate(matches):
        piece = match.group(0)
        found = [t.text for t in terms(piece)]
        if not found:
            continue
        prefix = None
        if match.lastgroup != "word" and len(piece) == 1:
            prefix = found[0]
        elif match.lastgroup == "word" and n == len(matches) - 1 and len(piece) >= 3:
            prefix = piece
        groups.append(QueryWord(piece, found, prefix))
    return groups


class BilingualAnalyzer(Tokenizer):
    """The analyzer as a Whoosh tokenizer (one pass: nothing is chained after it)."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = normalise(value)
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        if not (chars or keeporiginal):  # the index's case: just the terms
            for pos, text in enumerate(cached_term_texts(value)):
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = start_pos + pos
                yield token
            return
        for pos, term in enumerate(terms(value)):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[term.start:term.end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


def analyzer() -> BilingualAnalyzer:
    return BilingualAnalyzer()
