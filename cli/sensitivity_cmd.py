"""`run.py sensitivity SCENARIO.yaml --method sobol|morris --out DIR`: which parameters drive
net jobs, adoption and cost per net job (SALib; calibration/sensitivity.py has the method).

DIR gets samples.csv (every sample point and its outcomes), indices.csv (outcome, parameter,
index, value, conf = half-width of the 95% bootstrap interval), sensitivity.png (bars with
those intervals) and manifest.json. It is written whole or not at all.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time

from .common import UserError, command_words, whole_number_at_least
from .faults import check_room, sensitivity_bytes
from .run_cmd import (
    executor,
    load,
    replications_flag,
    scale_flag,
    seed_flag,
    workers_flag,
)


def _parameters(text: str) -> list[str]:
    from smartregion.model.params import PARAMS, suggest

    names = [n.strip() for n in text.split(",") if n.strip()]
    for n in names:
        if n not in PARAMS:
            raise argparse.ArgumentTypeError(f"unknown parameter '{n}'{suggest(n, PARAMS)}; allowed: names from "
                                             "model/params.py, comma separated")
    if len(names) < 2 or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError("allowed: two or more different parameter names, comma separated")
    return names


_samples = whole_number_at_least(2)


def add_parser(sub) -> None:
    p = sub.add_parser("sensitivity", help="global sensitivity of net jobs, adoption and cost per net job (SALib)",
                       description="Sobol indices or Morris elementary effects of the parameters (over their "
                                   "plausible ranges) on a scenario's outcomes against its counterfactual.")
    p.add_argument("scenario", metavar="SCENARIO.yaml")
    p.add_argument("--method", choices=("sobol", "morris"), required=True)
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (must not exist, see --force)")
    p.add_argument("--n", type=_samples, metavar="N",
                   help="Sobol base sample (runs N x (k + 2), default 64) or Morris trajectories "
                        "(runs N x (k + 1), default 10)")
    p.add_argument("--parameters", type=_parameters, metavar="A,B,...",
                   help="parameters to vary (default: all of model/params.py)")
    p.add_argument("--replications", type=replications_flag, default=1, metavar="R",
                   help="common seeds averaged per sample point (default %(default)s)")
    p.add_argument("--scale", type=scale_flag, metavar="X", help="population scale (default: the scenario's)")
    p.add_argument("--seed", type=seed_flag, metavar="S", help="root seed (default: the scenario's)")
    p.add_argument("--workers", type=workers_flag, default=os.cpu_count() or 1, metavar="N",
                   help="local worker processes (default: all %(default)s CPUs); results do not depend on it")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://host:8786) instead")
    p.add_argument("--force", action="store_true", help="replace DIR if it is an earlier output")
    p.set_defaults(func=main)


def main(args) -> int:
    import pandas as pd

    from smartregion.calibration import sensitivity as sa
    from smartregion.calibration.sensitivity_plot import plot

    from .output import StagedDir, environment, write_manifest

    t0 = time.perf_counter()
    scenario, cf = load(args.scenario, argparse.Namespace(seed=args.seed, replications=None, scale=args.scale))
    if cf is None:
        raise UserError(f"{args.scenario}: has no counterfactual, so net jobs are not defined; allowed: a scenario "
                        "with a counterfactual (baseline, fieldlab_expansion_north, ...)")
    n = args.n or (64 if args.method == "sobol" else 10)
    prob = sa.problem(args.parameters)
    X = sa.sample(prob, args.method, n, seed=scenario.seed)
    total = len(X) * args.replications
    check_room(args.out, sensitivity_bytes(len(X), prob["num_vars"]),
               f"{len(X)} sample points x {prob['num_vars']} parameters: samples.csv, indices.csv, sensitivity.png")
    print(f"{args.method}: {len(X)} sample points x {args.replications} replication(s) x 2 arms, "
          f"{prob['num_vars']} parameters, scale {scenario.population.scale}", file=sys.stderr)
    identity = {"scenario": scenario.name, "scenario_hash": scenario.content_hash(), "method": args.method,
                "n": n, "seed": scenario.seed, "replications": args.replications,
                "scale": scenario.population.scale, "parameters": prob["names"]}
    with StagedDir(args.out, force=args.force, identity=identity) as stage:
        state = {"last": 0.0}

        def progress(done, _total):
            now = time.perf_counter()
            if done == _total or now - state["last"] > 10:
                state["last"] = now
                print(f"  {done}/{_total} sample runs (both arms) ({now - t0:.0f} s)", file=sys.stderr)

        Y = sa.scenario_outcomes(scenario, cf, prob, X, args.replications, executor(args), progress)
        indices = sa.analyze(prob, args.method, X, Y, seed=scenario.seed)
        samples = pd.concat([pd.DataFrame(X, columns=prob["names"]), Y], axis=1)
        samples.to_csv(stage / "samples.csv", index=False, float_format="%.6g")
        indices.to_csv(stage / "indices.csv", index=False, float_format="%.6g")
        plot(indices, args.method, stage / "sensitivity.png",
             f"{scenario.name} vs {cf.name}: {args.method}, {len(X)} points x {args.replications} rep., "
             f"scale {scenario.population.scale}, horizon end {scenario.horizon.end}")
        write_manifest(stage, {
            "command": shlex.join([*command_words(args), *sys.argv[1:]]), **identity, "sample_points": len(X),
            "runs": 2 * total, "skipped_outcomes": dict(indices.attrs["skipped"]),
            "wall_time_s": round(time.perf_counter() - t0, 1), **environment()})
    for outcome, count in indices.attrs["skipped"]:
        print(f"{outcome}: not analysed, undefined in {count} of {len(X)} sample points (net jobs or extra "
              "spending <= 0)")
    key = "ST" if args.method == "sobol" else "mu_star"
    for outcome in sa.OUTCOMES:
        top = sa.ranking(indices, outcome, args.method).head(5)
        if len(top):
            print(f"{outcome}: " + ", ".join(f"{r.parameter} {key} {r.value:.3g}±{r.conf:.2g}"
                                             for r in top.itertuples()))
    print(f"written: {args.out}/ (indices.csv, samples.csv, sensitivity.png, manifest.json)")
    return 0
