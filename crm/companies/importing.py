"""Importing companies, and the company references other kinds make (a contact's company, an
alumnus's employer, a donor): the exact company keys loaded once, and a company created by the
import when a row names one the CRM does not have."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.auth.models import User
from crm.common.text import (
    fold_company_name,
    fold_lost_name,
    nfkc,
    normalise_corporate_number,
    valid_corporate_number,
)
from crm.companies.fields import COMPANY_FIELDS
from crm.companies.models import COMPANY_SIZES, COMPANY_STATUSES, MEMBERSHIP_TIERS, Company
from crm.companies.services import build_company, company_problems, save_company
from crm.contacts.matching import find_company
from crm.extensions import db
from crm.imports.kinds import (
    KindImporter,
    NewRef,
    RowError,
    country_value,
    enum_value,
    plain,
    present,
    register,
    text_value,
)
from crm.liaison.services import OFFICER_ROLES, may_manage

#: A row's company name is folded several times (keys, match, references): fold it once.
fold = lru_cache(maxsize=8192)(fold_company_name)


def corporate_number_value(values: dict[str, str], key: str) -> str | None:
    """A row's corporate number, digits only; RowError when it is not a valid one."""
    number = normalise_corporate_number(values.get(key))
    if number and not valid_corporate_number(number):
        raise RowError(key, _(
            "A corporate number has 13 digits and a valid check digit; %(number)s is not "
            "one.", number=number))
    return number or None


class CompanyIndex:
    """Exact company keys loaded once: corporate number and every folded name (name, English
    name, aliases) -> company ids. The same rule as crm.contacts.matching.find_company's exact
    matches, without a query per row."""

    def __init__(self) -> None:
        self.by_number: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        #: the names holding characters CP932 cannot hold, by their key with those marked
        self.by_lossy_name: dict[str, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.numbers: dict[int, str | None] = {}
        self.new: dict[str, NewRef] = {}
        self.new_specs: dict[NewRef, dict[str, Any]] = {}
        rows = db.session.execute(select(
            Company.id, Company.name, Company.name_folded, Company.name_en, Company.aliases,
            Company.corporate_number))
        for id_, name, folded, name_en, aliases, number in rows:
            self.names[id_] = name
            self.numbers[id_] = number
            if number:
                self.by_number[number] = id_
            keys = {folded}
            lossy = {fold_lost_name(name, stored=True)}
            for other in (name_en, *(aliases or "").splitlines()):
                if other and other.strip():
                    keys.add(fold_company_name(other))
                    lossy.add(fold_lost_name(other, stored=True))
            for key in keys - {""}:
                self.by_name[key].append(id_)
            for key in lossy - {None}:
                self.by_lossy_name[key].append(id_)

    def find(self, name: str | None, number: str | None) -> tuple[list[int], str | None]:
        """The companies this is certainly (several when the name is shared), and why: by
        corporate number, by name, or by the name a file wrote with characters lost ("?" or
        U+FFFD where the stored name has a character Shift_JIS cannot hold: "lost")."""
        if number and number in self.by_number:
            return [self.by_number[number]], "corporate_number"
        ids = self._by_key(self.by_name, fold(name), number)
        if ids:
            return ids, "name"
        ids = self._by_key(self.by_lossy_name, fold_lost_name(name, stored=False), number)
        return (ids, "lost") if ids else ([], None)

    def _by_key(self, index: dict[str, list[int]], key: str | None,
                number: str | None) -> list[int]:
        return [i for i in index.get(key, ()) if not (
            number and self.numbers.get(i) and self.numbers[i] != number)] if key else []

    def ambiguous(self, field_name: str, ids: list[int]) -> RowError:
        return RowError(field_name, _(
            "Several companies have this name (%(names)s); give the corporate number or "
            "merge the duplicates first.",
            names=", ".join(f"{self.names[i]} #{i}" for i in ids[:3])))

    def reference(self, name: str | None, number: str | None, field_name: str) -> int | NewRef:
        """A row's company reference: an existing company's id, or a company this import
        creates (one per distinct name/number in the file). RowError when ambiguous."""
        ids, _why = self.find(name, number)
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            raise self.ambiguous(field_name, ids)
        if not name:
            raise RowError(field_name, _("No company has this corporate number; give the "
                                         "company name as well."))
        key = number or "name:" + fold(name)
        ref = self.new.get(key) or self.new.get("name:" + fold(name))
        if ref is None:
            ref = NewRef("company", key, name)
            self.new[key] = ref
            self.new["name:" + fold(name)] = ref
            self.new_specs[ref] = {"name": name, "corporate_number": number}
        return ref

    def label(self, value: Any) -> str:
        if isinstance(value, NewRef):
            return _("%(name)s (new)", name=value.label)
        return self.names.get(value, plain(value)) if value is not None else ""


class CompanyRefs(KindImporter):
    """For kinds whose rows name a company: the index, the reference, and the company the
    import creates when the CRM has none by that name."""

    company_attrs = ("company_id", "employer_id")

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self._companies: CompanyIndex | None = None

    @property
    def companies(self) -> CompanyIndex:
        if self._companies is None:
            self._companies = CompanyIndex()
        return self._companies

    def company_ref(self, values: dict[str, str], name_key: str = "company_name",
                    number_key: str = "company_corporate_number") -> int | NewRef | None:
        name = text_value(values, name_key)
        number = corporate_number_value(values, number_key)
        if not name and not number:
            return None
        return self.companies.reference(name, number, name_key if name else number_key)

    def create_reference(self, ref: NewRef, created: dict[NewRef, Any]) -> Any:
        if ref not in created:
            created[ref] = save_company(None, dict(self.companies.new_specs[ref]), by=self.by)
        return created[ref]

    def ref_label(self, ref: NewRef) -> str:
        return self.companies.label(ref) if ref.model == "company" else super().ref_label(ref)

    def display(self, attr: str, value: Any) -> str:
        if attr in self.company_attrs:
            return self.companies.label(value)
        return super().display(attr, value)


@register
class CompanyImporter(CompanyRefs):
    kind = "companies"
    model = Company
    attrs = COMPANY_FIELDS.names("importable")
    to_notes = ("address",)
    checks_near = True

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self._users: dict[str, Any] | None = None
        self._officers: dict[int, int] | None = None

    def officer(self, values: dict[str, str]) -> int | None:
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
        data: dict[str, Any] = {
            "corporate_number": corporate_number_value(values, "corporate_number"),
            "country": country_value(values, "country"),
            "hq_country": country_value(values, "hq_country"),
            "size": enum_value(values, "size", COMPANY_SIZES, {
                "中小企業": "sme", "大企業": "large", "スタートアップ": "startup",
                "ベンチャー": "startup"}),
            "membership_tier": enum_value(values, "membership_tier", MEMBERSHIP_TIERS),
            "status": enum_value(values, "status", COMPANY_STATUSES),
        }
        # Every other importable column (the field table's) by its type: text, dates ...
        for key in self.attrs:
            if key not in data and key not in ("notes", "officer_id"):
                data[key] = self.column_value(values, key)
        # The company rules the form's save checks (crm.companies.services.COMPANY_RULES).
        problems = company_problems(data)
        if problems:
            key, message = next(iter(problems.items()))
            raise RowError(key, message)
        data["notes"] = self.notes_with_extras(values)
        data["officer_id"] = self.officer(values)
        return present(data)

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        # Two rows with one name but different corporate numbers are two companies.
        if data.get("corporate_number"):
            return [("corporate_number", data["corporate_number"])]
        return [("name", fold(data["name"]))]

    def match(self, data: dict[str, Any]) -> int | None:
        ids, _why = self.companies.find(data["name"], data.get("corporate_number"))
        if len(ids) > 1:
            raise self.companies.ambiguous("name", ids)
        record_id = ids[0] if ids else None
        self._check_officer_change(data, record_id)
        return record_id

    def near(self, data: dict[str, Any]) -> str | None:
        found = find_company(data["name"])
        similar = found.near or found.exact
        if similar:
            return ", ".join(f"{c.name} #{c.id}" for c in similar[:3])
        return None

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        data = dict(data)
        if record is not None:  # the service needs these even when they do not change
            data.setdefault("name", record.name)
            data.setdefault("corporate_number", record.corporate_number)
        if "officer_id" in data:
            data["override_reason"] = _("Imported from a file")
        return save_company(record, data, by=self.by)

    def bulk_create(self, data: dict[str, Any]) -> Any | None:
        """A new company without an officer, built as save_company builds one (its checks
        were made by plan: the company rules, a unique corporate number) but flushed in
        chunks rather than one row at a time. The audit trail and the search-index outbox are
        flush hooks, so they are written the same way. None when the row needs the service."""
        if data.get("officer_id") is not None:
            return None
        return build_company(None, dict(data))

    def display(self, attr: str, value: Any) -> str:
        if attr == "officer_id":
            if self._users is None:
                return plain(value)
            return next((u.email for u in self._users.values() if u.id == value), plain(value))
        return super().display(attr, value)
