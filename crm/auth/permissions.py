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
    EXPORT_CONTROL = "export_control"


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
    Role.EXPORT_CONTROL: N_("Export-control officer"),
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
    "import": ("Import files (a preview first, then all rows or none); each kind also needs "
               "the permission that edits it"),
    "reports.view": "See the dashboards and reports (donation charts need donations.view too)",
    "collaborations.view": "See collaborations, their pipeline and the NDA register",
    "collaborations.edit": "Open and move collaborations, sign off steps, record NDAs",
    "collaborations.override": "Move a collaboration past an unfinished step, with a reason",
    "screening.view": "See export-control screening results",
    "screening.decide": "Screen partners, record decisions, import screening lists",
    "tasks.own": "Keep a task list: create, change and complete own tasks; a calendar feed",
    "tasks.team": "See, assign and change every officer's tasks (the team view)",
    "glossary.edit": "Add, change and delete the Japanese–English glossary matching uses",
    "audit.view": "Read the audit trail",
    "users.manage": "Create users and change their roles",
}

_ALL = set(PERMISSIONS)
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.ADMIN: set(_ALL),
    Role.MANAGER: _ALL - {"users.manage", "screening.decide", "glossary.edit"},
    Role.LIAISON: {"tasks.own", "records.view", "records.edit", "export", "requests.submit",
                   "collaborations.view", "collaborations.edit", "screening.view"},
    Role.BD: {"tasks.own", "records.view", "records.edit", "records.delete", "research.edit",
              "export", "import", "requests.submit", "requests.work", "collaborations.view",
              "collaborations.edit", "screening.view"},
    # A researcher edits seeds they are named on (checked per record), and asks the BD team.
    Role.RESEARCHER: {"tasks.own", "records.view", "requests.submit"},
    Role.STAFF: {"tasks.own", "records.view", "records.edit", "export", "requests.submit",
                 "reports.view"},
    # 安全保障貿易管理担当: screens partners; sees collaborations to check them, edits none.
    Role.EXPORT_CONTROL: {"tasks.own", "records.view", "export", "requests.submit",
                          "collaborations.view", "screening.view", "screening.decide"},
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
