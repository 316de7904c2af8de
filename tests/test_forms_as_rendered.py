"""Forms as rendered: every POST form a page shows carries its CSRF token, and the test client
posts only what a page rendered (tests/forms.py), so a form a browser cannot send fails a test."""
from __future__ import annotations

from io import BytesIO

import pytest

from crm.auth.permissions import ROLE_PERMISSIONS, Role
from tests.forms import Page
from tests.test_roles import ANY_USER, _records, _routes


# --- every page's POST forms carry their token ---------------------------------------------

@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_post_form_on_every_page_carries_its_csrf_token(app, login, users, role):
    """Walks the pages tests/test_roles.py walks, as each role: a <form method=post> (or hx-post)
    without a filled csrf_token hidden input answers 400 "Form expired or forged" when used."""
    client = login(role)
    ids = _records(users[role].id)
    granted = ROLE_PERMISSIONS[Role(role)]
    missing, pages, forms = [], 0, 0
    for rule, view in _routes(app):
        if "GET" not in rule.methods:
            continue
        if rule.endpoint not in ANY_USER and view.permission not in granted:
            continue
        url = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
        response = client.get(url)
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        pages += 1
        page = Page(url, response.get_data(as_text=True))
        for form in page.forms():
            if form.method != "post":
                continue
            forms += 1
            # a prefixed form (hit3-csrf_token) is accepted by Flask-WTF as well
            tokens = [c for c in form.controls if c.name.endswith("csrf_token")
                      and c.tag == "input" and c.type == "hidden" and c.value]
            if not tokens:
                missing.append(f"{url}: {form.describe()}")
    assert missing == []
    assert pages > 10 and forms > 0


def test_the_crawl_sees_a_form_without_its_token():
    page = Page("/x", '<form method="post" action="/y"><input name="a"></form>'
                      '<form method="POST"><input type="hidden" name="csrf_token" value="t"></form>')
    forms = page.forms()
    assert [(f.method, f.action) for f in forms] == [("post", "/y"), ("post", "/x")]
    assert [c.name for c in forms[0].controls] == ["a"]
    assert forms[1].controls[0].value == "t"


# --- the client sends what the browser sends ------------------------------------------------

FORM = """<!doctype html><html><head><meta name="csrf-token" content="meta-token"></head><body>
<form method="post" action="/go?next=%2Fhome" enctype="multipart/form-data">
  <input type="hidden" name="csrf_token" value="form-token">
  <input name="title" value="Old &amp; kept">
  <input name="note">
  <input type="checkbox" name="urgent" value="y">
  <input type="checkbox" name="tags" value="1" checked><input type="checkbox" name="tags" value="2">
  <input type="radio" name="size" value="s" checked><input type="radio" name="size" value="l">
  <select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>
  <select name="first"><option>One</option><option>Two</option></select>
  <textarea name="body">
line</textarea>
  <input name="off" value="x" disabled>
  <input type="file" name="card">
  <button name="action" value="save">Save</button>
  <button name="action" value="delete">Delete</button>
  <button type="button" name="noise" value="n">Not a submit</button>
</form></body></html>"""


def _sent(data=None, button=None) -> list[tuple[str, object]]:
    form = Page("/edit", FORM).candidates("/go", data)[0]
    clicked = form.fill(data, button=button)
    return [(k, v if isinstance(v, str) else (v[1] if isinstance(v, tuple) else v))
            for k, v in form.data(clicked).items(multi=True)]


def test_a_form_is_sent_as_rendered():
    assert _sent() == [
        ("csrf_token", "form-token"), ("title", "Old & kept"), ("note", ""), ("tags", "1"),
        ("size", "s"), ("kind", "b"), ("first", "One"), ("body", "line"), ("card", ""),
        ("action", "save")]


def test_what_the_user_types_ticks_and_chooses_replaces_what_was_rendered():
    sent = dict(_sent({"note": "new", "urgent": True, "tags": ["2"], "size": "l", "kind": "a",
                       "first": "Two", "body": "text"}, button="Delete"))
    assert sent["note"] == "new" and sent["urgent"] == "y" and sent["tags"] == "2"
    assert (sent["size"], sent["kind"], sent["first"], sent["body"]) == ("l", "a", "Two", "text")
    assert sent["action"] == "delete" and sent["csrf_token"] == "form-token"
    assert "urgent" not in dict(_sent({"urgent": False}))
    assert dict(_sent({"action": "delete"}))["action"] == "delete"


@pytest.mark.parametrize("data, message", [
    ({"nope": "x"}, "has no field 'nope'"),
    ({"kind": "c"}, "is not one of its options"),
    ({"tags": ["3"]}, "no tick-box with value"),
    ({"size": "m"}, "no choice 'm'"),
    ({"off": "y"}, "is disabled"),
    ({"note": (BytesIO(b"x"), "x.txt")}, "is not an <input type=file>"),
    ({"action": "publish"}, "no submit button action='publish'"),
])
def test_what_no_browser_could_send_is_refused_naming_the_field(data, message):
    with pytest.raises(AssertionError, match=message):
        _sent(data)


def test_a_file_goes_only_through_a_file_input_of_a_multipart_form():
    sent = dict(_sent({"card": (BytesIO(b"BEGIN:VCARD"), "card.vcf")}))
    assert sent["card"] == "card.vcf"
    urlencoded = Page("/p", '<form method="post"><input type="file" name="f"></form>')
    form = urlencoded.candidates("/p", None)[0]
    form.fill({"f": (BytesIO(b"data"), "a.txt")})
    assert form.data(None).get("f") == "a.txt"  # only the name, as a browser sends it


def test_submit_refuses_a_form_no_page_shows_and_a_field_it_does_not_render(login):
    client = login("manager")
    with pytest.raises(AssertionError, match="no <form method=post> sending to /companies/1/delete"):
        client.submit("/companies/1/delete")
    client.get("/search/match")
    with pytest.raises(AssertionError, match="has no field 'department_id'"):
        client.submit("/search/match", {"text": "x", "department_id": "1"})


def test_a_form_rendered_without_its_token_fails(app, login):
    """What the conftest used to hide: the token comes from the page or not at all."""
    client = login("manager")
    client.get("/search/match")
    client.page.html = client.page.html.replace('name="csrf_token"', 'name="no_token"')
    response = client.submit("/search/match", {"text": "battery"})
    assert response.status_code == 400
    assert "Form expired or forged" in response.get_data(as_text=True)


def test_forge_sends_only_the_token_the_user_holds(login):
    client = login("staff")
    response = client.forge("/research/departments/new", {"name": "X"})
    assert response.status_code == 403  # a real token, a role that may not
    assert client.post("/research/departments/new", data={"name": "X"}).status_code in (400, 403)


# --- htmx fragments swapped into the page ---------------------------------------------------

def test_swap_puts_a_fragment_where_htmx_would():
    from tests.forms import swap

    page = '<form><div id="t"><p>old</p></div><span id="btn">add</span></form>'
    assert swap(page, "t", "<i>new</i>") == '<form><div id="t"><i>new</i></div><span id="btn">add</span></form>'
    assert swap(page, "t", '<div id="t">x</div>', "outerHTML") == \
        '<form><div id="t">x</div><span id="btn">add</span></form>'
    assert swap(page, "t", "<b>2</b>", "beforeend") == \
        '<form><div id="t"><p>old</p><b>2</b></div><span id="btn">add</span></form>'
    oob = '<b>2</b><span id="btn" hx-swap-oob="true">add more</span>'
    assert swap(page, "t", oob, "beforeend") == \
        '<form><div id="t"><p>old</p><b>2</b></div><span id="btn" hx-swap-oob="true">add more</span></form>'


def test_contacts_loaded_by_htmx_into_the_activity_form_are_ticked_and_sent(login, make_company):
    from sqlalchemy import select

    from crm.activities.models import Activity
    from crm.contacts.models import Contact
    from crm.extensions import db

    company = make_company(name="Acme Inc.")
    jane = Contact(family_name="Doe", given_name="Jane", company_id=company.id)
    db.session.add(jane)
    db.session.commit()
    client = login("liaison")
    client.get("/activities/new")
    typed = f"Acme Inc. [#{company.id}]"
    with pytest.raises(AssertionError, match="has no field 'contacts'"):
        client.submit("/activities/new", {"company": typed, "contacts": [str(jane.id)]})
    # The user types the company: htmx replaces the tick-boxes with that company's people.
    client.get("/activities/contact-options", query_string={"company": typed},
               headers={"HX-Request": "true", "HX-Target": "contact-choices"})
    r = client.submit("/activities/new", {"company": typed, "kind": "meeting",
                                          "occurred_on": "2026-04-10", "subject": "Kick-off",
                                          "contacts": [str(jane.id)]})
    assert r.status_code == 302
    activity = db.session.scalar(select(Activity))
    assert [c.id for c in activity.contacts] == [jane.id]


def test_a_researcher_slot_added_by_htmx_is_part_of_the_seed_form(login):
    from sqlalchemy import select

    from crm.extensions import db
    from crm.research.models import Researcher, ResearchSeed

    a, b = Researcher(family_name="田中", given_name="一郎"), Researcher(family_name="鈴木")
    db.session.add_all([a, b])
    db.session.commit()
    client = login("bd")
    page = client.get("/research/seeds/new").get_data(as_text=True)
    shown = page.count('name="researchers-')
    assert f'name="researchers-{shown}"' not in page
    client.get(f"/research/seeds/researcher-slot?index={shown}",
               headers={"HX-Request": "true", "HX-Target": "researcher-slots"})
    assert f'name="researchers-{shown}"' in client.page.html
    assert f"researcher-slot?index={shown + 1}" in client.page.html  # the button moved on (oob)
    r = client.submit("/research/seeds/new", {"title": "Soft gripper",
                                              "researchers-0": f"田中 一郎 [#{a.id}]",
                                              f"researchers-{shown}": f"鈴木 [#{b.id}]"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    seed = db.session.scalar(select(ResearchSeed))
    assert sorted(p.id for p in seed.researchers) == sorted([a.id, b.id])
