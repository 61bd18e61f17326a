"""A worker killed while it sends its result (half a message in the pool's result pipe) ends in
WorkerLost after MAX_ATTEMPTS, like any other dying worker, instead of a run that waits for ever
(model/ensemble.py STUCK_S)."""

import os
import signal
import struct
import sys
import time

import pytest

from smartregion.model import ensemble


def _dies_while_sending(n: int) -> None:
    """Writes the start of a result message (its length, and 10 of the 1,000 bytes it
    announces) into the pool's result pipe, then dies: as if killed in the middle of sending.
    The pipe is the one concurrent.futures' worker loop was given (its frame's result_queue): a
    forked worker also holds the queues of every other pool of the test process (the shared
    dashboard Runner of conftest.py, for one)."""
    frame = sys._getframe()
    while frame.f_code.co_name != "_process_worker":  # CPython's worker loop, up the stack
        frame = frame.f_back
    results = frame.f_locals["result_queue"]
    os.write(results._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_while_sending_its_result_does_not_hang_the_run(monkeypatch):
    monkeypatch.setattr(ensemble, "STUCK_S", 2.0, raising=False)
    t0 = time.monotonic()
    with pytest.raises(ensemble.WorkerLost):
        list(ensemble.Executor(workers=2).imap(_dies_while_sending, [0, 1]))
    assert time.monotonic() - t0 < 120
