"""Records the saved-view routes take, for tests/test_roles.py: a view of the walking user's own
(another user's view is a 404)."""
from __future__ import annotations


def records(ids: dict) -> dict:
    from crm.extensions import db
    from crm.lists.models import SavedView

    view = SavedView(user_id=ids["officer_id"], kind="companies", name="Walk", query="status=active")
    db.session.add(view)
    db.session.commit()
    return {"view_id": view.id}
