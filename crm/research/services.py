"""Creating, changing and deleting departments, researchers and research seeds."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.common.services import ValidationError, apply
from crm.common.text import hira_to_kata, nfkc
from crm.extensions import db, utcnow
from crm.research import fields as research_fields
from crm.research.models import (
    IP_STATUSES, SEED_STATUSES, TECH_FIELDS, Department, Researcher, ResearchSeed,
    seed_researchers,
)
from importers.values import clear_romanised, same_words

DEPARTMENT_FIELDS = ("name", "name_en", "code")
#: What a form may set, from the field tables (crm/research/fields.py).
RESEARCHER_FIELDS = research_fields.RESEARCHER_FIELDS.names("editable")
SEED_FIELDS = research_fields.SEED_FIELDS.names("editable")

_KEYWORD_SPLIT = re.compile(r"[,、，;；\n\r]+")


def keyword_list(text: str | None) -> list[str]:
    """Keywords as typed (comma, 、 or line separated), blanks and repeats dropped."""
    seen: dict[str, str] = {}
    for word in _KEYWORD_SPLIT.split(text or ""):
        word = word.strip()
        if word and word.casefold() not in seen:
            seen[word.casefold()] = word
    return list(seen.values())


def can_edit_researcher(by: Any, researcher: Researcher) -> bool:
    """Research editors may edit any researcher; a researcher user their own profile only."""
    if by.can("research.edit"):
        return True
    return by.researcher_id is not None and by.researcher_id == researcher.id


def _department_exists(department_id: int | None) -> bool:
    return department_id is None or db.session.get(Department, department_id) is not None


# --- departments -----------------------------------------------------------------------------

def save_department(department: Department | None, data: dict[str, Any]) -> Department:
    """Create a department (department=None) or update one; name and code must be unique."""
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    code = nfkc(data.get("code")).upper() or None
    if not name:
        errors["name"] = _("Enter the department name.")
    else:
        holder = db.session.scalar(select(Department).where(Department.name == name))
        if holder is not None and holder is not department:
            errors["name"] = _("A department called %(name)s already exists.", name=name)
    if code:
        holder = db.session.scalar(select(Department).where(Department.code == code))
        if holder is not None and holder is not department:
            errors["code"] = _("The code %(code)s is already used by %(name)s.", code=code,
                               name=holder.name)
    if errors:
        raise ValidationError(errors)
    if department is None:
        department = Department()
        db.session.add(department)
    apply(department, {**data, "name": name, "code": code}, DEPARTMENT_FIELDS)
    db.session.flush()
    return department


def department_usage(department: Department) -> dict[str, int]:
    """How many researchers, seeds and alumni refer to a department (one query)."""
    from crm.alumni.models import Alumnus

    def count(model: Any) -> Any:
        return (select(func.count(model.id)).where(model.department_id == department.id)
                .scalar_subquery())

    row = db.session.execute(
        select(count(Researcher), count(ResearchSeed), count(Alumnus))
    ).one()
    return {"researchers": row[0], "seeds": row[1], "alumni": row[2]}


def delete_department(department: Department) -> None:
    """Delete a department nobody refers to; refused while researchers, seeds or alumni do."""
    usage = department_usage(department)
    if any(usage.values()):
        raise ValidationError({"department": _(
            "%(name)s cannot be deleted: %(researchers)s researchers, %(seeds)s research seeds "
            "and %(alumni)s alumni still belong to it. Move them to another department first.",
            name=department.name, **usage)})
    db.session.delete(department)
    db.session.flush()


# --- researchers -----------------------------------------------------------------------------

def _reading(value: Any) -> str | None:
    """Readings are kept in full-width katakana (やまだ, ﾔﾏﾀﾞ -> ヤマダ) so search finds them."""
    text = hira_to_kata(nfkc(value)) if isinstance(value, str) else ""
    return text or None


def save_researcher(researcher: Researcher | None, data: dict[str, Any]) -> Researcher:
    """Create a researcher (researcher=None) or update one."""
    errors: dict[str, str] = {}
    if not (data.get("family_name") or "").strip():
        errors["family_name"] = _("Enter the family name.")
    if not _department_exists(data.get("department_id")):
        errors["department"] = _("That department does not exist; pick another.")
    email = (data.get("email") or "").strip()
    if email and ("@" not in email or " " in email):
        errors["email"] = _("Enter a valid e-mail address.")
    # A reading in Latin letters (天野 read Amano Yoshitaka) is the name in Latin letters: the
    # English name when there is none; refused when the English name is another.
    data, romanised = clear_romanised(data)
    if romanised:
        name_en = data["name_en"] if "name_en" in data else getattr(researcher, "name_en", None)
        if not (name_en or "").strip():
            data["name_en"] = romanised
        elif not same_words(romanised, name_en):
            errors["family_name_reading"] = _(
                "Write the reading in kana (ひらがな or カタカナ); the name in Latin letters "
                "goes in the English name, which is %(name)s.", name=name_en)
    if errors:
        raise ValidationError(errors)
    data = dict(data)
    for key in ("family_name_reading", "given_name_reading"):
        if key in data:
            data[key] = _reading(data[key])
    if "email" in data:
        data["email"] = email.lower() or None
    if researcher is None:
        researcher = Researcher()
        db.session.add(researcher)
    apply(researcher, data, RESEARCHER_FIELDS)
    db.session.flush()
    return researcher


def researcher_usage(researcher: Researcher) -> dict[str, int]:
    """What deleting a researcher touches: the seeds naming them and a linked login."""
    from crm.auth.models import User

    row = db.session.execute(select(
        select(func.count()).select_from(seed_researchers)
        .where(seed_researchers.c.researcher_id == researcher.id).scalar_subquery(),
        select(func.count(User.id)).where(User.researcher_id == researcher.id)
        .scalar_subquery(),
    )).one()
    return {"seeds": row[0], "users": row[1]}


def delete_researcher(researcher: Researcher) -> None:
    """Delete a researcher: their seeds stay (without them), a linked login is unlinked."""
    from crm.auth.models import User

    for user in db.session.execute(
            select(User).where(User.researcher_id == researcher.id)).scalars():
        user.researcher_id = None
    researcher.seeds = []
    db.session.delete(researcher)
    db.session.flush()


# --- research seeds --------------------------------------------------------------------------

def save_seed(seed: ResearchSeed | None, data: dict[str, Any], *,
              by: Any = None) -> ResearchSeed:
    """Create a seed (seed=None) or update one, with its researchers (data["researcher_ids"]).

    An editor without research.edit (a researcher editing their own seed) must stay named on it.
    """
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Enter the title of the seed.")
    readiness = data.get("readiness")
    if readiness is not None:
        try:
            readiness = int(readiness)
        except (TypeError, ValueError):
            readiness = 0
        if not 1 <= readiness <= 9:
            errors["readiness"] = _("Readiness is a technology readiness level from 1 (basic "
                                    "principles) to 9 (proven in operation).")
    if data.get("ip_status") is not None and data["ip_status"] not in IP_STATUSES:
        errors["ip_status"] = _("Pick an IP status from the list.")
    if data.get("status") is not None and data["status"] not in SEED_STATUSES:
        errors["status"] = _("Pick a status from the list.")
    if not _department_exists(data.get("department_id")):
        errors["department"] = _("That department does not exist; pick another.")
    tags = data.get("tech_fields")
    if isinstance(tags, str):
        tags = tags.split()
    unknown = sorted(set(tags or []) - set(TECH_FIELDS))
    if unknown:
        errors["tech_fields"] = _("Unknown emerging-technology fields: %(fields)s.",
                                  fields=", ".join(unknown))
    ids = list(dict.fromkeys(int(i) for i in data.get("researcher_ids") or []))
    researchers: list[Researcher] = []
    if ids:
        found = {r.id: r for r in db.session.execute(
            select(Researcher).where(Researcher.id.in_(ids))).scalars()}
        missing = [i for i in ids if i not in found]
        if missing:
            errors["researchers"] = _("These researchers no longer exist: %(ids)s.",
                                      ids=", ".join(f"#{i}" for i in missing))
        researchers = [found[i] for i in ids if i in found]
    if by is not None and not by.can("research.edit") and \
            by.researcher_id not in ids:
        errors["researchers"] = _("Keep yourself among the researchers: you can only edit "
                                  "seeds you are named on.")
    if errors:
        raise ValidationError(errors)

    if seed is None:
        seed = ResearchSeed(ip_status="none", status="available", government_funded=False)
        db.session.add(seed)
    values = {**data, "title": title, "readiness": readiness}
    if "tech_fields" in values:
        values["tech_fields"] = " ".join(f for f in TECH_FIELDS if f in set(tags or [])) or None
    if "government_funded" in values:
        values["government_funded"] = bool(values["government_funded"])
    apply(seed, values, SEED_FIELDS)
    if "researcher_ids" in data:
        seed.researchers = researchers
    seed.updated_at = utcnow()
    db.session.flush()
    return seed


def delete_seed(seed: ResearchSeed) -> None:
    """Delete a research seed (its researchers stay)."""
    seed.researchers = []
    db.session.delete(seed)
    db.session.flush()
