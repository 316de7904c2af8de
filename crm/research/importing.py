"""Importing researchers and research seeds, and the department references people make."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.common.text import fold_text, nfkc
from crm.contacts.importing import PeopleByName
from crm.extensions import db
from crm.imports.kinds import (
    KindImporter,
    RowError,
    bool_value,
    enum_value,
    int_value,
    name_key,
    plain,
    present,
    register,
    text_value,
)
from crm.research.fields import RESEARCHER_FIELDS, SEED_FIELDS
from crm.research.models import IP_STATUSES, SEED_STATUSES, Department, Researcher, ResearchSeed
from crm.research.services import save_researcher, save_seed
from importers.base import ParsedRow


class DepartmentRefs(KindImporter):
    """For kinds whose rows name a department (by name, English name or code)."""

    _departments: dict[str, int] | None = None
    department_names: dict[int, str] = {}

    def department(self, values: dict[str, str], key: str = "department") -> int | None:
        """A department by name, English name or code; RowError when there is none."""
        text = nfkc(values.get(key))
        if not text:
            return None
        if self._departments is None:
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

    def display(self, attr: str, value: Any) -> str:
        if attr == "department_id":
            return self.department_names.get(value, plain(value)) if value else ""
        return super().display(attr, value)


@register
class ResearcherImporter(PeopleByName, DepartmentRefs):
    kind = "researchers"
    model = Researcher
    attrs = RESEARCHER_FIELDS.names("importable")
    also = "department_id"

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        data = self.person(values)
        for key in ("name_en", "lab", "title", "keywords", "profile"):
            data[key] = text_value(values, key)
        email = nfkc(values.get("email")).lower()
        if email and ("@" not in email or " " in email):
            raise RowError("email", _("Enter a valid e-mail address."))
        data["email"] = email or None
        data["department_id"] = self.department(values)
        return present(data)

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        if record is not None:
            data = {"family_name": record.family_name, **data}
        return save_researcher(record, data)


@register
class SeedImporter(DepartmentRefs):
    kind = "seeds"
    model = ResearchSeed
    #: The table's importable columns, and the seed's researchers (a link, not a column).
    attrs = (*SEED_FIELDS.names("importable"), "researcher_ids")

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self.by_title: dict[tuple[str, int | None], int] = {}
        self.researchers: dict[str, list[int]] = defaultdict(list)
        self.researcher_names: dict[int, str] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        for id_, title, dept in db.session.execute(select(
                ResearchSeed.id, ResearchSeed.title, ResearchSeed.department_id)
                .order_by(ResearchSeed.id.desc())):
            self.by_title[(fold_text(title).strip(), dept)] = id_
        for r in db.session.scalars(select(Researcher)):
            self.researcher_names[r.id] = r.display_name
            keys = {name_key(r.family_name) + name_key(r.given_name),
                    name_key(r.given_name) + name_key(r.family_name)}
            if r.email:
                keys.add(r.email.lower())
            if r.name_en:
                keys.add(name_key(r.name_en))
            for key in keys - {""}:
                self.researchers[key].append(r.id)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {"title": text_value(values, "title")}
        for key in ("abstract", "keywords"):
            data[key] = text_value(values, key)
        data["department_id"] = self.department(values)
        readiness = int_value(values, "readiness")
        if readiness is not None and not 1 <= readiness <= 9:
            raise RowError("readiness", _("Readiness is a technology readiness level from 1 "
                                          "(basic principles) to 9 (proven in operation)."))
        data["readiness"] = readiness
        data["ip_status"] = enum_value(values, "ip_status", IP_STATUSES, {
            "なし": "none", "出願中": "filed", "出願済": "filed", "登録": "granted",
            "取得済": "granted", "ライセンス済": "licensed"})
        data["status"] = enum_value(values, "status", SEED_STATUSES)
        data["government_funded"] = bool_value(values, "government_funded")
        if values.get("researchers"):
            ids = []
            for part in re.split(r"[;；\n]+", values["researchers"]):
                key = nfkc(part).lower() if "@" in part else name_key(part)
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
        return present(data)

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
        if record is not None:
            data = {"title": record.title, **data}
        return save_seed(record, data)
