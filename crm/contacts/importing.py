"""Importing contacts (business cards, address books, spreadsheets), and the person-name
readings every kind of people shares."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.common.text import is_japanese_name, nfkc, person_name
from crm.companies.importing import CompanyRefs
from crm.contacts.fields import CONTACT_FIELDS
from crm.contacts.models import Contact
from crm.contacts.services import (
    _READING_RE,
    normalise_email,
    normalise_reading,
    other_emails,
    save_contact,
)
from crm.extensions import db
from crm.imports.kinds import (
    KindImporter,
    NewRef,
    RowError,
    bool_value,
    name_key,
    person_names,
    present,
    register,
    text_value,
)
from importers.base import ParsedRow
from importers.values import take_romanised


class PersonReadings(KindImporter):
    """Readings and names as the people services store them."""

    def readings(self, values: dict[str, str], data: dict[str, Any]) -> None:
        latin = not is_japanese_name(data.get("family_name"), data.get("given_name"))
        if values.get("full_name_reading") and not values.get("family_name_reading"):
            parts = nfkc(values["full_name_reading"]).split()
            values = {**values, "family_name_reading": parts[0] if parts else "",
                      "given_name_reading": values.get("given_name_reading")
                      or " ".join(parts[1:])}
        for key in ("family_name_reading", "given_name_reading"):
            reading = normalise_reading(values.get(key))
            if reading and not _READING_RE.fullmatch(reading):
                if latin and not is_japanese_name(reading):
                    # A phonetic spelling of a Latin name (phone exports have them): the name
                    # already says it; readings here are kana.
                    reading = None
                else:
                    raise RowError(key, _("Write the reading in kana (ひらがな or カタカナ)."))
            data[key] = reading

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        return record.display_name if record is not None else \
            person_name(data.get("family_name"), data.get("given_name"))


class PeopleByName(PersonReadings):
    """People (alumni, researchers) found by e-mail, else by their name and one more column
    of theirs (`also`: a graduation year, a department)."""

    also = ""

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self.by_email: dict[str, int] = {}
        self.by_name: dict[tuple[str, str, Any], int] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        m = self.model
        for id_, email, family, given, also in db.session.execute(select(
                m.id, m.email, m.family_name, m.given_name, getattr(m, self.also))
                .order_by(m.id.desc())):
            if email:
                self.by_email[email.lower()] = id_
            self.by_name[(name_key(family), name_key(given), also)] = id_

    def person(self, values: dict[str, str]) -> dict[str, Any]:
        """The row's names and readings; a family name is required."""
        data: dict[str, Any] = person_names(values)
        if not data["family_name"]:
            raise RowError("family_name", _("Enter the family name."))
        self.readings(values, data)
        return data

    def _name(self, data: dict[str, Any]) -> tuple[str, str, Any]:
        return (name_key(data["family_name"]), name_key(data.get("given_name")),
                data.get(self.also))

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        keys: list[tuple[str, Any]] = [("email", data["email"])] if data.get("email") else []
        return keys + [("family_name", self._name(data))]

    def match(self, data: dict[str, Any]) -> int | None:
        if data.get("email") and data["email"] in self.by_email:
            return self.by_email[data["email"]]
        return self.by_name.get(self._name(data))


@register
class ContactImporter(PersonReadings, CompanyRefs):
    kind = "contacts"
    model = Contact
    attrs = CONTACT_FIELDS.names("importable")
    to_notes = ("address", "postal_code", "website", "met_on", "tags")

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self.by_email: dict[str, int] = {}
        self.by_name: dict[tuple[int, str, str], int] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        for id_, email, others, family, given, company_id in db.session.execute(select(
                Contact.id, Contact.email, Contact.other_emails, Contact.family_name,
                Contact.given_name, Contact.company_id).order_by(Contact.id.desc())):
            for address in (others or "").splitlines():
                if address.strip():
                    self.by_email[address.strip().lower()] = id_
            if email:
                self.by_email[email.lower()] = id_
            # Name + company; people without a company by their name alone (so a card with
            # neither e-mail nor company is still found again when re-imported).
            f, g = name_key(family), name_key(given)
            self.by_name[(company_id, f, g)] = id_
            if g:
                self.by_name.setdefault((company_id, g, f), id_)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        values, romanised = take_romanised(values)  # a romaji "reading": kept in the notes
        if romanised:
            values = {**values, "notes": "\n".join(filter(None, (values.get("notes"), romanised)))}
        data: dict[str, Any] = person_names(values)
        self.readings(values, data)
        for key in ("title", "department", "how_we_met"):
            data[key] = text_value(values, key)
        for key in ("phone", "mobile"):
            data[key] = nfkc(values.get(key)) or None
        try:
            data["email"] = normalise_email(values.get("email"))
        except ValueError:
            raise RowError("email", _("This is not a valid e-mail address.")) from None
        others, bad = other_emails(values.get("other_emails"), data["email"])
        if bad:
            raise RowError("other_emails", _("Not valid e-mail addresses: %(addresses)s",
                                             addresses=", ".join(bad)))
        data["other_emails"] = "\n".join(others) or None
        data["do_not_contact"] = bool_value(values, "do_not_contact")
        data["notes"] = self.notes_with_extras(values)
        data["company_id"] = self.company_ref(values)
        return present(data)

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        keys: list[tuple[str, Any]] = [("email", data["email"])] if data.get("email") else []
        if data.get("family_name") and (data.get("company_id") is not None or not keys):
            keys.append(("family_name", (data.get("company_id"), name_key(data["family_name"]),
                                         name_key(data.get("given_name")))))
        return keys

    def match(self, data: dict[str, Any]) -> int | None:
        if data.get("email") and data["email"] in self.by_email:
            return self.by_email[data["email"]]
        company = data.get("company_id")
        if not isinstance(company, NewRef) and data.get("family_name") and \
                (company is not None or not data.get("email")):
            return self.by_name.get((company, name_key(data["family_name"]),
                                     name_key(data.get("given_name"))))
        return None

    def check_new(self, data: dict[str, Any]) -> None:
        if not data.get("family_name"):
            raise RowError("family_name", _("A new contact needs a family name; this row has "
                                            "none (only an e-mail address matches an existing "
                                            "contact)."))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        return save_contact(record, data)

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        if record is not None:
            return record.display_name
        return person_name(data.get("family_name"), data.get("given_name")) or \
            data.get("email", "")

