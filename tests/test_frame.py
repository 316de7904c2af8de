"""The page frame (templates/base.html): its menus are rendered once per process for each
language, set of permissions and section (crm/main/views.py nav_menu) and reused; what one user
is shown never leaks to another, a role given or taken shows at the next page, and the user's
own name and forms stay their own."""
from __future__ import annotations

import re

from crm.extensions import db
from tests.conftest import log_in_as, make_user


def menu(html: str) -> str:
    start = html.index('<ul class="navbar-nav me-auto">')
    return html[start:html.index('<form class="d-flex', start)]


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', menu(html)))


def who(html: str) -> str:
    return re.search(r'class="[^"]*user-name[^"]*"[^>]*>([^<]+)<', html).group(1)


def test_each_role_sees_its_own_menu_whoever_came_first(login):
    manager = login("manager").get("/contacts/").get_data(as_text=True)
    researcher = login("researcher").get("/contacts/").get_data(as_text=True)
    again = login("manager").get("/contacts/").get_data(as_text=True)
    assert {"/reports/", "/donations/", "/audit/"} <= links(manager)
    assert not {"/reports/", "/donations/", "/audit/", "/imports/"} & links(researcher)
    assert menu(again) == menu(manager)
    # The user's own name is outside the shared menu, and each sees their own.
    assert who(again) == "manager user" and who(researcher) == "researcher user"
    assert "researcher user" not in menu(researcher)


def test_the_current_section_is_marked_on_each_page(login):
    client = login("manager")
    contacts = menu(client.get("/contacts/").get_data(as_text=True))
    companies = menu(client.get("/companies/").get_data(as_text=True))
    active = r'class="nav-link active" href="([^"]+)"'
    assert re.findall(active, contacts) == ["/contacts/"]
    assert re.findall(active, companies) == ["/companies/"]


def test_a_role_given_or_taken_shows_at_the_next_page(app, client):
    user = make_user("researcher", email="promoted@example.org")
    log_in_as(client, user)
    assert "/reports/" not in links(client.get("/").get_data(as_text=True))
    user.set_roles(["researcher", "staff"])  # staff may read the reports
    db.session.commit()
    assert "/reports/" in links(client.get("/").get_data(as_text=True))
    user.set_roles(["researcher"])
    db.session.commit()
    page = client.get("/")
    assert page.status_code != 200 or "/reports/" not in links(page.get_data(as_text=True))


def test_the_menu_follows_the_language(login):
    client = login("manager")
    english = menu(client.get("/").get_data(as_text=True))
    client.submit("/language/ja", page="/")
    japanese = menu(client.get("/").get_data(as_text=True))
    assert "Companies" in english and "企業" in japanese and "Companies" not in japanese
    client.submit("/language/en", page="/")
    assert menu(client.get("/").get_data(as_text=True)) == english
