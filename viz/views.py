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

from smartregion.model.model import METRICS
from smartregion.model.regions import PROVINCE_NAMES, PROVINCES, TILE_GRID

from .compute import Outcome

# Okabe-Ito colours (distinguishable under the common colour-vision deficiencies); the lines
# also differ in dash, so colour is never the only cue.
POLICY_COLOUR, CF_COLOUR = "#0072B2", "#E69F00"
CREATED, LOST, RESHORED, NET = "#009E73", "#D55E00", "#CC79A7", "#000000"
DASH = {LOST: "6 3", CF_COLOUR: "6 3", RESHORED: "2 2"}

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
                   f'fill-opacity="0.2"/><polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.8" '
                   f'stroke-dasharray="{DASH.get(colour, "none")}"/>'
                   f'<line x1="{_M["left"] + 8}" x2="{_M["left"] + 24}" y1="{_M["top"] + 7 + 15 * k}" '
                   f'y2="{_M["top"] + 7 + 15 * k}" stroke="{colour}" stroke-width="2.5" '
                   f'stroke-dasharray="{DASH.get(colour, "none")}"/>'
                   f'<text x="{_M["left"] + 26}" y="{_M["top"] + 11 + 15 * k}">{html.escape(label)}</text></g>')
    out.append(f'<rect x="{_M["left"]}" y="{_M["top"]}" width="{w}" height="{h}" fill="none" stroke="#999"/></svg>')
    return "".join(out)


def _years(quarters: list[str]) -> np.ndarray:
    return np.array([int(q[:4]) + (int(q[-1]) - 1) / 4 for q in quarters])


def series_svgs(o: Outcome, region: str = "NL", levels: bool = False) -> list[str]:
    """Adoption, jobs, reshoring and productivity over time: by default the difference the
    comparison makes (replication by replication, with its 90% band); `levels`, or no
    counterfactual, each arm's level with its band."""
    x = _years(o.quarters)
    where = "the Netherlands" if region == "NL" else PROVINCE_NAMES[region]
    jobs = (("jobs_created", "created", CREATED), ("jobs_lost", "lost", LOST), ("reshored_jobs", "reshored", RESHORED))
    if o.has_counterfactual and not levels:
        diff = lambda m, scale=1.0: [("difference", POLICY_COLOUR, *(v * scale for v in o.band(m, region,
                                                                                               difference=True)))]
        job_series = [(label, colour, *o.band(m, region, difference=True)) for m, label, colour in jobs]
        job_series.append(("net", NET, *o.band("employment", region, difference=True)))
        return [chart_svg(f"Extra adopting firms, percentage points ({where})", x, diff("adoption_rate", 100),
                          zero_line=True),
                chart_svg(f"Extra jobs since 2014 ({where})", x, job_series, zero_line=True),
                chart_svg(f"Extra reshored jobs, cumulative ({where})", x, diff("reshored_jobs"), zero_line=True),
                chart_svg(f"Productivity difference, kEUR per worker ({where})", x, diff("labour_productivity"),
                          zero_line=True)]
    names = {"policy": "with" if o.comparison != "levels" else o.scenario.name, "counterfactual": "without"}
    arms = lambda m, scale=1.0: [(names[a], c, *(v * scale for v in o.band(m, region, arm=a)))
                                 for a, c in (("policy", POLICY_COLOUR), ("counterfactual", CF_COLOUR))
                                 [: 2 if o.has_counterfactual else 1]]
    job_series = [(label, colour, *o.band(m, region)) for m, label, colour in jobs[:2]]
    return [chart_svg(f"Adopting firms, % ({where})", x, arms("adoption_rate", 100)),
            chart_svg(f"Jobs created and lost since 2014, gross ({where})", x, job_series),
            chart_svg(f"Reshored jobs, cumulative ({where})", x, arms("reshored_jobs")),
            chart_svg(f"Labour productivity, kEUR value added per worker ({where})", x, arms("labour_productivity"))]


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
    scale = ("red: fewer than without, blue: more" if difference else "darker: higher")
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
            if metric == "cost_per_net_job_eur":
                spend = s.loc[(region, "extra_public_spend_eur"), "difference"]
                jobs = s.loc[(region, "net_jobs"), "difference"]
                if abs(spend) < 500 or spend < 0 or jobs <= 0:
                    cell = ("none spent" if abs(spend) < 500 else
                            f"saves {fmt_number(-spend, 'EUR', signed=False)}" if spend < 0 else "unbounded")
                    cells.append(f'<td data-metric="{metric}">{cell}</td>')
                    continue
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


# --- words ----------------------------------------------------------------------------------
# A sign or a size that needs explaining gets a sentence: what the jobs figure is made of, and
# what the money bought (savings as savings; an unbounded cost per job said in words).

# A metric of jobs displaced at competing firms, if the model records one (product-market
# competition); the decomposition names it when present.
DISPLACED = next((m for m in METRICS if "displaced" in m), None)
JOB_PARTS = (("jobs_created", "created at firms that adopt and grow", 1),  # (metric, words, sign in net)
             ("jobs_lost", "lost to automation", -1),
             ("reshored_jobs", "reshored from abroad", 1)) + (
    ((DISPLACED, "displaced at competitors", -1),) if DISPLACED else ())


def _jobs(value: float) -> str:
    return f"{fmt_number(value, 'jobs')} job{'' if round(abs(value)) == 1 else 's'}"


def money_sentence(spend: float, jobs: float, ratio: float, lo: float, hi: float) -> str:
    """What the extra public money bought, in words: never a negative cost per job."""
    tiny_spend, tiny_jobs = abs(spend) < 500, abs(jobs) < 0.5
    if tiny_spend:
        return "It spends no extra public money."
    eur = fmt_number(abs(spend), "EUR", signed=False)
    if spend < 0:
        what = "adds " + _jobs(jobs).lstrip("+") if jobs > 0 else ("loses " + _jobs(-jobs).lstrip("+")
                                                                   if not tiny_jobs else "changes no jobs")
        return f"It saves {eur} of public money and {what}, so there is no cost per job to give."
    if jobs <= 0 or tiny_jobs:
        return (f"It costs {eur} of extra public money and adds no net jobs, so the cost per job is unbounded "
                "(no number of euros buys a job here).")
    band = f"{fmt_number(lo, 'EUR/job')} to {fmt_number(hi, 'EUR/job')}"
    why = (" (no upper end: in more than 5% of resampled ensembles the net jobs are zero or fewer)"
           if math.isinf(hi) else "")
    return f"It costs {eur} of extra public money: {fmt_number(ratio, 'EUR/job')} per net job, 90% band {band}{why}."


def decomposition_html(o: Outcome, region: str, subject: str) -> str:
    """One paragraph: net jobs of the comparison at the horizon's end, what they are made of,
    and what the money bought (from the summary, as summary.csv has it)."""
    s = o.summary[o.summary["province"] == region].set_index("metric")["difference"]
    b = o.summary[o.summary["province"] == region].set_index("metric")
    where = "the Netherlands" if region == "NL" else PROVINCE_NAMES[region]
    plural = subject.endswith("levers")
    net = s["net_jobs"]
    parts = [f"{_jobs(s[m])} {text}" if sign > 0 else
             f"{fmt_number(abs(s[m]), 'jobs', signed=False)} {'more' if s[m] >= 0 else 'fewer'} jobs {text}"
             for m, text, sign in JOB_PARTS]
    counted = sum(sign * s[m] for m, _, sign in JOB_PARTS)
    other = net - counted
    if abs(other) >= max(0.5, 0.01 * sum(abs(s[m]) for m, _, _ in JOB_PARTS)):
        parts.append(f"{_jobs(other)} from other changes (firm growth and training)")
    lo, hi = b.loc["net_jobs", "difference_p5"], b.loc["net_jobs", "difference_p95"]
    out = [f'<p data-testid="decomposition">By {o.quarters[-1]}, in {where}, {subject} '
           f'<b>{"add" if net >= 0 else "remove"}{"" if plural else "s"} {_jobs(abs(net)).lstrip("+")}</b> net '
           f'(90% band {fmt_band(lo, hi, "jobs")}): {"; ".join(parts)}.']
    if net < 0 and s["jobs_lost"] > s["jobs_created"]:
        out.append(" Net jobs fall because automation at the extra adopters removes more jobs than their growth "
                   "creates by then.")
    if lo < 0 < hi:
        out.append(" The band includes zero: by chance alone the effect could go either way.")
    r = b.loc["cost_per_net_job_eur"]
    out.append(" " + html.escape(money_sentence(s["extra_public_spend_eur"], net, r["difference"],
                                                r["difference_p5"], r["difference_p95"])) + "</p>")
    return "".join(out)
