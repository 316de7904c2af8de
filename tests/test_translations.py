"""The Japanese interface: every piece of interface text has a translation, compiled and current."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parent.parent / "crm" / "translations" / "ja" / "LC_MESSAGES"


def _po():
    with open(CATALOG / "messages.po", "rb") as f:
        return read_po(f, locale="ja")


def test_every_message_has_a_japanese_translation():
    missing = [m.id for m in _po() if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_compiled_catalogue_matches_the_po_file():
    """`make translations` was run after the last edit of messages.po."""
    with open(CATALOG / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    source = {m.id: m.string for m in _po() if m.id and not m.fuzzy}
    assert compiled == source


def test_placeholders_survive_translation():
    import re

    for m in _po():
        if not m.id or not m.string or isinstance(m.id, tuple):
            continue
        assert set(re.findall(r"%\(\w+\)s", m.id)) == set(re.findall(r"%\(\w+\)s", m.string)), m.id
