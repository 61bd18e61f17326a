"""The dashboard's workers (viz/compute.Runner): replication r goes to the same worker every time
(Runner._dispatch), so that a lever move forks each replication from the snapshot that worker
kept (model/fork.py) instead of running the scenario arm again wherever the replication
happened to land; and the first replications' numbers are handed over before the others are
done (Runner.run's on_first), for the page to show."""

from __future__ import annotations

import numpy as np

from smartregion.model.scenario import SCENARIO_DIR, load_scenario, scenario_from_dict
from smartregion.viz import levers as lv
from smartregion.viz.compute import compute

REPLICATIONS = 6


def _baseline(scale: float = 0.05):
    d = load_scenario(SCENARIO_DIR / "baseline.yaml").resolved_dict()
    d["population"]["scale"] = scale
    return scenario_from_dict(d)


def test_every_lever_move_finds_each_replications_snapshot_in_its_worker(runner):
    """From the first move on: the page's first computation (no lever moved yet) keeps the
    scenario arm where the levers start (ReplicationTask.keep)."""
    s = _baseline()
    # The runner is shared (conftest.py): a seed no other test uses, and look-ups counted from here.
    plain = lv.apply(s, lv.Levers(), {}, REPLICATIONS, 38)
    first = compute(plain, runner, plain=plain)  # the page as it opens
    before = runner.snapshot_lookups()
    for n in (1, 2):
        move = compute(lv.apply(s, lv.Levers().with_fieldlabs("GR", n), {}, REPLICATIONS, 38), runner, plain=plain)
        assert move.new_runs == REPLICATIONS  # the levers' arm only
    after = runner.snapshot_lookups()
    assert first.new_runs == 2 * REPLICATIONS  # the scenario and its counterfactual
    # Each worker looked up the snapshots of its own replications only, and found every one.
    # Sent wherever a worker was free, about half the look-ups would miss (and run the scenario
    # arm from 2014 again): 12 look-ups all landing right by chance is one in 4,096. Without the
    # snapshots kept by the first computation, the first move's 6 would all miss.
    assert [a["missed"] - b["missed"] for a, b in zip(after, before)] == [0, 0]
    assert [a["found"] - b["found"] for a, b in zip(after, before)] == [REPLICATIONS, REPLICATIONS]


def test_the_first_numbers_come_from_complete_replications_before_the_rest_and_equal_them(runner):
    s = _baseline(0.02)
    plain = lv.apply(s, lv.Levers(), {}, REPLICATIONS, 9)
    edited = lv.apply(s, lv.Levers().with_fieldlabs("GR", 2), {}, REPLICATIONS, 9)
    firsts = []
    final = compute(edited, runner, plain=plain, on_first=firsts.append)  # seed 9: no other test's (conftest.py)
    again = compute(edited, runner, plain=plain, on_first=firsts.append)  # all cached: nothing to hand early
    assert final.new_runs == 3 * REPLICATIONS  # computed here, none from the shared cache
    assert len(firsts) == 1
    first = firsts[0]
    # The first replication, its arms spread over the two workers (Runner._split), and at most
    # one more (two may end in the same wait).
    assert 1 <= len(first.results) <= 2 < len(final.results) == len(again.results) == REPLICATIONS
    assert first.scenario == final.scenario
    for index, arms in first.results.items():
        assert set(arms) == set(final.results[index]) == {"policy", "base", "counterfactual"}
        for arm, run in arms.items():
            np.testing.assert_array_equal(run.metrics, final.results[index][arm].metrics)


def test_a_snapshot_to_keep_past_the_horizon_or_before_the_fork_is_skipped_and_changes_nothing():
    from smartregion.model.ensemble import ReplicationTask, ensemble_spec, run_replication
    from smartregion.model.scenario import load_counterfactual

    d = _baseline(0.02).resolved_dict()
    d["horizon"]["end"] = "2020Q4"  # 28 quarters: step 48 (2026Q1) lies beyond it
    s = scenario_from_dict(d)
    task = ensemble_spec(s, load_counterfactual(s), replications=1, seed=3).tasks()[0]
    alone = run_replication(task)[1]
    for keep in ((("policy", 48),), (("policy", 10), ("counterfactual", 28), ("counterfactual", 0))):
        kept = run_replication(ReplicationTask(task.index, task.seed, task.arms, keep=keep))[1]
        for arm in alone:
            np.testing.assert_array_equal(kept[arm].metrics, alone[arm].metrics)


def test_a_lone_lever_move_starts_at_once_and_a_burst_waits_for_its_last_value():
    """A click or a key computes without the debounce wait; a dragged slider's values, which
    come faster than DEBOUNCE_S, each wait it, so that only the last one is computed."""
    from smartregion.viz.explorer import DEBOUNCE_S, debounce_wait
    assert debounce_wait(100.0, float("-inf")) == 0.0  # the page's first computation
    assert debounce_wait(100.0, 100.0 - 2 * DEBOUNCE_S) == 0.0
    assert debounce_wait(100.0, 100.0 - DEBOUNCE_S / 4) == DEBOUNCE_S


def test_the_progress_bar_moves_at_most_every_quarter_second_and_not_at_the_end():
    """Each move of the bar redraws part of the page in the server, on the CPU the replications
    need: it moves at most every PROGRESS_EVERY_S, not before the first numbers usually come, and
    not for the last replication, whose numbers replace the bar."""
    from smartregion.viz.explorer import PROGRESS_EVERY_S, progress_due
    start = 100.0
    assert not progress_due(start + PROGRESS_EVERY_S / 2, start, 2, 20)  # the first replications
    assert progress_due(start + PROGRESS_EVERY_S, start, 3, 20)
    assert not progress_due(start + 10 * PROGRESS_EVERY_S, start, 20, 20)  # the end: numbers, no bar
    # 19 replications in the first 19 ms (each a millisecond): the bar stays until the numbers come
    assert not any(progress_due(start + k / 1000, start, k, 20) for k in range(1, 20))


def test_a_first_replication_runs_its_unrelated_arms_on_different_workers():
    """The levers' arm forks from the scenario arm (they share every quarter before the levers
    start), the counterfactual shares none with either: two groups, the scenario arm's (whose
    snapshot its worker keeps) on the replication's own worker, the counterfactual on the other."""
    from smartregion.model.ensemble import EnsembleSpec, spec_of
    from smartregion.model.scenario import load_counterfactual
    from smartregion.viz.compute import _split

    s = _baseline()
    edited = lv.apply(s, lv.Levers().with_fieldlabs("GR", 2), {}, REPLICATIONS, 38)
    arms = {"base": spec_of(s), "policy": spec_of(edited), "counterfactual": spec_of(load_counterfactual(s))}
    task = EnsembleSpec(arms, 38, REPLICATIONS).tasks([3])[0]
    task.keep = (("base", 48),)
    keys = {arm: f"key of {arm}" for arm in arms}
    entries = _split(task, keys, workers=2)
    assert [(sorted(t.arms), k, home) for t, k, home in entries] == [
        (["base", "policy"], {"base": "key of base", "policy": "key of policy"}, 1),
        (["counterfactual"], {"counterfactual": "key of counterfactual"}, 0)]
    assert [t.keep for t, *_ in entries] == [(("base", 48),), ()]
    assert {t.index for t, *_ in entries} == {3} and all(t.seed is task.seed for t, *_ in entries)
    # An arm that forks from another never leaves it: a scenario on top of its counterfactual
    # (they share the quarters before its first instrument) stays one task.
    north = load_scenario(SCENARIO_DIR / "fieldlab_expansion_north.yaml")
    pair = {"policy": spec_of(north), "counterfactual": spec_of(load_counterfactual(north))}
    assert len(_split(EnsembleSpec(pair, 38, 1).tasks()[0], {a: a for a in pair}, workers=2)) == 1
