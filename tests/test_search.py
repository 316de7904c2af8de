"""Search and matching in the CRM: the outbox keeps the index current, the search and match
pages, the match sections of company, seed and researcher pages, and the `crm` commands."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, insert, select, text

from crm import search
from crm.activities.models import Activity
from crm.companies.services import delete_company, save_company
from crm.contacts.models import Contact
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.outbox import IndexOutbox
from crm.research.models import Department, ResearchSeed

from tests.factories import make_contact, make_researcher, make_seed


@pytest.fixture(autouse=True)
def index(own_index):
    """Every test here gets its own empty index (the app's is shared by the whole run)."""
    return own_index


def pending() -> int:
    return db.session.scalar(select(func.count(IndexOutbox.id)))


def ids(found) -> list[int]:
    return [f.record.id for f in found]


# --- the outbox keeps the index current ------------------------------------------------------

def test_a_saved_company_is_searchable_when_the_save_returns(login, index):
    client = login("liaison")
    r = client.submit("/companies/new", {"name": "株式会社架橋電池", "country": "JP",
                                         "status": "active", "interests": "全固体電池の界面"})
    assert r.status_code == 302
    assert pending() == 0
    page = client.get("/search/?q=全固体電池").get_data(as_text=True)
    assert "株式会社架橋<mark>電池</mark>" in page
    assert ids(search.match("全固体電池", kind="company")) == [db.session.scalar(
        select(func.min(text("id"))).select_from(text("companies")))]


def test_a_rolled_back_change_leaves_no_trace(app, index):
    save_company(None, {"name": "幻の会社", "interests": "蜃気楼"})
    assert pending() == 1  # written in the same transaction...
    db.session.rollback()
    assert pending() == 0  # ...and gone with it
    assert index.search("蜃気楼") == []


def test_an_update_lost_between_commit_and_index_is_still_in_the_outbox(app, index, monkeypatch):
    """The process "dies" after the commit, before the index write: the row survives and the
    next drain (or a rebuild) applies it."""
    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(type(index), "batch", crash)
    company = save_company(None, {"name": "株式会社回復", "interests": "水素吸蔵合金"})
    db.session.commit()  # the drain after commit fails: the save itself stands
    assert pending() == 1
    monkeypatch.undo()
    assert index.search("水素吸蔵合金") == []
    assert search.drain() == 1
    assert [h.id for h in index.search("水素吸蔵合金")] == [company.id]
    assert pending() == 0


def test_worker_mode_leaves_draining_to_the_worker(app, index, runner):
    app.config["CRM_INDEX_MODE"] = "worker"
    try:
        company = save_company(None, {"name": "Worker Mode KK", "interests": "tribology"})
        db.session.commit()
        assert pending() == 1 and index.search("tribology") == []
        result = runner.invoke(args=["index", "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "Indexed 1 update" in result.output
        assert [h.id for h in index.search("tribology")] == [company.id]
    finally:
        app.config.pop("CRM_INDEX_MODE")


def test_two_writers_saving_at_once_lose_no_update(app, index):
    """Two threads (as two web workers would) save and drain at the same time."""
    import threading

    errors: list[Exception] = []

    def worker(tag: str) -> None:
        try:
            with app.app_context():
                for n in range(6):
                    save_company(None, {"name": f"並行{tag}{n}", "interests": f"concurrency{tag}"})
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(tag,)) for tag in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert pending() == 0
    assert len(index.search("concurrencya")) == 6 and len(index.search("concurrencyb")) == 6


def test_deleting_removes_from_the_index(app, index):
    company = save_company(None, {"name": "Gone Soon Ltd", "interests": "ephemeral"})
    db.session.commit()
    assert index.search("ephemeral")
    delete_company(company)
    db.session.commit()
    assert index.search("ephemeral") == []


def test_a_seed_change_reaches_its_researchers_profile(index):
    person = make_researcher()
    seed = make_seed(title="ペロブスカイト太陽電池", researchers=[person])
    assert ids(search.match("ペロブスカイト", kind="researcher")) == [person.id]
    seed.title = "熱電変換モジュール"
    db.session.commit()
    assert ids(search.match("熱電変換", kind="researcher")) == [person.id]
    assert search.match("ペロブスカイト", kind="researcher") == []
    seed.researchers = []
    db.session.commit()
    assert search.match("熱電変換", kind="researcher") == []


def test_encounters_and_activities_feed_the_company_document(index, make_company):
    company = make_company(name="株式会社聞き耳")
    contact = Contact(family_name="佐藤", company_id=company.id)
    event = Event(name="nano tech", starts_on=date(2026, 1, 29))
    db.session.add_all([contact, event])
    db.session.flush()
    db.session.add(Encounter(event_id=event.id, contact_id=contact.id,
                             research_interests="量子ドットディスプレイ"))
    db.session.add(Activity(company_id=company.id, occurred_on=date(2026, 2, 1),
                            subject="定例", minutes="マイクロLEDの歩留まり"))
    db.session.add(Activity(company_id=company.id, occurred_on=date(2026, 2, 2),
                            subject="秘密の打合せ", minutes="極秘の買収計画", confidential=True))
    db.session.commit()
    assert ids(search.match("量子ドット", kind="company")) == [company.id]
    assert ids(search.match("マイクロLED", kind="company")) == [company.id]
    # confidential minutes are not searchable, not even through the company
    assert search.match("買収計画", kind="company") == []
    assert index.search("買収計画") == []
    assert "activity" in {h.kind for h in index.search("秘密")}  # the subject is


# --- the search page -----------------------------------------------------------------------

def test_search_page_groups_highlights_and_escapes(login, make_company):
    make_company(name="<b>Evil</b> 電池 Corp", interests="batteries")
    make_seed(title="Battery recycling", abstract="コバルトの回収")
    page = login("researcher").get("/search/?q=ＢＡＴＴＥＲＹ").get_data(as_text=True)
    assert "Companies" in page and "Research seeds" in page
    assert "&lt;b&gt;Evil&lt;/b&gt;" in page and "<b>Evil" not in page
    assert "<mark>Battery</mark> recycling" in page
    assert "<mark>batteries</mark>" in page


def test_search_page_finds_readings_and_one_kind(login, app):
    contact = make_contact(family_name="山田", given_name="花子", family_name_reading="ヤマダ")
    client = login("staff")
    page = client.get("/search/?q=やまだ").get_data(as_text=True)
    assert f"/contacts/{contact.id}" in page
    only = client.get("/search/?q=やまだ&kind=seed").get_data(as_text=True)
    assert f"/contacts/{contact.id}" not in only
    assert "Nothing found" in only


def test_search_page_says_more_than_the_cap_when_a_word_is_everywhere(login, monkeypatch):
    import search_index.index

    monkeypatch.setattr(search_index.index, "COUNT_CAP", 10)  # the page shows 10 per kind
    for n in range(11):
        make_seed(title=f"水素の貯蔵 {n}")
    make_seed(title="Battery recycling", abstract="水素")
    client = login("staff")
    page = client.get("/search/?q=水素").get_data(as_text=True)
    assert '>10+</span>' in page and "More than 10: refine the search" in page
    assert "All 10+" in page
    one_kind = client.get("/search/?q=水素&kind=seed").get_data(as_text=True)
    assert '>12</span>' in one_kind  # 50 shown at most: all 12 counted
    one = client.get("/search/?q=recycling").get_data(as_text=True)
    assert '>1</span>' in one and "refine the search" not in one


def test_search_needs_login(client):
    r = client.get("/search/?q=x")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# --- matching ----------------------------------------------------------------------------------

def test_match_page_ranks_with_why_and_filters(login):
    make_seed(title="全固体電池の界面抵抗低減", readiness=3, government_funded=True)
    make_seed(title="Solid-state battery electrolytes", readiness=6)
    make_seed(title="麹菌の発酵")
    client = login("manager")
    client.get("/search/match")
    r = client.submit("/search/match", {"text": "全固体電池 solid-state battery の共同研究先を探しています",
                                        "kind": "seed"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "全固体電池の界面抵抗低減" in page and "Solid-state battery electrolytes" in page
    assert "麹菌" not in page
    assert "Why" in page and ">全固体電池<" in page
    filtered = client.submit("/search/match", {"text": "全固体電池 solid-state battery",
                                               "kind": "seed", "exclude_government": "y",
                                               "readiness": "5"}).get_data(as_text=True)
    assert "全固体電池の界面抵抗低減" not in filtered
    assert "Solid-state battery electrolytes" in filtered


def test_a_manager_opens_match_from_the_menu_types_a_need_and_sees_the_seeds(login):
    """Issue 11: Research → "Match a need to research" → type → Match answered 400 every time
    (the page built its form without CSRF on GET, so the form it rendered had no token)."""
    make_seed(title="全固体電池の界面抵抗低減", abstract="硫化物系固体電解質")
    make_seed(title="麹菌の発酵")
    client = login("manager")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/search/match"' in home and "Match a need to research" in home
    form = client.get("/search/match").get_data(as_text=True)
    assert 'name="csrf_token"' in form
    r = client.submit("/search/match", {"text": "全固体電池の量産に向けて共同研究先を探しています"})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    page = r.get_data(as_text=True)
    assert "全固体電池の界面抵抗低減" in page and "麹菌の発酵" not in page
    # The need stays in the box, ready to refine, and the form can be sent again.
    assert "全固体電池の量産に向けて共同研究先を探しています</textarea>" in page
    again = client.submit("/search/match", {"kind": "researcher"})
    assert again.status_code == 200


def test_match_by_a_bookmarkable_get_link_needs_no_token(login):
    make_seed(title="Solid-state battery electrolytes")
    client = login("liaison")
    r = client.get("/search/match", query_string={"text": "solid-state battery", "kind": "seed"})
    assert r.status_code == 200
    assert "Solid-state battery electrolytes" in r.get_data(as_text=True)


def test_more_filters_link_of_a_company_page_matches_and_posts(login, make_company):
    company = make_company(name="株式会社ニーズ", interests="排熱を電気に変える熱電変換")
    person = make_researcher(family_name="鈴木")
    make_seed(title="熱電変換モジュール", researchers=[person])
    other = make_researcher(family_name="佐藤")
    make_seed(title="麹菌の発酵", researchers=[other])
    client = login("liaison")
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    link = f"/search/match?company={company.id}&amp;kind=researcher"
    assert link in page and "Researchers, more filters" in page
    opened = client.get(link.replace("&amp;", "&"))
    assert opened.status_code == 200
    assert f"/research/researchers/{person.id}" in opened.get_data(as_text=True)
    # Match as rendered (the company's needs already typed, researchers chosen): no 400.
    r = client.submit(f"/search/match?company={company.id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f"/research/researchers/{person.id}" in html
    assert f"/research/researchers/{other.id}" not in html
    assert "株式会社ニーズ" in html  # still the needs of that company
    # Refined: the same need, seeds this time.
    seeds = client.submit(f"/search/match?company={company.id}", {"kind": "seed"})
    assert seeds.status_code == 200 and "熱電変換モジュール" in seeds.get_data(as_text=True)


def test_match_page_refuses_a_post_without_csrf(login):
    assert login("manager").post("/search/match", data={"text": "x"}).status_code == 400


def test_match_page_starts_from_a_company(login, make_company):
    company = make_company(name="株式会社ニーズ", interests="排熱を電気に変える熱電変換")
    person = make_researcher(family_name="鈴木")
    make_seed(title="熱電変換モジュール", researchers=[person])
    page = login("liaison").get(f"/search/match?company={company.id}&kind=researcher")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "排熱を電気に変える熱電変換" in html  # the company's needs, ready to edit
    assert f"/research/researchers/{person.id}" in html
    assert login("liaison").get("/search/match?company=999999").status_code == 404


def test_company_page_shows_matching_seeds_with_constant_queries(login, make_company,
                                                                 count_queries):
    company = make_company(name="株式会社ピッキング", interests="物流倉庫のピッキング自動化")
    client = login("liaison")
    url = f"/companies/{company.id}"
    client.get(url)
    with count_queries() as none_matching:
        page = client.get(url).get_data(as_text=True)
    assert "No research seed matches" in page
    for n in range(12):
        make_seed(title=f"ロボットによるピッキング {n}", abstract="物流倉庫の自動化",
                  government_funded=n % 2 == 0)
    with count_queries() as many_matching:
        page = client.get(url).get_data(as_text=True)
    assert "Matching research seeds" in page and "ロボットによるピッキング" in page
    assert ">ピッキング<" in page  # why
    assert none_matching() == many_matching()
    part = client.get(f"/search/companies/{company.id}/seeds?exclude_government=y")
    assert part.status_code == 200
    html = part.get_data(as_text=True)
    assert "ピッキング 1</a>" in html and "ピッキング 0</a>" not in html  # 0 is government-funded


def test_seed_and_researcher_pages_show_interested_companies(login, make_company, users,
                                                             count_queries):
    officer = users["liaison"]
    make_company(name="株式会社蓄熱", interests="潜熱蓄熱材で暖房費を下げたい",
                 officer_id=officer.id)
    person = make_researcher(family_name="高橋", keywords="蓄熱, 相変化材料")
    seed = make_seed(title="潜熱蓄熱材の開発", abstract="相変化材料で熱を蓄える", researchers=[person])
    client = login("researcher")
    with count_queries() as first:
        page = client.get(f"/research/seeds/{seed.id}").get_data(as_text=True)
    assert "Interested companies" in page and "株式会社蓄熱" in page and officer.name in page
    for n in range(5):
        make_company(name=f"蓄熱商事{n}", interests="蓄熱材")
    with count_queries() as second:
        client.get(f"/research/seeds/{seed.id}")
    assert first() == second()
    page = client.get(f"/research/researchers/{person.id}").get_data(as_text=True)
    assert "Interested companies" in page and "株式会社蓄熱" in page


# --- the commands ------------------------------------------------------------------------------

def test_rebuild_status_and_match_commands(app, index, runner, make_company):
    make_company(name="株式会社索引", interests="光触媒による水素製造")
    # A row written behind the ORM's back (a bulk load) is not in the index until a rebuild.
    db.session.execute(insert(Department).values(name="理学部"))
    db.session.execute(insert(ResearchSeed).values(title="可視光応答型光触媒", ip_status="none",
                                                   government_funded=False, status="available"))
    db.session.commit()
    assert index.count("seed") == 0
    status = runner.invoke(args=["index", "status"])
    assert status.exit_code == 0 and "Pending updates: 0" in status.output
    assert "counts differ" in status.output
    result = runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert index.count("seed") == 1 and index.count("company") == 1
    out = runner.invoke(args=["match", "光触媒で水素をつくりたい", "--kind", "seed", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert rows[0]["name"] == "可視光応答型光触媒" and "光触媒" in rows[0]["terms"]
    text_out = runner.invoke(args=["match", "光触媒", "--kind", "company"])
    assert "株式会社索引" in text_out.output and "officer" in text_out.output
    assert runner.invoke(args=["index", "rebuild", "--kind", "nope"]).exit_code != 0


# --- CRM_SEARCH_BACKEND=postgres: the index in the database, shared by every host --------------

def test_the_postgres_backend_serves_saves_rebuild_worker_status_and_readiness(app, runner):
    """With CRM_SEARCH_BACKEND=postgres the app's index is the database's search_* tables:
    saves reach it through the outbox, `crm index rebuild`, `worker` and `status` work on it,
    and /readyz checks it. On SQLite the setting is refused with a message saying why."""
    from search_index.pg import PgIndex

    before = app.extensions.pop("search_index", None)
    app.config["CRM_SEARCH_BACKEND"] = "postgres"
    try:
        if db.engine.dialect.name != "postgresql":
            with pytest.raises(RuntimeError, match="PostgreSQL"):
                search.get_index()
            return
        ix = search.get_index()
        assert isinstance(ix, PgIndex)
        company = save_company(None, {"name": "株式会社共有索引", "interests": "水素吸蔵合金"})
        db.session.commit()  # drained inline into the database's index
        assert [h.id for h in ix.search("水素吸蔵合金")] == [company.id]
        ix.drop()  # lost: a rebuild brings it back from the records
        assert ix.search("水素吸蔵合金") == []
        result = runner.invoke(args=["index", "rebuild"])
        assert result.exit_code == 0, result.output
        assert [h.id for h in ix.search("水素吸蔵合金")] == [company.id]
        assert [h.id for h in ix.match("水素を貯める合金の用途", kind="company")] == [company.id]
        app.config["CRM_INDEX_MODE"] = "worker"
        save_company(company, {"name": "株式会社共有索引", "interests": "固体酸化物形燃料電池",
                               "version": company.version})
        db.session.commit()
        assert pending() == 1 and ix.search("固体酸化物形燃料電池") == []
        result = runner.invoke(args=["index", "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert [h.id for h in ix.search("固体酸化物形燃料電池")] == [company.id]
        assert search.status()["kinds"]["company"] == {"documents": 1, "records": 1}
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 200 and ready.get_json()["checks"]["index"]["ok"]
    finally:
        app.config["CRM_SEARCH_BACKEND"] = "whoosh"
        app.config["CRM_INDEX_MODE"] = "inline"
        ix = app.extensions.pop("search_index", None)
        if isinstance(ix, PgIndex):
            ix.drop()
        if before is not None:
            app.extensions["search_index"] = before
