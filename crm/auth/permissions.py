"""Roles and what each may do: the one table every route and export is checked against."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    LIAISON = "liaison"
    BD = "bd"
    RESEARCHER = "researcher"
    STAFF = "staff"


def N_(message: str) -> str:
    """Mark a string for `make translations` without translating it here: the labels stay
    English in code and the CLI; templates and forms translate them with _()."""
    return message


ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.MANAGER: N_("Manager"),
    Role.LIAISON: N_("Liaison officer"),
    Role.BD: N_("Business development"),
    Role.RESEARCHER: N_("Researcher"),
    Role.STAFF: N_("Staff"),
}

#: Every permission the application checks. "records" are companies, contacts, events,
#: encounters, activities, alumni, departments, researchers and research seeds.
PERMISSIONS = {
    "records.view": "See companies, contacts, events, encounters, activities, alumni and research",
    "records.edit": "Create and edit companies, contacts, events, encounters, activities, alumni",
    "records.delete": "Delete those records",
    "research.edit": "Create and edit departments, researchers and seeds",
    "donations.view": "See donations and donation totals",
    "donations.edit": "Record, edit and delete donations",
    "portfolio.manage": "Assign companies and departments to officers; see every officer's load",
    "requests.submit": "Ask the business-development team to record a contact; see own requests",
    "requests.work": "Work the data-entry queue: claim, enter, send back",
    "export": "Export lists",
    "audit.view": "Read the audit trail",
    "users.manage": "Create users and change their roles",
}

_ALL = set(PERMISSIONS)
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.ADMIN: set(_ALL),
    Role.MANAGER: _ALL - {"users.manage"},
    Role.LIAISON: {"records.view", "records.edit", "export", "requests.submit"},
    Role.BD: {"records.view", "records.edit", "records.delete", "research.edit", "export",
              "requests.submit", "requests.work"},
    # A researcher edits seeds they are named on (checked per record), and asks the BD team.
    Role.RESEARCHER: {"records.view", "requests.submit"},
    Role.STAFF: {"records.view", "records.edit", "export", "requests.submit"},
}


def permissions_for(roles: set[str]) -> set[str]:
    """The union of the permissions of the given role names."""
    granted: set[str] = set()
    for name in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(name)]
        except ValueError:
            continue
    return granted
