"""The task the task routes take, for tests/test_roles.py: the walking user's own (a task of
someone else's is refused by a record-level rule, tested in tests/test_tasks.py)."""
from __future__ import annotations


def records(ids: dict) -> dict:
    from crm.extensions import db
    from crm.tasks.models import Task

    task = Task(title="Call Walk K.K. back", owner_id=ids["officer_id"], status="open",
                source="manual", company_id=ids["company_id"])
    db.session.add(task)
    db.session.commit()
    return {"task_id": task.id}
