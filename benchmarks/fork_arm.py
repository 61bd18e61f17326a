"""CPU time of an arm forked from its counterfactual (model/fork.py) against the same arm run
alone from the start, at full population, for a scenario on top of its counterfactual.

    python benchmarks/fork_arm.py --scenario fieldlab_expansion_north --repeats 10

Prints one JSON line of medians over the repeats (seeds 1..repeats), CPU time of this process
(time.process_time, less sensitive to other work on the machine than the wall clock): the arm
alone (set-up with a population already built, as the second arm of a replication gets it, and
every quarter), and forked: finding the fork step (fork.diverges), the snapshot of the
counterfactual at that step, starting the arm from it, and the quarters left.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="fieldlab_expansion_north")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()

    from dataclasses import replace

    from smartregion.model import fork
    from smartregion.model.ensemble import spec_of
    from smartregion.model.model import SmartIndustryModel
    from smartregion.model.params import resolve
    from smartregion.model.population import population_for
    from smartregion.model.scenario import load_counterfactual, load_scenario
    from smartregion.model.streams import Streams

    s = load_scenario(ROOT / "scenarios" / f"{args.scenario}.yaml")
    arm, base = (replace(spec_of(x), scale=args.scale) for x in (s, load_counterfactual(s)))

    def model(spec, seed, pop):
        return SmartIndustryModel(params=spec.parameters, policies=spec.policies, start=spec.start, end=spec.end,
                                  scale=spec.scale, network=spec.network, seed=seed, population=pop)

    rows = []
    for seed in range(1, args.repeats + 1):
        pop = population_for(Streams(seed)["population"], resolve(base.parameters), args.scale, base.network)
        c0 = time.process_time()
        alone = model(arm, seed, pop)
        alone.run()
        c1 = time.process_time()
        q = fork.diverges(base, arm)
        c2 = time.process_time()
        m = model(base, seed, pop)
        for _ in range(q):
            m.step()
        c3 = time.process_time()
        snapshot = fork.Snapshot(m)
        c4 = time.process_time()
        forked = snapshot.start(arm.policies)
        c5 = time.process_time()
        forked.run()
        c6 = time.process_time()
        rows.append({"alone_s": c1 - c0, "diverges_s": c2 - c1, "snapshot_s": c4 - c3, "start_s": c5 - c4,
                     "rest_s": c6 - c5, "forked_s": (c2 - c1) + (c6 - c3)})
        for x in (alone, m, forked):
            x.release()
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(json.dumps({"scenario": args.scenario, "scale": args.scale, "firms": alone.n, "fork_step": q,
                      "quarters": alone.n_steps, "repeats": args.repeats, "median_cpu_s": med,
                      "forked_over_alone": med["forked_s"] / med["alone_s"]}))


if __name__ == "__main__":
    main()
