"""Ensembles for the dashboard: in worker processes, cancellable, cached per arm.

The numbers come from the same calls the command line makes: `ensemble_spec` and its
`ReplicationTask`s, `run_replication` for each replication, `summary_frame` for the table.
Four things differ from `run_ensemble`, for responsiveness only:
  - the worker processes stay up between slider moves (starting them costs ~1 s);
  - every session shares them fairly: a replication goes to a worker only when one is free,
    the computation with the least work left goes first, and one that has run for a while
    continues on background workers that yield the CPU to newer ones (Runner._dispatch);
  - each (arm, replication) result is cached by its content, so moving a policy lever reruns
    the policy arm only: its counterfactual is unchanged and comes from the cache;
  - a run that a newer slider move made stale stops handing out work.
An arm run alone equals the same arm run next to its counterfactual (the population is
rebuilt from the same seed), so the cache never changes a number; tests/test_dashboard.py
checks the page against `run.py run` on the exported YAML.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from smartregion.model import fork
from smartregion.model.ensemble import (EnsembleSpec, ReplicationTask, RunSpec, ensemble_spec, run_replication,
                                         spec_key, spec_of)
from smartregion.model.model import METRIC_INDEX, REGIONS_OUT, RunResult
from smartregion.model.results import BAND, summary_frame
from smartregion.model.scenario import Scenario, load_counterfactual
from smartregion.model.timeline import parse_quarter

from .levers import LEVER_START

# Finished arm-replication results kept for the next request, any session's: up to this many
# bytes of their arrays (about 0.3 MB a full-population run of 68 quarters: some 200 runs,
# three settings of the page's 3 arms x 20 replications). It stays when every session has closed.
CACHE_BYTES = 64_000_000
# Least work first, with ageing: a job's remaining runs count one less for every AGE_S seconds
# it has waited, so that a stream of small requests (20 sessions moving levers) cannot keep a
# newcomer's larger first request (every arm) waiting for ever.
AGE_S = 5.0
# Two tiers of workers. A large computation (more than FOREGROUND_RUNS arm runs still to do)
# runs in the background tier: its workers take the SCHED_IDLE policy (they run only when no
# other process wants the CPU), and it gets no new replication while a foreground computation
# is under way, unless it has waited BACKGROUND_WAIT_S. The foreground workers are niced a
# little, so that the server, which renders every session's page in one process, goes first.
# Measured in headless chromium (tests/test_dashboard_load.py): with one tier at the server's
# priority, a lever move took 1.9-2.6 times as long while another session computed 50
# replications; a plain nice 15 for the background still let it take a quarter of the CPU.
FOREGROUND_NICE = 5
FOREGROUND_RUNS = 60  # the page's default request: 20 replications x 3 arms
BACKGROUND_WAIT_S = 10.0
# A free worker runs another worker's replication only when that one has this many waiting (see
# Runner._dispatch): without its snapshot a lever-move replication costs about 2.5 forked ones.
STEAL_AFTER = 3
# Populations a foreground worker keeps (model/population.py): the page's 20 replications at
# full population, with room for a few more.
WORKER_POPULATION_BYTES = 200_000_000
# Snapshots of the scenario arm a foreground worker keeps (model/fork.py): about 16 MB each at
# full population (its population included), the page's 20 replications with room for a few more.
WORKER_SNAPSHOT_BYTES = 400_000_000


def _nbytes(r: RunResult) -> int:
    return r.metrics.nbytes + r.breakdown.nbytes + r.spend.nbytes + r.employment_start.nbytes
Results = dict[int, dict[str, RunResult]]  # replication -> arm -> run, as run_ensemble returns


def _arm_key(spec_text: str, seed: int, index: int) -> str:
    """The cache key of one arm run: everything that decides its numbers (`spec_key` of its
    RunSpec, the posterior it draws its parameters from included; without that, a run on the
    registry defaults was handed the calibrated run of the same arm), root seed, replication."""
    return json.dumps([spec_text, seed, index])


def _fork_base(arms: dict[str, RunSpec], missing: dict[str, RunSpec]) -> RunSpec | None:
    """The arm with a result at hand that the missing arms share most quarters with: a worker
    forks them from its snapshot instead of running them from the start (model/fork.py)."""
    shared = {name: max(fork.diverges(arm, m) for m in missing.values()) for name, arm in arms.items()
              if name not in missing}
    best = max(shared, key=shared.get, default=None)
    return arms[best] if best is not None and shared[best] > 0 else None


def _groups(arms: dict[str, RunSpec]) -> list[list[str]]:
    """The arms in groups that no fork joins: arms that share quarters (one may fork from the
    other, model/fork.py) are in the same group; arms in different groups share nothing but the
    population and can run on different workers at no extra cost but its drawing."""
    groups: list[list[str]] = []
    for name, arm in arms.items():
        joined = [g for g in groups if any(fork.diverges(arms[other], arm) > 0 for other in g)]
        groups = [g for g in groups if g not in joined] + [[n for n in arms if n == name or any(n in g for g in joined)]]
    return sorted(groups, key=lambda g: list(arms).index(g[0]))


def _split(task: ReplicationTask, keys: dict[str, str], workers: int) -> list[tuple[ReplicationTask, dict, int]]:
    """The queue entries of a replication whose arms are spread over the workers (one group of
    `_groups` each): the group holding an arm whose snapshot is to be kept (or the first) on the
    replication's own worker, which keeps that snapshot for the next lever move (Runner._dispatch),
    and the others on the next workers. A page's first computation or a parameter move then has
    its first replication, the first numbers, after its largest group instead of all its arms."""
    home = task.index % workers
    groups = _groups(task.arms)
    groups.sort(key=lambda g: not any(arm in g for arm, _ in task.keep))
    return [(ReplicationTask(task.index, task.seed, {arm: task.arms[arm] for arm in g}, task.base,
                             tuple((arm, q) for arm, q in task.keep if arm in g)),
             {arm: keys[arm] for arm in g}, (home + k) % workers) for k, g in enumerate(groups)]


def _worker_start(parent: int, background: bool) -> None:
    """Worker initializer: lower this worker's priority (see FOREGROUND_NICE), and end it once
    the server that started it is gone (a server stopped by a signal does not shut its pool
    down, and idle workers would stay behind)."""
    if background:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    else:
        os.nice(FOREGROUND_NICE)
        # A lever move reruns the same replications: keep their populations (about 8 MB each at
        # full population) instead of drawing them again, a quarter of a policy arm's time, and
        # the scenario arm's state where the levers start, so that the levers' arm forks from it.
        from smartregion.model.population import keep_populations

        keep_populations(WORKER_POPULATION_BYTES)
        fork.keep_snapshots(WORKER_SNAPSHOT_BYTES)

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _warm() -> int:
    """Runs in a fresh worker: unpickling it imports the model there, the slow part of a start."""
    return os.getpid()


def _lookups() -> dict[str, int]:
    return dict(fork.lookups)


@dataclass(eq=False)
class _Job:
    """One computation's replications not yet handed to a worker, and those in the pool."""

    number: int  # arrival order
    since: float = field(default_factory=time.monotonic)  # when it arrived
    queue: list = field(default_factory=list)  # (ReplicationTask, cache keys per arm, its worker)
    futures: dict = field(default_factory=dict)  # Future -> (replication index, tier, worker)
    running: int = 0
    served: float = field(default_factory=time.monotonic)  # when it last got a worker (or arrived)

    @property
    def tier(self) -> int:
        """1 (background) while more than FOREGROUND_RUNS arm runs wait, else 0 (foreground)."""
        return int(sum(len(task.arms) for task, *_ in self.queue) > FOREGROUND_RUNS)


@dataclass(eq=False)
class _Tier:
    """A tier's workers: one single-process pool each, so that a replication can be sent to the
    worker that holds its snapshot and population (see Runner._dispatch)."""

    background: bool
    pools: list  # [worker] its pool, None until first needed (or after it broke)
    busy: list  # [worker] True while it has a replication

    @property
    def running(self) -> int:
        return sum(self.busy)


class Runner:
    """Warm worker processes and a cache of finished arm runs, shared by every browser session."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._tiers = [_Tier(b, [None] * self.workers, [False] * self.workers) for b in (False, True)]
        self._cache: OrderedDict[str, RunResult] = OrderedDict()
        self._cache_bytes = 0
        self._lock = threading.RLock()
        self._jobs: list[_Job] = []  # computations waiting for or using workers, any session
        self._jobs_made = 0

    def _pool(self, tier: _Tier, worker: int) -> ProcessPoolExecutor:
        if tier.pools[worker] is None:
            # spawn: the server has threads, which fork would copy in an unknown state.
            tier.pools[worker] = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=_worker_start, initargs=(os.getpid(), tier.background))
        return tier.pools[worker]

    def warm_up(self) -> None:
        """Start every worker now, so that neither the first slider move nor the first long
        computation pays for it (a starting worker imports the model before it lowers its
        priority, and would slow the foreground while it does)."""
        with self._lock:
            pools = [self._pool(tier, w) for tier in self._tiers for w in range(self.workers)]
        wait([pool.submit(_warm) for pool in pools])

    def shutdown(self) -> None:
        with self._lock:
            for tier in self._tiers:
                for w, pool in enumerate(tier.pools):
                    if pool is not None:
                        pool.shutdown(wait=False, cancel_futures=True)
                    tier.pools[w], tier.busy[w] = None, False

    def snapshot_lookups(self) -> list[dict[str, int]]:
        """Per foreground worker, its snapshot look-ups so far: found, and missed (fork.lookups)."""
        with self._lock:
            pools = [pool for pool in self._tiers[0].pools if pool is not None]
        return [f.result() for f in [pool.submit(_lookups) for pool in pools]]

    def worker_pids(self, background: bool = False) -> list[int]:
        """The process ids of a tier's started workers, in worker order."""
        with self._lock:
            return [pid for pool in self._tiers[int(background)].pools if pool is not None
                    for pid in pool._processes]

    def _get(self, key: str) -> RunResult | None:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def _dispatch(self) -> None:
        """Hand free workers the next replication of the job with the least work left.

        At most one replication per worker is in a pool at a time, so a job that arrives while
        another computes 50 replications waits for one replication at most, not 50 (shortest
        job first; ageing, AGE_S, lets a job that has waited long enough go first anyway). A
        large job runs in the background tier (see FOREGROUND_RUNS): a lever move arriving then
        starts at once on the foreground workers, and the large job pauses until it is done.

        Replication r goes to worker r % workers, every time: that worker has kept its
        population and the scenario arm's snapshot (model/fork.py), so a lever move forks every
        replication instead of running most of them from the start (the arms of a first
        replication spread over the workers, `_split`, leave the scenario arm there). A free worker takes
        another's replication only when that one has STEAL_AFTER or more waiting for it: a
        replication run without its snapshot costs about 2.5 forked ones."""
        with self._lock:
            now = time.monotonic()
            foreground_busy = any(j.tier == 0 and (j.queue or j.running) for j in self._jobs)
            for number, tier in enumerate(self._tiers):
                jobs = [j for j in self._jobs if j.queue and j.tier == number
                        and (number == 0 or not foreground_busy or now - j.served > BACKGROUND_WAIT_S)]
                jobs.sort(key=lambda j: (len(j.queue) + j.running - (now - j.since) / AGE_S, j.number))
                for w in range(self.workers):
                    if tier.busy[w]:
                        continue
                    picked = self._pick(jobs, w)
                    if picked is None:
                        continue
                    job, task, keys = picked
                    fut = self._pool(tier, w).submit(run_replication, task)
                    tier.busy[w] = True
                    job.running += 1
                    job.served = now
                    job.futures[fut] = (task.index, tier, w)
                    fut.add_done_callback(lambda f, job=job, keys=keys, tier=tier, w=w: self._done(f, job, keys, tier, w))
                    jobs = [j for j in jobs if j.queue]

    def _pick(self, jobs: list[_Job], w: int):
        """(job, task, keys) worker w runs next, taken off its job's queue, or None: the first
        job (in dispatch order) with a replication of w's, else one whose worker has STEAL_AFTER
        or more waiting (its last, the one it would reach last)."""
        for job in jobs:
            for k, (_, _, home) in enumerate(job.queue):
                if home == w:
                    return (job, *job.queue.pop(k)[:2])
        waiting = Counter(home for job in jobs for _, _, home in job.queue)
        for job in jobs:
            for k in reversed(range(len(job.queue))):
                if waiting[job.queue[k][2]] >= STEAL_AFTER:
                    return (job, *job.queue.pop(k)[:2])
        return None

    def _done(self, fut: Future, job: _Job, keys: dict[str, str], tier: _Tier, w: int) -> None:
        """Cache the arms of a finished replication (not a cancelled or failed one), even if
        its job went stale: the next request is likely to want them."""
        with self._lock:
            tier.busy[w] = False
            job.running -= 1
            if fut.cancelled() or fut.exception() is not None:
                return
            for arm, result in fut.result()[1].items():
                old = self._cache.pop(keys[arm], None)
                self._cache_bytes += _nbytes(result) - (_nbytes(old) if old is not None else 0)
                self._cache[keys[arm]] = result
            while self._cache_bytes > CACHE_BYTES:
                self._cache_bytes -= _nbytes(self._cache.popitem(last=False)[1])

    def run(self, spec: EnsembleSpec, is_current: Callable[[], bool] = lambda: True,
            on_progress: Callable[[int, int], None] | None = None,
            on_first: Callable[[Results], None] | None = None,
            keep: tuple[tuple[str, int], ...] = ()) -> tuple[Results, int] | None:
        """(results keyed by replication then arm, as `run_ensemble` returns them; the number
        of arm runs computed rather than taken from the cache), or None if `is_current()`
        turned False before the end (the work done so far stays cached).

        on_first(the replications complete so far) is called once, as soon as there are as many
        as workers while others still run: a lever move's first numbers come after one
        replication per worker, not after all of them. When the first replication to compute has
        arms that share no quarters (the scenario and its counterfactual, from the start), they
        go to different workers (`_split`), and the first numbers come from that one
        replication. keep: (arm, step) snapshots for the workers to keep when they run that arm
        (ReplicationTask.keep)."""
        out: Results = {}
        first_at = min(self.workers, spec.replications)
        with self._lock:
            self._jobs_made += 1
            job = _Job(self._jobs_made)
        bases: dict[frozenset, RunSpec | None] = {}  # _fork_base of each set of missing arms
        # once per arm, not per replication: 3 arms x 20 replications of spec_key took 4.5 ms of
        # a lever move's set-up
        texts = {arm: spec_key(s) for arm, s in spec.arms.items()}
        for task in spec.tasks():
            keys = {arm: _arm_key(texts[arm], spec.seed, task.index) for arm in spec.arms}
            out[task.index] = {arm: self._get(key) for arm, key in keys.items()}
            missing = {arm: spec.arms[arm] for arm, r in out[task.index].items() if r is None}
            if missing:
                if frozenset(missing) not in bases:
                    bases[frozenset(missing)] = _fork_base(spec.arms, missing)
                job.queue.append((ReplicationTask(task.index, task.seed, missing, bases[frozenset(missing)],
                                                  tuple((arm, q) for arm, q in keep if arm in missing)), keys,
                                  task.index % self.workers))
        if job.queue and self.workers > 1:
            split = _split(*job.queue[0][:2], self.workers)
            job.queue[:1] = split
            if len(split) > 1:
                first_at = 1  # the first replication, its arms spread over the workers
        new_runs = sum(len(t.arms) for t, *_ in job.queue)
        total, reported = len({t.index for t, *_ in job.queue}), -1
        with self._lock:
            self._jobs.append(job)
        try:
            while job.queue or job.futures:
                self._dispatch()
                done_now = total - len({t.index for t, *_ in job.queue} | {i for i, *_ in job.futures.values()})
                if on_progress is not None and done_now != reported:  # each call redraws a progress bar
                    on_progress(done_now, spec.replications)
                    reported = done_now
                with self._lock:  # another session's thread may hand this job's work out
                    mine = list(job.futures)
                finished = wait(mine, timeout=0.02, return_when=FIRST_COMPLETED)[0] if mine else ()
                if not mine:
                    time.sleep(0.02)
                for fut in finished:
                    with self._lock:
                        index, tier, w = job.futures.pop(fut)
                    try:
                        out[index].update(fut.result()[1])
                    except BrokenProcessPool:  # a worker died (killed, out of memory): a new one next time
                        with self._lock:
                            tier.pools[w], tier.busy[w] = None, False
                        raise
                if on_first is not None and (job.queue or job.futures):
                    complete = {i: arms for i, arms in out.items() if None not in arms.values()}
                    if len(complete) >= first_at:
                        on_first(complete)
                        on_first = None
                if (job.queue or job.futures) and not is_current():
                    for fut in mine:
                        fut.cancel()  # only those not started yet; a started one finishes into the cache
                    return None
        finally:
            with self._lock:
                job.queue.clear()
                self._jobs.remove(job)
        return out, new_runs


# The arms one computation runs (same replications, same random numbers):
#   policy: the scenario with the dashboard's levers; base: the scenario as chosen, parameters
#   as set (absent when the levers add nothing); counterfactual: the scenario's own
#   counterfactual, the world without policy (absent when the scenario is that world).
# A view compares two of them (COMPARISONS), replication by replication.
COMPARISONS = {"levers": ("policy", "base"), "scenario": ("policy", "counterfactual")}


# Arms that differ only in the last bits of a quantity (a lever that cannot reach it still moves
# its rounding through shared sums) would show that noise as a difference, drawn with ticks such
# as -3e-07 jobs: a difference within this share of the arms' own size is 0.
ROUNDING = 1e-9


def rounded_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a - b, with 0 where the two differ by rounding only (ROUNDING)."""
    x = a - b
    return np.where(np.abs(x) <= ROUNDING * np.maximum(np.abs(a), np.abs(b)), 0.0, x)


@dataclass(frozen=True)
class Outcome:
    """One computed ensemble seen as one comparison: arm "policy" against arm "counterfactual"
    of `results` (for the "levers" view those are the levers and the scenario without them)."""

    scenario: Scenario  # the scenario with the levers (what the policy arm ran)
    results: Results
    seconds: float  # wall time of the computation (including cache hits)
    new_runs: int  # arm runs computed for it; the others came from the cache
    comparison: str = "scenario"  # a key of COMPARISONS, or "levels" (no counterfactual at all)
    arm_runs: int = 0  # arm runs behind it (all arms, all replications)

    @functools.cached_property
    def summary(self) -> pd.DataFrame:
        return summary_frame(self.results)

    @functools.cached_property
    def summary_rows(self) -> dict[str, dict[str, dict]]:
        """The summary as province -> metric -> {column: value}: what the page's cards, sentences
        and table read, a dictionary look-up each (pandas look-ups cost 30 ms a redraw)."""
        rows: dict[str, dict[str, dict]] = {}
        for row in self.summary.to_dict("records"):
            rows.setdefault(row["province"], {})[row["metric"]] = row
        return rows

    @property
    def quarters(self) -> list[str]:
        return next(iter(self.results.values()))["policy"].quarters

    @property
    def replications(self) -> int:
        return len(self.results)

    @property
    def has_counterfactual(self) -> bool:
        return "counterfactual" in next(iter(self.results.values()))

    def _stack(self, arm: str, metric: str, region: str) -> np.ndarray:
        """[replication, quarter] values of one series."""
        g, k = REGIONS_OUT.index(region), METRIC_INDEX[metric]
        return np.stack([arms[arm].metrics[:, g, k] for arms in self.results.values()])

    def _series(self, metric: str, region: str, arm: str, difference: bool) -> np.ndarray:
        """[replication, quarter] values of one series of `arm`, or with `difference` policy minus
        counterfactual replication by replication (common random numbers)."""
        if difference:
            return rounded_difference(self._stack("policy", metric, region), self._stack("counterfactual", metric, region))
        return self._stack(arm, metric, region)

    def band(self, metric: str, region: str = "NL", arm: str = "policy", difference: bool = False):
        """(mean, p5, p95) over replications per quarter (see `_series`)."""
        x = self._series(metric, region, arm, difference)
        return x.mean(axis=0), np.percentile(x, BAND[0], axis=0), np.percentile(x, BAND[1], axis=0)

    def province_values(self, metric: str, quarter: int, difference: bool) -> dict[str, float]:
        """Mean over replications at one quarter, per province (for the map): the band's mean,
        without the percentiles the map does not show (they were most of a map's 10 ms)."""
        return {r: float(self._series(metric, r, "policy", difference).mean(axis=0)[quarter])
                for r in REGIONS_OUT[:-1]}


@dataclass(frozen=True)
class Computed:
    """Every arm of one computation; `view` makes the Outcome of one comparison."""

    scenario: Scenario
    results: Results  # replication -> arm (policy, base, counterfactual) -> run
    seconds: float
    new_runs: int
    arm_runs: int
    # Each view made once: a page redraw asks for it several times, and an Outcome computes its
    # summary table once.
    _views: dict = field(default_factory=dict, compare=False, repr=False)

    def available(self, comparison: str) -> bool:
        return all(arm in next(iter(self.results.values())) for arm in COMPARISONS[comparison])

    def view(self, comparison: str) -> Outcome:
        """The Outcome of `comparison`, or of the nearest one the arms allow: the scenario
        against no policy when the levers add nothing, levels alone when there is no
        counterfactual at all."""
        if comparison not in self._views:
            self._views[comparison] = self._view(comparison)
        return self._views[comparison]

    def _view(self, comparison: str) -> Outcome:
        order = [comparison] + [c for c in COMPARISONS if c != comparison]
        got = next((c for c in order if self.available(c)), "levels")
        pol, cf = COMPARISONS.get(got, ("policy", None))
        results = {i: {"policy": arms[pol], **({"counterfactual": arms[cf]} if cf else {})}
                   for i, arms in self.results.items()}
        return Outcome(self.scenario, results, self.seconds, self.new_runs, got, self.arm_runs)


def arms_of(edited: Scenario, plain: Scenario) -> dict[str, RunSpec]:
    """The arms for `edited` (the scenario with levers) next to `plain` (the same without
    levers). Two arms may be the same run (no levers: policy and base); `compute` runs it once."""
    arms = {"policy": spec_of(edited), "base": spec_of(plain)}
    cf = load_counterfactual(plain)
    if cf is not None:
        arms["counterfactual"] = spec_of(cf)
    elif arms["base"] != arms["policy"]:  # the scenario is the world without policy itself
        arms["counterfactual"] = arms["base"]
    if arms["base"] == arms["policy"]:  # the levers add nothing: no "levers" comparison
        del arms["base"]
    return arms


@functools.lru_cache(maxsize=4)
def _parameterisation(kind: str):
    from smartregion.calibration.parameterisation import choose

    return choose("defaults" if kind == "defaults" else None)


def parameterisation_of(scenario: Scenario):
    """What the dashboard runs: the shipped posterior unless the scenario asks for the registry
    defaults (calibration/parameterisation.py); checked once per process and kind."""
    return _parameterisation(getattr(scenario, "parameterisation", None) or "calibrated")


def _keep_where_levers_start(spec: EnsembleSpec, plain_arm: RunSpec | None) -> tuple[tuple[str, int], ...]:
    """The scenario arm's snapshot at LEVER_START, for the workers to keep from the page's first
    computation on (before any lever is moved): the first lever move then forks from it too."""
    if plain_arm is None:
        return ()
    name = next(name for name, arm in spec.arms.items() if arm == plain_arm)
    step = parse_quarter(LEVER_START) - parse_quarter(plain_arm.start)
    return ((name, step),) if step > 0 else ()


def compute(scenario: Scenario, runner: Runner, is_current: Callable[[], bool] = lambda: True,
            on_progress: Callable[[int, int], None] | None = None, plain: Scenario | None = None,
            comparison: str = "scenario",
            on_first: Callable[[Outcome | Computed], None] | None = None) -> Outcome | Computed | None:
    """Run `scenario` (its replications and seed) against its counterfactual; with `plain`
    (the scenario without the dashboard's levers) run that too and return every arm as a
    `Computed`. on_first: called once with the first replications' result while the others
    run (Runner.run); it has fewer replications than the scenario asks for."""
    t0 = time.perf_counter()
    from smartregion.calibration.parameterisation import apply

    par = parameterisation_of(scenario)  # calibrated by default; a stale posterior: one line (a ValueError)
    if plain is None:
        spec = apply(ensemble_spec(scenario, load_counterfactual(scenario)), par)
    else:
        wanted = apply(EnsembleSpec(arms_of(scenario, plain), scenario.seed, scenario.replications), par).arms
        distinct: dict[str, RunSpec] = {}
        # The scenario arm first: the levers' arm forks from it (model/fork.py), and the worker
        # keeps its state where the levers start for the next lever move.
        for name, arm in sorted(wanted.items(), key=lambda item: item[0] != "base"):
            if arm not in distinct.values():
                distinct[name] = arm
        spec = EnsembleSpec(distinct, scenario.seed, scenario.replications)

    def assemble(results: Results, new_runs: int) -> Outcome | Computed:
        if plain is None:
            return Outcome(scenario, results, time.perf_counter() - t0, new_runs, arm_runs=len(spec.arms) * len(results))
        results = {i: dict(arms) for i, arms in results.items()}
        for arms in results.values():  # an arm that is the same run as another shares its result
            for name, arm in wanted.items():
                arms.setdefault(name, next(r for n, r in arms.items() if spec.arms.get(n) == arm))
        return Computed(scenario, results, time.perf_counter() - t0, new_runs, len(spec.arms) * len(results))

    first = None if on_first is None else lambda results: on_first(assemble(results, 0))
    plain_arm = None if plain is None else wanted.get("base", wanted["policy"])  # no levers: no base arm
    done = runner.run(spec, is_current, on_progress, first, _keep_where_levers_start(spec, plain_arm))
    if done is None:
        return None
    return assemble(*done)
