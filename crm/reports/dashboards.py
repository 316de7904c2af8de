"""The five dashboards: each a list of charts, each chart titled with the question it answers.

A dashboard runs the same queries whatever the data (crm.reports.services); labels are
translated here, at request time, in the user's language.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from flask_babel import get_locale
from flask_babel import gettext as _

from crm.common.time import format_day, format_month
from crm.companies.forms import TIER_LABELS
from crm.companies.models import MEMBERSHIP_TIERS
from crm.events.forms import KIND_LABELS
from crm.liaison.models import PORTFOLIO_MAX, PORTFOLIO_MIN
from crm.liaison.services import STALE_DAYS
from crm.reports import services as s
from crm.reports.charts import MUTED, PALETTE, Chart
from crm.requests.forms import TEAM_STATUS_LABELS

DONATIONS = "donations.view"


@dataclass
class Dashboard:
    name: str
    label: Callable[[], str]
    build: Callable[[s.Filters, Callable[[str], bool]], list[Chart]]
    #: Which filters of the bar apply to some chart of this dashboard.
    filters: tuple[str, ...]
    #: Default period: months back from today (None: the period does not apply).
    default_months: int | None = 12


def country_name(code: str | None) -> str:
    if not code:
        return _("Unknown")
    return get_locale().territories.get(code, code) if get_locale() else code


def _rows_height(n: int, per: int = 26, extra: int = 90) -> int:
    return max(260, per * n + extra)


# -- office overview ---------------------------------------------------------------------------

def overview(f: s.Filters, can: Callable[[str], bool]) -> list[Chart]:
    charts = [_engaged(f), *_monthly(f), _renewals(f), _requests(f)]
    return charts


def _engaged(f: s.Filters) -> Chart:
    df = s.engaged_companies(f)
    periods = [("last_q", _("Last quarter")), ("last_q_to_date", _("Last quarter, to the same day")),
               ("this_q", _("This quarter, to date"))]
    segments = [("member", _("Member companies")), ("other", _("Other companies"))]
    by = df.set_index("segment") if not df.empty else pd.DataFrame()
    fig = go.Figure()
    for i, (seg, seg_label) in enumerate(segments):
        values = [int(by.loc[seg, p]) if seg in by.index else 0 for p, _l in periods]
        fig.add_bar(x=[lbl for _p, lbl in periods], y=values, name=seg_label,
                    marker_color=PALETTE[i], text=values, textposition="inside")
    fig.update_layout(barmode="stack", yaxis_title=_("Companies engaged"))
    table = pd.DataFrame({
        _("Period"): [lbl for _p, lbl in periods],
        **{seg_label: [int(by.loc[seg, p]) if seg in by.index else 0 for p, _l in periods]
           for seg, seg_label in segments}})
    table[_("Total")] = table[[lbl for _s, lbl in segments]].sum(axis=1)
    note = _("Engaged: at least one activity or encounter with the company. This quarter began "
             "on %(this)s; last quarter began on %(last)s.",
             this=format_day(df.attrs["this_q"]),
             last=format_day(df.attrs["last_q"]))
    empty = int(table[_("Total")].sum()) == 0
    return Chart("engaged", _("Are we engaging more companies this quarter than last?"),
                 None if empty else fig, table.iloc[0:0] if empty else table,
                 ("officer", "country"), note)


def _monthly(f: s.Filters) -> list[Chart]:
    df = s.monthly_contacts(f)
    months = s.months_between(f.start, f.end)
    #: The charts' month labels in the language's format (2026年12月, Dec 2026); tables and
    #: CSV keep YYYY-MM.
    month_labels = [format_month(date.fromisoformat(m + "-01")) for m in months]
    kinds = [("activity", _("Activities")), ("encounter", _("Encounters at events"))]
    per_kind = (df.pivot_table(index="month", columns="kind", values="count", aggfunc="sum")
                .reindex(index=months, columns=[k for k, _l in kinds]).fillna(0).astype(int)
                if not df.empty else pd.DataFrame())
    fig = go.Figure()
    for i, (k, label) in enumerate(kinds):
        fig.add_bar(x=month_labels, y=per_kind[k].tolist() if not per_kind.empty else [],
                    name=label, marker_color=PALETTE[i])
    fig.update_layout(barmode="stack", yaxis_title=_("Number logged"),
                      xaxis={"type": "category", "title": _("Month")})
    table = pd.DataFrame({_("Month"): months})
    for k, label in kinds:
        table[label] = per_kind[k].tolist() if not per_kind.empty else 0
    table[_("Total")] = table[[lbl for _k, lbl in kinds]].sum(axis=1)
    empty = df.empty
    month_chart = Chart("monthly", _("How many activities and encounters are logged each month?"),
                        None if empty else fig, table.iloc[0:0] if empty else table,
                        ("period", "officer", "country"))

    names = s.user_names()
    heat = pd.DataFrame()
    if not df.empty:
        df = df.assign(officer=[names.get(u, _("(nobody)")) if u == u and u is not None
                                else _("(nobody)") for u in df["user_id"]])
        heat = (df.pivot_table(index="officer", columns="month", values="count", aggfunc="sum")
                .reindex(columns=months).fillna(0).astype(int))
        heat = heat.loc[heat.sum(axis=1).sort_values(ascending=True).index]
    fig2 = go.Figure(go.Heatmap(
        z=heat.values.tolist() if not heat.empty else [], x=month_labels, y=list(heat.index),
        colorscale=[[0, "#f4f7fb"], [1, PALETTE[0]]], hoverongaps=False,
        colorbar={"title": {"text": _("Logged")}, "thickness": 12},
        hovertemplate="%{y} · %{x}: %{z}<extra></extra>"))
    fig2.update_layout(xaxis={"type": "category", "title": _("Month")},
                       yaxis={"type": "category"})
    table2 = heat.reset_index().rename(columns={"officer": _("Officer")}) if not heat.empty \
        else pd.DataFrame(columns=[_("Officer"), *months])
    if not heat.empty:
        table2 = table2.iloc[::-1].reset_index(drop=True)
        table2[_("Total")] = heat.sum(axis=1).iloc[::-1].tolist()
    officer_chart = Chart(
        "by_officer", _("Who is meeting companies, month by month?"),
        None if heat.empty else fig2, table2, ("period", "officer", "country"),
        _("Activities the officer logged plus people they met at events."),
        height=_rows_height(len(heat), 22, 120))
    return [month_chart, officer_chart]


RENEWAL_BUCKETS = ("overdue", "0-30", "31-60", "61-90")


def _renewal_label(bucket: str) -> str:
    if bucket == "overdue":
        return _("Overdue")
    return _("In %(range)s days", range=bucket.replace("-", "–"))


def _renewals(f: s.Filters) -> Chart:
    df = s.renewals_due(f)
    labels = [_renewal_label(b) for b in RENEWAL_BUCKETS]
    pivot = (df.pivot_table(index="bucket", columns="tier", values="companies", aggfunc="sum")
             .reindex(index=list(RENEWAL_BUCKETS), columns=list(MEMBERSHIP_TIERS))
             .fillna(0).astype(int)) if not df.empty else None
    fig = go.Figure()
    for i, tier in enumerate(MEMBERSHIP_TIERS):
        fig.add_bar(x=labels, y=pivot[tier].tolist() if pivot is not None else [],
                    name=str(TIER_LABELS[tier]), marker_color=PALETTE[i])
    fig.update_layout(barmode="stack", yaxis_title=_("Member companies"))
    table = pd.DataFrame({_("Renewal"): labels})
    for tier in MEMBERSHIP_TIERS:
        table[str(TIER_LABELS[tier])] = pivot[tier].tolist() if pivot is not None else 0
    table[_("Total")] = table[[str(TIER_LABELS[t]) for t in MEMBERSHIP_TIERS]].sum(axis=1)
    return Chart("renewals", _("Which memberships are overdue or due for renewal in the next "
                               "%(days)s days?", days=s.RENEWAL_HORIZON),
                 None if df.empty else fig, table.iloc[0:0] if df.empty else table,
                 ("officer", "country"))


def _requests(f: s.Filters) -> Chart:
    df = s.open_requests(f)
    ages = s.request_age_buckets()
    age_labels = [_("%(range)s days", range=a.replace("-", "–")) for a in ages]
    pivot = (df.pivot_table(index="age", columns="status", values="requests", aggfunc="sum")
             .reindex(index=ages, columns=list(s.REQUEST_OPEN)).fillna(0).astype(int)
             ) if not df.empty else None
    fig = go.Figure()
    for i, status in enumerate(s.REQUEST_OPEN):
        fig.add_bar(x=age_labels, y=pivot[status].tolist() if pivot is not None else [],
                    name=str(TEAM_STATUS_LABELS.get(status, status)), marker_color=PALETTE[i])
    fig.update_layout(barmode="stack", yaxis_title=_("Open requests"),
                      xaxis_title=_("Waiting since it was sent"))
    table = pd.DataFrame({_("Waiting"): age_labels})
    for status in s.REQUEST_OPEN:
        table[str(TEAM_STATUS_LABELS.get(status, status))] = \
            pivot[status].tolist() if pivot is not None else 0
    table[_("Total")] = table.iloc[:, 1:].sum(axis=1)
    return Chart("requests", _("How long have open data-entry requests been waiting?"),
                 None if df.empty else fig, table.iloc[0:0] if df.empty else table, (),
                 _("Requests waiting, being entered, or sent back with a question."))


# -- portfolios --------------------------------------------------------------------------------

def portfolios(f: s.Filters, can: Callable[[str], bool]) -> list[Chart]:
    return [_loads(f), _stale(f), _uncovered(f)]


def _band_label(band: str) -> str:
    return {"under": _("Under %(min)s", min=PORTFOLIO_MIN),
            "over": _("Over %(max)s", max=PORTFOLIO_MAX)}.get(band, _("Within the band"))


#: The 7–10 band's shade (the "within the band" green, faint), in the plot and its legend.
BAND_FILL = "rgba(0, 158, 115, 0.12)"


def _loads(f: s.Filters) -> Chart:
    df = s.officer_loads()
    if f.officer:
        df = df[df["officer_id"] == f.officer]
    df = df.sort_values(["companies", "officer"], ascending=[True, False])
    colours = {"under": PALETTE[1], "ok": PALETTE[2], "over": PALETTE[3]}
    fig = go.Figure()
    for band in ("under", "ok", "over"):
        part = df[df["band"] == band]
        fig.add_bar(y=part["officer"].tolist(), x=part["companies"].tolist(), orientation="h",
                    name=_band_label(band), marker_color=colours[band],
                    hovertemplate="%{y}: %{x}<extra></extra>")
    fig.add_vrect(x0=PORTFOLIO_MIN, x1=PORTFOLIO_MAX, fillcolor=BAND_FILL,
                  line_width=0, layer="below")
    # The band is named in the legend: a label inside the plot sat on the top officer's bar.
    fig.add_bar(y=[None], x=[None], orientation="h", marker_color=BAND_FILL,
                marker_line={"color": PALETTE[2], "width": 1}, hoverinfo="skip",
                name=_("%(min)s–%(max)s band", min=PORTFOLIO_MIN, max=PORTFOLIO_MAX))
    fig.update_layout(xaxis_title=_("Companies held"),
                      yaxis={"type": "category", "categoryorder": "array",
                             "categoryarray": df["officer"].tolist()},
                      margin={"t": 40})
    table = pd.DataFrame({
        _("Officer"): df["officer"].tolist(), _("Companies"): df["companies"].tolist(),
        _("Member companies"): df["members"].tolist(),
        _("Departments covered"): df["departments"].tolist(),
        _("Band"): [_band_label(b) for b in df["band"]]}).iloc[::-1].reset_index(drop=True)
    return Chart("loads", _("Is each officer's portfolio within the %(min)s–%(max)s band?",
                            min=PORTFOLIO_MIN, max=PORTFOLIO_MAX),
                 None if df.empty else fig, table, ("officer",),
                 height=_rows_height(len(df), 24, 120))


def _stale(f: s.Filters) -> Chart:
    df = s.stale_companies(f)
    names = s.user_names()
    buckets = [("never", _("Never contacted"), PALETTE[3]),
               ("stale", _("No contact for %(days)s+ days", days=STALE_DAYS), PALETTE[1]),
               ("recent", _("Contacted in the last %(days)s days", days=STALE_DAYS), MUTED)]
    pivot = pd.DataFrame()
    if not df.empty:
        pivot = (df.pivot_table(index="officer_id", columns="bucket", values="companies",
                                aggfunc="sum")
                 .reindex(columns=[b for b, *_r in buckets]).fillna(0).astype(int))
        pivot.index = [names.get(i, str(i)) for i in pivot.index]
        pivot = pivot.assign(_late=pivot["never"] + pivot["stale"]).sort_values(
            ["_late", "recent"], ascending=[True, False]).drop(columns="_late")
    fig = go.Figure()
    for key, label, colour in buckets:
        fig.add_bar(y=list(pivot.index), x=pivot[key].tolist() if not pivot.empty else [],
                    orientation="h", name=label, marker_color=colour)
    fig.update_layout(barmode="stack", xaxis_title=_("Companies held"),
                      yaxis={"type": "category"})
    table = pd.DataFrame({_("Officer"): list(pivot.index)[::-1]})
    for key, label, _c in buckets:
        table[label] = pivot[key].tolist()[::-1] if not pivot.empty else []
    return Chart("stale", _("How many of each officer's companies have had no contact for "
                            "%(days)s days or more?", days=STALE_DAYS),
                 None if pivot.empty else fig, table, ("officer", "country"),
                 _("Last contact: the latest activity or encounter with the company."),
                 height=_rows_height(len(pivot), 24, 110))


def _uncovered(f: s.Filters) -> Chart:
    df = s.uncovered(f)
    df["department"] = [d if d is not None else _("(no department)") for d in df["department"]]
    df = df.sort_values(["researchers", "seeds"], ascending=True)
    fig = go.Figure()
    fig.add_bar(y=df["department"].tolist(), x=df["researchers"].tolist(), orientation="h",
                name=_("Researchers"), marker_color=PALETTE[0])
    fig.add_bar(y=df["department"].tolist(), x=df["seeds"].tolist(), orientation="h",
                name=_("Research seeds"), marker_color=PALETTE[1])
    fig.update_layout(barmode="group", xaxis_title=_("Not covered by any officer"),
                      yaxis={"type": "category"})
    table = pd.DataFrame({_("Department"): df["department"].tolist()[::-1],
                          _("Researchers"): df["researchers"].tolist()[::-1],
                          _("Research seeds"): df["seeds"].tolist()[::-1]})
    total = int(df["researchers"].sum()) if not df.empty else 0
    return Chart("uncovered", _("Which departments and researchers does no officer cover?"),
                 None if df.empty else fig, table, ("department",),
                 _("%(n)s researchers are in departments nobody covers.", n=f"{total:,}"),
                 height=_rows_height(len(df), 34, 110))


# -- events ------------------------------------------------------------------------------------

#: Events shown on the per-event chart (the table and CSV have the same ones).
TOP_EVENTS = 20


def events(f: s.Filters, can: Callable[[str], bool]) -> list[Chart]:
    df = s.event_outcomes(f)
    measures = [("contacts", _("People met")), ("companies", _("Their companies")),
                ("with_activity", _("Companies with a later activity")),
                ("with_collaboration", _("Companies with a later collaboration"))]
    top = df.sort_values(["contacts", "starts_on"], ascending=[False, False]).head(TOP_EVENTS)
    labels = [f"{name} ({format_day(d)})" for name, d in zip(top["event"],
                                                                       top["starts_on"])]
    fig = go.Figure()
    for i, (key, label) in enumerate(measures):
        fig.add_bar(y=labels[::-1], x=top[key].tolist()[::-1], orientation="h", name=label,
                    marker_color=PALETTE[i])
    fig.update_layout(barmode="group", xaxis_title=_("Number"),
                      yaxis={"type": "category"})
    table = pd.DataFrame({_("Event"): top["event"].tolist(),
                          _("Date"): [format_day(d) for d in top["starts_on"]],
                          _("Kind"): [str(KIND_LABELS.get(k, k)) for k in top["kind"]]})
    for key, label in measures:
        table[label] = top[key].tolist()
    note = _("The %(n)s events of the period where we met the most people. Later: after the "
             "day the person was met.", n=TOP_EVENTS)
    per_event = Chart("per_event", _("Which events brought us the most contacts, and did they "
                                     "lead to follow-up work?"),
                      None if top.empty else fig, table, ("period", "officer", "country"), note,
                      height=_rows_height(len(top) * max(1, len(measures) - 1), 16, 130))

    kinds = pd.DataFrame()
    if not df.empty:
        kinds = df.groupby("kind").agg(
            events=("event_id", "count"), contacts=("contacts", "sum"),
            companies=("companies", "sum"), with_activity=("with_activity", "sum"),
            with_collaboration=("with_collaboration", "sum"))
        kinds = kinds[kinds["companies"] > 0]
    rate_keys = [("with_activity", _("Share with a later activity")),
                 ("with_collaboration", _("Share with a later collaboration"))]
    kind_labels = [str(KIND_LABELS.get(k, k)) for k in kinds.index]
    fig2 = go.Figure()
    for i, (key, label) in enumerate(rate_keys):
        share = (kinds[key] / kinds["companies"] * 100).round(1).tolist() if not kinds.empty \
            else []
        fig2.add_bar(x=kind_labels, y=share, name=label, marker_color=PALETTE[2 + i],
                     text=[f"{v:.0f}%" for v in share], textposition="outside",
                     cliponaxis=False)
    fig2.update_layout(barmode="group", yaxis={"title": _("Share of companies met (%)"),
                                               "range": [0, 105]})
    table2 = pd.DataFrame({_("Kind"): kind_labels,
                           _("Events"): kinds["events"].tolist() if not kinds.empty else [],
                           _("People met"): kinds["contacts"].tolist() if not kinds.empty else [],
                           _("Their companies"): kinds["companies"].tolist()
                           if not kinds.empty else []})
    for key, label in rate_keys:
        table2[label + " (%)"] = (kinds[key] / kinds["companies"] * 100).round(1).tolist() \
            if not kinds.empty else []
    by_kind = Chart("by_kind", _("Which kinds of event lead to follow-up work?"),
                    None if kinds.empty else fig2, table2, ("period", "officer", "country"),
                    _("Of the companies whose people we met, the share that had an activity "
                      "with us afterwards."))
    return [per_event, by_kind]


# -- alumni and donations ----------------------------------------------------------------------

#: Purposes and countries shown before the rest are summed as "Other".
TOP_PURPOSES = 10
TOP_COUNTRIES = 12


def _top(series: pd.Series, n: int, other: str) -> pd.Series:
    series = series.sort_values(ascending=False)
    if len(series) > n:
        series = pd.concat([series.iloc[:n], pd.Series({other: series.iloc[n:].sum()})])
    return series


def alumni(f: s.Filters, can: Callable[[str], bool]) -> list[Chart]:
    charts = _donations(f) if can(DONATIONS) else []
    return charts + _alumni(f)


def _donations(f: s.Filters) -> list[Chart]:
    df = s.donations(f)
    others = df[df["currency"] != f.currency]
    df = df[df["currency"] == f.currency]
    note = _("Amounts in %(currency)s.", currency=f.currency)
    if not others.empty:
        note += " " + _("%(n)s donations in other currencies are left out: choose the currency "
                        "in the filter bar.", n=f"{int(others['donations'].sum()):,}")
    origins = [("domestic", _("Domestic")), ("foreign", _("Foreign")),
               ("unknown", _("Unknown"))]
    years = list(range(f.start.year, f.end.year + 1))
    pivot = (df.pivot_table(index="year", columns="origin", values="amount", aggfunc="sum")
             .reindex(index=years, columns=[o for o, _l in origins]).fillna(0)
             ) if not df.empty else None
    counts = df.groupby("year")["donations"].sum().reindex(years).fillna(0).astype(int) \
        if not df.empty else None
    fig = go.Figure()
    for i, (o, label) in enumerate(origins):
        fig.add_bar(x=[str(y) for y in years], y=pivot[o].tolist() if pivot is not None else [],
                    name=label, marker_color=[PALETTE[0], PALETTE[1], MUTED][i])
    fig.update_layout(barmode="stack", xaxis={"type": "category", "title": _("Year")},
                      yaxis={"title": _("Amount (%(currency)s)", currency=f.currency),
                             "tickformat": "~s"})
    table = pd.DataFrame({_("Year"): years})
    for o, label in origins:
        table[label] = pivot[o].tolist() if pivot is not None else 0
    table[_("Total")] = table[[lbl for _o, lbl in origins]].sum(axis=1)
    table[_("Donations")] = counts.tolist() if counts is not None else 0
    empty = df.empty
    by_year = Chart("donations_year", _("How much was donated each year, and how much came "
                                        "from abroad?"),
                    None if empty else fig, table.iloc[0:0] if empty else table,
                    ("period", "country", "currency"),
                    note + " " + _("Domestic: a company in Japan, or an alumnus working in "
                                   "Japan."), permission=DONATIONS)

    purposes = _top(df.assign(purpose=df["purpose"].fillna(_("(no purpose given)")))
                    .groupby("purpose")["amount"].sum(), TOP_PURPOSES, _("Other purposes")) \
        if not df.empty else pd.Series(dtype=float)
    fig2 = go.Figure(go.Bar(y=list(purposes.index)[::-1], x=purposes.tolist()[::-1],
                            orientation="h", marker_color=PALETTE[0]))
    fig2.update_layout(xaxis={"title": _("Amount (%(currency)s)", currency=f.currency),
                              "tickformat": "~s"}, yaxis={"type": "category"})
    table2 = pd.DataFrame({_("Purpose"): list(purposes.index),
                           _("Amount (%(currency)s)", currency=f.currency): purposes.tolist()})
    by_purpose = Chart("donations_purpose", _("What are donations given for?"),
                       None if purposes.empty else fig2, table2,
                       ("period", "country", "currency"), note, permission=DONATIONS,
                       height=_rows_height(len(purposes), 30, 90))

    countries = _top(df.assign(country=[country_name(c) for c in df["country"]])
                     .groupby("country")["amount"].sum(), TOP_COUNTRIES,
                     _("Other countries")) if not df.empty else pd.Series(dtype=float)
    fig3 = go.Figure(go.Bar(y=list(countries.index)[::-1], x=countries.tolist()[::-1],
                            orientation="h", marker_color=PALETTE[1]))
    fig3.update_layout(xaxis={"title": _("Amount (%(currency)s)", currency=f.currency),
                              "tickformat": "~s"}, yaxis={"type": "category"})
    table3 = pd.DataFrame({_("Donor country"): list(countries.index),
                           _("Amount (%(currency)s)", currency=f.currency): countries.tolist()})
    by_country = Chart("donations_country", _("Which countries do donations come from?"),
                       None if countries.empty else fig3, table3,
                       ("period", "country", "currency"), note, permission=DONATIONS,
                       height=_rows_height(len(countries), 30, 90))
    return [by_year, by_purpose, by_country]


def _membership_label(key: str) -> str:
    if key == "none":
        return _("Not a member")
    if key == "unknown":
        return _("Employer not recorded")
    return str(TIER_LABELS.get(key, key))


def _alumni(f: s.Filters) -> list[Chart]:
    emp = s.alumni_employers(f)
    member = emp["tier"].notna() if not emp.empty else pd.Series(dtype=bool)
    fig = go.Figure()
    for flag, label, colour in ((True, _("Member company"), PALETTE[0]),
                                (False, _("Not a member"), MUTED)):
        part = emp[member == flag] if not emp.empty else emp
        fig.add_bar(y=part["company"].tolist(), x=part["alumni"].tolist(), orientation="h",
                    name=label, marker_color=colour)
    fig.update_layout(xaxis_title=_("Alumni"),
                      yaxis={"type": "category", "categoryorder": "array",
                             "categoryarray": emp["company"].tolist()[::-1]})
    table = pd.DataFrame({_("Employer"): emp["company"].tolist(),
                          _("Membership"): [_membership_label(t if t == t and t else "none")
                                            for t in emp["tier"]],
                          _("Alumni"): emp["alumni"].tolist()})
    employers = Chart("alumni_employers", _("Which companies employ the most of our alumni?"),
                      None if emp.empty else fig, table, ("department", "country"),
                      _("The %(n)s employers with the most alumni.", n=s.TOP_EMPLOYERS),
                      height=_rows_height(len(emp), 26, 100))

    ctry = s.alumni_countries(f)
    series = _top(pd.Series(ctry["alumni"].tolist(),
                            index=[country_name(c) for c in ctry["country"]]).groupby(level=0)
                  .sum(), TOP_COUNTRIES, _("Other countries")) if not ctry.empty \
        else pd.Series(dtype=int)
    fig2 = go.Figure(go.Bar(y=list(series.index)[::-1], x=series.tolist()[::-1],
                            orientation="h", marker_color=PALETTE[4]))
    fig2.update_layout(xaxis_title=_("Alumni"), yaxis={"type": "category"})
    table2 = pd.DataFrame({_("Country"): list(series.index), _("Alumni"): series.tolist()})
    countries = Chart("alumni_countries", _("Where do our alumni work?"),
                      None if series.empty else fig2, table2, ("department", "country"),
                      height=_rows_height(len(series), 26, 90))

    mem = s.alumni_at_members(f)
    order = [*reversed(MEMBERSHIP_TIERS), "none", "unknown"]
    counts = mem.set_index("membership")["alumni"].reindex(order).fillna(0).astype(int) \
        if not mem.empty else pd.Series(dtype=int)
    labels = [_membership_label(k) for k in order]
    fig3 = go.Figure(go.Bar(
        x=labels, y=counts.tolist() if not counts.empty else [], text=counts.tolist(),
        textposition="outside", cliponaxis=False,
        marker_color=[PALETTE[0], PALETTE[0], PALETTE[0], MUTED, "#e9ecef"]))
    fig3.update_layout(yaxis_title=_("Alumni"), showlegend=False)
    table3 = pd.DataFrame({_("Employer's membership"): labels,
                           _("Alumni"): counts.tolist() if not counts.empty else [0] * 5})
    at_members = Chart("alumni_members", _("How many alumni work at our member companies?"),
                       None if mem.empty else fig3, table3 if not mem.empty else table3.iloc[0:0],
                       ("department", "country"))
    return [employers, countries, at_members]


# -- seeds -------------------------------------------------------------------------------------

#: Seeds shown on the best-matched chart.
TOP_SEEDS = 15


def seeds(f: s.Filters, can: Callable[[str], bool]) -> list[Chart]:
    df = s.seed_matches(f)
    depts = s.department_names()
    nowhere = _("(no department)")
    df["department"] = [depts.get(d, nowhere) if d == d and d is not None else nowhere
                        for d in df["department_id"]]
    top = df[df["companies"] > 0].sort_values(["companies", "seed_id"],
                                              ascending=[False, True]).head(TOP_SEEDS)
    labels = [_shorten(t) + (_(" (+%(n)s alike)", n=n - 1) if n > 1 else "")
              for t, n in zip(top["title"], top["seeds"])]
    fig = go.Figure(go.Bar(y=labels[::-1], x=top["companies"].tolist()[::-1], orientation="h",
                           marker_color=PALETTE[0],
                           customdata=top["keywords"].tolist()[::-1],
                           hovertemplate="%{y}<br>%{customdata}<br>%{x}<extra></extra>"))
    fig.update_layout(xaxis_title=_("Companies whose interests name a keyword of the seed"),
                      yaxis={"type": "category"})
    table = pd.DataFrame({_("Research seed"): top["title"].tolist(),
                          _("Department"): top["department"].tolist(),
                          _("Keywords"): top["keywords"].tolist(),
                          _("Seeds with these keywords"): top["seeds"].tolist(),
                          _("Matching companies"): top["companies"].tolist()})
    note = _("A company matches a seed when its interests (企業ニーズ) name one of the seed's "
             "keywords. Seeds with the same keywords in the same department count once.")
    best = Chart("seed_matches", _("Which research seeds match the most companies' interests?"),
                 None if top.empty else fig, table, ("department", "officer", "country"), note,
                 height=_rows_height(len(top), 28, 100))

    per_dept = pd.DataFrame()
    if not df.empty:
        per_dept = df.assign(with_interest=df["seeds"].where(df["companies"] > 0, 0)) \
            .groupby("department").agg(seeds=("seeds", "sum"),
                                        with_interest=("with_interest", "sum"))
        per_dept["without"] = per_dept["seeds"] - per_dept["with_interest"]
        per_dept["share"] = (per_dept["without"] / per_dept["seeds"] * 100).round(1)
        per_dept = per_dept.sort_values(["share", "seeds"], ascending=[True, True])
    fig2 = go.Figure()
    fig2.add_bar(y=list(per_dept.index), x=per_dept["with_interest"].tolist()
                 if not per_dept.empty else [], orientation="h",
                 name=_("Seeds some company is interested in"), marker_color=PALETTE[2])
    fig2.add_bar(y=list(per_dept.index), x=per_dept["without"].tolist()
                 if not per_dept.empty else [], orientation="h",
                 name=_("Seeds no company names"), marker_color=PALETTE[3])
    fig2.update_layout(barmode="stack", xaxis_title=_("Research seeds"),
                       yaxis={"type": "category"})
    rev = per_dept.iloc[::-1] if not per_dept.empty else per_dept
    table2 = pd.DataFrame({
        _("Department"): list(rev.index),
        _("Research seeds"): rev["seeds"].tolist() if not rev.empty else [],
        _("Seeds some company is interested in"): rev["with_interest"].tolist()
        if not rev.empty else [],
        _("Seeds no company names"): rev["without"].tolist() if not rev.empty else [],
        _("Share with no interest (%)"): rev["share"].tolist() if not rev.empty else []})
    dept_chart = Chart("seed_departments", _("Which departments' seeds draw no company interest?"),
                       None if per_dept.empty else fig2, table2,
                       ("department", "officer", "country"), note,
                       height=_rows_height(len(per_dept), 28, 110))
    return [best, dept_chart]


def _shorten(text: str, width: int = 38) -> str:
    text = text or ""
    return text if len(text) <= width else text[:width - 1] + "…"


DASHBOARDS: dict[str, Dashboard] = {
    d.name: d for d in (
        Dashboard("overview", lambda: _("Office overview"), overview,
                  ("period", "officer", "country")),
        Dashboard("portfolios", lambda: _("Portfolios"), portfolios,
                  ("officer", "department", "country"), None),
        Dashboard("events", lambda: _("Events"), events, ("period", "officer", "country")),
        Dashboard("alumni", lambda: _("Alumni and donations"), alumni,
                  ("period", "department", "country", "currency"), 60),
        Dashboard("seeds", lambda: _("Seeds"), seeds, ("officer", "department", "country"),
                  None),
    )
}


def default_start(months: int | None, today: date) -> date:
    """The first day of the month `months - 1` months back (12: the last twelve months)."""
    months = months or 12
    if months > 12 and months % 12 == 0:  # whole years: from January
        return date(today.year - months // 12 + 1, 1, 1)
    y, m = today.year, today.month - (months - 1)
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1)
