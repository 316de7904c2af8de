"""Dashboards for managers: who sees what, the numbers behind each chart, the CSV files, filter
values the bar cannot show, a period too long to draw, user data in chart labels, and a constant
number of SQL queries whatever the size of the data."""
from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import plotly.offline
import pytest

from crm.activities.models import Activity
from crm.alumni.models import Alumnus
from crm.collaborations.models import KINDS, Collaboration
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.liaison import services as liaison
from crm.reports import services as report_services
from crm.reports.charts import safe_cell
from crm.reports.dashboards import DASHBOARDS
from crm.reports.services import quarter_start
from crm.requests.models import DataEntryRequest
from crm.research.models import Department, Researcher, ResearchSeed
from tests.factories import make_user
from tests.reading import page

TODAY = date.today()
BOARDS = list(DASHBOARDS)
#: A donation amount no other number on the page could be.
SECRET_AMOUNT = Decimal("7654321")


def _company(name: str, **kw) -> Company:
    """A company of the office, added without a flush (build_office writes hundreds at once; the
    officer is set on the row, with no portfolio history, unlike tests.factories.make_company)."""
    company = Company(name=name, name_folded=name.lower(), country=kw.pop("country", "JP"),
                      status="active", **kw)
    db.session.add(company)
    return company


def build_office(scale: int = 1, officer=None) -> dict:
    """Demo-like rows: `scale` times as many of everything (companies, contacts, events,
    encounters, activities, alumni, donations, seeds, requests)."""
    officer = officer or make_user("liaison", email=f"ilo{scale}@example.org", name="伊藤 ILO")
    eng = Department(name=f"工学研究科{scale}", code=f"ENG{scale}")
    med = Department(name=f"医学系研究科{scale}", code=f"MED{scale}")
    db.session.add_all([eng, med])
    companies = []
    for i in range(3 * scale):
        c = _company(f"テスト工業{scale}-{i}", country="JP" if i % 3 else "US",
                     interests="SiC パワー半導体の熱マネジメント" if i % 2 else "創薬 AI",
                     membership_tier="standard" if i % 2 else None,
                     renewal_date=TODAY + timedelta(days=20 * (i % 5) - 10),
                     officer_id=officer.id)
        companies.append(c)
    db.session.flush()
    for i, c in enumerate(companies):
        contact = Contact(family_name="山田", given_name=f"太郎{i}", company=c)
        event = Event(name=f"CEATEC {scale}-{i}", kind="trade_show",
                      starts_on=TODAY - timedelta(days=40 + i))
        db.session.add_all([
            contact, event,
            Encounter(event=event, contact=contact, user_id=officer.id,
                      met_on=event.starts_on),
            Activity(company=c, kind="meeting", occurred_on=TODAY - timedelta(days=i % 90),
                     subject="打ち合わせ", user_id=officer.id),
            Alumnus(family_name="卒業", given_name=f"生{i}", employer=c, country="JP",
                    department=eng),
            Donation(company=c, amount=Decimal(100000 + i), currency="JPY",
                     received_on=TODAY - timedelta(days=30 * i), purpose="奨学金"),
            ResearchSeed(title=f"SiC モジュール {i}", keywords="SiC, 熱マネジメント",
                         department=eng),
            ResearchSeed(title=f"古文書の解読 {i}", keywords="古文書", department=med),
            Researcher(family_name="研究", given_name=f"者{i}", department=med),
            DataEntryRequest(person_name=f"名刺 {i}", status="submitted"),
        ])
    db.session.commit()
    return {"officer": officer, "companies": companies, "eng": eng, "med": med}


def _csv(client, board: str, chart: str, **args) -> list[list[str]]:
    response = client.get(f"/reports/{board}.csv", query_string={"chart": chart, **args})
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    body = response.data
    response.close()  # as the server does once the answer is sent (PEP 3333)
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _column(rows: list[list[str]], name: str) -> list[str]:
    i = rows[0].index(name)
    return [r[i] for r in rows[1:]]


def _figures(page_html: str) -> dict[str, dict]:
    """Each chart's plotly figure, by chart id, as embedded in the page."""
    out = {}
    for section in page_html.split('<section class="card')[1:]:
        chart_id = re.search(r'id="chart-([a-z_]+)"', section).group(1)
        figure = re.search(r'data-figure="([^"]*)"', section)
        if figure:
            out[chart_id] = json.loads(html_lib.unescape(figure.group(1)))
    return out


def _selected(page_html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page_html, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"\s*selected', select.group(1))


# -- who sees what ---------------------------------------------------------------------------

@pytest.mark.parametrize("board", BOARDS)
@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_roles_with_reports_view_see_every_dashboard_drawn_from_local_plotly(login, role,
                                                                             board):
    build_office()
    html = page(login(role), f"/reports/{board}")
    assert f"/reports/plotly-{plotly.offline.get_plotlyjs_version()}.min.js" in html
    assert "cdn.plot.ly" not in html and "https://" not in html.split("<main")[1]
    assert 'class="js-chart"' in html, "at least one chart has data to draw"


@pytest.mark.parametrize("role", ["liaison", "bd", "researcher", "export_control"])
def test_roles_without_reports_view_are_refused_pages_and_csv(login, role):
    client = login(role)
    for board in BOARDS:
        assert client.get(f"/reports/{board}").status_code == 403
        assert client.get(f"/reports/{board}.csv?chart=engaged").status_code == 403


def test_staff_sees_no_donation_number_anywhere(login):
    office = build_office()
    db.session.add(Donation(company=office["companies"][0], amount=SECRET_AMOUNT,
                            currency="JPY", received_on=TODAY, purpose="研究助成"))
    db.session.commit()
    staff = login("staff")
    html = staff.get("/reports/alumni").get_data(as_text=True)
    assert "7,654,321" not in html and "7654321" not in html
    assert "donations_year" not in html and "研究助成" not in html
    assert "Which companies employ the most of our alumni?" in html  # alumni charts stay
    for chart in ("donations_year", "donations_purpose", "donations_country"):
        assert staff.get(f"/reports/alumni.csv?chart={chart}").status_code == 403
    # ...while a manager sees the same donation in the chart, the table and the CSV.
    manager = login("manager")
    html = manager.get("/reports/alumni").get_data(as_text=True)
    assert "7,654,321" in html
    rows = _csv(manager, "alumni", "donations_purpose")
    assert ["研究助成", "7654321"] in rows


# -- the numbers -----------------------------------------------------------------------------

def test_engaged_companies_this_quarter_and_last(login):
    this_q = quarter_start(TODAY)
    last_q = quarter_start(this_q - timedelta(days=1))
    member = _company("会員企業", membership_tier="premium")
    other = _company("一般企業")
    quiet = _company("音沙汰なし")
    db.session.flush()
    contact = Contact(family_name="佐藤", company=other)
    event = Event(name="展示会", kind="trade_show", starts_on=last_q)
    db.session.add_all([
        Activity(company=member, occurred_on=TODAY, subject="今期", kind="meeting"),
        Activity(company=member, occurred_on=last_q, subject="前期", kind="meeting"),
        Activity(company=member, occurred_on=TODAY, subject="今期2", kind="call"),
        Activity(company=quiet, occurred_on=last_q - timedelta(days=400), subject="昔",
                 kind="call"),
        contact, event, Encounter(event=event, contact=contact, met_on=last_q),
    ])
    db.session.commit()
    rows = _csv(login("manager"), "overview", "engaged")
    assert rows[0] == ["Period", "Member companies", "Other companies", "Total"]
    by_period = {r[0]: r[1:] for r in rows[1:]}
    assert by_period["This quarter, to date"] == ["1", "0", "1"]
    assert by_period["Last quarter"] == ["1", "1", "2"]  # an activity and an encounter
    assert by_period["Last quarter, to the same day"] == ["1", "1", "2"]


def test_monthly_activity_and_encounters_respect_period_and_officer(login):
    office = build_office()
    other = make_user("liaison", email="other@example.org", name="別の担当")
    db.session.add(Activity(company=office["companies"][0], occurred_on=TODAY,
                            subject="別", kind="call", user_id=other.id))
    db.session.commit()
    manager = login("manager")
    everyone = _csv(manager, "overview", "monthly")
    month = TODAY.strftime("%Y-%m")
    this_month = next(r for r in everyone if r[0] == month)
    only = _csv(manager, "overview", "monthly", officer=office["officer"].id)
    this_month_only = next(r for r in only if r[0] == month)
    assert int(this_month[1]) == int(this_month_only[1]) + 1  # the other officer's call
    narrow = _csv(manager, "overview", "monthly", **{"from": TODAY.replace(day=1).isoformat(),
                                                     "to": TODAY.isoformat()})
    assert [r[0] for r in narrow[1:]] == [month]
    officers = _csv(manager, "overview", "by_officer")
    assert "別の担当" in _column(officers, "Officer")


def test_encounters_count_on_the_day_met_or_on_the_event_day_when_blank(login):
    company = _company("日付なし")
    db.session.flush()
    month_start = TODAY.replace(day=1)
    contact = Contact(family_name="鈴木", company=company)
    today_event = Event(name="当日の展示会", kind="trade_show", starts_on=TODAY)
    # A two-day event that began last month: the person was met this month.
    spanning = Event(name="月をまたぐ展示会", kind="conference",
                     starts_on=month_start - timedelta(days=1), ends_on=TODAY)
    db.session.add_all([contact, today_event, spanning,
                        Encounter(event=today_event, contact=contact),  # no day: the event's
                        Encounter(event=spanning, contact=contact, met_on=TODAY)])
    db.session.commit()
    manager = login("manager")
    rows = _csv(manager, "overview", "monthly",
                **{"from": (month_start - timedelta(days=1)).replace(day=1).isoformat(),
                   "to": TODAY.isoformat()})
    encounters = dict(zip(_column(rows, "Month"), _column(rows, "Encounters at events")))
    assert encounters == {(month_start - timedelta(days=1)).strftime("%Y-%m"): "0",
                          TODAY.strftime("%Y-%m"): "2"}
    engaged = {r[0]: r[1:] for r in _csv(manager, "overview", "engaged")[1:]}
    assert engaged["This quarter, to date"] == ["0", "1", "1"]


def test_renewals_and_request_ages(login):
    _company("期限切れ", membership_tier="standard", renewal_date=TODAY - timedelta(days=3))
    _company("もうすぐ", membership_tier="premium", renewal_date=TODAY + timedelta(days=10))
    _company("まだ先", membership_tier="premium", renewal_date=TODAY + timedelta(days=200))
    _company("会員でない", renewal_date=TODAY)
    old = DataEntryRequest(person_name="古い依頼", status="claimed",
                           created_at=datetime.now() - timedelta(days=40))
    db.session.add_all([old, DataEntryRequest(person_name="新しい", status="submitted"),
                        DataEntryRequest(person_name="済み", status="entered")])
    db.session.commit()
    manager = login("manager")
    renewals = {r[0]: r[1:] for r in _csv(manager, "overview", "renewals")[1:]}
    assert renewals["Overdue"] == ["0", "1", "0", "1"]
    assert renewals["In 0–30 days"] == ["0", "0", "1", "1"]
    assert sum(int(r[-1]) for r in renewals.values()) == 2
    ages = {r[0]: r[-1] for r in _csv(manager, "overview", "requests")[1:]}
    assert ages["0–7 days"] == "1" and ages["31+ days"] == "1"


def test_portfolio_loads_against_the_band_and_stale_companies(login, users):
    light = make_user("liaison", email="light@example.org", name="少ない担当")
    full = make_user("liaison", email="full@example.org", name="適正な担当")
    for i in range(2):
        c = _company(f"軽い{i}")
        db.session.flush()
        liaison.assign_company(c, light, by=users["manager"])
    for i in range(8):
        c = _company(f"適正{i}")
        db.session.flush()
        liaison.assign_company(c, full, by=users["manager"])
        if i < 3:
            db.session.add(Activity(company=c, occurred_on=TODAY - timedelta(days=10),
                                    subject="最近", kind="call"))
        elif i < 5:
            db.session.add(Activity(company=c, occurred_on=TODAY - timedelta(days=200),
                                    subject="昔", kind="call"))
    db.session.commit()
    manager = login("manager")
    loads = {r[0]: r for r in _csv(manager, "portfolios", "loads")[1:]}
    assert loads["少ない担当"][1] == "2" and loads["少ない担当"][4] == "Under 7"
    assert loads["適正な担当"][1] == "8" and loads["適正な担当"][4] == "Within the band"
    stale = {r[0]: r[1:] for r in _csv(manager, "portfolios", "stale")[1:]}
    assert stale["適正な担当"] == ["3", "2", "3"]  # never, 90+ days, recent
    assert stale["少ない担当"] == ["2", "0", "0"]
    html = manager.get("/reports/portfolios").get_data(as_text=True)
    assert '"x0":7' in html.replace(" ", "").replace("&#34;", '"') \
        or "x0&#34;:7" in html, "the 7–10 band is drawn"


def test_uncovered_departments_reuse_liaison_and_filter_by_department(login, users):
    office = build_office()
    liaison.assign_coverage(office["officer"], office["eng"], by=users["manager"])
    db.session.commit()
    manager = login("manager")
    rows = _csv(manager, "portfolios", "uncovered")
    assert _column(rows, "Department") == [office["med"].name]
    assert _column(rows, "Researchers") == ["3"]
    only = _csv(manager, "portfolios", "uncovered", department=office["eng"].id)
    assert len(only) == 1  # the header: engineering is covered


def test_events_count_contacts_and_later_activities(login):
    company, silent = _company("展示会で会った"), _company("その後なし")
    db.session.flush()
    event = Event(name="nano tech", kind="trade_show", starts_on=TODAY - timedelta(days=30))
    a, b, c = (Contact(family_name=n, company=co) for n, co in
               (("甲", company), ("乙", company), ("丙", silent)))
    db.session.add_all([event, a, b, c] + [Encounter(event=event, contact=x,
                                                     met_on=event.starts_on) for x in (a, b, c)])
    db.session.add_all([
        Activity(company=company, occurred_on=TODAY - timedelta(days=5), subject="後日",
                 kind="visit"),
        Activity(company=silent, occurred_on=TODAY - timedelta(days=60), subject="前",
                 kind="call"),  # before the event: not a follow-up
    ])
    db.session.add(Collaboration(kind=KINDS[0], title="共同研究", company_id=company.id,
                                 opened_on=TODAY - timedelta(days=2)))
    db.session.commit()
    rows = _csv(login("manager"), "events", "per_event")
    row = dict(zip(rows[0], rows[1]))
    assert row["Event"] == "nano tech"
    assert row["People met"] == "3" and row["Their companies"] == "2"
    assert row["Companies with a later activity"] == "1"
    assert row["Companies with a later collaboration"] == "1"
    kinds = _csv(login("manager"), "events", "by_kind")
    assert kinds[1][0] == "Trade show" and kinds[1][-2] == "50" and kinds[1][-1] == "50"


def test_donations_by_origin_year_and_purpose(login, make_company):
    jp, us = _company("国内", country="JP"), _company("海外", country="US")
    abroad = Alumnus(family_name="Smith", country="GB")
    unknown = Alumnus(family_name="不明")
    db.session.add_all([abroad, unknown])
    db.session.flush()
    db.session.add_all([
        Donation(company=jp, amount=1000, currency="JPY", received_on=TODAY, purpose="奨学金"),
        Donation(company=us, amount=300, currency="JPY", received_on=TODAY, purpose="奨学金"),
        Donation(alumnus=abroad, amount=20, currency="JPY", received_on=TODAY,
                 purpose="=HYPERLINK(\"http://evil\")"),
        Donation(alumnus=unknown, amount=5, currency="JPY", received_on=TODAY),
        Donation(company=us, amount=999, currency="USD", received_on=TODAY, purpose="奨学金"),
    ])
    db.session.commit()
    manager = login("manager")
    years = {r[0]: r[1:] for r in _csv(manager, "alumni", "donations_year")[1:]}
    assert years[str(TODAY.year)] == ["1000", "320", "5", "1325", "4"]
    purposes = {r[0]: r[1] for r in _csv(manager, "alumni", "donations_purpose")[1:]}
    assert purposes["奨学金"] == "1300"
    assert purposes["'=HYPERLINK(\"http://evil\")"] == "20", "formula-safe cell"
    dollars = _csv(manager, "alumni", "donations_year", currency="USD")
    assert dollars[-1][2] == "999"
    only_us = _csv(manager, "alumni", "donations_country", country="US")
    assert [r[1] for r in only_us[1:]] == ["300"]


def test_alumni_by_employer_country_and_membership(login):
    office = build_office()
    db.session.add_all([Alumnus(family_name="無職"), Alumnus(family_name="海外", country="SG")])
    db.session.commit()
    manager = login("manager")
    employers = _csv(manager, "alumni", "alumni_employers")
    assert len(employers) == 1 + 3 and set(_column(employers, "Alumni")) == {"1"}
    members = {r[0]: r[1] for r in _csv(manager, "alumni", "alumni_members")[1:]}
    assert members["Standard"] == "1" and members["Not a member"] == "2"
    assert members["Employer not recorded"] == "2"
    countries = {r[0]: r[1] for r in _csv(manager, "alumni", "alumni_countries")[1:]}
    assert countries["Japan"] == "3" and countries["Singapore"] == "1"
    by_dept = _csv(manager, "alumni", "alumni_members", department=office["med"].id)
    assert len(by_dept) == 1  # nobody from medicine: no rows


def test_seeds_matching_companies_and_departments_without_interest(login):
    office = build_office()
    db.session.add(_company("全角ＳＩＣ社", interests="ＳｉＣ 基板", country="DE"))
    db.session.commit()
    manager = login("manager")
    best = _csv(manager, "seeds", "seed_matches")
    assert _column(best, "Matching companies")[0] == "2"  # テスト工業1-1 and the width-folded one
    assert _column(best, "Seeds with these keywords") == ["3"]
    german = _csv(manager, "seeds", "seed_matches", country="DE")
    assert _column(german, "Matching companies") == ["1"]
    depts = {r[0]: r[1:] for r in _csv(manager, "seeds", "seed_departments")[1:]}
    assert depts[office["med"].name] == ["3", "0", "3", "100"]
    assert depts[office["eng"].name] == ["3", "3", "0", "0"]


def test_interest_index_counts_each_company_naming_any_keyword_once():
    index = report_services.InterestIndex(
        ["創薬 AI\nＳｉＣ パワー半導体", "SiC 基板", "古文書の解読", "AI for materials"],
        [2, 1, 4, 1])  # distinct interest texts and how many companies have each
    words = report_services.keyword_set
    assert index.companies(words("SiC")) == 3  # width and case folded: 2 + 1
    assert index.companies(words("ＳＩＣ、古文書")) == 7  # either keyword
    assert index.companies(words("sic, 基板, パワー半導体")) == 3  # each company once
    assert index.companies(words("ai")) == 3
    assert index.companies(words("ai sic")) == 0  # not on one line
    assert index.companies(words("a, 解")) == 0  # one-letter keywords do not count
    assert index.companies(words(None)) == 0
    assert report_services.InterestIndex([], []).companies(words("SiC")) == 0


# -- input and output safety -----------------------------------------------------------------

def test_bad_filters_are_reported_not_fatal(login):
    build_office()
    manager = login("manager")
    html = page(manager, "/reports/overview?from=2026-13-45&officer=abc&country=Japan")
    assert "“2026-13-45” is not a date" in html and "“abc” is not a valid officer" in html
    swapped = page(manager, f"/reports/events?from={TODAY}&to={TODAY - timedelta(days=30)}")
    assert "the dates were swapped" in swapped
    assert manager.get("/reports/overview.csv?chart=nope").status_code == 404


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+81 3", "'+81 3"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("＝HYPERLINK(1)", "'＝HYPERLINK(1)"),  # typed with a Japanese input method
    ("株式会社", "株式会社"), (-5, -5), (12.5, 12.5)])
def test_csv_cells_cannot_become_formulas(value, expected):
    assert safe_cell(value) == expected


def test_csv_in_japanese_has_translated_headers_and_bom(login):
    build_office()
    response = login("manager").get("/reports/overview.csv?chart=renewals",
                                    headers={"Accept-Language": "ja"})
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]


# -- filter values the bar does not offer --------------------------------------------------------

@pytest.mark.parametrize("board,chart,name,value", [
    ("overview", "monthly", "officer", "99999"),
    ("portfolios", "loads", "officer", "99999"),
    ("events", "per_event", "officer", "99999999999999999999"),  # not an INTEGER at all
    ("seeds", "seed_departments", "department", "99999"),
    ("overview", "renewals", "country", "XX"),
    ("alumni", "donations_year", "currency", "XYZ"),
])
def test_unknown_filter_value_is_reported_and_shows_all(login, board, chart, name, value):
    """An officer id, department id, country or currency nobody has: the bar would show "All"
    (the value is not among its choices) while the charts silently showed nothing. Now the
    value is named in a warning and ignored, so the bar, the charts and the CSV agree."""
    build_office()
    manager = login("manager")
    text = page(manager, f"/reports/{board}?{urlencode({name: value})}")
    assert (f"No donation is in “{value}”; showing JPY" if name == "currency"
            else f"“{value}” is not a valid") in text
    assert f'id="chart-{chart}"' in text
    assert _figures(text).get(chart), f"{chart} drew nothing for an ignored filter"
    if name != "currency":
        assert _selected(text, name) == []  # the bar shows "All" ...
    else:
        assert _selected(text, name) == ["JPY"]
    # ... and the numbers are those of "All", in the CSV too.
    assert _csv(manager, board, chart, **{name: value}) == _csv(manager, board, chart)


def test_a_known_officer_without_the_liaison_role_stays_selected(login, users):
    """The heat map counts everyone who logs activities (BD staff too): such a user's id in
    the URL is honoured and shown in the bar, not refused."""
    office = build_office()
    bd = users["bd"]
    from crm.activities.models import Activity
    db.session.add(Activity(company=office["companies"][0], occurred_on=TODAY,
                            subject="BD visit", kind="meeting", user_id=bd.id))
    db.session.commit()
    manager = login("manager")
    text = manager.get(f"/reports/overview?officer={bd.id}").get_data(as_text=True)
    assert "is not a valid" not in text
    assert _selected(text, "officer") == [str(bd.id)]
    rows = _csv(manager, "overview", "monthly", officer=bd.id)
    assert sum(int(r[1]) for r in rows[1:]) == 1


def test_country_with_alumni_but_no_company_can_be_chosen_on_the_alumni_board(login):
    build_office()
    db.session.add(Alumnus(family_name="Svensson", given_name="Anna", country="SE"))
    db.session.commit()
    manager = login("manager")
    text = manager.get("/reports/alumni?country=SE").get_data(as_text=True)
    assert "is not a valid" not in text
    assert _selected(text, "country") == ["SE"]
    rows = _csv(manager, "alumni", "alumni_countries", country="SE")
    assert rows[1:] == [["Sweden", "1"]]


# -- the period -------------------------------------------------------------------------------

def test_a_period_of_thousands_of_years_is_shortened_not_drawn_month_by_month(login):
    """from=0001-01-01&to=9999-12-31 built a 67 MB page (120,000 months) in 23 s."""
    build_office()
    manager = login("manager")
    text = page(manager, "/reports/overview?from=0001-01-01&to=9999-12-31")
    assert "The period was shortened" in text
    rows = _csv(manager, "overview", "monthly", **{"from": "0001-01-01", "to": "9999-12-31"})
    assert len(rows) - 1 <= 30 * 12 + 1
    years = _csv(manager, "alumni", "donations_year", **{"from": "0001-01-01"})
    assert len(years) - 1 <= 31
    assert years[-1][0] == str(TODAY.year)  # shortened at the start: the recent years stay


def test_dates_are_not_read_on_boards_without_a_period(login):
    build_office()
    text = login("manager").get("/reports/seeds?from=nonsense").get_data(as_text=True)
    assert "is not a date" not in text


# -- user data in the charts ------------------------------------------------------------------

def test_names_in_chart_labels_are_text_not_plotly_markup(login):
    """Plotly reads <a href>, <b>, <br> in labels as markup: a company named with a link
    became a clickable link to another site inside the chart."""
    evil = '<a href="https://evil.example/">Click</a><b>Big</b> & Co'
    company = _company(evil)
    db.session.flush()
    db.session.add_all([Alumnus(family_name="卒業", given_name=f"生{i}", employer=company,
                                country="JP") for i in range(3)])
    db.session.commit()
    manager = login("manager")
    text = manager.get("/reports/alumni").get_data(as_text=True)
    figure = _figures(text)["alumni_employers"]
    labels = [y for trace in figure["data"] for y in trace.get("y") or []]
    assert evil not in labels
    assert "&lt;a href=\"https://evil.example/\"&gt;Click&lt;/a&gt;&lt;b&gt;Big&lt;/b&gt; " \
           "&amp; Co" in labels
    order = figure["layout"]["yaxis"]["categoryarray"]
    assert set(order) == set(labels), "the category order names the same (escaped) labels"
    # The table and the CSV keep the name as it is.
    assert [evil, "Not a member", "3"] in _csv(manager, "alumni", "alumni_employers")

# The charts at phone width, in Chromium: tests/browser/test_reports_phone.py


# -- speed: the same queries whatever the size ---------------------------------------------

@pytest.mark.parametrize("board", BOARDS)
def test_each_dashboard_runs_the_same_number_of_queries_for_more_data(login, count_queries,
                                                                      board):
    first = build_office(1)
    manager = login("manager")
    manager.get(f"/reports/{board}")  # warm up (table look-ups cached once per process)
    with count_queries() as small:
        assert manager.get(f"/reports/{board}").status_code == 200
    build_office(6, officer=first["officer"])
    with count_queries() as large:
        assert manager.get(f"/reports/{board}").status_code == 200
    assert large() == small()
    assert small() <= 14


def test_a_dashboard_reuses_its_charts_for_a_minute_then_shows_new_data(app, login,
                                                                         count_queries,
                                                                         monkeypatch):
    import crm.reports.views as report_views

    monkeypatch.setitem(app.config, "CRM_REPORT_CACHE_SECONDS", 60)
    monkeypatch.setattr(report_views, "_CACHE", {})
    monkeypatch.setattr(report_views, "_REFRESHING", {})
    clock = [1000.0]
    monkeypatch.setattr(report_views.time, "monotonic", lambda: clock[0])
    member = _company("会員企業", membership_tier="premium")
    db.session.flush()
    last_q = quarter_start(quarter_start(TODAY) - timedelta(days=1))
    db.session.add(Activity(company=member, occurred_on=last_q, subject="前期", kind="meeting"))
    db.session.commit()
    manager = login("manager")

    def members_this_quarter(**args) -> str:
        rows = _csv(manager, "overview", "engaged", **args)
        return {r[0]: r[1] for r in rows[1:]}["This quarter, to date"]

    assert members_this_quarter() == "0"
    with count_queries() as cold:
        manager.get("/reports/portfolios")
    with count_queries() as warm:
        manager.get("/reports/portfolios")
    assert warm() < cold()  # the charts' queries are not run again
    db.session.add(Activity(company=member, occurred_on=TODAY, subject="今期", kind="meeting"))
    db.session.commit()
    # Within the minute the same filters show the charts as they were; other filters are new.
    assert members_this_quarter() == "0"
    assert members_this_quarter(officer="") == "0"
    assert members_this_quarter(country="JP") == "1"
    # Past the minute, the next visitor is answered at once from the old charts, which are
    # rebuilt once that answer has gone out: the visitor after sees the new data.
    clock[0] += 61
    assert members_this_quarter() == "0"
    assert members_this_quarter() == "1"
    # After a long quiet (ten cache times) nobody is shown charts that old: rebuilt first.
    other = _company("会員企業2", membership_tier="premium")
    db.session.add(Activity(company=other, occurred_on=TODAY, subject="今期", kind="meeting"))
    db.session.commit()
    clock[0] += 60 * report_views.STALE_FACTOR
    assert members_this_quarter() == "2"
    # Staff may not see donations: their charts are built for them, not taken from a manager's.
    staff = login("staff")
    page = staff.get("/reports/alumni").get_data(as_text=True)
    assert str(SECRET_AMOUNT) not in page
