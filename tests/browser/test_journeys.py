"""Each role's daily job in Chromium, as the user does it: typing, tapping, reading the screen.

Seed rows are built through the services (as `crm demo` and tests/test_reports.py build them);
everything after that is done in the browser. Each journey asserts what the user sees (text on
the page, rows in a table, the downloaded file's contents) and saves screenshots of its key
pages under tmp_path (and JOURNEY_SHOTS, see conftest.py).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from crm.companies.services import save_company
from crm.contacts.services import save_contact
from crm.events.models import Encounter, Event
from crm.extensions import db
from tests.browser.conftest import LAPTOP, PHONE

FIXTURES = Path(__file__).parent.parent / "fixtures"
TODAY = date.today()


def _text(locator) -> str:
    """What the user reads in that part of the page, spaces folded."""
    return re.sub(r"\s+", " ", locator.inner_text()).strip()


def _wait_drawn(page, board: str) -> None:
    """Every chart of the dashboard drawn (plotly's SVG is in it). Locators only: the
    application's Content-Security-Policy forbids the page evaluating strings (wait_for_function)."""
    charts = page.locator(".js-chart")
    assert charts.count() >= 1, f"{board}: no chart had data"
    for chart in charts.all():
        chart.locator(".main-svg").first.wait_for(state="attached", timeout=15_000)


def _assert_fits(page, what: str) -> None:
    """Nothing wider than the screen: the phone never scrolls sideways."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what}: the page is {overflow}px wider than the screen"


# -- liaison officer, at a fair, on a phone -------------------------------------------------------

@pytest.fixture
def fair(users):
    """ABC株式会社 in the officer's portfolio; 北斗電機株式会社 with 佐藤 花子 (no e-mail);
    鈴木 一郎, marked do not contact, at 株式会社ニコン; the fair running today."""
    officer = users["liaison"]
    abc = save_company(None, {"name": "ABC株式会社", "officer_id": officer.id})
    hokuto = save_company(None, {"name": "北斗電機株式会社", "officer_id": officer.id})
    nikon = save_company(None, {"name": "株式会社ニコン"})
    sato = save_contact(None, {"family_name": "佐藤", "given_name": "花子",
                               "company_id": hokuto.id})
    suzuki = save_contact(None, {"family_name": "鈴木", "given_name": "一郎",
                                 "company_id": nikon.id, "email": "suzuki@nikon.example",
                                 "do_not_contact": True})
    event = Event(name="CEATEC 2026", kind="trade_show", starts_on=TODAY - timedelta(days=1),
                  ends_on=TODAY + timedelta(days=2))
    db.session.add(event)
    db.session.commit()
    return {"abc": abc, "hokuto": hokuto, "nikon": nikon, "sato": sato, "suzuki": suzuki,
            "event": event}


def _open_menu(page, menu: str, item: str) -> None:
    """Open a menu of the navigation bar (behind the ☰ button on a phone) and tap an item."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#nav.show").wait_for()
    page.locator("#nav").get_by_role("button", name=menu, exact=True).click()
    page.locator("#nav .dropdown-menu.show .dropdown-item", has_text=item).click()
    page.wait_for_load_state()


def test_liaison_logs_three_people_at_a_fair_on_a_phone_then_checks_the_portfolio(
        open_screen, server, shot, fair):
    screen = open_screen("liaison", viewport=PHONE)
    page = screen.page
    page.get_by_role("link", name="Log a contact at a fair").first.click()
    page.wait_for_load_state()
    _assert_fits(page, "the empty fair form")
    page.select_option("#event", label="CEATEC 2026")

    # 1. A new person at ABC株式会社, typed from the card as ＡＢＣ(株).
    page.fill("#family_name", "田中")
    page.fill("#given_name", "健")
    page.fill("#company", "ＡＢＣ(株)")
    page.fill("#interests", "SiC パワー半導体の評価")
    page.check("#follow_up_wanted")
    page.fill("#follow_up_by", (TODAY + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Save and next person").click()
    page.wait_for_load_state()
    saved = _text(page.locator(".alert-success"))
    assert "田中 健" in saved and "new contact" in saved
    assert "ABC株式会社" in saved and "existing company" in saved, saved
    assert "ＡＢＣ" not in saved
    _assert_fits(page, "the fair form after saving")

    # 2. 佐藤 花子 again, at 北斗電機(株): asked whether she is the one already in the CRM.
    assert page.locator("#event").input_value() == str(fair["event"].id), \
        "the form stays on the event"
    page.fill("#family_name", "佐藤")
    page.fill("#given_name", "花子")
    page.fill("#company", "北斗電機(株)")
    page.get_by_role("button", name="Save and next person").click()
    page.wait_for_load_state()
    confirm = page.locator("#confirm")
    assert "Is this one of these people?" in _text(confirm)
    shot(page, "liaison_fair_near_match_390")
    confirm.get_by_label(re.compile("佐藤 花子 · 北斗電機株式会社")).check()
    confirm.get_by_role("button", name="Confirm and save").click()
    page.wait_for_load_state()
    saved = _text(page.locator(".alert-success"))
    assert "佐藤 花子" in saved and "existing contact" in saved, saved

    # 3. 鈴木 一郎, whom the office must not contact: the panel offers him as he is typed.
    page.fill("#family_name", "鈴木")
    page.fill("#given_name", "一郎")
    panel = page.locator("#fair-people")
    panel.get_by_text("Already in the CRM?").wait_for()
    panel.get_by_label(re.compile("鈴木 一郎 · 株式会社ニコン")).check()
    page.get_by_role("button", name="Save and next person").click()
    page.wait_for_load_state()
    saved = _text(page.locator(".alert-success"))
    assert "鈴木 一郎" in saved and "existing contact" in saved, saved
    assert "Review 3 met here" in _text(page.locator("main"))
    shot(page, "fair_form_390")

    # The event's page lists the three, the do-not-contact one flagged.
    page.get_by_role("link", name=re.compile("Review 3 met here")).click()
    page.wait_for_load_state()
    met = _text(page.locator("main"))
    for name in ("田中 健", "佐藤 花子", "鈴木 一郎"):
        assert name in met
    assert "Do not contact" in met

    # My portfolio: ABC株式会社 contacted today, 田中 健's follow-up waiting.
    _open_menu(page, "Liaison", "My portfolio")
    assert page.locator("h1").inner_text() == "My portfolio"
    _assert_fits(page, "My portfolio")
    companies = page.locator("#companies tbody tr")
    rows = {_text(r.locator("td").first).split(" ")[0]: _text(r) for r in companies.all()}
    assert set(rows) == {"ABC株式会社", "北斗電機株式会社"}
    assert "0 days ago" in rows["ABC株式会社"] and "0 days ago" in rows["北斗電機株式会社"]
    follow_ups = _text(page.locator("#follow-ups"))
    assert "田中 健 · ABC株式会社" in follow_ups and "CEATEC 2026" in follow_ups
    assert "佐藤 花子" not in follow_ups
    shot(page, "liaison_portfolio_390")
    screen.assert_clean()


def test_liaison_sees_do_not_contact_before_picking_the_person(open_screen, fair, shot):
    screen = open_screen("liaison", viewport=PHONE)
    page = screen.page
    page.get_by_role("link", name="Log a contact at a fair").first.click()
    page.wait_for_load_state()
    page.select_option("#event", label="CEATEC 2026")
    page.fill("#family_name", "鈴木")
    page.fill("#given_name", "一郎")
    panel = page.locator("#fair-people")
    panel.get_by_text("Already in the CRM?").wait_for()
    shot(page, "liaison_fair_do_not_contact_390")
    offered = _text(panel.locator(".form-check", has_text="鈴木 一郎"))
    assert re.search("do not contact", offered, re.I), offered
    screen.assert_clean()


# -- researcher files a request with a vCard; business development claims and enters it --------

VCARD = FIXTURES / "importers" / "vcard" / "ez-vcard" / "gmail-single.vcf"


@pytest.mark.parametrize("typed_name", [
    pytest.param("", id="only-the-vcard"),
    pytest.param("Greg Dartmouth", id="name-typed-too"),
])
def test_researcher_sends_a_vcard_and_business_development_enters_it(open_screen, shot,
                                                                      typed_name):
    researcher = open_screen("researcher")
    page = researcher.page
    page.locator("#nav").get_by_role("button", name="Liaison", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Data-entry requests").click()
    page.get_by_role("link", name="New request").click()
    page.wait_for_load_state()
    if typed_name:
        page.fill("#person_name", typed_name)
    page.fill("#where_met", "Lab visit, Engineering building 3")
    page.fill("#discussed", "Wants to license our sensor work.")
    page.set_input_files("#attachment", str(VCARD))
    page.get_by_role("button", name=re.compile("^Send")).click()
    page.wait_for_load_state()
    assert "Sent. The business-development team will enter" in _text(page.locator("main"))
    assert _text(page.locator("h1")).startswith("Greg Dartmouth")
    assert _text(page.locator("#status")) == "Waiting"
    assert "gmail-single.vcf" in _text(page.locator("main"))
    shot(page, "researcher_request_sent")
    researcher.assert_clean()

    bd = open_screen("bd")
    page = bd.page
    page.locator("#nav").get_by_role("button", name="Liaison", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Data-entry requests").click()
    page.wait_for_load_state()
    row = page.locator("main table tbody tr", has_text="Greg Dartmouth")
    assert "Unclaimed" in _text(row) and "researcher user" in _text(row)
    row.get_by_role("link", name="Greg Dartmouth").click()
    page.wait_for_load_state()
    # The team reads the card without opening the file.
    attachment = _text(page.locator("section", has_text="Attachment"))
    assert "gdartmouth@hotmail.com" in attachment and "TheCompany" in attachment
    page.get_by_role("button", name="Claim").click()
    page.wait_for_load_state()
    assert _text(page.locator("#status")) == "Claimed"
    assert "Claimed by bd user" in _text(page.locator("main"))
    page.get_by_role("link", name="Enter into the CRM").click()
    page.wait_for_load_state()
    # The form is filled from the vCard: nothing to retype.
    assert page.locator("#family_name").input_value() == "Dartmouth"
    assert page.locator("#given_name").input_value() == "Greg"
    assert page.locator("#company").input_value() == "TheCompany"
    assert page.locator("#email").input_value() == "gdartmouth@hotmail.com"
    phones = [i.input_value() for i in page.locator("main form input[type=tel]").all()]
    assert "555 555 1111" in phones, f"the card's mobile number is not in the form: {phones}"
    assert page.locator("#new_event").input_value() == "Lab visit, Engineering building 3"
    shot(page, "bd_enter_request")
    page.get_by_role("button", name="Create and mark entered").click()
    page.wait_for_load_state()
    assert _text(page.locator("#status")) == "Entered"
    assert _text(page.locator("#link-contact")) == "Greg Dartmouth"
    assert _text(page.locator("#link-company")) == "TheCompany"
    shot(page, "bd_request_entered")
    page.locator("#link-contact").click()
    page.wait_for_load_state()
    person = _text(page.locator("main"))
    assert "TheCompany" in person and "gdartmouth@hotmail.com" in person
    assert "555 555 1111" in person, "the mobile number from the card is kept"
    shot(page, "bd_contact_from_vcard")
    bd.assert_clean()


# -- manager: match a need, reassign a company, read the dashboards --------------------------------

@pytest.fixture
def seeds(app):
    """The bilingual matching set's research seeds (tests/fixtures/bilingual_matching.json)."""
    import json

    from crm.research.models import ResearchSeed

    data = json.loads((FIXTURES / "bilingual_matching.json").read_text(encoding="utf-8"))
    rows = {s["id"]: ResearchSeed(title=s["title"], keywords=s["keywords"], abstract=s["text"])
            for s in data["seeds"]}
    db.session.add_all(rows.values())
    db.session.commit()
    return {"titles": {k: v.title for k, v in rows.items()}, "needs": data["needs"]}


def _need(seeds, prefix: str) -> dict:
    return next(n for n in seeds["needs"] if n["text"].startswith(prefix))


def test_manager_matches_a_pasted_need_in_japanese_and_in_english(open_screen, shot, seeds):
    screen = open_screen("manager")
    page = screen.page
    page.locator("#nav").get_by_role("button", name="Research", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Match a need to research").click()
    page.wait_for_load_state()
    for prefix, lang in (("全固体電池", "ja"), ("We are looking", "en")):
        need = _need(seeds, prefix)
        page.fill("#text", need["text"])
        page.get_by_role("button", name="Match", exact=True).click()
        page.wait_for_load_state()
        results = page.locator("#match-results")
        assert "Nothing matches" not in _text(results)
        shown = _text(results)
        best = seeds["titles"][need["top"][0]]
        assert best in shown, f"{lang}: {best} not among the matches"
        for other in need.get("not", []):
            assert seeds["titles"][other] not in shown
        # What was pasted stays in the box, to refine it.
        assert page.locator("#text").input_value() == need["text"]
        shot(page, f"manager_match_{lang}")
    screen.assert_clean()


def test_manager_matches_an_english_need_to_a_japanese_seed_and_reads_the_glossary(
        open_screen, shot, seeds):
    """Across languages: a need typed in English finds a seed written only in Japanese, and
    "Why" says through which translation; the glossary behind it is one menu item away."""
    from crm.glossary.services import seed_if_empty

    seed_if_empty()
    db.session.commit()
    screen = open_screen("manager")
    page = screen.page
    page.locator("#nav").get_by_role("button", name="Research", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Match a need to research").click()
    page.wait_for_load_state()
    page.fill("#text", "Privacy-preserving federated learning on hospital data")
    page.get_by_role("button", name="Match", exact=True).click()
    page.wait_for_load_state()
    first = page.locator("#match-results .match-hit").first
    assert seeds["titles"][31] in _text(first)  # プライバシー保護連合学習
    assert "federated learning → 連合学習" in _text(first)
    shot(page, "manager_match_across_languages")
    page.locator("#nav").get_by_role("button", name="Research", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Glossary (Japanese–English)").click()
    page.wait_for_load_state()
    page.fill("#q", "連合学習")
    page.locator("#results").get_by_text("federated learning").wait_for()  # htmx swapped it
    assert "3Dプリンタ" not in _text(page.locator("#results"))
    shot(page, "manager_glossary")
    screen.assert_clean()


@pytest.fixture
def full_officer(users):
    """The liaison officer holds 10 companies (the programme's limit); 株式会社ミライ精機 is
    held by 高橋, a second officer."""
    from tests.factories import make_user

    officer = users["liaison"]
    for i in range(10):
        save_company(None, {"name": f"テスト工業{i:02d}株式会社", "officer_id": officer.id})
    takahashi = make_user("liaison", email="takahashi@example.org", name="高橋 ILO")
    mirai = save_company(None, {"name": "株式会社ミライ精機", "officer_id": takahashi.id})
    db.session.commit()
    return {"officer": officer, "takahashi": takahashi, "mirai": mirai}


def test_manager_reassigns_a_company_to_a_full_officer_then_reads_each_dashboard(
        open_screen, shot, full_officer):
    from crm.reports.dashboards import DASHBOARDS
    from tests.test_reports import build_office

    build_office(officer=full_officer["takahashi"])
    screen = open_screen("manager")
    page = screen.page
    page.locator("#nav").get_by_role("button", name="Liaison", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Portfolios and coverage").click()
    page.wait_for_load_state()
    assign = page.locator("#assign")
    assign.get_by_label("Company").fill("株式会社ミライ精機")
    assign.get_by_label("Officer").select_option(label="liaison user")
    assign.get_by_role("button").click()
    page.wait_for_load_state()
    refused = _text(page.locator("#assign"))
    assert "liaison user already holds 10 companies (the programme's limit is 10). A manager " \
           "may override with a reason." in refused
    assert "Nothing was changed" in refused
    # The form kept what was typed; the manager adds a reason.
    assert assign.get_by_label("Company").input_value().startswith("株式会社ミライ精機")
    shot(page, "manager_assign_refused")
    assign.get_by_label("Reason to override the 7–10 rule").fill(
        "高橋 is on leave until April; ミライ精機 needs a contact now.")
    assign.get_by_role("button").click()
    page.wait_for_load_state()
    assert "株式会社ミライ精機 is now held by liaison user." in _text(page.locator("main"))
    page.goto(page.url.split("/liaison")[0] + f"/liaison/companies/{full_officer['mirai'].id}"
              "/history")
    history = _text(page.locator("main"))
    assert "liaison user" in history and "高橋 is on leave until April" in history
    shot(page, "manager_assignment_history")

    page.locator("#nav").get_by_role("link", name="Reports").click()
    page.wait_for_load_state()
    for name, board in DASHBOARDS.items():
        tab = page.locator(".reports-nav").get_by_role("link", name=board.label())
        tab.click()
        page.wait_for_load_state()
        assert page.locator(".reports-nav .nav-link.active").inner_text() == board.label()
        _wait_drawn(page, name)
        titles = [_text(h) for h in page.locator(".report-card h2").all()]
        assert all(titles), f"{name}: a chart without a title"
        # The table view is the same chart's numbers, one click away.
        page.locator(".report-card .nav-link:not(.active)").first.click()
        assert page.locator(".tab-pane.active table").first.is_visible()
        shot(page, f"manager_reports_{name}")
    # The portfolios board counts the officer's eleven companies.
    page.locator(".reports-nav").get_by_role("link", name="Portfolios").click()
    page.wait_for_load_state()
    page.locator(".report-card .nav-link", has_text="Table").first.click()
    table = _text(page.locator(".tab-pane.active table").first)
    assert re.search(r"liaison user\D+11\b", table), table
    screen.assert_clean()


# -- staff exports a filtered partner list -------------------------------------------------------

@pytest.fixture
def partners(users):
    """Five companies: three electrical makers (two in Japan, one in the US), two drug makers."""
    for name, industry, country in (
            ("株式会社アルファ電機", "電気機器", "JP"), ("ベータ電機株式会社", "電気機器", "JP"),
            ("Gamma Electric Inc.", "電気機器", "US"), ("デルタ製薬株式会社", "医薬品", "JP"),
            ("Epsilon Pharma Ltd.", "医薬品", "GB")):
        save_company(None, {"name": name, "industry": industry, "country": country,
                            "officer_id": users["liaison"].id})
    db.session.commit()


def _download(page, link_text: str):
    """Open the list's Export menu, pick a format; the file as the browser saved it."""
    page.get_by_role("button", name="Export", exact=True).click()  # not "Export selection"
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text).click()
    download = info.value
    assert download.failure() is None
    return download


def test_staff_exports_a_filtered_partner_list_as_xlsx_and_csv(open_screen, shot, partners,
                                                               tmp_path):
    import openpyxl
    from playwright.sync_api import expect

    screen = open_screen("staff")
    page = screen.page
    page.locator("#nav").get_by_role("link", name="Companies").click()
    page.wait_for_load_state()
    assert page.locator("#results tbody tr").count() == 5
    rows = page.locator("#results tbody tr")
    page.select_option("#f-industry", "電気機器")  # the list follows at once (htmx)
    expect(rows).to_have_count(3)
    page.fill("#f-country", "JP")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(rows).to_have_count(2)
    shown = sorted(_text(r.locator("td:not(.row-check-cell)").first)  # after the tick-box
                   for r in page.locator("#results tbody tr").all())
    assert shown == ["ベータ電機株式会社", "株式会社アルファ電機"]
    assert "industry=" in page.url and "country=JP" in page.url, "the filter stays in the URL"
    shot(page, "staff_companies_filtered")

    xlsx = _download(page, "Excel (.xlsx)")
    assert xlsx.suggested_filename.endswith(".xlsx")
    path = tmp_path / xlsx.suggested_filename
    xlsx.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    book.close()
    header = rows[0]
    name, industry, country = (header.index(h) for h in ("Company name", "Industry", "Country"))
    assert sorted(r[name] for r in rows[1:]) == ["ベータ電機株式会社", "株式会社アルファ電機"]
    assert {(r[industry], r[country]) for r in rows[1:]} == {("電気機器", "JP")}
    assert not any("Donation" in str(h) for h in header), "staff see no donation figures"

    data = _download(page, "CSV (UTF-8, opens in Excel)")
    assert data.suggested_filename.endswith(".csv")
    path = tmp_path / data.suggested_filename
    data.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so Excel reads the Japanese"
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(r["Company name"] for r in table) == ["ベータ電機株式会社", "株式会社アルファ電機"]
    assert {(r["Industry"], r["Country"]) for r in table} == {("電気機器", "JP")}
    screen.assert_clean()


# -- export-control officer screens a typed name and decides a hit --------------------------------

@pytest.fixture
def screening_lists(users):
    """The METI End User List extract, and 高麗航空株式会社 (Air Koryo) as a partner."""
    from crm.screening import services

    services.import_list("meti-eul",
                         (FIXTURES / "screening" / "meti_names_extract.csv").read_bytes(),
                         "meti_names_extract.csv", version="2024-05-10")
    koryo = save_company(None, {"name": "高麗航空株式会社", "name_en": "Air Koryo Co., Ltd.",
                                "country": "KP"})
    db.session.commit()
    return {"koryo": koryo}


def test_export_control_officer_screens_a_typed_name_and_decides_a_hit(open_screen, shot,
                                                                        screening_lists):
    screen = open_screen("export_control")
    page = screen.page
    page.locator("#nav").get_by_role("button", name="Collaborations", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Export-control screening").click()
    page.wait_for_load_state()
    form = page.locator("#screen-name")
    form.get_by_label("Name").fill("Air Koryo")
    form.get_by_role("button", name="Screen").click()
    page.wait_for_load_state()
    result = _text(page.locator("#screen-name"))
    assert "Result for Air Koryo" in result
    assert "AIR KORYO" in result and "EUL262" in result
    shot(page, "export_control_name_screened")
    # A clean name is said to be clean.
    page.locator("#screen-name").get_by_label("Name").fill("株式会社ニコン")
    page.locator("#screen-name").get_by_role("button", name="Screen").click()
    page.wait_for_load_state()
    assert "No candidate hit at or above the threshold." in _text(page.locator("#screen-name"))

    # The partner with that name: screened, the hit decided with a reason.
    page.goto(page.url.split("/screening")[0]
              + f"/screening/companies/{screening_lists['koryo'].id}")
    page.get_by_role("button", name="Screen now").click()
    page.wait_for_load_state()
    assert re.search(r"Screened against 1 lists?: 1 candidate hits?\.",
                     _text(page.locator(".alert")))
    hit = page.locator("li[id^=hit-]", has_text="EUL262").first
    assert "AIR KORYO" in _text(hit)
    hit.get_by_label("Escalate").check()
    hit.get_by_placeholder("Why (the record of the decision)").fill(
        "Same airline as the METI entry; the board decides.")
    hit.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert "Decision recorded: Escalate." in _text(page.locator("main"))
    assert _text(page.locator("li[id^=hit-] .badge").first) == "Escalated"
    decided = _text(page.locator("main"))
    assert "Same airline as the METI entry" in decided
    shot(page, "export_control_hit_decided")
    screen.assert_clean()


# -- a collaboration moved through its steps ------------------------------------------------------

@pytest.fixture
def collaboration(users):
    from decimal import Decimal

    from crm.collaborations import services
    from crm.research.models import Researcher, ResearchSeed

    tanaka = Researcher(family_name="田中", given_name="一郎")
    seed = ResearchSeed(title="全固体電池の電解質", researchers=[tanaka])
    db.session.add_all([tanaka, seed])
    company = save_company(None, {"name": "株式会社アクメ電機", "industry": "電気機器"})
    collab = services.save_collaboration(None, {
        "kind": "joint_research", "title": "電解質の共同研究", "company_id": company.id,
        "seed_ids": [seed.id], "researcher_ids": [tanaka.id],
        "direct_costs": Decimal("1000000"), "currency": "JPY", "contract_language": "ja",
        "quarterly_reports": False, "opened_on": TODAY - timedelta(days=30)},
        by=users["liaison"])
    db.session.commit()
    return collab


def _tick_and_save(page, step: str) -> int:
    """Tick every box of a step's checklist and save it; how many there were."""
    section = page.locator(f"#step-{step}")
    boxes = section.locator("input[type=checkbox][name=item]")
    for box in boxes.all():
        box.check()
    section.get_by_role("button", name="Save checklist").click()
    page.wait_for_load_state()
    return boxes.count()


def test_a_collaboration_is_moved_through_its_steps(open_screen, shot, collaboration, server):
    screen = open_screen("liaison")
    page = screen.page
    page.locator("#nav").get_by_role("button", name="Collaborations", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Collaboration pipeline").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="電解質の共同研究").first.click()
    page.wait_for_load_state()
    assert _text(page.locator("h1")) == "電解質の共同研究"

    # Step 1: both items ticked and saved, then signed off.
    n = _tick_and_save(page, "partner_search")
    assert "Saved the checklist of Partner search." in _text(page.locator("main"))
    assert f"{n}/{n}" in _text(page.locator("#step-partner_search summary"))
    page.get_by_role("button", name="Sign off and move to Internal intent check").click()
    page.wait_for_load_state()
    assert "Signed off Partner search: the collaboration is now at Internal intent check." \
        in _text(page.locator("main"))
    assert "Signed off" in _text(page.locator("#step-partner_search summary"))

    # Step 2: one item short; the officer may not sign it off.
    step = page.locator("#step-intent_check")
    step.locator("input[name=item]").first.check()
    step.get_by_role("button", name="Save checklist").click()
    page.wait_for_load_state()
    assert "1/5" in _text(page.locator("#step-intent_check summary"))
    assert "Not done yet: 4 of 5 items." in _text(page.locator("#signoff"))
    page.get_by_role("button", name="Sign off and move to Partner information").click()
    page.wait_for_load_state()
    refused = _text(page.locator("#step-intent_check"))
    assert "Current step" in refused, "still at the intent check"
    shot(page, "collaboration_signoff_refused")
    # The rest ticked: now it moves.
    _tick_and_save(page, "intent_check")
    page.get_by_role("button", name="Sign off and move to Partner information").click()
    page.wait_for_load_state()
    assert "now at Partner information" in _text(page.locator("main"))
    screen.assert_clean()

    # A manager signs off the next step with an item missing, giving the reason.
    manager = open_screen("manager")
    page = manager.page
    page.goto(f"{server}/collaborations/{collaboration.id}")
    step = page.locator("#step-partner_info")
    step.locator("input[name=item]").first.check()
    step.get_by_role("button", name="Save checklist").click()
    page.wait_for_load_state()
    page.get_by_label("Override reason").fill("与信調査は来週届く。先に進める。")
    page.get_by_role("button", name="Sign off and move to Collaboration scheme").click()
    page.wait_for_load_state()
    assert "now at Collaboration scheme" in _text(page.locator("main"))
    page.locator("#step-partner_info summary").click()  # a signed-off step is folded
    step = _text(page.locator("#step-partner_info"))
    assert "Overridden" in step and "与信調査は来週届く。" in step
    history = _text(page.locator("#history"))
    assert "Partner search" in history and "Partner information" in history
    shot(page, "collaboration_moved")

    # The pipeline board shows it in its new column.
    page.locator("#nav").get_by_role("button", name="Collaborations", exact=True).click()
    page.locator("#nav").get_by_role("link", name="Collaboration pipeline").click()
    page.wait_for_load_state()
    assert "電解質の共同研究" in _text(page.locator(".board-col[data-stage=scheme]"))
    assert "電解質の共同研究" not in _text(page.locator(".board-col[data-stage=partner_info]"))
    shot(page, "collaboration_board_1366")
    manager.assert_clean()


def test_ticks_made_just_before_signing_off_are_not_lost(open_screen, collaboration, server):
    screen = open_screen("liaison")
    page = screen.page
    page.goto(f"{server}/collaborations/{collaboration.id}")
    for box in page.locator("#step-partner_search input[name=item]").all():
        box.check()
    # Straight to the sign-off, without "Save checklist".
    page.get_by_role("button", name="Sign off and move to Internal intent check").click()
    page.wait_for_load_state()
    assert "now at Internal intent check" in _text(page.locator("main"))
    assert "2/2" in _text(page.locator("#step-partner_search summary"))
    screen.assert_clean()


# -- the demo office, in Japanese: the README's screenshots ---------------------------------------

def test_manager_reads_the_demo_office_dashboards_in_japanese(app, runner, open_screen, shot):
    """`crm demo`, then the demo manager reads each dashboard in Japanese: every tab, chart title
    and axis is translated, every chart draws. These pages are the README's screenshots."""
    from crm.reports.dashboards import DASHBOARDS

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    credentials = (Path(app.instance_path) / "demo-credentials.txt").read_text()
    password = credentials.rsplit(" ", 1)[1].strip()
    screen = open_screen(None, email="manager@example.org", password=password, lang="ja",
                         viewport={**LAPTOP, "width": 1280})
    page = screen.page
    page.locator("#nav").get_by_role("link", name="レポート").click()
    page.wait_for_load_state()
    tabs = [_text(t) for t in page.locator(".reports-nav .nav-link").all()]
    assert tabs == ["全体概況", "ポートフォリオ", "イベント", "卒業生・寄付", "シーズ"]
    for name in DASHBOARDS:
        page.goto(f"{page.url.split('/reports')[0]}/reports/{name}")
        _wait_drawn(page, name)
        for title in page.locator(".report-card h2").all():
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", _text(title)), \
                f"{name}: untranslated chart title {_text(title)!r}"
        shot(page, f"reports_{name}")
    screen.assert_clean()


# -- the liaison officer's phone pages, in Japanese ------------------------------------------------

def test_liaison_phone_pages_in_japanese_fit_the_screen(open_screen, server, shot, fair):
    """The pages an officer opens on a phone between two stands: nothing wider than the
    screen, the interface in Japanese."""
    screen = open_screen("liaison", viewport=PHONE, lang="ja")
    page = screen.page
    for path, name, heading in (
            ("/", "home", None),
            ("/events/fair", "fair", "面談相手を記録"),
            ("/liaison/mine", "portfolio", "担当ポートフォリオ"),
            ("/companies/", "companies", "企業"),
            ("/contacts/", "contacts", "担当者"),
            (f"/contacts/{fair['suzuki'].id}", "contact", "鈴木 一郎"),
            (f"/events/{fair['event'].id}", "event", "CEATEC 2026"),
            ("/requests/new", "request", None)):
        page.goto(server + path)
        page.wait_for_load_state()
        if heading:
            assert heading in _text(page.locator("h1").first), (path, _text(page.locator("h1")))
        shot(page, f"liaison_ja_{name}_390")
        _assert_fits(page, path)
        for table in page.locator("main table").all():  # lists readable without scrolling
            width = table.evaluate("t => t.scrollWidth - t.parentElement.clientWidth")
            assert width <= 0, f"{path}: a table {width}px wider than the screen"
    screen.assert_clean()
