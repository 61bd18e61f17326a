"""Run a command and report its wall time and the peak memory of its process tree.

    python benchmarks/treemem.py -- python run.py run scenarios/baseline.yaml --out /tmp/x ...

Samples every 50 ms: the peak resident memory (RSS) of the command's own process, and the peak
of the proportional set size (PSS) summed over the process and all its descendants (worker
processes; PSS splits pages that forked workers share with their parent, so the sum is the
memory the tree really holds). `/usr/bin/time -v` gives only the largest single process, which
hides growth split over workers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import psutil


def measure(cmd: list[str], interval: float = 0.05, **popen) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, **popen)
    root = psutil.Process(proc.pid)
    peak_main = peak_tree = 0
    while proc.poll() is None:
        try:
            main = root.memory_info().rss
            tree = sum(p.memory_full_info().pss for p in [root, *root.children(recursive=True)])
        except psutil.Error:  # a process ended between listing and reading it
            continue
        peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
        time.sleep(interval)
    return {"returncode": proc.returncode, "wall_s": time.perf_counter() - t0,
            "peak_main_rss_mib": peak_main / 2**20, "peak_tree_pss_mib": peak_tree / 2**20}


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    print(json.dumps(measure(args, stdout=subprocess.DEVNULL)))
