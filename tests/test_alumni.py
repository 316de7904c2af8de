"""Alumni: the list and its filters, the alumnus page, the form, deletion."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.alumni.models import Alumnus
from crm.donations.models import Donation
from crm.extensions import db
from tests.factories import make_alumnus, make_contact, make_department, make_donation
from tests.reading import count, fresh

ENGINEERING = {"name": "工学部", "name_en": "Faculty of Engineering"}


# --- create, edit, delete -----------------------------------------------------------------

def test_create_alumnus_through_the_form(login, make_company):
    employer = make_company(name="Nanyang Robotics Pte. Ltd.", country="SG")
    dept = make_department(**ENGINEERING)
    contact = make_contact(employer, "Tan", "Wei")
    client = login("bd")
    form = client.get("/alumni/new").get_data(as_text=True)
    assert "工学部 / Faculty of Engineering" in form
    r = client.submit("/alumni/new", {
        "family_name": "田中", "given_name": "一郎", "family_name_reading": "タナカ",
        "email": "Tanaka@Example.ORG", "degree": "doctor", "graduation_year": "2012",
        "department": str(dept.id), "employer": f"Nanyang Robotics Pte. Ltd. [#{employer.id}]",
        "position": "CTO", "country": "sg", "contact": f"Wei Tan [#{contact.id}]",
    })
    assert r.status_code == 302
    alumnus = db.session.scalar(select(Alumnus))
    assert (alumnus.display_name, alumnus.degree, alumnus.graduation_year) == (
        "田中 一郎", "doctor", 2012)
    assert alumnus.email == "tanaka@example.org" and alumnus.country == "SG"
    assert (alumnus.department_id, alumnus.employer_id, alumnus.contact_id) == (
        dept.id, employer.id, contact.id)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "田中 一郎" in page and "Nanyang Robotics Pte. Ltd." in page
    assert f'href="/companies/{employer.id}"' in page and "工学部" in page
    assert f'href="/contacts/{contact.id}"' in page and "Wei Tan" in page


def test_form_errors_appear_beside_fields_and_nothing_is_saved(login):
    r = login("liaison").submit("/alumni/new", {"family_name": "", "degree": "bachelor",
                                                "graduation_year": "1850", "country": "Japan"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Enter a year between 1900 and 2100." in body and "invalid-feedback" in body
    assert count(Alumnus) == 0
    r = login("liaison").submit("/alumni/new", {"family_name": "", "degree": "bachelor",
                                                "country": "Japan", "email": "nope"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Enter the family name." in body
    assert "Use a two-letter country code" in body
    assert "does not look like an e-mail address" in body
    assert count(Alumnus) == 0


def test_a_contact_links_to_one_alumnus_only(login, make_company):
    contact = make_contact(family_name="Tan", given_name="Wei")
    make_alumnus("Tan", "Wei", contact_id=contact.id)
    r = login("liaison").submit("/alumni/new", {"family_name": "Tan", "degree": "master",
                                                "contact": f"Wei Tan [#{contact.id}]"})
    assert r.status_code == 422
    assert "already linked to the alumnus Wei Tan" in r.get_data(as_text=True)
    assert count(Alumnus) == 1


def test_edit_alumnus(login):
    dept = make_department(**ENGINEERING)
    alumnus = make_alumnus(department_id=dept.id, graduation_year=2000)
    client = login("staff")
    form = client.get(f"/alumni/{alumnus.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{dept.id}">' in form or \
        f'value="{dept.id}" selected' in form
    r = client.submit(f"/alumni/{alumnus.id}/edit", {"family_name": "山田", "given_name": "花子",
                                                     "degree": "master", "graduation_year": "2001",
                                                     "department": ""})
    assert r.status_code == 302
    alumnus = fresh(Alumnus, alumnus.id)
    assert (alumnus.degree, alumnus.graduation_year, alumnus.department_id) == (
        "master", 2001, None)


def test_delete_asks_first_then_deletes(login):
    alumnus = make_alumnus()
    client = login("bd")
    assert "Delete 山田 花子?" in client.get(f"/alumni/{alumnus.id}/delete").get_data(as_text=True)
    assert count(Alumnus) == 1
    r = client.submit(f"/alumni/{alumnus.id}/delete")
    assert r.status_code == 302
    assert count(Alumnus) == 0


def test_delete_refused_while_there_are_donations(login):
    alumnus = make_alumnus()
    make_donation(alumnus, "50000")
    client = login("manager")
    page = client.get(f"/alumni/{alumnus.id}/delete").get_data(as_text=True)
    assert "山田 花子 cannot be deleted" in page
    assert client.page.candidates(f"/alumni/{alumnus.id}/delete", None) == []  # no button
    r = client.forge(f"/alumni/{alumnus.id}/delete")
    assert r.status_code == 409
    assert "Delete or reassign those donations first." in r.get_data(as_text=True)
    assert count(Alumnus) == 1 and count(Donation) == 1


# --- permissions, CSRF, 404 ---------------------------------------------------------------

def test_researcher_cannot_create_edit_or_delete(login):
    alumnus = make_alumnus()
    client = login("researcher")
    assert client.get("/alumni/").status_code == 200
    assert client.get(f"/alumni/{alumnus.id}").status_code == 200
    assert client.get("/alumni/new").status_code == 403
    assert client.forge("/alumni/new", {"family_name": "X", "degree": "bachelor"}).status_code \
        == 403
    assert client.forge(f"/alumni/{alumnus.id}/edit", {"family_name": "X",
                                                        "degree": "bachelor"}).status_code == 403
    assert client.forge(f"/alumni/{alumnus.id}/delete").status_code == 403
    assert count(Alumnus) == 1 and fresh(Alumnus, alumnus.id).family_name == "山田"


@pytest.mark.parametrize("role", ["staff", "liaison"])
def test_staff_and_liaison_cannot_delete(login, role):
    alumnus = make_alumnus()
    assert login(role).forge(f"/alumni/{alumnus.id}/delete").status_code == 403
    assert count(Alumnus) == 1


def test_post_without_csrf_token_is_refused(login):
    alumnus = make_alumnus()
    client = login("manager")
    assert client.post("/alumni/new", data={"family_name": "X", "degree": "bachelor"}) \
        .status_code == 400
    assert client.post(f"/alumni/{alumnus.id}/delete").status_code == 400
    assert count(Alumnus) == 1


def test_unknown_alumnus_is_404(login):
    client = login("manager")
    for url in ("/alumni/999", "/alumni/999/edit", "/alumni/999/delete"):
        assert client.get(url).status_code == 404, url


# --- donations on the alumnus page ----------------------------------------------------------

def test_donations_shown_only_with_donations_view(login):
    alumnus = make_alumnus()
    make_donation(alumnus, "123456", purpose="奨学金")
    other = make_alumnus("Other", "Person")
    make_donation(other, "999999", purpose="Not theirs")
    manager = login("manager").get(f"/alumni/{alumnus.id}").get_data(as_text=True)
    assert "奨学金" in manager and "123,456" in manager
    assert "Not theirs" not in manager and "999,999" not in manager
    for role in ("researcher", "liaison", "bd", "staff"):
        body = login(role).get(f"/alumni/{alumnus.id}").get_data(as_text=True)
        assert "山田 花子" in body
        assert "奨学金" not in body and "123,456" not in body, role
        assert "Record donation" not in body


# --- the list -----------------------------------------------------------------------------

def test_list_search_and_filters(login, make_company):
    eng, med = make_department(**ENGINEERING), make_department(
        name="医学部", name_en="Faculty of Medicine")
    acme = make_company(name="Acme Inc.", country="US")
    make_alumnus("佐藤", "健", family_name_reading="サトウ", degree="doctor",
                 graduation_year=2010, department_id=eng.id, employer_id=acme.id, country="US")
    make_alumnus("Lee", "Anna", degree="master", graduation_year=2015, department_id=med.id,
                 country="SG")
    client = login("researcher")

    def names(**query) -> set[str]:
        body = client.get("/alumni/", query_string=query).get_data(as_text=True)
        return {n for n in ("佐藤 健", "Anna Lee") if n in body}

    assert names() == {"佐藤 健", "Anna Lee"}
    assert names(q="さとう") == {"佐藤 健"}
    assert names(q="anna lee") == {"Anna Lee"}
    assert names(q="acme") == {"佐藤 健"}
    assert names(degree="master") == {"Anna Lee"}
    assert names(year="2010") == {"佐藤 健"}
    assert names(department=str(med.id)) == {"Anna Lee"}
    assert names(country="sg") == {"Anna Lee"}
    assert names(employer=str(acme.id)) == {"佐藤 健"}
    body = client.get("/alumni/?sort=year&dir=desc").get_data(as_text=True)
    assert body.index("Anna Lee") < body.index("佐藤 健")


def test_alumni_of_one_employer_from_the_company_page(login, make_company):
    """The company page links to its alumni in the list; the list names the employer and
    offers every employer again (no choice among every employer in the filter bar)."""
    acme, other = make_company(name="Acme Inc."), make_company(name="Other KK")
    make_alumnus("佐藤", "健", employer_id=acme.id, graduation_year=2010)
    make_alumnus("Lee", "Anna", employer_id=other.id, graduation_year=2015)
    client = login("researcher")
    company_page = client.get(f"/companies/{acme.id}").get_data(as_text=True)
    link = f'href="/alumni/?employer={acme.id}"'
    assert link in company_page and "All 1 alumni" in company_page
    body = client.get(f"/alumni/?employer={acme.id}").get_data(as_text=True)
    assert "佐藤 健" in body and "Anna Lee" not in body
    assert f'<a href="/companies/{acme.id}">Acme Inc.</a>' in body
    assert 'href="/alumni/">Show alumni at every employer' in body
    # the filter stays as the user types in the search box or changes another filter
    assert f'<input type="hidden" name="employer" value="{acme.id}">' in body
    assert 'name="employer"' not in client.get("/alumni/").get_data(as_text=True)
    assert "佐藤 健" in client.get(f"/alumni/?employer={acme.id}&year=2010").get_data(
        as_text=True)


def test_a_list_longer_than_it_counts_says_more_than_and_still_pages(login):
    """Past 10,000 rows the list says "more than 10,000" (its count stops there) and its page
    links go on; a filter that keeps fewer counts them exactly."""
    from crm.common.views import LIST_COUNT_CAP

    db.session.execute(Alumnus.__table__.insert(), [
        {"family_name": f"卒業生{i:05d}", "family_name_reading": f"そつぎょうせい{i:05d}",
         "degree": "bachelor", "graduation_year": 2000 if i < 3 else 2001, "version": 1}
        for i in range(LIST_COUNT_CAP + 1)])
    db.session.commit()
    client = login("researcher")
    first = client.get("/alumni/").get_data(as_text=True)
    assert "More than 10,000 records · page 1" in first and "卒業生00000" in first
    assert 'href="/alumni/?page=2"' in first
    last = client.get(f"/alumni/?page={LIST_COUNT_CAP // 50 + 1}").get_data(as_text=True)
    assert "卒業生10000" in last and "卒業生09999" not in last
    assert "3 records · page 1 of 1" in client.get("/alumni/?year=2000").get_data(as_text=True)


def test_list_query_count_does_not_grow_with_rows(login, make_company, queries_do_not_grow):
    dept = make_department(**ENGINEERING)

    def add(n: int) -> None:
        for i in range(n):
            employer = make_company(name=f"Employer {n}-{i}")
            make_alumnus(f"Alum{n}", f"No{i}", department_id=dept.id, employer_id=employer.id,
                         graduation_year=2000 + i)

    body = queries_do_not_grow(login("manager"), "/alumni/", add)
    assert "Employer 20-19" in body


def test_detail_query_count_does_not_grow_with_donations(login, make_company, same_queries):
    def build(n: int) -> Alumnus:
        contact = make_contact(make_company(name=f"Co {n}"), f"C{n}")
        alumnus = make_alumnus(f"Alum{n}", employer_id=contact.company_id,
                               contact_id=contact.id)
        for i in range(n):
            make_donation(alumnus, str(1000 + i), currency="USD" if i % 2 else "JPY",
                          purpose=f"Gift {n}-{i}")
        return alumnus

    small, large = build(2), build(20)
    body = same_queries(login("manager"), f"/alumni/{small.id}", f"/alumni/{large.id}")
    assert "Gift 20-19" in body
