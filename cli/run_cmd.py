"""`run.py run SCENARIO.yaml --out DIR`: a scenario against its counterfactual, with bands.

Replications stream to DIR.partial/parts as they finish (one Parquet directory each); the
tables, the report and the manifest are built from those parts at the end, and DIR.partial
is renamed to DIR only when everything is written.

The model, pandas and matplotlib are imported inside the functions that need them, so that
`--help` and mistakes in the input answer at once.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

from .common import UserError, command_words, install_hint

MAX_SEED = 2**63 - 1
MAX_REPLICATIONS = 10_000
MAX_SCALE = 50.0


# --- flags shared with compare ---------------------------------------------------------------

def _whole(text: str, lo: int, hi: int) -> int:
    try:
        v = int(text)
    except ValueError:
        v = None
    if v is None or not lo <= v <= hi:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a whole number from {lo} to {hi:,}")
    return v


def seed_flag(text: str) -> int:
    return _whole(text, 0, MAX_SEED)


def replications_flag(text: str) -> int:
    return _whole(text, 1, MAX_REPLICATIONS)


def workers_flag(text: str) -> int:
    return _whole(text, 1, 4096)


def scale_flag(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not 0 < v <= MAX_SCALE:  # also false for NaN
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number above 0 and at most {MAX_SCALE:g} "
                                         "(1 = all Dutch firms)")
    return v


def province_flag(text: str) -> str:
    """A province by code or name, any case (Limburg, li, Fryslân), or NL for the whole country."""
    from smartregion.model.regions import NATIONAL, province_code, province_mapping_text, province_suggestion

    if text.strip().lower() in ("nl", "nederland", "netherlands"):
        return NATIONAL
    code = province_code(text)
    if code is None:
        raise argparse.ArgumentTypeError(f"unknown province {text!r}{province_suggestion(text)}; allowed: NL or a "
                                         f"province code or name ({province_mapping_text()})")
    return code


def add_ensemble_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (must not exist, see --force)")
    p.add_argument("--replications", type=replications_flag, metavar="N",
                   help="replications (default: the scenario's)")
    p.add_argument("--seed", type=seed_flag, metavar="S", help="root random seed (default: the scenario's)")
    p.add_argument("--workers", type=workers_flag, default=os.cpu_count() or 1, metavar="N",
                   help="local worker processes (default: all %(default)s CPUs); results do not depend on it")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster (tcp://HOST:8786, or 'local' for one on this machine)")
    p.add_argument("--scale", type=scale_flag, metavar="X",
                   help="population scale (default: the scenario's; 0.1 for a quick look)")
    p.add_argument("--force", action="store_true", help="replace DIR if it exists (an earlier output only)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--province", type=province_flag, default="NL", metavar="NAME",
                   help="the terminal table for this province, by code or name (LI, Limburg, Fryslân); default NL")


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run a scenario against its counterfactual",
                       description="Run a scenario and its counterfactual with the same random numbers and write "
                                   "tables, a report and a manifest into DIR.")
    p.add_argument("scenario", metavar="SCENARIO.yaml")
    add_ensemble_flags(p)
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run from the replications in DIR.partial")
    p.add_argument("--tables", choices=("csv", "parquet"), default="csv",
                   help="format of the per-replication tables (timeseries, breakdown, spend): csv (default) or "
                        "parquet, about a tenth of the size and quicker to read for large ensembles; "
                        "summary.csv is always CSV")
    add_parameter_flags(p)
    p.set_defaults(func=main)


def add_parameter_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--parameters", choices=("calibrated", "defaults"),
                   help="calibrated (default): draw the estimated parameters per pair of replications from the "
                        "shipped posterior (calibration/fitted/baseline), so that bands include parameter "
                        "uncertainty; defaults: the registry defaults of model/params.py")
    p.add_argument("--posterior", metavar="POSTERIOR.csv",
                   help="draw the parameters from this posterior instead (posterior.csv of run.py calibrate, "
                        "next to its calibration.json)")


# --- loading ---------------------------------------------------------------------------------

def load(path: str, args):
    """The scenario with the command line's seed, replications and scale applied (so that the
    resolved scenario written to the output is exactly what ran), and its counterfactual."""
    from smartregion.model.scenario import ScenarioError, load_counterfactual, load_scenario

    try:
        s = with_overrides(load_scenario(path), args)
        return s, load_counterfactual(s)
    except ScenarioError as e:
        raise UserError(str(e)) from None


def with_overrides(s, args):
    """The scenario with --seed, --replications and --scale applied (validated by their flag
    types, so a copy without re-validation is safe)."""
    from smartregion.model.scenario import Population

    update = {}
    if args.seed is not None:
        update["seed"] = args.seed
    if args.replications is not None:
        update["replications"] = args.replications
    if args.scale is not None:
        update["population"] = Population(scale=args.scale, network=s.population.network)
    return s.model_copy(update=update)


def parameterisation(args, scenario):
    """The run's parameterisation (calibration/parameterisation.py), checked before anything runs:
    a stale or unreadable posterior is one line naming what refreshes it."""
    from smartregion.calibration.parameterisation import ParameterisationError, choose

    try:
        par = choose(getattr(args, "parameters", None), scenario, getattr(args, "posterior", None))
    except ParameterisationError as e:
        raise UserError(str(e)) from None
    if par.note:
        print(f"note: {par.note}", file=sys.stderr)
    return par


def parameter_words(args, par) -> list[str]:
    """The flags that rerun the same parameterisation."""
    if getattr(args, "posterior", None):
        return ["--posterior", args.posterior]
    return ["--parameters", par.kind]


def executor(args):
    from smartregion.model.ensemble import Executor

    if args.scheduler:
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise UserError(f"--scheduler needs Dask; allowed: install it with {install_hint('cluster')}, or run "
                            "without --scheduler")
        check_reachable(args.scheduler)
    return Executor(workers=args.workers, scheduler=args.scheduler, notify=note)


def note(text: str) -> None:
    """One line on stderr that does not break the progress bar."""
    from tqdm import tqdm

    tqdm.write(f"note: {text}", file=sys.stderr)


def check_reachable(address: str) -> None:
    """A tcp:// scheduler that does not answer is a typo or a stopped cluster: say so now, in
    one line, rather than after Dask's 30 s timeout with a traceback."""
    import socket
    from urllib.parse import urlsplit

    allowed = "allowed: the address a running `dask scheduler` prints (tcp://HOST:PORT), or 'local'"
    if address == "local":
        return
    try:
        url = urlsplit(address if "://" in address else f"tcp://{address}")
        host, port = url.hostname, url.port
    except ValueError:
        raise UserError(f"--scheduler {address}: not an address; {allowed}") from None
    if url.scheme != "tcp" or host is None:
        return  # tls://, ucx:// ...: Dask checks those itself
    if port is None:
        raise UserError(f"--scheduler {address}: no port; {allowed}")
    try:
        socket.create_connection((host, port), timeout=10).close()
    except OSError as e:
        raise UserError(f"--scheduler {address}: cannot connect ({e.strerror or e}); {allowed}") from None


def progress(args, total: int, done: int, desc: str):
    import threading

    from tqdm import tqdm

    # tqdm's default lock includes a multiprocessing lock, which starts the resource tracker
    # process; if that tracker is killed, its replacement prints a KeyError traceback at the
    # end of a correct run. Our bars live in one process: a thread lock is all they need.
    tqdm.set_lock(threading.RLock())
    return tqdm(total=total, initial=done, desc=desc, unit="rep", file=sys.stderr, disable=args.no_progress,
                dynamic_ncols=True)


def run_manifest(args, t0: float, spec, arms: dict, rerun: list[str]) -> dict:
    """What the manifest of run and compare share; `arms` maps a label to a scenario."""
    from .output import environment, seed_sequences

    return {
        "command": shlex.join([*command_words(args), *sys.argv[1:]]),
        "cwd": os.getcwd(),
        "rerun": shlex.join(rerun),
        "seed": spec.seed,
        "replications": spec.replications,
        "scale": next(iter(arms.values())).population.scale,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "scenarios": {k: v.resolved_dict() for k, v in arms.items() if v is not None},
        "hashes": {k: v.content_hash() for k, v in arms.items() if v is not None},
        "replication_seeds": seed_sequences(spec),
        **environment(),
        "wall_time_s": round(time.perf_counter() - t0, 3),
    }


# --- the command -----------------------------------------------------------------------------

def main(args) -> int:
    t0 = time.perf_counter()
    scenario, cf = load(args.scenario, args)
    from smartregion.model.ensemble import ensemble_spec, run_ensemble

    from .output import PartStore, StagedDir, model_code_hash, sha256, write_manifest

    from smartregion.calibration.parameterisation import apply

    par = parameterisation(args, scenario)
    spec = apply(ensemble_spec(scenario, cf), par)
    ex = executor(args)
    identity = {"scenario": scenario.name, "scenario_hash": scenario.content_hash(),
                "counterfactual_hash": cf.content_hash() if cf is not None else None,
                "seed": spec.seed, "replications": spec.replications, "scale": scenario.population.scale,
                "model_code": model_code_hash(),
                "posterior": sha256(Path(par.posterior)) if par.calibrated else None}
    check_space(args, spec, scenario)
    from smartregion.model.mechanisms import compile_first  # before workers start: they load what it compiles
    compile_first(lambda: note("compiling the model (first run only, about 15 s)"))
    with StagedDir(args.out, force=args.force, resume=args.resume, identity=identity,
                   resume_command=resume_command()) as stage:
        store = PartStore(stage / "parts")
        for index, why in store.discard_damaged():
            print(f"replication {index}'s part in {args.out}.partial is damaged ({why}): computed again",
                  file=sys.stderr)
        done = store.done()
        if done:
            print(f"resuming: {len(done)} of {spec.replications} replications already done in {args.out}.partial",
                  file=sys.stderr)
        with progress(args, spec.replications, len(done), scenario.name) as bar:
            def finished(index, arms):
                store.write(index, arms)
                bar.update()
            run_ensemble(spec, ex, on_result=finished, skip=done)
        summary = write_tables(stage, store, scenario, cf, spec, args.tables, par)
        rerun = [*command_words(args), "run", str(Path(args.out) / "scenario.yaml"), "--out", f"{args.out}-rerun",
                 "--seed", str(spec.seed), "--replications", str(spec.replications)]
        rerun += parameter_words(args, par)
        if args.tables != "csv":
            rerun += ["--tables", args.tables]
        manifest = run_manifest(args, t0, spec, {"scenario": scenario, "counterfactual": cf}, rerun)
        posterior = ({"path": args.posterior or par.posterior, "sha256": identity["posterior"]}
                     if par.calibrated else None)
        write_manifest(stage, {**manifest, "parameters": par.as_dict(), "posterior": posterior,
                               "replications_resumed": len(done)})
    print_headline(summary, scenario, cf, args.province, par)
    print(f"\nwritten: {args.out}/ (summary.csv, timeseries.{args.tables}, report.png, structure.csv/png, manifest.json)")
    return 0


def resume_command() -> str:
    """The command line of this run with --resume: what continues it after a fault."""
    argv = [a for a in sys.argv[1:] if a != "--force"]
    return shlex.join(["python", "run.py", *argv, *([] if "--resume" in argv else ["--resume"])])


def check_space(args, spec, scenario) -> None:
    """Refuse a run whose output clearly does not fit on the disk of --out."""
    from smartregion.model.timeline import parse_quarter

    from .output import PARTS, PartStore, check_free_space, space_needed

    staging = Path(args.out).expanduser().resolve()
    staging = staging.with_name(staging.name + ".partial")
    done = len(PartStore(staging / PARTS).done()) if args.resume else 0
    quarters = parse_quarter(scenario.horizon.end) - parse_quarter(scenario.horizon.start) + 1
    tables, parts = space_needed(spec.replications, len(spec.arms), quarters, args.tables, done)
    check_free_space(args.out, tables, parts, spec.replications)


def write_tables(stage: Path, store, scenario, cf, spec, fmt: str = "csv", par=None):
    """The per-replication tables from the parts (one replication at a time, as CSV or
    Parquet), the summary, the report and the resolved scenario files; returns the summary.

    The tables (time series, breakdown, spend) are written by a second process meanwhile (at
    the end of a run the workers are done and their cores free), and the structure report by
    a third while this one draws the report.
    `par` (calibration/parameterisation.py) adds which parameters ran and, when they were drawn
    from a posterior, the share of each band that is parameter uncertainty."""
    import numpy as np

    from smartregion.model import report, structure_report
    from smartregion.model.ensemble import beside
    from smartregion.model.model import REGIONS_OUT
    from smartregion.model.results import metric_arrays, part_metric_arrays, summary_from_final

    from .output import write_resolved

    indices = store.done()
    if indices != list(range(spec.replications)):
        raise RuntimeError(f"replications on disk {indices} are not 0..{spec.replications - 1}")
    national: dict[str, list] = {}  # NL [quarter, metric] and last quarter [region, metric], per
    final: dict[str, list] = {}     # arm and replication: all that the summary and report need
    quarters = None
    policy_sum = policy_count = None  # the policy arm's mean over replications, for the structure report
    with beside(write_tables_from_parts, stage, store.dir, indices, fmt) as tables:
        for index in indices:
            quarters, arms = (part_metric_arrays(part := store.read_arrow(index, "timeseries"))
                              or metric_arrays(part.to_pandas()))
            for arm, arr in arms.items():  # copies: a view would keep all of arr alive
                national.setdefault(arm, []).append(arr[0, :, REGIONS_OUT.index("NL")].copy())
                final.setdefault(arm, []).append(arr[0, -1].copy())
                if arm == "policy":  # a running sum, not every replication: memory flat in their number
                    ok = ~np.isnan(arr[0])
                    if policy_sum is None:
                        policy_sum, policy_count = np.zeros(arr[0].shape), np.zeros(arr[0].shape)
                    policy_sum += np.where(ok, arr[0], 0.0)
                    policy_count += ok
        national = {arm: np.stack(v) for arm, v in national.items()}
        final = {arm: np.stack(v) for arm, v in final.items()}
        summary = summary_from_final(final["policy"], final["counterfactual"] if cf else None, quarters[-1])
        if par is not None:
            from smartregion.calibration.parameterisation import annotate_summary

            summary = annotate_summary(summary, par, final["policy"], final["counterfactual"] if cf else None)
        summary.to_csv(stage / "summary.csv", index=False, lineterminator="\n")
        info = {"scenario": scenario.name, "counterfactual": cf.name if cf else None, "replications": len(indices),
                "seed": spec.seed, "scale": scenario.population.scale}
        if par is not None:
            info["parameters"] = par.label()
        mean = np.divide(policy_sum, policy_count, out=np.full(policy_sum.shape, np.nan), where=policy_count > 0)
        # The two figures are drawn side by side (about 1.8 s of CPU together): the workers are
        # done, so the cores are free.
        with beside(structure_report.write, stage, quarters, mean[None], scenario.population.scale) as structure:
            report.save(report.report_figure(quarters, national, final, info), stage / "report.png")
            structure.result()
        write_resolved(stage / "scenario.yaml", scenario, "counterfactual.yaml" if cf else None)
        if cf is not None:
            write_resolved(stage / "counterfactual.yaml", cf, None)
        tables.result()
    return summary


def write_tables_from_parts(stage: Path, parts: Path, indices: list[int], fmt: str) -> None:
    for table in ("timeseries", "breakdown", "spend"):
        write_table(stage, parts, table, indices, fmt)


def write_table(stage: Path, parts: Path, table: str, indices: list[int], fmt: str) -> None:
    """One output table (CSV or Parquet) from the parts, one replication at a time."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from .output import PartStore, plain_schema

    store, writer = PartStore(parts), None
    try:
        for index in indices:
            part = store.read_arrow(index, table)
            if writer is None:
                schema = plain_schema(part.schema)
                writer = (pacsv.CSVWriter(stage / f"{table}.csv", schema) if fmt == "csv"
                          else pq.ParquetWriter(stage / f"{table}.parquet", schema))
            writer.write_table(part.cast(schema))  # Parquet: one row group per replication
    finally:
        if writer is not None:
            writer.close()


# --- the terminal table ----------------------------------------------------------------------

def province_label(code: str) -> str:
    """'NL' or 'LI Limburg': the code and the name in table titles."""
    from smartregion.model.regions import PROVINCE_NAMES

    return f"{code} {PROVINCE_NAMES[code]}" if code in PROVINCE_NAMES else code


def fmt(value: float, unit: str) -> str:
    """A number as a memo writes it: signed counts, EUR in millions, cost per job in EUR."""
    import math

    if value == math.inf:
        return "unbounded"
    if not math.isfinite(value):
        return "n/a"
    if unit == "EUR":
        return f"EUR {value / 1e6:,.1f}M"
    if unit == "EUR/job":
        return f"EUR {value:,.0f}"
    if unit == "kEUR/worker":
        return f"{value:+.2f}"
    return f"{value:+,.0f}"


def print_headline(summary, scenario, cf, province: str = "NL", par=None) -> None:
    from smartregion.model.results import headline
    from smartregion.model.units import describe

    if cf is None:
        print(f"{scenario.name} has no counterfactual: effects are not defined; see summary.csv for levels.")
        return
    h = headline(summary, province)
    print(f"\n{scenario.name} vs {cf.name}, {province_label(province)}, {summary['quarter'].iloc[0]}: mean [90% band] over "
          f"{summary['replications'].iloc[0]} replications; {describe(scenario.population.scale)}")
    words = {}
    if par is not None:
        from smartregion.calibration.predictive import data_words, load_spreads

        print(f"{par.label()}")
        calibrated = par.calibrated and "parameter_share" in summary.columns
        if calibrated:
            print("  (param. = share of the band's variance that is parameter uncertainty, the rest is chance)")
            shares = summary[summary["province"] == province].set_index("metric")["parameter_share"]
        spreads = load_spreads(par.posterior) if par.calibrated else None
        for _, r in h.iterrows():
            words[r["metric"]] = data_words(r["metric"], r["p5"], r["p95"], spreads, par.calibrated)
    width = max(len(x) for x in h["label"])
    for _, r in h.iterrows():
        unit = {"EUR": "", "EUR/job": "per net job"}.get(r["unit"], r["unit"])
        if r["metric"] == "cost_per_net_job_eur" and r["note"]:
            unit = f"({r['note']})"  # savings, or no net jobs: what happened instead of a ratio
        band = f"[{fmt(r['p5'], r['unit'])} .. {fmt(r['p95'], r['unit'])}]"
        extra = ""
        if par is not None and calibrated:
            share = shares.get(r["metric"], float("nan"))
            extra = f"  param. {share:4.0%}" if share == share else "  param.  n/a"
        if words.get(r["metric"]):
            extra += f"  {words[r['metric']]}"
        print(f"  {r['label']:<{width}}  {fmt(r['value'], r['unit']):>14}  {band:<30} {unit}{extra}")
