"""Scenario discovery with the EMA Workbench: under which conditions does the North gain more
than 600 jobs from extra fieldlabs?

The policy question: scenarios/fieldlab_expansion_north.yaml opens four fieldlabs in
Groningen, Friesland and Drenthe from 2026, against the baseline. 600 jobs is the aim that the
Region of Smart Factories set itself (seed 002). We vary
- the levers: how many fieldlabs the North opens (1-12) and how many firms each takes in a
  year (4-24);
- the uncertainties: the parameters that drive net jobs most (Morris screening of the
  baseline, docs/CALIBRATION.md), over their plausible ranges;
run every experiment against the baseline with common seeds, and let PRIM find the box of
conditions in which net jobs in the North (GR+FR+DR, 2030Q4) exceed the threshold.

    python calibration/scripts/ema_north_jobs.py --out results/ema_north [--experiments 400]
        [--replications 2] [--scale 0.25] [--workers 2] [--threshold 600]
        [--from-csv EXPERIMENTS.csv] [--force]

Writes OUT/experiments.csv, OUT/prim_box_<threshold>.csv and OUT/ema_north_<threshold>.png. The
shipped results are calibration/fitted/ema_north/ and docs/calibration_ema_north_<threshold>.png;
writing over shipped files needs --force. Seeds: EMA's Latin hypercube draws from numpy's global
generator, seeded here; model replications use the scenario's seed sequence.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from smartregion.cli.common import refuse_shipped
from smartregion.model.scenario import SCENARIO_DIR

SCENARIO = SCENARIO_DIR / "fieldlab_expansion_north.yaml"
# The eight parameters with the largest Morris mu* on net jobs in the baseline
# (docs/CALIBRATION.md, section 5).
UNCERTAINTIES = ["routine_displacement", "expansion_jobs", "fieldlab_capacity", "tech_jobs_per_adoption",
                 "business_stealing", "own_pilot_share", "adoption_rate_max", "experiment_rate"]
LEVERS = [("north_fieldlabs", "count", 1, 12, True), ("north_fieldlabs", "capacity_per_year", 4, 24, False)]
SEED = 20260101
MAX_DIMS = 3


def run_experiments(args) -> pd.DataFrame:
    """Levers and uncertainties of every experiment with its outcomes, also saved as CSV."""
    # The EMA Workbench and the model are imported here, not at the top: a bad --out is refused
    # at once instead of after seconds of imports.
    from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator
    from ema_workbench.em_framework import sample_levers, sample_uncertainties

    from smartregion.calibration.ema import Lever, build_model

    levers = [Lever(name, attr, lo, hi, integer=integer) for name, attr, lo, hi, integer in LEVERS]
    model = build_model(str(SCENARIO), UNCERTAINTIES, levers, replications=args.replications, scale=args.scale)
    np.random.seed(SEED)
    t0 = time.time()
    evaluator = (MultiprocessingEvaluator(model, n_processes=args.workers) if args.workers > 1
                 else SequentialEvaluator(model))
    # One Latin hypercube over the uncertainties and one over the levers, paired row by row
    # ("sample"): every experiment has its own lever setting. Lists, because EMA 2.5's "sample"
    # combination needs their length.
    scenarios = list(sample_uncertainties(model, args.experiments))
    policies = list(sample_levers(model, args.experiments))
    with evaluator as ev:
        experiments, outcomes = ev.perform_experiments(scenarios=scenarios, policies=policies, combine="sample")
    print(f"{len(experiments)} experiments x {args.replications} replications in {time.time() - t0:.0f} s")
    table = experiments.drop(columns=["model", "policy", "scenario"]).assign(**outcomes)
    table.to_csv(args.out / "experiments.csv", index=False, float_format="%.6g")
    return table


def analyse(table: pd.DataFrame, threshold: float, note: str, out: Path) -> None:
    """PRIM on 'net jobs in the North above threshold', a box table and the figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ema_workbench.analysis import prim

    from smartregion.calibration.ema import outcome_names

    north = table["net_jobs_noord"].to_numpy()
    hit = north > threshold
    print(f"net jobs in the North: median {np.median(north):.0f}, 5-95% [{np.percentile(north, 5):.0f}, "
          f"{np.percentile(north, 95):.0f}]; above {threshold:g}: {hit.sum()} of {len(north)} ({hit.mean():.1%})")
    # PRIM pastes fractional limits into integer columns, which pandas 3 refuses: use floats.
    # The inputs are the table's own columns (all but the outcomes): a table saved by an older
    # model version keeps the uncertainties it was sampled over.
    outcomes = set(outcome_names())
    x = table[[c for c in table.columns if c not in outcomes]].astype(float)
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.8))
    places = x["north_fieldlabs__count"] * x["north_fieldlabs__capacity_per_year"]
    sc = axes[0].scatter(places, north, c=x["expansion_jobs"], cmap="viridis", s=10)
    axes[0].axhline(threshold, color="#b2182b", lw=1)
    axes[0].set_xlabel("fieldlab places a year in the North (count x capacity)")
    axes[0].set_ylabel("net jobs in the North, 2030Q4 (vs baseline)")
    fig.colorbar(sc, ax=axes[0], label="expansion_jobs")
    # Peel down to boxes of at least 2% of the experiments, then keep the densest box that
    # restricts at most MAX_DIMS dimensions: a rule a policymaker can read, not a 9-D overfit.
    p = prim.Prim(x, hit, threshold=0.5, peel_alpha=0.1, mass_min=0.02)
    box = p.find_box()
    trajectory = box.peeling_trajectory
    readable = trajectory[trajectory["res_dim"] <= MAX_DIMS]
    chosen = int(readable.sort_values(["density", "coverage"]).index[-1])
    box.select(chosen)
    stats = trajectory.loc[chosen]
    limits = box.box_lims[chosen]
    full = box.box_lims[0]
    restricted = [c for c in limits.columns if not np.allclose(limits[c].astype(float), full[c].astype(float))]
    limits[restricted].T.rename(columns={0: "low", 1: "high"}).to_csv(out / f"prim_box_{threshold:g}.csv")
    print(f"PRIM box (densest with at most {MAX_DIMS} restricted dimensions): coverage {stats['coverage']:.2f}, "
          f"density {stats['density']:.2f}, "
          f"mass {stats['mass']:.3f}, {int(stats['res_dim'])} restricted dimensions")
    for c in restricted:
        print(f"  {c}: {float(limits[c].iloc[0]):.4g} - {float(limits[c].iloc[1]):.4g} "
              f"(range {float(full[c].iloc[0]):.4g} - {float(full[c].iloc[1]):.4g})")
    if len(restricted) >= 2:
        a, b = restricted[:2]
        axes[1].scatter(x[a][~hit], x[b][~hit], s=6, color="#cccccc", label=f"net jobs <= {threshold:g}")
        axes[1].scatter(x[a][hit], x[b][hit], s=14, color="#b2182b", label=f"net jobs > {threshold:g}")
        axes[1].add_patch(plt.Rectangle((float(limits[a].iloc[0]), float(limits[b].iloc[0])),
                                        float(limits[a].iloc[1] - limits[a].iloc[0]),
                                        float(limits[b].iloc[1] - limits[b].iloc[0]),
                                        fill=False, ec="#053061", lw=1.5, label="PRIM box"))
        axes[1].set_xlabel(a + (" (box shown in its first two dimensions)" if len(restricted) > 2 else ""))
        axes[1].set_ylabel(b)
        axes[1].legend(fontsize=7, loc="upper left")
    text = "\n".join(f"{c}: {float(limits[c].iloc[0]):.3g} - {float(limits[c].iloc[1]):.3g}" for c in restricted)
    axes[1].set_title(f"PRIM box: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}\n{text}",
                      fontsize=8)
    fig.suptitle(f"Extra fieldlabs in the North (fieldlab_expansion_north vs baseline): {note}", fontsize=10)
    fig.tight_layout()
    figure = out / f"ema_north_{threshold:g}.png"
    fig.savefig(figure, dpi=110)
    print(f"wrote {out}/prim_box_{threshold:g}.csv and {figure}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", type=int, default=400)
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threshold", type=float, default=600)
    ap.add_argument("--from-csv", metavar="EXPERIMENTS.csv", type=Path,
                    help="analyse saved experiments again (another threshold) without running, e.g. "
                         "calibration/fitted/ema_north/experiments.csv")
    ap.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    ap.add_argument("--force", action="store_true", help="allow writing over shipped files")
    args = ap.parse_args()
    written = [args.out / f"prim_box_{args.threshold:g}.csv", args.out / f"ema_north_{args.threshold:g}.png"]
    refuse_shipped(ap, written + ([] if args.from_csv else [args.out / "experiments.csv"]), args.force)
    args.out.mkdir(parents=True, exist_ok=True)
    table = pd.read_csv(args.from_csv) if args.from_csv else run_experiments(args)
    note = f"{len(table)} experiments, {args.replications} replications, scale {args.scale}"
    analyse(table, args.threshold, note, args.out)


if __name__ == "__main__":
    main()
