"""Ensembles give the same numbers wherever they run: in this process, in local worker
processes, or on a Dask cluster; and whatever subset of replications one runs (resuming)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from smartregion.model.ensemble import EnsembleSpec, Executor, RunSpec, run_ensemble
from smartregion.model.policies import Instrument

POLICIES = tuple(TypeAdapter(Instrument).validate_python(s) for s in (
    {"type": "historical_fieldlabs", "name": "hist", "start": "2014Q1", "end": "2030Q4", "budget_eur": 5e8},
    {"type": "hub_outreach", "name": "hub", "provinces": ["noord"], "start": "2018Q1", "end": "2030Q4",
     "budget_eur": 8e6, "visibility_boost": 0.4},
    {"type": "adoption_subsidy", "name": "sub", "start": "2016Q1", "end": "2024Q4", "budget_eur": 4e6, "rate": 0.3,
     "max_per_firm_eur": 80000},
))


def arm(policies) -> RunSpec:
    return RunSpec(parameters={}, policies=policies, start="2014Q1", end="2030Q4", scale=0.05, network="peers")


SPEC = EnsembleSpec(arms={"policy": arm(POLICIES), "counterfactual": arm(())}, seed=2024, replications=4)


@pytest.fixture(scope="module")
def serial():
    return run_ensemble(SPEC, Executor(workers=1))


def assert_identical(a, b):
    assert list(a) == list(b)
    for index in a:
        assert list(a[index]) == list(b[index])
        for name, r in a[index].items():
            other = b[index][name]
            assert np.array_equal(r.metrics, other.metrics), (index, name)
            assert np.array_equal(r.breakdown, other.breakdown), (index, name)
            assert np.array_equal(r.spend, other.spend), (index, name)


def test_serial_replications_differ_and_arms_differ(serial):
    assert list(serial) == [0, 1, 2, 3]
    assert not np.array_equal(serial[0]["policy"].metrics, serial[1]["policy"].metrics)
    assert not np.array_equal(serial[0]["policy"].metrics, serial[0]["counterfactual"].metrics)


def test_two_local_workers_give_identical_results(serial):
    assert_identical(serial, run_ensemble(SPEC, Executor(workers=2)))


def test_dask_cluster_gives_identical_results(serial):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster:  # not on 8787 (test_faults)
        on_dask = run_ensemble(SPEC, Executor(scheduler=cluster.scheduler_address))
    assert_identical(serial, on_dask)


def test_a_replication_does_not_depend_on_which_others_run(serial):
    """What resuming relies on: skipping replications leaves the others' seeds alone."""
    rest = run_ensemble(SPEC, Executor(workers=1), skip={0, 2})
    assert_identical({i: serial[i] for i in (1, 3)}, rest)


def test_streaming_hands_on_every_result_and_keeps_none():
    seen = []
    kept = run_ensemble(EnsembleSpec(arms={"policy": arm(())}, seed=1, replications=3), Executor(workers=2),
                        on_result=lambda index, arms: seen.append(index))
    assert sorted(seen) == [0, 1, 2] and kept == {}


def test_ordered_map_keeps_input_order_with_workers():
    items = list(range(7))
    assert Executor(workers=2).ordered_map(abs, [-x for x in items]) == items


def test_a_finished_replication_leaves_no_model_behind():
    """Mesa models sit in a reference cycle; a worker that waited for the garbage collector
    would hold every dead model (a GiB each at a million firms) until it ran. run_replication
    releases them: with the collector off, none is left."""
    import gc

    from smartregion.model.ensemble import run_replication
    from smartregion.model.model import SmartIndustryModel

    task = SPEC.tasks()[0]
    gc.collect()
    # Models other tests keep alive (fixtures, Mesa's registry) are not this test's business:
    # only the ones this replication made count (the test failed after test_model.py otherwise).
    before = {id(o) for o in gc.get_objects() if isinstance(o, SmartIndustryModel)}
    gc.disable()
    try:
        _, arms = run_replication(task)
        left = [id(o) for o in gc.get_objects() if isinstance(o, SmartIndustryModel) and id(o) not in before]
    finally:
        gc.enable()
    assert set(arms) == {"policy", "counterfactual"} and left == []


def test_arms_that_differ_in_a_population_parameter_do_not_share_a_population():
    """Every parameter build_population reads keys the shared population (issue 14: arms that
    differed in initial_cost_ratio got the first arm's population, so results depended on the
    order of the arms). Each arm gives what it gives when run alone, in either order."""
    from dataclasses import replace

    from smartregion.model.ensemble import population_parameters, run_replication

    assert {"initial_cost_ratio", "offshoring_prevalence", "peer_degree", "productivity_gain"} <= \
        population_parameters("peers")
    low = replace(arm(POLICIES), parameters={"initial_cost_ratio": 0.95}, end="2017Q4")
    high = replace(low, parameters={"initial_cost_ratio": 1.4})
    task = SPEC.tasks([1])[0]

    def results(arms):
        return run_replication(replace(task, arms=arms))[1]

    alone = {"low": results({"low": low})["low"], "high": results({"high": high})["high"]}
    assert not np.array_equal(alone["low"].metrics, alone["high"].metrics)
    for arms in ({"low": low, "high": high}, {"high": high, "low": low}):
        together = results(arms)
        for name in arms:
            assert np.array_equal(together[name].metrics, alone[name].metrics), (list(arms), name)
