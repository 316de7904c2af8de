"""Reading back what a test did: how many rows a table has, a record as it is stored now, and
the text of a page a user opens."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crm.extensions import db


def count(model, *where: Any) -> int:
    """How many rows of `model` (matching `where`, if given) are in the database."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(model, record_id: int):
    """The record as stored now (None once deleted), not the test's copy of it."""
    db.session.expire_all()
    return db.session.get(model, record_id)


def page(client, url: str) -> str:
    """GET `url` as the client's user: the page's text (the page must open: 200)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)
