"""Global sensitivity analysis with SALib: which parameters drive a scenario's outcomes.

Ranges are the registry's plausible ranges (model/params.py), as for calibration priors and
EMA uncertainties. Every sample runs the scenario and its counterfactual with the same
replication seeds, and all samples share those seeds (common random numbers across samples),
so a difference between two samples is the parameters' doing, not noise. Integer parameters
are rounded to whole values; 0/1 switches therefore split the sample in halves.

Outcomes (end of the scenario's horizon, whole Netherlands, per full population):
- net_jobs: employment, scenario minus counterfactual;
- net_adopters: adopting firms, scenario minus counterfactual;
- adoption_rate_pct: share of firms that adopted, in the scenario, percent;
- cost_per_net_job_eur: extra public spending / net jobs (ratio of means over replications);
  undefined (NaN) where net jobs are not positive, and then not analysed (see `analyze`);
- net_jobs_per_meur: net jobs per EUR million of extra public spending, the inverse of the
  cost per net job, which stays defined (and ranks parameters) when net jobs are negative.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from smartregion.model.ensemble import Executor, ReplicationTask, spec_of
from smartregion.model.params import PARAMS
from smartregion.model.streams import replication_seeds

METHODS = ("sobol", "morris")
OUTCOMES = {
    "net_jobs": "Net jobs (scenario minus counterfactual)",
    "net_adopters": "Net adopting firms",
    "adoption_rate_pct": "Adoption rate in the scenario (%)",
    "cost_per_net_job_eur": "Public cost per net job (EUR)",
    "net_jobs_per_meur": "Net jobs per EUR million public spending",
}
MORRIS_LEVELS = 4


def problem(names: list[str] | None = None) -> dict:
    """The SALib problem: parameters with their plausible ranges (all of the registry by default)."""
    names = list(names or PARAMS)
    return {"num_vars": len(names), "names": names, "bounds": [list(PARAMS[n].plausible) for n in names]}


def sample(prob: dict, method: str, n: int, seed: int) -> np.ndarray:
    """Sobol: n * (k + 2) points (first and total order, no second order); Morris: n trajectories
    of k + 1 points on a 4-level grid."""
    if method == "sobol":
        return sobol_sample.sample(prob, n, calc_second_order=False, seed=seed)
    return morris_sample.sample(prob, n, num_levels=MORRIS_LEVELS, seed=seed)


def overrides(prob: dict, row) -> dict[str, float]:
    """One sample point as parameter overrides, integer parameters rounded."""
    return {n: float(round(v)) if PARAMS[n].integer else float(v) for n, v in zip(prob["names"], row)}


def scenario_outcomes(scenario, counterfactual, prob: dict, X: np.ndarray, replications: int,
                      executor: Executor | None = None, progress=None) -> pd.DataFrame:
    """Outcomes of every sample point (rows of X), averaged over `replications` common seeds."""
    executor = executor or Executor()
    seeds = replication_seeds(scenario.seed, replications)
    tasks = []
    for i, row in enumerate(X):
        arms = {}
        for arm, s in (("policy", scenario), ("counterfactual", counterfactual)):
            spec = spec_of(s)
            arms[arm] = dataclasses.replace(spec, parameters={**spec.parameters, **overrides(prob, row)})
        tasks += [ReplicationTask(i * replications + r, seeds[r], arms) for r in range(replications)]
    final = np.zeros((len(X), replications, 4))  # employment diff, adopters diff, spend diff, adoption rate
    for done, (index, arms) in enumerate(executor.map(tasks), 1):
        pol, cf = arms["policy"], arms["counterfactual"]
        final[index // replications, index % replications] = (
            pol.value("employment") - cf.value("employment"), pol.value("adopters") - cf.value("adopters"),
            pol.value("public_spend_eur") - cf.value("public_spend_eur"), pol.value("adoption_rate"))
        if progress:
            progress(done, len(tasks))
    mean = final.mean(axis=1)
    net_jobs, spend = mean[:, 0], mean[:, 2]  # whole economy at any scale (model/units.py)
    return pd.DataFrame({
        "net_jobs": net_jobs,
        "net_adopters": mean[:, 1],
        "adoption_rate_pct": 100 * mean[:, 3],
        "cost_per_net_job_eur": np.where(net_jobs > 0, spend / np.where(net_jobs > 0, net_jobs, 1), np.nan),
        "net_jobs_per_meur": np.where(spend > 0, net_jobs / np.where(spend > 0, spend, 1) * 1e6, np.nan),
    })


def analyze(prob: dict, method: str, X: np.ndarray, Y: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Indices per outcome and parameter, long form: outcome, parameter, index, value, conf
    (conf = half-width of the 95% bootstrap interval). Sobol: S1 and ST; Morris: mu_star
    (mean absolute elementary effect, in the outcome's unit) and sigma.

    An outcome with undefined values (cost per net job where net jobs <= 0) is skipped and
    listed in the `skipped` attribute of the result: SALib's estimators need every sample."""
    rows, skipped = [], []
    for outcome in Y.columns:
        y = Y[outcome].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)):
            skipped.append((outcome, int((~np.isfinite(y)).sum())))
            continue
        if method == "sobol":
            r = sobol_analyze.analyze(prob, y, calc_second_order=False, seed=seed)
            for i, name in enumerate(prob["names"]):
                rows.append((outcome, name, "S1", r["S1"][i], r["S1_conf"][i]))
                rows.append((outcome, name, "ST", r["ST"][i], r["ST_conf"][i]))
        else:
            r = morris_analyze.analyze(prob, X, y, num_levels=MORRIS_LEVELS, seed=seed)
            for i, name in enumerate(prob["names"]):
                rows.append((outcome, name, "mu_star", r["mu_star"][i], r["mu_star_conf"][i]))
                rows.append((outcome, name, "sigma", r["sigma"][i], np.nan))
    out = pd.DataFrame(rows, columns=["outcome", "parameter", "index", "value", "conf"])
    out.attrs["skipped"] = skipped
    return out


def ranking(indices: pd.DataFrame, outcome: str, method: str) -> pd.DataFrame:
    """Parameters of one outcome ordered by importance (ST for Sobol, mu_star for Morris)."""
    key = "ST" if method == "sobol" else "mu_star"
    sel = indices[(indices["outcome"] == outcome) & (indices["index"] == key)]
    return sel.sort_values("value", ascending=False)
