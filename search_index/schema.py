"""The one Whoosh schema every kind of document shares.

Callers give up to four text fields and a set of filter tags:

- ``name``: what a record is called (company, person): searched, never matched on, so a
  company whose name is a common word does not match every need that uses it;
- ``title``, ``keywords``, ``text``: what the record is about: searched and matched on;
- ``tags``: exact "name=value" tokens for filters (department, readiness, government funding).

In the index, ``title`` and ``keywords`` are short fields that lift a hit in the search box;
``body`` holds title, keywords and text together: the one field matching reads (one term
lookup and one posting list per need term). Its terms are also stored with the document
(term → count), so a match scores its candidates exactly against the whole need.
"""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from search_index.analysis import BilingualAnalyzer

#: Fields a caller may give.
INPUT_FIELDS = ("name", "title", "keywords", "text")
#: Indexed text fields and how much a hit in each counts in the search box.
SEARCH_FIELDS = {"name": 3.0, "title": 3.0, "keywords": 2.0, "body": 1.0}
#: Input fields whose words describe what a record is about: the body, matched against needs.
BODY_FIELDS = ("title", "keywords", "text")
#: Other names callers use for the fields.
ALIASES = {"abstract": "text", "profile": "text", "interests": "text", "description": "text"}


def make_schema() -> Schema:
    analyzer = BilingualAnalyzer()
    fields = {
        "key": ID(stored=True, unique=True),
        "tags": KEYWORD(lowercase=False, commas=False, scorable=False),
        "bag": STORED(),
    }
    for name, boost in SEARCH_FIELDS.items():
        fields[name] = TEXT(analyzer=analyzer, phrase=False, field_boost=boost)
    return Schema(**fields)
