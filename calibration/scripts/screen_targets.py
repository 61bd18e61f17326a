"""Which parameters move the calibration targets? A Morris screening that chooses `estimate`.

For every continuous parameter of the registry (plausible range), Morris elementary effects on
each fit target's standardised deviation (simulated - observed) / tolerance. A parameter's
importance is the root mean square over fit targets of its mu_star: how many tolerances it
moves the fit, on average. The parameters at the top are worth estimating; the rest are left at
their defaults (docs/CALIBRATION.md, section 2, reports this table).

    python calibration/scripts/screen_targets.py [--trajectories 10] [--scale 0.25] [--workers 2]

Prints the ranking and writes it to calibration/fitted/screening.csv.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from SALib.analyze import morris as morris_analyze

from smartregion.calibration import sensitivity
from smartregion.calibration.summaries import simulate
from smartregion.calibration.targets import load_targets
from smartregion.model.ensemble import Executor
from smartregion.model.params import PARAMS

SEED = 20140101


def _one(spec, prob, row):
    return simulate(spec, sensitivity.overrides(prob, row), SEED)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default=str(ROOT / "calibration" / "targets.yaml"))
    ap.add_argument("--trajectories", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    ts = load_targets(args.targets)
    names = [n for n, p in PARAMS.items() if not p.integer]
    prob = sensitivity.problem(names)
    X = sensitivity.sample(prob, "morris", args.trajectories, seed=SEED)
    t0 = time.time()
    sims = Executor(args.workers).ordered_map(functools.partial(_one, ts.spec(args.scale), prob), X)
    print(f"{len(X)} runs at scale {args.scale} in {time.time() - t0:.0f} s")
    mu = {}
    for t in ts.fit:
        z = np.array([(s[t.name] - t.observed) / t.tolerance for s in sims])
        mu[t.name] = morris_analyze.analyze(prob, X, z, num_levels=sensitivity.MORRIS_LEVELS, seed=SEED)["mu_star"]
    table = pd.DataFrame(mu, index=names)
    table.insert(0, "importance", np.sqrt((table ** 2).mean(axis=1)))
    table = table.sort_values("importance", ascending=False)
    out = ROOT / "calibration" / "fitted" / "screening.csv"
    out.parent.mkdir(exist_ok=True)
    table.round(4).to_csv(out, index_label="parameter")
    with pd.option_context("display.width", 200, "display.max_columns", 8):
        print(table.iloc[:20, :6].round(3))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
