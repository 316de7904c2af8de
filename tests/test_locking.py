"""Two people edit one record: the second save from a form opened before the first was saved is
refused with the first person's change shown, nothing lost (issue 13, item 7)."""
from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select, text

from crm.extensions import db
from tests.test_roles import _records

#: (edit page, its id argument, model, a field the first person changes, one the second changes,
#: the role of the first person: the second is an administrator)
KINDS = [
    ("companies.edit", "company_id", "crm.companies.models:Company", "name", "notes", "manager"),
    ("contacts.edit", "contact_id", "crm.contacts.models:Contact", "title", "notes", "staff"),
    ("activities.edit", "activity_id", "crm.activities.models:Activity", "subject", "minutes",
     "manager"),
    ("alumni.edit", "alumnus_id", "crm.alumni.models:Alumnus", "position", "notes", "staff"),
    ("donations.edit", "donation_id", "crm.donations.models:Donation", "purpose", "notes",
     "manager"),
    ("events.edit", "event_id", "crm.events.models:Event", "location", "description", "staff"),
    ("events.edit_encounter", "encounter_id", "crm.events.models:Encounter",
     "research_interests", "small_talk", "staff"),
    ("collaborations.edit", "collaboration_id", "crm.collaborations.models:Collaboration",
     "title", "description", "liaison"),
    ("ndas.edit", "nda_id", "crm.ndas.models:Nda", "governing_law", "notes", "liaison"),
    ("research.edit_department", "department_id", "crm.research.models:Department", "name_en",
     "name", "bd"),
    ("research.edit_researcher", "researcher_id", "crm.research.models:Researcher", "lab",
     "keywords", "bd"),
    ("research.edit_seed", "seed_id", "crm.research.models:ResearchSeed", "title", "abstract",
     "bd"),
    ("auth.edit_user", "user_id", "crm.auth.models:User", "name", "email", "admin"),
]


def _model(path: str):
    module, name = path.split(":")
    return getattr(__import__(module, fromlist=[name]), name)


def _second_admin(app):
    """Another administrator's browser: two people, whatever the first one's role."""
    from tests.conftest import log_in_as
    from tests.factories import make_user

    user = make_user("admin", email="second-admin@example.org", name="Second admin")
    return log_in_as(app.test_client(), user)


def _value(field: str, who: str) -> str:
    return f"{who.lower()}-changed@example.org" if field == "email" else f"Changed by {who} 変更"


def _saved(model, ident: int, field: str):
    db.session.expire_all()
    return getattr(db.session.get(model, ident), field)


@pytest.mark.parametrize("endpoint,arg,model,first_field,second_field,first_role", KINDS,
                         ids=[k[0] for k in KINDS])
def test_a_stale_form_is_refused_with_the_other_change_shown(
        app, login, users, endpoint, arg, model, first_field, second_field, first_role):
    ids = _records(users["admin"].id)
    model = _model(model)
    ident = ids[arg]
    url = url_for(endpoint, **{arg: ident})
    first, second = login(first_role), _second_admin(app)
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200  # both have the form open
    before_second = _saved(model, ident, second_field)

    saved = first.submit(url, {first_field: _value(first_field, "A")})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    assert _saved(model, ident, first_field) == _value(first_field, "A")

    refused = second.submit(url, {second_field: _value(second_field, "B")})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Someone else saved this record after you opened this form." in page
    assert f"Saved by {users[first_role].email} at" in page  # who saved, and when
    # The field the first person changed, with the value saved now.
    assert f'data-field="{first_field}"' in page
    assert _value(first_field, "A") in page
    # What the second person typed is still in the form, and nothing of theirs was written.
    assert _value(second_field, "B") in page
    assert _saved(model, ident, first_field) == _value(first_field, "A")
    assert _saved(model, ident, second_field) == before_second

    # From a fresh page the second person's change goes through, and the first one stays.
    second.get(url)
    again = second.submit(url, {second_field: _value(second_field, "B")})
    assert again.status_code == 302, again.get_data(as_text=True)[:3000]
    assert _saved(model, ident, second_field) == _value(second_field, "B")
    assert _saved(model, ident, first_field) == _value(first_field, "A")


def test_saving_again_from_the_conflict_page_is_a_deliberate_overwrite(app, login, users):
    """The refused page carries the version saved now: saving it again, having seen the other
    change, replaces it; a third save meanwhile is refused again."""
    from crm.companies.models import Company

    ids = _records(users["admin"].id)
    url = url_for("companies.edit", company_id=ids["company_id"])
    first, second, third = (login(r) for r in ("manager", "admin", "staff"))
    for person in (first, second, third):
        person.get(url)
    assert first.submit(url, {"name": "First K.K."}).status_code == 302
    assert second.submit(url, {"name": "Second K.K."}).status_code == 409
    assert third.submit(url, {"notes": "third"}).status_code == 409
    third.get(url)
    assert third.submit(url, {"notes": "third"}).status_code == 302
    # The second person's conflict page is now stale again: the third save is shown.
    refused = second.submit(url, {"name": "Second K.K."})
    assert refused.status_code == 409
    assert 'data-field="notes"' in refused.get_data(as_text=True)
    assert second.submit(url, {"name": "Second K.K."}).status_code == 302
    db.session.expire_all()
    company = db.session.get(Company, ids["company_id"])
    assert (company.name, company.notes) == ("Second K.K.", "third")


def test_the_conflict_message_is_in_japanese(app, login, users):
    users["admin"].locale = "ja"
    db.session.commit()
    ids = _records(users["admin"].id)
    url = url_for("companies.edit", company_id=ids["company_id"])
    first, second = login("manager"), login("admin")
    first.get(url)
    second.get(url)
    assert first.submit(url, {"name": "First K.K."}).status_code == 302
    refused = second.submit(url, {"notes": "二人目"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "このフォームを開いた後に、ほかの人がこの記録を保存しました。" in page
    assert "First K.K." in page and "二人目" in page


def test_a_change_to_links_only_bumps_the_version(app, login, users):
    """An activity whose only change is who was met conflicts like any other change."""
    from crm.activities.models import Activity
    from crm.contacts.models import Contact

    ids = _records(users["admin"].id)
    activity = db.session.get(Activity, ids["activity_id"])
    version = activity.version
    activity.contacts.append(db.session.get(Contact, ids["contact_id"]))
    db.session.commit()
    assert db.session.get(Activity, ids["activity_id"]).version == version + 1


def test_a_save_that_loses_the_race_is_refused_not_written(app, users):
    """Both read version 1; the other commits first (here through its own connection); this
    save's UPDATE then finds no row at version 1: StaleDataError, turned into a Conflict,
    nothing of it written, on SQLite and PostgreSQL alike."""
    from crm.common import locking
    from crm.companies.models import Company
    from crm.companies.services import save_company

    company = save_company(None, {"name": "Race K.K.", "notes": "before"})
    db.session.commit()
    company = db.session.get(Company, company.id)
    assert company.version == 1
    with db.engine.begin() as other:  # someone else's request, committed meanwhile
        other.execute(text("UPDATE companies SET notes = 'theirs', version = version + 1 "
                           "WHERE id = :id"), {"id": company.id})
    with pytest.raises(locking.Conflict):
        with locking.guarded(company, 1):  # this form and this session both say version 1
            save_company(company, {"name": "Race K.K.", "notes": "mine"})
    db.session.rollback()
    row = db.session.execute(select(Company.notes, Company.version)
                             .where(Company.id == company.id)).one()
    assert tuple(row) == ("theirs", 2)
    # The session is usable afterwards, and a save at the current version goes through.
    company = db.session.get(Company, company.id)
    with locking.guarded(company, 2):
        save_company(company, {"name": "Race K.K.", "notes": "mine"})
    db.session.commit()
    assert db.session.get(Company, company.id).version == 3


def test_a_stale_version_is_refused_before_anything_is_written(app, make_company):
    from crm.common import locking
    from crm.companies.services import save_company

    company = make_company(name="Stale K.K.")
    save_company(company, {"name": "Stale K.K.", "notes": "first"})
    db.session.commit()
    assert company.version == 2
    with pytest.raises(locking.Conflict):
        with locking.guarded(company, 1):
            save_company(company, {"name": "Stale K.K.", "notes": "second"})
    db.session.rollback()
    db.session.expire_all()
    assert company.notes == "first"


def test_an_import_update_bumps_the_version(app, login, users, make_company):
    """An edit form opened before an import updated the company is stale afterwards."""
    from crm.imports import services

    company = make_company(name="株式会社インポート", industry="電機")
    url = url_for("companies.edit", company_id=company.id)
    person = login("admin")
    person.get(url)
    parsed = services.read_file("name,industry\n株式会社インポート,化学\n".encode(), "t.csv",
                                "companies")
    assert services.commit(parsed, "companies", "update")["updated"] == 1
    db.session.commit()
    refused = person.submit(url, {"notes": "typed before the import"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert 'data-field="industry"' in page and "化学" in page


def test_a_record_deleted_meanwhile_is_not_found(app, login, users):
    ids = _records(users["admin"].id)
    url = url_for("alumni.edit", alumnus_id=ids["alumnus_id"])
    person = login("admin")
    person.get(url)
    deleter = login("manager")
    delete_url = url_for("alumni.delete", alumnus_id=ids["alumnus_id"])
    deleter.get(delete_url)
    assert deleter.submit(delete_url).status_code == 302
    assert person.submit(url, {"notes": "too late"}).status_code == 404


def test_a_write_that_loses_the_race_outside_an_edit_form_is_a_409(app, login, users,
                                                                    monkeypatch):
    """Ticking a follow-up done while someone else's save of the same encounter commits first:
    the UPDATE finds the row at another version; the answer is a 409 with a message, and
    their save stands."""
    from crm.events import services
    from crm.events.models import Encounter

    ids = _records(users["admin"].id)
    encounter = db.session.get(Encounter, ids["encounter_id"])
    encounter.follow_up_wanted = True
    db.session.commit()
    real = services.mark_follow_up_done

    def racing(record):
        with db.engine.begin() as other:  # their request commits between our read and write
            other.execute(text("UPDATE encounters SET small_talk = 'theirs', "
                               "version = version + 1 WHERE id = :id"), {"id": record.id})
        real(record)
        db.session.flush()

    monkeypatch.setattr(services, "mark_follow_up_done", racing)
    person = login("staff")
    page = url_for("events.show", event_id=ids["event_id"])
    assert person.get(page).status_code == 200
    answer = person.submit(url_for("events.follow_up_done", encounter_id=ids["encounter_id"]))
    assert answer.status_code == 409
    assert "Someone else changed this record at the same moment" in answer.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(Encounter, ids["encounter_id"])
    assert (row.small_talk, row.follow_up_done) == ("theirs", False)


def test_a_merge_makes_open_forms_of_the_moved_records_stale(app, login, users, make_company):
    """A contact's form opened before its company was merged away would put the deleted company
    back: the merge moves the contact (its version goes up) and the stale save is refused with
    the new company shown."""
    from crm.contacts.models import Contact
    from crm.contacts.services import save_contact
    from crm.duplicates import merge as merging

    survivor = make_company(name="株式会社マージ")
    loser = make_company(name="マージ株式会社")
    contact = save_contact(None, {"family_name": "山田", "given_name": "花子",
                                  "company_id": loser.id})
    db.session.commit()
    ids = {"survivor": survivor.id, "loser": loser.id, "contact": contact.id}
    url = url_for("contacts.edit", contact_id=ids["contact"])
    person = login("staff")
    person.get(url)
    merging.merge("companies", ids["survivor"], ids["loser"])
    db.session.commit()
    refused = person.submit(url, {"title": "部長"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert 'data-field="company"' in page and "株式会社マージ" in page
    db.session.expire_all()
    assert db.session.get(Contact, ids["contact"]).company_id == ids["survivor"]
    # The form now names the company it moved to: saving it keeps the merge.
    assert person.submit(url, {"title": "部長"}).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Contact, ids["contact"])
    assert (saved.company_id, saved.title) == (ids["survivor"], "部長")
