"""`run.py compare A.yaml B.yaml ... --out DIR`: several scenarios against one counterfactual.

One ensemble whose arms are the counterfactual and every scenario: in each replication all
arms share the random numbers, and the counterfactual runs once. Scenarios must describe the
same world (horizon, population, parameters) as the counterfactual; otherwise a difference
would mix a policy with an assumption, and they belong in separate `run`s.
"""

from __future__ import annotations

import time
from pathlib import Path

from .common import UserError, command_words
from .faults import check_room, compare_bytes
from .run_cmd import (add_ensemble_flags, add_parameter_flags, executor, fmt, parameter_words, parameterisation,
                      progress, province_label, run_manifest, with_overrides)

CF = "counterfactual"


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="compare scenarios against one counterfactual",
                       description="Run several scenarios against one counterfactual with the same random numbers "
                                   "and rank them by net jobs per EUR of extra public spending.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml")
    p.add_argument("--counterfactual", metavar="C.yaml",
                   help="the common counterfactual (default: the first scenario's)")
    add_ensemble_flags(p)
    add_parameter_flags(p)
    p.set_defaults(func=main)


def load_all(args):
    """The scenarios (with the flags applied, and the first one's seed and replications) and
    the common counterfactual, aligned to the first scenario."""
    from smartregion.model.scenario import ScenarioError, load_counterfactual, load_scenario

    try:
        first = with_overrides(load_scenario(args.scenarios[0]), args)
        common = {"seed": first.seed, "replications": first.replications}
        scenarios = [first] + [with_overrides(load_scenario(f), args).model_copy(update=common)
                               for f in args.scenarios[1:]]
        if args.counterfactual:
            load_scenario(args.counterfactual)  # its own errors name its own file
            first = first.model_copy(update={"counterfactual": str(Path(args.counterfactual).resolve())})
        cf = load_counterfactual(first)
    except ScenarioError as e:
        raise UserError(str(e)) from None
    if cf is None:
        raise UserError(f"{args.scenarios[0]}: counterfactual: none, so there is nothing to compare against; "
                        "allowed: --counterfactual FILE, or a first scenario that has a counterfactual")
    names = [s.name for s in scenarios]
    for f, s in zip(args.scenarios, scenarios, strict=True):
        if s.name == CF or names.count(s.name) > 1:
            raise UserError(f"{f}: name '{s.name}' is {'reserved' if s.name == CF else 'used by another scenario'}"
                            " in this comparison; allowed: distinct names other than 'counterfactual'")
        for key in ("horizon", "population", "parameters"):
            if getattr(s, key) != getattr(cf, key):
                raise UserError(f"{f}: {key} differs from that of the counterfactual {cf.name} (set by "
                                f"{args.scenarios[0]}); allowed: the same {key} in every compared scenario, or "
                                "separate `run`s")
    return scenarios, cf


def main(args) -> int:
    t0 = time.perf_counter()
    scenarios, cf = load_all(args)
    import numpy as np

    from smartregion.model import report
    from smartregion.model.ensemble import EnsembleSpec, run_ensemble, spec_of
    from smartregion.model.results import compare_frame

    from .output import StagedDir, write_manifest, write_resolved

    from smartregion.calibration.parameterisation import apply

    par = parameterisation(args, scenarios[0])  # calibrated by default, as `run`
    arms = {CF: cf, **{s.name: s for s in scenarios}}
    spec = apply(EnsembleSpec(arms={k: spec_of(v) for k, v in arms.items()}, seed=cf.seed,
                              replications=cf.replications), par)
    check_room(args.out, compare_bytes(len(scenarios)), f"{len(scenarios)} scenario(s): compare.csv, compare.png, "
               "scenario files")
    ex = executor(args)
    final: dict[str, dict[int, np.ndarray]] = {k: {} for k in arms}
    with StagedDir(args.out, force=args.force) as stage:
        with progress(args, spec.replications, 0, "compare") as bar:
            def finished(index, results):  # keep the end-of-horizon values only
                for arm, r in results.items():
                    final[arm][index] = r.metrics[-1].copy()  # a view would keep the whole run alive
                bar.update()
            run_ensemble(spec, ex, on_result=finished)
        stacked = {arm: np.stack([v[i] for i in sorted(v)]) for arm, v in final.items()}
        table = compare_frame(stacked, CF, cf.horizon.end)
        table.to_csv(stage / "compare.csv", index=False, lineterminator="\n")
        info = {"counterfactual": cf.name, "replications": spec.replications, "seed": spec.seed,
                "quarter": cf.horizon.end, "scale": cf.population.scale, "parameters": par.label()}
        report.save(report.compare_figure(table, info), stage / "compare.png")
        write_resolved(stage / "counterfactual.yaml", cf, None)
        files = []
        for s in scenarios:
            write_resolved(stage / "scenarios" / f"{s.name}.yaml", s, "../counterfactual.yaml")
            files.append(str(Path(args.out) / "scenarios" / f"{s.name}.yaml"))
        rerun = [*command_words(args), "compare", *files, "--counterfactual", str(Path(args.out) / "counterfactual.yaml"),
                 "--out", f"{args.out}-rerun", "--seed", str(spec.seed), "--replications", str(spec.replications),
                 *parameter_words(args, par)]
        write_manifest(stage, {**run_manifest(args, t0, spec, arms, rerun), "parameters": par.as_dict()})
    print_table(table, cf, spec, args.province)
    print(par.label())
    print(f"\nwritten: {args.out}/ (compare.csv, compare.png, manifest.json)")
    return 0


def print_table(table, cf, spec, province: str = "NL") -> None:
    from smartregion.model.units import describe

    nl = table[table["province"] == province]
    print(f"\nagainst {cf.name}, {province_label(province)}, {cf.horizon.end}: mean [90% band] over "
          f"{spec.replications} replications; {describe(cf.population.scale)}")
    head = f"  {'scenario':<28} {'net jobs':>26} {'net adopters':>13} {'extra spend':>13} {'cost per net job':>17}" \
           f" {'jobs per EUR M':>15}"
    print(head)
    for _, r in nl.iterrows():
        jobs = f"{fmt(r['net_jobs_mean'], 'jobs')} [{fmt(r['net_jobs_p5'], 'jobs')}..{fmt(r['net_jobs_p95'], 'jobs')}]"
        per_m = r["net_jobs_per_eur_million_mean"]
        per_m = f"{per_m:,.1f}" if per_m == per_m else "n/a"  # NaN: no extra spending
        print(f"  {r['scenario']:<28} {jobs:>26} {fmt(r['net_adopters_mean'], 'firms'):>13} "
              f"{fmt(r['extra_public_spend_eur_mean'], 'EUR'):>13} {fmt(r['cost_per_net_job_eur_mean'], 'EUR/job'):>17}"
              f" {per_m:>15}")
    for _, r in nl[nl["note"] != ""].iterrows():  # savings, or no net jobs: said in words
        print(f"  {r['scenario']}: {r['note']}")
