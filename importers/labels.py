"""Field and kind names in the user's language, for messages and the preview screen.

The English labels live in importers/fields.py; the literal `_()` calls below exist so that
pybabel extracts them (the function holding them is never called)."""
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


def _labels_for_extraction() -> None:  # pragma: no cover - never called
    _("Company name")
    _("Reading (kana)")
    _("English name")
    _("Other names")
    _("Corporate number")
    _("Country")
    _("HQ country")
    _("Industry")
    _("Size")
    _("Website")
    _("Description")
    _("Interests / needs")
    _("Membership tier")
    _("Member since")
    _("Renewal date")
    _("Status")
    _("Notes")
    _("Address")
    _("Officer (e-mail)")
    _("Family name")
    _("Given name")
    _("Full name (split on import)")
    _("Family name reading")
    _("Given name reading")
    _("Full name reading (split on import)")
    _("Title")
    _("Department")
    _("E-mail")
    _("Other e-mails")
    _("Phone")
    _("Mobile")
    _("Company")
    _("Company corporate number")
    _("Postal code")
    _("How we met")
    _("Met on")
    _("Do not contact")
    _("Tags")
    _("Degree")
    _("Graduation year")
    _("Employer")
    _("Position")
    _("Donor company")
    _("Donor corporate number")
    _("Donor alumnus")
    _("Donor alumnus e-mail")
    _("Amount")
    _("Currency")
    _("Received on")
    _("Purpose")
    _("Restricted")
    _("Laboratory")
    _("Keywords")
    _("Profile")
    _("Abstract")
    _("Researchers (e-mails or names, ; separated)")
    _("Readiness (TRL 1-9)")
    _("IP status")
    _("Government-funded")
    _("Event name")
    _("Kind")
    _("Starts on")
    _("Ends on")
    _("Location")
    _("Event")
    _("Event date")
    _("Research interests")
    _("Small talk")
    _("Follow-up wanted")
    _("Follow up by")
