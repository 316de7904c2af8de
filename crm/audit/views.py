"""The audit trail: who changed what, when, with the values before and after."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select

from crm.audit.labels import readable_changes, record_label
from crm.audit.models import AuditEntry
from crm.common.params import int_filter
from crm.common.views import like, paginate, render_list, require
from crm.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")

ENTITIES = ("companies", "contacts", "events", "encounters", "activities", "alumni", "donations",
            "departments", "researchers", "research_seeds", "collaborations",
            "collaboration_signoffs", "ndas", "nda_disclosures", "screening_lists",
            "screening_decisions", "import_mappings", "exports", "users")
#: What each kind of record is called on the page (the table name stays the filter value).
ENTITY_LABELS = {
    "companies": _l("Company"), "contacts": _l("Contact"), "events": _l("Event"),
    "encounters": _l("Encounter"), "activities": _l("Activity"), "alumni": _l("Alumnus"),
    "donations": _l("Donation"), "departments": _l("Department"),
    "researchers": _l("Researcher"), "research_seeds": _l("Research seed"), "users": _l("User"),
    "collaborations": _l("Collaboration"), "collaboration_signoffs": _l("Step sign-off"),
    "ndas": _l("NDA"), "nda_disclosures": _l("Disclosure under an NDA"),
    "screening_lists": _l("Screening list"), "screening_decisions": _l("Screening decision"),
    "import_mappings": _l("Saved import mapping"), "exports": _l("Export"),
}


def recent_changes(record: Any, limit: int = 10) -> list[AuditEntry]:
    """The latest changes to one record for its page; none if the user may not read the trail."""
    if not current_user.can("audit.view"):
        return []
    return list(db.session.execute(
        select(AuditEntry).where(AuditEntry.entity == record.__tablename__,
                                 AuditEntry.entity_id == record.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ).scalars())


@bp.app_template_global()
def audit_changes(entity: str, changes: dict | None) -> list[tuple[str, Any, Any]]:
    """(field label, before, after) of an audit entry, in the reader's language."""
    return readable_changes(entity, changes)


@bp.app_template_global()
def audit_record_label(entity: str, label: str | None) -> str:
    """An audit entry's record label, a stored key shown as its label."""
    return record_label(entity, label)


def _int_filter(column):
    return int_filter(column)


@bp.get("/")
@require("audit.view")
def index():
    """Every change, newest first, filtered by record kind, record, user or action."""
    page = paginate(
        select(AuditEntry),
        search=lambda s, q: s.where(or_(AuditEntry.label.ilike(like(q), escape="\\"),
                                        AuditEntry.actor.ilike(like(q), escape="\\"))),
        sorts={"at": AuditEntry.at},
        default_sort="at",
        default_dir="desc",
        filters={
            "entity": lambda s, v: s.where(AuditEntry.entity == v),
            "entity_id": _int_filter(AuditEntry.entity_id),
            "action": lambda s, v: s.where(AuditEntry.action == v),
            "user": _int_filter(AuditEntry.user_id),
        },
    )
    return render_list("audit/index.html", page=page, ENTITIES=ENTITIES,
                       ENTITY_LABELS=ENTITY_LABELS)
