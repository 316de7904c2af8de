"""Creating, changing and deleting alumni records."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.alumni.fields import ALUMNUS_FIELDS
from crm.alumni.models import DEGREES, Alumnus
from crm.common.services import ValidationError, apply
from crm.common.text import nfkc
from crm.donations.models import Donation
from crm.extensions import db
from importers.values import clear_romanised, romanised_note, with_line

#: What a form may set, from the field table (crm/alumni/fields.py).
FIELDS = ALUMNUS_FIELDS.names("editable")

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def save_alumnus(alumnus: Alumnus | None, data: dict[str, Any]) -> Alumnus:
    """Create an alumnus (alumnus=None) or update one.

    A contact can be the same person as only one alumnus.
    """
    errors: dict[str, str] = {}
    data = dict(data)
    if not (data.get("family_name") or "").strip():
        errors["family_name"] = _("Enter the family name.")
    if (data.get("degree") or "bachelor") not in DEGREES:
        errors["degree"] = _("Choose bachelor, master, doctor or other.")
    data["degree"] = data.get("degree") or "bachelor"
    year = data.get("graduation_year")
    if year is not None and not 1900 <= int(year) <= 2100:
        errors["graduation_year"] = _("Enter a year between 1900 and 2100.")
    country = nfkc(data.get("country")).upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors["country"] = _("Use a two-letter country code (JP, US, DE ...).")
    data["country"] = country or None
    email = nfkc(data.get("email")).lower()
    if email and not _EMAIL_RE.match(email):
        errors["email"] = _("This does not look like an e-mail address.")
    data["email"] = email or None
    # A reading in Latin letters (天野 read Amano Yoshitaka) is kept in the notes: readings
    # are kana.
    data, romanised = clear_romanised(data)
    if romanised:
        notes = data["notes"] if "notes" in data else getattr(alumnus, "notes", None)
        data["notes"] = with_line(notes, romanised_note(romanised))
    contact_id = data.get("contact_id")
    if contact_id is not None:
        twin = db.session.scalar(select(Alumnus).where(Alumnus.contact_id == contact_id))
        if twin is not None and twin is not alumnus:
            errors["contact"] = _(
                "That contact is already linked to the alumnus %(name)s (#%(id)s).",
                name=twin.display_name, id=twin.id)
    if errors:
        raise ValidationError(errors)

    if alumnus is None:
        alumnus = Alumnus()
        db.session.add(alumnus)
    apply(alumnus, data, FIELDS)
    db.session.flush()
    return alumnus


def donation_count(alumnus: Alumnus) -> int:
    """How many donations this alumnus made."""
    return db.session.scalar(
        select(func.count(Donation.id)).where(Donation.alumnus_id == alumnus.id))


def delete_alumnus(alumnus: Alumnus) -> None:
    """Delete an alumnus record; refused while donations by them are on the books."""
    if donation_count(alumnus):
        raise ValidationError({"alumnus": _(
            "%(name)s cannot be deleted: donations by them are on the books. Delete or "
            "reassign those donations first.", name=alumnus.display_name)})
    db.session.delete(alumnus)
    db.session.flush()
