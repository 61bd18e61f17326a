"""CPU time of the dashboard's worker pool for policy-lever moves, with and without forking the
levers' arm from the scenario arm's snapshot (model/fork.py, viz/compute.py).

    python benchmarks/lever_move_cpu.py --moves 4 --replications 20

No browser: the page's computation itself (viz/compute.compute on the shipped baseline with its
levers, full population, calibrated, as the page runs it) on a warm Runner of 2 workers. First
the page's first computation (every arm), then `--moves` moves of the Groningen fieldlabs
lever (a new value each time: nothing of it in the cache). For each move: wall time, and CPU
time of the worker processes (utime + stime from /proc, so other work on the machine adds
nothing but waiting). Run once forking (as shipped) and once with forking switched off in the
same process (`_fork_base` returning None: every lever move runs its arm from the start, as
before forking). The first move of a worker without the snapshot runs the scenario arm to
2026Q1 and keeps it; later moves fork from it. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cpu(pids) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def session(forking: bool, moves: int, replications: int) -> dict:
    from smartregion.model.scenario import load_scenario
    from smartregion.viz import compute as c
    from smartregion.viz import levers as lv

    if not forking:
        c._fork_base = lambda arms, missing: None
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    runner = c.Runner(workers=2)
    runner.warm_up()
    pids = runner.worker_pids()
    plain = lv.apply(base, lv.Levers(), {}, replications, base.seed)
    rows = []
    try:
        for n in range(1, moves + 2):  # the first: the page's first computation, every arm
            edited = lv.apply(base, lv.Levers().with_fieldlabs("GR", n), {}, replications, base.seed)
            cpu0, t0 = _cpu(pids), time.perf_counter()
            out = c.compute(edited, runner, plain=plain)
            rows.append({"wall_s": time.perf_counter() - t0, "workers_cpu_s": _cpu(pids) - cpu0,
                         "new_runs": out.new_runs})
    finally:
        runner.shutdown()
    return {"first": rows[0], "moves": rows[1:]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=4)
    ap.add_argument("--replications", type=int, default=20)
    args = ap.parse_args()
    load0 = os.getloadavg()
    out = {"forking": session(True, args.moves, args.replications)}
    out["not_forking"] = session(False, args.moves, args.replications)
    print(json.dumps({**out, "replications": args.replications, "load_before": load0, "load_after": os.getloadavg()}))


if __name__ == "__main__":
    main()
