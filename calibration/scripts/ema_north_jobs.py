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

    python calibration/scripts/ema_north_jobs.py [--experiments 400] [--replications 2]
        [--scale 0.25] [--workers 2] [--threshold 600]

Writes calibration/fitted/ema_north/{experiments.csv, prim_box.csv} and
docs/calibration_ema_north.png. Seeds: EMA's Latin hypercube draws from numpy's global
generator, seeded here; model replications use the scenario's seed sequence.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator
from ema_workbench.analysis import prim
from ema_workbench.em_framework import sample_levers, sample_uncertainties

from calibration.ema import Lever, build_model

SCENARIO = ROOT / "scenarios" / "fieldlab_expansion_north.yaml"
# The eight parameters with the largest Morris mu* on net jobs in the baseline
# (docs/CALIBRATION.md, section 5).
UNCERTAINTIES = ["routine_displacement", "expansion_jobs", "fieldlab_capacity", "tech_jobs_per_adoption",
                 "tech_inflow_rate", "own_pilot_share", "adoption_rate_max", "experiment_rate"]
LEVERS = [Lever("north_fieldlabs", "count", 1, 12, integer=True),
          Lever("north_fieldlabs", "capacity_per_year", 4, 24)]
SEED = 20260101


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", type=int, default=400)
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threshold", type=float, default=600)
    args = ap.parse_args()

    model = build_model(str(SCENARIO), UNCERTAINTIES, LEVERS, replications=args.replications, scale=args.scale)
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
    seconds = time.time() - t0
    out = ROOT / "calibration" / "fitted" / "ema_north"
    out.mkdir(parents=True, exist_ok=True)
    table = experiments.drop(columns=["model", "policy", "scenario"]).assign(**outcomes)
    table.to_csv(out / "experiments.csv", index=False, float_format="%.6g")

    north = outcomes["net_jobs_noord"]
    hit = north > args.threshold
    print(f"{len(north)} experiments x {args.replications} replications in {seconds:.0f} s; net jobs in the "
          f"North: median {np.median(north):.0f}, 5-95% [{np.percentile(north, 5):.0f}, "
          f"{np.percentile(north, 95):.0f}]; above {args.threshold:g}: {hit.sum()} ({hit.mean():.1%})")
    x = experiments[[u for u in UNCERTAINTIES] + [lv.name for lv in LEVERS]]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    sc = axes[0].scatter(x["north_fieldlabs__count"] * x["north_fieldlabs__capacity_per_year"], north,
                         c=x["routine_displacement"], cmap="viridis", s=10)
    axes[0].axhline(args.threshold, color="#b2182b", lw=1)
    axes[0].set_xlabel("fieldlab places a year in the North (count x capacity)")
    axes[0].set_ylabel("net jobs in the North, 2030Q4 (vs baseline)")
    fig.colorbar(sc, ax=axes[0], label="routine_displacement")
    if hit.sum() >= 5:
        p = prim.Prim(x, hit, threshold=0.8, peel_alpha=0.1)
        box = p.find_box()
        stats = box.peeling_trajectory.iloc[box._cur_box]
        limits = box.box_lim.T
        limits.to_csv(out / "prim_box.csv")
        restricted = [c for c in limits.index if not np.allclose(limits.loc[c].astype(float).values,
                                                                 box.box_lims[0][c].astype(float).values)]
        print(f"PRIM box: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}, mass {stats['mass']:.2f}")
        print(limits.loc[restricted].to_string())
        for i, c in enumerate(restricted[:2]):
            axes[1].scatter(x[c], north, s=8, color=f"C{i}", label=c)
        axes[1].set_title(f"PRIM: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}", fontsize=9)
        box_text = "\n".join(f"{c}: {float(limits.loc[c].iloc[0]):.3g} - {float(limits.loc[c].iloc[1]):.3g}"
                             for c in restricted)
        axes[1].text(0.02, 0.98, "box\n" + box_text, transform=axes[1].transAxes, va="top", fontsize=8)
        axes[1].axhline(args.threshold, color="#b2182b", lw=1)
        axes[1].legend(fontsize=7, loc="lower right")
    else:
        axes[1].text(0.05, 0.5, f"only {hit.sum()} of {len(north)} experiments exceed {args.threshold:g}:\n"
                                "too few for PRIM", transform=axes[1].transAxes)
    fig.suptitle(f"Extra fieldlabs in the North (scenario fieldlab_expansion_north vs baseline): "
                 f"{len(north)} experiments, {args.replications} replications, scale {args.scale}", fontsize=10)
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "calibration_ema_north.png", dpi=110)
    print(f"wrote {out}/experiments.csv and docs/calibration_ema_north.png")


if __name__ == "__main__":
    main()
