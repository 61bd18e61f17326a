"""Faults of the machine during a run, each said in one line instead of a library traceback.

A bad input is a UserError (exit 2). A fault is something that happened to a correct run: the
disk filled up, the output location became read-only or was removed, worker processes kept
dying. run.py prints a RunFailed as one line and exits with code 1; the line says what
happened, what was kept (finished replications, and the space they hold) and the command
that continues the run or frees the space (cli/output.py, StagedDir).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
GONE = {errno.ENOENT, errno.ESTALE, errno.ENOTDIR}
NOT_WRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}


class RunFailed(Exception):
    """A run stopped by a fault of the machine; its text is one line for the user."""


class StagingLost(OSError):
    """The staging directory was removed or replaced while the run wrote into it."""

    def __init__(self, path: Path):
        super().__init__(errno.ENOENT, "removed during the run", str(path))


def what_happened(exc: BaseException, stage) -> str | None:
    """One line for a fault of the machine during the run into `stage` (a StagedDir); None for
    anything else (a bug keeps its traceback)."""
    from smartregion.model.dask_backend import ClusterStartFailed
    from smartregion.model.ensemble import WorkerLost

    from .output import DamagedPart

    where = f"{stage.shown}.partial"
    if isinstance(exc, WorkerLost):
        return (f"{exc} (killed from outside, often by the system for lack of memory; each time it was "
                "replaced and the replication run again)")
    if isinstance(exc, ClusterStartFailed):
        return f"{exc} (killed from outside, often by the system for lack of memory)"
    if isinstance(exc, DamagedPart):
        return f"{exc} (a failing disk?)"
    if not isinstance(exc, OSError):
        return None
    code = _errno(exc)
    if isinstance(exc, StagingLost) or not stage.still_ours():  # whatever error writing into it gave
        return f"{where} was removed during the run (by another program or person)"
    # Errors about files elsewhere (pyarrow's name no file: assume ours) are not faults of --out.
    ours = exc.filename is None or str(exc.filename).startswith(str(stage.staging))
    if code in DISK_FULL:
        return f"the disk holding {where if ours else exc.filename} is full ({_reason(exc)})"
    if code in NOT_WRITABLE and ours:
        return f"cannot write into {where} any more ({_reason(exc)}; read-only or permissions changed)"
    if code in GONE and ours:
        return f"{where} or a file in it disappeared during the run ({_reason(exc)})"
    if code == errno.EIO:
        return f"the disk holding {where if ours else exc.filename} reported an input/output error ({_reason(exc)})"
    return None


def _errno(exc: OSError) -> int | None:
    """errno of an OSError, also from pyarrow, which sometimes only puts it in the text."""
    if exc.errno is not None:
        return exc.errno
    text = str(exc)
    for code in (*DISK_FULL, *NOT_WRITABLE, *GONE, errno.EIO):
        if os.strerror(code) in text:
            return code
    return None


def _reason(exc: OSError) -> str:
    code = _errno(exc)
    reason = os.strerror(code) if code is not None else str(exc).splitlines()[0]
    return f"{reason}: {exc.filename}" if exc.filename else reason


# Sizes of the outputs of `compare` and `sensitivity`, at the low end of what was measured (a
# refusal must be clearly right). compare: 2 scenarios at scale 0.02 wrote 122 kB (compare.png
# 91 kB, manifest 16 kB, compare.csv and a scenario file about 3.6 kB each per scenario).
# sensitivity: sobol, 2 parameters, 8 points wrote 65 kB (sensitivity.png 63 kB); a row of
# samples.csv is about 9 bytes per parameter and 40 for the outcomes.
COMPARE_BYTES = 100_000
COMPARE_BYTES_PER_SCENARIO = 7_000
SENSITIVITY_BYTES = 60_000
SAMPLE_BYTES_PER_PARAMETER = 8
SAMPLE_BYTES = 40


def compare_bytes(scenarios: int) -> int:
    return COMPARE_BYTES + scenarios * COMPARE_BYTES_PER_SCENARIO


def sensitivity_bytes(points: int, parameters: int) -> int:
    return SENSITIVITY_BYTES + points * (parameters * SAMPLE_BYTES_PER_PARAMETER + SAMPLE_BYTES)


def check_room(out: str, needed: int, what: str) -> None:
    """Refuse, before anything runs or is written, an output that clearly cannot fit on the
    file system of --out (the first existing directory on its path: the output and its
    .partial staging directory go next to each other). `run` has its own check, with parts."""
    from .common import UserError

    path = Path(out).expanduser().resolve()
    where = next(p for p in (path, *path.parents) if p.exists())
    free = shutil.disk_usage(where).free
    if free < needed:
        raise UserError(f"--out {out}: needs about {needed / 1e6:,.2f} MB of disk ({what}), but the file system "
                        f"holding {where} has {free / 1e6:,.2f} MB free; allowed: an --out with more free space")
