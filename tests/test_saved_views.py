"""Saved views (issue 17): a user keeps a list's filters and sort under a name, re-opens it from
the list, deletes it; only their own; a stale or hostile query string is checked again by the
list when opened (never a 500)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from crm.extensions import db
from crm.lists.models import SavedView
from crm.lists.services import clean_query


def views(user_id: int) -> list[SavedView]:
    db.session.expire_all()
    return list(db.session.scalars(select(SavedView).where(SavedView.user_id == user_id)))


def test_save_a_company_view_and_open_it_again(login, users, make_company):
    make_company(name="株式会社アルファ", status="active")
    make_company(name="株式会社ベータ", status="prospect")
    client = login("liaison")
    client.get("/companies/?status=prospect&sort=country&dir=desc&page=1")
    response = client.submit("/views/companies/save", {"name": "見込み客"},
                             follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Saved the view “見込み客”." in text
    view, = views(users["liaison"].id)
    assert (view.kind, view.name) == ("companies", "見込み客")
    assert parse_qs(view.query) == {"status": ["prospect"], "sort": ["country"], "dir": ["desc"]}
    # the list shows it as a link; following it re-opens the list as it was saved
    page = client.get("/companies/").get_data(as_text=True)
    assert f'href="/views/{view.id}"' in page
    opened = client.get(f"/views/{view.id}")
    assert opened.status_code == 302
    target = urlsplit(opened.headers["Location"])
    assert target.path == "/companies/" and parse_qs(target.query)["status"] == ["prospect"]
    listed = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "株式会社ベータ" in listed and "株式会社アルファ" not in listed


def test_same_name_replaces_and_blank_or_long_name_is_refused(login, users):
    client = login("liaison")
    client.get("/contacts/?dnc=yes")
    client.submit("/views/contacts/save", {"name": "DNC"})
    client.get("/contacts/?dnc=no")
    client.submit("/views/contacts/save", {"name": "DNC"})
    view, = views(users["liaison"].id)
    assert view.query == "dnc=no"
    client.get("/contacts/")
    response = client.submit("/views/contacts/save", {"name": "   "}, follow_redirects=True)
    assert "Give the view a name." in response.get_data(as_text=True)
    response = client.forge("/views/contacts/save", {"name": "x" * 81}, follow_redirects=True)
    assert "at most 80 characters" in response.get_data(as_text=True)
    assert len(views(users["liaison"].id)) == 1


def test_delete_my_view(login, users):
    client = login("liaison")
    client.get("/companies/?tier=member")
    client.submit("/views/companies/save", {"name": "Members"})
    view, = views(users["liaison"].id)
    client.get("/companies/")
    response = client.submit(f"/views/{view.id}/delete", follow_redirects=True)
    assert "Deleted the view “Members”." in response.get_data(as_text=True)
    assert views(users["liaison"].id) == []


def test_only_the_owner_sees_opens_or_deletes_a_view(login, users):
    owner = login("liaison")
    owner.get("/companies/?status=active")
    owner.submit("/views/companies/save", {"name": "私のビュー"})
    view, = views(users["liaison"].id)
    other = login("bd")
    assert "私のビュー" not in other.get("/companies/").get_data(as_text=True)
    assert other.get(f"/views/{view.id}").status_code == 404
    assert other.forge(f"/views/{view.id}/delete").status_code == 404
    assert len(views(users["liaison"].id)) == 1
    # huge and unknown ids, unknown lists, a list the role may not open
    assert other.get("/views/99999999999999999999").status_code == 404
    assert other.forge("/views/99999999999999999999/delete").status_code == 404
    assert other.forge("/views/users/save", {"name": "x"}).status_code == 404
    assert other.forge("/views/tasks/save", {"name": "x"}).status_code == 403


def test_a_hostile_or_stale_query_is_checked_when_opened(login, users):
    client = login("manager")
    client.get("/companies/")
    client.forge("/views/companies/save", {
        "name": "Odd", "query": "status=nonsense&officer=999999999999999999999&"
                                "contacted_since=yesterday&sort=drop&evil=1&page=9"})
    view, = views(users["manager"].id)
    assert "evil" not in view.query and "page" not in view.query
    target = client.get(f"/views/{view.id}").headers["Location"]
    page = client.get(target)
    assert page.status_code == 200  # the list names what it cannot use, never a 500
    text = page.get_data(as_text=True)
    assert "is not valid" in text
    too_long = "q=" + "あ" * 5000
    response = client.forge("/views/companies/save", {"name": "Long", "query": too_long},
                            follow_redirects=True)
    assert response.status_code == 200
    assert "These filters are too long to save as a view." in response.get_data(as_text=True)
    assert [v.name for v in views(users["manager"].id)] == ["Odd"]


def test_team_tasks_view_keeps_the_officer(login, users):
    client = login("manager")
    client.get(f"/tasks/team?officer={users['liaison'].id}")
    client.submit("/views/tasks/save", {"name": "Liaison"})
    view, = views(users["manager"].id)
    target = client.get(f"/views/{view.id}").headers["Location"]
    assert target.endswith(f"/tasks/team?officer={users['liaison'].id}")


def test_clean_query_keeps_only_the_lists_parameters():
    assert clean_query("companies", "q=%E6%9D%B1&sort=name&x=1&q=second") == "q=%E6%9D%B1&sort=name"
    assert clean_query("tasks", "officer=3&status=active") == "officer=3"
