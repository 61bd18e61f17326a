"""Every speed target of smartregion (issue 16) measured side by side in one command; prints the
table and writes it to benchmarks/RESULTS.md.

    python benchmarks/run_all.py            # the full set, on a quiet machine
    python benchmarks/run_all.py --quick    # small sizes, to check that it runs; writes nothing

1. Stepping: firm-steps per second of full-population runs against agent-steps per second of
   Mesa's `virus_on_network` example (30,000 nodes, degree 6, 50 steps), timed in turn in one
   process (benchmarks/stepping_vs_mesa.py): the median ratio over rounds, with its range.
2. One full-population run including set-up, in a warm process.
3. The first run in a fresh process: with the on-disk compile cache warm, and cold
   (NUMBA_CACHE_DIR pointed at an empty directory, so every kernel compiles).
4. `run.py run` of a shipped scenario, 100 replications, 2 workers, end to end (process start
   to exit, after the last file and the report are written).
5. The shipped calibration (the settings that made calibration/fitted/baseline, read from its
   calibration.json: budget, particles, scale, and the fit check's runs and scale; the same as
   `run.py calibrate`'s defaults) on 2 workers, start to exit. With --quick a toy budget,
   extrapolated (said so in the table).
6. The dashboard's latency from a slider move to new numbers (benchmarks/dashboard_latency.py); and
   the CPU time of an arm forked from its counterfactual against the arm alone
   (benchmarks/fork_arm.py: what model/fork.py saves a scenario on top of the baseline).
7. 1,000,000 firms: time against the 27,000-firm run and peak memory, each in a fresh process,
   the two sizes in turn for three rounds (the median ratio, with its range).
8. Streaming: peak memory and output size of `run.py run` with 10 and 1,000 replications
   (--no-streaming leaves it out).

Timings depend on the machine and on what else runs on it: the table records the CPU, the
versions and the load average before and after; a load above the number of CPUs means other
work competed for them and the figures are not benchmarks. On shared virtual machines the same
code's speed also moves by up to 1.5x within a minute with nothing else running here: the two
ratios (stepping against Mesa, 1M against 27k firms) are therefore taken in turn, round by
round, and absolute times compare only within one run of this script.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from treemem import measure  # noqa: E402

SHIPPED_POSTERIOR = ROOT / "calibration" / "fitted" / "baseline"  # the shipped calibration and its settings
SCENARIO = "fieldlab_expansion_north"  # the scenario of issue 16's end-to-end figure
FULL = dict(repeats=7, virus=(30_000, 6, 50, 3), e2e=(100, 1.0), million=36.5, scaling_repeats=3, scaling_rounds=3,
            abc_fraction=1.0, predictive=100)  # the shipped calibration itself, measured
QUICK = dict(repeats=2, virus=(3_000, 6, 10, 1), e2e=(4, 0.1), million=2.0, scaling_repeats=1, scaling_rounds=1,
             abc_fraction=None, predictive=2)


def python(script: str, *args, env: dict | None = None) -> dict:
    """Run a benchmark script in a fresh interpreter; its last line is JSON. Adds the wall time
    from launching the interpreter to its exit (`process_s`)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, str(HERE / script), *map(str, args)], cwd=ROOT, check=True,
                         capture_output=True, text=True, env=env).stdout
    return {**json.loads(out.strip().splitlines()[-1]), "process_s": time.perf_counter() - t0}


def machine() -> str:
    import mesa
    import numba
    import numpy
    import scipy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else \
        platform.processor()
    return (f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"numba {numba.__version__}, scipy {scipy.__version__}, mesa {mesa.__version__}")


def end_to_end(replications: int, scale: float) -> dict:
    """`run.py run` of the shipped scenario with 2 workers: wall time from launch to exit."""
    out = Path(tempfile.mkdtemp(prefix="smartregion-bench-")) / "out"
    try:
        r = measure([sys.executable, "run.py", "run", f"scenarios/{SCENARIO}.yaml", "--out", str(out),
                     "--replications", str(replications), "--scale", str(scale), "--workers", "2", "--no-progress"],
                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        files = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    if r["returncode"] != 0:
        raise SystemExit(f"run.py run failed with code {r['returncode']}")
    return {**r, "files": files}


def streaming(replications: int, scale: float, tables: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix="smartregion-bench-")) / "out"
    try:
        r = measure([sys.executable, "run.py", "run", "scenarios/baseline.yaml", "--out", str(out), "--replications",
                     str(replications), "--scale", str(scale), "--workers", "2", "--no-progress", "--tables", tables],
                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) if out.is_dir() else 0
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    if r["returncode"] != 0:
        raise SystemExit(f"run.py run failed with code {r['returncode']}")
    return {"replications": replications, "scale": scale, "output_mib": size / 2**20, **r}


def calibration(fraction: float | None, predictive: int, quick: bool) -> dict:
    """`run.py calibrate` of the shipped targets on 2 workers with `fraction` of the shipped
    budget (or a toy budget when quick). The ABC part is extrapolated to the shipped budget by
    its seconds per model run (from its own per-generation log), the fit check to 100 runs
    each by its measured time."""
    shipped = json.loads((SHIPPED_POSTERIOR / "calibration.json").read_text())
    d = shipped["settings"]
    if quick:
        budget, population, scale, p_scale = 40, 20, 0.05, 0.05
    else:
        budget, population, scale, p_scale = max(int(d["budget"] * fraction), d["population_size"]), \
            d["population_size"], d["scale"], shipped["predictive"]["scale"]
    out = Path(tempfile.mkdtemp(prefix="smartregion-calib-")) / "out"
    cmd = [sys.executable, "run.py", "calibrate", "calibration/targets.yaml", "--out", str(out), "--budget",
           str(budget), "--population", str(population), "--scale", str(scale), "--workers", "2",
           "--predictive", str(predictive), "--predictive-scale", str(p_scale)]
    t0 = time.perf_counter()
    stamps: list[tuple[float, str]] = []
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:
            stamps.append((time.perf_counter() - t0, line.rstrip()))
        if proc.wait() != 0:
            raise SystemExit("run.py calibrate failed:\n" + "\n".join(s for _, s in stamps[-20:]))
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    wall = time.perf_counter() - t0
    gens = [(int(m[1]), float(m[2])) for _, s in stamps if (m := re.search(r"generation \d+: .*?(\d+)/\d+ runs, (\d+) s", s))]
    runs, abc_s = gens[-1]
    start_pred = next(t for t, s in stamps if s.startswith("predictive check"))
    end_pred = next((t for t, s in stamps if s.startswith("done:")), wall)
    pred_s = end_pred - start_pred
    return {"budget": budget, "population": population, "scale": scale, "runs": runs, "abc_s": abc_s,
            "wall_s": wall, "predictive": predictive, "predictive_scale": p_scale, "predictive_s": pred_s,
            "shipped_budget": d["budget"], "shipped_population": d["population_size"], "shipped_scale": d["scale"],
            "shipped_predictive": shipped["predictive"]["draws"], "abc_estimate_s": abc_s / runs * d["budget"],
            "predictive_estimate_s": pred_s * shipped["predictive"]["draws"] / predictive}


def dashboard(quick: bool) -> dict | str:
    """benchmarks/dashboard_latency.py's JSON, or its output and error when it failed."""
    args = ["--lever-moves", "2", "--parameter-moves", "1", "--replications", "4"] if quick else []
    out = subprocess.run([sys.executable, str(HERE / "dashboard_latency.py"), *args], cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode:
        return f"{out.stdout}\n(exit {out.returncode}) {out.stderr[-2000:]}".strip()
    return json.loads(out.stdout.strip().splitlines()[-1])


def refuse_stale_posterior() -> None:
    """Stop unless the shipped posterior records the current model source. After a change that
    keeps every number but not the source, every calibrated run (run.py run, the dashboard)
    first pays a reference run to check the posterior's fingerprint: about 3 s more on the
    100-replication run, a cost users do not pay once the posterior is restamped."""
    from smartregion.calibration.provenance import check

    status = check(SHIPPED_POSTERIOR)
    if status.words != "model fingerprint ok":
        raise SystemExit(f"benchmarks/run_all.py: the shipped posterior is not stamped with the current model "
                         f"source ({status.words}); run `python calibration/scripts/restamp.py "
                         f"calibration/fitted/baseline` first (it keeps the posterior if the numbers are the same)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, to check that everything runs; writes "
                                                          "RESULTS.md only with an explicit --out")
    ap.add_argument("--out", help="where to write the table (default benchmarks/RESULTS.md; none with --quick)")
    ap.add_argument("--no-calibration", action="store_true", help="skip the calibration timing")
    ap.add_argument("--no-streaming", action="store_true", help="skip the 10 vs 1,000 replication memory runs")
    args = ap.parse_args()
    cfg = QUICK if args.quick else FULL
    refuse_stale_posterior()
    out_path = args.out or (None if args.quick else str(HERE / "RESULTS.md"))

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    load0 = os.getloadavg()
    say("# smartregion benchmarks" + (" (QUICK: small sizes, not the targets' sizes)" if args.quick else ""))
    say()
    say(f"`python benchmarks/run_all.py{' --quick' if args.quick else ''}`, {time.strftime('%Y-%m-%d %H:%M %Z')}. "
        f"Machine: {machine()}.")
    say(f"Load average before: {load0[0]:.2f} / {load0[1]:.2f} / {load0[2]:.2f} (1 / 5 / 15 min).")
    say()

    # Warm the on-disk compile cache first, so that the single runs below measure warm code.
    python("single_run.py", "--scale", 0.01, "--repeats", 1)

    full = python("single_run.py", "--scale", 1.0, "--repeats", cfg["repeats"])
    nodes, degree, steps, rounds = cfg["virus"]
    virus = python("stepping_vs_mesa.py", "--nodes", nodes, "--degree", degree, "--steps", steps, "--rounds", rounds)
    ratio = virus["ratio_median"]
    warm = full["median_warm_total_s"]

    warm_cache = python("single_run.py", "--scale", 1.0, "--repeats", 1)
    with tempfile.TemporaryDirectory(prefix="numba-cold-") as cold_dir:
        cold = python("single_run.py", "--scale", 1.0, "--repeats", 1, env={**os.environ, "NUMBA_CACHE_DIR": cold_dir})

    reps, e2e_scale = cfg["e2e"]
    e2e = end_to_end(reps, e2e_scale)

    cal = None if args.no_calibration else calibration(cfg["abc_fraction"], cfg["predictive"], args.quick)
    dash = dashboard(args.quick)
    forked = python("fork_arm.py", "--scenario", SCENARIO, "--repeats", cfg["repeats"])

    # The two sizes in turn, each in a fresh process (memory is the process's peak): a round's
    # ratio compares two processes a few seconds apart, not minutes (see stepping_vs_mesa.py).
    pairs = [(python("single_run.py", "--scale", 1.0, "--repeats", cfg["scaling_repeats"]),
              python("single_run.py", "--scale", cfg["million"], "--repeats", cfg["scaling_repeats"]))
             for _ in range(cfg["scaling_rounds"])]
    x_times = sorted(big["best"]["total_s"] / base["best"]["total_s"] for base, big in pairs)
    x_time = statistics.median(x_times)
    base, big = pairs[0]
    big_gib = max(b["peak_rss_mib"] for _, b in pairs) / 1024

    say("## Targets")
    say()
    say("| target | measured | goal | |")
    say("| --- | ---: | ---: | --- |")
    say(f"| stepping vs Mesa `virus_on_network` ({virus['nodes']:,} nodes, degree {degree}, {virus['steps']} steps), "
        f"per agent-step, timed in turn (median of {len(virus['rounds'])} round{'s' if len(virus['rounds']) > 1 else ''}) | **{ratio:.0f}x** (rounds "
        f"{virus['ratio_min']:.0f}x-{virus['ratio_max']:.0f}x) | >= 100x | {verdict(ratio >= 100)} |")
    say(f"| one full-population run incl. set-up, warm process (median of {full['repeats'] - 1} after the first) | "
        f"{warm:.3f} s (best {full['best']['total_s']:.3f} s) | <= 0.05 s | {verdict(warm <= 0.05)} |")
    say(f"| first run in a fresh process, compile cache warm | {warm_cache['first_total_s']:.3f} s "
        f"(process start to exit {warm_cache['process_s']:.2f} s, imports {warm_cache['imports_s']:.2f} s) | "
        f"<= 1 s | {verdict(warm_cache['first_total_s'] <= 1)} |")
    say(f"| first run in a fresh process, compile cache cold | {cold['first_total_s']:.2f} s "
        f"(process start to exit {cold['process_s']:.2f} s) | reported | |")
    say(f"| `run.py run scenarios/{SCENARIO}.yaml --replications {reps}"
        f"{'' if e2e_scale == 1 else f' --scale {e2e_scale}'} --workers 2`, process start to exit | "
        f"{e2e['wall_s']:.2f} s | <= 8 s | {verdict(e2e['wall_s'] <= 8) if not args.quick else 'n/a (quick)'} |")
    if cal is not None:
        measured = cal["budget"] == cal["shipped_budget"] and cal["predictive"] == cal["shipped_predictive"]
        est = cal["wall_s"] if measured else cal["abc_estimate_s"] + cal["predictive_estimate_s"]
        say(f"| shipped calibration ({cal['shipped_population']} particles, {cal['shipped_budget']:,} runs at scale "
            f"{cal['shipped_scale']} + fit check), 2 workers, {'start to exit' if measured else '**extrapolated**'} | "
            f"{est / 60:.1f} min | <= 3 min | {verdict(est <= 180) if not args.quick else 'n/a (quick)'} |")
    if isinstance(dash, dict):
        for kind, goal in (("lever", "a policy lever"), ("parameter", "an uncertain parameter")):
            d = dash[kind]
            say(f"| dashboard: {goal} moved to new numbers on the page, full population, {dash['replications']} "
                f"replications, headless chromium (median of {d['moves']}) | all replications {d['median_s']:.2f} s; "
                f"first numbers ({', '.join(map(str, d['first_numbers_replications']))} "
                f"{'replication' if d['first_numbers_replications'] == [1] else 'replications'}) "
                f"{d['first_numbers_median_s']:.2f} s | <= {d['target_s']} s | {verdict(d['meets_target'])} "
                f"(first numbers: {verdict(d['first_numbers_meet_target'])}) |")
    say(f"| {big['firms']:,} firms: time / the {base['firms']:,}-firm time (median of {len(pairs)} round"
        f"{'s' if len(pairs) > 1 else ''} in turn) | {x_time:.1f}x (rounds {x_times[0]:.1f}x-{x_times[-1]:.1f}x) | <= 40x | "
        f"{verdict(x_time <= 40)} |")
    say(f"| {big['firms']:,} firms: peak memory of the process | {big_gib:.2f} GiB | <= 2 GiB | "
        f"{verdict(big_gib <= 2)} |")
    say()

    say("## Details")
    say()
    say(f"- Stepping (benchmarks/stepping_vs_mesa.py, one process, the two in turn): per round, smartregion "
        f"{virus['firms']:,} firms x {virus['quarters']} quarters (median of the round's runs) and Mesa "
        f"{virus['mesa']} virus_on_network {virus['nodes']:,} nodes ({virus['edges']:,} edges) x {virus['steps']} "
        "steps: " + "; ".join(f"{r['firm_steps_per_s'] / 1e6:.1f}M firm-steps/s against "
                              f"{r['agent_steps_per_s'] / 1e3:.0f}k agent-steps/s ({r['ratio']:.0f}x)"
                              for r in virus["rounds"]) +
        f". The model's stepping alone, in a process of its own: best {full['min_steps_s']:.3f} s of "
        f"{full['repeats']} runs. The virus graph is built with networkx.fast_gnp_random_graph (same G(n, p)): the "
        "example's erdos_renyi_graph does not finish at 30,000 nodes.")
    say(f"- Warm runs (set-up + run, s): {', '.join(f'{t:.3f}' for t in full['totals_s'])}; set-up of the best "
        f"{full['best']['setup_s'] * 1e3:.1f} ms.")
    say(f"- End to end: {reps} replications x 2 arms; peak RSS of the main process {e2e['peak_main_rss_mib']:.0f} MiB, "
        f"PSS of all processes {e2e['peak_tree_pss_mib']:.0f} MiB; wrote {', '.join(e2e['files'])}.")
    if cal is not None:
        say(f"- Calibration: measured `run.py calibrate calibration/targets.yaml --budget {cal['budget']} --population "
            f"{cal['population']} --scale {cal['scale']} --workers 2 --predictive {cal['predictive']} "
            f"--predictive-scale {cal['predictive_scale']}`: {cal['runs']} ABC runs in {cal['abc_s']:.0f} s "
            f"(the log's whole seconds), fit check {cal['predictive_s']:.1f} s, whole command {cal['wall_s']:.1f} s."
            + ("" if cal["budget"] == cal["shipped_budget"] else
               f" Extrapolated linearly: ABC {cal['abc_estimate_s']:.0f} s for {cal['shipped_budget']:,} runs, fit "
               f"check {cal['predictive_estimate_s']:.0f} s for {cal['shipped_predictive']} runs each (as shipped)."))
    say("- Dashboard (benchmarks/dashboard_latency.py" + ("" if isinstance(dash, dict) else ", FAILED") + "):")
    say()
    say("```")
    say(json.dumps(dash) if isinstance(dash, dict) else dash)
    say("```")
    fm = forked["median_cpu_s"]
    say(f"- Forking (benchmarks/fork_arm.py, {SCENARIO} against its counterfactual, full population, median of "
        f"{forked['repeats']} seeds, CPU time): the arm alone {fm['alone_s']:.3f} s; forked at step "
        f"{forked['fork_step']} of {forked['quarters']} {fm['forked_s']:.3f} s ({forked['forked_over_alone']:.2f}x: "
        f"snapshot {fm['snapshot_s'] * 1e3:.1f} ms, start {fm['start_s'] * 1e3:.1f} ms, the quarters left "
        f"{fm['rest_s'] * 1e3:.0f} ms).")
    say(f"- Scaling, best of {cfg['scaling_repeats']} each in a fresh process, the two sizes in turn: "
        + "; ".join(f"{a['firms']:,} firms {a['best']['total_s']:.3f} s (set-up {a['best']['setup_s']:.3f} s), "
                    f"{b['firms']:,} firms {b['best']['total_s']:.2f} s (set-up {b['best']['setup_s']:.2f} s, peak "
                    f"{b['peak_rss_mib']:.0f} MiB)" for a, b in pairs)
        + f". Peak of the {base['firms']:,}-firm process {base['peak_rss_mib']:.0f} MiB; after imports "
        f"{big['rss_after_imports_mib']:.0f} MiB.")
    say()

    if not args.no_streaming:
        counts = (10, 1000) if not args.quick else (2, 20)
        say("## Streaming: `run.py run scenarios/baseline.yaml --scale 0.1 --workers 2`")
        say()
        say("| replications | tables | wall time | peak RSS, main process | peak PSS, all processes | output on disk |")
        say("| ---: | --- | ---: | ---: | ---: | ---: |")
        rows = {}
        for reps, tables in ((counts[0], "csv"), (counts[1], "csv"), (counts[1], "parquet")):
            r = rows[reps, tables] = streaming(reps, 0.1, tables)
            say(f"| {reps:,} | {tables} | {r['wall_s']:.1f} s | {r['peak_main_rss_mib']:.0f} MiB | "
                f"{r['peak_tree_pss_mib']:.0f} MiB | {r['output_mib']:,.0f} MiB |")
        say()
        small, large = rows[counts[0], "csv"]["peak_main_rss_mib"], rows[counts[1], "csv"]["peak_main_rss_mib"]
        say(f"From {counts[0]:,} to {counts[1]:,} replications the main process's peak grows by {large - small:.0f} MiB "
            f"({100 * (large / small - 1):.0f}%): each finished replication goes to disk (Parquet) and is dropped, "
            "and the output tables are written from those parts one replication at a time.")
        say()
    load1 = os.getloadavg()
    say(f"Load average after: {load1[0]:.2f} / {load1[1]:.2f} / {load1[2]:.2f} (above {os.cpu_count()} means other "
        "work competed for the CPUs).")
    if out_path:
        Path(out_path).write_text("\n".join(lines) + "\n")
        print(f"\nwritten: {out_path}")


if __name__ == "__main__":
    main()
