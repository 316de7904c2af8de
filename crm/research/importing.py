"""Importing researchers and research seeds, and the department references people make."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from crm.research.models import (
    IP_STATUSES, SEED_STATUSES, Department, Researcher, ResearchSeed, seed_researchers,
)
from crm.research.services import keyword_list, save_researcher, save_seed
from importers.base import ParsedRow
from importers.values import romanised_note, romanised_reading, same_words, with_line


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

    def same(self, attr: str, old: Any, new: Any) -> bool:
        """An English name with its words in another order is the same name: a romaji
        reading (Amano Yoshitaka) never overwrites the stored Yoshitaka Amano."""
        return attr == "name_en" and bool(old) and bool(new) and same_words(old, new)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        # A romaji "reading" (天野 read Amano Yoshitaka) is the name in Latin letters: the
        # English name when the row has none, else a line of the profile unless the same.
        values, romanised = romanised_reading(values)
        data = self.person(values)
        for key in ("name_en", "lab", "title", "keywords", "profile"):
            data[key] = text_value(values, key)
        if romanised and not data["name_en"]:
            data["name_en"] = romanised
        elif romanised and not same_words(romanised, data["name_en"]):
            data["profile"] = with_line(data["profile"], romanised_note(romanised))
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


@register
class ResearchmapImporter(ResearcherImporter):
    """A researcher of a researchmap file (importers/researchmap.py reads it) with their
    keywords, research areas, profile and research projects, the projects becoming research
    seeds named on them.

    A row finds its researcher by researchmap ID, else by e-mail, else by name and department
    (a researcher there with another researchmap ID is another person). Importing the same file
    again changes nothing; a newer one updates what researchmap last wrote. A value the office
    changed by hand since (or typed before the first import) is never overwritten: even with the
    "update" policy it is listed as kept (`kept`), like merge's conflicts. Projects are only
    ever added: a seed of that title already named on the researcher, or one of that title in
    their department, is reused and linked."""

    kind = "researchmap"
    attrs = (*RESEARCHER_FIELDS.names("importable"), "researchmap_id", "projects")
    also_counts = {
        "seeds_created": _l("Seeds created from projects"),
        "seeds_linked": _l("Seeds linked to a researcher"),
        "keywords_added": _l("Keywords added"),
        "keywords_updated": _l("Researchers with updated keywords"),
    }

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self.by_rmap: dict[str, int] = {}
        self.rmap_of: dict[int, str] = {}
        #: researcher id -> folded titles of the seeds named on them
        self.seed_titles: dict[int, set[str]] = defaultdict(set)
        self._seed_ids: dict[str, list[int]] | None = None

    def preload(self, rows: list[ParsedRow]) -> None:
        super().preload(rows)
        for id_, rm_id in db.session.execute(select(Researcher.id, Researcher.researchmap_id)
                                             .where(Researcher.researchmap_id.is_not(None))):
            self.by_rmap[rm_id.casefold()] = id_
            self.rmap_of[id_] = rm_id
        for researcher_id, title in db.session.execute(
                select(seed_researchers.c.researcher_id, ResearchSeed.title)
                .join(ResearchSeed, ResearchSeed.id == seed_researchers.c.seed_id)):
            self.seed_titles[researcher_id].add(fold_text(title).strip())
        # the projects earlier imports made seeds of (a seed renamed by hand since is not new)
        for id_, written in db.session.execute(
                select(Researcher.id, Researcher.researchmap_values)
                .where(Researcher.researchmap_values.is_not(None))):
            projects = _json_dict(written).get(PROJECTS_KEY)
            if isinstance(projects, list):
                self.seed_titles[id_].update(str(p) for p in projects)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        departments = [line for line in (values.get("department") or "").splitlines()
                       if line.strip()]
        data = super().clean({k: v for k, v in values.items() if k != "department"})
        for name in departments:
            try:
                data["department_id"] = self.department({"department": name})
                break
            except RowError:
                continue  # a section of another institution, or not one of ours
        rm_id = nfkc(values.get("researchmap_id"))
        if rm_id:
            data["researchmap_id"] = rm_id
        if values.get("projects"):
            try:
                projects = json.loads(values["projects"])
            except ValueError:
                raise RowError("projects", _("The research projects cannot be read.")) from None
            data["projects"] = [p for p in projects if isinstance(p, dict) and p.get("title")]
        return data

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        own = [("researchmap_id", data["researchmap_id"].casefold())] \
            if data.get("researchmap_id") else []
        return own + super().keys(data)

    def match(self, data: dict[str, Any]) -> int | None:
        rm_id = data.get("researchmap_id")
        found = self.by_rmap.get(rm_id.casefold()) if rm_id else None
        if found is None and data.get("email") and data["email"] in self.by_email:
            found = self.by_email[data["email"]]
            other = self.rmap_of.get(found)
            if rm_id and other and other.casefold() != rm_id.casefold():
                raise RowError("email", _(
                    "The researcher with this e-mail has another researchmap ID (%(other)s).",
                    other=other))
        if found is None:
            found = self.by_name.get(self._name(data))
            other = self.rmap_of.get(found) if found is not None else None
            if rm_id and other and other.casefold() != rm_id.casefold():
                found = None  # a namesake in the same department: another person
        if found is not None and data.get("projects"):
            # Only the projects not yet among the researcher's seeds are news.
            known = self.seed_titles.get(found, set())
            data["projects"] = [p for p in data["projects"]
                                if not known & set(_project_keys(p))]
            if not data["projects"]:
                del data["projects"]
        return found

    def current(self, record: Any, attr: str) -> Any:
        return None if attr == "projects" else getattr(record, attr)

    def kept(self, record: Any, attr: str) -> bool:
        """Changed by hand: a value researchmap did not write last time (or nobody did)."""
        if attr in ("projects", "researchmap_id"):
            return False
        written = _json_dict(record.researchmap_values)
        return attr not in written or written[attr] != getattr(record, attr)

    def display(self, attr: str, value: Any) -> str:
        if attr == "projects":
            return "; ".join(p["title"] for p in value or [])
        if attr == "keywords" and value:
            return ", ".join(word.strip() for word in str(value).splitlines() if word.strip())
        return super().display(attr, value)

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        data = dict(data)
        projects = data.pop("projects", None) or []
        rm_id = data.pop("researchmap_id", None)
        written = _json_dict(record.researchmap_values) if record is not None else {}
        if "keywords" in data:
            self._count_keywords(record.keywords if record is not None else None,
                                 data["keywords"])
        researcher = super().save(record, data)
        if rm_id:
            researcher.researchmap_id = rm_id
        # what was written now, as the service stored it (readings in katakana ...); the values
        # kept as the office typed them keep what researchmap said before
        written.update({k: getattr(researcher, k) for k in data if k in self.attrs})
        if projects:
            done = written.get(PROJECTS_KEY) if isinstance(written.get(PROJECTS_KEY), list) else []
            written[PROJECTS_KEY] = sorted({*map(str, done), *(
                key for p in projects for key in _project_keys(p))})
        researcher.researchmap_values = json.dumps(written, ensure_ascii=False)
        self._save_projects(researcher, projects)
        return researcher

    def _count_keywords(self, old: str | None, new: str | None) -> None:
        before = {word.casefold() for word in keyword_list(old)}
        after = keyword_list(new)
        self.tally["keywords_added"] += sum(word.casefold() not in before for word in after)
        if before and before != {word.casefold() for word in after}:
            self.tally["keywords_updated"] += 1

    def _seeds_by_title(self) -> dict[str, list[int]]:
        """folded title -> seed ids (loaded once, in one query; kept up to date as seeds are
        made)."""
        if self._seed_ids is None:
            self._seed_ids = defaultdict(list)
            for id_, title in db.session.execute(
                    select(ResearchSeed.id, ResearchSeed.title).order_by(ResearchSeed.id)):
                self._seed_ids[fold_text(title).strip()].append(id_)
        return self._seed_ids

    def _save_projects(self, researcher: Researcher, projects: list[dict[str, Any]]) -> None:
        by_title = self._seeds_by_title()
        for project in projects:
            key = fold_text(project["title"]).strip()
            seed = next((s for s in (db.session.get(ResearchSeed, i) for i in by_title.get(key, []))
                         if s is not None and (researcher in s.researchers
                                               or s.department_id == researcher.department_id)),
                        None)
            if seed is not None:
                if researcher not in seed.researchers:
                    save_seed(seed, {"title": seed.title, "researcher_ids": [
                        *(r.id for r in seed.researchers), researcher.id]})
                    self.tally["seeds_linked"] += 1
                continue
            seed = save_seed(None, {
                "title": project["title"][:300], "abstract": project.get("abstract") or None,
                "keywords": researcher.keywords, "department_id": researcher.department_id,
                "government_funded": bool(project.get("government_funded")),
                "researcher_ids": [researcher.id]})
            by_title[key].append(seed.id)
            self.seed_titles[researcher.id].add(key)
            self.tally["seeds_created"] += 1


#: researchmap_values' entry for the projects imported: their researchmap ids and titles.
PROJECTS_KEY = "_projects"


def _project_keys(project: dict[str, Any]) -> list[str]:
    """How a project is known again: its researchmap id, its folded title."""
    keys = [fold_text(project["title"]).strip()]
    if project.get("id"):
        keys.append(f"rm:{project['id']}")
    return keys


def _json_dict(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
