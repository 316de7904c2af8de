"""The office's time: "today" and every displayed time in the office's time zone
(CRM_TIMEZONE, default Asia/Tokyo), whatever zone the server's clock is set to.

Timestamps are stored as naive UTC (crm.extensions.utcnow) and stay so; they are converted only
for display. Dates are shown in one format per language, through Babel.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date as babel_format_date
from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Tokyo"
#: One date pattern per language (CLDR syntax): 2026年12月7日, 7 Dec 2026.
DATE_PATTERNS = {"ja": "y年M月d日", "en": "d MMM y"}
#: Month and year alone (chart axes by month): 2026年12月, Dec 2026.
MONTH_PATTERNS = {"ja": "y年M月", "en": "MMM y"}
TIME_PATTERN = "HH:mm"


def zone_name() -> str:
    """The configured office time zone's name."""
    if has_app_context():
        return current_app.config.get("CRM_TIMEZONE") or DEFAULT_TIMEZONE
    return os.environ.get("CRM_TIMEZONE") or DEFAULT_TIMEZONE


def check_zone(name: str) -> str:
    """The zone name if the system knows it; ValueError naming it otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"CRM_TIMEZONE={name!r} is not a time zone name such as "
                         f"Asia/Tokyo or Europe/Berlin") from err
    return name


def office_zone() -> ZoneInfo:
    return ZoneInfo(zone_name())


def _utc_now() -> datetime:
    """The clock (one place, so tests can set it)."""
    return datetime.now(UTC)


def naive_utc(value: datetime | None = None) -> datetime:
    """UTC without the zone, as the database columns hold it (now, or the given moment)."""
    return (value or _utc_now()).replace(tzinfo=None)


def office_now() -> datetime:
    """Now, in the office's time zone (aware)."""
    return _utc_now().astimezone(office_zone())


def office_today() -> date:
    """Today's date in the office, whatever the server's zone."""
    return office_now().date()


def to_office(value: datetime) -> datetime:
    """A stored timestamp (naive = UTC) in the office's zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(office_zone())


def _language(locale: str | None) -> str:
    if locale:
        return str(locale).split("_")[0].split("-")[0]
    try:
        from flask_babel import get_locale

        found = get_locale()
        return found.language if found is not None else "ja"
    except (RuntimeError, AttributeError):
        return "ja"


def format_day(value: date | datetime | None, locale: str | None = None) -> str:
    """A date (or the office day of a timestamp) in the language's one format."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = to_office(value).date()
    language = _language(locale)
    return babel_format_date(value, DATE_PATTERNS.get(language, DATE_PATTERNS["en"]),
                             locale=language)


def format_month(value: date, locale: str | None = None) -> str:
    """A month for chart axes: 2026年12月, Dec 2026."""
    language = _language(locale)
    return babel_format_date(value, MONTH_PATTERNS.get(language, MONTH_PATTERNS["en"]),
                             locale=language)


def format_moment(value: datetime | None, locale: str | None = None) -> str:
    """A timestamp in the office's zone: 2026年12月7日 18:05, 7 Dec 2026 18:05."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return format_day(value, locale)
    local = to_office(value)
    return f"{format_day(local.date(), locale)} {local.strftime('%H:%M')}"
