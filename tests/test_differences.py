"""The differences the dashboard draws (viz/compute.Outcome.band): the arms' difference,
replication by replication, with 0 where the arms differ in their last bits only."""

from __future__ import annotations

import numpy as np

from smartregion.model.ensemble import ensemble_spec, run_ensemble
from smartregion.model.model import METRIC_INDEX
from smartregion.model.scenario import SCENARIO_DIR, load_scenario, scenario_from_dict
from smartregion.viz.compute import Outcome, rounded_difference


def test_rounding_is_no_difference_and_any_real_difference_stays():
    a = np.array([500.0, 500.0, 0.0, -2.0, 1e6])
    b = a * (1 + np.array([3e-16, 1e-12, 0.0, 1e-6, 2e-9]))
    np.testing.assert_array_equal(rounded_difference(a, b), [0.0, 0.0, 0.0, a[3] - b[3], a[4] - b[4]])
    assert rounded_difference(np.array([1e-3]), np.array([0.0]))[0] == 1e-3  # from zero: always real


def test_band_of_arms_that_differ_by_rounding_is_zero_and_by_a_job_is_that_job():
    d = load_scenario(SCENARIO_DIR / "baseline.yaml").resolved_dict()
    d["population"]["scale"] = 0.02
    s = scenario_from_dict(d)
    results = run_ensemble(ensemble_spec(s, replications=3, seed=4))
    arms = {}
    for i, r in results.items():
        noisy = r["policy"].metrics.copy()
        noisy[..., METRIC_INDEX["reshored_jobs"]] *= 1 + 1e-13
        noisy[..., METRIC_INDEX["employment"]] += 1.0
        cf = type(r["policy"])(**{**vars(r["policy"]), "metrics": noisy})
        arms[i] = {"policy": r["policy"], "counterfactual": cf}
    o = Outcome(s, arms, 0.0, 0)
    assert o.results[0]["policy"].series("reshored_jobs")[-1] > 0  # there is something to round
    for stat in o.band("reshored_jobs", difference=True):
        np.testing.assert_array_equal(stat, 0.0)
    for stat in o.band("employment", difference=True):
        np.testing.assert_allclose(stat, -1.0, rtol=1e-9)
