"""Importing alumni (卒業生): the alumni office's lists."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from crm.alumni.fields import ALUMNUS_FIELDS
from crm.alumni.models import DEGREES, Alumnus
from crm.alumni.services import save_alumnus
from crm.common.text import nfkc
from crm.companies.importing import CompanyRefs
from crm.contacts.importing import PeopleByName
from crm.imports.kinds import (
    RowError,
    country_value,
    enum_value,
    int_value,
    present,
    register,
    text_value,
)
from crm.research.importing import DepartmentRefs
from importers.values import take_romanised, with_line


@register
class AlumnusImporter(PeopleByName, DepartmentRefs, CompanyRefs):
    kind = "alumni"
    model = Alumnus
    attrs = ALUMNUS_FIELDS.names("importable")

    also = "graduation_year"

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        values, romanised = take_romanised(values)  # a romaji "reading": kept in the notes
        data = self.person(values)
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
        data["notes"] = with_line(text_value(values, "notes"), romanised)
        return present(data)

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        if record is not None:
            # The service checks the whole record: start from what is stored.
            data = {**{k: getattr(record, k) for k in self.attrs}, **data}
        return save_alumnus(record, data)
