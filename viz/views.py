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
from .words import fmt_band, fmt_number, fmt_tick, quarter_label, region_name, tr, unit_name

# Okabe-Ito colours (distinguishable under the common colour-vision deficiencies); the lines
# also differ in dash, so colour is never the only cue.
POLICY_COLOUR, CF_COLOUR = "#0072B2", "#E69F00"
CREATED, LOST, RESHORED, NET = "#009E73", "#D55E00", "#CC79A7", "#000000"
DASH = {LOST: "6 3", CF_COLOUR: "6 3", RESHORED: "2 2"}

# Map metrics: key of its name in viz/words.py -> (metric, policy minus counterfactual?, scale, unit).
MAP_METRICS: dict[str, tuple[str, bool, float, str]] = {
    "m_adoption_rate": ("adoption_rate", False, 100.0, "%"),
    "m_adopters": ("adopters", True, 1.0, "firms"),
    "m_net_jobs": ("employment", True, 1.0, "jobs"),
    "m_reshored": ("reshored_jobs", True, 1.0, "jobs"),
    "m_productivity": ("labour_productivity", True, 1.0, "kEUR/worker"),
    "m_spend": ("public_spend_eur", True, 1e-6, "EUR M"),
}


# --- time series ----------------------------------------------------------------------------
# Drawn as inline SVG rather than with matplotlib: a four-panel matplotlib figure costs 0.3-1 s
# of server time per redraw on a 2-core machine, which is most of the "about a second" budget.

CHART_W, CHART_H = 500, 270
_M = {"left": 62, "right": 12, "top": 30, "bottom": 26}
Series = tuple[str, str, np.ndarray, np.ndarray, np.ndarray]  # label, colour, mean, p5, p95


def chart_svg(title: str, x: np.ndarray, series: list[Series], zero_line: bool = False, lang: str = "en") -> str:
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
                   f'<text x="{_M["left"] - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{fmt_tick(t, lang)}</text>')
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


def series_svgs(o: Outcome, region: str = "NL", levels: bool = False, lang: str = "en") -> list[str]:
    """Adoption, jobs, reshoring and productivity over time: by default the difference the
    comparison makes (replication by replication, with its 90% band); `levels`, or no
    counterfactual, each arm's level with its band."""
    x = _years(o.quarters)
    where = tr("in_netherlands", lang) if region == "NL" else PROVINCE_NAMES[region]
    t = lambda key: tr(key, lang, where=where)
    jobs = (("jobs_created", tr("s_created", lang), CREATED), ("jobs_lost", tr("s_lost", lang), LOST),
            ("reshored_jobs", tr("s_reshored", lang), RESHORED))
    if o.has_counterfactual and not levels:
        diff = lambda m, scale=1.0: [(tr("s_difference", lang), POLICY_COLOUR, *(v * scale for v in o.band(m, region,
                                                                                               difference=True)))]
        job_series = [(label, colour, *o.band(m, region, difference=True)) for m, label, colour in jobs]
        job_series.append((tr("s_net", lang), NET, *o.band("employment", region, difference=True)))
        return [chart_svg(t("ch_adoption_diff"), x, diff("adoption_rate", 100), True, lang),
                chart_svg(t("ch_jobs_diff"), x, job_series, True, lang),
                chart_svg(t("ch_reshored_diff"), x, diff("reshored_jobs"), True, lang),
                chart_svg(t("ch_productivity_diff"), x, diff("labour_productivity"), True, lang)]
    names = {"policy": tr("s_with", lang) if o.comparison != "levels" else tr("subject_plain", lang),
             "counterfactual": tr("s_without", lang)}
    arms = lambda m, scale=1.0: [(names[a], c, *(v * scale for v in o.band(m, region, arm=a)))
                                 for a, c in (("policy", POLICY_COLOUR), ("counterfactual", CF_COLOUR))
                                 [: 2 if o.has_counterfactual else 1]]
    job_series = [(label, colour, *o.band(m, region)) for m, label, colour in jobs[:2]]
    return [chart_svg(t("ch_adoption"), x, arms("adoption_rate", 100), lang=lang),
            chart_svg(t("ch_jobs"), x, job_series, lang=lang),
            chart_svg(t("ch_reshored"), x, arms("reshored_jobs"), lang=lang),
            chart_svg(t("ch_productivity"), x, arms("labour_productivity"), lang=lang)]


# --- tile-grid map --------------------------------------------------------------------------

TILE_W, TILE_H, GAP = 118, 84, 6


def map_values(o: Outcome, key: str, quarter: int) -> dict[str, float]:
    metric, difference, scale, _ = MAP_METRICS[key]
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


def tile_map_svg(values: dict[str, float], key: str, quarter: str, lang: str = "en") -> str:
    """The 12 provinces as tiles (model.regions.TILE_GRID), coloured by value. Differences
    use a diverging scale centred on zero (red: below the counterfactual)."""
    _, difference, _, unit = MAP_METRICS[key]
    label, shown_unit = tr(key, lang), unit_name(unit, lang)
    lo, hi = min(values.values()), max(values.values())
    cols = 1 + max(c for c, _ in TILE_GRID.values())
    rows = 1 + max(r for _, r in TILE_GRID.values())
    width, height = cols * (TILE_W + GAP), rows * (TILE_H + GAP) + 50
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
              f'role="img" aria-label="{html.escape(tr("map_by_province", lang, label=label))}" '
              'data-testid="tile-map">'),
             (f'<text x="0" y="16" font-size="14" font-weight="bold">{html.escape(label)} ({shown_unit}), '
              f'{quarter_label(quarter, lang)}</text>')]
    for p in PROVINCES:
        c, r = TILE_GRID[p]
        x, y = c * (TILE_W + GAP), 30 + r * (TILE_H + GAP)
        fill = _colour(values[p], lo, hi, difference)
        rgb = matplotlib.colors.to_rgb(fill)
        ink = "black" if 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 0.55 else "white"
        text = fmt_number(values[p], unit, signed=difference, lang=lang)
        parts.append(
            f'<g data-province="{p}" data-value="{values[p]!r}"><title>{PROVINCE_NAMES[p]}: {text} {shown_unit}</title>'
            f'<rect x="{x}" y="{y}" width="{TILE_W}" height="{TILE_H}" rx="6" fill="{fill}" stroke="#444"/>'
            f'<text x="{x + 8}" y="{y + 20}" font-size="12" fill="{ink}">{PROVINCE_NAMES[p]}</text>'
            f'<text x="{x + 8}" y="{y + 56}" font-size="20" font-weight="bold" fill="{ink}">{text}</text></g>')
    scale = tr("map_diverging" if difference else "map_sequential", lang)
    legend = tr("map_legend", lang, scale=scale, lo=fmt_number(lo, unit, difference, lang),
                hi=fmt_number(hi, unit, difference, lang))
    parts.append(f'<text x="0" y="{height - 4}" font-size="11" fill="#555">{html.escape(legend)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- province table -------------------------------------------------------------------------

TABLE_COLUMNS = (  # (summary metric, key of its header in viz/words.py, unit, with band?)
    ("net_jobs", "t_net_jobs", "jobs", True),
    ("net_adopters", "t_adopters", "firms", False),
    ("reshored_jobs", "t_reshored", "jobs", False),
    ("extra_public_spend_eur", "t_spend", "EUR", False),
    ("cost_per_net_job_eur", "t_cost", "EUR/job", True),
)


def province_table_html(o: Outcome, lang: str = "en") -> str:
    """Summary per province at the end of the horizon (from `summary_frame`, as summary.csv)."""
    rows = []
    head = "".join(f"<th>{tr(h, lang)}</th>" for _, h, _, _ in TABLE_COLUMNS)
    for region in PROVINCES + ("NL",):
        name = region_name(region, lang)
        s = o.summary_rows[region]
        cells = []
        for metric, _, unit, band in TABLE_COLUMNS:
            r = s[metric]
            cell = fmt_number(r["difference"], unit, lang=lang)
            if metric == "cost_per_net_job_eur":
                spend = s["extra_public_spend_eur"]["difference"]
                jobs = s["net_jobs"]["difference"]
                if abs(spend) < 500 or spend < 0 or jobs <= 0:
                    cell = (tr("none_spent", lang) if abs(spend) < 500 else
                            tr("saves", lang, eur=fmt_number(-spend, "EUR", False, lang)) if spend < 0 else
                            tr("unbounded", lang))
                    cells.append(f'<td data-metric="{metric}">{cell}</td>')
                    continue
            if band:
                cell += f'<br><small>{fmt_band(r["difference_p5"], r["difference_p95"], unit, lang)}</small>'
            cells.append(f'<td data-metric="{metric}">{cell}</td>')
        style = ' style="font-weight:bold;border-top:2px solid #888"' if region == "NL" else ""
        rows.append(f'<tr data-province="{region}"{style}><td>{name}</td>{"".join(cells)}</tr>')
    return (f'<table class="sr-table" data-testid="province-table"><thead><tr><th>{tr("province", lang)}</th>{head}</tr></thead>'
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
# (metric, key of its words when it adds jobs, key when it takes them (more / fewer), sign in net)
JOB_PARTS = (("jobs_created", "part_created", None, 1),
             ("jobs_lost", "part_lost_more", "part_lost_fewer", -1),
             ("reshored_jobs", "part_reshored", None, 1)) + (
    ((DISPLACED, "part_displaced_more", "part_displaced_fewer", -1),) if DISPLACED else ())


def _jobs(value: float, lang: str = "en") -> str:
    return tr("job_1" if round(abs(value)) == 1 else "jobs_n", lang, n=fmt_number(value, "jobs", lang=lang))


def money_sentence(spend: float, jobs: float, ratio: float, lo: float, hi: float, lang: str = "en") -> str:
    """What the extra public money bought, in words: never a negative cost per job."""
    tiny_spend, tiny_jobs = abs(spend) < 500, abs(jobs) < 0.5
    if tiny_spend:
        return tr("money_none", lang)
    eur = fmt_number(abs(spend), "EUR", signed=False, lang=lang)
    if spend < 0:
        if jobs > 0:
            return tr("money_saves_adds", lang, eur=eur, jobs=_jobs(jobs, lang).lstrip("+"))
        if not tiny_jobs:
            return tr("money_saves_loses", lang, eur=eur, jobs=_jobs(-jobs, lang).lstrip("+"))
        return tr("money_saves_none", lang, eur=eur)
    if jobs <= 0 or tiny_jobs:
        return tr("money_unbounded", lang, eur=eur)
    band = tr("band_to", lang, lo=fmt_number(lo, "EUR/job", lang=lang), hi=fmt_number(hi, "EUR/job", lang=lang))
    return tr("money_cost", lang, eur=eur, ratio=fmt_number(ratio, "EUR/job", lang=lang), band=band,
              why=tr("money_no_top", lang) if math.isinf(hi) else "")


def decomposition_html(o: Outcome, region: str, subject: str, lang: str = "en") -> str:
    """One paragraph: net jobs of the comparison at the horizon's end, what they are made of,
    and what the money bought (from the summary, as summary.csv has it). `subject` is a key
    of viz/words.py (subject_levers, subject_scenario, subject_plain)."""
    b = o.summary_rows[region]
    s = {metric: row["difference"] for metric, row in b.items()}
    where = tr("in_netherlands", lang) if region == "NL" else PROVINCE_NAMES[region]
    plural = subject == "subject_levers"
    net = s["net_jobs"]
    parts = [tr(adds, lang, jobs=_jobs(s[m], lang)) if sign > 0 else
             tr(adds if s[m] >= 0 else takes, lang, n=fmt_number(abs(s[m]), "jobs", signed=False, lang=lang))
             for m, adds, takes, sign in JOB_PARTS]
    counted = sum(sign * s[m] for m, _, _, sign in JOB_PARTS)
    other = net - counted
    if abs(other) >= max(0.5, 0.01 * sum(abs(s[m]) for m, _, _, _ in JOB_PARTS)):
        parts.append(tr("part_other", lang, jobs=_jobs(other, lang)))
    lo, hi = b["net_jobs"]["difference_p5"], b["net_jobs"]["difference_p95"]
    adds = round(net) >= 0  # "add 0 jobs", never "remove 0 jobs"
    verb = ("verb_add" if plural else "verb_adds") if adds else ("verb_remove" if plural else "verb_removes")
    out = ['<p data-testid="decomposition">' + tr(
        "decomposition", lang, end=quarter_label(o.quarters[-1], lang), where=where, subject=tr(subject, lang),
        verb=tr(verb, lang), particle=tr("particle_add" if adds else "particle_remove", lang), jobs=_jobs(abs(net), lang).lstrip("+"), band=fmt_band(lo, hi, "jobs", lang),
        parts="; ".join(parts))]
    if net < 0 and s["jobs_lost"] > s["jobs_created"]:
        out.append(tr("why_negative", lang))
    if lo < 0 < hi:
        out.append(tr("band_zero", lang))
    r = b["cost_per_net_job_eur"]
    out.append(" " + html.escape(money_sentence(s["extra_public_spend_eur"], net, r["difference"],
                                                r["difference_p5"], r["difference_p95"], lang)) + "</p>")
    return "".join(out)
