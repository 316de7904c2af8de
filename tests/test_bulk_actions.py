"""Bulk actions on the rows ticked on a list page (issue 17): assign an officer to companies
(managers, by the 7–10 rule), export the selection, mark tasks done. One transaction each:
one refused row refuses the batch, naming the row, and nothing is written."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies.models import Company
from crm.extensions import db
from crm.liaison import services as liaison
from crm.liaison.models import PortfolioAssignment
from crm.tasks import services as tasks
from crm.tasks.models import Task
from tests.factories import make_user


def officer_of(company_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get(Company, company_id).officer_id


def bulk_entries(action: str) -> list[AuditEntry]:
    return [e for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "bulk_actions")) if e.changes["action"][1] == action]


def test_manager_assigns_ticked_companies_to_an_officer(login, users, make_company):
    a, b, c = (make_company(name=n) for n in ("株式会社アルファ", "株式会社ベータ", "株式会社ガンマ"))
    client = login("manager")
    page = client.get("/companies/").get_data(as_text=True)
    assert 'data-select-all="bulk-companies"' in page
    response = client.submit("/companies/bulk", {"ids": [a.id, c.id],
                                                 "officer": users["liaison"].id},
                             button="assign", follow_redirects=True)
    assert response.status_code == 200
    assert "Assigned 2 companies." in response.get_data(as_text=True)
    assert officer_of(a.id) == officer_of(c.id) == users["liaison"].id
    assert officer_of(b.id) is None
    entry, = bulk_entries("assign")
    assert entry.changes["ids"][1] == [a.id, c.id] and entry.user_id == users["manager"].id
    # each assignment is in the trail as a single one would be
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "portfolio_assignments")) == 2
    trail = client.get("/audit/?entity=bulk_actions").get_data(as_text=True)
    assert "Bulk assign on companies (2 rows)" in trail


def test_a_refused_row_refuses_the_whole_batch(login, users, make_company):
    officer = users["liaison"]
    held = [make_company(name=f"保有会社{i}") for i in range(9)]
    for company in held:
        liaison.assign_company(company, officer, by=None)
    db.session.commit()
    first, second = make_company(name="株式会社十番目"), make_company(name="株式会社十一番目")
    client = login("manager")
    client.get("/companies/?q=番目")
    response = client.submit("/companies/bulk", {"ids": [first.id, second.id],
                                                 "officer": officer.id},
                             button="assign", follow_redirects=True)
    text = response.get_data(as_text=True)
    # the 10th fits, the 11th does not: nothing is written, and the refusal names the 11th
    assert "Nothing was changed" in text and "株式会社十一番目" in text and "limit" in text
    assert officer_of(first.id) is None and officer_of(second.id) is None
    assert liaison.portfolio_size(officer.id) == 9
    assert not bulk_entries("assign")
    # with a reason, as for a single assignment, the manager may go past 10
    client.get("/companies/?q=番目")
    client.submit("/companies/bulk", {"ids": [first.id, second.id], "officer": officer.id,
                                      "override_reason": "展示会の担当"}, button="assign")
    assert officer_of(second.id) == officer.id
    assert liaison.portfolio_size(officer.id) == 11


def test_wrong_role_cannot_assign_and_sees_no_assign_form(login, users, make_company):
    company = make_company()
    client = login("liaison")
    page = client.get("/companies/").get_data(as_text=True)
    assert 'value="assign"' not in page and 'value="export"' in page  # may export, not assign
    response = client.forge("/companies/bulk", {"action": "assign", "ids": [company.id],
                                                "officer": users["liaison"].id})
    assert response.status_code == 403
    assert officer_of(company.id) is None
    researcher = login("researcher")
    assert 'name="ids"' not in researcher.get("/companies/").get_data(as_text=True)
    assert researcher.forge("/companies/bulk", {"action": "export", "ids": [company.id]}
                            ).status_code == 403


def test_forged_and_huge_ids_are_refused_without_writing(login, users, make_company):
    company = make_company()
    client = login("manager")
    client.get("/companies/")
    for bad in ("99999999999999999999999", "abc", "-1"):
        response = client.forge("/companies/bulk", {"action": "assign", "ids": [company.id, bad],
                                                    "officer": users["liaison"].id})
        assert response.status_code == 400, bad
    response = client.forge("/companies/bulk", {"action": "assign",
                                                "ids": [company.id, 2**31 - 1],
                                                "officer": users["liaison"].id},
                            follow_redirects=True)
    assert "Company #2147483647" in response.get_data(as_text=True)
    assert officer_of(company.id) is None
    assert client.forge("/companies/bulk", {"action": "delete-all", "ids": [company.id]}
                        ).status_code == 400
    assert client.forge("/companies/bulk", {"action": "assign", "ids": [company.id],
                                            "officer": "99999999999999"},
                        follow_redirects=True).status_code == 200
    assert officer_of(company.id) is None


def test_export_of_the_selection_is_only_the_ticked_rows_formula_safe_and_audited(
        login, make_company):
    a = make_company(name="=HYPERLINK(\"http://x\")")
    b = make_company(name="株式会社ベータ")
    make_company(name="株式会社ガンマ")
    client = login("liaison")
    client.get("/companies/")
    response = client.submit("/companies/bulk", {"ids": [a.id, b.id], "format": "csv"},
                             button="export")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    names = sorted(r[0] for r in rows[1:])
    assert names == sorted(["'=HYPERLINK(\"http://x\")", "株式会社ベータ"])
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "exports")).one()
    assert entry.changes["selection"][1] == [a.id, b.id] and entry.changes["rows"][1] == 2


def test_nothing_ticked_says_so(login, make_company):
    make_company()
    client = login("manager")
    client.get("/companies/")
    response = client.submit("/companies/bulk", button="export", follow_redirects=True)
    assert "Tick at least one row first." in response.get_data(as_text=True)


def add_task(owner, title):
    task = tasks.create_task({"title": title, "due_on": None, "owner_id": owner.id}, by=None)
    db.session.commit()
    return task


def status(task_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Task, task_id).status


def test_mark_ticked_tasks_done_on_my_tasks(login, users):
    me = users["liaison"]
    one, two, three = (add_task(me, t) for t in ("見積を送る", "Call back", "Book a room"))
    client = login("liaison")
    client.get("/tasks/")
    response = client.submit("/tasks/bulk-done", {"ids": [one.id, three.id]},
                             follow_redirects=True)
    assert "Marked 2 tasks done." in response.get_data(as_text=True)
    assert (status(one.id), status(two.id), status(three.id)) == ("done", "open", "done")
    done = db.session.get(Task, one.id)
    assert done.done_by_id == me.id
    assert bulk_entries("done")[0].changes["ids"][1] == [one.id, three.id]


def test_someone_elses_task_refuses_the_batch(login, users):
    mine = add_task(users["liaison"], "Mine")
    theirs = add_task(users["bd"], "他人のタスク")
    client = login("liaison")
    client.get("/tasks/")
    response = client.forge("/tasks/bulk-done", {"ids": [mine.id, theirs.id]},
                            follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Nothing was changed" in text and "他人のタスク" in text
    assert status(mine.id) == status(theirs.id) == "open"
    assert client.forge("/tasks/bulk-done", {"ids": ["1" * 30]}).status_code == 400


def test_manager_marks_team_tasks_done(login, users):
    a = add_task(users["liaison"], "Visit")
    b = add_task(users["bd"], "Quote")
    c = add_task(users["bd"], "Report")
    client = login("manager")
    client.get(f"/tasks/team?officer={users['bd'].id}")
    client.submit("/tasks/bulk-done", {"ids": [b.id]})
    assert status(b.id) == "done" and status(a.id) == "open" and status(c.id) == "open"
    # the filtered page renders no box for another officer's task
    client.get(f"/tasks/team?officer={users['bd'].id}")
    with pytest.raises(AssertionError, match="no tick-box"):
        client.submit("/tasks/bulk-done", {"ids": [a.id]})


def test_too_many_ids_is_a_400(login):
    client = login("liaison")
    client.get("/tasks/")
    assert client.forge("/tasks/bulk-done", {"ids": [str(i) for i in range(1001)]}
                        ).status_code == 400


def test_inactive_officer_refused(login, make_company):
    gone = make_user("liaison", email="gone@example.org", name="退職者", active=False)
    company = make_company()
    client = login("manager")
    client.get("/companies/")
    response = client.forge("/companies/bulk", {"action": "assign", "ids": [company.id],
                                                "officer": gone.id}, follow_redirects=True)
    assert "not an active liaison officer" in response.get_data(as_text=True)
    assert officer_of(company.id) is None
    assert not db.session.scalar(select(func.count(PortfolioAssignment.id)))
