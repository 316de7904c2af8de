"""Walks every route with every role: the server enforces the role table, and the README says it."""
from __future__ import annotations

import re
from datetime import date
import importlib
from pathlib import Path

import pytest

from crm.auth.permissions import PERMISSIONS, ROLE_PERMISSIONS, Role
from crm.extensions import db

#: Routes anyone may reach (the login page needs no login; the rest check the user themselves).
PUBLIC = {"static", "bootstrap.static", "auth.login", "main.healthz", "main.readyz",
          "main.language", "reports.plotly_js",
          # A calendar app fetches it without a session: its secret token says whose it is.
          "tasks.feed"}
#: Routes for any logged-in user, whatever their role.
#: (main.suggest and main.quick check each kind's permission themselves.)
ANY_USER = {"auth.logout", "auth.me", "main.quick", "main.suggest", "notify.settings"}


def _records(submitter_id: int):
    """One of every kind of record, with the ids routes take; the data-entry request is the
    logged-in user's own (others' requests are refused by a record-level rule)."""
    from crm.activities.models import Activity
    from crm.alumni.models import Alumnus
    from crm.auth.models import User
    from crm.companies.models import Company
    from crm.contacts.models import Contact
    from crm.donations.models import Donation
    from crm.events.models import Encounter, Event
    from crm.requests.models import DataEntryRequest
    from crm.research.models import Department, Researcher, ResearchSeed

    company = Company(name="Walk K.K.", name_folded="walk", country="JP", status="active")
    dept = Department(name="工学部", code="ENG")
    researcher = Researcher(family_name="研究", given_name="者", department=dept)
    seed = ResearchSeed(title="Seed", department=dept, researchers=[researcher])
    contact = Contact(family_name="山田", given_name="太郎", company=company)
    event = Event(name="CEATEC", kind="trade_show", starts_on=date(2026, 10, 14))
    encounter = Encounter(event=event, contact=contact)
    activity = Activity(company=company, kind="meeting", occurred_on=date(2026, 1, 5),
                        subject="Kick-off")
    alumnus = Alumnus(family_name="卒業", given_name="生", degree="master", employer=company)
    donation = Donation(company=company, amount=10000, currency="JPY",
                        received_on=date(2026, 3, 1))
    request = DataEntryRequest(person_name="名刺 太郎", company_name="Walk K.K.",
                               submitted_by_id=submitter_id, attachment_name="card.jpg",
                               attachment_type="image/jpeg", attachment=b"\xff\xd8\xff")
    db.session.add_all([company, dept, researcher, seed, contact, event, encounter, activity,
                        alumnus, donation, request])
    db.session.commit()
    user_id = db.session.scalar(db.select(User.id).limit(1))
    ids = {
        "company_id": company.id, "contact_id": contact.id, "event_id": event.id,
        "encounter_id": encounter.id, "activity_id": activity.id, "alumnus_id": alumnus.id,
        "donation_id": donation.id, "department_id": dept.id, "researcher_id": researcher.id,
        "seed_id": seed.id, "user_id": user_id, "request_id": request.id,
        "officer_id": submitter_id,
        "lang": "en", "kind": "company", "filename": "css/app.css",
    }
    # Each feature adds the records its routes take: tests/role_records/<feature>.py defines
    # records(ids) -> dict of more URL arguments (it may add rows and commit).
    for path in sorted((Path(__file__).parent / "role_records").glob("[!_]*.py")):
        module = importlib.import_module(f"tests.role_records.{path.stem}")
        ids.update(module.records(ids))
    return ids


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_route_declares_who_may_use_it(app):
    """A route is public, for any logged-in user, or guarded by a permission from the table."""
    unguarded = [rule.endpoint for rule, view in _routes(app)
                 if rule.endpoint not in ANY_USER and getattr(view, "permission", None) is None]
    assert unguarded == []
    used = {getattr(view, "permission", None) for _, view in _routes(app)} - {None}
    assert used <= set(PERMISSIONS)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_gets_exactly_the_routes_its_permissions_allow(app, login, users, role):
    client = login(role)
    ids = _records(users[role].id)
    granted = ROLE_PERMISSIONS[Role(role)]
    checked = 0
    for rule, view in _routes(app):
        if rule.endpoint in ANY_USER:
            continue
        url = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
        allowed = view.permission in granted
        # A researcher may edit seeds they are named on: a record-level rule, tested in research.
        if "GET" in rule.methods:
            status = client.get(url).status_code
        else:
            if allowed:
                continue  # would change data; the GET of the same view checks the same guard
            status = client.forge(url).status_code  # no form: this role never sees one
        if allowed:
            assert status != 403, f"{role} refused {rule.endpoint} ({url})"
            assert status < 500, f"{role} broke {rule.endpoint} ({url}): {status}"
        else:
            assert status == 403, f"{role} reached {rule.endpoint} ({url}): {status}"
        checked += 1
    assert checked > 20


def test_readme_role_table_matches_the_code():
    """The README's role × permission table is the one the server enforces."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("<!-- roles:start -->")[1].split("<!-- roles:end -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    header = [c.strip() for c in table.splitlines()[1].strip("|").split("|")][1:]
    assert header[:len(Role)] == [r.value for r in Role]
    seen = set()
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        permission = re.sub(r"[`]", "", cells[0])
        seen.add(permission)
        for role, cell in zip(Role, cells[1:1 + len(Role)]):
            assert (cell == "✓") == (permission in ROLE_PERMISSIONS[role]), (permission, role)
    assert seen == set(PERMISSIONS)


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_every_page_without_arguments_works_on_an_empty_database(app, login, role):
    """A new office: no companies, no lists, no collaborations. Every page a menu links to opens
    (no 500), for the role that sees all and for one that sees less."""
    client = login(role)
    opened = 0
    for rule, view in _routes(app):
        if rule.arguments or "GET" not in rule.methods or rule.endpoint in ANY_USER:
            continue
        if view.permission not in ROLE_PERMISSIONS[Role(role)]:
            continue
        status = client.get(rule.build({}, append_unknown=False)[1]).status_code
        assert status < 500, f"{rule.endpoint} broke on an empty database: {status}"
        opened += 1
    assert opened > 20
