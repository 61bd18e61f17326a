"""How well the model fits its targets, before and after calibration (Covasim's Fit, by steps:
simulate, difference, standardise by tolerance, judge).

Three predictive ensembles with the same seeds (common random numbers), so they differ only in
their parameters: the registry defaults, draws from the prior, and weighted draws from the
posterior. A target "fits" when the posterior predictive median lies within its tolerance.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from smartregion.model.ensemble import Executor
from smartregion.model.streams import replication_seeds

from .posterior import Posterior
from .summaries import SimulationSpec, simulate
from .targets import TargetSet

Z_CLIP = 6.0  # plot range in tolerances; beyond it the value is written next to the arrow


def _one(spec: SimulationSpec, fixed: dict, item) -> dict:
    params, seed = item
    return simulate(spec, {**fixed, **params}, seed)


def prior_draws(ts: TargetSet, n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    return [{k: float(rng.uniform(lo, hi)) for k, (lo, hi) in ts.priors().items()} for _ in range(n)]


def posterior_draws(post: Posterior, n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    return [post.row(int(i)) for i in rng.choice(len(post.weights), size=n, p=post.weights)]


def predictive(ts: TargetSet, param_sets: list[dict], scale: float, seed: int,
               executor: Executor | None = None) -> pd.DataFrame:
    """Simulated statistics for each parameter set (one row each); set i runs with the i-th
    replication seed of `seed`, whichever ensemble it belongs to."""
    executor = executor or Executor()
    seeds = replication_seeds(seed, len(param_sets))
    fn = functools.partial(_one, ts.spec(scale), dict(ts.scenario.parameters))
    return pd.DataFrame(executor.ordered_map(fn, list(zip(param_sets, seeds))))


def fit_table(ts: TargetSet, default: pd.DataFrame, prior: pd.DataFrame, post: pd.DataFrame) -> pd.DataFrame:
    """One row per target: observed, tolerance, predictive medians and 90% bands, standardised
    deviation of the posterior median and whether it fits."""
    rows = []
    for t in ts.targets:
        q = {k: np.nanpercentile(df[t.name], [5, 50, 95]) for k, df in
             (("default", default), ("prior", prior), ("posterior", post))}
        z = (q["posterior"][1] - t.observed) / t.tolerance
        rows.append({
            "target": t.name, "group": t.group, "role": t.role, "unit": t.unit, "observed": t.observed,
            "tolerance": t.tolerance, "default_median": q["default"][1],
            "prior_p5": q["prior"][0], "prior_median": q["prior"][1], "prior_p95": q["prior"][2],
            "posterior_p5": q["posterior"][0], "posterior_median": q["posterior"][1],
            "posterior_p95": q["posterior"][2], "z_default": (q["default"][1] - t.observed) / t.tolerance,
            "z_posterior": z, "fits": bool(abs(z) <= 1), "year": t.year, "source": t.source})
    return pd.DataFrame(rows)


def plot_fit(table: pd.DataFrame, path: Path, title: str) -> None:
    """Standardised deviations (simulated - observed) / tolerance for every target: the shaded
    band is the tolerance, thin grey bars (just above each row) the prior predictive 90% band,
    thick bars the posterior's."""
    roles = [r for r in ("fit", "holdout", "check") if (table.role == r).any()]
    fig, axes = plt.subplots(1, len(roles), figsize=(7 * len(roles) + 2 * (len(roles) == 1),
                                                     0.28 * max((table.role == r).sum() for r in roles) + 2.6),
                             sharex=True, squeeze=False)
    axes = axes[0]
    for ax, role in zip(axes, roles):
        sub = table[table.role == role].iloc[::-1]
        y = np.arange(len(sub))
        ax.axvspan(-1, 1, color="#d9f0d3", zorder=0, label="within tolerance")
        ax.axvline(0, color="#1b7837", lw=1)

        def z(col, sub=sub):
            return ((sub[col] - sub["observed"]) / sub["tolerance"]).to_numpy()

        ax.hlines(y + 0.25, np.clip(z("prior_p5"), -Z_CLIP, Z_CLIP), np.clip(z("prior_p95"), -Z_CLIP, Z_CLIP),
                  color="#999999", lw=1.5, label="prior predictive 90%")
        ax.hlines(y, np.clip(z("posterior_p5"), -Z_CLIP, Z_CLIP), np.clip(z("posterior_p95"), -Z_CLIP, Z_CLIP),
                  color="#2166ac", lw=5, label="posterior predictive 90%")
        zm = z("posterior_median")
        ax.plot(np.clip(zm, -Z_CLIP, Z_CLIP), y, "o", color="#053061", ms=5, label="posterior median")
        ax.plot(np.clip(z("default_median"), -Z_CLIP, Z_CLIP), y, "x", color="#b2182b", ms=6,
                label="registry defaults (median)")
        for yi, v in zip(y, zm):
            if abs(v) > Z_CLIP:
                ax.annotate(f"{v:+.0f}", (np.sign(v) * Z_CLIP, yi), xytext=(-np.sign(v) * 18, 3),
                            textcoords="offset points", fontsize=7, color="#053061")
        labels = [f"{r.target}  (obs {r.observed:.3g}, tol ±{r.tolerance:.3g})" for r in sub.itertuples()]
        ax.set_yticks(y, labels, fontsize=7.5)
        ax.set_xlim(-Z_CLIP - 0.3, Z_CLIP + 0.3)
        ax.set_xlabel("(simulated - observed) / tolerance")
        what = {"fit": "enter the ABC distance", "holdout": "out of sample: never used in fitting",
                "check": "reported only"}[role]
        ax.set_title(f"{role} targets ({what})", fontsize=10)
        ax.grid(axis="x", color="#eeeeee")
    handles, labels = axes[0].get_legend_handles_labels()  # below the panels: never over a row
    fig.legend(handles, labels, loc="lower center", ncols=3 if len(roles) == 1 else 5, fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_posterior(post: Posterior, summary: pd.DataFrame, path: Path, truth: dict | None = None) -> None:
    """Weighted posterior histogram of each parameter over its prior range (the x-axis), with
    the 90% interval, the registry default and, for recovery, the true value."""
    n = len(post.names)
    cols = min(4, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.4 * rows), squeeze=False)
    for ax, s in zip(axes.ravel(), summary.itertuples()):
        x = post.samples[s.parameter].to_numpy()
        ax.hist(x, bins=np.linspace(s.prior_low, s.prior_high, 21), weights=post.weights, color="#92c5de")
        ax.axvspan(s.p5, s.p95, color="#2166ac", alpha=0.15, label="90% interval")
        ax.axvline(s.median, color="#053061", lw=1.5, label="median")
        ax.axvline(s.default, color="#b2182b", ls="--", lw=1, label="default")
        if truth is not None:
            ax.axvline(truth[s.parameter], color="#1b7837", lw=2, label="true value")
        ax.set_xlim(s.prior_low, s.prior_high)
        ax.set_title(s.parameter, fontsize=9)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=6)
    fig.suptitle("Posterior of the estimated parameters (x-axis: prior range)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
