"""Time one model run (set-up + every quarter) of the baseline scenario, and its peak memory.

    python benchmarks/single_run.py --scale 1 --repeats 5

Prints one JSON line: wall-clock times, and the CPU time of this process (less sensitive to
other work on the machine, which only the wall clock pays for). Memory is the peak resident set of this process (interpreter and
imports included, about 200 MiB), which is why each scale runs in a fresh process.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()  # before the imports below, so that `imports_s` counts them

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    from smartregion.model.model import SmartIndustryModel
    from smartregion.model.scenario import load_scenario

    policies = load_scenario(ROOT / "scenarios" / "baseline.yaml").policies
    imports_s = time.perf_counter() - T_START
    rss_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    runs = []
    for k in range(args.repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        m = SmartIndustryModel(policies=policies, scale=args.scale, seed=args.seed + k)
        c1, t1 = time.process_time(), time.perf_counter()
        m.run()
        c2, t2 = time.process_time(), time.perf_counter()
        runs.append({"setup_s": t1 - t0, "steps_s": t2 - t1, "total_s": t2 - t0, "cpu_s": c2 - c0,
                     "steps_cpu_s": c2 - c1})
        n, quarters = m.n, m.n_steps
        m.release()  # freed now, as in an ensemble worker, not at the next garbage collection
        del m
    best = min(runs, key=lambda r: r["total_s"])
    print(json.dumps({
        "scale": args.scale, "firms": n, "quarters": quarters, "repeats": args.repeats,
        "first_total_s": runs[0]["total_s"], "best": best,
        "median_total_s": statistics.median(r["total_s"] for r in runs),
        # the runs after the first: a warm process (the first pays for loading compiled code)
        "median_warm_total_s": statistics.median(r["total_s"] for r in runs[1:] or runs),
        "totals_s": [r["total_s"] for r in runs], "imports_s": imports_s,
        "min_cpu_s": min(r["cpu_s"] for r in runs),
        "min_steps_cpu_s": min(r["steps_cpu_s"] for r in runs),
        "min_steps_s": min(r["steps_s"] for r in runs),
        "rss_after_imports_mib": rss_imports,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
