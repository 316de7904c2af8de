"""Dashboards for managers: plotly charts, a table and a CSV of each."""
from __future__ import annotations

import threading
import time
from dataclasses import astuple
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    copy_current_request_context,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import User
from crm.auth.permissions import permissions_for
from crm.common.params import arg_date, to_int
from crm.common.text import nfkc
from crm.common.users import officer_choices
from crm.common.views import require
from crm.donations.models import Donation
from crm.extensions import db
from crm.reports import plotlyjs, services
from crm.reports.charts import display, to_csv
from crm.reports.dashboards import DASHBOARDS, DONATIONS, Dashboard, country_name, default_start
from crm.common.time import office_today

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: Charts whose numbers are donations: shown, and downloadable, only with donations.view.
DONATION_CHARTS = {"donations_year", "donations_purpose", "donations_country"}
#: Charts drawn across the whole width.
WIDE = {"by_officer", "per_event", "loads", "stale", "alumni_employers", "seed_matches"}


def _filter_labels() -> dict[str, str]:
    return {"period": _("period"), "officer": _("officer"), "department": _("department"),
            "country": _("country"), "currency": _("currency")}


def _parse_date(name: str, default: date, warnings: list[str]) -> date:
    raw = nfkc(request.args.get(name, "")).strip()
    if not raw:
        return default
    parsed = arg_date(name)
    if parsed is None:
        warnings.append(_("“%(value)s” is not a date (YYYY-MM-DD); the %(field)s date shown "
                          "is the default.", value=raw,
                          field=_("from") if name == "from" else _("to")))
        return default
    return parsed


def _parse_int(name: str, warnings: list[str], label: str) -> int | None:
    raw = nfkc(request.args.get(name, "")).strip()
    if not raw:
        return None
    if to_int(raw) is not None:
        return to_int(raw)
    warnings.append(_("“%(value)s” is not a valid %(field)s; showing all.", value=raw,
                      field=label))
    return None


def _parse_code(name: str, length: int, warnings: list[str], label: str) -> str | None:
    raw = nfkc(request.args.get(name, "")).strip().upper()
    if not raw:
        return None
    if len(raw) == length and raw.isalpha():
        return raw
    warnings.append(_("“%(value)s” is not a valid %(field)s; showing all.", value=raw,
                      field=label))
    return None


#: The longest period a dashboard draws (month by month): a longer one is shortened at its start.
MAX_PERIOD_YEARS = 30


def read_filters(board: Dashboard, options: dict | None = None
                 ) -> tuple[services.Filters, list[str]]:
    """The filter bar's values from the query string; what could not be read is reported and
    replaced by its default (nothing is refused: a report only reads). With the bar's
    `options`, a value the bar does not offer (an officer, department, country or currency
    nobody has) is reported and ignored too, so the bar, the charts and the CSV agree."""
    warnings: list[str] = []
    today = office_today()
    start = default_start(board.default_months, today)
    end = today
    if "period" in board.filters:
        start = _parse_date("from", start, warnings)
        end = _parse_date("to", end, warnings)
        if start > end:
            warnings.append(_("The period started after it ended; the dates were swapped."))
            start, end = end, start
        earliest = date(max(1, end.year - MAX_PERIOD_YEARS + 1), 1, 1)
        if start < earliest:
            warnings.append(_("The period was shortened to the %(n)s years up to %(end)s.",
                              n=MAX_PERIOD_YEARS, end=end.isoformat()))
            start = earliest
    labels = _filter_labels()
    f = services.Filters(
        start=start, end=end, today=today,
        officer=_parse_int("officer", warnings, labels["officer"]),
        department=_parse_int("department", warnings, labels["department"]),
        country=_parse_code("country", 2, warnings, labels["country"]),
        currency=_parse_code("currency", 3, warnings, labels["currency"]) or "JPY",
    )
    if options is not None:
        _check_offered(board, f, options, warnings)
    return f, warnings


def _check_offered(board: Dashboard, f: services.Filters, options: dict,
                   warnings: list[str]) -> None:
    """Ignore (with a warning) filter values the bar has no choice for; a filter that applies
    to no chart of this dashboard is dropped silently."""
    labels = _filter_labels()
    for name in ("officer", "department", "country"):
        value = getattr(f, name)
        if value is None:
            continue
        if name not in board.filters:
            setattr(f, name, None)
            continue
        offered = {str(v) for v, _text in options.get(name, [])}
        if str(value) in offered:
            continue
        extra = None
        if name == "officer" and value < 2**31:  # anyone who logs activities, not only
            extra = db.session.get(User, value)  # liaison officers (ids fit an INTEGER)
            extra = (value, extra.name) if extra is not None else None
        elif name == "country" and get_locale() and value in get_locale().territories:
            extra = (value, country_name(value))
        if extra is not None:
            options[name] = [*options.get(name, []), extra]
        else:
            warnings.append(_("“%(value)s” is not a valid %(field)s; showing all.",
                              value=value, field=labels[name]))
            setattr(f, name, None)
    currencies = options.get("currency")
    if currencies and f.currency not in currencies:
        default = "JPY" if "JPY" in currencies else currencies[0]
        if nfkc(request.args.get("currency", "")).strip():
            warnings.append(_("No donation is in “%(value)s”; showing %(currency)s.",
                              value=f.currency, currency=default))
        f.currency = default


def _options(board: Dashboard) -> dict:
    """The filter bar's choices (a fixed number of small queries)."""
    opts: dict = {}
    if "officer" in board.filters:
        opts["officer"] = [(c.value, c.label) for c in officer_choices() if c.value]
    if "department" in board.filters:
        opts["department"] = list(services.department_names().items())
    if "country" in board.filters:
        codes = set(services.company_countries())
        if board.name == "alumni":  # alumni and donors may be where no company is
            codes |= set(services.alumni_countries_list())
        opts["country"] = sorted(((c, country_name(c)) for c in codes),
                                 key=lambda x: (x[0] != services.HOME, x[1]))
    if "currency" in board.filters and current_user.can(DONATIONS):
        opts["currency"] = list(db.session.scalars(
            select(Donation.currency).distinct().order_by(Donation.currency))) or ["JPY"]
    return opts


#: Built charts kept per process: (dashboard, filters, permissions, language) -> (when, charts).
_CACHE: dict[tuple, tuple[float, list]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 200


def cache_seconds() -> float:
    """How long a dashboard's charts are reused in this process (CRM_REPORT_CACHE_SECONDS in
    the app's config or the environment; 60 by default, 0 in tests unless set): the queries
    behind them read whole tables."""
    default = 0 if current_app.testing else 60
    return float(current_app.config.get("CRM_REPORT_CACHE_SECONDS", default))


#: A dashboard older than its cache time is still shown (and rebuilt after the answer is sent)
#: while younger than this many cache times; older, it is rebuilt before answering.
STALE_FACTOR = 10
#: Keys being rebuilt after an answer in this process, and when that was asked (one rebuild
#: per key at a time; asked again after a cache time, should an answer never be closed).
_REFRESHING: dict[tuple, float] = {}


def _build(board: Dashboard, f: services.Filters):
    """The board's charts for these filters, from this process's cache while fresh: people
    with the same permissions, in the same language, see the same charts. Past its cache
    time the cached copy is still answered and rebuilt once the answer has been sent, so no
    one waits for the whole-table queries but the first visitor after a long quiet."""
    ttl = cache_seconds()
    if ttl <= 0:
        return board.build(f, current_user.can)
    key = (board.name, astuple(f), frozenset(permissions_for(current_user.roles)),
           str(get_locale()))
    now = time.monotonic()
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is not None and now - found[0] < ttl:
        return found[1]
    if found is not None and now - found[0] < ttl * STALE_FACTOR:
        _refresh_after_answer(key, board, f)
        return found[1]
    return _store(key, board.build(f, current_user.can), ttl)


def _store(key: tuple, charts: list, ttl: float) -> list:
    now = time.monotonic()
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            old = [k for k, (t, _c) in _CACHE.items() if now - t >= ttl * STALE_FACTOR]
            for k in old or list(_CACHE):
                del _CACHE[k]
        _CACHE[key] = (now, charts)
    return charts


def _refresh_after_answer(key: tuple, board: Dashboard, f: services.Filters) -> None:
    """Rebuild `key`'s charts in this request's context once its answer has gone out (the
    server closes the answer after sending it), unless this process is rebuilding them."""
    ttl = cache_seconds()
    now = time.monotonic()
    with _CACHE_LOCK:
        if now - _REFRESHING.get(key, float("-inf")) < ttl:
            return
        _REFRESHING[key] = now

    @copy_current_request_context
    def refresh() -> None:
        try:
            _store(key, board.build(f, current_user.can), ttl)
        except Exception:  # noqa: BLE001 - the stale copy stays; the next visitor retries
            current_app.logger.exception("Rebuilding the %s dashboard failed", board.name)
        finally:
            with _CACHE_LOCK:
                _REFRESHING.pop(key, None)

    @after_this_request
    def later(response: Response) -> Response:
        response.call_on_close(refresh)
        return response


def _charts(board: Dashboard, f: services.Filters):
    charts = _build(board, f)
    # Belt and braces: a chart that needs more than reports.view is dropped for those without.
    return [c for c in charts if c.permission is None or current_user.can(c.permission)]


def _dashboard(name: str):
    board = DASHBOARDS[name]
    options = _options(board)
    f, warnings = read_filters(board, options)
    charts = _charts(board, f)
    args = {k: v for k, v in request.args.items() if v and k != "chart"}  # each link has its own
    labels = _filter_labels()
    return render_template(
        "reports/dashboard.html", board=board, boards=DASHBOARDS, charts=charts, f=f,
        options=options, warnings=warnings, args=args, wide=WIDE, display=display,
        applies=lambda chart: _(", ").join(labels[n] for n in chart.filters),
        can_donations=current_user.can(DONATIONS), plotly_version=plotlyjs.version())


def _csv(name: str):
    board = DASHBOARDS[name]
    chart_id = request.args.get("chart", "")
    if chart_id in DONATION_CHARTS and not current_user.can(DONATIONS):
        abort(403)
    f, _warnings = read_filters(board, _options(board))
    chart = next((c for c in _charts(board, f) if c.id == chart_id), None)
    if chart is None:
        abort(404)
    filename = f"kakehashi_{name}_{chart.id}_{f.today.isoformat()}.csv"
    # content_type, not mimetype: Werkzeug would append a second "; charset=utf-8".
    return Response(to_csv(chart), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.get("/plotly-<version>.min.js")
def plotly_js(version: str):
    """plotly.js from the installed plotly package, cached for a year and gzipped (public, like
    any static file: it is the open-source library, nothing of the office's)."""
    return plotlyjs.response(version)


@bp.get("/")
@require("reports.view")
def index():
    """The reports start at the overview dashboard."""
    return redirect(url_for("reports.overview"))


def _register(name: str) -> None:
    def page():
        return _dashboard(name)

    def csv():
        return _csv(name)

    page.__name__, csv.__name__ = name, f"{name}_csv"
    page.__doc__ = f"The {name} dashboard."
    csv.__doc__ = f"One chart of the {name} dashboard as CSV (?chart=<id> and the filters)."
    bp.add_url_rule(f"/{name}", name, require("reports.view")(page), methods=["GET"])
    bp.add_url_rule(f"/{name}.csv", f"{name}_csv", require("reports.view")(csv),
                    methods=["GET"])


for _name in DASHBOARDS:
    _register(_name)
