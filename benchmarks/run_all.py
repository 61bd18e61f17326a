"""Every speed and memory figure of smartregion in one command; prints the table and writes it
to benchmarks/RESULTS.md.

    python benchmarks/run_all.py                  # about 15 minutes on 2 cores
    python benchmarks/run_all.py --no-streaming   # without the 1,000-replication CLI run

1. One full-population run (baseline policies, 68 quarters) including set-up, on one core.
2. Firm-steps per second against agent-steps per second of Mesa's `virus_on_network` example.
3. 100 replications of the baseline with its counterfactual on 2 worker processes.
4. Scaling to 270,000 and 1,000,000 firms: time and peak memory, each in a fresh process.
5. Streaming: peak memory and output size of `run.py run` with 10 and 1,000 replications.

Timings depend on the machine and on what else runs on it: the table records the CPU and the
load average before and after, and single runs report the best and the median of repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from treemem import measure

SCALES = (1.0, 10.0, 36.5)  # about 27,000, 270,000 and 1,000,000 firms
SCALING_REPEATS = 3


def python(script: str, *args) -> dict:
    """Run a benchmark script in a fresh interpreter; its last line is JSON."""
    out = subprocess.run([sys.executable, str(HERE / script), *map(str, args)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def machine() -> str:
    import mesa
    import numpy
    import scipy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else \
        platform.processor()
    return (f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"scipy {scipy.__version__}, mesa {mesa.__version__}")


def ensemble(replications: int, workers: int) -> dict:
    """The baseline against its counterfactual, full population, results streamed and dropped."""
    from smartregion.model.ensemble import Executor, ensemble_spec, run_ensemble
    from smartregion.model.scenario import load_counterfactual, load_scenario

    s = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    spec = ensemble_spec(s, load_counterfactual(s), replications=replications)
    done = []
    t0 = time.perf_counter()
    run_ensemble(spec, Executor(workers=workers), on_result=lambda i, arms: done.append(i))
    return {"replications": len(done), "workers": workers, "wall_s": time.perf_counter() - t0}


def streaming(replications: int, scale: float, workers: int, tables: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix="smartregion-bench-")) / "out"
    try:
        r = measure([sys.executable, "run.py", "run", "scenarios/baseline.yaml", "--out", str(out), "--replications",
                     str(replications), "--scale", str(scale), "--workers", str(workers), "--no-progress",
                     "--tables", tables], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) if out.is_dir() else 0
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    if r["returncode"] != 0:
        raise SystemExit(f"run.py run failed with code {r['returncode']}")
    return {"replications": replications, "scale": scale, "output_mib": size / 2**20, **r}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="single runs at full scale (best and median)")
    ap.add_argument("--no-streaming", action="store_true", help="skip the 10 vs 1,000 replication CLI runs")
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = ap.parse_args()

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    load0 = os.getloadavg()[0]
    say("# smartregion benchmarks")
    say()
    say(f"`python benchmarks/run_all.py`, {time.strftime('%Y-%m-%d %H:%M')}. Machine: {machine()}.")
    say()

    # 1: single runs at full scale; 4: every scale with the same number of repeats (best of as
    # many tries at each scale, so that the ratio does not favour the scale tried more often),
    # each scale in a fresh process
    full = python("single_run.py", "--scale", 1.0, "--repeats", args.repeats)
    runs = {s: python("single_run.py", "--scale", s, "--repeats", SCALING_REPEATS) for s in SCALES}
    say("## One run, full population (baseline policies, 2014Q1-2030Q4), one core")
    say()
    say(f"| firms | quarters | set-up + run, best of {full['repeats']} | median | first run in the process | "
        f"CPU time, best | target |")
    say("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    say(f"| {full['firms']:,} | {full['quarters']} | {full['best']['total_s']:.3f} s "
        f"(set-up {full['best']['setup_s']:.3f} s) | {full['median_total_s']:.3f} s | {full['first_total_s']:.3f} s "
        f"| {full['min_cpu_s']:.3f} s | <= 0.5 s: {'met' if full['median_total_s'] <= 0.5 else 'MISSED'} (median) |")
    say()

    # 2: against Mesa's example
    virus = python("mesa_virus.py", "--nodes", 30_000, "--degree", 6, "--steps", 50)
    ours_steps = full["firms"] * full["quarters"] / full["min_steps_s"]
    ours_total = full["firms"] * full["quarters"] / full["best"]["total_s"]
    theirs_steps = virus["nodes"] * virus["steps"] / virus["steps_s"]
    theirs_total = virus["nodes"] * virus["steps"] / (virus["steps_s"] + virus["setup_s"])
    say("## Steps per second against Mesa's `virus_on_network` example")
    say()
    say("| model | agents | steps | set-up | stepping | agent-steps/s (stepping) | incl. set-up |")
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    say(f"| smartregion (best of {full['repeats']}) | {full['firms']:,} firms | {full['quarters']} | {full['best']['setup_s']:.2f} s | "
        f"{full['min_steps_s']:.2f} s | {ours_steps:,.0f} | {ours_total:,.0f} |")
    say(f"| Mesa {virus['mesa']} virus_on_network (best of {virus['repeats']}) | {virus['nodes']:,} nodes, "
        f"{virus['edges']:,} edges | "
        f"{virus['steps']} | {virus['setup_s']:.2f} s | {virus['steps_s']:.2f} s | {theirs_steps:,.0f} | "
        f"{theirs_total:,.0f} |")
    say(f"| **ratio** | | | | | **{ours_steps / theirs_steps:.1f}x** | {ours_total / theirs_total:.1f}x |")
    say()
    cpu_ratio = (full["firms"] * full["quarters"] / full["min_steps_cpu_s"]) / (
        virus["nodes"] * virus["steps"] / virus["steps_cpu_s"])
    say(f"The same ratio in CPU time of the stepping: {cpu_ratio:.1f}x.")
    say()
    say("Target: at least 30x per agent-step (stepping): "
        f"{'met' if ours_steps / theirs_steps >= 30 else 'MISSED'}. A firm-step runs six mechanisms "
        "(awareness, trials, adoption, labour, productivity, reshoring), two peer products and the "
        "per-province, sector and size accounts; a virus agent-step is one state check and a few coin "
        "flips. The virus graph is built with networkx.fast_gnp_random_graph (same G(n, p)), because the "
        "example's erdos_renyi_graph does not finish at 30,000 nodes.")
    say()

    # 3: ensemble
    ens = ensemble(100, 2)
    say("## Ensemble: 100 replications x (baseline + counterfactual), full population, 2 worker processes")
    say()
    say("| replications | model runs | workers | wall time | per replication | target |")
    say("| ---: | ---: | ---: | ---: | ---: | --- |")
    say(f"| {ens['replications']} | {2 * ens['replications']} | {ens['workers']} | {ens['wall_s']:.1f} s | "
        f"{ens['wall_s'] / ens['replications']:.2f} s | <= 60 s: {'met' if ens['wall_s'] <= 60 else 'MISSED'} |")
    say()

    say(f"## Scaling (baseline policies, a fresh process per scale, best of {SCALING_REPEATS} runs at each)")
    say()
    say("| firms | set-up | quarters | total | x firms | x time | peak memory (process) | after imports |")
    say("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    base = runs[1.0]
    for s in SCALES:
        r = runs[s]
        say(f"| {r['firms']:,} | {r['best']['setup_s']:.2f} s | {r['best']['steps_s']:.2f} s | "
            f"{r['best']['total_s']:.2f} s | {r['firms'] / base['firms']:.1f} | "
            f"{r['best']['total_s'] / base['best']['total_s']:.1f} | {r['peak_rss_mib'] / 1024:.2f} GiB | "
            f"{r['rss_after_imports_mib']:.0f} MiB |")
    big = runs[SCALES[-1]]
    ratio = big["best"]["total_s"] / base["best"]["total_s"]
    say()
    say(f"Target at {big['firms']:,} firms: at most about 40x the time ({ratio:.1f}x: "
        f"{'met' if ratio <= 40 else 'MISSED'}) and within 4 GiB ({big['peak_rss_mib'] / 1024:.2f} GiB: "
        f"{'met' if big['peak_rss_mib'] <= 4096 else 'MISSED'}).")
    say()

    if not args.no_streaming:
        say("## Streaming: `run.py run scenarios/baseline.yaml --scale 0.1 --workers 2`")
        say()
        say("| replications | tables | wall time | peak RSS, main process | peak PSS, all processes | output on disk |")
        say("| ---: | --- | ---: | ---: | ---: | ---: |")
        rows = {}
        for reps, tables in ((10, "csv"), (1000, "csv"), (1000, "parquet")):
            r = rows[reps, tables] = streaming(reps, 0.1, 2, tables)
            say(f"| {reps:,} | {tables} | {r['wall_s']:.1f} s | {r['peak_main_rss_mib']:.0f} MiB | "
                f"{r['peak_tree_pss_mib']:.0f} MiB | {r['output_mib']:,.0f} MiB |")
        say()
        small, large = rows[10, "csv"]["peak_main_rss_mib"], rows[1000, "csv"]["peak_main_rss_mib"]
        say(f"From 10 to 1,000 replications the main process's peak grows by {large - small:.0f} MiB "
            f"({100 * (large / small - 1):.0f}%). Each finished replication goes to disk (Parquet) and is "
            "dropped, and the output tables are written from those parts one replication at a time; what "
            "stays is what the report and the summary's percentiles need, about 27 KB per replication "
            "(the national quarterly series and the last quarter of both arms).")
        say()

    say(f"Load average (1 min) before: {load0:.2f}, after: {os.getloadavg()[0]:.2f} "
        f"(above the number of CPUs means other work competed for them).")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
