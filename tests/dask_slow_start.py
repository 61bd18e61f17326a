"""A Dask worker preload for tests/test_faults.py (named by DASK_DISTRIBUTED__WORKER__PRELOAD).

The first worker to start writes its process id to the file named by SMARTREGION_SLOW_START and
waits there. Preloads run before a worker registers with the scheduler, so a kill of that
worker is sure to land while the cluster starts, however busy the machine. Workers started
later (the restarted cluster's) find the file and start as usual."""

from __future__ import annotations

import os
import time


def dask_setup(worker) -> None:
    marker = os.environ["SMARTREGION_SLOW_START"]
    try:  # one worker only: the first to create the lock
        os.close(os.open(marker + ".lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    with open(marker + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace(marker + ".tmp", marker)  # the test reads a whole process id or nothing
    time.sleep(600)  # the test kills this process long before
