"""Dashboards for managers: plotly charts, a table and a CSV of each."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.common.text import nfkc
from crm.common.users import officer_choices
from crm.common.views import require
from crm.donations.models import Donation
from crm.extensions import db
from crm.reports import services
from crm.reports.charts import display, to_csv
from crm.reports.dashboards import DASHBOARDS, DONATIONS, Dashboard, country_name, default_start

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
    try:
        return date.fromisoformat(raw)
    except ValueError:
        warnings.append(_("“%(value)s” is not a date (YYYY-MM-DD); the %(field)s date shown "
                          "is the default.", value=raw,
                          field=_("from") if name == "from" else _("to")))
        return default


def _parse_int(name: str, warnings: list[str], label: str) -> int | None:
    raw = nfkc(request.args.get(name, "")).strip()
    if not raw:
        return None
    if raw.isdigit():
        return int(raw)
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


def read_filters(board: Dashboard) -> tuple[services.Filters, list[str]]:
    """The filter bar's values from the query string; what could not be read is reported and
    replaced by its default (nothing is refused: a report only reads)."""
    warnings: list[str] = []
    today = date.today()
    start = _parse_date("from", default_start(board.default_months, today), warnings)
    end = _parse_date("to", today, warnings)
    if start > end:
        warnings.append(_("The period started after it ended; the dates were swapped."))
        start, end = end, start
    labels = _filter_labels()
    f = services.Filters(
        start=start, end=end, today=today,
        officer=_parse_int("officer", warnings, labels["officer"]),
        department=_parse_int("department", warnings, labels["department"]),
        country=_parse_code("country", 2, warnings, labels["country"]),
        currency=_parse_code("currency", 3, warnings, labels["currency"]) or "JPY",
    )
    return f, warnings


def _options(board: Dashboard) -> dict:
    """The filter bar's choices (a fixed number of small queries)."""
    opts: dict = {}
    if "officer" in board.filters:
        opts["officer"] = [(c.value, c.label) for c in officer_choices() if c.value]
    if "department" in board.filters:
        opts["department"] = list(services.department_names().items())
    if "country" in board.filters:
        opts["country"] = sorted(((c, country_name(c)) for c in services.company_countries()),
                                 key=lambda x: (x[0] != services.HOME, x[1]))
    if "currency" in board.filters and current_user.can(DONATIONS):
        opts["currency"] = list(db.session.scalars(
            select(Donation.currency).distinct().order_by(Donation.currency))) or ["JPY"]
    return opts


def _charts(board: Dashboard, f: services.Filters):
    charts = board.build(f, current_user.can)
    # Belt and braces: a chart that needs more than reports.view is dropped for those without.
    return [c for c in charts if c.permission is None or current_user.can(c.permission)]


def _dashboard(name: str):
    board = DASHBOARDS[name]
    f, warnings = read_filters(board)
    options = _options(board)
    charts = _charts(board, f)
    args = {k: v for k, v in request.args.items() if v}
    labels = _filter_labels()
    return render_template(
        "reports/dashboard.html", board=board, boards=DASHBOARDS, charts=charts, f=f,
        options=options, warnings=warnings, args=args, wide=WIDE, display=display,
        applies=lambda chart: _(", ").join(labels[n] for n in chart.filters),
        can_donations=current_user.can(DONATIONS))


def _csv(name: str):
    board = DASHBOARDS[name]
    chart_id = request.args.get("chart", "")
    if chart_id in DONATION_CHARTS and not current_user.can(DONATIONS):
        abort(403)
    f, _warnings = read_filters(board)
    chart = next((c for c in _charts(board, f) if c.id == chart_id), None)
    if chart is None:
        abort(404)
    filename = f"kakehashi_{name}_{chart.id}_{f.today.isoformat()}.csv"
    return Response(to_csv(chart), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.get("/")
@require("reports.view")
def index():
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
