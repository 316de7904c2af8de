"""Glossary entries: saved and deleted here (validated, flushed, never committed), seeded from
crm/glossary/glossary.tsv by `crm init`, and turned into the Translator that matching uses."""
from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.common.services import ValidationError
from crm.extensions import db, utcnow
from crm.glossary.models import EN_MAX, JA_MAX, GlossaryEntry
from search_index.translate import Lexicon, Translator, jmdict

#: The glossary shipped with the application (Japanese<TAB>English; lines starting with #).
SEED_FILE = Path(__file__).with_name("glossary.tsv")

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def save_entry(entry: GlossaryEntry | None, data: dict[str, Any]) -> GlossaryEntry:
    """Create (entry None) or change an entry: Japanese in Japanese script, English in Latin
    letters, the pair not there already."""
    ja, en = _clean(data.get("ja")), _clean(data.get("en"))
    errors: dict[str, str] = {}
    if not ja or not _JAPANESE.search(ja):
        errors["ja"] = _("Write the Japanese term in kanji or kana.")
    elif len(ja) > JA_MAX:
        errors["ja"] = _("At most %(n)d characters.", n=JA_MAX)
    if not en or not _LATIN.search(en) or _JAPANESE.search(en):
        errors["en"] = _("Write the English term in Latin letters.")
    elif len(en) > EN_MAX:
        errors["en"] = _("At most %(n)d characters.", n=EN_MAX)
    if not errors:
        clash = db.session.scalar(select(GlossaryEntry.id).where(
            GlossaryEntry.ja == ja, func.lower(GlossaryEntry.en) == en.lower(),
            GlossaryEntry.id != (entry.id if entry is not None else -1)))
        if clash is not None:
            errors["en"] = _("The glossary already has %(ja)s = %(en)s.", ja=ja, en=en)
    if errors:
        raise ValidationError(errors)
    if entry is None:
        entry = GlossaryEntry(ja=ja, en=en)
        db.session.add(entry)
    else:
        entry.ja, entry.en = ja, en
    entry.updated_at = utcnow()
    db.session.flush()
    return entry


def delete_entry(entry: GlossaryEntry) -> None:
    db.session.delete(entry)
    db.session.flush()


def read_seed(path: Path = SEED_FILE) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ja, _tab, en = line.partition("\t")
        if ja.strip() and en.strip():
            pairs.append((_clean(ja), _clean(en)))
    return pairs


def seed_if_empty(path: Path = SEED_FILE) -> int:
    """Load the shipped glossary into an empty table (what `crm init` does); the number of
    entries added (0 when the table has entries: admins' edits are never replaced)."""
    if db.session.scalar(select(func.count()).select_from(GlossaryEntry)):
        return 0
    pairs = list(dict.fromkeys(read_seed(path)))
    db.session.add_all(GlossaryEntry(ja=ja, en=en) for ja, en in pairs)
    db.session.flush()
    return len(pairs)


_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"stamp": None, "translator": None}


def translator() -> Translator:
    """The translator matching uses: the glossary as it is in the database now (rebuilt when
    an entry changed, in any process: one small query a match), then JMdict."""
    stamp = tuple(db.session.execute(select(
        func.count(GlossaryEntry.id), func.max(GlossaryEntry.updated_at),
        func.max(GlossaryEntry.id))).one())
    with _cache_lock:
        if _cache["stamp"] != stamp or _cache["translator"] is None:
            pairs = db.session.execute(select(GlossaryEntry.ja, GlossaryEntry.en)).all()
            _cache["translator"] = Translator(Lexicon(pairs), jmdict())
            _cache["stamp"] = stamp
        return _cache["translator"]
