"""The dashboards' charts at phone width (the rest of the dashboards' tests are in
tests/test_reports.py): long labels readable, bars not squeezed, user data never a link."""
from __future__ import annotations

from crm.alumni.models import Alumnus
from crm.events.models import Event
from crm.extensions import db
from tests.test_reports import _company, build_office


def test_chart_labels_show_as_text_and_fit_a_phone(open_screen, server, shot):
    """At 390 px the horizontal bar charts gave long labels all the width (cut off at the
    left, bars a few pixels wide); names with markup became links; the tool bar covered the
    legend."""
    build_office()
    long_name = "産学連携フェア「次世代パワー半導体と熱マネジメントの最前線」東北会場 2026"
    db.session.query(Event).filter(Event.name.like("CEATEC 1-0")).update({"name": long_name})
    evil = _company('<a href="https://evil.example/">Click</a>')
    db.session.flush()
    db.session.add_all([Alumnus(family_name="卒", given_name=f"{i}", employer=evil,
                                country="JP") for i in range(3)])
    db.session.commit()
    screen = open_screen("manager", viewport={"width": 390, "height": 800})
    page = screen.page
    for board, chart in (("events", "per_event"), ("alumni", "alumni_employers")):
        page.goto(f"{server}/reports/{board}")
        card = page.locator(f"#chart-{chart} .js-plotly-plot")
        card.locator("rect.nsewdrag").wait_for(state="attached")
        geometry = card.evaluate("""el => {
            const plot = el.querySelector('rect.nsewdrag').getBoundingClientRect();
            const box = el.getBoundingClientRect();
            const ticks = [...el.querySelectorAll('.ytick text')].map(
                t => t.getBoundingClientRect().left);
            return {plot: plot.width, box: box.width, left: Math.min(...ticks) - box.left,
                    links: el.querySelectorAll('svg a').length};
        }""")
        assert geometry["links"] == 0, f"{board}: a label became a link"
        assert geometry["left"] >= -1, f"{board}: labels cut off at the left"
        assert geometry["plot"] >= geometry["box"] * 0.35, f"{board}: bars squeezed {geometry}"
        # No plotly tool bar over the legend on a phone.
        assert page.locator(".js-plotly-plot .modebar").count() == 0
        shot(page, f"reports_{board}_390")
    screen.assert_clean()
