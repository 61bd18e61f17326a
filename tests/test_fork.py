"""Forking a run (model/fork.py): an arm continued from a snapshot of another arm gives exactly
the numbers it gives run alone from the start, and the quarter it forks at is never too late."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from smartregion.calibration.parameterisation import SHIPPED, apply, choose
from smartregion.model import ensemble, fork
from smartregion.model.ensemble import (EnsembleSpec, ReplicationTask, RunSpec, ensemble_spec, run_ensemble,
                                         run_replication, spec_of)
from smartregion.model.model import SmartIndustryModel
from smartregion.model.policies import AdoptionSubsidy, Fieldlabs, HubOutreach
from smartregion.model.scenario import SCENARIO_DIR, load_counterfactual, load_scenario, scenario_from_dict
from smartregion.model.streams import replication_seeds
from smartregion.model.timeline import parse_quarter
from smartregion.viz import levers as lv

SCALE = 0.05
SEEDS = (3, 11)
FIELDS = ("metrics", "breakdown", "spend", "employment_start")


def _small(spec: RunSpec) -> RunSpec:
    return replace(spec, scale=SCALE)


def _step(quarter: str) -> int:
    return parse_quarter(quarter) - parse_quarter("2014Q1")


def _same_forked_and_alone(arms: dict[str, RunSpec], seed: int) -> dict:
    """Runs the arms as run_replication does (forking where it can) and each arm alone; asserts
    they are identical and returns the fork plan."""
    task = ReplicationTask(0, replication_seeds(seed, 1)[0], arms)
    together = run_replication(task)[1]
    for arm, spec in arms.items():
        alone = run_replication(replace(task, arms={arm: spec}))[1][arm]
        assert together[arm].instruments == alone.instruments
        for field in FIELDS:
            np.testing.assert_array_equal(getattr(together[arm], field), getattr(alone, field),
                                          err_msg=f"{arm} {field}")
    return fork.plan({arm: ensemble._drawn(spec, task.seed) for arm, spec in arms.items()})


# Where each shipped scenario and its counterfactual first differ (None: from the start, so
# the counterfactual runs alone). Policy_discontinuity's cheaper programme changes the
# historical fieldlabs' spending per quarter from 2014 on.
FORK_AT = {"fieldlab_expansion_north": "2026Q1", "hidden_champions": "2026Q1", "reshoring_push": "2026Q1",
           "skills_offensive": "2026Q1", "region_of_smart_factories": "2016Q1", "baseline": None,
           "policy_discontinuity": None, "no_policy": None}


@pytest.mark.parametrize("path", sorted(SCENARIO_DIR.glob("*.yaml")), ids=lambda p: p.stem)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_shipped_scenario_forked_equals_alone(path: Path, seed: int):
    s = load_scenario(path)
    spec = ensemble_spec(s, load_counterfactual(s))
    plan = _same_forked_and_alone({arm: _small(a) for arm, a in spec.arms.items()}, seed)
    at = FORK_AT[path.stem]
    assert plan.get("counterfactual") == (None if at is None else ("policy", _step(at)))


BASE = load_scenario(SCENARIO_DIR / "baseline.yaml")
LEVERS = {
    "fieldlabs in one province": lv.Levers().with_fieldlabs("GR", 2),
    "fieldlab capacity": lv.Levers().with_fieldlabs("LI", 1).with_capacity("LI", 20.0),
    "outreach per hub": lv.Levers().with_outreach("oost", 1.5).with_outreach("noord", 0.5),
    "subsidy to chosen provinces": lv.Levers(subsidy_rate=0.3, subsidy_meur_per_year=4,
                                             subsidy_provinces=("NB", "LI")),
    "training to chosen provinces": lv.Levers(training_meur_per_year=3, training_provinces=("GR", "OV")),
    "a lever from 2028": lv.Levers(fieldlab_years=(2028, 2030)).with_fieldlabs("UT", 2),
    "programme stop at 2027": lv.Levers(end_year=2027).with_fieldlabs("GR", 1),
}
LEVER_FORK_AT = {"a lever from 2028": "2028Q1", "programme stop at 2027": None}


@pytest.mark.parametrize("name", list(LEVERS))
@pytest.mark.parametrize("seed", SEEDS)
def test_dashboard_levers_forked_equal_alone(name: str, seed: int):
    """The dashboard's arms: the scenario with the levers, and without (its cached arm)."""
    edited = lv.apply(BASE, LEVERS[name], {}, 1, seed)
    plan = _same_forked_and_alone({"base": _small(spec_of(BASE)), "levers": _small(spec_of(edited))}, seed)
    at = LEVER_FORK_AT.get(name, "2026Q1")
    assert plan["levers"] == (None if at is None else ("base", _step(at)))


def test_posterior_draws_fork_like_the_defaults():
    """Both arms of a replication get the same parameter draw, so they fork as on the defaults."""
    s = load_scenario(SCENARIO_DIR / "skills_offensive.yaml")
    spec = apply(ensemble_spec(s, load_counterfactual(s)), choose(posterior=SHIPPED))
    plan = _same_forked_and_alone({arm: _small(a) for arm, a in spec.arms.items()}, 5)
    assert plan["counterfactual"] == ("policy", _step("2026Q1"))


def _arms(a: list, b: list) -> dict[str, RunSpec]:
    base = spec_of(load_scenario(SCENARIO_DIR / "no_policy.yaml"))
    return {"a": replace(base, policies=tuple(a), scale=SCALE), "b": replace(base, policies=tuple(b), scale=SCALE)}


def _alone(spec: RunSpec, seed: int):
    return SmartIndustryModel(params=spec.parameters, policies=spec.policies, start=spec.start, end=spec.end,
                              scale=spec.scale, network=spec.network, seed=seed).run()


HUB = dict(type="hub_outreach", provinces=["oost"], start="2018Q1", end="2030Q4", eur_per_quarter=40_000,
           budget_eur=5e6, visibility_boost=0.3)


def test_an_announced_end_diverges_at_the_announcement_not_at_the_end():
    """Firms discount support from the announcement on (subsidy_outlook_discount): the hub's
    support to the ecosystem moves in 2027Q1, so a rule that forked at the end (2028Q4), or
    even one quarter after the announcement, would carry the wrong state over."""
    a = HubOutreach(**HUB)
    b = HubOutreach(**{**HUB, "end": "2028Q4", "end_announced": "2027Q1"})
    arms = _arms([a], [b])
    q = fork.diverges(arms["a"], arms["b"])
    assert q == _step("2027Q1")
    _same_forked_and_alone(arms, 1)
    models = [SmartIndustryModel(params=arms["a"].parameters, policies=[x], scale=SCALE, seed=1) for x in (a, b)]
    for _ in range(q):
        for m in models:
            m.step()
    np.testing.assert_array_equal(models[0].ecosystem, models[1].ecosystem)
    snapshot = fork.Snapshot(models[0])
    for m in models:
        m.step()
    assert not np.array_equal(models[0].ecosystem, models[1].ecosystem)
    with pytest.raises(ValueError, match="cannot fork"):
        fork.Snapshot(models[0]).start([b])
    np.testing.assert_array_equal(snapshot.start([b]).run().metrics, _alone(arms["b"], 1).metrics)


def test_an_end_that_spreads_the_budget_otherwise_diverges_at_the_start():
    """Without a fixed amount a quarter, a hub spreads its budget over its window: ending it
    earlier raises its spending from its first quarter on."""
    spread = {k: v for k, v in HUB.items() if k != "eur_per_quarter"}
    arms = _arms([HubOutreach(**spread)], [HubOutreach(**{**spread, "end": "2028Q4", "end_announced": "2027Q1"})])
    assert fork.diverges(arms["a"], arms["b"]) == _step("2018Q1")
    runs = [_alone(arms[x], 1) for x in "ab"]
    assert not np.array_equal(runs[0].spend[_step("2018Q1")], runs[1].spend[_step("2018Q1")])
    _same_forked_and_alone(arms, 1)


def test_a_budget_spent_on_both_sides_of_the_fork_carries_over():
    """A subsidy that runs out after the fork: the budget left at the fork goes with it."""
    subsidy = AdoptionSubsidy(type="adoption_subsidy", start="2020Q1", end="2030Q4", rate=0.5,
                              max_per_firm_eur=50_000, budget_eur=7e7)
    arms = _arms([subsidy], [subsidy, HubOutreach(**{**HUB, "start": "2026Q1"})])
    _same_forked_and_alone(arms, 2)
    spent = _alone(arms["b"], 2).spend[:, 0].sum(axis=1)
    q = _step("2026Q1")
    assert spent[:q].sum() > 0 and spent[q:].sum() > 0
    assert spent[-1] == 0 and np.isclose(spent.sum(), 7e7)  # spent out before the end


def test_a_fieldlab_added_before_another_moves_its_rows_and_forks_at_its_opening():
    """New fieldlabs listed before an earlier programme's take its row numbers (and so its
    member places): the arms may differ from the earlier programme's opening, not the new one's."""
    old = Fieldlabs(type="fieldlab", provinces=["GR", "FR"], count=2, start="2016Q1", end="2030Q4",
                    budget_eur=1e7)
    new = Fieldlabs(type="fieldlab", provinces=["LI"], count=3, start="2026Q1", end="2030Q4", budget_eur=9e6)
    before, after = _arms([old], [new, old]), _arms([old], [old, new])
    assert fork.diverges(before["a"], before["b"]) == _step("2016Q1")
    assert fork.diverges(after["a"], after["b"]) == _step("2026Q1")
    for arms in (before, after):
        _same_forked_and_alone(arms, 4)


def test_a_task_forks_from_its_base_arm_kept_by_the_process(monkeypatch):
    """The dashboard's lever move: the scenario arm is at hand (the server's cache), the levers'
    arm forks from it. The first task runs the scenario arm to the levers' start and keeps it
    there; the next lever move forks from what was kept, without running it (or drawing its
    population) again, and gives the numbers of a run alone."""
    monkeypatch.setattr(fork, "_kept", OrderedDict())
    monkeypatch.setattr(fork, "SNAPSHOT_BYTES", 10**9)
    base = _small(spec_of(BASE))
    moves = [_small(spec_of(lv.apply(BASE, lv.Levers().with_fieldlabs("GR", n), {}, 1, 1))) for n in (1, 3)]
    seed = replication_seeds(9, 1)[0]
    forked = [run_replication(ReplicationTask(0, seed, {"policy": moves[0]}, base=base))[1]["policy"]]
    assert [key[-1] for key in fork._kept] == [_step("2026Q1")]
    monkeypatch.setattr(ensemble, "population_for", None)  # a run from the start would fail
    forked.append(run_replication(ReplicationTask(0, seed, {"policy": moves[1]}, base=base))[1]["policy"])
    monkeypatch.undo()
    for spec, got in zip(moves, forked):
        alone = run_replication(ReplicationTask(0, seed, {"policy": spec}))[1]["policy"]
        for field in FIELDS:
            np.testing.assert_array_equal(getattr(got, field), getattr(alone, field))


def test_the_dashboards_lever_moves_fork_in_its_workers_and_match_runs_alone(runner):
    """The page's three arms, then lever moves: each move reruns only the levers' arm, which the
    workers fork from the scenario arm (kept where the levers start), with the numbers of the
    arm run alone from the start."""
    from smartregion.viz.compute import _fork_base, compute, parameterisation_of

    d = BASE.resolved_dict()
    d["population"]["scale"] = SCALE
    s = scenario_from_dict(d)
    seed = 18  # the runner is shared (conftest.py): a seed no other test uses, so new_runs counts this test's
    plain = lv.apply(s, lv.Levers(), {}, 3, seed)
    for n in (1, 2, 3):
        edited = lv.apply(s, lv.Levers().with_fieldlabs("GR", n), {}, 3, seed)
        got = compute(edited, runner, plain=plain)
        assert got.new_runs == (9 if n == 1 else 3)  # the first: every arm; then the levers' arm
        spec = apply(EnsembleSpec({"policy": spec_of(edited)}, seed, 3), parameterisation_of(edited))
        if n > 1:  # what the runner asks the workers to fork from: the scenario arm
            arms = apply(EnsembleSpec({"base": spec_of(plain), **spec.arms}, seed, 3), parameterisation_of(edited))
            assert _fork_base(arms.arms, {"policy": arms.arms["policy"]}) == arms.arms["base"]
        for index, arms in run_ensemble(spec).items():
            for field in FIELDS:
                np.testing.assert_array_equal(getattr(got.results[index]["policy"], field),
                                              getattr(arms["policy"], field))
