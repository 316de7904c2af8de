"""What the audit trail shows for a change: the field's label and the value's label in the
reader's language, not the stored keys ("step: nda" reads "Step: NDA and negotiation").

Field labels come from the record's field table where it has one (crm/common/fields.py TABLES,
filled by each feature's fields.py, which crm/models.py imports with the models: the
label the form shows, the merge page too), else from the record's form (the label the user saw
when typing the value), then from a few names forms do not carry; value labels from the label
tables of each feature.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from importlib import import_module
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.common.fields import TABLES
from crm.common.time import format_day, format_moment

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")

#: The form whose field labels name a record's columns, by table (for records without a field
#: table, and the linked lists a table does not declare: an activity's contacts ...).
FORMS = {
    "events": "crm.events.forms:EventForm", "encounters": "crm.events.forms:EncounterForm",
    "activities": "crm.activities.forms:ActivityForm", "alumni": "crm.alumni.forms:AlumnusForm",
    "donations": "crm.donations.forms:DonationForm",
    "departments": "crm.research.forms:DepartmentForm",
    "researchers": "crm.research.forms:ResearcherForm",
    "research_seeds": "crm.research.forms:SeedForm",
    "collaborations": "crm.collaborations.forms:CollaborationForm",
    "collaboration_signoffs": "crm.collaborations.forms:SignoffForm",
    "collaboration_minutes": "crm.collaborations.forms:MinuteForm",
    "ndas": "crm.ndas.forms:NdaForm", "nda_disclosures": "crm.ndas.forms:DisclosureForm",
    "screening_decisions": "crm.screening.forms:DecisionForm",
    "users": "crm.auth.forms:UserForm",
}

#: Columns no form names.
FIELD_LABELS = {
    "step": _l("Step"), "stage": _l("Stage"), "decision": _l("Decision"), "status": _l("Status"),
    "kind": _l("Kind"), "done": _l("Done"), "item": _l("Item"), "reason": _l("Reason"),
    "officer_id": _l("Responsible officer"), "company_id": _l("Company"),
    "contact_id": _l("Contact"), "event_id": _l("Event"), "user_id": _l("User"),
    "corporate_number": _l("Corporate number (法人番号)"), "missing_items": _l("Items not done"),
    "override_reason": _l("Override reason"), "signed_on": _l("Signed off on"),
    "signed_by_name": _l("Signed off by"), "indirect_rate": _l("Indirect cost rate"),
    "indirect_amount": _l("Indirect costs"), "indirect_reason": _l("Reason for the rate"),
    "closed_on": _l("Closed on"), "close_reason": _l("Outcome or reason"),
    "roles": _l("Roles"), "active": _l("Active"), "name": _l("Name"),
    "do_not_contact_details": _l("Do-not-contact details included"),
    "version": _l("Version"), "imported_at": _l("Imported at"),
    "imported_by": _l("Imported by"), "created_by": _l("Created by"),
    "entry_count": _l("Entries"), "current": _l("Current"), "format": _l("Format"),
    "mapping": _l("Column mapping"), "source_filename": _l("File"),
    "file_sha256": _l("File checksum (SHA-256)"), "created_at": _l("Created at"),
    "updated_at": _l("Updated at"),
    "merged": _l("Merged"), "merged_into": _l("Merged into"), "moved": _l("Records moved"),
}


def _label_tables() -> dict[str, dict[str, Any]]:
    """Value labels by column name; per table where one name means different things."""
    from crm.activities.forms import KIND_LABELS as ACTIVITY_KINDS
    from crm.collaborations.steps import (
        EXCLUSIVITY_LABELS,
        LANGUAGE_LABELS,
        MINUTE_KIND_LABELS,
        STAGE_LABELS,
    )
    from crm.collaborations.steps import KIND_LABELS as COLLAB_KINDS
    from crm.companies.forms import SIZE_LABELS, STATUS_LABELS, TIER_LABELS
    from crm.events.forms import KIND_LABELS as EVENT_KINDS
    from crm.ndas.forms import NDA_STATUS_LABELS
    from crm.research.forms import IP_LABELS, SEED_STATUS_LABELS
    from crm.screening.forms import DECISION_LABELS

    return {
        "step": STAGE_LABELS, "stage": STAGE_LABELS, "decision": DECISION_LABELS,
        "size": SIZE_LABELS, "membership_tier": TIER_LABELS, "exclusivity": EXCLUSIVITY_LABELS,
        "contract_language": LANGUAGE_LABELS, "ip_status": IP_LABELS,
        "companies.status": STATUS_LABELS, "research_seeds.status": SEED_STATUS_LABELS,
        "ndas.status": NDA_STATUS_LABELS, "activities.kind": ACTIVITY_KINDS,
        "events.kind": EVENT_KINDS, "collaborations.kind": COLLAB_KINDS,
        "collaboration_minutes.kind": MINUTE_KIND_LABELS,
    }


def _form_label(entity: str, name: str) -> str | None:
    target = FORMS.get(entity)
    if not target:
        return None
    module, _sep, cls = target.partition(":")
    form = getattr(import_module(module), cls)
    for candidate in (name, name.removesuffix("_id"), name.removesuffix("_ids") + "s"):
        unbound = getattr(form, candidate, None)
        label = unbound.kwargs.get("label") if unbound is not None and \
            hasattr(unbound, "kwargs") else None
        if label is None and unbound is not None and getattr(unbound, "args", None):
            label = unbound.args[0]
        if label:
            return str(label)
    return None


def field_label(entity: str, name: str) -> str:
    """The label of a changed column: its form's label, a known one, or the name made legible."""
    table = TABLES.get(entity)
    found = (table.label(name) if table is not None and name in table else None) \
        or _form_label(entity, name) or FIELD_LABELS.get(name)
    if found:
        return str(found)
    return name.removesuffix("_id").replace("_", " ").capitalize()


def value_label(entity: str, name: str, value: Any) -> Any:
    """The label of a stored value (yes/no, a stage, a decision ...), or the value itself."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if not isinstance(value, str):
        return value
    if _ISO_DAY.fullmatch(value):
        return format_day(date.fromisoformat(value))
    if _ISO_MOMENT.fullmatch(value):
        try:
            return format_moment(datetime.fromisoformat(value))
        except ValueError:
            return value
    tables = _label_tables()
    table = tables.get(f"{entity}.{name}") or tables.get(name)
    if table and value in table:
        return str(table[value])
    return value


def readable_changes(entity: str, changes: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """(field label, before, after) for each change of an audit entry, labels translated."""
    out = []
    for name, pair in (changes or {}).items():
        before, after = (pair if isinstance(pair, (list, tuple)) and len(pair) == 2
                         else (None, pair))
        out.append((field_label(entity, name), value_label(entity, name, before),
                    value_label(entity, name, after)))
    return out


def record_label(entity: str, label: str | None) -> str:
    """An audit entry's record label, for the records labelled by a key (a sign-off by its
    step, a tick by step.item)."""
    if not label:
        return ""
    if entity == "collaboration_signoffs":
        return value_label(entity, "step", label)
    if entity == "collaboration_checks":
        from crm.collaborations.steps import item_label

        step, _dot, item = label.partition(".")
        return f"{value_label(entity, 'step', step)}: {item_label(step, item)}"
    return label
