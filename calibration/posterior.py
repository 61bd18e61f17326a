"""A calibration's posterior: weighted parameter sets, read back for runs that carry parameter
uncertainty.

File format (`posterior.csv`, written by `run.py calibrate`): one row per particle of the last
ABC generation, one column per estimated parameter (registry names), a `weight` column
(non-negative, normalised on reading) and optionally `distance`.

`draw(posterior, seed)` picks one parameter set for a replication from a generator of its own,
derived from the replication's SeedSequence (its entropy and spawn key, not the model's
streams). Replications 2k and 2k+1 share a draw (calibration/uncertainty.py: the pairs split
each band into parameter and stochastic variance); each keeps its own model streams. The draw
depends only on the replication seed: the policy arm and its counterfactual get the same
parameter set (common random numbers survive), every worker draws the same set for the same
replication, and no model stream is shifted by it.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from smartregion.model.params import PARAMS, ParameterError, check_value, suggest

from .uncertainty import SHARED_BY

# A stable spawn-key word of its own, so the draw's generator is none of the model's streams.
_DRAW_KEY = int.from_bytes(hashlib.sha256(b"smartregion posterior draw").digest()[:4], "little")
EXTRA_COLUMNS = ("weight", "distance")


class PosteriorError(ValueError):
    """A posterior file that cannot be used; str() is one line naming file, column and what is allowed."""


@dataclass(frozen=True)
class Posterior:
    path: str
    samples: pd.DataFrame  # one column per parameter
    weights: np.ndarray  # sums to 1

    @property
    def names(self) -> list[str]:
        return list(self.samples.columns)

    def row(self, i: int) -> dict[str, float]:
        return {k: float(v) for k, v in self.samples.iloc[i].items()}

    @property
    def effective_size(self) -> float:
        """Effective sample size 1 / sum(w^2): how many equally weighted particles the weighted
        sample is worth. Far below the particle count, the quantiles rest on a few particles."""
        return float(1.0 / np.sum(self.weights ** 2))


def weighted_quantile(x, w, q):
    """Quantile(s) q of values x with weights w (inverse of the weighted CDF at mid-points)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    order = np.argsort(x)
    x, w = x[order], w[order] / w.sum()
    cdf = np.cumsum(w) - 0.5 * w
    return np.interp(q, cdf, x)


def from_frame(df: pd.DataFrame, path: str = "<frame>") -> Posterior:
    """Validate a posterior table (parameter columns + weight [+ distance])."""
    if "weight" not in df.columns:
        raise PosteriorError(f"{path}: no 'weight' column; allowed: parameter columns plus weight (and distance)")
    names = [c for c in df.columns if c not in EXTRA_COLUMNS]
    if not names or len(df) == 0:
        raise PosteriorError(f"{path}: no parameter columns or no rows; allowed: a posterior.csv from run.py calibrate")
    for c in names:
        if c not in PARAMS:
            raise PosteriorError(f"{path}: column '{c}' is not a parameter{suggest(c, PARAMS)}; "
                                 "allowed: parameters of model/params.py, weight, distance")
        values = pd.to_numeric(df[c], errors="coerce")
        for i, v in enumerate(values):
            try:
                if not math.isfinite(v):
                    raise ParameterError(f"parameter '{c}' must be a number, got {df[c].iloc[i]!r}")
                check_value(c, float(v))
            except ParameterError as e:
                raise PosteriorError(f"{path}: row {i + 2}: {e}") from None
    w = pd.to_numeric(df["weight"], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise PosteriorError(f"{path}: column 'weight' must hold non-negative numbers with a positive sum")
    samples = df[names].apply(pd.to_numeric).reset_index(drop=True)
    return Posterior(path=path, samples=samples, weights=w / w.sum())


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> Posterior:
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise PosteriorError(f"{path}: cannot be read as CSV ({e}); allowed: a posterior.csv from "
                             "run.py calibrate") from None
    return from_frame(df, path)


def load(path: str | Path) -> Posterior:
    """Read and validate a posterior file (cached per path and modification time, so every
    replication in a worker reads it once)."""
    p = Path(path)
    if not p.is_file():
        raise PosteriorError(f"{path}: no such file; allowed: a posterior.csv written by run.py calibrate")
    return _load(str(p.resolve()), p.stat().st_mtime_ns)


def stream(seed: np.random.SeedSequence) -> np.random.Generator:
    """The generator of the replication's parameter draw: the same for replications 2k and 2k+1
    (spawn keys (..., 2k) and (..., 2k+1) of one root), independent of the model's streams."""
    key = tuple(seed.spawn_key)
    group = key[:-1] + (key[-1] // SHARED_BY,) if key else ()
    return np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=group + (_DRAW_KEY,)))


def draw(posterior: Posterior, seed: np.random.SeedSequence) -> dict[str, float]:
    """One weighted parameter set for the replication with this seed."""
    i = int(stream(seed).choice(len(posterior.weights), p=posterior.weights))
    return posterior.row(i)


def summary(posterior: Posterior) -> pd.DataFrame:
    """Per parameter: prior range and default (registry), posterior mean, median and 90% interval."""
    rows = []
    for name in posterior.names:
        x, w, p = posterior.samples[name].to_numpy(), posterior.weights, PARAMS[name]
        p5, median, p95 = weighted_quantile(x, w, [0.05, 0.5, 0.95])
        rows.append({"parameter": name, "unit": p.unit, "prior_low": p.plausible[0], "prior_high": p.plausible[1],
                     "default": p.default, "mean": float(np.sum(w * x)), "median": median, "p5": p5, "p95": p95,
                     "interval_share_of_prior": (p95 - p5) / (p.plausible[1] - p.plausible[0])})
    return pd.DataFrame(rows)


def parameters_for(path: str | Path, seed: np.random.SeedSequence, parameters: dict) -> dict:
    """A run's parameters with the posterior's drawn over them: with the path bound
    (functools.partial), the `draw_parameters` of model/ensemble.RunSpec (cli/run_cmd.py). A value the scenario (or a
    dashboard slider) sets is held at that value: the user asked for it, and a draw that silently
    replaced it would make the setting do nothing. The posterior draws the rest (the rows are
    joint draws, not conditioned on the held value; docs/CALIBRATION.md, Parameterisation)."""
    return {**draw(load(path), seed), **parameters}


@dataclass(frozen=True)
class PosteriorDraw:
    """`parameters_for` with the path bound, as a value: picklable for any worker, and equal (and
    hashing equal) for the same posterior, so that arms and caches that compare run specs
    (model/ensemble.RunSpec, the dashboard) see two draws from one posterior as the same."""

    path: str

    def __call__(self, seed: np.random.SeedSequence, parameters: dict) -> dict:
        return parameters_for(self.path, seed, parameters)
