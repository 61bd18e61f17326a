"""The dashboard shared by several people: fairness between sessions, memory that stays flat,
a burst of sessions. Real server, real headless chromium, 127.0.0.1 only.

Latencies are compared within one test run (alone, then contended, on the same machine at
the same time), never against a fixed number: this machine's load varies. The soak and burst
tests take minutes and are marked `heavy` (`pytest -m heavy tests/test_dashboard_load.py`).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pytest

from test_dashboard import CHROMIUM, FLAGS, nudge, serve, wait_idle, wanted

# Solara frees a session whose page went away without a word after this long (run.py dashboard
# sets SOLARA_KERNEL_CULL_TIMEOUT); memory is read after it has passed, and a little more.
SETTLE_S = 60 + 15
# Memory after the sessions closed, against before they opened: at most the result cache
# (viz/compute.py keeps up to CACHE_BYTES of finished runs for the next visitor) and this
# much more.
MARGIN_MB = 40
# A newcomer's first numbers while 20 other sessions move sliders (2 replications, full
# population, 2 cores, the 21 pages' browser on the same cores). Measured 123-167 s while each
# finished replication re-rendered the busy page in full, 22 s since (load average 8-10 from
# other work on the machine); the bound allows for that load.
FIRST_NUMBERS_WITHIN_S = 60


def cache_mb() -> float:
    from smartregion.viz.compute import CACHE_BYTES

    return CACHE_BYTES / 1e6


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture(scope="module")
def served():
    with serve() as (url, proc):
        yield url, proc


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def open_page(browser, url: str, query: str, viewport=None):
    pg = browser.new_page(viewport=viewport or {"width": 1280, "height": 720})
    pg.set_default_timeout(180_000)
    pg.goto(url + "?" + query)
    wait_idle(pg, timeout=300)
    return pg


def timed_move(pg, lever: str) -> float:
    before = wanted(pg)
    t0 = time.perf_counter()
    nudge(pg, lever)
    wait_idle(pg, before, timeout=300)
    return time.perf_counter() - t0


@pytest.mark.alone
def test_a_lever_move_is_not_held_up_by_another_sessions_large_request(served, browser):
    """Medians of three moves each way: one move's time varies by a quarter on this machine."""
    url, proc = served
    b = open_page(browser, url, "replications=4")
    timed_move(b, "fieldlabs")  # the first move after load pays for warm caches in the page
    alone = [timed_move(b, "fieldlabs") for _ in range(3)]
    a = browser.new_page(viewport={"width": 1280, "height": 720})
    a.goto(url + "?replications=50&seed=777")  # another seed: nothing of it is in the cache
    a.locator("[data-testid=status][data-busy='1']").wait_for(timeout=120_000)
    t0 = time.perf_counter()
    before = wanted(b)
    nudge(b, "fieldlabs")
    # The views being recomputed say so where they are, not only at the top of the page.
    b.locator("[data-testid=map-table] .sr-stale").first.wait_for(timeout=30_000)
    wait_idle(b, before, timeout=300)
    contended = [time.perf_counter() - t0] + [timed_move(b, "fieldlabs") for _ in range(2)]
    still_busy = a.locator("[data-testid=status]").get_attribute("data-busy") == "1"
    ratio = statistics.median(contended) / statistics.median(alone)
    print(f"\nlever move alone: {', '.join(f'{x:.2f}' for x in alone)} s; while another session computes "
          f"50 replications: {', '.join(f'{x:.2f}' for x in contended)} s (ratio of medians {ratio:.2f}; "
          "browser and server share the machine's 2 cores)")
    assert still_busy, "the large request ended first: nothing was contended"
    assert ratio <= 2
    # Closing the page that asked for 50 replications stops its computation: the replications
    # running finish (into the cache), the others are not handed out. Before, the workers kept
    # computing the closed page's request for about 14 s.
    a.close(run_before_unload=True)
    time.sleep(3)  # the session closes, running replications finish
    cpu = descendants_cpu_s(proc.pid)
    time.sleep(3)
    spent = descendants_cpu_s(proc.pid) - cpu
    print(f"after the 50-replication page closed: the server's workers used {spent:.2f} s of CPU in 3 s")
    assert spent < 1.0
    b.close(run_before_unload=True)


def descendants_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the processes below `pid` (the dashboard's workers)."""
    parent = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        parent[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    below, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, (pp, _) in parent.items() if pp == p]
        below.update(kids)
        todo.extend(kids)
    return sum(parent[c][1] for c in below) / os.sysconf("SC_CLK_TCK")


@pytest.mark.heavy
def test_memory_stays_flat_over_sessions_and_single_run_resets(served, browser):
    url, proc = served
    # The start is read after one session that also stepped a single run once: the first single
    # run loads the compiled model into the server process (once, for good), which is not growth.
    first = open_page(browser, url, "replications=4&lang=en")
    first.get_by_role("tab", name="Single run").click()
    first.get_by_role("button", name="Step").click()
    first.get_by_text("Step: 1", exact=True).wait_for()
    first.close(run_before_unload=True)
    time.sleep(SETTLE_S)
    start = rss_mb(proc.pid)
    t0 = time.perf_counter()
    for i in range(30):  # 30 sessions, 3 at a time, each until its first numbers are on screen
        if i % 3 == 0:
            pages = [browser.new_page(viewport={"width": 1280, "height": 720}) for _ in range(3)]
            for pg in pages:
                pg.set_default_timeout(180_000)
                pg.goto(url + "?replications=4")
            for pg in pages:
                wait_idle(pg, timeout=300)
                pg.close(run_before_unload=True)
    after_sessions = rss_mb(proc.pid)
    print(f"\n30 sessions opened and closed in {time.perf_counter() - t0:.0f} s")
    # dev=1: Mesa's Render Interval, to step 11 quarters a click; a tall page keeps it in view.
    pg = open_page(browser, url, "replications=4&lang=en&dev=1", {"width": 1500, "height": 2200})
    pg.get_by_role("tab", name="Single run").click()
    step = pg.get_by_role("button", name="Step")
    step.wait_for()
    pg.locator(".v-input", has_text="Render Interval").locator("[role=slider]").focus()
    for _ in range(5):  # 1 -> 11 quarters per click
        pg.keyboard.press("ArrowRight")
    steps = 0
    while steps < 200:  # 68 quarters to the horizon: Reset (a new model) every 66 steps
        for n in range(11, 67, 11):
            step.click()
            pg.get_by_text(f"Step: {n}", exact=True).wait_for()
            steps += 11
        pg.get_by_role("button", name="Reset").click()
        pg.get_by_text("Step: 0", exact=True).wait_for()
    pg.close(run_before_unload=True)
    time.sleep(SETTLE_S)
    end = rss_mb(proc.pid)
    print(f"\nserver RSS: {start:.0f} MB after one session, {after_sessions:.0f} MB after 30 sessions opened and "
          f"closed, {end:.0f} MB {SETTLE_S} s after {steps} single-run steps with resets and the page closed "
          f"(allowed: {start:.0f} + {cache_mb():.0f} cache + {MARGIN_MB})")
    # Before: ~50-65 MB kept per closed session and every reset model kept (issue 17: 410 MB -> 1.5 GB);
    # then 286 -> 434 MB (issue 17, third session).
    assert end - start < cache_mb() + MARGIN_MB


@pytest.mark.heavy
def test_a_burst_of_twenty_sessions_leaves_the_server_responsive(served, browser):
    url, proc = served
    open_page(browser, url, "replications=2").close(run_before_unload=True)  # a server that has served a page
    time.sleep(SETTLE_S)  # whatever that or a previous test left has been freed
    start = rss_mb(proc.pid)
    pages = []
    for _ in range(20):  # opened at once: none waits for another to load
        pg = browser.new_page(viewport={"width": 1280, "height": 720})
        pg.set_default_timeout(300_000)
        pg.goto(url + "?replications=2", wait_until="commit")
        pages.append(pg)
    for pg in pages:
        wait_idle(pg, timeout=300)
    levers = ("fieldlabs", "outreach_noord", "outreach_zuid", "training_meur_per_year")
    t_start = time.time()
    moves, fresh, first_numbers = 0, None, None
    # A minute of slider moves, one session after another; 15 s in, a newcomer opens the page
    # (another seed: nothing of it in the cache) and the moves go on while it loads.
    while time.time() < t_start + 60 or (fresh is not None and first_numbers is None):
        if fresh is None and time.time() > t_start + 15:
            fresh = browser.new_page(viewport={"width": 1280, "height": 720})
            t0 = time.perf_counter()
            fresh.goto(url + "?replications=2&seed=4242", wait_until="commit")
        if fresh is not None and first_numbers is None and shown(fresh):
            first_numbers = time.perf_counter() - t0
        assert fresh is None or first_numbers is not None or time.perf_counter() - t0 < 300
        pg = pages[moves % len(pages)]
        nudge(pg, levers[(moves // len(pages)) % len(levers)])
        moves += 1
        time.sleep(0.5)
    peak = rss_mb(proc.pid)
    for pg in pages + [fresh]:
        pg.close(run_before_unload=True)
    time.sleep(SETTLE_S)
    end = rss_mb(proc.pid)
    print(f"\n20 sessions, {moves} slider moves in {time.time() - t_start - SETTLE_S:.0f} s; a new session's first "
          f"numbers after {first_numbers:.1f} s during them (machine shared); server RSS {start:.0f} MB before, "
          f"{peak:.0f} MB during, {end:.0f} MB {SETTLE_S} s after closing (allowed: {start:.0f} + {cache_mb():.0f} "
          f"cache + {MARGIN_MB})")
    assert first_numbers < FIRST_NUMBERS_WITHIN_S
    assert end - start < cache_mb() + MARGIN_MB


def shown(pg) -> bool:
    """The page shows its first numbers (without waiting for them)."""
    box = pg.locator("[data-testid=status]")
    if box.count() == 0:
        return False
    wanted = box.get_attribute("data-wanted")
    return bool(wanted) and box.get_attribute("data-shown") == wanted and box.get_attribute("data-busy") == "0"
