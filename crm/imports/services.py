"""The save path of imports: plan (the dry run) and commit, through the crm services.

`importers.read` turns a file into a ParsedFile (plain strings keyed by field name). Here:

* `plan(parsed, kind, policy)` decides, for every row, what would happen: create, update,
  merge, unchanged, or reject (with row, column, value and why). It matches rows with records
  already in the database (corporate number, folded company name, e-mail, name + company ...)
  from keys loaded in a few queries, not one query per row, and only reads the database.
* `commit(parsed, kind, policy)` plans again inside the caller's transaction and writes the
  accepted rows through the features' services (save_company, save_contact, ...), so the audit
  trail, the derived fields and the search-index outbox all happen. It flushes, never commits:
  the request or command commits once, so either every accepted row is written or none.

Policies for rows that match a record: "update" (the file's values overwrite), "merge" (fill
only the fields that are empty; differing values are listed as conflicts and kept), "skip"
(leave the record alone). A blank cell never erases a value.
"""
from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.numbers import list_currencies
from flask_babel import gettext as _
from sqlalchemy import String, select

from crm.common.services import ValidationError
from crm.common.text import (
    fold_company_name,
    fold_text,
    is_japanese_name,
    nfkc,
    normalise_corporate_number,
    valid_corporate_number,
)
from crm.extensions import db, utcnow
from crm.imports.models import POLICIES, ImportBatch
from crm.common.time import office_today
from importers.base import ImportFileError, ParsedFile, ParsedRow, Problem  # noqa: F401
from importers.fields import FIELDS, REQUIRED

ACTIONS = ("create", "update", "merge", "unchanged", "reject")
#: A row's company name is folded several times (keys, match, references): fold it once.
_fold = lru_cache(maxsize=8192)(fold_company_name)
#: Rows whose changes the preview keeps (the counts are always complete).
PREVIEW_CAP = 1000
#: New companies checked for similar names already in the CRM ("create, similar to X"): one
#: query each, so only the first ones of a large file.
NEAR_CHECK_LIMIT = 200
#: Records loaded per query when matched rows are fetched.
LOAD_CHUNK = 500
_IN_CHUNK = 900  # SQLite's limit on bound parameters is 999


class CommitError(Exception):
    """A row the services refused while committing: nothing of the import is kept."""

    def __init__(self, row: int, errors: dict[str, str]):
        self.row = row
        self.errors = errors
        super().__init__(_("Row %(row)s: %(reasons)s. Nothing was imported.", row=row,
                           reasons="; ".join(f"{k}: {v}" for k, v in errors.items())))


def read_file(data: bytes, filename: str, kind: str, format: str | None = None,
              mapping: dict[str, str] | None = None, require_all: bool = True) -> ParsedFile:
    """The parsing half (importers.read); ImportFileError when the file cannot be read.
    require_all=False: a file lacking a required column is previewed (the user maps it)."""
    import importers

    reader = getattr(importers, "read", None)
    if reader is None:  # pragma: no cover - only while the parsing half is being written
        raise ImportFileError(_("The file reader is not installed."))
    return reader(data, filename, kind, format=format, mapping=mapping,
                  require_all=require_all)


# --- values ----------------------------------------------------------------------------------

class RowError(Exception):
    """One value refused while cleaning a row: the field and why."""

    def __init__(self, field_name: str, reason: str, value: str | None = None):
        super().__init__(reason)
        self.field = field_name
        self.reason = reason
        self.value = value


def _date(values: dict[str, str], key: str) -> date | None:
    text = values.get(key)
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RowError(key, _("This is not a date.")) from None


_TRUE = {"true", "yes", "y", "1", "はい", "○", "◯", "✓", "有", "あり", "x"}
_FALSE = {"false", "no", "n", "0", "いいえ", "×", "無", "なし", "-"}


def _bool(values: dict[str, str], key: str) -> bool | None:
    text = nfkc(values.get(key)).casefold()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(key, _("Write yes or no (true / false)."))


def _int(values: dict[str, str], key: str) -> int | None:
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


def _text(values: dict[str, str], key: str) -> str | None:
    text = (values.get(key) or "").strip()
    return text or None


def _enum(values: dict[str, str], key: str, allowed: tuple[str, ...],
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


def _country(values: dict[str, str], key: str) -> str | None:
    text = nfkc(values.get(key)).upper()
    if not text:
        return None
    text = {"日本": "JP", "JAPAN": "JP", "USA": "US", "アメリカ": "US", "米国": "US"}.get(text, text)
    if len(text) != 2 or not text.isalpha():
        raise RowError(key, _("Use a two-letter country code (JP, US, DE ...)."))
    return text


def split_name(full: str | None) -> tuple[str | None, str | None]:
    """'山田 太郎' -> (山田, 太郎); 'John Smith' -> (Smith, John); one word -> (it, None)."""
    parts = nfkc(full).split()
    if not parts:
        return None, None
    if len(parts) == 1:
        return parts[0], None
    if is_japanese_name(*parts):
        return parts[0], " ".join(parts[1:])
    return parts[-1], " ".join(parts[:-1])


def _person(values: dict[str, str]) -> dict[str, str | None]:
    family, given = _text(values, "family_name"), _text(values, "given_name")
    if not family and values.get("full_name"):
        family, split_given = split_name(values["full_name"])
        given = given or split_given
    return {"family_name": nfkc(family) or None, "given_name": nfkc(given) or None}


def _name_key(value: str | None) -> str:
    return fold_text(value).replace(" ", "").replace("\u3000", "")


def _plain(value: Any) -> str:
    """A value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, Decimal)):
        return str(value)
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(old: Any, new: Any) -> bool:
    if _empty(old) and _empty(new):
        return True
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except InvalidOperation:
            return False
    if isinstance(old, str) and isinstance(new, str):
        # ＡＧＣ株式会社 (EDINET's full width) is AGC株式会社: no update, no conflict.
        return old.strip() == new.strip() or nfkc(old) == nfkc(new)
    return old == new


def _load(model: type, ids: Iterable[int]) -> dict[int, Any]:
    """Records by id, LOAD_CHUNK per query."""
    ids = sorted(set(ids))
    found: dict[int, Any] = {}
    for start in range(0, len(ids), LOAD_CHUNK):
        chunk = ids[start:start + LOAD_CHUNK]
        found.update({r.id: r for r in db.session.scalars(
            select(model).where(model.id.in_(chunk)))})
    return found


def _length_limits(model: type) -> dict[str, int]:
    return {c.key: c.type.length for c in model.__table__.columns
            if isinstance(c.type, String) and c.type.length}


@dataclass(frozen=True)
class NewRef:
    """A record this import creates because a row refers to it (a contact's company)."""
    model: str
    key: str
    label: str


# --- the company index: shared by every kind that names a company ------------------------------

class CompanyIndex:
    """Exact company keys loaded once: corporate number and every folded name (name, English
    name, aliases) -> company ids. The same rule as crm.contacts.matching.find_company's exact
    matches, without a query per row."""

    def __init__(self) -> None:
        self.by_number: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.numbers: dict[int, str | None] = {}
        self.new: dict[str, NewRef] = {}
        self.new_specs: dict[NewRef, dict[str, Any]] = {}
        from crm.companies.models import Company

        rows = db.session.execute(select(
            Company.id, Company.name, Company.name_folded, Company.name_en, Company.aliases,
            Company.corporate_number))
        for id_, name, folded, name_en, aliases, number in rows:
            self.names[id_] = name
            self.numbers[id_] = number
            if number:
                self.by_number[number] = id_
            keys = {folded}
            for other in (name_en, *(aliases or "").splitlines()):
                if other and other.strip():
                    keys.add(fold_company_name(other))
            for key in keys - {""}:
                self.by_name[key].append(id_)

    def find(self, name: str | None, number: str | None) -> tuple[list[int], str | None]:
        """The companies this is certainly (several when the name is shared), and why."""
        if number and number in self.by_number:
            return [self.by_number[number]], "corporate_number"
        key = _fold(name)
        ids = [i for i in self.by_name.get(key, ()) if not (
            number and self.numbers.get(i) and self.numbers[i] != number)]
        return (ids, "name") if ids else ([], None)

    def reference(self, name: str | None, number: str | None, field_name: str) -> int | NewRef:
        """A row's company reference: an existing company's id, or a company this import
        creates (one per distinct name/number in the file). RowError when ambiguous."""
        ids, _why = self.find(name, number)
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            raise RowError(field_name, _(
                "Several companies have this name (%(names)s); give the corporate number or "
                "merge the duplicates first.",
                names=", ".join(f"{self.names[i]} #{i}" for i in ids[:3])))
        if not name:
            raise RowError(field_name, _("No company has this corporate number; give the "
                                         "company name as well."))
        key = number or "name:" + _fold(name)
        ref = self.new.get(key) or self.new.get("name:" + _fold(name))
        if ref is None:
            ref = NewRef("company", key, name)
            self.new[key] = ref
            self.new["name:" + _fold(name)] = ref
            self.new_specs[ref] = {"name": name, "corporate_number": number}
        return ref

    def label(self, value: Any) -> str:
        if isinstance(value, NewRef):
            return _("%(name)s (new)", name=value.label)
        return self.names.get(value, _plain(value)) if value is not None else ""


# --- one importer per kind ----------------------------------------------------------------------

class KindImporter(ABC):
    """What each kind defines: how a row's values are cleaned into service data, how a row finds
    its record, and how a record is saved. `attrs` are the compared model attributes."""

    kind = ""
    model: type
    attrs: tuple[str, ...] = ()
    #: Fields with no column of their own, kept in the notes as "Label: value" lines.
    to_notes: tuple[str, ...] = ()

    def __init__(self, policy: str, by: Any = None) -> None:
        self.policy = policy
        self.by = by
        self.limits = _length_limits(self.model)
        self._companies: CompanyIndex | None = None
        self.new_refs: list[NewRef] = []

    @property
    def companies(self) -> CompanyIndex:
        if self._companies is None:
            self._companies = CompanyIndex()
        return self._companies

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

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        return str(getattr(record, "label", "") or data.get("name") or data.get("title") or "")

    def display(self, attr: str, value: Any) -> str:
        if attr in ("company_id", "employer_id"):
            return self.companies.label(value)
        if attr == "department_id":
            return self.department_names.get(value, _plain(value)) if value else ""
        return _plain(value)

    def near(self, data: dict[str, Any]) -> str | None:
        """For a new record: a similar one already in the CRM, worth a look (never merged)."""
        return None

    # shared helpers
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

    _departments: dict[str, int] | None = None
    department_names: dict[int, str] = {}

    def department(self, values: dict[str, str], key: str = "department") -> int | None:
        """A department by name, English name or code; RowError when there is none."""
        text = nfkc(values.get(key))
        if not text:
            return None
        if self._departments is None:
            from crm.research.models import Department

            self._departments = {}
            self.department_names = {}
            for d in db.session.scalars(select(Department)):
                self.department_names[d.id] = d.name
                for name in (d.name, d.name_en, d.code):
                    if name:
                        self._departments[nfkc(name).casefold()] = d.id
        found = self._departments.get(text.casefold())
        if found is None:
            raise RowError(key, _("No department by this name or code."))
        return found

    def company_ref(self, values: dict[str, str], name_key: str = "company_name",
                    number_key: str = "company_corporate_number") -> int | NewRef | None:
        name = _text(values, name_key)
        number = normalise_corporate_number(values.get(number_key))
        if number and not valid_corporate_number(number):
            raise RowError(number_key, _(
                "A corporate number has 13 digits and a valid check digit; %(number)s is not "
                "one.", number=number))
        if not name and not number:
            return None
        return self.companies.reference(name, number, name_key if name else number_key)

    def create_reference(self, ref: NewRef, created: dict[NewRef, Any]) -> Any:
        """Create (once) a record a row refers to and this import makes."""
        if ref not in created:
            from crm.companies.services import save_company

            created[ref] = save_company(None, dict(self.companies.new_specs[ref]), by=self.by)
        return created[ref]


_CORPORATE_RE = re.compile(r"\d{13}")


class CompanyImporter(KindImporter):
    kind = "companies"
    attrs = ("name", "name_reading", "name_en", "aliases", "corporate_number", "country",
             "hq_country", "industry", "size", "website", "description", "interests",
             "membership_tier", "member_since", "renewal_date", "status", "notes", "officer_id")
    to_notes = ("address",)

    def __init__(self, policy: str, by: Any = None) -> None:
        from crm.companies.models import Company

        self.model = Company
        super().__init__(policy, by)
        self._users: dict[str, Any] | None = None
        self._officers: dict[int, int] | None = None

    def officer(self, values: dict[str, str]) -> int | None:
        from crm.auth.models import User
        from crm.liaison.services import OFFICER_ROLES

        email = nfkc(values.get("officer_email")).lower()
        if not email:
            return None
        if self._users is None:
            self._users = {u.email.lower(): u for u in db.session.scalars(select(User))}
            # The partner-list export names the officer; a re-imported export finds them by
            # that name when it is one user's.
            self._user_names: dict[str, Any] = {}
            for u in self._users.values():
                key = " ".join(nfkc(u.name).casefold().split())
                self._user_names[key] = None if key in self._user_names else u
        user = self._users.get(email) or self._user_names.get(" ".join(email.casefold().split()))
        if user is None:
            raise RowError("officer_email", _("No user has this e-mail address."))
        if not user.active or not user.roles & set(OFFICER_ROLES):
            raise RowError("officer_email", _("%(name)s is not an active liaison officer.",
                                              name=user.name))
        return user.id

    def _check_officer_change(self, data: dict[str, Any], record_id: int | None) -> None:
        """Only a manager changes who is responsible for a company; a row naming the officer
        the company already has (a re-imported export) changes nothing and is accepted."""
        from crm.companies.models import Company
        from crm.liaison.services import may_manage

        if data.get("officer_id") is None or may_manage(self.by):
            return
        if record_id is not None:
            if self._officers is None:
                self._officers = dict(db.session.execute(
                    select(Company.id, Company.officer_id).where(Company.officer_id.is_not(None))
                ).all())
            if self._officers.get(record_id) == data["officer_id"]:
                return
        raise RowError("officer_email", _(
            "Only a manager can change who is responsible for a company."))

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        from crm.companies.models import COMPANY_SIZES, COMPANY_STATUSES, MEMBERSHIP_TIERS

        data: dict[str, Any] = {}
        for key in ("name", "name_reading", "name_en", "aliases", "industry", "website",
                    "description", "interests"):
            data[key] = _text(values, key)
        number = normalise_corporate_number(values.get("corporate_number"))
        if number and not valid_corporate_number(number):
            raise RowError("corporate_number", _(
                "A corporate number has 13 digits and a valid check digit; %(number)s is not "
                "one.", number=number))
        data["corporate_number"] = number
        data["country"] = _country(values, "country")
        data["hq_country"] = _country(values, "hq_country")
        data["size"] = _enum(values, "size", COMPANY_SIZES, {
            "中小企業": "sme", "大企業": "large", "スタートアップ": "startup", "ベンチャー": "startup"})
        data["membership_tier"] = _enum(values, "membership_tier", MEMBERSHIP_TIERS)
        data["status"] = _enum(values, "status", COMPANY_STATUSES)
        data["member_since"] = _date(values, "member_since")
        data["renewal_date"] = _date(values, "renewal_date")
        if data["member_since"] and data["renewal_date"] and \
                data["renewal_date"] < data["member_since"]:
            raise RowError("renewal_date", _("The renewal date is before the membership started."))
        data["notes"] = self.notes_with_extras(values)
        data["officer_id"] = self.officer(values)
        return {k: v for k, v in data.items() if v is not None}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        # Two rows with one name but different corporate numbers are two companies.
        if data.get("corporate_number"):
            return [("corporate_number", data["corporate_number"])]
        return [("name", _fold(data["name"]))]

    def match(self, data: dict[str, Any]) -> int | None:
        ids, _why = self.companies.find(data["name"], data.get("corporate_number"))
        if len(ids) > 1:
            raise RowError("name", _(
                "Several companies have this name (%(names)s); give the corporate number or "
                "merge the duplicates first.",
                names=", ".join(f"{self.companies.names[i]} #{i}" for i in ids[:3])))
        record_id = ids[0] if ids else None
        self._check_officer_change(data, record_id)
        return record_id

    def near(self, data: dict[str, Any]) -> str | None:
        from crm.contacts.matching import find_company

        found = find_company(data["name"])
        similar = found.near or found.exact
        if similar:
            return ", ".join(f"{c.name} #{c.id}" for c in similar[:3])
        return None

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        from crm.companies.services import save_company

        data = dict(data)
        if record is not None:  # the service needs these even when they do not change
            data.setdefault("name", record.name)
            data.setdefault("corporate_number", record.corporate_number)
        if "officer_id" in data:
            data["override_reason"] = _("Imported from a file")
        return save_company(record, data, by=self.by)

    def bulk_create(self, data: dict[str, Any]) -> Any | None:
        """A new company without an officer, created as save_company creates one (its checks
        were made by plan: valid, unique corporate number; enums; dates) but flushed in chunks
        rather than one row at a time. The audit trail and the search-index outbox are flush
        hooks, so they are written the same way. None when the row needs the service."""
        from crm.companies.models import Company

        if data.get("officer_id") is not None:
            return None
        company = Company(country=data.get("country") or "JP", status="prospect",
                          has_local_presence=False)
        for key, value in data.items():
            if key != "officer_id":
                setattr(company, key, value)
        company.status = company.status or "prospect"
        company.refresh_derived()
        db.session.add(company)
        return company

    def display(self, attr: str, value: Any) -> str:
        if attr == "officer_id":
            if self._users is None:
                return _plain(value)
            return next((u.email for u in self._users.values() if u.id == value), _plain(value))
        return super().display(attr, value)


class PersonMixin:
    """Readings and names as the people services store them."""

    def readings(self, values: dict[str, str], data: dict[str, Any]) -> None:
        from crm.contacts.services import _READING_RE, normalise_reading

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


class ContactImporter(PersonMixin, KindImporter):
    kind = "contacts"
    attrs = ("family_name", "given_name", "family_name_reading", "given_name_reading", "title",
             "department", "email", "other_emails", "phone", "mobile", "how_we_met",
             "do_not_contact", "notes", "company_id")
    to_notes = ("address", "postal_code", "website", "met_on", "tags")

    def __init__(self, policy: str, by: Any = None) -> None:
        from crm.contacts.models import Contact

        self.model = Contact
        super().__init__(policy, by)
        self.by_email: dict[str, int] = {}
        self.by_name: dict[tuple[int, str, str], int] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        from crm.contacts.models import Contact

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
            f, g = _name_key(family), _name_key(given)
            self.by_name[(company_id, f, g)] = id_
            if g:
                self.by_name.setdefault((company_id, g, f), id_)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        from crm.contacts.services import normalise_email

        data: dict[str, Any] = _person(values)
        self.readings(values, data)
        for key in ("title", "department", "how_we_met"):
            data[key] = _text(values, key)
        for key in ("phone", "mobile"):
            data[key] = nfkc(values.get(key)) or None
        try:
            data["email"] = normalise_email(values.get("email"))
        except ValueError:
            raise RowError("email", _("This is not a valid e-mail address.")) from None
        others = []
        for line in (values.get("other_emails") or "").replace(",", "\n").replace(";", "\n") \
                .splitlines():
            if not line.strip():
                continue
            try:
                address = normalise_email(line)
            except ValueError:
                raise RowError("other_emails", _("Not valid e-mail addresses: %(addresses)s",
                                                 addresses=line.strip())) from None
            if address and address not in others and address != data["email"]:
                others.append(address)
        data["other_emails"] = "\n".join(others) or None
        data["do_not_contact"] = _bool(values, "do_not_contact")
        data["notes"] = self.notes_with_extras(values)
        data["company_id"] = self.company_ref(values)
        return {k: v for k, v in data.items() if v is not None}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        keys: list[tuple[str, Any]] = [("email", data["email"])] if data.get("email") else []
        if data.get("family_name") and (data.get("company_id") is not None or not keys):
            keys.append(("family_name", (data.get("company_id"), _name_key(data["family_name"]),
                                  _name_key(data.get("given_name")))))
        return keys

    def match(self, data: dict[str, Any]) -> int | None:
        if data.get("email") and data["email"] in self.by_email:
            return self.by_email[data["email"]]
        company = data.get("company_id")
        if not isinstance(company, NewRef) and data.get("family_name") and \
                (company is not None or not data.get("email")):
            return self.by_name.get((company, _name_key(data["family_name"]),
                                     _name_key(data.get("given_name"))))
        return None

    def check_new(self, data: dict[str, Any]) -> None:
        if not data.get("family_name"):
            raise RowError("family_name", _("A new contact needs a family name; this row has "
                                            "none (only an e-mail address matches an existing "
                                            "contact)."))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        from crm.contacts.services import save_contact

        return save_contact(record, data)

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        from crm.common.text import person_name

        if record is not None:
            return record.display_name
        return person_name(data.get("family_name"), data.get("given_name")) or \
            data.get("email", "")


class AlumnusImporter(PersonMixin, KindImporter):
    kind = "alumni"
    attrs = ("family_name", "given_name", "family_name_reading", "given_name_reading", "email",
             "degree", "graduation_year", "department_id", "employer_id", "position", "country",
             "notes")

    def __init__(self, policy: str, by: Any = None) -> None:
        from crm.alumni.models import Alumnus

        self.model = Alumnus
        super().__init__(policy, by)
        self.by_email: dict[str, int] = {}
        self.by_name: dict[tuple[str, str, int | None], int] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        from crm.alumni.models import Alumnus

        for id_, email, family, given, year in db.session.execute(select(
                Alumnus.id, Alumnus.email, Alumnus.family_name, Alumnus.given_name,
                Alumnus.graduation_year).order_by(Alumnus.id.desc())):
            if email:
                self.by_email[email.lower()] = id_
            self.by_name[(_name_key(family), _name_key(given), year)] = id_

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        from crm.alumni.models import DEGREES

        data: dict[str, Any] = _person(values)
        if not data["family_name"]:
            raise RowError("family_name", _("Enter the family name."))
        self.readings(values, data)
        data["degree"] = _enum(values, "degree", DEGREES, {
            "学士": "bachelor", "修士": "master", "博士": "doctor", "学部": "bachelor",
            "bsc": "bachelor", "ba": "bachelor", "msc": "master", "ma": "master",
            "phd": "doctor", "その他": "other"})
        year = _int(values, "graduation_year")
        if year is not None and not 1900 <= year <= 2100:
            raise RowError("graduation_year", _("Enter a year between 1900 and 2100."))
        data["graduation_year"] = year
        email = nfkc(values.get("email")).lower()
        if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            raise RowError("email", _("This does not look like an e-mail address."))
        data["email"] = email or None
        data["department_id"] = self.department(values)
        data["employer_id"] = self.company_ref(values, "employer", "_none")
        data["position"] = _text(values, "position")
        data["country"] = _country(values, "country")
        data["notes"] = _text(values, "notes")
        return {k: v for k, v in data.items() if v is not None}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        keys: list[tuple[str, Any]] = [("email", data["email"])] if data.get("email") else []
        return keys + [("family_name", (_name_key(data["family_name"]),
                                        _name_key(data.get("given_name")),
                                        data.get("graduation_year")))]

    def match(self, data: dict[str, Any]) -> int | None:
        if data.get("email") and data["email"] in self.by_email:
            return self.by_email[data["email"]]
        return self.by_name.get((_name_key(data["family_name"]), _name_key(data.get("given_name")),
                                 data.get("graduation_year")))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        from crm.alumni.services import save_alumnus

        if record is not None:
            # The service checks the whole record: start from what is stored.
            data = {**{k: getattr(record, k) for k in self.attrs}, **data}
        return save_alumnus(record, data)

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        from crm.common.text import person_name

        return record.display_name if record is not None else \
            person_name(data.get("family_name"), data.get("given_name"))


class ResearcherImporter(PersonMixin, KindImporter):
    kind = "researchers"
    attrs = ("family_name", "given_name", "family_name_reading", "given_name_reading", "name_en",
             "department_id", "lab", "title", "email", "keywords", "profile")

    def __init__(self, policy: str, by: Any = None) -> None:
        from crm.research.models import Researcher

        self.model = Researcher
        super().__init__(policy, by)
        self.by_email: dict[str, int] = {}
        self.by_name: dict[tuple[str, str, int | None], int] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        from crm.research.models import Researcher

        for id_, email, family, given, dept in db.session.execute(select(
                Researcher.id, Researcher.email, Researcher.family_name, Researcher.given_name,
                Researcher.department_id).order_by(Researcher.id.desc())):
            if email:
                self.by_email[email.lower()] = id_
            self.by_name[(_name_key(family), _name_key(given), dept)] = id_

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = _person(values)
        if not data["family_name"]:
            raise RowError("family_name", _("Enter the family name."))
        self.readings(values, data)
        for key in ("name_en", "lab", "title", "keywords", "profile"):
            data[key] = _text(values, key)
        email = nfkc(values.get("email")).lower()
        if email and ("@" not in email or " " in email):
            raise RowError("email", _("Enter a valid e-mail address."))
        data["email"] = email or None
        data["department_id"] = self.department(values)
        return {k: v for k, v in data.items() if v is not None}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        keys: list[tuple[str, Any]] = [("email", data["email"])] if data.get("email") else []
        return keys + [("family_name", (_name_key(data["family_name"]),
                                        _name_key(data.get("given_name")),
                                        data.get("department_id")))]

    def match(self, data: dict[str, Any]) -> int | None:
        if data.get("email") and data["email"] in self.by_email:
            return self.by_email[data["email"]]
        return self.by_name.get((_name_key(data["family_name"]), _name_key(data.get("given_name")),
                                 data.get("department_id")))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        from crm.research.services import save_researcher

        if record is not None:
            data = {"family_name": record.family_name, **data}
        return save_researcher(record, data)

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        from crm.common.text import person_name

        return record.display_name if record is not None else \
            person_name(data.get("family_name"), data.get("given_name"))


class SeedImporter(KindImporter):
    kind = "seeds"
    attrs = ("title", "abstract", "keywords", "department_id", "readiness", "ip_status",
             "government_funded", "status", "researcher_ids")

    def __init__(self, policy: str, by: Any = None) -> None:
        from crm.research.models import ResearchSeed

        self.model = ResearchSeed
        super().__init__(policy, by)
        self.by_title: dict[tuple[str, int | None], int] = {}
        self.researchers: dict[str, list[int]] = defaultdict(list)
        self.researcher_names: dict[int, str] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        from crm.research.models import Researcher, ResearchSeed

        for id_, title, dept in db.session.execute(select(
                ResearchSeed.id, ResearchSeed.title, ResearchSeed.department_id)
                .order_by(ResearchSeed.id.desc())):
            self.by_title[(fold_text(title).strip(), dept)] = id_
        for r in db.session.scalars(select(Researcher)):
            self.researcher_names[r.id] = r.display_name
            keys = {_name_key(r.family_name) + _name_key(r.given_name),
                    _name_key(r.given_name) + _name_key(r.family_name)}
            if r.email:
                keys.add(r.email.lower())
            if r.name_en:
                keys.add(_name_key(r.name_en))
            for key in keys - {""}:
                self.researchers[key].append(r.id)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        from crm.research.models import IP_STATUSES, SEED_STATUSES

        data: dict[str, Any] = {"title": _text(values, "title")}
        for key in ("abstract", "keywords"):
            data[key] = _text(values, key)
        data["department_id"] = self.department(values)
        readiness = _int(values, "readiness")
        if readiness is not None and not 1 <= readiness <= 9:
            raise RowError("readiness", _("Readiness is a technology readiness level from 1 "
                                          "(basic principles) to 9 (proven in operation)."))
        data["readiness"] = readiness
        data["ip_status"] = _enum(values, "ip_status", IP_STATUSES, {
            "なし": "none", "出願中": "filed", "出願済": "filed", "登録": "granted",
            "取得済": "granted", "ライセンス済": "licensed"})
        data["status"] = _enum(values, "status", SEED_STATUSES)
        data["government_funded"] = _bool(values, "government_funded")
        if values.get("researchers"):
            ids = []
            for part in re.split(r"[;；\n]+", values["researchers"]):
                key = nfkc(part).lower() if "@" in part else _name_key(part)
                if not key:
                    continue
                found = self.researchers.get(key, [])
                if len(found) != 1:
                    raise RowError("researchers", (
                        _("No researcher is called %(name)s.", name=part.strip()) if not found
                        else _("Several researchers are called %(name)s; use their e-mail.",
                               name=part.strip())))
                if found[0] not in ids:
                    ids.append(found[0])
            data["researcher_ids"] = ids
        return {k: v for k, v in data.items() if v is not None}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("title", (fold_text(data["title"]).strip(), data.get("department_id")))]

    def match(self, data: dict[str, Any]) -> int | None:
        return self.by_title.get((fold_text(data["title"]).strip(), data.get("department_id")))

    def current(self, record: Any, attr: str) -> Any:
        if attr == "researcher_ids":
            return sorted(r.id for r in record.researchers) or None
        return getattr(record, attr)

    def normalise_new(self, attr: str, value: Any) -> Any:
        return sorted(value) if attr == "researcher_ids" else value

    def display(self, attr: str, value: Any) -> str:
        if attr == "researcher_ids":
            return ", ".join(self.researcher_names.get(i, str(i)) for i in value or [])
        return super().display(attr, value)

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        from crm.research.services import save_seed

        if record is not None:
            data = {"title": record.title, **data}
        return save_seed(record, data)


class EventImporter(KindImporter):
    kind = "events"
    attrs = ("name", "kind", "starts_on", "ends_on", "location", "description")

    def __init__(self, policy: str, by: Any = None) -> None:
        from crm.events.models import Event

        self.model = Event
        super().__init__(policy, by)
        self.by_key: dict[tuple[str, date], int] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        from crm.events.models import Event

        for id_, name, starts in db.session.execute(select(Event.id, Event.name, Event.starts_on)):
            self.by_key[(fold_text(name).strip(), starts)] = id_

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        from crm.events.models import EVENT_KINDS
        from crm.events.services import EARLIEST_YEAR, YEARS_AHEAD

        data: dict[str, Any] = {"name": _text(values, "name")}
        data["kind"] = _enum(values, "kind", EVENT_KINDS, {
            "展示会": "trade_show", "見本市": "trade_show", "trade show": "trade_show",
            "カンファレンス": "conference", "学会": "conference", "会議": "conference",
            "セミナー": "seminar", "講演会": "seminar", "訪問": "visit", "見学": "visit"})
        data["starts_on"] = _date(values, "starts_on")
        data["ends_on"] = _date(values, "ends_on")
        start, end = data["starts_on"], data["ends_on"]
        last = office_today().year + YEARS_AHEAD
        if start and not EARLIEST_YEAR <= start.year <= last:
            raise RowError("starts_on", _("Enter a start date between %(first)s and %(last)s.",
                                          first=EARLIEST_YEAR, last=last))
        if start and end and end < start:
            raise RowError("ends_on", _("The event cannot end before it starts."))
        if start and end and (end - start).days > 366:
            raise RowError("ends_on", _("An event lasting more than a year is probably a typing "
                                        "error."))
        data["location"] = _text(values, "location")
        data["description"] = _text(values, "description")
        return {k: v for k, v in data.items() if v is not None}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("name", (fold_text(data["name"]).strip(), data["starts_on"]))]

    def match(self, data: dict[str, Any]) -> int | None:
        return self.by_key.get((fold_text(data["name"]).strip(), data["starts_on"]))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        from crm.events.services import save_event

        return save_event(record, data)


class DonationImporter(KindImporter):
    kind = "donations"
    attrs = ("amount", "currency", "received_on", "purpose", "restricted", "notes")

    def __init__(self, policy: str, by: Any = None) -> None:
        from crm.donations.models import Donation

        self.model = Donation
        super().__init__(policy, by)
        self.by_key: dict[tuple, int] = {}
        self.alumni_email: dict[str, int] = {}
        self.alumni_name: dict[str, list[int]] = defaultdict(list)
        self.alumni_names: dict[int, str] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        from crm.alumni.models import Alumnus
        from crm.common.text import person_name
        from crm.donations.models import Donation

        for id_, company, alumnus, amount, currency, received in db.session.execute(select(
                Donation.id, Donation.company_id, Donation.alumnus_id, Donation.amount,
                Donation.currency, Donation.received_on).order_by(Donation.id.desc())):
            self.by_key[(company, alumnus, received, Decimal(str(amount)), currency)] = id_
        for id_, email, family, given in db.session.execute(select(
                Alumnus.id, Alumnus.email, Alumnus.family_name, Alumnus.given_name)):
            self.alumni_names[id_] = person_name(family, given)
            if email:
                self.alumni_email[email.lower()] = id_
            for key in {_name_key(family) + _name_key(given), _name_key(given) + _name_key(family)}:
                self.alumni_name[key].append(id_)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        from crm.donations.services import MAX_AMOUNT

        data: dict[str, Any] = {}
        if values.get("company_name") or values.get("company_corporate_number"):
            name = _text(values, "company_name")
            number = normalise_corporate_number(values.get("company_corporate_number"))
            if number and not valid_corporate_number(number):
                raise RowError("company_corporate_number", _(
                    "A corporate number has 13 digits and a valid check digit; %(number)s is "
                    "not one.", number=number))
            ids, _why = self.companies.find(name, number)
            if len(ids) != 1:
                raise RowError("company_name" if name else "company_corporate_number", (
                    _("No company by this name or number: import or add the company first.")
                    if not ids else
                    _("Several companies have this name; give the corporate number.")))
            data["company_id"] = ids[0]
        else:
            email = nfkc(values.get("alumnus_email")).lower()
            if email:
                found = [self.alumni_email[email]] if email in self.alumni_email else []
                column = "alumnus_email"
            else:
                found = self.alumni_name.get(_name_key(values.get("alumnus_name")), [])
                column = "alumnus_name"
            if len(found) != 1:
                raise RowError(column, (
                    _("No alumnus by this name or e-mail: import or add the alumnus first.")
                    if not found else _("Several alumni have this name; give their e-mail.")))
            data["alumnus_id"] = found[0]
        text = nfkc(values.get("amount")).replace(",", "").replace("¥", "").replace("円", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise RowError("amount", _("This is not an amount.")) from None
        if not amount.is_finite() or amount <= 0:
            raise RowError("amount", _("The amount must be more than zero."))
        if amount > MAX_AMOUNT:
            raise RowError("amount", _("That amount is too large to record."))
        if amount != amount.quantize(Decimal("0.01")):
            raise RowError("amount", _("Use at most two decimal places."))
        data["amount"] = amount.quantize(Decimal("0.01"))
        currency = nfkc(values.get("currency")).upper() or "JPY"
        currency = {"円": "JPY", "YEN": "JPY", "$": "USD", "€": "EUR"}.get(currency, currency)
        if len(currency) != 3 or not currency.isalpha() or currency not in list_currencies():
            raise RowError("currency", _("%(code)s is not a known ISO currency code.",
                                         code=currency))
        data["currency"] = currency
        data["received_on"] = _date(values, "received_on")
        data["purpose"] = _text(values, "purpose")
        data["restricted"] = _bool(values, "restricted")
        data["notes"] = _text(values, "notes")
        return {k: v for k, v in data.items() if v is not None}

    def _key(self, data: dict[str, Any]) -> tuple:
        return (data.get("company_id"), data.get("alumnus_id"), data["received_on"],
                data["amount"], data["currency"])

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("amount", self._key(data))]

    def match(self, data: dict[str, Any]) -> int | None:
        return self.by_key.get(self._key(data))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        from crm.donations.services import save_donation

        base = {} if record is None else {
            "company_id": record.company_id, "alumnus_id": record.alumnus_id,
            "amount": record.amount, "currency": record.currency,
            "received_on": record.received_on, "purpose": record.purpose,
            "restricted": record.restricted, "notes": record.notes}
        return save_donation(record, {**base, **data})

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        donor = self.companies.label(data["company_id"]) if data.get("company_id") else \
            self.alumni_names.get(data.get("alumnus_id"), "")
        return f"{donor} {data.get('amount', '')} {data.get('currency', '')}".strip()


class EncounterImporter(KindImporter):
    kind = "encounters"
    attrs = ("met_on", "research_interests", "small_talk", "follow_up_wanted", "follow_up_by")

    def __init__(self, policy: str, by: Any = None) -> None:
        from crm.events.models import Encounter

        self.model = Encounter
        super().__init__(policy, by)
        self.events: dict[str, list[tuple[int, date, date | None]]] = defaultdict(list)
        self.event_names: dict[int, str] = {}
        self.by_key: dict[tuple[int, int], int] = {}
        self.contacts = ContactImporter(policy, by)
        self.new_contacts: dict[tuple, NewRef] = {}
        self.contact_specs: dict[NewRef, dict[str, Any]] = {}

    @property
    def companies(self) -> CompanyIndex:  # one index shared with the contacts
        return self.contacts.companies

    def preload(self, rows: list[ParsedRow]) -> None:
        from crm.events.models import Encounter, Event

        for id_, name, starts, ends in db.session.execute(select(
                Event.id, Event.name, Event.starts_on, Event.ends_on)):
            self.events[fold_text(name).strip()].append((id_, starts, ends))
            self.event_names[id_] = name
        for id_, event_id, contact_id in db.session.execute(select(
                Encounter.id, Encounter.event_id, Encounter.contact_id)):
            self.by_key[(event_id, contact_id)] = id_
        self.contacts.preload(rows)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        from crm.events.services import ENCOUNTER_SLACK

        events = self.events.get(fold_text(values.get("event_name")).strip(), [])
        when = _date(values, "event_date")
        if when:
            events = [e for e in events if e[1] <= when <= (e[2] or e[1])]
        if len(events) != 1:
            raise RowError("event_name" if not when else "event_date", (
                _("No event by this name (and date): import or add the event first.")
                if not events else _("Several events have this name; give the event date.")))
        event_id, starts, ends = events[0]
        data: dict[str, Any] = {"event_id": event_id}
        person = self.contacts.clean({k: v for k, v in values.items()
                                      if k in FIELDS["contacts"]})
        contact_id = self.contacts.match(person)
        if contact_id is None:
            if not person.get("family_name"):
                raise RowError("family_name", _("Enter the family name."))
            key = (person.get("email"), _name_key(person["family_name"]),
                   _name_key(person.get("given_name")), str(person.get("company_id")))
            contact_id = self.new_contacts.get(key)
            if contact_id is None:
                from crm.common.text import person_name

                contact_id = NewRef("contact", str(key), person_name(
                    person["family_name"], person.get("given_name")))
                self.new_contacts[key] = contact_id
                self.contact_specs[contact_id] = person
        data["contact_id"] = contact_id
        data["met_on"] = _date(values, "met_on")
        met = data["met_on"] or starts
        if not starts - ENCOUNTER_SLACK <= met <= (ends or starts) + ENCOUNTER_SLACK:
            raise RowError("met_on", _(
                "The event ran %(start)s to %(end)s; the meeting should fall within a week of "
                "those dates.", start=starts.isoformat(), end=(ends or starts).isoformat()))
        data["research_interests"] = _text(values, "research_interests")
        data["small_talk"] = _text(values, "small_talk")
        data["follow_up_wanted"] = _bool(values, "follow_up_wanted")
        data["follow_up_by"] = _date(values, "follow_up_by")
        if data["follow_up_by"]:
            if data["follow_up_wanted"] is False:
                raise RowError("follow_up_by", _(
                    "Tick \"Follow-up wanted\" to set a follow-up date."))
            data["follow_up_wanted"] = True
            if data["follow_up_by"] < met:
                raise RowError("follow_up_by", _("The follow-up cannot be due before the "
                                                 "meeting."))
        return {k: v for k, v in data.items() if v is not None}

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("event_name", (data["event_id"], data["contact_id"]))]

    def match(self, data: dict[str, Any]) -> int | None:
        if isinstance(data["contact_id"], NewRef):
            return None
        return self.by_key.get((data["event_id"], data["contact_id"]))

    def create_reference(self, ref: NewRef, created: dict[NewRef, Any]) -> Any:
        if ref.model == "company":
            return self.contacts.create_reference(ref, created)
        if ref not in created:
            spec = dict(self.contact_specs[ref])
            if isinstance(spec.get("company_id"), NewRef):
                spec["company_id"] = self.create_reference(spec["company_id"], created).id
            created[ref] = self.contacts.save(None, spec)
        return created[ref]

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        from crm.events.models import Event
        from crm.events.services import save_encounter

        event = db.session.get(Event, data["event_id"])
        base = {"contact_id": data["contact_id"]}
        if record is None:
            base["user_id"] = getattr(self.by, "id", None)
        else:
            base.update({k: getattr(record, k) for k in self.attrs})
        return save_encounter(record, event, {**base, **{k: v for k, v in data.items()
                                                         if k != "event_id"}})

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        contact = data.get("contact_id")
        who = contact.label if isinstance(contact, NewRef) else \
            (record.contact.display_name if record is not None else str(contact))
        return f"{who} @ {self.event_names.get(data.get('event_id'), '')}"


IMPORTERS: dict[str, Callable[..., KindImporter]] = {
    "companies": CompanyImporter, "contacts": ContactImporter, "alumni": AlumnusImporter,
    "donations": DonationImporter, "researchers": ResearcherImporter, "seeds": SeedImporter,
    "events": EventImporter, "encounters": EncounterImporter,
}


# --- the plan ---------------------------------------------------------------------------------

@dataclass
class RowPlan:
    number: int
    action: str
    label: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    record_id: int | None = None
    record_label: str | None = None
    #: field -> [old, new] as shown: what the row changes, and what merge keeps as it is.
    changes: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    #: "similar to X", companies created with the row ...
    note: str | None = None
    #: the fields written (update: every differing one; merge: the empty ones filled).
    write: dict[str, Any] = field(default_factory=dict)
    #: merge/skip: the file differs from a value kept as it is.
    has_conflicts: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.number, "action": self.action, "label": self.label,
                "record_id": self.record_id, "record_label": self.record_label,
                "changes": self.changes, "conflicts": self.conflicts, "note": self.note}


@dataclass
class Plan:
    kind: str
    policy: str
    rows: list[RowPlan]
    rejected: list[Problem]
    importer: KindImporter
    records: dict[int, Any]

    @property
    def new_references(self) -> list[NewRef]:
        """Records created because rows refer to them (companies of contacts ...), used by
        at least one row that is written."""
        refs: list[NewRef] = []
        for row in self.rows:
            if row.action in ("create", "update", "merge"):
                for value in row.write.values():
                    if isinstance(value, NewRef) and value not in refs:
                        refs.append(value)
                        spec = getattr(self.importer, "contact_specs", {}).get(value)
                        company = spec.get("company_id") if spec else None
                        if isinstance(company, NewRef) and company not in refs:
                            refs.append(company)
        return refs

    def counts(self) -> dict[str, int]:
        counts = {a: 0 for a in ACTIONS}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        """{"created", "updated", "merged", "unchanged", "rejected": [...]}"""
        counts = self.counts()
        return {
            "created": counts["create"] + len(self.new_references),
            "updated": counts["update"],
            "merged": counts["merge"],
            "unchanged": counts["unchanged"],
            "rejected": [p.as_dict() for p in self.rejected],
        }


def _columns(parsed: ParsedFile) -> dict[str, str]:
    """field -> the column header it came from, as written in the file."""
    return {name: parsed.headers[i] for i, name in parsed.mapping.items()
            if i < len(parsed.headers)}


def plan(parsed: ParsedFile, kind: str, policy: str = "update", *, by: Any = None,
         near_limit: int = NEAR_CHECK_LIMIT, detail_limit: int | None = PREVIEW_CAP) -> Plan:
    """What importing these rows would do; reads the database, writes nothing.

    Every row gets its action; the first `detail_limit` rows worth showing (None: all) also
    get their label and the changes and conflicts as the preview shows them."""
    if kind not in IMPORTERS:
        raise ValueError(f"unknown kind {kind!r}")
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}")
    importer = IMPORTERS[kind](policy, by)
    importer.preload(parsed.rows)
    columns = _columns(parsed)
    rows: list[RowPlan] = []
    rejected: list[Problem] = []
    seen: dict[tuple[str, Any], int] = {}
    matched_by: dict[int, int] = {}

    def reject(row: ParsedRow, problems: list[Problem]) -> None:
        rows.append(RowPlan(row.number, "reject"))
        rejected.extend(problems)

    for row in parsed.rows:
        values = row.values
        if row.problems:
            reject(row, list(row.problems))
            continue
        missing = [group for group in REQUIRED[kind] if not any(
            (values.get(f) or "").strip() for f in group)]
        if missing:
            labels = FIELDS[kind]
            reject(row, [Problem(row.number, columns.get(group[0]) or _(labels[group[0]]), "", _(
                "Required: %(fields)s.", fields=_(" or ").join(_(labels[f]) for f in group)))
                for group in missing])
            continue
        try:
            data = importer.clean(values)
            importer.check_lengths(data)
            keys = importer.keys(data)
            duplicate = next((k for k in keys if k in seen), None)
            if duplicate is not None:
                name, _key = duplicate
                raise RowError(name if name in FIELDS[kind] else "", _(
                    "The same record as row %(row)s of this file.", row=seen[duplicate]))
            record_id = importer.match(data)
            if record_id is None:
                importer.check_new(data)
            if record_id is not None and record_id in matched_by:
                raise RowError("", _("Matches the same record as row %(row)s of this file.",
                                     row=matched_by[record_id]))
        except RowError as err:
            column = columns.get(err.field, err.field)
            value = err.value if err.value is not None else (values.get(err.field) or "")
            reject(row, [Problem(row.number, column, value, err.reason)])
            continue
        for key in keys:
            seen[key] = row.number
        if record_id is not None:
            matched_by[record_id] = row.number
        rows.append(RowPlan(row.number, "create", data=data, record_id=record_id))

    # Load the matched records (a few queries), then compare.
    records = _load(importer.model, (r.record_id for r in rows if r.record_id is not None))
    near_checked = 0
    detailed = 0

    def detail(rp: RowPlan, record: Any) -> bool:
        nonlocal detailed
        if detail_limit is not None and detailed >= detail_limit:
            return False
        detailed += 1
        rp.label = importer.label(rp.data, record)
        return True

    for rp in rows:
        if rp.action == "reject":
            continue
        record = records.get(rp.record_id) if rp.record_id is not None else None
        if record is None:
            rp.action = "create"
            rp.write = rp.data
            if detail(rp, None):
                rp.changes = {k: ["", importer.display(k, v)] for k, v in rp.data.items()}
            if near_checked < near_limit and kind == "companies":
                near_checked += 1
                similar = importer.near(rp.data)
                if similar:
                    rp.note = _("similar to %(names)s", names=similar)
            refs = [v for v in rp.data.values() if isinstance(v, NewRef)]
            if refs:
                rp.note = "; ".join(filter(None, [rp.note, *(
                    _("creates %(name)s", name=importer.companies.label(r) if r.model == "company"
                      else r.label) for r in refs)]))
            continue
        rp.record_label = str(getattr(record, "label", rp.record_id))
        fills: dict[str, Any] = {}
        differs: dict[str, Any] = {}
        current = getattr(importer, "current", None)
        normalise = getattr(importer, "normalise_new", None)
        for attr, new in rp.data.items():
            if attr not in importer.attrs:
                continue
            old = current(record, attr) if current else getattr(record, attr)
            new_cmp = normalise(attr, new) if normalise else new
            if _same(old, new_cmp):
                continue
            (fills if _empty(old) else differs)[attr] = new
        rp.has_conflicts = bool(differs) and policy != "update"
        shown_row = bool(fills or differs) and (policy != "skip" or rp.has_conflicts)
        shown = {k: [importer.display(k, current(record, k) if current else getattr(record, k)),
                     importer.display(k, v)] for k, v in {**fills, **differs}.items()} \
            if shown_row and detail(rp, record) else {}
        if policy == "skip" or not (fills or differs):
            rp.action = "unchanged"
            rp.conflicts = shown if policy == "skip" else {}
        elif policy == "update":
            rp.action = "update"
            rp.write = {**fills, **differs}
            rp.changes = shown
        else:  # merge
            rp.write = fills
            rp.changes = {k: shown[k] for k in fills if k in shown}
            rp.conflicts = {k: shown[k] for k in differs if k in shown}
            rp.action = "merge" if fills else "unchanged"
        refs = [v for v in rp.write.values() if isinstance(v, NewRef)]
        if refs:
            rp.note = "; ".join(_("creates %(name)s", name=importer.companies.label(r)
                                  if r.model == "company" else r.label) for r in refs)
    rejected.sort(key=lambda p: p.row)
    return Plan(kind, policy, rows, rejected, importer, records)


def commit(parsed: ParsedFile, kind: str, policy: str = "update", *, by: Any = None,
           chunk: int = 1000) -> dict[str, Any]:
    """Write the accepted rows through the services (plans again first, inside the caller's
    transaction); flushes, never commits. Raises CommitError (row and reasons) when a service
    refuses a row: the caller rolls back and nothing of the import is kept."""
    the_plan = plan(parsed, kind, policy, by=by, near_limit=0, detail_limit=0)
    importer = the_plan.importer
    created: dict[NewRef, Any] = {}
    written = 0
    for rp in the_plan.rows:
        if rp.action not in ("create", "update", "merge"):
            continue
        data = dict(rp.write)
        try:
            for key, value in data.items():
                if isinstance(value, NewRef):
                    data[key] = importer.create_reference(value, created).id
            if rp.action == "create":
                data = {k: (importer.create_reference(v, created).id
                            if isinstance(v, NewRef) else v) for k, v in rp.data.items()}
            record = the_plan.records.get(rp.record_id) if rp.record_id else None
            if record is not None or importer.bulk_create(data) is None:
                importer.save(record, data)
        except ValidationError as err:
            raise CommitError(rp.number, err.errors) from err
        written += 1
        if written % chunk == 0:
            db.session.flush()
    db.session.flush()
    return the_plan.summary()


# --- batches (the web's upload -> preview -> commit) -------------------------------------------

def read_batch(batch: ImportBatch) -> ParsedFile:
    return read_file(batch.data, batch.filename, batch.kind, format=batch.format,
                     mapping=batch.mapping_dict, require_all=False)


#: Characters of one value the preview and the result keep (a page shows 80 of them): a file
#: with long cells (up to CRM_IMPORT_MAX_CELL_CHARS each) must not make a page of megabytes.
PREVIEW_VALUE_CHARS = 200


def shorten(value: Any, limit: int = PREVIEW_VALUE_CHARS) -> Any:
    """`value` with every string longer than `limit` cut to it and an ellipsis (in lists,
    tuples and dict values too): what the preview keeps and shows of the rows."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + "…"
    if isinstance(value, dict):
        return {k: shorten(v, limit) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [shorten(v, limit) for v in value]
    return value


def preview_of(parsed: ParsedFile, the_plan: Plan, cap: int = PREVIEW_CAP) -> dict[str, Any]:
    """What the preview page shows, kept with the batch: what was detected, the counts, and
    the first `cap` rejected and changed rows (with the totals), long values shortened."""
    shown = [r for r in the_plan.rows if r.action in ("create", "update", "merge")
             or (r.action == "unchanged" and r.has_conflicts)]
    summary = the_plan.summary()
    return {
        "format": parsed.format, "encoding": parsed.encoding, "header_row": parsed.header_row,
        "headers": parsed.headers,
        "mapping": {parsed.headers[i]: f for i, f in parsed.mapping.items()
                    if i < len(parsed.headers)},
        "unmapped": parsed.unmapped, "notes": parsed.notes, "rows": len(parsed.rows),
        "counts": the_plan.counts(),
        "summary": {k: v for k, v in summary.items() if k != "rejected"},
        "references": shorten([r.label for r in the_plan.new_references[:cap]]),
        "rejected": shorten(summary["rejected"][:cap]),
        "rejected_total": len(summary["rejected"]),
        "changes": shorten([r.as_dict() for r in shown[:cap]]), "changes_total": len(shown),
    }


def create_batch(data: bytes, filename: str, kind: str, *, policy: str = "update",
                 format: str | None = None, mapping: dict[str, str] | None = None,
                 by: Any = None) -> ImportBatch:
    """Read the file (ImportFileError when it cannot be), plan it, keep it as a pending batch."""
    parsed = read_file(data, filename, kind, format=format, mapping=mapping, require_all=False)
    the_plan = plan(parsed, kind, policy, by=by)
    batch = ImportBatch(kind=kind, filename=filename[:300], format=parsed.format,
                        encoding=parsed.encoding, data=data, policy=policy, status="pending",
                        mapping=json.dumps(mapping, ensure_ascii=False) if mapping else None,
                        created_by_id=getattr(by, "id", None),
                        preview=json.dumps(preview_of(parsed, the_plan), ensure_ascii=False,
                                           default=str))
    db.session.add(batch)
    db.session.flush()
    return batch


def replan_batch(batch: ImportBatch, *, mapping: dict[str, str] | None = None,
                 policy: str | None = None, by: Any = None) -> ImportBatch:
    """Preview the batch again with another mapping or policy (ImportFileError possible)."""
    if mapping is not None:
        batch.mapping = json.dumps(mapping, ensure_ascii=False)
    if policy is not None:
        batch.policy = policy
    parsed = read_batch(batch)
    batch.preview = json.dumps(preview_of(parsed, plan(parsed, batch.kind, batch.policy, by=by)),
                               ensure_ascii=False, default=str)
    db.session.flush()
    return batch


class AlreadyCommitted(Exception):
    """The batch was committed or discarded before."""


def commit_batch(batch: ImportBatch, *, by: Any = None) -> dict[str, Any]:
    """Commit a pending batch once: claims it (a second, even concurrent, commit finds it no
    longer pending and raises AlreadyCommitted), writes its rows, keeps the summary."""
    from sqlalchemy import update

    claimed = db.session.execute(
        update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "pending")
        .values(status="committed", committed_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise AlreadyCommitted()
    summary = commit(read_batch(batch), batch.kind, batch.policy, by=by)
    db.session.refresh(batch)
    batch.summary = json.dumps({**summary, "rejected": shorten(summary.get("rejected", []))},
                               ensure_ascii=False)
    batch.data = b""  # the file is not needed once its rows are in
    db.session.flush()
    return summary


def discard_batch(batch: ImportBatch) -> None:
    if batch.status != "pending":
        raise AlreadyCommitted()
    batch.status = "discarded"
    batch.data = b""
    db.session.flush()


def save_mapping(name: str, kind: str, mapping: dict[str, str], *, format: str | None = None,
                 by: Any = None):
    """Keep a column mapping under a name (the same name for the same kind replaces it)."""
    from crm.imports.models import SavedMapping

    name = (name or "").strip()
    if not name:
        raise ValidationError({"mapping_name": _("Give the mapping a name.")})
    if len(name) > 100:
        raise ValidationError({"mapping_name": _("Longer than %(limit)s characters.", limit=100)})
    saved = db.session.scalar(select(SavedMapping).where(SavedMapping.kind == kind,
                                                         SavedMapping.name == name))
    if saved is None:
        saved = SavedMapping(name=name, kind=kind, created_by_id=getattr(by, "id", None))
        db.session.add(saved)
    saved.format = format
    saved.mapping = json.dumps(mapping, ensure_ascii=False)
    db.session.flush()
    return saved
