"""Approximate Bayesian computation (pyabc's ABC-SMC) of the estimated parameters.

- Priors: uniform over each estimated parameter's plausible range (model/params.py).
- Distance: root mean square of the fit targets' standardised deviations,
  sqrt(mean(((simulated - observed) / tolerance)^2)) (`TargetSet.distance`); 1 means "on
  average one tolerance off".
- Epsilon: generation 0 accepts every prior draw (epsilon = infinity, so the prior sample is
  stored and counted); every later generation uses the weighted median distance of the
  previous one.
- Perturbation: pyabc's default multivariate normal kernel, fitted to the last population.
- Stopping: when the total number of model runs reaches `budget` (checked after each
  generation, so the last generation may overshoot), or after `generations`.

Checkpoint and resume: pyabc stores every finished generation in `abc.db` (SQLite). Each
generation is run by a fresh `ABCSMC` loaded from that database (`run(max_nr_populations=1)`),
so an uninterrupted calibration and one interrupted and resumed take the same path; only the
generation in progress at the interruption is lost.

Reproducibility: particles are evaluated through `Executor.imap` (serial, processes or Dask,
as for ensembles). Every evaluation task gets its own seed, derived from (seed, generation,
call); it reseeds numpy's global generator (which pyabc uses to perturb particles) and draws
its model seeds from it. So the result depends neither on the number of workers nor on
resuming.
"""

from __future__ import annotations

import functools
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import MappingSampler

from smartregion.model.ensemble import Executor

from .settings import AbcSettings
from .summaries import SimulationSpec, load_kernels, simulate
from .targets import TargetSet

DB_NAME = "abc.db"


class _Simulator:
    """pyabc model: parameters -> {target: simulated value}. The model seed comes from numpy's
    global generator, which each task seeds (see the module docstring)."""

    def __init__(self, spec: SimulationSpec, fixed: dict):
        self.spec, self.fixed = spec, fixed

    def __call__(self, pars) -> dict:
        return simulate(self.spec, {**self.fixed, **dict(pars)}, int(np.random.randint(0, 2**62)))


# The generation's sampling function, as last unpickled in this process: (pickled bytes, function).
_last_unpickled: tuple[bytes, Callable] | None = None


def _unpickled(unpickle: Callable, pickled: bytes) -> Callable:
    """pyabc's sampling function for a generation, unpickled once per process instead of once per
    task: unpickling rebuilds every scipy prior and transition (about 11 ms, a fifth of a
    simulation at scale 0.5). Reusing it changes no result: the function keeps no state between
    calls (its randomness is numpy's global generator, which each task seeds), as the test that
    calibrations on 1 and 2 workers give the same posterior checks."""
    global _last_unpickled
    if _last_unpickled is None or _last_unpickled[0] != pickled:
        _last_unpickled = (pickled, unpickle(pickled))
    return _last_unpickled[1]


class _SeededSampler(MappingSampler):
    """pyabc's MappingSampler (each task samples until it has one accepted particle), with tasks
    seeded from (seed, generation, call) rather than OS entropy and mapped by an Executor."""

    def __init__(self, executor: Executor, seed: int, progress: Callable[[int, int], None] | None = None):
        super().__init__()
        self.executor, self.seed, self.progress = executor, seed, progress
        self._calls: Counter = Counter()

    def map_function(self, simulate_one, seed):
        simulate_one = _unpickled(self.unpickle, simulate_one)
        np.random.seed(seed)
        random.seed(seed)
        sample, n = self._create_empty_sample(), 0
        while True:
            particle = simulate_one()
            n += 1
            sample.append(particle)
            if particle.accepted:
                return sample, n

    def sample_until_n_accepted(self, n, simulate_one, t, **_):
        call = self._calls[t]
        self._calls[t] += 1
        seeds = [int(s) for s in np.random.SeedSequence([self.seed, t + 1, call]).generate_state(n)]
        task = functools.partial(self.map_function, self.pickle(simulate_one))
        results = [None] * n
        for done, (i, r) in enumerate(self.executor.imap(task, seeds), 1):
            results[i] = r
            if self.progress:
                self.progress(done, n)
        self.nr_evaluations_ = sum(k for _, k in results)
        sample = self._create_empty_sample()
        for s, _ in results:
            sample += s
        return sample


class _Uniform(pyabc.RVBase):
    """The uniform prior, as pyabc.RV("uniform", loc, scale) computes it, without scipy's generic
    machinery: pyabc evaluates the prior for every proposal and every accepted particle, and
    scipy's frozen pdf costs about 0.1 ms a call, ten calls a particle. The same floats: a draw
    is numpy's global uniform(0, 1) * scale + loc, the density 1 / scale where
    0 <= (x - loc) / scale <= 1 (tests/test_calibration.py compares both on draws and edges)."""

    def __init__(self, loc: float, scale: float):
        self.loc, self.scale = float(loc), float(scale)

    def copy(self) -> _Uniform:
        return _Uniform(self.loc, self.scale)

    def rvs(self, *args, **kwargs) -> float:
        return np.random.uniform(0.0, 1.0) * self.scale + self.loc

    def pdf(self, x, *args, **kwargs) -> float:
        z = (x - self.loc) / self.scale
        if z != z:  # nan, as scipy
            return math.nan
        return 1.0 / self.scale if 0.0 <= z <= 1.0 else 0.0

    def pmf(self, x, *args, **kwargs) -> float:
        raise AttributeError("a continuous distribution has no pmf")

    def cdf(self, x, *args, **kwargs) -> float:
        return min(max((x - self.loc) / self.scale, 0.0), 1.0)


def _abc(ts: TargetSet, settings: AbcSettings, executor: Executor, fixed: dict, first: bool,
         progress) -> pyabc.ABCSMC:
    """An ABCSMC for the next generation; `first`: generation 0, which accepts every prior draw.
    Later ones take epsilon 'from_sample', which pyabc computes from the stored last generation."""
    prior = pyabc.Distribution(**{n: _Uniform(lo, hi - lo) for n, (lo, hi) in ts.priors().items()})
    return pyabc.ABCSMC(
        _Simulator(ts.spec(settings.scale, ("fit",)), fixed), prior, ts.distance,
        population_size=settings.population_size,
        eps=pyabc.MedianEpsilon(initial_epsilon=math.inf if first else "from_sample"),
        sampler=_SeededSampler(executor, settings.seed, progress))


def generations(history: pyabc.History) -> pd.DataFrame:
    """One row per finished generation: t, epsilon, particles, runs, acceptance rate."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    return pd.DataFrame({"generation": pops["t"].astype(int), "epsilon": pops["epsilon"],
                         "particles": pops["particles"].astype(int), "runs": pops["samples"].astype(int),
                         "acceptance_rate": pops["particles"] / pops["samples"]}).reset_index(drop=True)


def run(ts: TargetSet, out: Path, settings: AbcSettings, executor: Executor | None = None,
        observed: dict | None = None, fixed: dict | None = None,
        log: Callable[[str], None] = print) -> pyabc.History:
    """Run (or resume, if `out`/abc.db exists) the ABC-SMC until the budget is spent.

    `observed` replaces the targets' observed values (parameter recovery); `fixed` are
    parameter overrides held constant (the calibration scenario's own overrides). Returns the
    pyabc History; its last generation is the posterior sample."""
    executor = executor or Executor()
    observed = observed or ts.observed()
    fixed = {**ts.scenario.parameters, **(fixed or {})}
    logging.getLogger("ABC").setLevel(logging.WARNING)  # we report progress ourselves
    state = {"t0": time.time(), "last": 0.0}

    def progress(done, total):
        now = time.time()
        if done == total or now - state["last"] > 10:
            state["last"] = now
            log(f"  generation {history.max_t + 1}: {done}/{total} particles accepted "
                f"({now - state['t0']:.0f} s)")

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db_path = (out / DB_NAME).resolve()
    db = f"sqlite:///{db_path}"
    if db_path.exists():
        history = pyabc.History(db)
        log(f"resuming from {out / DB_NAME}: {history.max_t + 1} generation(s), "
            f"{history.total_nr_simulations if history.max_t >= 0 else 0} runs done")
    else:
        history = _abc(ts, settings, executor, fixed, True, progress).new(db, observed)
    if executor.scheduler is None and executor.workers > 1:  # workers forked from this process
        load_kernels(ts.spec(settings.scale, ("fit",)), fixed)
    while True:
        done_runs = history.total_nr_simulations if history.max_t >= 0 else 0
        if done_runs >= settings.budget:
            log(f"budget of {settings.budget} runs reached ({done_runs} runs)")
            break
        if settings.generations is not None and history.max_t + 1 >= settings.generations:
            log(f"{settings.generations} generation(s) done")
            break
        abc = _abc(ts, settings, executor, fixed, history.max_t < 0, progress)
        abc.load(db, 1, observed_sum_stat=observed)
        history = abc.run(max_nr_populations=1)
        g = generations(history).iloc[-1]
        log(f"generation {int(g.generation)}: epsilon {g.epsilon:.3f}, acceptance {g.acceptance_rate:.1%}, "
            f"{history.total_nr_simulations}/{settings.budget} runs, {time.time() - state['t0']:.0f} s")
    return history


def posterior_sample(history: pyabc.History) -> pd.DataFrame:
    """The last generation: one row per particle, parameter columns, `weight` (sums to 1) and
    `distance`."""
    particles = history.get_population(t=history.max_t).particles
    out = pd.DataFrame([dict(p.parameter) for p in particles])
    out = out[sorted(out.columns)]
    w = np.array([p.weight for p in particles], dtype=float)
    out["weight"] = w / w.sum()
    out["distance"] = [p.distance for p in particles]
    return out
