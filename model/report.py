"""Charts for a policy memo: one figure per run (`report.png`) and one per comparison
(`compare.png`). matplotlib with the Agg backend, so they render on machines without a screen.

Every band and whisker is the 5th-95th percentile over replications (results.BAND), and every
effect is policy minus counterfactual replication by replication (common random numbers).
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")  # files only; never open a window (servers, CI)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import CenteredNorm, Normalize  # noqa: E402
from matplotlib.ticker import ScalarFormatter, StrMethodFormatter  # noqa: E402

from .model import METRICS, REGIONS_OUT  # noqa: E402
from .regions import PROVINCES  # noqa: E402
from .results import BAND, cost_per_job_words  # noqa: E402
from .timeline import parse_quarter  # noqa: E402
from .units import describe  # noqa: E402

POLICY, COUNTERFACTUAL, EFFECT = "#1f5fa8", "#8a8a8a", "#b03a2e"
FLOWS = (("jobs_created", "jobs created", "#2e8b57"), ("jobs_lost", "jobs lost", "#b03a2e"),
         ("reshored_jobs", "reshored jobs", "#7b4fa0"))
FOOTNOTE = ("Lines: mean; bands and whiskers: {lo}th-{hi}th percentile over {n}, policy and "
            "counterfactual with the same random numbers. Parameters: the line under the title; how well the "
            "calibration fits, in\nsample and out of sample: docs/VALIDATION.md. The sign of net jobs is not pinned "
            "down by the data: it rests on business_stealing, expansion_jobs and routine_displacement.")


def _number(v: float) -> str:
    return f"{v:,.1f}" if abs(v) < 100 else f"{v:,.0f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _years(quarters) -> np.ndarray:
    """Quarter labels as decimal years at mid-quarter (2018Q4 -> 2018.875)."""
    return np.array([parse_quarter(q) / 4 + 0.125 for q in quarters])


def _stats(values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 90% band over replications (axis 0) of the defined values: a ratio is NaN in
    a replication where it is undefined (no firms, no workers). NaN where none is defined."""
    values = np.asarray(values, dtype=float)
    defined = ~np.isnan(values).all(axis=0)
    filled = np.where(defined, values, 0.0)  # columns with no value at all: no warnings, NaN below
    lo, hi = np.nanpercentile(filled, BAND, axis=0)
    return tuple(np.where(defined, v, np.nan) for v in (np.nanmean(filled, axis=0), lo, hi))


def _series(ax, x, values, color, label):
    """Mean line and 90% band of values [replication, time]."""
    mean, lo, hi = _stats(values)
    ax.fill_between(x, lo, hi, color=color, alpha=0.2, linewidth=0)
    ax.plot(x, mean, color=color, linewidth=2, label=label)


def _band_whiskers(ax, pos, lo, hi, horizontal: bool = False):
    """Whiskers from lo to hi, drawn on their own: a skewed ensemble's mean (the bar) can lie
    outside its 5-95% band, so the band cannot be given as distances from the mean (matplotlib
    refuses negative ones). Unbounded or undefined ends are left out."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    ok = np.isfinite(lo) & np.isfinite(hi)
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    kw = {"fmt": "none", "ecolor": "#333333", "elinewidth": 1, "capsize": 3}
    pos = np.asarray(pos)[ok]
    if horizontal:
        ax.errorbar(mid[ok], pos, xerr=half[ok], **kw)
    else:
        ax.errorbar(pos, mid[ok], yerr=half[ok], **kw)


def _style(ax, title, ylabel):
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)


def _zero(ax):
    ax.axhline(0, color="black", linewidth=0.8)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}") if ax.get_ylim()[1] >= 1000 else ScalarFormatter())


def _no_effect(ax, title):
    _style(ax, title, "")
    ax.text(0.5, 0.5, "no counterfactual:\neffects are not defined", ha="center", va="center",
            transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)


def report_figure(quarters: list[str], national: dict[str, np.ndarray], final: dict[str, np.ndarray],
                  info: dict) -> plt.Figure:
    """The run report: adoption, net jobs, gross flows, productivity over time, and net jobs
    and adoption by province at the end of the horizon.

    Per arm ("policy", optionally "counterfactual"): `national` holds the NL values
    [replication, quarter, metric] and `final` the last quarter's [replication, region, metric]
    (slices of results.metric_arrays output; only these, so that memory does not grow with the
    number of provinces times quarters times replications);
    `info` holds scenario, counterfactual (name or None), replications, seed and scale."""
    m = {name: i for i, name in enumerate(METRICS)}
    pol, cf = national["policy"], national.get("counterfactual")
    diff = pol - cf if cf is not None else None
    final_diff = final["policy"] - final["counterfactual"] if cf is not None else None
    x = _years(quarters)
    n = pol.shape[0]
    fig, axes = plt.subplots(2, 3, figsize=(16, 9.6), layout="constrained")
    (a_adopt, a_net, a_flow), (a_prod, a_prov, a_rate) = axes

    _series(a_adopt, x, 100 * pol[:, :, m["adoption_rate"]], POLICY, f"policy: {info['scenario']}")
    if cf is not None:
        _series(a_adopt, x, 100 * cf[:, :, m["adoption_rate"]], COUNTERFACTUAL,
                f"counterfactual: {info['counterfactual']}")
    _style(a_adopt, "Firms that adopted smart technology, NL", "% of manufacturing firms")
    a_adopt.set_ylim(bottom=0)
    a_adopt.legend(loc="upper left", frameon=False)

    if diff is None:
        for ax, title in ((a_net, "Net jobs"), (a_flow, "Gross job flows"), (a_prod, "Labour productivity"),
                          (a_prov, "Net jobs by province")):
            _no_effect(ax, title)
    else:
        net = diff[:, :, m["employment"]]
        _series(a_net, x, net, EFFECT, "net jobs")
        _zero(a_net)
        _style(a_net, "Net jobs, NL (policy - counterfactual)", "jobs")
        nl = REGIONS_OUT.index("NL")
        spend, jobs = (_stats(final_diff[:, nl, m[k]])[0] for k in ("public_spend_eur", "employment"))
        words = cost_per_job_words(spend, jobs) or f"public cost EUR {spend / jobs:,.0f} per net job (ratio of means)"
        a_net.text(0.01, 0.98, textwrap.fill(words, 60), transform=a_net.transAxes, fontsize=9, color="#333333",
                   va="top", in_layout=False, bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
        end = _stats(net[:, -1])[0]
        a_net.annotate(f"{end:+,.0f} in {quarters[-1]}", (x[-1], np.nan_to_num(end)),
                       xytext=(-6, 8), textcoords="offset points", ha="right", color=EFFECT, fontweight="bold")

        for metric, label, color in FLOWS:
            _series(a_flow, x, diff[:, :, m[metric]], color, f"extra {label}")
        _zero(a_flow)
        _style(a_flow, "Gross job flows, NL (cumulative difference)", "jobs")
        a_flow.legend(loc="upper left", frameon=False)

        _series(a_prod, x, diff[:, :, m["labour_productivity"]], EFFECT, "productivity")
        _zero(a_prod)
        _style(a_prod, "Labour productivity, NL (policy - counterfactual)", "kEUR value added per worker")

        mean, lo, hi = _stats(final_diff[:, :len(PROVINCES), m["employment"]])
        a_prov.bar(PROVINCES, np.nan_to_num(mean), color=np.where(mean >= 0, EFFECT, "#e3a79f"))
        _band_whiskers(a_prov, np.arange(len(PROVINCES)), lo, hi)
        _zero(a_prov)
        _style(a_prov, f"Net jobs by province, {quarters[-1]}", "jobs")

    for a in (a_adopt, a_net, a_flow, a_prod):
        if a.has_data():
            a.set_xlim(x[0] - 0.125, x[-1] + 0.125)
            a.set_xlabel("year")

    arms = [(final["policy"], POLICY, "policy")] + (
        [(final["counterfactual"], COUNTERFACTUAL, "counterfactual")] if cf is not None else [])
    width = 0.8 / len(arms)
    pos = np.arange(len(PROVINCES))
    for j, (arr, color, label) in enumerate(arms):
        mean, lo, hi = _stats(100 * arr[:, :len(PROVINCES), m["adoption_rate"]])
        at = pos + (j - (len(arms) - 1) / 2) * width
        a_rate.bar(at, np.nan_to_num(mean), width, color=color, label=label)
        _band_whiskers(a_rate, at, lo, hi)
    a_rate.set_xticks(pos, PROVINCES)
    _style(a_rate, f"Adoption by province, {quarters[-1]}", "% of firms that adopted")
    a_rate.legend(loc="upper left", frameon=False, ncols=2)

    vs = f" vs {info['counterfactual']}" if info.get("counterfactual") else " (no counterfactual)"
    fig.suptitle(f"{info['scenario']}{vs}: {quarters[0]}-{quarters[-1]}, {_plural(n, 'replication')}, "
                 f"seed {info['seed']}; {describe(info.get('scale', 1.0))}"
                 + (f"\n{info['parameters']}" if info.get("parameters") else ""),  # which parameterisation ran
                 fontsize=14, fontweight="bold")
    fig.text(0.005, 0.002, FOOTNOTE.format(lo=BAND[0], hi=BAND[1], n=_plural(n, "replication")), fontsize=8.5,
             color="#444444", ha="left", va="bottom")
    fig.get_layout_engine().set(rect=(0, 0.045, 1, 0.955))
    return fig


def compare_figure(table: pd.DataFrame, info: dict) -> plt.Figure:
    """Which scenario buys the most net jobs per euro: NL with its band, and every province.

    `table` is results.compare_frame output; `info` holds counterfactual, replications, seed,
    quarter and scale."""
    scen = list(dict.fromkeys(table["scenario"]))
    nl = table[table["province"] == "NL"].set_index("scenario").loc[scen]
    order = nl["net_jobs_per_eur_million_mean"].fillna(-np.inf).sort_values().index.tolist()
    nl = nl.loc[order]
    height = max(3.8, 0.55 * len(scen) + 2.2)
    fig, (a_nl, a_map) = plt.subplots(1, 2, figsize=(16, height), layout="constrained",
                                      gridspec_kw={"width_ratios": [1, 2.2]})

    mean = nl["net_jobs_per_eur_million_mean"].to_numpy()
    lo, hi = nl["net_jobs_per_eur_million_p5"].to_numpy(), nl["net_jobs_per_eur_million_p95"].to_numpy()
    y = np.arange(len(order))
    a_nl.barh(y, np.nan_to_num(mean), color=EFFECT)
    _band_whiskers(a_nl, y, lo, hi, horizontal=True)
    ends = np.where(np.isfinite(hi), np.fmax(mean, hi), mean)  # an unbounded band has no end to write after
    for yi, v, end in zip(y, mean, ends, strict=True):
        a_nl.annotate(_number(v) if np.isfinite(v) else "no extra spending", (np.nan_to_num(end), yi),
                      xytext=(5, 0), textcoords="offset points", va="center", fontsize=9)
    a_nl.set_yticks(y, order)
    a_nl.margins(x=0.15)
    a_nl.axvline(0, color="black", linewidth=0.8)
    a_nl.set_title("NL: net jobs per EUR million", loc="left", fontsize=11, fontweight="bold")
    a_nl.set_xlabel("net jobs per EUR million of extra public spending")
    a_nl.grid(axis="x", color="#dddddd", linewidth=0.8)
    a_nl.spines[["top", "right"]].set_visible(False)

    regions = list(PROVINCES) + ["NL"]
    top_down = order[::-1]  # best first, as in the bar chart
    grid = (table.pivot(index="scenario", columns="province", values="net_jobs_per_eur_million_mean")
            .loc[top_down, regions].to_numpy())
    finite = grid[np.isfinite(grid)]
    span = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 1.0
    if finite.size and finite.min() < 0:  # losses somewhere: a diverging scale centred on zero
        cmap, norm = plt.get_cmap("RdBu"), CenteredNorm(0, span)
    else:
        cmap, norm = plt.get_cmap("Blues"), Normalize(0, span)
    cmap = cmap.with_extremes(bad="#eeeeee")
    im = a_map.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto")
    for (i, j), v in np.ndenumerate(grid):
        a_map.text(j, i, _number(v) if np.isfinite(v) else "-", ha="center", va="center", fontsize=8.5,
                   color="white" if np.isfinite(v) and abs(v) > 0.6 * span else "black")
    a_map.set_xticks(range(len(regions)), regions)
    a_map.set_yticks(range(len(top_down)), top_down)
    a_map.axvline(len(PROVINCES) - 0.5, color="white", linewidth=3)
    a_map.set_title("By province: net jobs per EUR million spent there (- : no extra spending in the province)",
                    loc="left", fontsize=11, fontweight="bold")
    fig.colorbar(im, ax=a_map, shrink=0.9, label="net jobs per EUR million")

    fig.suptitle(f"Which scenario buys the most net jobs per euro? Against {info['counterfactual']}, "
                 f"{info['quarter']}: {_plural(info['replications'], 'replication')}, seed {info['seed']}; "
                 f"{describe(info.get('scale', 1.0))}",
                 fontsize=13, fontweight="bold")
    fig.text(0.005, 0.002, "Net jobs: employment difference with the counterfactual (same random numbers). "
             "Ratio of means; whiskers: bootstrap 5th-95th percentile. Jobs in a province can come from spending "
             "elsewhere (spillovers).\nParameters are assumptions with plausible ranges (model/params.py): "
             "compare scenarios with each other rather than reading the levels as forecasts.",
             fontsize=8.5, color="#444444", ha="left", va="bottom")
    fig.get_layout_engine().set(rect=(0, 0.1 if len(scen) < 4 else 0.06, 1, 0.92))
    return fig


def save(fig: plt.Figure, path) -> None:
    """Write a PNG without a timestamp or version stamp, so that the same numbers give the
    same file."""
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
