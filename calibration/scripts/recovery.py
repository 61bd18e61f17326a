"""Parameter recovery at full size: does ABC find parameter values we know?

For each of --truths sets of true values (drawn from the central 60% of the prior ranges),
synthetic targets are simulated once at those values and the ABC-SMC of
`run.py calibrate` is run against them with the shipped targets' tolerances. Reports, per
parameter, whether the true value lies inside the posterior's 90% interval and how wide that
interval is relative to the prior.

    python calibration/scripts/recovery.py [--truths 3] [--scale 0.25] [--population 150]
                                           [--budget 2500] [--workers 2] --out DIR [--force]

Writes DIR/recovery.csv (one row per truth set and parameter) and DIR/truth-<i>/ (the ABC
databases, so an interrupted run resumes). docs/CALIBRATION.md reports the figures, shipped in
calibration/fitted/recovery/; writing over shipped files needs --force.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]  # calibration/

from smartregion.calibration import recovery
from smartregion.calibration.settings import AbcSettings
from smartregion.calibration.targets import load_targets
from smartregion.cli.common import refuse_shipped
from smartregion.model.ensemble import Executor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default=str(ROOT / "targets.yaml"))
    ap.add_argument("--truths", type=int, default=3)
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--population", type=int, default=150)
    ap.add_argument("--budget", type=int, default=2500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--out", required=True, metavar="DIR", help="output directory (resumes the ABC runs in it)")
    ap.add_argument("--force", action="store_true", help="allow writing over shipped files")
    args = ap.parse_args()
    refuse_shipped(ap, [Path(args.out) / "recovery.csv"], args.force)

    ts = load_targets(args.targets)
    out = Path(args.out)
    rows = []
    for i in range(args.truths):
        seed = args.seed + i
        settings = AbcSettings(scale=args.scale, population_size=args.population, budget=args.budget, seed=seed)
        t0 = time.time()
        try:
            r = recovery.recover(ts, out / f"truth-{i}", settings, recovery.truth(ts, seed), Executor(args.workers),
                                 log=lambda m: print(m, file=sys.stderr))
        except recovery.RecoveryError as e:
            sys.exit(f"error: {e}")
        print(f"truth set {i} (seed {seed}): {int(r.inside_90.sum())}/{len(r)} inside the 90% interval, "
              f"{r.attrs['runs']} runs, {r.attrs['generations']} generations, final epsilon "
              f"{r.attrs['final_epsilon']:.3f}, effective sample size {r.attrs['effective_size']:.1f}, "
              f"{time.time() - t0:.0f} s")
        rows.append(r.assign(truth_set=i, seed=seed, runs=r.attrs["runs"], final_epsilon=r.attrs["final_epsilon"],
                             effective_size=r.attrs["effective_size"]))
    table = pd.concat(rows, ignore_index=True)
    table.to_csv(out / "recovery.csv", index=False, float_format="%.6g")
    by_param = table.groupby("parameter").agg(inside=("inside_90", "sum"), sets=("inside_90", "size"),
                                              interval_share=("interval_share_of_prior", "mean"))
    print(by_param.round(2).to_string())
    print(f"overall: {int(table.inside_90.sum())}/{len(table)} true values inside their 90% interval; "
          f"wrote {out / 'recovery.csv'}")


if __name__ == "__main__":
    main()
