"""Pattern test (issue 13 item 6): the parameterisation the project ships reproduces the main
observed levels of 2018 within their tolerances.

Two patterns, the fit targets of calibration/targets.yaml (docs/VALIDATION.md):
- adoption among manufacturers with 10+ workers at the end of 2018 (CBS robot use, 29% +- 8 pp);
- fieldlab participation of manufacturers at the end of 2018 (600 x 29% = 174 +- 35%).

The shipped parameterisation is the calibrated one: parameters drawn from the shipped posterior
(calibration/fitted/baseline) per pair of replications, as every run draws them
(calibration/parameterisation.py). A small, fast version: population scale 0.5 (fieldlab
participation there is about 3% below full scale, docs/CALIBRATION.md), six replications
(three posterior draws), the median compared with the target. It fails when a parameterisation
that misses is shipped: the registry defaults do (the second test shows the pattern test can
tell them apart).

While the shipped posterior was made by other model code (calibration/provenance.py: its
fingerprint is not reproduced), the first test is an expected failure (strict): after the refit
(docs/CALIBRATION.md, "Refit") it must pass, and the mark lifts itself.
"""

import functools
from pathlib import Path

import numpy as np
import pytest

from smartregion.calibration import posterior as posterior_mod
from smartregion.calibration import provenance
from smartregion.calibration.summaries import SimulationSpec, simulate
from smartregion.calibration.targets import load_targets
from smartregion.model.streams import replication_seeds

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ROOT / "calibration" / "targets.yaml"
SHIPPED = ROOT / "calibration" / "fitted" / "baseline" / "posterior.csv"
SCALE, REPLICATIONS, SEED = 0.5, 6, 20140101
PATTERNS = ("robot_use_manufacturing_10plus", "fieldlab_manufacturers_2018")
STATUS = provenance.check(SHIPPED)


@functools.cache
def _medians(source: str) -> dict[str, float]:
    ts = load_targets(TARGETS)
    full = ts.spec(SCALE, ("fit",))
    spec = SimulationSpec(full.policies, full.start, full.network, SCALE,
                          tuple(r for r in full.requests if r.name in PATTERNS))
    seeds = replication_seeds(SEED, REPLICATIONS)
    if source == "defaults":
        params = [{} for _ in seeds]
    else:  # the draws a calibrated run makes, replication by replication
        params = [posterior_mod.parameters_for(SHIPPED, seed, {}) for seed in seeds]
    runs = [simulate(spec, p, seed) for p, seed in zip(params, seeds)]
    return {name: float(np.median([r[name] for r in runs])) for name in PATTERNS}


def misses(source: str) -> list[str]:
    """The patterns whose median lies outside the target's tolerance under `source` ("shipped"
    posterior draws or registry "defaults"), each with its numbers."""
    targets = {t.name: t for t in load_targets(TARGETS).targets}
    got = _medians(source)
    out = []
    for name in PATTERNS:
        t = targets[name]
        assert t.role == "fit", f"{name} is no longer a fit target: update the pattern test"
        if abs(got[name] - t.observed) > t.tolerance:
            out.append(f"{name}: model {got[name]:.1f}, observed {t.observed:.1f} +- {t.tolerance:.1f}")
    return out


@pytest.mark.xfail(not STATUS.ok, strict=True,
                   reason=f"the shipped posterior is stale ({STATUS.words}); refit: {provenance.REFRESH}")
def test_shipped_parameterisation_reproduces_2018_adoption():
    assert STATUS.ok, STATUS.note
    assert [m for m in misses("shipped") if m.startswith("robot_use_manufacturing_10plus")] == []


@pytest.mark.xfail(strict=True, reason="structural misfit named in docs/VALIDATION.md section 8: the model counts every "
                   "firm ever in a consortium, and member turnover keeps that count growing (288 against 174 +- 61 "
                   "after the refit); strict, so that a model change that fixes it must lift this mark")
def test_shipped_parameterisation_reproduces_2018_fieldlab_participation():
    assert STATUS.ok, STATUS.note
    assert [m for m in misses("shipped") if m.startswith("fieldlab_manufacturers_2018")] == []


def test_pattern_test_fails_on_registry_defaults():
    """The test is not vacuous: the registry defaults miss the 2018 adoption level (12.0% against
    29% +- 8 before the refit) and would fail it if they were shipped."""
    missed = misses("defaults")
    assert any(m.startswith("robot_use_manufacturing_10plus") for m in missed), missed
