"""How much of a band is parameter uncertainty, and how much is chance.

A calibrated run draws its parameters from the posterior, one draw for each PAIR of
replications (calibration/posterior.py: replications 2k and 2k+1 share a draw, with their own
random streams). The pairs are a one-way layout, so the law of total variance,
Var(Y) = Var(E[Y | parameters]) + E[Var(Y | parameters)], is estimated without any extra run:

    within  = mean over pairs of (y_a - y_b)^2 / 2        -> E[Var(Y | parameters)] (chance)
    between = (variance of the pair means - within / 2)   -> Var(E[Y | parameters]) (parameters)
    parameter share = between / (between + within), clipped to [0, 1]

With n replications there are n/2 draws: 20 replications give 10 parameter sets, enough for a
share to one decimal at best; the share is an estimate, noisy with few pairs (NaN below 3 pairs, and where the band has no width).

For a ratio of means (public cost per net job, per net adopter) the split is that of its
linearisation z_i = (num_i - R den_i) / mean(den), which carries the ratio's variance (the
delta method).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SHARED_BY = 2  # replications per posterior draw (calibration/posterior.py)
MIN_PAIRS = 3


def parameter_share(values) -> float:
    """Share of the variance of `values` (one per replication, in replication order) that comes
    from the parameter draws; NaN with fewer than MIN_PAIRS complete pairs or no variance."""
    y = np.asarray(values, dtype=float)
    pairs = len(y) // SHARED_BY
    if pairs < MIN_PAIRS or not np.all(np.isfinite(y)):
        return float("nan")
    y = y[: pairs * SHARED_BY].reshape(pairs, SHARED_BY)
    within = float(np.mean(np.var(y, axis=1, ddof=1)))
    between = float(np.var(y.mean(axis=1), ddof=1) - within / SHARED_BY)
    between = max(between, 0.0)
    total = between + within
    # no band at all (e.g. spending fixed by the scenario): nothing to split, only rounding noise
    if not total > 1e-12 * (float(np.mean(y)) ** 2 + 1.0):
        return float("nan")
    return float(between / total)


def _linearised_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray | None:
    if den.mean() <= 0:
        return None
    r = num.mean() / den.mean()
    return (num - r * den) / den.mean()


def headline_shares(pol: np.ndarray, cf: np.ndarray) -> pd.DataFrame:
    """Parameter share of the band of each headline effect, per region: `pol` and `cf` are the
    end-of-horizon values [replication, region, metric] of the two arms (model/results.py)."""
    from smartregion.model.model import METRICS, REGIONS_OUT

    d = pol - cf
    k = {m: METRICS.index(m) for m in ("employment", "adopters", "reshored_jobs", "jobs_created", "jobs_lost",
                                       "labour_productivity", "public_spend_eur", "out_of_work")}
    rows = []
    for g, region in enumerate(REGIONS_OUT):
        per = {"net_jobs": d[:, g, k["employment"]], "net_adopters": d[:, g, k["adopters"]],
               "reshored_jobs": d[:, g, k["reshored_jobs"]], "jobs_created": d[:, g, k["jobs_created"]],
               "jobs_lost": d[:, g, k["jobs_lost"]], "labour_productivity": d[:, g, k["labour_productivity"]],
               "extra_public_spend_eur": d[:, g, k["public_spend_eur"]],
               "net_jobs_workers": -d[:, g, k["out_of_work"]]}
        spend = per["extra_public_spend_eur"]
        per["cost_per_net_job_eur"] = _linearised_ratio(spend, per["net_jobs"])
        per["cost_per_net_adopter_eur"] = _linearised_ratio(spend, per["net_adopters"])
        for metric, v in per.items():
            rows.append({"metric": metric, "province": region,
                         "parameter_share": parameter_share(v) if v is not None else float("nan")})
    return pd.DataFrame(rows)
