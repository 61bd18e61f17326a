"""How much wider do the bands get when runs carry parameter uncertainty?

Runs the baseline against its counterfactual twice with the same replication seeds:
(a) every replication at the fitted parameter file (posterior medians): bands from random
    noise only;
(b) every replication with its own parameter set drawn from the posterior (RunSpec.posterior,
    as `run.py run --posterior` sets it; calibration/posterior.py draws from the "posterior"
    stream of the replication's seed): bands from noise and parameters.

    python calibration/scripts/posterior_bands.py [--replications 40] [--scale 0.5] [--workers 2]
        [--calibration calibration/fitted/baseline]

Prints mean and 90% band of the headline outcomes for both, as reported in docs/CALIBRATION.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from smartregion.model.ensemble import Executor, ReplicationTask, run_replication, spec_of
from smartregion.model.scenario import Population, load_counterfactual, load_scenario
from smartregion.model.streams import replication_seeds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calibration", default=str(ROOT / "calibration" / "fitted" / "baseline"))
    ap.add_argument("--replications", type=int, default=40)
    ap.add_argument("--scale", type=float, default=0.5)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    cal = Path(args.calibration)
    s = load_scenario(cal / "fitted.yaml")
    s = s.model_copy(update={"population": Population(scale=args.scale, network=s.population.network)})
    cf = load_counterfactual(s)
    seeds = replication_seeds(s.seed, args.replications)
    base = {"policy": spec_of(s), "counterfactual": spec_of(cf)}
    drawn = {arm: dataclasses.replace(spec, posterior=str(cal / "posterior.csv")) for arm, spec in base.items()}
    variants = {"fitted medians (noise only)": base, "posterior draws (noise + parameters)": drawn}
    ex = Executor(args.workers)
    print(f"baseline vs {cf.name}, {args.replications} replications, scale {args.scale}, end {s.horizon.end}; "
          "mean [5%, 95%]")
    for label, arms in variants.items():
        tasks = [ReplicationTask(i, seed, arms) for i, seed in enumerate(seeds)]
        rows = []
        for _, res in ex.ordered_map(run_replication, tasks):
            p, c = res["policy"], res["counterfactual"]
            rows.append(((p.value("employment") - c.value("employment")) / args.scale,
                         (p.value("adopters") - c.value("adopters")) / args.scale, 100 * p.value("adoption_rate")))
        a = np.array(rows)
        print(f"\n{label}")
        for j, name in enumerate(("net jobs", "net adopters", "adoption rate %")):
            lo, hi = np.percentile(a[:, j], [5, 95])
            print(f"  {name:16s} {a[:, j].mean():10.1f}  [{lo:10.1f}, {hi:10.1f}]  width {hi - lo:.1f}")


if __name__ == "__main__":
    main()
