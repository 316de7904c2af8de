"""An import batch for the role walk: uploaded by the logged-in user (others' batches are 404)."""
from __future__ import annotations

import json

from crm.extensions import db


def records(ids: dict) -> dict:
    from crm.imports.models import ImportBatch

    preview = {"format": "csv", "encoding": "utf-8", "header_row": 1, "headers": ["name"],
               "mapping": {"name": "name"}, "unmapped": [], "notes": [], "rows": 1,
               "counts": {"create": 1, "update": 0, "merge": 0, "unchanged": 0, "reject": 0},
               "references": [], "rejected": [], "rejected_total": 0, "changes": [],
               "changes_total": 0}
    batch = ImportBatch(kind="companies", filename="walk.csv", format="csv", encoding="utf-8",
                        data=b"name\nWalk Import K.K.\n", policy="update", status="pending",
                        created_by_id=ids["officer_id"], preview=json.dumps(preview))
    db.session.add(batch)
    db.session.commit()
    return {"batch_id": batch.id}
