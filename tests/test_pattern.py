"""Pattern test (issue 13 item 6): the parameterisation the project ships reproduces the main
observed levels of 2018 within their tolerances.

Two patterns, the fit targets of calibration/targets.yaml (docs/VALIDATION.md):
- adoption among manufacturers with 10+ workers at the end of 2018 (CBS robot use, 29% +- 8 pp);
- fieldlab participation of manufacturers at the end of 2018 (600 x 29% = 174 +- 35%).

A small, fast version: population scale 0.5 (fieldlab participation there is about 3% below
full scale, docs/CALIBRATION.md), three replications, the median compared with the target.
It fails when a parameterisation that misses is shipped.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from smartregion.calibration.summaries import SimulationSpec, simulate
from smartregion.calibration.targets import load_targets
from smartregion.model.scenario import load_scenario
from smartregion.model.streams import replication_seeds

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ROOT / "calibration" / "targets.yaml"
POSTERIOR_MEDIANS = ROOT / "calibration" / "fitted" / "baseline" / "fitted.yaml"
SCALE, REPLICATIONS, SEED = 0.5, 3, 20140101
PATTERNS = ("robot_use_manufacturing_10plus", "fieldlab_manufacturers_2018")


@functools.cache
def _medians(parameters: tuple) -> dict[str, float]:
    ts = load_targets(TARGETS)
    full = ts.spec(SCALE, ("fit",))
    spec = SimulationSpec(full.policies, full.start, full.network, SCALE,
                          tuple(r for r in full.requests if r.name in PATTERNS))
    runs = [simulate(spec, dict(parameters), seed) for seed in replication_seeds(SEED, REPLICATIONS)]
    return {name: float(np.median([r[name] for r in runs])) for name in PATTERNS}


def pattern_medians(parameters: dict) -> dict[str, float]:
    """Median over the replications of each pattern's statistic under `parameters` (each
    parameterisation is simulated once per session)."""
    return _medians(tuple(sorted(parameters.items())))


def misses(parameters: dict) -> list[str]:
    """The patterns whose median lies outside the target's tolerance, each with its numbers."""
    targets = {t.name: t for t in load_targets(TARGETS).targets}
    got = pattern_medians(parameters)
    out = []
    for name in PATTERNS:
        t = targets[name]
        assert t.role == "fit", f"{name} is no longer a fit target: update the pattern test"
        if abs(got[name] - t.observed) > t.tolerance:
            out.append(f"{name}: model {got[name]:.1f}, observed {t.observed:.1f} +- {t.tolerance:.1f}")
    return out


# The registry defaults are what `run.py run` uses today. They miss the 2018 adoption level by far
# (12.0% against 29%, measured here). Once issue 13 ships calibrated-by-default parameters, point
# this at them and remove the xfail: strict, so the suite says so the moment they pass.
@pytest.mark.xfail(strict=True, reason="issue 13: the registry defaults miss the 2018 adoption level (12.0% "
                                       "against CBS 29% +- 8) and fieldlab participation of manufacturers (634 "
                                       "against 174 +- 61); calibrated-by-default is not shipped yet")
def test_shipped_defaults_reproduce_2018_adoption_and_fieldlab_participation():
    assert misses({}) == []


# The posterior medians of the pre-protocol calibration (fitted to all-branch fieldlab firms, 600)
# reach the adoption level (28.7%) but have 586 manufacturers take part in fieldlabs, 3.4 times
# the 174 of the protocol (docs/VALIDATION.md, decision D2). Recalibration under the protocol should fix it.
@pytest.mark.xfail(strict=True, reason="issue 13: calibration/fitted/baseline was fitted to all-branch fieldlab "
                                       "firms (600) before the protocol: 586 manufacturers against 174 +- 61 "
                                       "(adoption 28.7% fits); misses until the recalibration")
def test_shipped_posterior_medians_reproduce_2018_adoption_and_fieldlab_participation():
    params = dict(load_scenario(POSTERIOR_MEDIANS).parameters)
    assert params, "fitted.yaml has no parameters"
    assert misses(params) == []


def test_pattern_test_can_pass_and_fail():
    """The test is not vacuous: the posterior medians do reach the adoption level (the first
    pattern), and the defaults do not."""
    posterior = pattern_medians(dict(load_scenario(POSTERIOR_MEDIANS).parameters))
    defaults = pattern_medians({})
    target = {t.name: t for t in load_targets(TARGETS).targets}["robot_use_manufacturing_10plus"]
    assert abs(posterior["robot_use_manufacturing_10plus"] - target.observed) <= target.tolerance
    assert abs(defaults["robot_use_manufacturing_10plus"] - target.observed) > target.tolerance
