"""Records the timeline routes take, for tests/test_roles.py and tests/test_bad_parameters.py."""
from __future__ import annotations


def records(ids: dict) -> dict:
    return {"subject": "company", "record_id": ids["company_id"]}
