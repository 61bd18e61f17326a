"""One rule for what --scale does to the numbers (model/units.py): every output reports the
whole economy, so runs at different scales estimate the same quantities."""

from __future__ import annotations

import numpy as np

from smartregion.model import data
from smartregion.model.model import BREAKDOWN_METRICS, METRICS, SmartIndustryModel
from smartregion.model.results import summary_from_final
from smartregion.model.units import SCALE_FREE, UNITS, describe


def test_every_output_metric_has_a_unit():
    summary = summary_from_final(np.ones((2, 13, len(METRICS))), np.zeros((2, 13, len(METRICS))), "2030Q4")
    assert set(summary["metric"]) <= set(UNITS) and summary["unit"].notna().all()
    assert SCALE_FREE <= set(UNITS) and set(BREAKDOWN_METRICS).isdisjoint(SCALE_FREE)


def test_counts_are_for_the_whole_economy_at_any_scale():
    firms = data.firm_size_classes()["firms"].sum()
    runs = {scale: SmartIndustryModel(end="2014Q4", scale=scale, seed=5) for scale in (0.05, 0.2)}
    for scale, model in runs.items():
        r = model.run()
        simulated = model.n
        assert r.value("firms") == simulated / scale  # the rule, exactly
        assert abs(r.value("firms") - firms) <= 2 / scale  # rounding of four size classes
        assert r.value("adoption_rate") == r.value("adopters") / r.value("firms")  # shares unchanged
        collected = model.datacollector.get_model_vars_dataframe()  # what Mesa's DataCollector saw
        assert collected["employment"].iloc[-1] == r.value("employment")
        assert r.breakdown[-1, :, BREAKDOWN_METRICS.index("firms")].sum() == 2 * r.value("firms")  # sector + size
    employment = [m.result().value("employment") for m in runs.values()]
    assert abs(employment[0] / employment[1] - 1) < 0.1  # one quantity, estimated twice


def test_outputs_say_which_counts_they_show():
    assert describe(1.0) == "counts for all Dutch manufacturing firms"
    assert "scale 0.1" in describe(0.1) and "scaled up" in describe(0.1)
