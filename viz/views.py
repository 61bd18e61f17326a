"""What the explorer page draws, as plain functions of an `Outcome`: time-series charts and the
tile-grid map (inline SVG), the province table (HTML) and number formatting.

Kept apart from the Solara components so that they can be called (and timed) without a
browser, and so that tests can format the command line's numbers exactly as the page does.
"""

from __future__ import annotations

import html
import math

import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator

from smartregion.model.regions import PROVINCE_NAMES, PROVINCES, TILE_GRID

from .compute import Outcome

POLICY_COLOUR, CF_COLOUR = "#1f77b4", "#7f7f7f"

# Map metrics: label -> (metric, policy minus counterfactual?, scale, unit).
MAP_METRICS: dict[str, tuple[str, bool, float, str]] = {
    "Adoption rate": ("adoption_rate", False, 100.0, "%"),
    "Extra adopting firms": ("adopters", True, 1.0, "firms"),
    "Net jobs": ("employment", True, 1.0, "jobs"),
    "Extra reshored jobs": ("reshored_jobs", True, 1.0, "jobs"),
    "Productivity difference": ("labour_productivity", True, 1.0, "kEUR/worker"),
    "Extra public spending": ("public_spend_eur", True, 1e-6, "EUR M"),
}


def fmt_number(value: float, unit: str, signed: bool = True) -> str:
    """How every number on the page is written (tests format the CLI's numbers with it)."""
    if value is None or math.isnan(value):
        return "n/a"
    if math.isinf(value):  # e.g. the upper band of a cost per job whose net jobs may be zero
        return "unbounded" if value > 0 else "-unbounded"
    if unit in ("EUR", "EUR/job"):
        big = abs(value) >= 1e6
        value, suffix, digits = (value / 1e6, "M", 1) if big else (value / 1e3, "k", 0)
        signed = signed and unit == "EUR"  # a cost per job is a ratio, not a change
    else:
        suffix, digits = "", {"kEUR/worker": 2, "%": 1, "EUR M": 1}.get(unit, 0)
    if round(value, digits) == 0:
        value, signed = 0.0, False  # "0", not "+0" or "-0"
    sign = "+" if signed else ""
    text = f"{value:{sign},.{digits}f}{suffix}"
    return ("EUR " + text) if unit in ("EUR", "EUR/job") else text


def fmt_band(lo: float, hi: float, unit: str) -> str:
    lo_text, hi_text = fmt_number(lo, unit), fmt_number(hi, unit)
    return "n/a" if lo_text == hi_text == "n/a" else f"{lo_text} to {hi_text}"


# --- time series ----------------------------------------------------------------------------
# Drawn as inline SVG rather than with matplotlib: a four-panel matplotlib figure costs 0.3-1 s
# of server time per redraw on a 2-core machine, which is most of the "about a second" budget.

CHART_W, CHART_H = 500, 270
_M = {"left": 62, "right": 12, "top": 30, "bottom": 26}
Series = tuple[str, str, np.ndarray, np.ndarray, np.ndarray]  # label, colour, mean, p5, p95


def _tick_text(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def chart_svg(title: str, x: np.ndarray, series: list[Series], zero_line: bool = False) -> str:
    """One panel: a line per series (the mean) over its band (5th to 95th percentile)."""
    lo = min(float(np.min(b)) for _, _, _, b, _ in series)
    hi = max(float(np.max(t)) for _, _, _, _, t in series)
    if zero_line:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    ticks = MaxNLocator(nbins=5).tick_values(lo, hi if hi > lo else lo + 1)
    y0, y1 = float(ticks[0]), float(ticks[-1])
    w, h = CHART_W - _M["left"] - _M["right"], CHART_H - _M["top"] - _M["bottom"]
    px = lambda v: _M["left"] + (v - x[0]) / (x[-1] - x[0]) * w
    py = lambda v: _M["top"] + (y1 - v) / (y1 - y0) * h
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H}" data-testid="chart" '
            f'role="img" aria-label="{html.escape(title)}" style="font: 11px sans-serif">'),
           f'<text x="{CHART_W / 2}" y="16" text-anchor="middle" font-size="13">{html.escape(title)}</text>']
    for t in ticks:
        out.append(f'<line x1="{_M["left"]}" x2="{CHART_W - _M["right"]}" y1="{py(t):.1f}" y2="{py(t):.1f}" '
                   f'stroke="{"#888" if zero_line and t == 0 else "#e5e5e5"}"/>'
                   f'<text x="{_M["left"] - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{_tick_text(t)}</text>')
    for year in range(int(np.ceil(x[0] / 2) * 2), int(x[-1]) + 1, 2):
        out.append(f'<line x1="{px(year):.1f}" x2="{px(year):.1f}" y1="{_M["top"]}" y2="{_M["top"] + h}" '
                   f'stroke="#eee"/><text x="{px(year):.1f}" y="{CHART_H - 8}" text-anchor="middle">{year}</text>')
    for k, (label, colour, mean, p5, p95) in enumerate(series):
        band = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(np.r_[x, x[::-1]], np.r_[p5, p95[::-1]]))
        line = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x, mean))
        out.append(f'<g data-series="{html.escape(label)}"><polygon points="{band}" fill="{colour}" '
                   f'fill-opacity="0.2"/><polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.8"/>'
                   f'<rect x="{_M["left"] + 8}" y="{_M["top"] + 6 + 15 * k}" width="14" height="3" fill="{colour}"/>'
                   f'<text x="{_M["left"] + 26}" y="{_M["top"] + 11 + 15 * k}">{html.escape(label)}</text></g>')
    out.append(f'<rect x="{_M["left"]}" y="{_M["top"]}" width="{w}" height="{h}" fill="none" stroke="#999"/></svg>')
    return "".join(out)


def _years(quarters: list[str]) -> np.ndarray:
    return np.array([int(q[:4]) + (int(q[-1]) - 1) / 4 for q in quarters])


def _arms(o: Outcome, metric: str, region: str, scale: float = 1.0) -> list[Series]:
    arms = (("policy", POLICY_COLOUR), ("counterfactual", CF_COLOUR))[: 2 if o.has_counterfactual else 1]
    return [(arm, colour, *(v * scale for v in o.band(metric, region, arm=arm))) for arm, colour in arms]


def series_svgs(o: Outcome, region: str = "NL") -> list[str]:
    """Adoption, jobs, reshoring and productivity over time, policy vs counterfactual, with
    the 90% band over replications."""
    x = _years(o.quarters)
    where = "the Netherlands" if region == "NL" else PROVINCE_NAMES[region]
    jobs = (("jobs_created", "created", "#2ca02c"), ("jobs_lost", "lost", "#d62728"))
    if o.has_counterfactual:
        job_series = [(label, colour, *o.band(m, region, difference=True)) for m, label, colour in jobs]
        job_series.append(("net", "#000000", *o.band("employment", region, difference=True)))
        job_title = "Jobs since the start: policy minus counterfactual"
    else:
        job_series = [(label, colour, *o.band(m, region)) for m, label, colour in jobs]
        job_title = "Jobs created and lost since the start (gross)"
    return [chart_svg(f"Adopting firms, % ({where})", x, _arms(o, "adoption_rate", region, 100)),
            chart_svg(job_title, x, job_series, zero_line=True),
            chart_svg("Reshored jobs (cumulative)", x, _arms(o, "reshored_jobs", region)),
            chart_svg("Labour productivity, kEUR value added per worker", x, _arms(o, "labour_productivity", region))]


# --- tile-grid map --------------------------------------------------------------------------

TILE_W, TILE_H, GAP = 118, 84, 6


def map_values(o: Outcome, label: str, quarter: int) -> dict[str, float]:
    metric, difference, scale, _ = MAP_METRICS[label]
    return {p: v * scale for p, v in o.province_values(metric, quarter, difference).items()}


def _colour(value: float, lo: float, hi: float, diverging: bool) -> str:
    if diverging:
        m = max(abs(lo), abs(hi)) or 1.0
        t = 0.5 + 0.5 * value / m
        cmap = matplotlib.colormaps["RdBu"]
    else:
        t = 0.5 if hi == lo else (value - lo) / (hi - lo)
        cmap = matplotlib.colormaps["YlGnBu"]
    return matplotlib.colors.to_hex(cmap(0.1 + 0.8 * t))


def tile_map_svg(values: dict[str, float], label: str, quarter_label: str) -> str:
    """The 12 provinces as tiles (model.regions.TILE_GRID), coloured by value. Differences
    use a diverging scale centred on zero (red: below the counterfactual)."""
    _, difference, _, unit = MAP_METRICS[label]
    lo, hi = min(values.values()), max(values.values())
    cols = 1 + max(c for c, _ in TILE_GRID.values())
    rows = 1 + max(r for _, r in TILE_GRID.values())
    width, height = cols * (TILE_W + GAP), rows * (TILE_H + GAP) + 50
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
              f'role="img" aria-label="{html.escape(label)} by province" data-testid="tile-map">'),
             (f'<text x="0" y="16" font-size="14" font-weight="bold">{html.escape(label)} ({unit}), '
              f'{quarter_label}</text>')]
    for p in PROVINCES:
        c, r = TILE_GRID[p]
        x, y = c * (TILE_W + GAP), 30 + r * (TILE_H + GAP)
        fill = _colour(values[p], lo, hi, difference)
        rgb = matplotlib.colors.to_rgb(fill)
        ink = "black" if 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 0.55 else "white"
        text = fmt_number(values[p], unit, signed=difference)
        parts.append(
            f'<g data-province="{p}" data-value="{values[p]!r}"><title>{PROVINCE_NAMES[p]}: {text} {unit}</title>'
            f'<rect x="{x}" y="{y}" width="{TILE_W}" height="{TILE_H}" rx="6" fill="{fill}" stroke="#444"/>'
            f'<text x="{x + 8}" y="{y + 20}" font-size="12" fill="{ink}">{PROVINCE_NAMES[p]}</text>'
            f'<text x="{x + 8}" y="{y + 56}" font-size="20" font-weight="bold" fill="{ink}">{text}</text></g>')
    scale = ("red: below the counterfactual, blue: above" if difference else "darker: higher")
    parts.append(f'<text x="0" y="{height - 4}" font-size="11" fill="#555">Colour: {scale}; '
                 f'range {fmt_number(lo, unit, difference)} to {fmt_number(hi, unit, difference)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- province table -------------------------------------------------------------------------

TABLE_COLUMNS = (  # (summary metric, header, unit, with band?)
    ("net_jobs", "Net jobs", "jobs", True),
    ("net_adopters", "Net adopting firms", "firms", False),
    ("reshored_jobs", "Extra reshored jobs", "jobs", False),
    ("extra_public_spend_eur", "Extra public spending", "EUR", False),
    ("cost_per_net_job_eur", "Public cost per net job", "EUR/job", True),
)


def province_table_html(o: Outcome) -> str:
    """Summary per province at the end of the horizon (from `summary_frame`, as summary.csv)."""
    s = o.summary.set_index(["province", "metric"])
    head = "".join(f"<th>{h}</th>" for _, h, _, _ in TABLE_COLUMNS)
    rows = []
    for region in PROVINCES + ("NL",):
        name = "Netherlands" if region == "NL" else PROVINCE_NAMES[region]
        cells = []
        for metric, _, unit, band in TABLE_COLUMNS:
            r = s.loc[(region, metric)]
            cell = fmt_number(r["difference"], unit)
            if band:
                cell += f'<br><small>{fmt_band(r["difference_p5"], r["difference_p95"], unit)}</small>'
            cells.append(f'<td data-metric="{metric}">{cell}</td>')
        style = ' style="font-weight:bold;border-top:2px solid #888"' if region == "NL" else ""
        rows.append(f'<tr data-province="{region}"{style}><td>{name}</td>{"".join(cells)}</tr>')
    return (f'<table class="sr-table" data-testid="province-table"><thead><tr><th>Province</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


TABLE_CSS = """
.sr-table {border-collapse: collapse; font-size: 12.5px;}
.sr-table th, .sr-table td {padding: 3px 7px; text-align: right; border-bottom: 1px solid #ddd;}
.sr-table th:first-child, .sr-table td:first-child {text-align: left;}
.sr-table small {color: #666; white-space: nowrap;}
.sr-table td {white-space: nowrap;}
"""
