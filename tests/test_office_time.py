"""'Today' and every displayed time in the office's time zone (CRM_TIMEZONE, default
Asia/Tokyo), whatever the server's clock zone; one date format per language."""
from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from crm.common import time as office_time
from crm.common.time import format_day, format_moment, format_month, office_today
from crm.events.models import Encounter
from crm.events.services import save_event
from crm.extensions import db
from crm.requests.models import DataEntryRequest

#: 16:30 UTC on 1 January 2030: already 2 January in Tokyo, still 1 January in UTC and in
#: Los Angeles (08:30).
CLOCK = datetime(2030, 1, 1, 16, 30, tzinfo=UTC)


@pytest.fixture
def server_in_los_angeles():
    """The server's clock zone is not the office's."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    yield
    os.environ["TZ"] = before or "Asia/Tokyo"
    time.tzset()


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(office_time, "_utc_now", lambda: CLOCK)
    return CLOCK


def test_today_is_the_offices_whatever_the_servers_zone(app, clock, server_in_los_angeles,
                                                       monkeypatch):
    assert office_today() == date(2030, 1, 2)
    monkeypatch.setitem(app.config, "CRM_TIMEZONE", "Europe/London")
    assert office_today() == date(2030, 1, 1)


def test_babel_displays_in_the_configured_zone(app):
    assert app.config["CRM_TIMEZONE"] == "Asia/Tokyo"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Tokyo"


def test_an_unknown_zone_is_refused_by_name():
    from crm import create_app

    with pytest.raises(ValueError, match="CRM_TIMEZONE='Mars/Olympus'"):
        create_app({"CRM_TIMEZONE": "Mars/Olympus", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_one_date_format_per_language(app):
    with app.test_request_context():
        with force_locale("ja"):
            assert format_day(date(2026, 12, 7)) == "2026年12月7日"
            assert format_month(date(2026, 12, 1)) == "2026年12月"
        with force_locale("en"):
            assert format_day(date(2026, 12, 7)) == "7 Dec 2026"
            assert format_month(date(2026, 12, 1)) == "Dec 2026"


def test_stored_utc_timestamps_are_shown_in_office_time(app):
    stored = datetime(2026, 12, 7, 15, 30)  # naive UTC, as the columns hold it
    with app.test_request_context():
        with force_locale("en"):
            assert format_moment(stored) == "8 Dec 2026 00:30"
            assert format_day(stored) == "8 Dec 2026"  # the office's day of that moment
        with force_locale("ja"):
            assert format_moment(stored) == "2026年12月8日 00:30"


def test_fair_form_logs_the_offices_today(login, clock, server_in_los_angeles):
    event = save_event(None, {"name": "nano tech 2030", "starts_on": date(2029, 12, 31),
                              "ends_on": date(2030, 1, 3)})
    db.session.commit()
    client = login("liaison")
    client.get(f"/events/fair?event={event.id}")
    response = client.submit("/events/fair", {"event": str(event.id), "family_name": "山田"})
    assert response.status_code == 302
    assert db.session.scalars(select(Encounter.met_on)).one() == date(2030, 1, 2)


def test_request_page_shows_when_it_was_sent_in_office_time(login, users):
    req = DataEntryRequest(submitted_by_id=users["researcher"].id, status="submitted",
                           person_name="鈴木 一郎", where_met="学会",
                           created_at=datetime(2026, 12, 7, 15, 30))
    db.session.add(req)
    db.session.commit()
    page = login("researcher").get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Sent 8 Dec 2026 00:30" in page
    ja = login("researcher").get(f"/requests/{req.id}", headers={"Accept-Language": "ja"})
    assert "2026年12月8日 00:30" in ja.get_data(as_text=True)


def test_chart_month_labels_follow_the_language(login):
    from tests.test_reports import build_office

    build_office()
    manager = login("manager")
    this_month = office_today().replace(day=1)
    en = manager.get("/reports/overview").get_data(as_text=True)
    ja = manager.get("/reports/overview", headers={"Accept-Language": "ja"}).get_data(
        as_text=True)
    assert format_month(this_month, "en") in en  # e.g. "Dec 2026"
    # In the figure's JSON, non-ASCII is escaped: 2026年12月 is 2026\u5e7412\u6708.
    label = f"{this_month.year}年{this_month.month}月"
    assert label.encode("ascii", "backslashreplace").decode() in ja
    # The CSV keeps the machine-readable month.
    csv = manager.get("/reports/overview.csv", query_string={"chart": "monthly"})
    assert this_month.strftime("%Y-%m") in csv.get_data(as_text=True)
