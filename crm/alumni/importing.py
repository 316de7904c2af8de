"""Importing alumni (卒業生): the alumni office's lists."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.alumni.models import DEGREES, Alumnus
from crm.alumni.services import save_alumnus
from crm.common.text import nfkc
from crm.companies.importing import CompanyRefs
from crm.contacts.importing import PersonReadings
from crm.extensions import db
from crm.imports.kinds import (
    RowError,
    country_value,
    enum_value,
    int_value,
    name_key,
    person_names,
    present,
    register,
    text_value,
)
from crm.research.importing import DepartmentRefs
from importers.base import ParsedRow


@register
class AlumnusImporter(PersonReadings, DepartmentRefs, CompanyRefs):
    kind = "alumni"
    model = Alumnus
    attrs = ("family_name", "given_name", "family_name_reading", "given_name_reading", "email",
             "degree", "graduation_year", "department_id", "employer_id", "position", "country",
             "notes")

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self.by_email: dict[str, int] = {}
        self.by_name: dict[tuple[str, str, int | None], int] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        for id_, email, family, given, year in db.session.execute(select(
                Alumnus.id, Alumnus.email, Alumnus.family_name, Alumnus.given_name,
                Alumnus.graduation_year).order_by(Alumnus.id.desc())):
            if email:
                self.by_email[email.lower()] = id_
            self.by_name[(name_key(family), name_key(given), year)] = id_

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = person_names(values)
        if not data["family_name"]:
            raise RowError("family_name", _("Enter the family name."))
        self.readings(values, data)
        data["degree"] = enum_value(values, "degree", DEGREES, {
            "学士": "bachelor", "修士": "master", "博士": "doctor", "学部": "bachelor",
            "bsc": "bachelor", "ba": "bachelor", "msc": "master", "ma": "master",
            "phd": "doctor", "その他": "other"})
        year = int_value(values, "graduation_year")
        if year is not None and not 1900 <= year <= 2100:
            raise RowError("graduation_year", _("Enter a year between 1900 and 2100."))
        data["graduation_year"] = year
        email = nfkc(values.get("email")).lower()
        if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            raise RowError("email", _("This does not look like an e-mail address."))
        data["email"] = email or None
        data["department_id"] = self.department(values)
        data["employer_id"] = self.company_ref(values, "employer", "_none")
        data["position"] = text_value(values, "position")
        data["country"] = country_value(values, "country")
        data["notes"] = text_value(values, "notes")
        return present(data)

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        keys: list[tuple[str, Any]] = [("email", data["email"])] if data.get("email") else []
        return keys + [("family_name", (name_key(data["family_name"]),
                                        name_key(data.get("given_name")),
                                        data.get("graduation_year")))]

    def match(self, data: dict[str, Any]) -> int | None:
        if data.get("email") and data["email"] in self.by_email:
            return self.by_email[data["email"]]
        return self.by_name.get((name_key(data["family_name"]), name_key(data.get("given_name")),
                                 data.get("graduation_year")))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        if record is not None:
            # The service checks the whole record: start from what is stored.
            data = {**{k: getattr(record, k) for k in self.attrs}, **data}
        return save_alumnus(record, data)
