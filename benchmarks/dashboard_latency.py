"""How long the dashboard takes from a slider move to new numbers on the page.

    python benchmarks/dashboard_latency.py                 # 10 lever moves, 5 parameter moves
    python benchmarks/dashboard_latency.py --lever-moves 4 --parameter-moves 2 --replications 4

Starts a real `run.py dashboard` on 127.0.0.1, opens the page in Debian's headless chromium
(Playwright, /usr/bin/chromium), waits for the first results, then:
  - moves a policy lever (new fieldlabs in Groningen, one step to the right each time: a new
    value, nothing of it in the cache) and times the key press until the page shows the
    numbers of the new setting (the status's `data-shown` equals its `data-wanted` and nothing
    is computing);
  - does the same for an uncertain parameter (imitation of adopting peers, `bass_q`), which
    reruns every arm.
Full population, the page's default replications (20) unless --replications says otherwise.
Each latency is split into the computation's own wall time (`data-seconds` on the page's
status, from the worker pool) and the rest (debounce, rendering, websocket, browser). The page
shows the first replications' numbers (one per worker) before the others are done: the time to
those first numbers is reported apart (`first_numbers_median_s`), next to the time to all.

Targets (issue 16): 0.3 s for a lever move, 0.5 s for a parameter move. Timings depend on the
machine and what else runs on it: the JSON records the load average before and after; do
not quote figures measured while other work ran.

The last line printed is JSON (benchmarks/run_all.py reads it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from smartregion.viz.served import CHROMIUM, FLAGS, serve, wait_shown

TARGETS = {"lever": 0.3, "parameter": 0.5}  # seconds, issue 16


def move(pg, lever: str, timeout: float) -> tuple[float, float, float, int]:
    """(seconds from the key press to the first numbers of the new setting on the page, to all
    of its replications, the computation's own seconds, replications behind the first numbers)."""
    box = pg.locator("[data-testid=status]")
    before = box.get_attribute("data-wanted")
    pg.locator(f"[data-lever={lever}] [role=slider]").focus()
    t0 = time.perf_counter()
    pg.keyboard.press("ArrowRight")
    deadline = time.time() + timeout
    while True:
        wanted, shown = box.get_attribute("data-wanted"), box.get_attribute("data-shown")
        if wanted != before and shown == wanted:
            break
        if time.time() > deadline:
            raise TimeoutError(f"no new numbers within {timeout} s")
        time.sleep(0.005)
    first, first_replications = time.perf_counter() - t0, int(box.get_attribute("data-replications"))
    wait_shown(pg, before, timeout)
    return first, time.perf_counter() - t0, float(box.get_attribute("data-seconds")), first_replications


def summary(samples: list[tuple[float, float, float, int]], target: float) -> dict:
    first = [f for f, *_ in samples]
    total = [t for _, t, _, _ in samples]
    compute = [c for _, _, c, _ in samples]
    return {"moves": len(samples), "median_s": round(statistics.median(total), 3),
            "min_s": round(min(total), 3), "max_s": round(max(total), 3),
            "compute_median_s": round(statistics.median(compute), 3),
            "page_overhead_median_s": round(statistics.median(t - c for _, t, c, _ in samples), 3),
            "first_numbers_median_s": round(statistics.median(first), 3),
            "first_numbers_replications": sorted({k for *_, k in samples}),
            "target_s": target, "meets_target": statistics.median(total) <= target,
            "first_numbers_meet_target": statistics.median(first) <= target,
            "all_s": [round(t, 3) for t in total], "first_s": [round(f, 3) for f in first]}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lever-moves", type=int, default=10)
    ap.add_argument("--parameter-moves", type=int, default=5)
    ap.add_argument("--replications", type=int, default=None, help="default: the page's own (20)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds to wait for one move's numbers")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from smartregion.viz.explorer import DEFAULT_REPLICATIONS

    replications = args.replications or DEFAULT_REPLICATIONS
    load_before = os.getloadavg()
    with serve() as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 2200})
        t0 = time.perf_counter()
        pg.goto(f"{url}?replications={replications}")
        wait_shown(pg, None, args.timeout)
        first = time.perf_counter() - t0
        lever = [move(pg, "fieldlabs", args.timeout) for _ in range(args.lever_moves)]
        parameter = [move(pg, "bass_q", args.timeout) for _ in range(args.parameter_moves)]
        browser.close()
    out = {"what": "dashboard latency, slider move to new numbers on the page (real server, headless chromium)",
           "population": "full (every firm of the Netherlands)", "replications": replications,
           "workers": os.cpu_count(), "first_numbers_s": round(first, 2),
           "lever": summary(lever, TARGETS["lever"]) if lever else None,
           "parameter": summary(parameter, TARGETS["parameter"]) if parameter else None,
           "load_average_before": [round(x, 2) for x in load_before],
           "load_average_after": [round(x, 2) for x in os.getloadavg()]}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
