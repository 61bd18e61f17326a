"""Shared helpers: running the command line as a user would, and one small run to inspect;
and the rules that make the suite give the same verdict on every CI machine (CI=true):

- Hypothesis runs a fixed profile there (derandomized: the same examples every run, no
  example database), and explores freely on a developer's machine, where a failure it finds is
  kept as an explicit `@example` in the test;
- a test that would be skipped (chromium missing, an optional package missing) fails instead:
  in CI every test must run, and an `s` would hide a missing component.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent


def _import_the_mutated_copy() -> None:
    """Under mutmut (this file is then mutants/tests/conftest.py), `smartregion` must come from
    the mutated copy in mutants/, not from the editable install of the clone. mutmut names a
    mutant by its file's path (model/units.py -> model.units) and its trampolines compare that
    with the function's __module__, so the copy's modules are imported under their top-level
    names (mutants/ is first on sys.path, put there by mutmut) and `smartregion.X` is the same
    module object as `X`. docs/TESTING.md, Mutation testing."""
    import importlib.abc
    import importlib.util

    class MutatedCopy(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path=None, target=None):
            if name == "smartregion":
                return importlib.util.spec_from_file_location(name, REPO / "__init__.py",
                                                              submodule_search_locations=[str(REPO)])
            if name.startswith("smartregion."):
                return importlib.util.spec_from_loader(name, self)
            return None

        def create_module(self, spec):  # the module of the top-level name, already or now imported
            return importlib.import_module(spec.name.partition(".")[2])

        def exec_module(self, module):
            pass

    sys.path.insert(0, str(REPO))
    sys.meta_path.insert(0, MutatedCopy())
    os.environ.setdefault("NUMBA_DISABLE_JIT", "1")  # mutants of compiled kernels run as Python


if REPO.name == "mutants":
    _import_the_mutated_copy()

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Runs are calibrated by default (calibration/parameterisation.py). Tests that are not about the
# calibration run on the registry defaults, so that they do not depend on whether the shipped
# posterior is fresh for the code under test; the tests about it (test_posterior_runs.py,
# test_pattern.py) choose their parameterisation explicitly. Subprocesses inherit it.
os.environ.setdefault("SMARTREGION_PARAMETERS", "defaults")
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev")  # Hypothesis' defaults: random exploration, examples remembered
settings.load_profile("ci" if IN_CI else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

@pytest.fixture(autouse=True)
def _alone_when_marked(request, tmp_path_factory):
    """The suite runs in two processes (pytest-xdist, pyproject.toml). A test marked `alone`
    compares timings taken within itself, which another test running beside it would skew
    unevenly; it waits until the other process's current test ends, and no new test starts
    until it is done. Writer-first lock over two files: every test passes the gate and holds
    the lock shared; an `alone` test keeps the gate while it takes the lock exclusively, so a
    stream of short tests cannot starve it. Without xdist (one process) there is nothing to do."""
    if not hasattr(request.config, "workerinput"):
        yield
        return
    import fcntl

    where = tmp_path_factory.getbasetemp().parent  # the run's own directory, shared by its workers
    alone = request.node.get_closest_marker("alone") is not None
    with open(where / "gate", "a") as gate, open(where / "lock", "a") as lock:
        fcntl.flock(gate, fcntl.LOCK_EX)
        fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        if not alone:
            fcntl.flock(gate, fcntl.LOCK_UN)
        yield


def pytest_sessionstart(session):
    """Compile the model before the first test, when numba's on-disk cache lacks it (a fresh
    clone): the commands the tests start then load the cache, and their stderr does not carry
    the one-off 'compiling the model' note a user sees after installing."""
    from smartregion.model.mechanisms import compile_first

    compile_first(lambda: None)


# Small but real: a tenth of the firms, a handful of replications, a fixed seed.
SMALL = ("--scale", "0.1", "--replications", "6", "--seed", "7", "--no-progress")


def cli(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python run.py ARGS` from the repository root, as the README tells users to run it."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return run_guarded([sys.executable, "run.py", *map(str, args)], idle=timeout, cwd=REPO, env=env)


def proc_stats() -> dict[int, tuple[str, int, int]]:
    """Every process's (state, parent pid, CPU clock ticks used), from Linux /proc."""
    stats = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(d.name)] = (fields[0], int(fields[1]), int(fields[11]) + int(fields[12]))
    return stats


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its live descendants (Linux /proc; 0 elsewhere)."""
    stats = proc_stats()
    tree, total = {pid}, 0
    for p in sorted(stats):  # children have larger pids, nearly always; a miss only delays the guard
        if p in tree or stats[p][1] in tree:
            tree.add(p)
            total += stats[p][2]
    return total / os.sysconf("SC_CLK_TCK")


def run_guarded(argv, idle: float = 300, limit: float = 3600, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run(argv, capture_output=True, text=True) with a guard against hangs that waits
    on the command's progress, not on the clock: it is stopped (subprocess.TimeoutExpired) when
    it and its workers used no CPU for `idle` seconds, or after `limit`. A fixed wall-clock
    timeout failed a correct run on a loaded machine (issue 14: a run started at nice 19, load
    about 10 on 2 cores, killed at 300 s while it was writing its tables)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    out, err = communicate_guarded(proc, idle, limit)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def communicate_guarded(proc: subprocess.Popen, idle: float = 300, limit: float = 3600) -> tuple[str, str]:
    """proc.communicate() with run_guarded's guard against hangs."""
    start = last = time.monotonic()
    used = -1.0
    while True:
        try:
            return proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            now, cpu = time.monotonic(), _tree_cpu(proc.pid)
            if cpu != used:  # a finished worker leaves the sum: any change is progress
                used, last = cpu, now
            if now - last > idle or now - start > limit:
                proc.kill()
                proc.communicate()
                raise subprocess.TimeoutExpired(proc.args, now - start) from None


@pytest.fixture(scope="session")
def small_process(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The baseline against its counterfactual, SMALL, one worker: the reference output."""
    out = tmp_path_factory.mktemp("runs") / "baseline"
    r = cli("run", "scenarios/baseline.yaml", "--out", out, *SMALL, "--workers", "1")
    assert r.returncode == 0, r.stderr
    return out, r


@pytest.fixture(scope="session")
def small_run(small_process) -> Path:
    return small_process[0]


@pytest.fixture(scope="session")
def runner():
    """One in-process dashboard Runner (viz/compute.py) for the tests that drive one directly
    (test_dashboard.py, test_dashboard_cache.py, test_dashboard_workers.py, test_fork.py):
    starting one costs two spawned worker processes, about 3.4 s, which six tests paid each.
    Its result cache and its workers' snapshots are shared, so a test that asserts how many runs
    were computed, or which snapshots its workers found, asks for a root seed (or scale) no other
    test of the runner uses: a run's cache key is its arm, root seed and replication index
    (viz/compute._arm_key), whatever the number of replications. Seeds taken: 5, 8, 11 (scale
    0.1, test_dashboard.py), 21, 22 (fair sharing), 31 (test_dashboard_cache.py), 38 (scale 0.05,
    and 9 at 0.02, test_dashboard_workers.py), 18 (scale 0.05, test_fork.py)."""
    from smartregion.viz.compute import Runner

    r = Runner(workers=2)
    yield r
    r.shutdown()


@pytest.fixture(scope="session")
def server() -> str:
    """The URL of one real `run.py dashboard` (test_dashboard.serve) for the browser tests of
    test_dashboard.py and test_hardening.py: a server's start and its first page at full
    population took 20-40 s of the suite's time for each module that started its own. Each
    module opens its own page. Results computed for one test stay in the server's cache: a test
    that needs its numbers computed, not found there, asks for a seed no other test uses.
    test_dashboard_load.py keeps a server of its own (it times lever moves on an idle server)."""
    from test_dashboard import serve

    with serve() as (url, _):
        yield url


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skip is a failure, with the skip's reason (see the module docstring)."""
    report = yield
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"
    return report


def same_picture(a: Path, b: Path) -> bool:
    """Two PNGs show the same picture: after a Dask run or a resumed run, report.png has been seen
    to differ from an undisturbed run's in a few anti-aliased pixels of one band edge while every
    table was byte-identical (cause not found; docs/HARDENING.md). At most 1 pixel in 10,000 may
    differ, by at most 16 levels of 255."""
    from PIL import Image, ImageChops

    x, y = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    if x.size != y.size:
        return False
    diff = np.asarray(ImageChops.difference(x, y)).max(axis=2)
    return bool((diff > 0).mean() <= 1e-4 and diff.max() <= 16)
