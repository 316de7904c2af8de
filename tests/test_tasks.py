"""Tasks (issue 17): written by hand, from an activity's next step and from a fair follow-up;
My tasks, the team view, done / reopen, who may see and change whose, the calendar feed."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, text

from crm.activities.models import Activity
from crm.audit.models import AuditEntry
from crm.common.time import office_today
from crm.contacts.models import Contact
from crm.events.models import Encounter
from crm.events.services import save_event
from crm.extensions import db
from crm.tasks import services
from crm.tasks.models import Task
from tests.conftest import log_in_as, make_user


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def fresh(task_id: int) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task_id)


@pytest.fixture
def company(make_company):
    return make_company(name="株式会社サンプル電機")


@pytest.fixture
def contact(company) -> Contact:
    person = Contact(family_name="佐藤", given_name="花子", company_id=company.id)
    db.session.add(person)
    db.session.commit()
    return person


def add_task(owner, title="Send the quote", due=None, **links) -> Task:
    task = services.create_task({"title": title, "due_on": due, "owner_id": owner.id, **links},
                                by=None)
    db.session.commit()
    return task


# --- writing a task by hand -----------------------------------------------------------------

def test_new_task_through_the_form_is_mine_by_default(login, users):
    client = login("liaison")
    page = client.get("/tasks/new").get_data(as_text=True)
    # The owner choice offers only the user: a liaison cannot give tasks to others.
    assert re.findall(r'<option[^>]*value="(\d+)"', page) == [str(users["liaison"].id)]
    due = (office_today() + timedelta(days=3)).isoformat()
    r = client.submit("/tasks/new", {"title": "  Send   the quote ", "due_on": due,
                                     "notes": "Ask about the budget"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/tasks/")
    task = db.session.scalars(select(Task)).one()
    assert (task.title, task.due_on.isoformat(), task.owner_id, task.created_by_id) == (
        "Send the quote", due, users["liaison"].id, users["liaison"].id)
    assert (task.status, task.source, task.notes) == ("open", "manual", "Ask about the budget")
    trail = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "tasks")).one()
    assert (trail.action, trail.actor, trail.label) == ("create", "liaison@example.org",
                                                         "Send the quote")
    assert "Send the quote" in client.get("/tasks/").get_data(as_text=True)


@pytest.mark.parametrize("fields,field,message", [
    ({"title": ""}, "title", "Enter what has to be done."),
    ({"title": "x" * 201}, "title", "Field cannot be longer than 200 characters."),
    ({"title": "Call", "due_on": "1900-01-01"}, "due_on", "Enter a due date between 2000"),
    ({"title": "Call", "due_on": "31/02/2026"}, "due_on", "Not a valid date value."),
])
def test_bad_values_are_named_beside_their_field_and_nothing_is_saved(login, fields, field,
                                                                      message):
    client = login("staff")
    r = client.submit("/tasks/new", fields, page="/tasks/new")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page and f'id="{field}"' in page
    assert count(Task) == 0


def test_a_manager_assigns_a_task_to_an_officer(login, users):
    client = login("manager")
    page = client.get("/tasks/new").get_data(as_text=True)
    assert f'value="{users["liaison"].id}"' in page  # every active user is offered
    r = client.submit("/tasks/new", {"title": "Visit Acme", "owner_id": str(users["liaison"].id)})
    assert r.status_code == 302
    task = db.session.scalars(select(Task)).one()
    assert (task.owner_id, task.created_by_id) == (users["liaison"].id, users["manager"].id)
    assert "Visit Acme" in login("liaison").get("/tasks/").get_data(as_text=True)


def test_a_forged_owner_is_refused(login, users):
    client = login("liaison")
    client.get("/tasks/new")
    r = client.forge("/tasks/new", {"title": "Theirs now", "owner_id": str(users["bd"].id)})
    assert r.status_code == 422
    assert "You can give tasks only to yourself" in r.get_data(as_text=True)
    assert count(Task) == 0


# --- "Add task" on a record's page links the task to it -------------------------------------

def _records(users):
    from tests.test_roles import _records as every_record

    return every_record(users["bd"].id)


@pytest.mark.parametrize("page,kind", [
    ("/companies/{company_id}", "company"), ("/contacts/{contact_id}", "contact"),
    ("/collaborations/{collaboration_id}", "collaboration"), ("/ndas/{nda_id}", "nda"),
    ("/requests/{request_id}", "request"),
])
def test_add_task_on_a_record_page_links_the_task_to_it(login, users, page, kind):
    ids = _records(users)
    client = login("bd")
    record_page = page.format(**ids)
    body = client.get(record_page).get_data(as_text=True)
    link = re.search(r'href="(/tasks/new\?[^"]+)"[^>]*>Add task<', body)
    assert link, f"no Add task link on {record_page}"
    r = client.submit("/tasks/new" + link.group(1).replace("&amp;", "&")[len("/tasks/new"):],
                      {"title": f"Follow {kind} up"}, page=link.group(1).replace("&amp;", "&"))
    assert r.status_code == 302 and r.headers["Location"] == record_page  # back where it began
    task = db.session.scalars(select(Task).where(Task.title == f"Follow {kind} up")).one()
    assert getattr(task, f"{kind}_id") == ids[f"{kind}_id"]
    # Such a task is also about the company (the company's timeline shows it); a request not
    # yet entered into the CRM has no company.
    assert task.company_id == (None if kind == "request" else ids["company_id"])


@pytest.mark.parametrize("query", ["company=999999", "nda=99999999999999999999999", "contact=x"])
def test_an_add_task_link_to_no_record_is_404(login, query):
    assert login("liaison").get(f"/tasks/new?{query}").status_code == 404


def test_a_link_the_user_may_not_see_is_refused(login, users, company):
    """A researcher sees no collaborations; a forged hidden field cannot link one."""
    ids = _records(users)
    client = login("researcher")
    before = count(Task)
    client.get("/tasks/new")
    r = client.forge("/tasks/new", {"title": "Peek", "owner_id": str(users["researcher"].id),
                                    "collaboration_id": str(ids["collaboration_id"])})
    assert r.status_code == 422
    assert "You cannot see that record" in r.get_data(as_text=True)
    assert count(Task) == before
    # Nor another person's data-entry request (only its submitter and the BD team see it).
    other = login("liaison")
    other.get("/tasks/new")
    r = other.forge("/tasks/new", {"title": "Peek", "owner_id": str(users["liaison"].id),
                                   "request_id": str(ids["request_id"])})
    assert r.status_code == 422
    assert db.session.scalar(select(func.count(Task.id)).where(Task.title == "Peek")) == 0


# --- My tasks -------------------------------------------------------------------------------

def test_my_tasks_overdue_first_then_this_week_later_undated_and_done_folded(login, users):
    me, today = users["liaison"], office_today()
    end_of_week = today + timedelta(days=6 - today.weekday())
    add_task(me, "Undated", None)
    add_task(me, "Later", end_of_week + timedelta(days=1))
    add_task(me, "This week", end_of_week)
    add_task(me, "Long overdue", today - timedelta(days=30))
    add_task(me, "Overdue", today - timedelta(days=1))
    done = add_task(me, "Finished", today)
    services.complete_task(done, by=me)
    add_task(users["bd"], "Someone else's", today)
    db.session.commit()
    page = login("liaison").get("/tasks/").get_data(as_text=True)
    order = [page.index(t) for t in ("Long overdue", "Overdue<", "This week<", "Later<",
                                     "Undated<")]
    assert order == sorted(order)
    assert page.index('id="tasks-overdue"') < page.index('id="tasks-week"') < page.index(
        'id="tasks-later"') < page.index('id="tasks-undated"')
    assert "Someone else" not in page
    folded = page[page.index('<details'):]
    assert "Finished" in folded and "Finished" not in page[:page.index('<details')]
    assert "2 overdue" in page and "5 open tasks" in page


def test_open_tasks_and_overdue_count_for_the_home_page(users):
    me, today = users["liaison"], office_today()
    a = add_task(me, "a", today + timedelta(days=10))
    b = add_task(me, "b", None)
    c = add_task(me, "c", today - timedelta(days=2))
    d = add_task(me, "d", today)
    add_task(users["bd"], "not mine", today - timedelta(days=2))
    assert [t.id for t in services.open_tasks(me.id)] == [c.id, d.id, a.id, b.id]
    assert [t.id for t in services.open_tasks(me.id, until=today)] == [c.id, d.id]
    assert services.overdue_count(me.id) == 1
    services.complete_task(c, by=me)
    assert services.overdue_count(me.id) == 0 and c not in services.open_tasks(me.id)


def test_mark_done_and_reopen_with_the_page_buttons(login, users):
    me = users["liaison"]
    task = add_task(me, "Send the quote", office_today())
    client = login("liaison")
    r = client.submit(f"/tasks/{task.id}/done", page="/tasks/")
    assert r.status_code == 302 and r.headers["Location"] == "/tasks/"
    task = fresh(task.id)
    assert (task.status, task.done_by_id) == ("done", me.id) and task.done_at is not None
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Done: “Send the quote”." in page
    r = client.submit(f"/tasks/{task.id}/reopen", page="/tasks/")
    assert r.status_code == 302
    task = fresh(task.id)
    assert (task.status, task.done_at, task.done_by_id) == ("open", None, None)
    actions = db.session.scalars(select(AuditEntry.changes).where(
        AuditEntry.entity == "tasks", AuditEntry.action == "update")
        .order_by(AuditEntry.id)).all()
    assert [c["status"] for c in actions] == [["open", "done"], ["done", "open"]]


def test_posts_without_the_page_token_are_refused(login, users):
    task = add_task(users["liaison"], "Call")
    client = login("liaison")
    client.get("/tasks/")
    assert client.post(f"/tasks/{task.id}/done").status_code == 400
    assert client.post(f"/tasks/{task.id}/done", data={"csrf_token": "forged"}).status_code == 400
    assert fresh(task.id).status == "open"


# --- whose tasks who may see and change -----------------------------------------------------

def test_an_officer_cannot_open_or_change_another_officers_task(app, login, users):
    theirs = add_task(users["bd"], "BD's task")
    client = login("liaison")
    assert client.get(f"/tasks/{theirs.id}/edit").status_code == 403
    assert client.forge(f"/tasks/{theirs.id}/edit", {"title": "Mine now"}).status_code == 403
    assert client.forge(f"/tasks/{theirs.id}/done").status_code == 403
    task = fresh(theirs.id)
    assert (task.title, task.status) == ("BD's task", "open")
    assert client.get("/tasks/team").status_code == 403
    with pytest.raises(PermissionError):
        services.team_tasks(by=users["liaison"])
    # A manager and an administrator may.
    for role in ("manager", "admin"):
        assert login(role).get(f"/tasks/{theirs.id}/edit").status_code == 200
    assert login("manager").submit(f"/tasks/{theirs.id}/done", page="/tasks/team").status_code \
        == 302
    assert fresh(theirs.id).done_by_id == users["manager"].id


def test_team_view_lists_everyones_open_tasks_overdue_first_and_filters_by_officer(login, users):
    today = office_today()
    add_task(users["liaison"], "Liaison later", today + timedelta(days=20))
    add_task(users["bd"], "BD overdue", today - timedelta(days=3))
    add_task(users["liaison"], "Liaison overdue", today - timedelta(days=1))
    done = add_task(users["bd"], "BD done", today)
    services.complete_task(done, by=users["bd"])
    db.session.commit()
    client = login("manager")
    page = client.get("/tasks/team").get_data(as_text=True)
    assert page.index("BD overdue") < page.index("Liaison overdue") < page.index("Liaison later")
    assert "BD done" not in page
    one = client.get(f"/tasks/team?officer={users['liaison'].id}").get_data(as_text=True)
    assert "Liaison overdue" in one and "BD overdue" not in one
    assert client.get("/tasks/team?officer=99999999").status_code == 404


def test_team_view_pages_fifty_open_tasks_at_a_time_overdue_first(login, users):
    """A team with more open tasks than a page holds: the most overdue on page 1, the rest on
    page 2 (the link keeps the officer chosen), the total in the heading."""
    today = office_today()
    for i in range(60):  # Task 00 is the most overdue
        add_task(users["liaison"] if i % 2 else users["bd"], f"Task {i:02d}",
                 today - timedelta(days=100 - i))
    add_task(users["bd"], "Undated task")
    client = login("manager")

    def titles(url: str) -> list[str]:
        return re.findall(r">(Task \d\d|Undated task)</a>", client.get(url).get_data(as_text=True))

    first = client.get("/tasks/team").get_data(as_text=True)
    assert '<span class="badge text-bg-secondary">61</span>' in first
    assert "page 1 of 2" in first and 'href="/tasks/team?page=2"' in first
    assert titles("/tasks/team") == [f"Task {i:02d}" for i in range(50)]
    assert titles("/tasks/team?page=2") == [f"Task {i:02d}" for i in range(50, 60)] + [
        "Undated task"]
    liaison = users["liaison"].id
    assert titles(f"/tasks/team?officer={liaison}") == [f"Task {i:02d}" for i in range(1, 60, 2)]
    assert "page 1 of 2" not in client.get(f"/tasks/team?officer={liaison}").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/tasks/99999999999999999999/edit", "/tasks/0/edit",
                                 "/tasks/123456789/edit"])
def test_huge_or_unknown_ids_in_urls_are_404(login, url):
    assert login("manager").get(url).status_code == 404


def test_huge_ids_in_posts_are_404(login):
    client = login("manager")
    client.get("/tasks/")
    assert client.forge("/tasks/99999999999999999999/done").status_code == 404
    assert client.forge("/tasks/4294967296/reopen").status_code == 404


def test_a_stale_form_does_not_overwrite_the_other_save(app, login, users):
    task = add_task(users["liaison"], "Send the quote", office_today())
    url = f"/tasks/{task.id}/edit"
    mine, manager = login("liaison"), login("manager")
    mine.get(url)
    manager.get(url)
    assert manager.submit(url, {"title": "Send the revised quote"}).status_code == 302
    refused = mine.submit(url, {"notes": "They want it in English"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Someone else saved this record after you opened this form." in page
    assert "Send the revised quote" in page
    task = fresh(task.id)
    assert (task.title, task.notes, task.version) == ("Send the revised quote", None, 2)


# --- from an activity: the next step --------------------------------------------------------

def test_an_activity_with_a_next_step_makes_a_task_for_its_author(login, users, company,
                                                                  contact):
    client = login("liaison")
    due = (office_today() + timedelta(days=5)).isoformat()
    r = client.submit(f"/activities/new?company={company.id}", {
        "subject": "Lab tour", "occurred_on": office_today().isoformat(),
        "contacts": [str(contact.id)], "next_step": "Send the NDA draft", "next_step_on": due},
        page=f"/activities/new?company={company.id}")
    assert r.status_code == 302
    activity = db.session.scalars(select(Activity)).one()
    task = db.session.scalars(select(Task)).one()
    assert (task.title, task.due_on.isoformat(), task.owner_id, task.source) == (
        "Send the NDA draft", due, users["liaison"].id, "activity")
    assert (task.company_id, task.contact_id) == (activity.company_id, contact.id)
    assert "Next step added to the tasks of" in client.get(r.headers["Location"]).get_data(
        as_text=True)


def test_a_next_step_date_without_a_title_saves_neither(login, company):
    client = login("liaison")
    r = client.submit(f"/activities/new?company={company.id}", {
        "subject": "Call", "occurred_on": office_today().isoformat(),
        "next_step_on": office_today().isoformat()},
        page=f"/activities/new?company={company.id}")
    assert r.status_code == 422
    assert "Say what the next step is, or clear its date." in r.get_data(as_text=True)
    assert count(Activity) == 0 and count(Task) == 0


def test_an_activity_without_a_next_step_makes_no_task(login, company):
    r = login("liaison").submit(f"/activities/new?company={company.id}", {
        "subject": "Call", "occurred_on": office_today().isoformat()},
        page=f"/activities/new?company={company.id}")
    assert r.status_code == 302 and count(Activity) == 1 and count(Task) == 0


# --- from the fair form: the follow-up is a task --------------------------------------------

@pytest.fixture
def fair(app):
    today = date.today()
    event = save_event(None, {"name": "nano tech", "starts_on": today - timedelta(days=1),
                              "ends_on": today + timedelta(days=1)})
    db.session.commit()
    return event


def test_a_follow_up_at_the_fair_is_a_task_and_one_thing_with_it(login, users, fair):
    client = login("liaison")
    due = (date.today() + timedelta(days=7)).isoformat()
    r = client.submit("/events/fair", {
        "event": str(fair.id), "family_name": "山田", "given_name": "太郎",
        "company": "株式会社ABC", "email": "taro@abc.example.jp", "follow_up_by": due},
        page="/events/fair")
    assert r.status_code == 302
    encounter = db.session.scalars(select(Encounter)).one()
    task = db.session.scalars(select(Task)).one()
    assert (task.source, task.owner_id, task.encounter_id, task.due_on.isoformat()) == (
        "fair", users["liaison"].id, encounter.id, due)
    assert (task.contact_id, task.company_id) == (encounter.contact_id,
                                                  encounter.contact.company_id)
    assert task.title == "Follow up with 山田 太郎 (nano tech)"
    # Done in My tasks: the follow-up is done on the event's page too.
    assert client.submit(f"/tasks/{task.id}/done", page="/tasks/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Encounter, encounter.id).follow_up_done is True
    # Reopened: the follow-up is open again; ticked off on the event page: the task is done.
    client.submit(f"/tasks/{task.id}/reopen", page="/tasks/")
    db.session.expire_all()
    assert db.session.get(Encounter, encounter.id).follow_up_done is False
    r = client.submit(f"/events/encounters/{encounter.id}/done", page=f"/events/{fair.id}")
    assert r.status_code == 302
    assert fresh(task.id).status == "done"


def test_a_follow_up_no_longer_wanted_takes_its_open_task_away(login, users, fair):
    client = login("liaison")
    client.submit("/events/fair", {"event": str(fair.id), "family_name": "山田",
                                   "company": "株式会社ABC", "follow_up_wanted": "y"},
                  page="/events/fair")
    encounter = db.session.scalars(select(Encounter)).one()
    assert count(Task) == 1 and db.session.scalars(select(Task)).one().due_on is None
    url = f"/events/encounters/{encounter.id}/edit"
    r = client.submit(url, {"follow_up_wanted": False}, page=url)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert count(Task) == 0


def test_migration_0014_turns_existing_follow_ups_into_tasks(app, users):
    """The data as it was at 0013 (follow-ups on encounters only) upgraded: one task per wanted
    follow-up, for who met the person, else the officer holding the company; done ones done."""
    from flask_migrate import downgrade, upgrade

    from crm.liaison.models import PortfolioAssignment

    migrations = app.extensions["migrate"].directory
    ids = _records(users)
    liaison, manager = users["liaison"].id, users["manager"].id
    db.session.add(PortfolioAssignment(company_id=ids["company_id"], officer_id=manager))
    db.session.commit()
    db.session.remove()
    downgrade(directory=migrations, revision="0013")
    try:
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM encounters"))
            insert = text(
                "INSERT INTO encounters (event_id, contact_id, user_id, met_on, follow_up_wanted,"
                " follow_up_by, follow_up_done, created_at, version) VALUES (:e, :c, :u, :m, :w,"
                " :b, :d, :at, 1)")
            common = {"e": ids["event_id"], "c": ids["contact_id"], "m": date(2026, 10, 14),
                      "at": date(2026, 10, 14)}
            conn.execute(insert, [
                {**common, "u": liaison, "w": True, "b": date(2026, 10, 30), "d": False},
                {**common, "u": liaison, "w": True, "b": None, "d": True},
                {**common, "u": None, "w": True, "b": date(2026, 11, 2), "d": False},
                {**common, "u": liaison, "w": False, "b": None, "d": False},
            ])
    finally:
        upgrade(directory=migrations)
    rows = db.session.execute(select(Task.owner_id, Task.status, Task.due_on, Task.source,
                                     Task.contact_id, Task.company_id, Task.title,
                                     Task.done_at.is_not(None))
                              .order_by(Task.encounter_id)).all()
    assert [r[:4] for r in rows] == [
        (liaison, "open", date(2026, 10, 30), "fair"), (liaison, "done", None, "fair"),
        (manager, "open", date(2026, 11, 2), "fair")]
    assert {(r.contact_id, r.company_id) for r in rows} == {(ids["contact_id"],
                                                             ids["company_id"])}
    assert rows[0].title == "山田 太郎さんへのフォローアップ（CEATEC）" and rows[1][-1] is True


# --- the calendar feed ----------------------------------------------------------------------

def _calendar_link(client) -> str:
    page = client.get("/me/calendar").get_data(as_text=True)
    found = re.search(r'value="http://localhost(/me/tasks\.ics\?token=[^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else ""


def test_calendar_feed_of_my_open_tasks_parses_back(app, login, users, company):
    me = users["liaison"]
    due = office_today() + timedelta(days=2)
    dated = add_task(me, "Send the quote", due, company_id=company.id)
    undated = add_task(me, "Read their paper")
    done = add_task(me, "Already done", due)
    services.complete_task(done, by=me)
    add_task(users["bd"], "Not mine", due)
    db.session.commit()
    client = login("liaison")
    assert _calendar_link(client) == ""  # no link until the user makes one
    assert client.submit("/me/calendar", page="/me/calendar").status_code == 302
    link = _calendar_link(client)
    assert link

    feed = app.test_client().get(link)  # a calendar app: no session
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = Calendar.from_ical(feed.data)
    todos = {str(c["summary"]): c for c in cal.walk("VTODO")}
    events = {str(c["summary"]): c for c in cal.walk("VEVENT")}
    assert set(todos) == {"Send the quote", "Read their paper"}
    assert set(events) == {"Send the quote"}  # only a dated task is a day in the calendar
    todo, day = todos["Send the quote"], events["Send the quote"]
    assert todo["due"].dt == due and type(todo["due"].dt) is date
    assert day["dtstart"].dt == due and type(day["dtstart"].dt) is date
    assert day["dtend"].dt == due + timedelta(days=1)
    assert str(todo["uid"]) == f"task-{dated.id}@localhost"
    assert str(todos["Read their paper"]["uid"]) == f"task-{undated.id}@localhost"
    assert "due" not in todos["Read their paper"]
    assert len({str(c["uid"]) for c in cal.walk() if "uid" in c}) == 3  # every UID unique
    assert all(c["dtstamp"].dt.tzinfo is not None for c in cal.walk() if "uid" in c)
    assert "株式会社サンプル電機" in str(todo["description"])


def test_reset_calendar_link_ends_the_old_one(app, login, users):
    client = login("liaison")
    client.submit("/me/calendar", page="/me/calendar")
    old = _calendar_link(client)
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 200
    r = client.submit("/me/calendar", page="/me/calendar")
    assert r.status_code == 302
    new = _calendar_link(client)
    assert new != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200


@pytest.mark.parametrize("token", ["", "1", "1-", "abc", "99999999999999999999-x", "x" * 500])
def test_wrong_calendar_tokens_are_404(app, users, token):
    assert app.test_client().get("/me/tasks.ics", query_string={"token": token}).status_code \
        == 404


def test_another_users_token_with_my_id_or_a_deactivated_user_gets_nothing(app, login, users):
    mine, theirs = login("liaison"), login("bd")
    mine.submit("/me/calendar", page="/me/calendar")
    theirs.submit("/me/calendar", page="/me/calendar")
    their_mac = _calendar_link(theirs).split("-", 1)[1]
    anonymous = app.test_client()
    forged = f"/me/tasks.ics?token={users['liaison'].id}-{their_mac}"
    assert anonymous.get(forged).status_code == 404
    link = _calendar_link(mine)
    db.session.expire_all()
    user = db.session.get(type(users["liaison"]), users["liaison"].id)
    user.active = False
    db.session.commit()
    assert anonymous.get(link).status_code == 404


def test_reset_needs_the_page_token(login):
    client = login("liaison")
    client.get("/me/calendar")
    assert client.post("/me/calendar").status_code == 400
    assert _calendar_link(client) == ""


# --- on a phone, in Japanese ----------------------------------------------------------------

def test_my_tasks_in_japanese(app, users):
    user = make_user("liaison", email="ja@example.org", name="連携 花子", locale="ja")
    add_task(user, "見積を送る", office_today() - timedelta(days=1))
    client = log_in_as(app.test_client(), user)
    page = client.get("/tasks/").get_data(as_text=True)
    assert "マイタスク" in page and "期限切れ" in page and "見積を送る" in page


def test_my_tasks_and_the_team_view_take_as_many_queries_for_45_tasks_as_for_15(
        login, users, company, contact, count_queries):
    """The task lists load what they show in a fixed number of queries (one per kind of linked
    record), however many tasks there are."""
    me, today = users["liaison"], office_today()

    def add(first: int, last: int) -> None:
        for i in range(first, last):
            links = [{"company_id": company.id}, {"contact_id": contact.id}, {}][i % 3]
            task = add_task(me, f"Task {i}", today + timedelta(days=i - 5) if i % 4 else None,
                            **links)
            if i % 5 == 0:  # done by one person or another
                services.complete_task(task, by=[me, users["manager"], users["admin"]][i // 5 % 3])
                db.session.commit()

    def queries(client, url: str) -> int:
        with count_queries() as n:
            assert client.get(url).status_code == 200
        return n()

    mine, manager = login("liaison"), login("manager")
    add(0, 15)
    few = queries(mine, "/tasks/"), queries(manager, "/tasks/team")
    add(15, 45)
    assert (queries(mine, "/tasks/"), queries(manager, "/tasks/team")) == few


@pytest.mark.parametrize("bulk", [False, True])
def test_follow_ups_loaded_without_the_services_get_their_tasks(users, bulk):
    """The demo data writes encounters directly; backfill_follow_ups makes their tasks (once)."""
    ids = _records(users)
    encounter = db.session.get(Encounter, ids["encounter_id"])
    encounter.user_id, encounter.follow_up_wanted = users["liaison"].id, True
    encounter.follow_up_by = date(2026, 10, 30)
    db.session.commit()
    assert services.backfill_follow_ups(bulk=bulk) == 1
    assert services.backfill_follow_ups(bulk=bulk) == 0
    db.session.commit()
    task = db.session.scalars(select(Task).where(Task.encounter_id == encounter.id)).one()
    assert (task.owner_id, task.due_on, task.status, task.source, task.contact_id) == (
        users["liaison"].id, date(2026, 10, 30), "open", "fair", ids["contact_id"])
    assert task.title == "Follow up with 山田 太郎 (CEATEC)"


def test_an_encounter_corrected_to_another_person_moves_its_open_task(login, users, fair,
                                                                      company, contact):
    client = login("liaison")
    client.submit("/events/fair", {"event": str(fair.id), "family_name": "山田",
                                   "company": "株式会社ABC", "follow_up_wanted": "y"},
                  page="/events/fair")
    encounter = db.session.scalars(select(Encounter)).one()
    url = f"/events/encounters/{encounter.id}/edit"
    r = client.submit(url, {"contact": f"佐藤 花子 [#{contact.id}]"}, page=url)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    task = db.session.scalars(select(Task)).one()
    assert (task.contact_id, task.company_id) == (contact.id, company.id)
    assert task.title == "Follow up with 佐藤 花子 (nano tech)"
