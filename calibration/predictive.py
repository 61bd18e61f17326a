"""What the data cannot tell: prior- against posterior-predictive spread of the headline effects.

For the calibration scenario against its counterfactual (baseline vs no_policy), two ensembles
run through the same path as `smartregion run` (model/ensemble.run_ensemble, the same
replication seeds): one draws the estimated parameters from their priors (uniform over the
registry's plausible ranges), one from the posterior. For each headline effect at the end of
the horizon (NL) the 90% spread of each is stored in `predictive_spread.csv` in the posterior's
directory, with

    narrowing = 1 - (posterior p95 - p5) / (prior p95 - p5)

An effect is **not pinned down by the data** when the posterior narrows the prior spread by less
than NARROWING_THRESHOLD (30%: the fit targets then say little about it), or when its band spans
zero (the data do not even fix its sign). The terminal table and the dashboard print these
words next to such a number instead of letting it look precise (`data_words`).

Cost per net job is a ratio whose denominator can be zero or negative; its narrowing is
computed on its inverse, net jobs per EUR million of extra spending, which is defined in every
run, and the table reports the share of runs with no net jobs.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SPREAD_FILE = "predictive_spread.csv"
NARROWING_THRESHOLD = 0.30
OUTCOMES = ("net_jobs", "net_adopters", "reshored_jobs", "labour_productivity", "cost_per_net_job_eur")
WORDS = "not pinned down by the data"
_PRIOR_KEY = int.from_bytes(hashlib.sha256(b"smartregion prior draw").digest()[:4], "little")


@dataclass(frozen=True)
class PriorDraw:
    """draw_parameters for the ensemble (model/ensemble.RunSpec): uniform prior draws, one per pair
    of replications like the posterior's (calibration/posterior.stream), from a generator of its own."""

    priors: tuple  # ((name, lo, hi), ...)

    def __call__(self, seed: np.random.SeedSequence, parameters: dict) -> dict:
        from .posterior import SHARED_BY

        key = tuple(seed.spawn_key)
        group = key[:-1] + (key[-1] // SHARED_BY,) if key else ()
        rng = np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=group + (_PRIOR_KEY,)))
        return {**parameters, **{n: float(rng.uniform(lo, hi)) for n, lo, hi in self.priors}}


def effects(runs: dict) -> pd.DataFrame:
    """Headline effects at the last quarter, NL, one row per replication (policy minus counterfactual)."""
    rows = []
    for rep in sorted(runs):
        p, c = runs[rep]["policy"], runs[rep]["counterfactual"]
        d = {m: p.value(m) - c.value(m) for m in ("employment", "adopters", "reshored_jobs", "labour_productivity",
                                                  "public_spend_eur")}
        rows.append({"net_jobs": d["employment"], "net_adopters": d["adopters"], "reshored_jobs": d["reshored_jobs"],
                     "extra_public_spend_eur": d["public_spend_eur"],
                     "labour_productivity": d["labour_productivity"],
                     "net_jobs_per_meur": d["employment"] / (d["public_spend_eur"] / 1e6)
                     if d["public_spend_eur"] > 0 else math.nan,
                     "cost_per_net_job_eur": d["public_spend_eur"] / d["employment"] if d["employment"] > 0 else math.inf})
    return pd.DataFrame(rows)


def _run(scenario, draw, replications: int, seed: int, executor) -> pd.DataFrame:
    from dataclasses import replace

    from smartregion.model.ensemble import ensemble_spec, run_ensemble
    from smartregion.model.scenario import load_counterfactual

    spec = ensemble_spec(scenario, load_counterfactual(scenario), replications=replications, seed=seed)
    spec = replace(spec, arms={k: replace(a, draw_parameters=draw) for k, a in spec.arms.items()})
    return effects(run_ensemble(spec, executor))


def _q(x: pd.Series) -> tuple[float, float, float]:
    x = x.to_numpy(dtype=float)
    return tuple(float(v) for v in np.percentile(x, [5, 50, 95], method="nearest"))


def spread_table(prior: pd.DataFrame, post: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome: prior and posterior 90% spreads, narrowing, whether the posterior band
    spans zero, and the share of the posterior band that is parameter uncertainty (the posterior
    ensemble shares a draw per pair of replications, calibration/uncertainty.py)."""
    from .uncertainty import _linearised_ratio, parameter_share

    rows = []
    for outcome in OUTCOMES:
        basis = "net_jobs_per_meur" if outcome == "cost_per_net_job_eur" else outcome
        (a5, a50, a95), (b5, b50, b95) = _q(prior[outcome]), _q(post[outcome])
        (w5, _, w95), (v5, _, v95) = _q(prior[basis].dropna()), _q(post[basis].dropna())
        narrowing = 1 - (v95 - v5) / (w95 - w5) if w95 > w5 else math.nan
        spans_zero = b5 < 0 < b95 if basis == outcome else v5 <= 0 <= v95
        rows.append({"outcome": outcome, "narrowing_basis": basis, "prior_p5": a5, "prior_median": a50,
                     "prior_p95": a95, "posterior_p5": b5, "posterior_median": b50, "posterior_p95": b95,
                     "narrowing": narrowing, "posterior_band_spans_zero": bool(spans_zero),
                     "posterior_runs_without_net_jobs": float((post["net_jobs"] <= 0).mean()),
                     "posterior_parameter_share": _share(post, outcome, _linearised_ratio, parameter_share),
                     "pinned_down": bool(narrowing >= NARROWING_THRESHOLD and not spans_zero)})
    return pd.DataFrame(rows)


def _share(post: pd.DataFrame, outcome: str, linearised, share) -> float:
    if outcome == "cost_per_net_job_eur":
        z = linearised(post["extra_public_spend_eur"].to_numpy(float), post["net_jobs"].to_numpy(float))
        return share(z) if z is not None else math.nan
    return share(post[outcome].to_numpy(float))


def predictive_spreads(posterior_dir: str | Path, scenario="baseline", replications: int = 100, scale: float = 0.5,
                       seed: int = 20140101, executor=None, log=print) -> pd.DataFrame:
    """Run both ensembles and write SPREAD_FILE into the posterior's directory; returns the table."""
    from smartregion import with_changes
    from smartregion.model.ensemble import Executor
    from smartregion.model.params import PARAMS

    from .parameterisation import choose

    d = Path(posterior_dir)
    par = choose("calibrated", None, d / "posterior.csv")  # refuses a stale posterior
    s = with_changes(scenario, scale=scale)
    executor = executor or Executor()
    from .posterior import PosteriorDraw, load

    names = load(par.posterior).names
    prior_draw = PriorDraw(tuple((n, *PARAMS[n].plausible) for n in names))
    log(f"prior predictive: {replications} replications x 2 arms at scale {scale}")
    prior = _run(s, prior_draw, replications, seed, executor)
    log(f"posterior predictive: {replications} replications x 2 arms at scale {scale}")
    post = _run(s, PosteriorDraw(par.posterior), replications, seed, executor)
    table = spread_table(prior, post)
    table.insert(1, "replications", replications)
    table.insert(2, "scale", scale)
    tmp = d / (SPREAD_FILE + ".tmp")
    table.to_csv(tmp, index=False, float_format="%.6g")
    tmp.replace(d / SPREAD_FILE)
    return table


def load_spreads(posterior: str | Path | None) -> pd.DataFrame | None:
    """The spreads next to a posterior (its posterior.csv or directory), or None if not computed."""
    if posterior is None:
        return None
    p = Path(posterior)
    f = (p if p.is_dir() else p.parent) / SPREAD_FILE
    try:
        stat = f.stat()
        return _read_spreads(f, stat.st_mtime_ns, stat.st_size).copy()
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=8)
def _read_spreads(f: Path, mtime_ns: int, size: int) -> pd.DataFrame:
    """The file as last read while its time stamp and size stay the same: the dashboard asks for
    it for every headline number of every redraw (five reads, about 20 ms a redraw)."""
    return pd.read_csv(f).set_index("outcome")


def why_not_pinned(metric: str, p5: float, p95: float, spreads: pd.DataFrame | None) -> str | None:
    """Why a headline number is not pinned down by the data, or None: "spread" (the calibration
    hardly narrowed its posterior-predictive spread), "zero" (its band spans zero) or "unbounded"
    (its band has no end: a ratio whose denominator, e.g. net jobs, reaches zero in some
    replications). One rule for the terminal and the dashboard."""
    if spreads is not None and metric in spreads.index:
        n = spreads.loc[metric, "narrowing"]
        if not (n >= NARROWING_THRESHOLD):
            return "spread"
    if math.isinf(p5) or math.isinf(p95):
        return "unbounded"
    if math.isfinite(p5) and math.isfinite(p95) and p5 < 0 < p95:
        return "zero"
    return None


def data_words(metric: str, p5: float, p95: float, spreads: pd.DataFrame | None, calibrated: bool) -> str:
    """Words that go next to a headline number: WORDS (with why) where the data do not pin it
    down; for registry defaults only the why; else ""."""
    why = why_not_pinned(metric, p5, p95, spreads)
    if why == "spread":
        n = spreads.loc[metric, "narrowing"]
        if n != n:
            return WORDS
        how = f"{n:.0%} narrower than" if n >= 0 else "wider than"
        return f"{WORDS} (posterior spread {how} prior)"
    reason = {"zero": "(band spans zero)", "unbounded": "(band without end: its denominator reaches zero)"}.get(why)
    if reason is None:
        return ""
    return f"{WORDS} {reason}" if calibrated else reason
