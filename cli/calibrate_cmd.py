"""`run.py calibrate TARGETS --out DIR`: estimate the uncertain parameters with ABC-SMC.

Rerunning the same command continues an interrupted calibration from its last finished
generation (DIR/abc.db); a larger --budget continues a finished one. See calibration/calibrate.py
for what DIR holds and docs/CALIBRATION.md for the method.
"""

from __future__ import annotations

import os
import sys

from .common import UserError, whole_number_at_least
from .run_cmd import executor, scale_flag, seed_flag, workers_flag


_positive = whole_number_at_least(1)


def add_parser(sub) -> None:
    from smartregion.calibration.settings import AbcSettings

    d = AbcSettings()
    p = sub.add_parser("calibrate", help="estimate parameters against observed targets (ABC-SMC)",
                       description="Fit the uncertain parameters of the targets file's scenario to its observed "
                                   "figures with pyabc's ABC-SMC; writes the posterior, a fitted scenario file and "
                                   "fit plots into DIR. Rerun the same command to resume.")
    p.add_argument("targets", metavar="TARGETS.yaml", help="targets file, e.g. calibration/targets.yaml")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (new, or one to resume)")
    p.add_argument("--budget", type=_positive, default=d.budget, metavar="N",
                   help="total model runs (default %(default)s); checked after each generation")
    p.add_argument("--population", type=_positive, default=d.population_size, metavar="N",
                   help="particles per generation (default %(default)s)")
    p.add_argument("--generations", type=_positive, metavar="N", help="stop after N generations")
    p.add_argument("--scale", type=scale_flag, default=d.scale, metavar="X",
                   help="population scale of each run during ABC (default %(default)s; 1 = all Dutch firms)")
    p.add_argument("--seed", type=seed_flag, default=d.seed, metavar="S", help="random seed (default %(default)s)")
    p.add_argument("--predictive", type=_positive, default=100, metavar="N",
                   help="runs per predictive ensemble in the fit check (default %(default)s)")
    p.add_argument("--predictive-scale", type=scale_flag, default=1.0, metavar="X",
                   help="population scale of the fit check (default %(default)s)")
    p.add_argument("--workers", type=workers_flag, default=os.cpu_count() or 1, metavar="N",
                   help="local worker processes (default: all %(default)s CPUs); results do not depend on it")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://host:8786) instead")
    p.set_defaults(func=main)


def main(args) -> int:
    from smartregion.calibration.calibrate import CalibrationError, calibrate
    from smartregion.calibration.settings import AbcSettings
    from smartregion.calibration.targets import TargetsError, load_targets

    try:
        ts = load_targets(args.targets)
        settings = AbcSettings(scale=args.scale, population_size=args.population, budget=args.budget,
                               generations=args.generations, seed=args.seed)
        table = calibrate(ts, args.out, settings, executor(args), predictive_draws=args.predictive,
                          predictive_scale=args.predictive_scale, log=lambda m: print(m, file=sys.stderr))
    except (TargetsError, CalibrationError) as e:
        raise UserError(str(e)) from None
    fits = table[table.role == "fit"]
    print(f"\n{'target':38s} {'observed':>10s} {'posterior median [90%]':>30s}  fits")
    for r in fits.itertuples():
        band = f"{r.posterior_median:.3g} [{r.posterior_p5:.3g}, {r.posterior_p95:.3g}]"
        print(f"{r.target:38s} {r.observed:10.3g} {band:>30s}  {'yes' if r.fits else 'NO'}")
    print(f"\nwritten: {args.out}/ (posterior.csv, posterior_summary.csv, fitted.yaml, fit.csv, fit.png)")
    return 0
