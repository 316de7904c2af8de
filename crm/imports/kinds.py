"""What an import kind is, and the registry the features fill.

Each feature that can be imported defines its kind beside its models and services
(crm/companies/importing.py, crm/contacts/importing.py ...): a `KindImporter` subclass that
cleans a row's values into service data, finds the row's record, and saves it through the
feature's service. It registers itself with `@register`. The batch, preview, plan and commit
machinery (crm/imports/services.py) asks `importer_class(kind)` and knows no feature.

The row-value helpers here read what the file readers (importers/) produced: dates already ISO,
yes/no already 'true'/'false', names already split where the file had one full name.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import import_module
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Boolean, Date, Integer, String

from crm.common.text import fold_text, nfkc
from importers import values as V
from importers.base import ParsedRow
from importers.fields import FIELDS

#: The modules that define the import kinds, each registering its kinds when imported: the one
#: list to extend when a feature becomes importable (its kind must also be in
#: crm.imports.models.IMPORT_KINDS and importers.fields.FIELDS).
KIND_MODULES = (
    "crm.companies.importing", "crm.contacts.importing", "crm.alumni.importing",
    "crm.research.importing", "crm.events.importing", "crm.donations.importing",
)

_REGISTRY: dict[str, type[KindImporter]] = {}


def register(cls: type[KindImporter]) -> type[KindImporter]:
    """Class decorator: make `cls` the importer of `cls.kind`."""
    _REGISTRY[cls.kind] = cls
    return cls


def importers() -> dict[str, type[KindImporter]]:
    """kind -> importer class, every kind module loaded (once)."""
    for module in KIND_MODULES:
        import_module(module)
    return _REGISTRY


def importer_class(kind: str) -> type[KindImporter]:
    found = importers().get(kind)
    if found is None:
        raise ValueError(f"unknown kind {kind!r}")
    return found


# --- values ----------------------------------------------------------------------------------

class RowError(Exception):
    """One value refused while cleaning a row: the field and why."""

    def __init__(self, field_name: str, reason: str, value: str | None = None):
        super().__init__(reason)
        self.field = field_name
        self.reason = reason
        self.value = value


def date_value(values: dict[str, str], key: str) -> date | None:
    text = values.get(key)
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RowError(key, _("This is not a date.")) from None


def bool_value(values: dict[str, str], key: str) -> bool | None:
    """Yes/no in the words importers.values knows (the readers have already turned them into
    'true'/'false')."""
    text = nfkc(values.get(key))
    if not text:
        return None
    try:
        return V.parse_bool(text) == "true"
    except V.ValueProblem:
        raise RowError(key, _("Write yes or no (true / false).")) from None


def int_value(values: dict[str, str], key: str) -> int | None:
    text = nfkc(values.get(key)).replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RowError(key, _("This is not a whole number.")) from None
    if number != number.to_integral_value():
        raise RowError(key, _("This is not a whole number."))
    return int(number)


def text_value(values: dict[str, str], key: str) -> str | None:
    text = (values.get(key) or "").strip()
    return text or None


def enum_value(values: dict[str, str], key: str, allowed: tuple[str, ...],
               synonyms: dict[str, str] | None = None) -> str | None:
    text = nfkc(values.get(key))
    if not text:
        return None
    folded = text.casefold().replace(" ", "_").replace("-", "_")
    if folded in allowed:
        return folded
    if synonyms and (text in synonyms or folded in synonyms):
        return synonyms.get(text) or synonyms[folded]
    raise RowError(key, _("Use one of: %(allowed)s.", allowed=", ".join(allowed)))


def country_value(values: dict[str, str], key: str) -> str | None:
    text = nfkc(values.get(key)).upper()
    if not text:
        return None
    text = {"日本": "JP", "JAPAN": "JP", "USA": "US", "アメリカ": "US", "米国": "US"}.get(text, text)
    if len(text) != 2 or not text.isalpha():
        raise RowError(key, _("Use a two-letter country code (JP, US, DE ...)."))
    return text


def person_names(values: dict[str, str]) -> dict[str, str | None]:
    """family_name / given_name of a row; a full name split (importers.values.split_name)
    when the row has no family name."""
    family, given = text_value(values, "family_name"), text_value(values, "given_name")
    if not family and values.get("full_name"):
        family, split_given = V.split_name(nfkc(values["full_name"]))
        given = given or split_given
    return {"family_name": nfkc(family) or None, "given_name": nfkc(given) or None}


def name_key(value: str | None) -> str:
    return fold_text(value).replace(" ", "").replace("\u3000", "")


def plain(value: Any) -> str:
    """A value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def length_limits(model: type) -> dict[str, int]:
    return {c.key: c.type.length for c in model.__table__.columns
            if isinstance(c.type, String) and c.type.length}


def present(data: dict[str, Any]) -> dict[str, Any]:
    """A cleaned row without the fields the file left blank (a blank cell never erases)."""
    return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class NewRef:
    """A record this import creates because a row refers to it (a contact's company)."""
    model: str
    key: str
    label: str


# --- one importer per kind ----------------------------------------------------------------------

class KindImporter(ABC):
    """What each kind defines: how a row's values are cleaned into service data, how a row finds
    its record, and how a record is saved. `attrs` are the compared model attributes."""

    kind = ""
    model: type
    attrs: tuple[str, ...] = ()
    #: Fields with no column of their own, kept in the notes as "Label: value" lines.
    to_notes: tuple[str, ...] = ()
    #: New records are checked for similar ones already in the CRM (see `near`).
    checks_near = False
    #: What the import writes besides its own records (researchmap: seeds, keywords): key ->
    #: label. `tally` counts them as rows are saved; the summary's "also" and the result page
    #: show them.
    also_counts: dict[str, Any] = {}

    def __init__(self, policy: str, by: Any = None) -> None:
        self.policy = policy
        self.by = by
        self.limits = length_limits(self.model)
        self.tally: dict[str, int] = dict.fromkeys(self.also_counts, 0)

    def preload(self, rows: list[ParsedRow]) -> None:
        """Load the keys rows are matched by, in a few queries."""

    @abstractmethod
    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        """The row's values checked and converted into service data; RowError if they can't be."""

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        """Keys that identify the row's record: a second row with one of them is a duplicate."""
        return []

    def match(self, data: dict[str, Any]) -> int | None:
        """The id of the record this row is, or None; RowError when it cannot be told."""
        return None

    def check_new(self, data: dict[str, Any]) -> None:
        """RowError when the row cannot create a record (it matched none)."""

    @abstractmethod
    def save(self, record: Any, data: dict[str, Any]) -> Any:
        """Create (record None) or update the record through the feature's service; flush only."""

    def bulk_create(self, data: dict[str, Any]) -> Any | None:
        """Kinds that can add a new record without a flush per row do it here."""
        return None

    def current(self, record: Any, attr: str) -> Any:
        """A record's value as the row's value is compared with it."""
        return getattr(record, attr)

    def normalise_new(self, attr: str, value: Any) -> Any:
        """A row's value as it is compared with the record's."""
        return value

    def same(self, attr: str, old: Any, new: Any) -> bool:
        """True when a row's value that differs as text still says what the record holds (a
        kind's own rule, e.g. a name in Latin letters with its words in another order)."""
        return False

    def kept(self, record: Any, attr: str) -> bool:
        """True when the "update" policy must still keep the record's (differing) value: the
        office changed it by hand (kinds that can tell, like researchmap's, say so)."""
        return False

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        return str(getattr(record, "label", "") or data.get("name") or data.get("title") or "")

    def display(self, attr: str, value: Any) -> str:
        return plain(value)

    def ref_label(self, ref: NewRef) -> str:
        """How the preview names a record this import creates."""
        return ref.label

    def create_reference(self, ref: NewRef, created: dict[NewRef, Any]) -> Any:
        """Create (once) a record a row refers to and this import makes."""
        raise NotImplementedError(ref.model)

    def near(self, data: dict[str, Any]) -> str | None:
        """For a new record: a similar one already in the CRM, worth a look (never merged)."""
        return None

    # shared helpers
    def column_value(self, values: dict[str, str], key: str) -> Any:
        """A row's value for a column of the model, read by the column's type (a date, yes/no,
        a whole number, else text): what a kind does with the columns it has no rule for."""
        column_type = self.model.__table__.c[key].type
        if isinstance(column_type, Date):
            return date_value(values, key)
        if isinstance(column_type, Boolean):
            return bool_value(values, key)
        if isinstance(column_type, Integer):
            return int_value(values, key)
        return text_value(values, key)

    def notes_with_extras(self, values: dict[str, str]) -> str | None:
        lines = [values["notes"].strip()] if values.get("notes", "").strip() else []
        labels = FIELDS[self.kind]
        for key in self.to_notes:
            if values.get(key, "").strip():
                lines.append(f"{labels[key]}: {values[key].strip()}")
        return "\n".join(lines) or None

    def check_lengths(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            limit = self.limits.get(key)
            if limit and isinstance(value, str) and len(value) > limit:
                raise RowError(key, _("Longer than %(limit)s characters.", limit=limit))
