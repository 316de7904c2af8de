"""QA of the dashboards (issue 6) as a manager uses them: filter values the bar cannot show,
a period too long to draw, user data in chart labels, and charts at phone width."""
from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from crm.alumni.models import Alumnus
from crm.extensions import db
from tests.test_reports import TODAY, _company, _csv, build_office


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
    page = manager.get(f"/reports/{board}", query_string={name: value})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
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
    page = manager.get("/reports/overview?from=0001-01-01&to=9999-12-31")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
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
