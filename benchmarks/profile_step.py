"""Where a quarter's time goes: each part of the step (policy context, the six mechanisms, the
record), summed over a full run and the best of several runs, at a population scale.

    python benchmarks/profile_step.py --scale 1 --runs 15

Start here before optimising (then `python -m cProfile -s tottime` or pyinstrument on a run for
the functions inside a part). Times the same calls as SmartIndustryModel.step, in its order.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()

    from smartregion.model.mechanisms import ORDER
    from smartregion.model.model import SmartIndustryModel
    from smartregion.model.scenario import load_scenario

    policies = load_scenario(ROOT / "scenarios" / "baseline.yaml").policies
    parts: dict[str, list[float]] = collections.defaultdict(list)
    for run in range(args.runs):
        m = SmartIndustryModel(policies=policies, scale=args.scale, seed=run % 3)
        spent: collections.Counter = collections.Counter()
        sections = [("policy context", m._policy_context)]
        sections += [(mech.__name__.rsplit(".", 1)[-1], lambda mech=mech: mech.step(m)) for mech in ORDER]
        sections += [("record", m._record), ("Mesa DataCollector", lambda: m.datacollector.collect(m))]
        while m.t < m.n_steps:
            for name, call in sections:
                t0 = time.perf_counter()
                call()
                spent[name] += time.perf_counter() - t0
            m.t += 1
        for name, seconds in spent.items():
            parts[name].append(seconds)

    best = {name: min(v) for name, v in parts.items()}
    total = sum(best.values())
    print(f"{m.n:,} firms, {m.n_steps} quarters, best of {args.runs} runs per part")
    print(f"{'part':<20} {'ms per run':>10} {'share':>7}")
    for name, seconds in best.items():
        print(f"{name:<20} {1e3 * seconds:>10.1f} {seconds / total:>7.0%}")
    print(f"{'total':<20} {1e3 * total:>10.1f}")


if __name__ == "__main__":
    main()
