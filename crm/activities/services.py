"""Logging, changing and deleting activities (meetings, calls, e-mails, visits)."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select, true

from crm.activities.fields import ACTIVITY_FIELDS
from crm.activities.models import ACTIVITY_KINDS, Activity
from crm.common.services import ValidationError, apply
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.extensions import db

#: What a form may set, from the field table (crm/activities/fields.py); the company is set by
#: its own rule (it must exist; the contacts must work there).
FIELDS = tuple(name for name in ACTIVITY_FIELDS.names("editable") if name != "company_id")


def can_change(activity: Activity, by: Any) -> bool:
    """Who may edit or delete it: anyone with the edit right, but confidential ones only
    their author, managers and admins (the people who may read the minutes)."""
    return activity.can_read_minutes(by)


def readable_minutes(by: Any) -> ColumnElement[bool]:
    """SQL condition: the user `by` may read this activity's minutes
    (Activity.can_read_minutes)."""
    if by.has_role("manager", "admin"):
        return true()
    return or_(Activity.confidential.is_(False), Activity.user_id == by.id)


def save_activity(activity: Activity | None, data: dict[str, Any], *,
                  by: Any = None) -> Activity:
    """Create an activity (activity=None, logged by the user `by`, its author) or update one.

    data: company_id, kind, occurred_on, subject, minutes, confidential, contact_ids.
    The contacts must work at the company (or already be on the activity).
    """
    errors: dict[str, str] = {}
    company = db.session.get(Company, data["company_id"]) if data.get("company_id") else None
    if company is None:
        errors["company"] = _("Choose the company this activity was with.")
    kind = data.get("kind") or "meeting"
    if kind not in ACTIVITY_KINDS:
        errors["kind"] = _("Choose meeting, call, e-mail or visit.")
    if not isinstance(data.get("occurred_on"), date):
        errors["occurred_on"] = _("Enter the date it took place.")
    subject = (data.get("subject") or "").strip()
    if not subject:
        errors["subject"] = _("Enter a subject: what the activity was about.")
    elif len(subject) > 300:
        errors["subject"] = _("Keep the subject under 300 characters.")

    contact_ids = {int(i) for i in data.get("contact_ids") or ()}
    contacts: list[Contact] = []
    if contact_ids:
        contacts = list(db.session.execute(
            select(Contact).where(Contact.id.in_(contact_ids)).order_by(Contact.id)
        ).scalars())
        already = {c.id for c in activity.contacts} if activity is not None else set()
        strangers = [c for c in contacts if company is not None and
                     c.company_id != company.id and c.id not in already]
        if len(contacts) != len(contact_ids):
            errors["contacts"] = _("A chosen contact no longer exists; pick again.")
        elif strangers:
            errors["contacts"] = _("Only people at this company can be chosen: %(names)s.",
                                   names=", ".join(c.display_name for c in strangers))
    if errors:
        raise ValidationError(errors)

    if activity is None:
        activity = Activity(user_id=by.id if by is not None else None)
        db.session.add(activity)
    data = {**data, "kind": kind, "subject": subject,
            "confidential": bool(data.get("confidential"))}
    apply(activity, data, FIELDS)
    activity.company = company
    activity.contacts = contacts
    db.session.flush()
    return activity


def delete_activity(activity: Activity) -> None:
    """Delete an activity (the links to its contacts go with it; the contacts stay)."""
    db.session.delete(activity)
    db.session.flush()
