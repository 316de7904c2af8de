"""A person marked do-not-contact is shown as such wherever they are picked, before anything is
saved, and a follow-up for them needs a confirmation the form renders."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.common.services import ValidationError
from crm.contacts.models import Contact
from crm.events.models import Encounter
from crm.events.services import save_encounter
from crm.extensions import db
from tests.factories import make_contact

BADGE = '<span class="badge text-bg-danger">Do not contact</span>'


@pytest.fixture
def quiet(make_company) -> Contact:
    """Someone who asked not to be contacted."""
    return make_contact(make_company(name="株式会社ABC"), "山田", "花子",
                        email="hanako@abc.example.jp", do_not_contact=True)


def encounters() -> int:
    return db.session.scalar(select(func.count(Encounter.id)))


def test_service_refuses_a_follow_up_without_confirmation(event, quiet):
    with pytest.raises(ValidationError) as refused:
        save_encounter(None, event, {"contact_id": quiet.id, "follow_up_wanted": True})
    assert "山田 花子 is marked “Do not contact”" in refused.value.errors["dnc_confirmed"]
    assert encounters() == 0
    saved = save_encounter(None, event, {"contact_id": quiet.id, "follow_up_wanted": True,
                                         "dnc_confirmed": True})
    assert saved.follow_up_wanted
    # Meeting them without a follow-up needs no confirmation.
    assert save_encounter(None, event, {"contact_id": quiet.id}).id


def test_fair_people_panel_marks_them_before_saving(login, quiet):
    client = login("liaison")
    client.get("/events/fair")
    panel = client.get("/events/fair/people?family_name=山田&given_name=花子"
                       "&email=hanako@abc.example.jp").get_data(as_text=True)
    assert "山田 花子" in panel and BADGE in panel


def test_fair_form_follow_up_needs_the_box_it_renders(login, event, quiet):
    client = login("liaison")
    form = client.get("/events/fair").get_data(as_text=True)
    assert 'name="dnc_confirmed"' not in form  # nobody picked yet: nothing to confirm
    typed = {"event": str(event.id), "family_name": "山田", "given_name": "花子",
             "email": "hanako@abc.example.jp", "company": "株式会社ABC",
             "follow_up_wanted": "y"}
    refused = client.submit("/events/fair", typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "is marked “Do not contact”" in page and 'name="dnc_confirmed"' in page
    assert encounters() == 0
    saved = client.submit("/events/fair", dict(typed, dnc_confirmed="y"))
    assert saved.status_code == 302
    assert db.session.scalars(select(Encounter.follow_up_wanted)).one() is True


def test_request_entry_shows_the_linked_person_as_do_not_contact(login, quiet):
    researcher = login("researcher")
    researcher.get("/requests/new")
    sent = researcher.submit("/requests/new", {
        "person_name": "山田 花子", "company_name": "株式会社ABC",
        "email": "hanako@abc.example.jp", "where_met": "学会"},
        content_type="multipart/form-data")
    assert sent.status_code == 302
    req_id = int(sent.headers["Location"].rstrip("/").split("/")[-1])
    bd = login("bd")
    page = bd.get(f"/requests/{req_id}/enter").get_data(as_text=True)
    assert "links to the existing" in page and BADGE in page
    assert 'name="dnc_confirmed"' in page  # the box is there before the follow-up is ticked
    # The values the page pre-filled, as rendered, and the follow-up ticked.
    shown = {"family_name": "山田", "given_name": "花子", "email": "hanako@abc.example.jp",
             "company": "株式会社ABC", "new_event": "学会"}
    refused = bd.submit(f"/requests/{req_id}/enter", dict(shown, follow_up_wanted="y"))
    assert refused.status_code == 422
    assert "is marked “Do not contact”" in refused.get_data(as_text=True)
    assert encounters() == 0
    entered = bd.submit(f"/requests/{req_id}/enter",
                        dict(shown, follow_up_wanted="y", dnc_confirmed="y"))
    assert entered.status_code == 302
    assert db.session.scalars(select(Encounter.contact_id)).one() == quiet.id


def test_activity_form_marks_them_among_the_people_met(login, quiet):
    client = login("liaison")
    client.get("/activities/new")
    choices = client.get(f"/activities/contact-options?company=株式会社ABC [%23{quiet.company_id}]")
    html = choices.get_data(as_text=True)
    assert "山田 花子" in html and BADGE in html


def test_person_picker_suggestions_say_do_not_contact(login, quiet):
    client = login("liaison")
    client.get("/events/")
    options = client.get("/suggest/contact?q=山田").get_data(as_text=True)
    assert f'value="山田 花子 [#{quiet.id}]"' in options or "山田" in options
    assert "— Do not contact" in options
