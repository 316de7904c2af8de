"""The one Whoosh schema every kind of document shares.

Callers give up to four text fields and a set of filter tags:

- ``name``: what a record is called (company, person): searched, never matched on, so a
  company whose name is a common word does not match every need that uses it;
- ``title``, ``keywords``, ``text``: what the record is about: searched and matched on;
- ``tags``: exact "name=value" tokens for filters (department, readiness, government funding).

In the index, ``title`` and ``keywords`` are short fields that lift a hit in the search box;
``body`` holds title, keywords and text together: the one field matching reads (one term
lookup and one posting list per need term, whose term frequencies are exact). ``blen``, a
numeric column, holds the body's exact number of terms (Whoosh's own field lengths are rounded
to a byte), read as one array per segment for the length prior.
"""
from __future__ import annotations

from collections import Counter

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, TEXT, Schema

from whoosh.formats import Frequency
from whoosh.system import pack_uint

from search_index.analysis import BilingualAnalyzer, cached_term_texts

#: Fields a caller may give.
INPUT_FIELDS = ("name", "title", "keywords", "text")
#: Indexed text fields and how much a hit in each counts in the search box.
SEARCH_FIELDS = {"name": 3.0, "title": 3.0, "keywords": 2.0, "body": 1.0}
#: Input fields whose words describe what a record is about: the body, matched against needs.
BODY_FIELDS = ("title", "keywords", "text")
#: Other names callers use for the fields.
ALIASES = {"abstract": "text", "profile": "text", "interests": "text", "description": "text"}


class LengthColumn(NumericColumn):
    """Exact body lengths: unsigned 32-bit integers (equal by value, so a schema read back
    from disk equals make_schema())."""

    def __init__(self) -> None:
        super().__init__("I", 0)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)


class BagText(TEXT):
    """A TEXT field (no positions) that counts its terms straight from the analyzer's term
    list: the postings Whoosh's own path makes (term, frequency, frequency × boost), without
    a token object per term."""

    def index(self, value, **kwargs):
        if not isinstance(value, str) or not isinstance(self.format, Frequency):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        for term, freq in Counter(cached_term_texts(value)).items():
            yield term.encode("utf-8"), freq, freq * boost, pack_uint(freq)


def make_schema() -> Schema:
    analyzer = BilingualAnalyzer()
    fields = {
        "key": ID(stored=True, unique=True),
        "tags": KEYWORD(lowercase=False, commas=False, scorable=False),
        "blen": COLUMN(LengthColumn()),
    }
    for name, boost in SEARCH_FIELDS.items():
        fields[name] = BagText(analyzer=analyzer, phrase=False, field_boost=boost)
    return Schema(**fields)
