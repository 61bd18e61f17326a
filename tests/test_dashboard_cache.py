"""The dashboard's shared result cache (viz/compute.py) keys a run by everything that decides
its numbers."""

from __future__ import annotations

import numpy as np

from smartregion.calibration.parameterisation import SHIPPED, apply, choose
from smartregion.model.ensemble import ensemble_spec
from smartregion.model.scenario import load_counterfactual
from test_dashboard import small


def test_a_run_on_the_registry_defaults_is_never_handed_a_calibrated_one(runner):
    """Found on the compare tab: the key left out the posterior, so the same arm on the registry
    defaults came back from the cache with the calibrated run's numbers."""
    s = small(replications=2, seed=31)  # a seed no other test of the shared runner uses (conftest.py)
    defaults = ensemble_spec(s, load_counterfactual(s))
    calibrated = apply(defaults, choose(posterior=SHIPPED))
    first, computed_first = runner.run(calibrated)
    second, computed_second = runner.run(defaults)
    again, computed_again = runner.run(calibrated)
    assert computed_first == computed_second == 4 and computed_again == 0
    for index in first:
        for arm in first[index]:
            assert not np.array_equal(first[index][arm].metrics, second[index][arm].metrics, equal_nan=True)
            assert np.array_equal(first[index][arm].metrics, again[index][arm].metrics, equal_nan=True)
