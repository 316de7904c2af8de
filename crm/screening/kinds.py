"""Screening's kinds and their labels, written once: the lists, hit statuses, decisions, company
clearances and the evidence reasons. Models (check constraints), services, forms, views, templates
and the CLI read them from here; labels are lazy (translated where they are shown, English in
the CLI)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: list kind -> (name of the list, what the import form says of its file)
LISTS = {
    "csl": (_l("US Consolidated Screening List"), _l("US Consolidated Screening List (CSV)")),
    "sdn": (_l("OFAC SDN"), _l("OFAC SDN (CSV)")),
    "dpl": (_l("BIS Denied Persons List"), _l("BIS Denied Persons List (tab-separated)")),
    "un": (_l("UN Security Council consolidated list"),
           _l("UN Security Council consolidated list (XML)")),
    "meti-eul": (_l("METI End User List"),
                 _l("METI End User List (CSV/xlsx, or the names file)")),
}
LIST_KINDS = tuple(LISTS)

#: list_kind of the hit that stands for a name the matcher cannot read
REVIEW_KIND = "review"
REVIEW_LABEL = _l("Needs review: the matcher cannot read this name")

#: hit status -> (label, Bootstrap colour)
HIT_STATUSES = {"open": (_l("To decide"), "warning"), "cleared": (_l("Cleared"), "success"),
                "escalated": (_l("Escalated"), "warning"), "blocked": (_l("Blocked"), "danger")}

#: decision -> (label, the hit status it leaves)
DECISIONS = {"clear": (_l("Clear (false positive)"), "cleared"),
             "escalate": (_l("Escalate"), "escalated"), "block": (_l("Block"), "blocked")}
DECISION_STATUS = {d: status for d, (_, status) in DECISIONS.items()}

#: a company's screening state -> (label, Bootstrap colour). 'review': a name of the company or
#: a contact cannot be read by the matcher: a person must look, it is never 'clear' until then.
CLEARANCES = {"unscreened": (_l("Not screened"), "secondary"), "clear": (_l("Clear"), "success"),
              "review": (_l("Needs review (a name the matcher cannot read)"), "warning"),
              "open": (_l("Hits to decide"), "warning"), "blocked": (_l("Blocked"), "danger")}

#: what qualified a candidate's name score (evidence.py) -> how the page says it
REASONS = {"country-match": _l("listed in the same country"),
           "country-mismatch": _l("different country"),
           "orgid-match": _l("same corporate number"),
           "orgid-mismatch": _l("different corporate number"),
           "weak-name": _l("the listed name is one common word")}


def labels(table: dict) -> dict[str, str]:
    """kind -> its label (the first of its values), as text in the current language."""
    return {key: str(value[0] if isinstance(value, tuple) else value)
            for key, value in table.items()}


def list_labels() -> dict[str, str]:
    """The list names (and the review kind) in the current language."""
    return {**labels(LISTS), REVIEW_KIND: str(REVIEW_LABEL)}
