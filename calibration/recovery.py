"""Parameter recovery: can the calibration find parameter values we know?

1. Pick true values of the estimated parameters (uniformly inside the central part of each
   prior range, so a true value is never pinned to a prior edge where a 90% interval cannot
   straddle it).
2. Simulate the targets once at those values with a seed of their own: the synthetic
   "observations" carry the same simulation noise as a real model-world comparison would.
3. Run the same ABC-SMC against them, with the targets file's tolerances.
4. Report, per parameter, whether the true value lies in the posterior's 90% interval, and how
   wide that interval is relative to the prior (a wide interval covers anything: both numbers
   matter).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from smartregion.model.ensemble import Executor

from . import abc
from . import posterior as posterior_mod
from . import provenance
from .settings import AbcSettings
from .summaries import simulate
from .targets import TargetSet

INNER = 0.6  # true values are drawn from the central 60% of each prior range
RECORD_FILE = "recovery.json"  # what made a truth set's ABC database: model, settings, true values


class RecoveryError(ValueError):
    """A truth set's directory holds ABC generations made otherwise than asked (one line)."""


def truth(ts: TargetSet, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    margin = (1 - INNER) / 2
    return {n: float(lo + (hi - lo) * rng.uniform(margin, 1 - margin)) for n, (lo, hi) in ts.priors().items()}


def synthetic_observed(ts: TargetSet, true_values: dict, scale: float, seed: int) -> dict[str, float]:
    seq = np.random.SeedSequence([seed, 12])
    return simulate(ts.spec(scale, ("fit",)), {**ts.scenario.parameters, **true_values}, seq)


def recover(ts: TargetSet, out: Path, settings: AbcSettings, true_values: dict, executor: Executor | None = None,
            log: Callable[[str], None] = print) -> pd.DataFrame:
    """Calibrate against synthetic observations made at `true_values`; one row per parameter."""
    _check_or_record(Path(out), {"model_fingerprint": provenance.fingerprint(), "targets": ts.path.name,
                                 "settings": {"scale": settings.scale, "population_size": settings.population_size,
                                              "seed": settings.seed},
                                 "true_values": true_values}, {"linear_algebra": provenance.linear_algebra()})
    observed = synthetic_observed(ts, true_values, settings.scale, settings.seed)
    history = abc.run(ts, out, settings, executor, observed=observed, log=log)
    post = posterior_mod.from_frame(abc.posterior_sample(history))
    summary = posterior_mod.summary(post)
    summary.insert(1, "true", [true_values[n] for n in summary["parameter"]])
    summary["inside_90"] = (summary["p5"] <= summary["true"]) & (summary["true"] <= summary["p95"])
    summary.attrs.update(runs=int(history.total_nr_simulations), generations=history.max_t + 1,
                         final_epsilon=float(abc.generations(history)["epsilon"].iloc[-1]),
                         effective_size=post.effective_size)
    return summary


def _check_or_record(out: Path, record: dict, notes: dict) -> None:
    """Resume only generations made by the same model behaviour, settings and true values: an
    ABC database left by other model code would otherwise be continued as if it were this one's
    (it once was: a rerun after a model fix resumed the old databases and reported their result).
    `notes` are written with a new record but not compared: the BLAS kernel that did pyabc's
    algebra (provenance.linear_algebra) moves the last digits of a posterior, not its meaning, and
    a resume on another CPU is allowed (the directories made before it was recorded have none)."""
    path = out / RECORD_FILE
    if (out / abc.DB_NAME).exists():
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            before = None
        if before is not None:
            before = {k: v for k, v in before.items() if k not in notes}
        if before != json.loads(json.dumps(record)):
            what = "no record of what made them" if before is None else "other " + ", ".join(
                k.replace("_", " ") for k in record if before.get(k) != json.loads(json.dumps(record[k])))
            raise RecoveryError(f"{out}: its ABC generations were made otherwise ({what}); allowed: a new --out, "
                                "or delete the directory to start again")
        return
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**record, **notes}, indent=2), encoding="utf-8")
