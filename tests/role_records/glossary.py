"""Records the glossary routes take, for tests/test_roles.py and tests/test_bad_parameters.py."""
from __future__ import annotations

from crm.extensions import db
from crm.glossary.models import GlossaryEntry


def records(ids: dict) -> dict:
    entry = GlossaryEntry(ja="電池", en="battery")
    db.session.add(entry)
    db.session.commit()
    return {"entry_id": entry.id}
