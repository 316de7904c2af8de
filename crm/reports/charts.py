"""One chart of a dashboard: the question it answers, its plotly figure, the same numbers as a
table, and those numbers as a CSV file."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from crm.common.cells import quoted

#: Colours: the house blue first, then the Okabe–Ito colour-blind-safe set (no yellow, which
#: does not read on white).
PALETTE = ["#1f4e79", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#7f7f7f",
           "#8c564b"]
MUTED = "#c8ced6"
FONT = ('system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", '
        '"Yu Gothic", Meiryo, sans-serif')

#: A small layout template: plotly's own templates add ~10 kB of JSON to every figure.
TEMPLATE = go.layout.Template(layout=go.Layout(
    font={"family": FONT, "size": 12, "color": "#212529"},
    colorway=PALETTE, paper_bgcolor="white", plot_bgcolor="white",
    margin={"l": 10, "r": 10, "t": 10, "b": 10},
    legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
            "traceorder": "normal"},
    xaxis={"gridcolor": "#e9ecef", "zerolinecolor": "#ced4da", "automargin": True},
    yaxis={"gridcolor": "#e9ecef", "zerolinecolor": "#ced4da", "automargin": True},
    hoverlabel={"font": {"family": FONT}},
))

FILTER_NAMES = ("period", "officer", "department", "country", "currency")


@dataclass
class Chart:
    """A chart and the table of its numbers. `filters` names the filter-bar fields that
    change it; `permission` is what a user needs beyond reports.view to see it."""

    id: str
    title: str
    figure: go.Figure | None
    table: pd.DataFrame
    filters: tuple[str, ...] = ()
    note: str = ""
    permission: str | None = None
    height: int = 360
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.figure is not None:
            self.figure.update_layout(template=TEMPLATE, height=self.height)
            _whole_numbers(self.figure)
            _plain_labels(self.figure)

    @property
    def empty(self) -> bool:
        return self.table.empty

    def figure_json(self) -> str:
        return self.figure.to_json() if self.figure is not None else ""

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.table.columns]

    def rows(self) -> list[list[Any]]:
        return self.table.astype(object).where(self.table.notna(), None).values.tolist()

    def numeric(self) -> list[bool]:
        return [pd.api.types.is_numeric_dtype(t) for t in self.table.dtypes]


def display(value: Any) -> str:
    """A table cell as shown: thousands separators, no trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote
    (crm.common.cells, the rule the partner-list exports follow). Numbers stay numbers (a negative
    amount is not a formula)."""
    return quoted(value) if isinstance(value, str) else value


def to_csv(chart: Chart) -> bytes:
    """The chart's table as UTF-8 CSV with a BOM (Excel opens it as UTF-8), formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in chart.columns])
    for row in chart.rows():
        writer.writerow(["" if v is None else safe_cell(_plain(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def label_text(value: Any) -> Any:
    """A label plotly shows as written: plotly reads <a href>, <b>, <br> and entities in
    labels as markup, so a company named with a link would become a link in the chart."""
    if not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_labels(fig: go.Figure) -> None:
    """Escape every text value of the figure's data (categories, bar texts, hover data) and
    the category orders naming them. Trace names, titles and templates are ours."""
    for trace in fig.data:
        for key in ("x", "y", "text", "customdata"):
            values = getattr(trace, key, None)
            if values is None or isinstance(values, str):
                continue
            if any(isinstance(v, str) for v in values):
                trace[key] = [label_text(v) for v in values]
    for axis in ("xaxis", "yaxis"):
        order = fig.layout[axis].categoryarray
        if order is not None:
            fig.layout[axis].categoryarray = [label_text(v) for v in order]


def _whole_numbers(fig: go.Figure) -> None:
    """Counts below ten get a tick per whole number, not 0.5 steps."""
    for axis, key in (("xaxis", "x"), ("yaxis", "y")):
        values = []
        for trace in fig.data:
            if trace.type != "bar":
                return
            horizontal = trace.orientation == "h"
            if (key == "x") == horizontal:
                values += [v for v in (getattr(trace, key) or ()) if isinstance(v, (int, float))]
        if values and all(float(v).is_integer() for v in values):
            top = max(values) if fig.layout.barmode != "stack" else _stacked_max(fig, key)
            if top <= 10:
                fig.layout[axis].update(dtick=1, tick0=0)


def _stacked_max(fig: go.Figure, key: str) -> float:
    totals: dict = {}
    other = "y" if key == "x" else "x"
    for trace in fig.data:
        for cat, v in zip(getattr(trace, other) or (), getattr(trace, key) or ()):
            totals[cat] = totals.get(cat, 0) + (v or 0)
    return max(totals.values(), default=0)
