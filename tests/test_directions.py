"""Directional (metamorphic) tests: what each mechanism and instrument must do to the outcomes,
whatever its exact equations.

Written against the public API only (policies as a scenario writes them, parameters by name,
model.ensemble), at a small scale, over several replications with common random numbers: the
two arms of a comparison share every firm and every random draw, so their difference is the
change made and not noise. They check directions and bounds, not values, so they hold for any
correct version of a mechanism; each fails when the sign of the effect in the code is flipped
(docs/TESTING.md lists them with the flip each was checked against).
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from smartregion.model.ensemble import EnsembleSpec, RunSpec, run_ensemble
from smartregion.model.model import BREAKDOWN_GROUPS, BREAKDOWN_METRICS
from smartregion.model.policies import INSTRUMENT_TYPES, Instrument

SCALE, SEED, REPLICATIONS = 0.05, 14, 4
START, END = "2014Q1", "2024Q4"


def instruments(*specs) -> tuple:
    return tuple(TypeAdapter(Instrument).validate_python({"name": f"i{k}", **s}) for k, s in enumerate(specs))


def arm(policies=(), start=START, end=END, **parameters) -> RunSpec:
    return RunSpec(parameters=parameters, policies=policies, start=start, end=end, scale=SCALE, network="peers")


def ensemble(replications=REPLICATIONS, **arms: RunSpec) -> dict[str, list]:
    """Per arm, the replications' results (same seeds for every arm)."""
    res = run_ensemble(EnsembleSpec(arms=arms, seed=SEED, replications=replications))
    return {name: [res[i][name] for i in sorted(res)] for name in arms}


def final(runs, metric: str, region: str = "NL") -> np.ndarray:
    return np.array([r.value(metric, region) for r in runs])


def small_firm_adopters(runs) -> np.ndarray:
    g = BREAKDOWN_GROUPS.index(("size", "2-9"))
    return np.array([r.breakdown[-1, g, BREAKDOWN_METRICS.index("adopters")] for r in runs])


def subsidy(rate: float):
    return instruments({"type": "adoption_subsidy", "start": "2015Q1", "end": END, "budget_eur": 1e9, "rate": rate,
                        "max_per_firm_eur": 1e6})


def test_more_subsidy_never_lowers_adoption():
    runs = ensemble(none=arm(), low=arm(subsidy(0.2)), high=arm(subsidy(0.6)))
    none, low, high = (final(runs[k], "adopters") for k in ("none", "low", "high"))
    assert (low >= none).all() and (high >= low).all(), (none, low, high)
    assert high.sum() > none.sum()


def test_higher_investment_cost_lowers_small_firm_adoption():
    runs = ensemble(cheap=arm(investment_fixed_keur=20), dear=arm(investment_fixed_keur=120))
    cheap, dear = small_firm_adopters(runs["cheap"]), small_firm_adopters(runs["dear"])
    assert (dear <= cheap).all() and dear.sum() < cheap.sum(), (cheap, dear)


def test_peer_exposure_on_the_network_speeds_diffusion():
    runs = ensemble(isolated=arm(bass_q=0.0), peers=arm(), strong=arm(bass_q=0.8))
    aware = {k: final(v, "aware") for k, v in runs.items()}
    assert (aware["peers"] >= aware["isolated"]).all() and (aware["strong"] >= aware["peers"]).all(), aware
    assert aware["peers"].sum() > aware["isolated"].sum()


def fieldlabs(capacity: float):
    return instruments({"type": "fieldlab", "provinces": "all", "count": 24, "start": "2016Q1", "end": END,
                        "budget_eur": 1e9, "capacity_per_year": capacity})


def test_fieldlab_capacity_never_lowers_participation():
    runs = ensemble(small=arm(fieldlabs(2)), large=arm(fieldlabs(12)))
    small, large = final(runs["small"], "fieldlab_firms"), final(runs["large"], "fieldlab_firms")
    assert (large >= small).all() and large.sum() > small.sum(), (small, large)


def hubs(boost: float):
    return instruments({"type": "hub_outreach", "provinces": "all", "start": "2016Q1", "end": END, "budget_eur": 4e7,
                        "visibility_boost": boost})


def test_hub_outreach_raises_awareness():
    runs = ensemble(none=arm(), hubs=arm(hubs(0.0)))
    none, reached = final(runs["none"], "aware"), final(runs["hubs"], "aware")
    assert (reached >= none).all() and reached.sum() > none.sum(), (none, reached)


def test_visibility_boost_raises_awareness():
    runs = ensemble(plain=arm(hubs(0.0)), boosted=arm(hubs(0.9)))
    plain, boosted = final(runs["plain"], "aware"), final(runs["boosted"], "aware")
    assert (boosted >= plain).all() and boosted.sum() > plain.sum(), (plain, boosted)


def test_training_never_raises_employment_by_more_than_it_trains():
    training = instruments({"type": "training", "provinces": "all", "start": "2016Q1", "end": END,
                            "budget_eur": 2e8, "cost_per_trainee_eur": 15_000})
    runs = ensemble(none=arm(), trained=arm(training))
    trainees = final(runs["trained"], "trainees")
    extra_jobs = final(runs["trained"], "employment") - final(runs["none"], "employment")
    extra_technical = final(runs["trained"], "employment_technical") - final(runs["none"], "employment_technical")
    assert trainees.min() > 0 and (extra_jobs <= trainees).all(), (extra_jobs, trainees)
    # and it helps where technical workers are short: more technical jobs, never more than trained
    assert (extra_technical > 0).all() and (extra_technical <= trainees).all(), (extra_technical, trainees)


# One instrument of each type, as a scenario would write it (fieldlab types need a province).
EACH_TYPE = {
    "fieldlab": {"provinces": ["NB", "GE"], "count": 3},
    "historical_fieldlabs": {},
    "hub_outreach": {"provinces": "all", "visibility_boost": 0.5},
    "adoption_subsidy": {"rate": 0.3},
    "training": {"provinces": "all"},
    "reshoring_support": {"cost_reduction": 0.2},
}
assert set(EACH_TYPE) == set(INSTRUMENT_TYPES), "a new instrument type needs its directional tests"


def one(kind: str, budget: float, start: str = "2015Q1", end: str = END):
    return instruments({"type": kind, "start": start, "end": end, "budget_eur": budget, **EACH_TYPE[kind]})


@pytest.fixture(scope="module")
def counterfactual():
    return ensemble(replications=2, cf=arm())["cf"]


@pytest.mark.parametrize("kind", INSTRUMENT_TYPES)
def test_zero_budget_equals_the_counterfactual_bit_for_bit(kind, counterfactual):
    runs = ensemble(replications=2, zero=arm(one(kind, 0.0)), funded=arm(one(kind, 5e8)))
    for zero, funded, cf in zip(runs["zero"], runs["funded"], counterfactual, strict=True):
        assert np.array_equal(zero.metrics, cf.metrics) and np.array_equal(zero.breakdown, cf.breakdown)
        assert not np.array_equal(funded.metrics, cf.metrics)  # the instrument does something with money


@pytest.mark.parametrize("kind", INSTRUMENT_TYPES)
def test_a_policy_starting_in_2026_equals_the_counterfactual_until_2026(kind):
    runs = ensemble(replications=2, late=arm(one(kind, 5e8, start="2026Q1", end="2028Q4"), end="2028Q4"),
                    cf=arm(end="2028Q4"))
    for late, cf in zip(runs["late"], runs["cf"], strict=True):
        k = late.quarters.index("2026Q1")
        assert np.array_equal(late.metrics[:k], cf.metrics[:k]), late.quarters[
            int(np.argmax([not np.array_equal(a, b) for a, b in zip(late.metrics, cf.metrics, strict=True)]))]
        assert not np.array_equal(late.metrics[k:], cf.metrics[k:])
