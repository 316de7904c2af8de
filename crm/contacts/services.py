"""Creating, changing and deleting contacts (担当者)."""
from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.activities.models import Activity, activity_contacts
from crm.alumni.models import Alumnus
from crm.common.services import ValidationError, apply
from crm.common.text import KANA_RE, nfkc, normalise_reading
from crm.contacts.fields import CONTACT_FIELDS
from crm.contacts.matching import DuplicateRefused, check_contact
from crm.contacts.models import Contact
from crm.events.models import Encounter
from crm.extensions import db

#: What a form may set: the editable columns of the field table (crm/contacts/fields.py).
FIELDS = CONTACT_FIELDS.names("editable")

#: What a reading may contain once normalised (crm.common.text.KANA_RE).
_READING_RE = KANA_RE


def normalise_email(value: str | None) -> str | None:
    """An e-mail address checked for syntax and lower-cased; None when blank.

    Raises ValueError with a readable reason when the address is not one.
    """
    text = nfkc(value)
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as err:
        raise ValueError(str(err)) from err


def other_emails(text: str | None, main: str | None) -> tuple[list[str], list[str]]:
    """Further e-mail addresses (one per line, or separated by commas or semicolons), each
    checked and lower-cased, without repeats or the main address; and the ones that are not
    addresses. The contact form's save and the contact importer both read them so."""
    cleaned: list[str] = []
    bad: list[str] = []
    for line in re.split(r"[,;\n]", text or ""):
        if not line.strip():
            continue
        try:
            address = normalise_email(line)
        except ValueError:
            bad.append(line.strip())
        else:
            if address and address not in cleaned and address != main:
                cleaned.append(address)
    return cleaned, bad


def find_by_email(email: str) -> Contact | None:
    """The contact whose main e-mail this is, if any (addresses are stored lower-case, so the
    index on the column serves this)."""
    return db.session.scalars(
        select(Contact).where(Contact.email == email.lower()).order_by(Contact.id).limit(1)
    ).first()


def save_contact(contact: Contact | None, data: dict[str, Any], *,
                 duplicates: str = "off") -> Contact:
    """Create a contact (contact=None) or update one.

    The family name is required; e-mail addresses must be valid and are stored lower-case;
    the main e-mail is the duplicate key, so a second person with the same one is refused.
    duplicates="ask" (the contact form) also asks about a person of the same name at the same
    company (NearDuplicates, crm.contacts.matching.check_contact) unless "confirmed".
    """
    data = dict(data)
    errors: dict[str, str] = {}
    same_email: Contact | None = None
    for key in ("family_name", "given_name"):
        if key in data:
            data[key] = nfkc(data[key]) or None
    if (contact is None or "family_name" in data) and not data.get("family_name"):
        errors["family_name"] = _("Enter the family name.")

    for key in ("family_name_reading", "given_name_reading"):
        if key in data:
            reading = normalise_reading(data[key])
            if reading and not _READING_RE.fullmatch(reading):
                errors[key] = _("Write the reading in kana (ひらがな or カタカナ).")
            data[key] = reading

    if "email" in data:
        try:
            data["email"] = normalise_email(data["email"])
        except ValueError:
            errors["email"] = _("This is not a valid e-mail address.")
        else:
            if data["email"]:
                holder = find_by_email(data["email"])
                if holder is not None and holder is not contact:
                    same_email = holder
                    errors["email"] = _(
                        "%(email)s already belongs to %(name)s (#%(id)s); open that contact "
                        "instead of adding a second one.",
                        email=data["email"], name=holder.display_name, id=holder.id)

    if "other_emails" in data:
        cleaned, bad = other_emails(data["other_emails"], data.get("email"))
        if bad:
            errors["other_emails"] = _("Not valid e-mail addresses: %(addresses)s",
                                       addresses=", ".join(bad))
        data["other_emails"] = "\n".join(cleaned) or None

    for key in ("phone", "mobile"):
        if key in data:
            data[key] = nfkc(data[key]) or None

    if same_email is not None:
        message = errors.pop("email")
        raise DuplicateRefused("email", message, same_email, also=errors)
    if errors:
        raise ValidationError(errors)
    if duplicates != "off":
        def now(key: str) -> Any:
            return data[key] if key in data else getattr(contact, key, None)

        moved = contact is None or any(
            key in data and data[key] != getattr(contact, key)
            for key in ("family_name", "given_name", "company_id"))
        if moved:
            check_contact(now("email"), now("family_name"), now("given_name"),
                          now("company_id"), contact=contact,
                          near_confirmed=duplicates == "confirmed")

    if contact is None:
        contact = Contact(consent=False, do_not_contact=False)
        db.session.add(contact)
    apply(contact, data, FIELDS)
    db.session.flush()
    return contact


def history(contact: Contact) -> dict[str, int]:
    """What is attached to a contact: what deleting them would touch."""
    return {
        "encounters": db.session.scalar(
            select(func.count(Encounter.id)).where(Encounter.contact_id == contact.id)),
        "activities": db.session.scalar(
            select(func.count()).select_from(activity_contacts)
            .where(activity_contacts.c.contact_id == contact.id)),
        "alumni": db.session.scalar(
            select(func.count(Alumnus.id)).where(Alumnus.contact_id == contact.id)),
    }


def delete_contact(contact: Contact) -> None:
    """Delete a contact and their encounters; activities stay, without them; an alumnus
    record linked to them stays, unlinked."""
    activities = db.session.scalars(
        select(Activity).join(activity_contacts)
        .where(activity_contacts.c.contact_id == contact.id)
    ).all()
    for activity in activities:
        activity.contacts.remove(contact)
    for alumnus in db.session.scalars(select(Alumnus).where(Alumnus.contact_id == contact.id)):
        alumnus.contact = None
    db.session.delete(contact)
    db.session.flush()


def is_kana_reading(text: str | None) -> bool:
    """True when `text` is a reading the contact form accepts (kana, once normalised)."""
    reading = normalise_reading(text)
    return bool(reading) and bool(_READING_RE.fullmatch(reading))
