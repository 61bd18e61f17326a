"""Ensembles for the dashboard: in worker processes, cancellable, cached per arm.

The numbers come from the same calls the command line makes: `ensemble_spec` and its
`ReplicationTask`s, `run_replication` for each replication, `summary_frame` for the table.
Three things differ from `run_ensemble`, for responsiveness only:
  - the worker processes stay up between slider moves (starting them costs ~1 s);
  - each (arm, replication) result is cached by its content, so moving a policy lever reruns
    the policy arm only: its counterfactual is unchanged and comes from the cache;
  - a run that a newer slider move made stale stops handing out work.
An arm run alone equals the same arm run next to its counterfactual (the population is
rebuilt from the same seed), so the cache never changes a number; tests/test_dashboard.py
checks the page against `run.py run` on the exported YAML.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np
import pandas as pd

from smartregion.model.ensemble import EnsembleSpec, ReplicationTask, RunSpec, ensemble_spec, run_replication
from smartregion.model.model import METRIC_INDEX, REGIONS_OUT, RunResult
from smartregion.model.results import BAND, summary_frame
from smartregion.model.scenario import Scenario, load_counterfactual

CACHE_RUNS = 400  # arm-replication results kept (~0.2 MB each at 68 quarters)
Results = dict[int, dict[str, RunResult]]  # replication -> arm -> run, as run_ensemble returns


def _arm_key(spec: RunSpec, seed: int, index: int) -> str:
    policies = [p.model_dump(mode="json") for p in spec.policies]
    return json.dumps([spec.parameters, policies, spec.start, spec.end, spec.scale, spec.network, seed, index],
                      sort_keys=True)


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: end the worker once the server that started it is gone. A server
    stopped by a signal does not shut its pool down, and idle workers would stay behind."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _warm(seconds: float) -> int:
    """Runs in a fresh worker: unpickling it imports the model there, the slow part of a start."""
    time.sleep(seconds)  # keeps this worker busy so that the next call starts another one
    return os.getpid()


class Runner:
    """A warm process pool and a cache of finished arm runs, shared by every browser session."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._cache: OrderedDict[str, RunResult] = OrderedDict()
        self._lock = threading.Lock()

    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: the server has threads, which fork would copy in an unknown state.
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_exit_with_parent, initargs=(os.getpid(),))
            return self._pool

    def warm_up(self) -> None:
        """Start every worker now, so the first slider move does not pay for it."""
        list(self.pool().map(_warm, [0.3] * self.workers))

    def _get(self, key: str) -> RunResult | None:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def _keep(self, done: Future, keys: dict[str, str]) -> None:
        """Cache the arms of a finished replication (not a cancelled or failed one)."""
        if done.cancelled() or done.exception() is not None:
            return
        with self._lock:
            for arm, result in done.result()[1].items():
                self._cache[keys[arm]] = result
            while len(self._cache) > CACHE_RUNS:
                self._cache.popitem(last=False)

    def run(self, spec: EnsembleSpec, is_current: Callable[[], bool] = lambda: True,
            on_progress: Callable[[int, int], None] | None = None) -> tuple[Results, int] | None:
        """(results keyed by replication then arm, as `run_ensemble` returns them; the number
        of arm runs computed rather than taken from the cache), or None if `is_current()`
        turned False before the end (the work done so far stays cached)."""
        out: Results = {}
        new_runs = 0
        futures: dict[Future, tuple[int, dict[str, str]]] = {}
        for task in spec.tasks():
            keys = {arm: _arm_key(s, spec.seed, task.index) for arm, s in spec.arms.items()}
            out[task.index] = {arm: self._get(key) for arm, key in keys.items()}
            missing = {arm: spec.arms[arm] for arm, r in out[task.index].items() if r is None}
            if missing:
                new_runs += len(missing)
                fut = self.pool().submit(run_replication, ReplicationTask(task.index, task.seed, missing))
                fut.add_done_callback(lambda f, keys=keys: self._keep(f, keys))  # even if this run goes stale
                futures[fut] = task.index, keys
        pending = set(futures)
        while pending:
            if on_progress is not None:
                on_progress(spec.replications - len(pending), spec.replications)
            finished, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
            for fut in finished:
                index, _ = futures[fut]
                try:
                    out[index].update(fut.result()[1])
                except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool next time
                    with self._lock:
                        self._pool = None
                    raise
            if pending and not is_current():
                for fut in pending:
                    fut.cancel()
                return None
        return out, new_runs


@dataclass(frozen=True)
class Outcome:
    """One computed ensemble and the views of it the page draws."""

    scenario: Scenario
    results: Results
    summary: pd.DataFrame
    seconds: float  # wall time of the computation (including cache hits)
    new_runs: int  # arm runs computed for it; the others came from the cache

    @property
    def quarters(self) -> list[str]:
        return next(iter(self.results.values()))["policy"].quarters

    @property
    def has_counterfactual(self) -> bool:
        return "counterfactual" in next(iter(self.results.values()))

    def _stack(self, arm: str, metric: str, region: str) -> np.ndarray:
        """[replication, quarter] values of one series."""
        g, k = REGIONS_OUT.index(region), METRIC_INDEX[metric]
        return np.stack([arms[arm].metrics[:, g, k] for arms in self.results.values()])

    def band(self, metric: str, region: str = "NL", arm: str = "policy", difference: bool = False):
        """(mean, p5, p95) over replications per quarter; `difference`: policy minus
        counterfactual replication by replication (common random numbers)."""
        x = self._stack(arm, metric, region)
        if difference:
            x = self._stack("policy", metric, region) - self._stack("counterfactual", metric, region)
        return x.mean(axis=0), np.percentile(x, BAND[0], axis=0), np.percentile(x, BAND[1], axis=0)

    def province_values(self, metric: str, quarter: int, difference: bool) -> dict[str, float]:
        """Mean over replications at one quarter, per province (for the map)."""
        return {r: float(self.band(metric, r, difference=difference)[0][quarter]) for r in REGIONS_OUT[:-1]}


def compute(scenario: Scenario, runner: Runner, is_current: Callable[[], bool] = lambda: True,
            on_progress: Callable[[int, int], None] | None = None) -> Outcome | None:
    """Run `scenario` (its replications and seed) against its counterfactual."""
    t0 = time.perf_counter()
    spec = ensemble_spec(scenario, load_counterfactual(scenario))
    done = runner.run(spec, is_current, on_progress)
    if done is None:
        return None
    results, new_runs = done
    return Outcome(scenario, results, summary_frame(results), time.perf_counter() - t0, new_runs)
