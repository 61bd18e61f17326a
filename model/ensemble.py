"""Ensembles: replications x arms, seeds, executors. The one API that the CLI, the dashboard
and calibration call, so that a number seen anywhere is the number the CLI writes.

Seeds: one `SeedSequence(scenario seed)`; replication r gets its r-th child, whatever worker
runs it. The policy arm and its counterfactual get the same child (common random numbers) and
share one population. Results are returned per replication and assembled in replication
order, so they are identical for any number of workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

import numpy as np

from . import fork
from . import params as params_mod
from .model import RunResult, SmartIndustryModel
from .population import population_for, population_parameters
from .streams import Streams, replication_seeds
from .timeline import parse_quarter


@dataclass(frozen=True)
class RunSpec:
    """Everything one arm of one replication needs; plain data so it pickles to any worker."""

    parameters: dict
    policies: tuple
    start: str
    end: str
    scale: float
    network: str
    # Parameters drawn per replication: draw_parameters(replication seed, overrides) -> parameters, a
    # picklable callable (e.g. the CLI's posterior draw); both arms of a replication get the same draw.
    draw_parameters: Callable[[np.random.SeedSequence, dict], dict] | None = None


def spec_of(scenario) -> RunSpec:
    return RunSpec(parameters=dict(scenario.parameters), policies=tuple(scenario.policies),
                   start=scenario.horizon.start, end=scenario.horizon.end,
                   scale=scenario.population.scale, network=scenario.population.network)


def spec_key(spec: RunSpec) -> str:
    """Everything in a RunSpec that decides its numbers, as text: the posterior it draws its
    parameters from included (its repr names the posterior file and the parameters drawn)."""
    policies = [p.model_dump(mode="json") for p in spec.policies]
    return json.dumps([spec.parameters, policies, spec.start, spec.end, spec.scale, spec.network,
                       repr(spec.draw_parameters)], sort_keys=True)


@dataclass
class ReplicationTask:
    index: int
    seed: np.random.SeedSequence
    arms: dict[str, RunSpec]
    # An arm computed elsewhere (the dashboard's cache) that the arms may fork from: it is run
    # only as far as they need, or not at all when this process kept its snapshot (model/fork.py).
    base: RunSpec | None = None
    # (arm, step): snapshots of an arm to take at a step for tasks to come, which a process that
    # keeps snapshots (fork.keep_snapshots) keeps: the dashboard's scenario arm where the levers
    # start, so that the first lever move already forks from it.
    keep: tuple[tuple[str, int], ...] = ()


def _population_key(spec: RunSpec) -> tuple:
    """Arms with equal keys get the same population in a replication."""
    values = params_mod.resolve(spec.parameters)
    return spec.scale, spec.network, tuple(sorted((k, values[k]) for k in population_parameters(spec.network)))


# The name of ReplicationTask.base among the arms of fork.plan (no arm is called so).
_BASE = "<fork base>"


def _drawn(spec: RunSpec, seed: np.random.SeedSequence) -> RunSpec:
    """One parameter set per replication, drawn from the seed alone: both arms get the same."""
    if spec.draw_parameters is None:
        return spec
    return replace(spec, parameters=spec.draw_parameters(seed, spec.parameters), draw_parameters=None)


def _reachable(spec: RunSpec, fork_at: tuple[str, int] | None, step: int) -> bool:
    """Whether an arm started at its fork step (or the start) passes `step` within its horizon."""
    return (fork_at is None or fork_at[1] <= step) and step < parse_quarter(spec.end) - parse_quarter(spec.start) + 1


def run_replication(task: ReplicationTask) -> tuple[int, dict[str, RunResult]]:
    """Run every arm of one replication with the same seed; arms share the population when
    their population parameters agree (they do unless a scenario overrides them). An arm that
    computes the same numbers as an earlier one (or task.base) until some quarter (a scenario
    on top of its counterfactual, a dashboard lever from 2026) is not run again until then: it
    continues from a snapshot of the earlier arm (model/fork.py), which gives exactly the
    numbers of a run from the start."""
    arms = {arm: _drawn(spec, task.seed) for arm, spec in task.arms.items()}
    if task.base is not None:
        arms = {_BASE: _drawn(task.base, task.seed), **arms}
    forks = fork.plan(arms)
    populations: dict[tuple, object] = {}
    snapshots: dict[tuple[str, int], fork.Snapshot] = {}
    out = {}
    for arm, spec in arms.items():
        steps = sorted({q for base, q in filter(None, forks.values()) if base == arm}
                       | {q for name, q in task.keep if name == arm and _reachable(spec, forks[arm], q)})
        # A process that keeps snapshots (fork.keep_snapshots) keeps every one it takes, for
        # the next task that forks from this arm (the dashboard's next lever move).
        keys = {q: (spec_key(task.arms.get(arm, task.base)), task.seed.entropy, task.seed.spawn_key, q)
                for q in steps}
        if arm == _BASE:  # only its snapshots are wanted: those this process kept, and the others
            snapshots.update({(arm, q): fork.kept(key) for q, key in keys.items()})
            steps = [q for q in steps if snapshots[arm, q] is None]
            if not steps:
                continue
        if forks[arm] is not None:
            model = snapshots[forks[arm]].start(spec.policies)
        else:
            key = _population_key(spec)
            if key not in populations:
                params = params_mod.resolve(spec.parameters)
                populations[key] = population_for(Streams(task.seed)["population"], params, spec.scale, spec.network)
            model = SmartIndustryModel(params=spec.parameters, policies=spec.policies, start=spec.start, end=spec.end,
                                       scale=spec.scale, network=spec.network, seed=task.seed,
                                       population=populations[key])
        for step in steps:
            while model.t < step:
                model.step()
            snapshots[arm, step] = fork.Snapshot(model)
            fork.keep(keys[step], snapshots[arm, step])
        if arm != _BASE:
            out[arm] = model.run()
        model.release()
    return task.index, out


@dataclass
class EnsembleSpec:
    arms: dict[str, RunSpec]
    seed: int
    replications: int
    first_replication: int = 0

    def tasks(self, indices: Iterable[int] | None = None) -> list[ReplicationTask]:
        seeds = replication_seeds(self.seed, self.first_replication + self.replications)
        indices = range(self.first_replication, self.first_replication + self.replications) if indices is None \
            else indices
        return [ReplicationTask(i, seeds[i], self.arms) for i in indices]


def ensemble_spec(scenario, counterfactual=None, replications: int | None = None, seed: int | None = None) -> EnsembleSpec:
    arms = {"policy": spec_of(scenario)}
    if counterfactual is not None:
        arms["counterfactual"] = spec_of(counterfactual)
    return EnsembleSpec(arms=arms, seed=scenario.seed if seed is None else seed,
                        replications=scenario.replications if replications is None else replications)


def _mp_context():
    """fork where the platform has it (fast, and scripts need no __main__ guard), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


# A replication in flight when its worker process died (the OOM killer, a crash) is run again
# in a new pool, at most this many times in all: each replication is deterministic from its
# seed, so a rerun gives the same numbers, and a replication that kills its worker every time
# (too large for the memory) ends the run instead of looping.
MAX_ATTEMPTS = 3


class WorkerLost(RuntimeError):
    """Worker processes died under the same item MAX_ATTEMPTS times."""

    def __init__(self, position: int, attempts: int, what: str = "item"):
        self.position, self.attempts = position, attempts
        super().__init__(f"a worker process died {attempts} times while running {what} {position}")


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _worker_init(parent: int, pdeathsig: bool) -> None:
    """Workers never outlive the process that started them (a SIGKILLed run would otherwise
    leave them asleep on their queue for good, each holding a model's memory). Linux kills
    the worker when its parent dies (PR_SET_PDEATHSIG; only when the pool was started by the
    main thread, since the signal follows the starting *thread*); everywhere a watcher thread
    checks once a second that the parent is still there."""
    if pdeathsig and sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watcher below still applies
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _pool_imap(fn: Callable, items: list, workers: int,
               notify: Callable[[str], None] | None = None) -> Iterator[tuple[int, object]]:
    """(position, fn(item)) from local worker processes, as they finish. A pool that breaks
    because a worker died is replaced, and the items that were in flight are run again."""
    attempts = [0] * len(items)
    todo = deque(range(len(items)))
    pdeathsig = threading.current_thread() is threading.main_thread()
    while todo:
        # Importing mesa forces the global start method to "spawn" (mesa/batchrunner.py), which
        # re-imports the caller's script in every worker; we ask for our own context instead.
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=_worker_init,
                                   initargs=(os.getpid(), pdeathsig))
        running: dict = {}
        try:
            broken = False
            while (todo or running) and not broken:
                # As many items in flight as the pool hands to its workers (one each, plus one
                # queued): so a broken pool blames only items that were really given out.
                while todo and len(running) < workers + 1:
                    try:
                        future = pool.submit(fn, items[todo[0]])
                    except BrokenProcessPool:  # broke before any of its futures said so
                        broken = True
                        break
                    i = todo.popleft()
                    attempts[i] += 1
                    running[future] = i
                finished = _wait_or_broken(pool, running) if not broken else set()
                broken = broken or finished is None or any(
                    isinstance(f.exception(), BrokenProcessPool) for f in finished)
                if not broken:
                    for f in finished:
                        yield running.pop(f), f.result()
            if not broken:
                return
            # A worker died and took the pool with it: every item still in flight fails. Keep
            # what finished, run the rest again in a new pool. (A future submitted just as the
            # pool broke may never be failed, a race in CPython 3.11's terminate_broken: wait
            # a bounded time, then count whatever did not finish as lost.)
            wait(running, timeout=10)
            lost = []
            for f, i in running.items():
                if f.done() and f.exception() is None:
                    yield i, f.result()
                elif f.done() and not isinstance(f.exception(), BrokenProcessPool):
                    f.result()  # an error of fn itself
                else:
                    f.cancel()
                    lost.append(i)
            for i in sorted(lost, reverse=True):
                if attempts[i] >= MAX_ATTEMPTS:
                    raise WorkerLost(i, attempts[i])
                todo.appendleft(i)
            if notify is not None:
                notify(f"a worker process died; {len(lost)} unfinished task(s) run again in new worker processes")
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def beside(fn: Callable, *args):
    """`with beside(fn, *args) as job:` fn(*args) runs in a second process (forked where the
    platform can, dying with this one like the pool's workers) while the block runs;
    `job.result()` waits for it and raises what it raised. Leaving the block early waits for
    it too, so that nothing writes on after its caller has gone."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_mp_context(), initializer=_worker_init,
                               initargs=(os.getpid(), threading.current_thread() is threading.main_thread()))
    try:
        yield pool.submit(fn, *args)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# A worker killed while it sends its result leaves half a message in the pool's result pipe: the
# pool's manager thread then waits in recv for bytes that never come and never marks the pool
# broken (CPython 3.11), and the run would wait for ever. A pool with a dead worker whose manager
# has said nothing for this long is treated as broken (seen in tests/test_faults.py under load).
STUCK_S = 5.0


def _wait_or_broken(pool: ProcessPoolExecutor, running: dict) -> set | None:
    """The futures that finished, or None when the pool broke without failing any of them
    (the CPython race above: a worker died as the only future in flight was submitted; or a
    worker died while sending its result, see STUCK_S)."""
    dead_since = None
    while True:
        finished, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
        if finished:
            return finished
        if getattr(pool, "_broken", False):  # set by the pool's manager thread when a worker died
            return None
        processes = list((getattr(pool, "_processes", None) or {}).values())
        if not any(p.exitcode is not None for p in processes):
            dead_since = None
        elif dead_since is None:
            dead_since = time.monotonic()
        elif time.monotonic() - dead_since > STUCK_S:
            _unstick(pool, processes)
            return None


def _unstick(pool: ProcessPoolExecutor, processes: list) -> None:
    """Free a manager thread stuck reading half a message: with every worker gone and this
    process's end of the result pipe closed, its read ends (EOF) and it fails the pool's
    futures, so that the pool can be shut down."""
    for p in processes:
        if p.exitcode is None:
            p.kill()
        p.join()
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()


@dataclass
class Executor:
    """Where work runs: in this process (workers=1), in local worker processes, or on a Dask
    cluster (`scheduler`: an address such as tcp://host:8786, or "local" for a LocalCluster of
    `workers` processes on this machine). Replications, calibration particles and sensitivity
    samples all go through it, so they scale the same way. A worker process that dies is
    replaced and its items rerun (at most MAX_ATTEMPTS runs of an item, else WorkerLost)."""

    workers: int = 1
    scheduler: str | None = None
    notify: Callable[[str], None] | None = None  # told in one line when a worker was lost and replaced

    def imap(self, fn: Callable, items: list) -> Iterator[tuple[int, object]]:
        """(position in items, fn(item)) for every item, as they finish (any order)."""
        if self.scheduler:
            from .dask_backend import dask_map  # optional dependency

            yield from dask_map(self.scheduler, fn, items, local_workers=self.workers, notify=self.notify)
        elif self.workers <= 1 or len(items) <= 1:
            for i, item in enumerate(items):
                yield i, fn(item)
        else:
            yield from _pool_imap(fn, items, min(self.workers, len(items), os.cpu_count() or 1), self.notify)

    def ordered_map(self, fn: Callable, items: Iterable) -> list:
        """[fn(x) for x in items], run where this executor says, in input order."""
        items = list(items)
        out = [None] * len(items)
        for i, y in self.imap(fn, items):
            out[i] = y
        return out

    def map(self, tasks: list[ReplicationTask]) -> Iterator[tuple[int, dict[str, RunResult]]]:
        """Yields (replication index, results) as they finish (any order)."""
        try:
            for _, result in self.imap(run_replication, tasks):
                yield result
        except WorkerLost as e:  # name the replication, not its position among those left to run
            raise WorkerLost(tasks[e.position].index, e.attempts, "replication") from None


def run_ensemble(spec: EnsembleSpec, executor: Executor | None = None,
                 on_result: Callable[[int, dict[str, RunResult]], None] | None = None,
                 skip: Iterable[int] = (), keep: bool | None = None) -> dict[int, dict[str, RunResult]]:
    """Run all replications (except those in `skip`, e.g. already on disk when resuming).

    `on_result` is called once per finished replication (progress bars, streaming to disk).
    `keep`: hold every result and return them keyed by replication index (so order of
    completion never matters). By default results are kept only when there is no `on_result`:
    a caller that streams them to disk keeps memory flat however many replications run.
    """
    executor = executor or Executor()
    keep = on_result is None if keep is None else keep
    skip = set(skip)
    tasks = [t for t in spec.tasks() if t.index not in skip]
    results: dict[int, dict[str, RunResult]] = {}
    for index, arms in executor.map(tasks):
        if keep:
            results[index] = arms
        if on_result is not None:
            on_result(index, arms)
    return dict(sorted(results.items()))
