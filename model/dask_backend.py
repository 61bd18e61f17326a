"""Running work on a Dask cluster: the backend of `Executor(scheduler=...)`.

`scheduler` is the address of a running Dask scheduler (tcp://host:8786), or "local" for a
`distributed.LocalCluster` of `--workers` processes on this machine, started and stopped here
(`python run.py run scenarios/baseline.yaml --out out/ --scheduler local`). To use a real
cluster:

    dask scheduler                              # on one machine; prints tcp://HOST:8786
    dask worker tcp://HOST:8786 --nworkers -1 --nthreads 1   # on every machine: a process per core
    python run.py run scenarios/baseline.yaml --out out/ --scheduler tcp://HOST:8786

Every worker needs this project installed (`pip install -e '.[cluster]'` in a checkout of the
same commit) and the same versions of numpy and the model as the machine that submits, or
results will differ. One thread per worker: a model run is single-threaded numpy that holds
the GIL for most of its time, so threads would only queue.

Results do not depend on the cluster: each task carries its own seeds (model/streams.py) and
results are keyed by their position in the input, never by worker or completion order.

A worker that dies (the OOM killer, a lost machine) is Dask's to handle: the scheduler runs its
tasks again elsewhere and a LocalCluster's nanny starts a new worker. A task that was on
workers that died `distributed.scheduler.allowed-failures` + 1 times fails with KilledWorker
(set to MAX_ATTEMPTS - 1 for the local cluster; a remote scheduler uses its own setting), which
is reported as WorkerLost like a local pool's.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class _WorkerRestarts(logging.Filter):
    """Of a local nanny's records, the "Restarting worker" warning (a worker died) becomes one
    line through `notify`; the rest (timestamped warnings while the cluster shuts down) is
    dropped: what matters reaches the client as an exception of a task."""

    def __init__(self, notify):
        super().__init__()
        self.notify = notify

    def filter(self, record: logging.LogRecord) -> bool:
        if "Restarting worker" in record.getMessage() and self.notify is not None:
            self.notify("a Dask worker process died; the local cluster started a new one and runs its tasks again")
        return False


@contextmanager
def _quiet_local_logs(notify):
    """A local cluster's log records are not for the user's terminal (a worker's heartbeat
    traceback when the scheduler closes first, the nanny's warnings on shutdown): quiet in
    this process, and in the worker processes it spawns (they read DASK_* variables)."""
    nanny = logging.getLogger("distributed.nanny")
    # dask's logging config gives some loggers their own level (distributed.client: warning, whose
    # "Couldn't gather ... rescheduling" reached the terminal after a worker died): quiet each one.
    quiet = [logging.getLogger("distributed")] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
        if name.startswith("distributed.") and name != "distributed.nanny"]
    levels = [q.level for q in quiet], nanny.level
    restarts = _WorkerRestarts(notify)
    env = os.environ.get("DASK_LOGGING__DISTRIBUTED")
    for q in quiet:
        q.setLevel(logging.CRITICAL)
    nanny.setLevel(logging.WARNING)  # to see restarts, which the filter turns into a note
    nanny.addFilter(restarts)
    os.environ["DASK_LOGGING__DISTRIBUTED"] = "critical"
    try:
        yield
    finally:
        for q, level in zip(quiet, levels[0]):
            q.setLevel(level)
        nanny.setLevel(levels[1])
        nanny.removeFilter(restarts)
        if env is None:
            os.environ.pop("DASK_LOGGING__DISTRIBUTED", None)
        else:
            os.environ["DASK_LOGGING__DISTRIBUTED"] = env


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (which a LocalCluster's spawned processes
    need) with its stderr on /dev/null, now and whenever it is relaunched. Its output is never
    for the user: when the tracker is killed, the relaunched one prints a KeyError traceback for
    every semaphore released afterwards, and after a killed run a warning about leaked
    semaphores (the relaunch itself is a Python warning, shown by run.py as one line)."""
    from multiprocessing import resource_tracker

    tracker = resource_tracker._resource_tracker  # the process-wide instance multiprocessing uses
    if getattr(tracker, "_quiet", False):
        return
    start = tracker.ensure_running

    def ensure_running():
        sys.stderr.flush()
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)  # the tracker inherits descriptor 2
            start()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)

    tracker.ensure_running = ensure_running
    tracker._quiet = True


class ClusterStartFailed(RuntimeError):
    """The local cluster's worker processes kept dying while it started."""


def _local_cluster(workers: int, attempts: int, notify):
    """A LocalCluster of `workers` processes. A worker that dies while the cluster starts (the
    OOM killer, a kill from outside) makes its nanny fail, and LocalCluster then closes what it
    started and raises: start it again, at most `attempts` times in all (nothing ran yet, so
    nothing is lost), then one line (ClusterStartFailed; cli/faults.py) instead of Dask's
    traceback."""
    from distributed import LocalCluster

    for attempt in range(1, attempts + 1):
        try:
            # No dashboard. The scheduler still serves a few HTTP routes (health, metrics): on a
            # free port of the loopback interface, not on Dask's 8787, which another run on this
            # machine may hold (Dask then warned on stderr and took another port anyway).
            return LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        except RuntimeError as e:  # "Nanny failed to start." (a bug elsewhere keeps its traceback)
            if "failed to start" not in str(e):
                raise
            if attempt == attempts:
                raise ClusterStartFailed(f"a Dask worker process died while the local cluster started, {attempts} "
                                         "times in a row") from None
            if notify is not None:
                notify("a Dask worker process died while the local cluster started; starting it again")


@contextmanager
def _client(address: str, local_workers: int, notify=None):
    from distributed import Client

    if address == "local":
        import dask

        from .ensemble import MAX_ATTEMPTS

        _quiet_resource_tracker()
        with _quiet_local_logs(notify), \
                dask.config.set({"distributed.scheduler.allowed-failures": MAX_ATTEMPTS - 1}), \
                _local_cluster(local_workers, MAX_ATTEMPTS, notify) as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(address) as client:
            yield client


def dask_map(address: str, fn: Callable, items: list, local_workers: int = 1,
             notify: Callable[[str], None] | None = None) -> Iterator[tuple[int, object]]:
    """(position in items, fn(item)) for every item, as they finish (any order).

    At most a few tasks per worker thread are in flight: results are fetched and released one
    by one, so neither the cluster nor this process holds a large ensemble in memory.
    """
    from distributed import KilledWorker, as_completed

    from .ensemble import WorkerLost

    with _client(address, local_workers, notify) as client:
        pending = iter(enumerate(items))
        running = as_completed()
        positions = {}  # future key -> position in items, to name a task that kept killing workers

        def top_up():  # two tasks per worker thread; workers may join while we run
            limit = max(4, 2 * sum(client.nthreads().values()))
            while running.count() < limit:
                nxt = next(pending, None)
                if nxt is None:
                    return
                future = client.submit(_indexed, fn, *nxt, pure=False)
                positions[future.key] = nxt[0]
                running.add(future)

        top_up()
        for future in running:
            try:
                i, result = future.result()
            except KilledWorker as e:
                raise WorkerLost(positions[future.key], e.allowed_failures + 1) from None
            del positions[future.key]
            future.release()
            top_up()
            yield i, result


def _indexed(fn: Callable, i: int, item) -> tuple[int, object]:
    return i, fn(item)
