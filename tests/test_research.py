"""Departments, researchers and research seeds: forms, per-record rights, lists and pages."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.research.models import Department, Researcher, ResearchSeed
from tests.factories import make_department, make_researcher, make_seed


def seed_form(**overrides: Any) -> dict[str, Any]:
    data = {"title": "Soft robot gripper", "abstract": "A gripper for fragile food.",
            "keywords": "robotics, food", "department": "", "readiness": "4",
            "ip_status": "filed", "status": "available"}
    data.update(overrides)
    return data


def count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


def fresh(model: type, ident: int) -> Any:
    """The record as the database has it now (requests commit in their own session)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def text(response) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field_id: str) -> str:
    """The error message shown right after a field (bootstrap invalid-feedback)."""
    match = re.search(rf'id="{field_id}"[^>]*>.*?<div class="invalid-feedback[^"]*">\s*([^<]+)<',
                      html, re.S)
    assert match, f"no error beside {field_id}"
    return match.group(1).strip()


# --- CRUD through the forms --------------------------------------------------------------------

@pytest.mark.parametrize("role", ["bd", "manager"])
def test_research_editors_create_department_researcher_and_seed(login, role):
    c = login(role)
    r = c.submit("/research/departments/new",
                 {"name": "工学研究科", "name_en": "Graduate School of Engineering", "code": "eng"})
    assert r.status_code == 302
    dept = db.session.scalar(select(Department))
    assert dept.code == "ENG"
    assert "Graduate School of Engineering" in text(c.get(r.headers["Location"]))

    r = c.submit("/research/researchers/new", {
        "family_name": "佐藤", "given_name": "花子", "family_name_reading": "さとう",
        "given_name_reading": "はなこ", "name_en": "Hanako Sato", "department": str(dept.id),
        "lab": "ソフトロボティクス研究室", "title": "教授", "email": "Sato@Example.ac.jp",
        "keywords": "ソフトロボット、把持", "profile": "Works on soft grippers."})
    assert r.status_code == 302
    person = db.session.scalar(select(Researcher))
    assert (person.family_name_reading, person.email) == ("サトウ", "sato@example.ac.jp")
    page = text(c.get(f"/research/researchers/{person.id}"))
    assert "佐藤 花子" in page and "ソフトロボティクス研究室" in page and "工学研究科" in page
    assert ">ソフトロボット</span>" in page and ">把持</span>" in page

    r = c.submit("/research/seeds/new", seed_form(
        department=str(dept.id), government_funded="y",
        **{"researchers-0": f"佐藤 花子 [#{person.id}]", "researchers-1": ""}))
    assert r.status_code == 302
    item = db.session.scalar(select(ResearchSeed))
    assert (item.title, item.readiness, item.ip_status, item.government_funded) == \
        ("Soft robot gripper", 4, "filed", True)
    assert [x.id for x in item.researchers] == [person.id]
    page = text(c.get(f"/research/seeds/{item.id}"))
    assert "Soft robot gripper" in page and 'aria-valuenow="4"' in page
    assert f'href="/research/researchers/{person.id}"' in page
    assert "Government-funded (Bayh-Dole): licensing or transfer needs prior approval" in page
    assert ">robotics</span>" in page
    assert "Soft robot gripper" in text(c.get(f"/research/researchers/{person.id}"))
    assert "Soft robot gripper" in text(c.get(f"/research/departments/{dept.id}"))


def test_manager_edits_and_deletes(login):
    dept = make_department()
    a, b = make_researcher(), make_researcher(family_name="鈴木", given_name="一郎")
    item = make_seed([a], department_id=dept.id, readiness=3)
    c = login("manager")
    form = c.get(f"/research/seeds/{item.id}/edit")
    assert form.status_code == 200 and f"[#{a.id}]" in text(form)
    r = c.submit(f"/research/seeds/{item.id}/edit", seed_form(
        title="New title", readiness="7", department=str(dept.id),
        **{"researchers-0": f"[#{a.id}]", "researchers-1": "鈴木 一郎"}))
    assert r.status_code == 302
    db.session.expire_all()
    item = fresh(ResearchSeed, item.id)
    assert item.title == "New title" and item.readiness == 7
    assert item.government_funded is False
    assert sorted(x.id for x in item.researchers) == sorted([a.id, b.id])

    r = c.submit(f"/research/researchers/{b.id}/edit",
                 {"family_name": "鈴木", "given_name": "次郎", "department": ""})
    assert r.status_code == 302 and fresh(Researcher, b.id).given_name == "次郎"
    r = c.submit(f"/research/departments/{dept.id}/edit", {"name": "理学研究科", "code": ""})
    assert r.status_code == 302 and fresh(Department, dept.id).name == "理学研究科"

    assert c.get(f"/research/seeds/{item.id}/delete").status_code == 200
    assert c.submit(f"/research/seeds/{item.id}/delete").status_code == 302
    assert count(ResearchSeed) == 0 and count(Researcher) == 2
    page = text(c.get(f"/research/researchers/{b.id}/delete"))
    assert "Delete 鈴木 次郎?" in page
    assert c.submit(f"/research/researchers/{b.id}/delete").status_code == 302
    assert count(Researcher) == 1


def test_researcher_delete_keeps_seeds_and_unlinks_login(login, users):
    a, b = make_researcher(), make_researcher(family_name="鈴木")
    item = make_seed([a, b])
    users["researcher"].researcher_id = a.id
    db.session.commit()
    page = text(login("bd").get(f"/research/researchers/{a.id}/delete"))
    assert "Research seeds naming them (kept, without them): 1" in page
    assert "Login accounts linked to them (kept, unlinked): 1" in page
    assert login("bd").submit(f"/research/researchers/{a.id}/delete").status_code == 302
    db.session.expire_all()
    assert [x.id for x in fresh(ResearchSeed, item.id).researchers] == [b.id]
    assert fresh(type(users["researcher"]), users["researcher"].id).researcher_id is None


# --- validation --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "10"])
def test_readiness_out_of_range_refused_beside_the_field(login, value):
    c = login("bd")  # the select offers 1-9 only: the server checks what a tampered post sends
    r = c.forge("/research/seeds/new", seed_form(readiness=value))
    assert r.status_code == 422
    assert "from 1 (basic principles) to 9" in field_error(text(r), "readiness")
    assert count(ResearchSeed) == 0

    item = make_seed(readiness=5)
    r = c.forge(f"/research/seeds/{item.id}/edit", seed_form(readiness=value))
    assert r.status_code == 422
    db.session.expire_all()
    assert fresh(ResearchSeed, item.id).readiness == 5
    assert fresh(ResearchSeed, item.id).title != "Soft robot gripper"


def test_title_required_and_unknown_researcher_refused(login):
    c = login("bd")
    r = c.submit("/research/seeds/new", seed_form(title="  "))
    assert r.status_code == 422
    assert field_error(text(r), "title") == "Enter the title of the seed."
    r = c.submit("/research/seeds/new", seed_form(**{"researchers-0": "Nobody [#999]"}))
    assert r.status_code == 422
    assert "no longer exists" in field_error(text(r), "researchers-0")
    r = c.forge("/research/seeds/new", seed_form(department="999"))  # not an option
    assert r.status_code == 422
    assert count(ResearchSeed) == 0


def test_department_name_required_and_unique(login):
    make_department(name="医学研究科", code="MED")
    c = login("bd")
    r = c.submit("/research/departments/new", {"name": ""})
    assert r.status_code == 422 and field_error(text(r), "name") == "Enter the department name."
    r = c.submit("/research/departments/new", {"name": "医学研究科"})
    assert r.status_code == 422 and "already exists" in field_error(text(r), "name")
    r = c.submit("/research/departments/new", {"name": "薬学研究科", "code": "med"})
    assert r.status_code == 422 and "already used" in field_error(text(r), "code")
    assert count(Department) == 1


def test_researcher_family_name_required(login):
    r = login("bd").submit("/research/researchers/new", {"family_name": "", "department": ""})
    assert r.status_code == 422
    assert field_error(text(r), "family_name") == "Enter the family name."
    assert count(Researcher) == 0


def test_department_delete_refused_while_in_use(login):
    used, empty = make_department(), make_department()
    make_researcher(department_id=used.id)
    make_seed(department_id=used.id)
    c = login("manager")
    page = text(c.get(f"/research/departments/{used.id}/delete"))
    assert "cannot be deleted yet" in page and "1 researcher" in page
    assert c.page.candidates(f"/research/departments/{used.id}/delete", None) == []
    r = c.forge(f"/research/departments/{used.id}/delete")  # no button: a replayed post
    assert r.status_code == 409
    assert "cannot be deleted: 1 researchers, 1 research seeds" in text(r)
    assert fresh(Department, used.id) is not None
    assert c.submit(f"/research/departments/{empty.id}/delete").status_code == 302
    assert count(Department) == 1


# --- who may edit ------------------------------------------------------------------------------

def test_researcher_user_edits_own_seed_only(login, users):
    me, other = make_researcher(), make_researcher(family_name="鈴木")
    mine, theirs = make_seed([me], title="Mine"), make_seed([other], title="Theirs")
    users["researcher"].researcher_id = me.id
    db.session.commit()
    c = login("researcher")
    assert c.get(f"/research/seeds/{mine.id}/edit").status_code == 200
    r = c.submit(f"/research/seeds/{mine.id}/edit",
                 seed_form(title="Mine, revised", **{"researchers-0": f"[#{me.id}]"}))
    assert r.status_code == 302
    assert fresh(ResearchSeed, mine.id).title == "Mine, revised"
    assert ">Edit</a>" in text(c.get(f"/research/seeds/{mine.id}"))

    # Dropping themselves from the seed would lock them out: refused beside the field.
    r = c.submit(f"/research/seeds/{mine.id}/edit",
                 seed_form(title="Gone", **{"researchers-0": f"[#{other.id}]"}))
    assert r.status_code == 422 and "Keep yourself among the researchers" in text(r)

    assert c.get(f"/research/seeds/{theirs.id}/edit").status_code == 403
    r = c.forge(f"/research/seeds/{theirs.id}/edit",
                 seed_form(title="Hijacked", **{"researchers-0": f"[#{me.id}]"}))
    assert r.status_code == 403
    assert ">Edit</a>" not in text(c.get(f"/research/seeds/{theirs.id}"))
    for url in ("/research/departments/new", "/research/seeds/new", "/research/researchers/new",
                f"/research/seeds/{mine.id}/delete"):
        assert c.get(url).status_code == 403
    assert c.forge("/research/departments/new", {"name": "X"}).status_code == 403
    assert c.forge("/research/seeds/new", seed_form()).status_code == 403
    db.session.expire_all()
    assert fresh(ResearchSeed, theirs.id).title == "Theirs"
    assert count(Department) == 0 and count(ResearchSeed) == 2


def test_researcher_user_edits_own_profile_only(login, users):
    me, other = make_researcher(), make_researcher(family_name="鈴木")
    users["researcher"].researcher_id = me.id
    db.session.commit()
    c = login("researcher")
    assert "This is you" in text(c.get(f"/research/researchers/{me.id}"))
    r = c.submit(f"/research/researchers/{me.id}/edit",
                 {"family_name": "山田", "given_name": "太郎", "department": "",
                  "keywords": "量子センシング"})
    assert r.status_code == 302
    assert fresh(Researcher, me.id).keywords == "量子センシング"
    assert c.get(f"/research/researchers/{other.id}/edit").status_code == 403
    assert c.forge(f"/research/researchers/{other.id}/edit",
                    {"family_name": "X"}).status_code == 403
    assert c.get(f"/research/researchers/{me.id}/delete").status_code == 403


@pytest.mark.parametrize("role", ["liaison", "staff", "researcher"])
def test_roles_without_research_edit_cannot_change_research(login, role):
    dept = make_department()
    person = make_researcher(department_id=dept.id)
    item = make_seed([person])
    c = login(role)
    assert c.get(f"/research/seeds/{item.id}").status_code == 200
    urls = ["/research/seeds/new", f"/research/seeds/{item.id}/edit",
            f"/research/seeds/{item.id}/delete", "/research/researchers/new",
            f"/research/researchers/{person.id}/edit", f"/research/researchers/{person.id}/delete",
            "/research/departments/new", f"/research/departments/{dept.id}/edit",
            f"/research/departments/{dept.id}/delete"]
    for url in urls:
        assert c.get(url).status_code == 403, url
        assert c.forge(url, {"title": "x", "name": "x", "family_name": "x"}).status_code == 403
    db.session.expire_all()
    assert (count(Department), count(Researcher), count(ResearchSeed)) == (1, 1, 1)
    assert fresh(ResearchSeed, item.id).title == "高効率ペロブスカイト太陽電池"
    page = text(c.get(f"/research/seeds/{item.id}"))
    assert f"/research/seeds/{item.id}/edit" not in page
    assert "/research/seeds/new" not in text(c.get("/research/seeds/"))


def test_unknown_ids_404(login):
    c = login("admin")
    for url in ("/research/seeds/999", "/research/seeds/999/edit", "/research/seeds/999/delete",
                "/research/researchers/999", "/research/researchers/999/edit",
                "/research/researchers/999/delete", "/research/departments/999",
                "/research/departments/999/edit", "/research/departments/999/delete"):
        assert c.get(url).status_code == 404, url


def test_csrf_less_post_refused(login):
    dept = make_department()
    item = make_seed()
    c = login("admin")
    assert c.post("/research/seeds/new", data=seed_form()).status_code == 400
    assert c.post(f"/research/seeds/{item.id}/edit", data=seed_form()).status_code == 400
    assert c.post(f"/research/seeds/{item.id}/delete").status_code == 400
    assert c.post("/research/departments/new", data={"name": "X"}).status_code == 400
    assert c.post(f"/research/departments/{dept.id}/delete").status_code == 400
    assert c.post("/research/researchers/new", data={"family_name": "X"}).status_code == 400
    assert (count(Department), count(Researcher), count(ResearchSeed)) == (1, 0, 1)
    assert fresh(ResearchSeed, item.id).title == "高効率ペロブスカイト太陽電池"


def test_anonymous_is_sent_to_login(client):
    r = client.get("/research/seeds/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# --- lists and search --------------------------------------------------------------------------

def test_seed_list_search_filters_and_sort(login):
    eng, med = make_department(name="工学研究科"), make_department(name="医学研究科")
    make_seed(title="量子センサ", abstract="ダイヤモンドNVセンタ", keywords="quantum",
              department_id=eng.id, readiness=3, government_funded=True, ip_status="filed")
    make_seed(title="Drug delivery gel", keywords="hydrogel, 創薬", department_id=med.id,
              readiness=6, status="in_discussion")
    c = login("liaison")

    def titles(query: str) -> list[str]:
        page = text(c.get("/research/seeds/" + query))
        return re.findall(r'href="/research/seeds/\d+">([^<]+)</a>', page)

    assert titles("") == ["Drug delivery gel", "量子センサ"]  # newest change first
    assert titles("?q=ＮＶ") == ["量子センサ"]  # full-width letters fold
    assert titles("?q=創薬") == ["Drug delivery gel"]
    assert titles("?q=hydrogel+delivery") == ["Drug delivery gel"]
    assert titles("?q=hydrogel+quantum") == []
    assert titles(f"?department={eng.id}") == ["量子センサ"]
    assert titles("?readiness=5") == ["Drug delivery gel"]
    assert titles("?gov=yes") == ["量子センサ"]
    assert titles("?gov=no") == ["Drug delivery gel"]
    assert titles("?ip=filed") == ["量子センサ"]
    assert titles("?status=in_discussion") == ["Drug delivery gel"]
    assert titles("?sort=readiness&dir=asc") == ["量子センサ", "Drug delivery gel"]
    assert titles("?sort=title&dir=desc") == ["量子センサ", "Drug delivery gel"]

    partial = c.get("/research/seeds/?q=quantum",
                    headers={"HX-Request": "true", "HX-Target": "results"})
    assert "量子センサ" in text(partial) and "<nav class=\"navbar" not in text(partial)


def test_researcher_list_search_by_kanji_kana_latin_lab_keywords(login):
    eng, med = make_department(), make_department()
    make_researcher(family_name="山田", given_name="太郎", family_name_reading="やまだ",
                    given_name_reading="たろう", name_en="Taro Yamada", lab="材料研究室",
                    keywords="ペロブスカイト", department_id=eng.id)
    make_researcher(family_name="Smith", given_name="Anna", name_en="Anna Smith",
                    lab="Bio lab", keywords="genomics", department_id=med.id)
    c = login("staff")

    def names(query: str) -> list[str]:
        page = text(c.get("/research/researchers/" + query))
        return re.findall(r'href="/research/researchers/\d+">([^<]+)</a>', page)

    assert names("?q=山田太郎") == ["山田 太郎"]
    assert names("?q=山田　太郎") == ["山田 太郎"]  # a full-width space
    assert names("?q=ヤマダ") == ["山田 太郎"]
    assert names("?q=やまだ たろう") == ["山田 太郎"]
    assert names("?q=yamada") == ["山田 太郎"]
    assert names("?q=材料") == ["山田 太郎"]
    assert names("?q=genomics") == ["Anna Smith"]
    assert names(f"?department={med.id}") == ["Anna Smith"]
    assert names("?sort=department&dir=desc") == names("?sort=department&dir=asc")[::-1]


def test_department_list_counts(login):
    eng, med = make_department(name="工学研究科", code="ENG"), make_department(name="医学研究科")
    make_researcher(department_id=eng.id)
    make_researcher(department_id=eng.id)
    make_seed(department_id=eng.id)
    page = text(login("liaison").get("/research/departments/?sort=researchers&dir=desc"))
    rows = re.findall(r'<tr>\s*<td><a href="/research/departments/(\d+)">.*?</tr>', page, re.S)
    assert rows == [str(eng.id), str(med.id)]
    assert f'href="/research/researchers/?department={eng.id}">2</a>' in page
    assert f'href="/research/seeds/?department={eng.id}">1</a>' in page
    assert "医学研究科" not in text(login("liaison").get("/research/departments/?q=ENG"))


def test_bayh_dole_banner_only_when_flagged(login):
    flagged, plain = make_seed(government_funded=True), make_seed(title="Plain")
    c = login("liaison")
    banner = "Government-funded (Bayh-Dole): licensing or transfer needs prior approval"
    assert banner in text(c.get(f"/research/seeds/{flagged.id}"))
    assert 'role="alert"' not in text(c.get(f"/research/seeds/{plain.id}"))


def test_researcher_slot_adds_a_picker(login):
    r = login("bd").get("/research/seeds/researcher-slot?index=3")
    assert r.status_code == 200
    page = text(r)
    assert 'name="researchers-3"' in page and "/suggest/researcher?field=researchers-3" in page
    assert "index=4" in page and 'hx-swap-oob="true"' in page


def test_new_seed_prefilled_from_researcher(login):
    dept = make_department()
    person = make_researcher(department_id=dept.id)
    page = text(login("bd").get(f"/research/seeds/new?researcher={person.id}"))
    assert f'value="山田 太郎 [#{person.id}]"' in page
    assert f'<option selected value="{dept.id}">' in page


# --- no N+1 ------------------------------------------------------------------------------------

def test_seed_list_query_count_constant(login, count_queries):
    dept = make_department()
    people = [make_researcher(family_name=f"研究者{i}", department_id=dept.id) for i in range(3)]
    c = login("liaison")

    def queries() -> int:
        c.get("/research/seeds/")
        with count_queries() as n:
            assert c.get("/research/seeds/").status_code == 200
        return n()

    for i in range(2):
        make_seed(people[:2], title=f"Seed {i}", department_id=dept.id)
    two = queries()
    for i in range(2, 20):
        make_seed(people, title=f"Seed {i}", department_id=dept.id)
    assert queries() == two


def test_researcher_page_query_count_constant(login, count_queries):
    dept = make_department()
    person = make_researcher(department_id=dept.id)
    colleague = make_researcher(family_name="同僚")
    c = login("liaison")

    def queries() -> int:
        c.get(f"/research/researchers/{person.id}")
        with count_queries() as n:
            assert c.get(f"/research/researchers/{person.id}").status_code == 200
        return n()

    for i in range(2):
        make_seed([person, colleague], title=f"Seed {i}", department_id=dept.id)
    two = queries()
    for i in range(2, 20):
        make_seed([person, colleague], title=f"Seed {i}", department_id=dept.id)
    assert queries() == two


def test_department_list_and_page_query_count_constant(login, count_queries):
    c = login("liaison")

    def queries(url: str) -> int:
        c.get(url)
        with count_queries() as n:
            assert c.get(url).status_code == 200
        return n()

    def add(n: int) -> Department:
        for _ in range(n):
            dept = make_department()
            make_seed([make_researcher(department_id=dept.id)], department_id=dept.id)
        return dept

    first = add(2)
    two_list, two_page = queries("/research/departments/"), queries(
        f"/research/departments/{first.id}")
    add(18)
    for i in range(18):
        make_seed([make_researcher(department_id=first.id)], department_id=first.id)
    assert queries("/research/departments/") == two_list
    assert queries(f"/research/departments/{first.id}") == two_page
