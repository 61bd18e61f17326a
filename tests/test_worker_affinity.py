"""The dashboard sends replication r to the same worker every time (viz/compute.Runner._dispatch),
so that a lever move forks each replication from the snapshot that worker kept (model/fork.py)
instead of running the scenario arm again wherever the replication happened to land."""

from __future__ import annotations

from smartregion.model.scenario import SCENARIO_DIR, load_scenario, scenario_from_dict
from smartregion.viz import levers as lv
from smartregion.viz.compute import Runner, compute

REPLICATIONS = 6


def _baseline(scale: float = 0.05):
    d = load_scenario(SCENARIO_DIR / "baseline.yaml").resolved_dict()
    d["population"]["scale"] = scale
    return scenario_from_dict(d)


def test_every_lever_move_finds_each_replications_snapshot_in_its_worker():
    s = _baseline()
    plain = lv.apply(s, lv.Levers(), {}, REPLICATIONS, 8)
    runner = Runner(workers=2)
    try:
        first = compute(lv.apply(s, lv.Levers().with_fieldlabs("GR", 1), {}, REPLICATIONS, 8), runner, plain=plain)
        before = runner.snapshot_lookups()
        for n in (2, 3):
            move = compute(lv.apply(s, lv.Levers().with_fieldlabs("GR", n), {}, REPLICATIONS, 8), runner, plain=plain)
            assert move.new_runs == REPLICATIONS  # the levers' arm only
        after = runner.snapshot_lookups()
    finally:
        runner.shutdown()
    assert first.new_runs == 3 * REPLICATIONS
    # Each worker looked up the snapshots of its own replications only, and found every one.
    # Sent wherever a worker was free, about half the look-ups would miss (and run the scenario
    # arm from 2014 again): 12 look-ups all landing right by chance is one in 4,096.
    assert [a["missed"] - b["missed"] for a, b in zip(after, before)] == [0, 0]
    assert [a["found"] - b["found"] for a, b in zip(after, before)] == [REPLICATIONS, REPLICATIONS]
