"""Ensembles: replications x arms, seeds, executors. The one API that the CLI, the dashboard
and calibration call, so that a number seen anywhere is the number the CLI writes.

Seeds: one `SeedSequence(scenario seed)`; replication r gets its r-th child, whatever worker
runs it. The policy arm and its counterfactual get the same child (common random numbers) and
share one population. Results are returned per replication and assembled in replication
order, so they are identical for any number of workers.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from . import params as params_mod
from .model import ARMS, RunResult, SmartIndustryModel
from .population import build_population
from .streams import Streams, replication_seeds


@dataclass(frozen=True)
class RunSpec:
    """Everything one arm of one replication needs; plain data so it pickles to any worker."""

    parameters: dict
    policies: tuple
    start: str
    end: str
    scale: float
    network: str
    posterior: str | None = None  # posterior.csv from run.py calibrate: parameters drawn per replication


def spec_of(scenario) -> RunSpec:
    return RunSpec(parameters=dict(scenario.parameters), policies=tuple(scenario.policies),
                   start=scenario.horizon.start, end=scenario.horizon.end,
                   scale=scenario.population.scale, network=scenario.population.network)


@dataclass
class ReplicationTask:
    index: int
    seed: np.random.SeedSequence
    arms: dict[str, RunSpec]


class _Recorder(dict):
    """Parameters that remember which of them were read."""

    def __init__(self, values: dict):
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


@functools.cache
def population_parameters(network: str) -> frozenset[str]:
    """The parameters build_population reads for this kind of network: found by building a
    population of a few firms and recording the look-ups, so the list follows the code instead
    of being kept by hand (a parameter left out of it would let arms that differ in it share
    the wrong population)."""
    recorder = _Recorder(params_mod.resolve({}))
    build_population(np.random.default_rng(0), recorder, scale=1e-9, network=network)
    return frozenset(recorder.read)


def _population_key(spec: RunSpec) -> tuple:
    """Arms with equal keys get the same population in a replication."""
    values = params_mod.resolve(spec.parameters)
    return spec.scale, spec.network, tuple(sorted((k, values[k]) for k in population_parameters(spec.network)))


def run_replication(task: ReplicationTask) -> tuple[int, dict[str, RunResult]]:
    """Run every arm of one replication with the same seed; arms share the population when
    their population parameters agree (they do unless a scenario overrides them)."""
    populations: dict[tuple, object] = {}
    out = {}
    for arm, spec in task.arms.items():
        if spec.posterior is not None:
            # One parameter set per replication, drawn from the seed alone: both arms get the same.
            from smartregion.calibration.posterior import parameters_for

            spec = replace(spec, parameters=parameters_for(spec.posterior, task.seed, spec.parameters), posterior=None)
        key = _population_key(spec)
        if key not in populations:
            params = params_mod.resolve(spec.parameters)
            populations[key] = build_population(Streams(task.seed)["population"], params, spec.scale, spec.network)
        model = SmartIndustryModel(params=spec.parameters, policies=spec.policies, start=spec.start, end=spec.end,
                                   scale=spec.scale, network=spec.network, seed=task.seed,
                                   population=populations[key])
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


@dataclass
class Executor:
    """Where work runs: in this process (workers=1), in local worker processes, or on a Dask
    cluster (`scheduler`: an address such as tcp://host:8786, or "local" for a LocalCluster of
    `workers` processes on this machine). Replications, calibration particles and sensitivity
    samples all go through it, so they scale the same way."""

    workers: int = 1
    scheduler: str | None = None

    def imap(self, fn: Callable, items: list) -> Iterator[tuple[int, object]]:
        """(position in items, fn(item)) for every item, as they finish (any order)."""
        if self.scheduler:
            from .dask_backend import dask_map  # optional dependency

            yield from dask_map(self.scheduler, fn, items, local_workers=self.workers)
        elif self.workers <= 1 or len(items) <= 1:
            for i, item in enumerate(items):
                yield i, fn(item)
        else:
            workers = min(self.workers, len(items), os.cpu_count() or 1)
            # Importing mesa forces the global start method to "spawn" (mesa/batchrunner.py), which
            # re-imports the caller's script in every worker; we ask for our own context instead.
            with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context()) as pool:
                # map keeps input order and drops each result once it is handed on; one item a
                # message, since even the smallest item (one model run) dwarfs the message cost
                yield from enumerate(pool.map(fn, items))

    def ordered_map(self, fn: Callable, items: Iterable) -> list:
        """[fn(x) for x in items], run where this executor says, in input order."""
        items = list(items)
        out = [None] * len(items)
        for i, y in self.imap(fn, items):
            out[i] = y
        return out

    def map(self, tasks: list[ReplicationTask]) -> Iterator[tuple[int, dict[str, RunResult]]]:
        """Yields (replication index, results) as they finish (any order)."""
        for _, result in self.imap(run_replication, tasks):
            yield result


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
