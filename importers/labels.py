"""Field and kind names in the user's language, for messages and the preview screen.

The English labels live in importers/fields.py, marked N_() there so that `make translations`
extracts them (N_ is one of pybabel's default keywords)."""
from __future__ import annotations

from .fields import FIELDS
from .i18n import _


def kind_label(kind: str) -> str:
    """companies -> 企業 (in Japanese), ..."""
    labels = {
        "companies": _("companies"),
        "contacts": _("contacts"),
        "alumni": _("alumni"),
        "donations": _("donations"),
        "researchers": _("researchers"),
        "seeds": _("research seeds"),
        "events": _("events"),
        "encounters": _("encounters"),
    }
    return labels.get(kind, kind)


def field_label(kind: str, field: str) -> str:
    """The label of a field, translated (Company name -> 会社名)."""
    label = FIELDS.get(kind, {}).get(field)
    return _(label) if label else field

