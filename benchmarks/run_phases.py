"""What `run.py run` spends its CPU time on, phase by phase, in one process (CPU time, so that
other work on the machine disturbs it less than the wall clock).

    python benchmarks/run_phases.py --replications 20

Per replication, as a worker runs it (run_replication's steps): the posterior draw, the
population (drawn once for both arms), each arm's model set-up and quarters, the snapshot an
arm is forked from and the fork (model/fork.py), and then, as the main process handles it: the
results sent back (pickled and unpickled, as between processes) and the part written to disk.
After the runs, the end phase as `run` does it: the tables written from the parts (the second
process's share), and the summary, report and structure report (the main process's share).
Prints a table and one JSON line. Multiply per-replication figures by 100 for the
100-replication run of benchmarks/run_all.py; with 2 workers the runs share 2 cores.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

T_START = time.process_time()
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--scenario", default="scenarios/fieldlab_expansion_north.yaml")
    a = ap.parse_args()

    import smartregion.cli.run_cmd as rc
    from smartregion.calibration.parameterisation import apply
    from smartregion.cli.main import build_parser
    from smartregion.cli.output import PartStore
    from smartregion.model import ensemble, fork, population
    from smartregion.model import params as params_mod
    from smartregion.model.model import SmartIndustryModel
    from smartregion.model.streams import Streams

    import matplotlib  # noqa: F401  (the report's imports, counted with the others)
    imports = time.process_time() - T_START
    clock = time.process_time
    n = a.replications
    args = build_parser("run.py").parse_args(["run", str(ROOT / a.scenario), "--replications", str(n),
                                              "--out", "unused"])
    scenario, cf = rc.load(args.scenario, args)
    par = rc.parameterisation(args, scenario)
    spec = apply(ensemble.ensemble_spec(scenario, cf), par)
    tasks = spec.tasks()
    population.keep_populations(0)  # every replication draws its own, as in `run`
    ensemble.run_replication(tasks[0])  # loads the compiled code: not a phase of a warm worker
    spent: dict[str, float] = {}

    def add(phase: str, since: float) -> float:
        now = clock()
        spent[phase] = spent.get(phase, 0.0) + now - since
        return now

    tmp = Path(tempfile.mkdtemp(prefix="smartregion-phases-"))
    try:
        (tmp / "parts").mkdir()
        store = PartStore(tmp / "parts")
        for task in tasks:
            t0 = clock()
            arms = {arm: ensemble._drawn(s, task.seed) for arm, s in task.arms.items()}
            t0 = add("posterior draw", t0)
            forks = fork.plan(arms)  # as run_replication: an arm that shares quarters with another forks
            out, pops, snapshots = {}, {}, {}
            for arm, s in arms.items():
                steps = sorted({q for base, q in filter(None, forks.values()) if base == arm})
                if forks[arm] is not None:
                    m = snapshots[forks[arm]].start(s.policies)
                    t0 = add("fork (snapshot continued as this arm)", t0)
                else:
                    key = ensemble._population_key(s)
                    if key not in pops:
                        pops[key] = population.population_for(Streams(task.seed)["population"],
                                                              params_mod.resolve(s.parameters), s.scale, s.network)
                    t0 = add("population", t0)
                    m = SmartIndustryModel(params=s.parameters, policies=s.policies, start=s.start, end=s.end,
                                           scale=s.scale, network=s.network, seed=task.seed, population=pops[key])
                    t0 = add("model set-up", t0)
                for step in steps:
                    while m.t < step:
                        m.step()
                    t0 = add("quarters", t0)
                    snapshots[arm, step] = fork.Snapshot(m)
                    t0 = add("snapshot taken", t0)
                while m.running:
                    m.step()
                out[arm] = m.result()
                m.release()
                t0 = add("quarters", t0)
            out = pickle.loads(pickle.dumps((task.index, out)))[1]
            t0 = add("results to the main process", t0)
            store.write(task.index, out)
            add("part written (main process)", t0)
        stage = tmp / "stage"
        stage.mkdir()
        t0 = clock()
        rc.write_tables_from_parts(stage, store.dir, store.done(), "csv")
        t0 = add("tables from parts (second process)", t0)
        ensemble.beside = _inline  # the rest of write_tables here, without writing the tables again
        rc.write_tables_from_parts = _nothing
        rc.write_tables(stage, store, scenario, cf, spec, "csv", par)
        add("summary, report, structure (main process)", t0)
        size = sum(p.stat().st_size for p in stage.glob("*.csv"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{n} replications of {Path(a.scenario).stem}, CPU time in one process; imports {imports:.2f} s")
    print(f"{'phase':<42} {'total s':>8} {'ms/rep':>8}")
    for phase, s in spent.items():
        print(f"{phase:<42} {s:>8.2f} {1e3 * s / n:>8.1f}")
    print(json.dumps({"replications": n, "imports_s": imports, "csv_bytes": size,
                      "phases_s": {k: round(v, 4) for k, v in spent.items()}}))


def _nothing(*args) -> None:
    pass


class _inline:
    """beside() run in this process (for timing): the job runs when the block is entered."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __enter__(self):
        self.fn(*self.args)
        return self

    def __exit__(self, *exc):
        return False

    def result(self):
        return None


if __name__ == "__main__":
    sys.exit(main())
