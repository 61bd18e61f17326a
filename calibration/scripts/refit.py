"""Refit: the calibration, the predictive spreads and the validation tables and plots, in one go.

    python calibration/scripts/refit.py --out calibration/fitted/baseline --force \
        [--budget 6000] [--population 200] [--scale 0.5] [--predictive 100] [--predictive-scale 1.0] \
        [--spread-replications 100] [--spread-scale 0.5] [--workers 2] [--docs]

1. `calibrate` (ABC-SMC, calibration/calibrate.py) into DIR.refit (rerunning the same command
   resumes it there), recording the model's source hash and behaviour fingerprint;
2. the prior- and posterior-predictive spreads of the headline effects
   (calibration/predictive.py) -> DIR.refit/predictive_spread.csv;
3. the validation tables and plots (calibration/validation.py) -> DIR.refit/validation.md,
   fit_targets.png, holdouts.png; with --docs also docs/VALIDATION.md section 7 and
   docs/validation_fit.png, docs/validation_holdouts.png;
4. DIR.refit replaces DIR (with --force if DIR exists; only a calibration directory is replaced).

Recovery and Sobol are separate commands (docs/CALIBRATION.md, "Refit").
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from smartregion.calibration import predictive, validation
from smartregion.calibration.calibrate import SETTINGS_FILE, CalibrationError, calibrate
from smartregion.calibration.settings import AbcSettings
from smartregion.calibration.targets import TargetsError, load_targets
from smartregion.model.ensemble import Executor

CALIBRATION = Path(__file__).resolve().parents[1]
DOCS = CALIBRATION.parent / "docs"


def main() -> int:
    d = AbcSettings()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default=str(CALIBRATION / "targets.yaml"))
    ap.add_argument("--out", required=True, metavar="DIR")
    ap.add_argument("--force", action="store_true", help="replace DIR (a calibration directory) at the end")
    ap.add_argument("--budget", type=int, default=d.budget)
    ap.add_argument("--population", type=int, default=d.population_size)
    ap.add_argument("--scale", type=float, default=d.scale)
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--predictive", type=int, default=100, help="runs per predictive ensemble of the fit check")
    ap.add_argument("--predictive-scale", type=float, default=1.0)
    ap.add_argument("--spread-replications", type=int, default=100)
    ap.add_argument("--spread-scale", type=float, default=0.5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--docs", action="store_true", help="write section 7 of docs/VALIDATION.md and its two PNGs")
    args = ap.parse_args()

    out = Path(args.out)
    if out.exists() and not args.force:
        ap.error(f"{out} exists; allowed: --force to replace it when the refit is done, or another --out")
    if out.exists() and not (out / SETTINGS_FILE).is_file():
        ap.error(f"{out} is not a calibration directory (no {SETTINGS_FILE}); allowed: a calibration directory")
    work = out.with_name(out.name + ".refit")
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    ex = Executor(workers=args.workers)
    t0 = time.time()
    try:
        ts = load_targets(args.targets)
        settings = AbcSettings(scale=args.scale, population_size=args.population, budget=args.budget, seed=args.seed)
        calibrate(ts, work, settings, ex, predictive_draws=args.predictive, predictive_scale=args.predictive_scale,
                  log=log)
    except (TargetsError, CalibrationError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    t1 = time.time()
    table = predictive.predictive_spreads(work, ts.scenario, args.spread_replications, args.spread_scale, args.seed,
                                          ex, log)
    t2 = time.time()
    text = validation.markdown(work, out.as_posix())
    (work / "validation.md").write_text(text, encoding="utf-8")
    fit_png, hold_png = validation.plots(work, work)
    if args.docs:
        validation.write_section(DOCS / "VALIDATION.md", text)
        shutil.copyfile(fit_png, DOCS / "validation_fit.png")
        shutil.copyfile(hold_png, DOCS / "validation_holdouts.png")
    if out.exists():
        old = out.with_name(out.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        work.rename(out)
        shutil.rmtree(old)
    else:
        work.rename(out)
    print(table[["outcome", "prior_p5", "prior_p95", "posterior_p5", "posterior_p95", "narrowing",
                 "pinned_down"]].to_string(index=False))
    print(f"\nfit {t1 - t0:.0f} s, predictive spreads {t2 - t1:.0f} s, validation {time.time() - t2:.0f} s; "
          f"wrote {out}/ (posterior.csv, calibration.json, fit.csv/png, predictive_spread.csv, validation.md, "
          f"fit_targets.png, holdouts.png){' and docs/VALIDATION.md section 7' if args.docs else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
