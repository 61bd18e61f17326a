"""Shared helpers: running the command line as a user would, and one small run to inspect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Small but real: a tenth of the firms, a handful of replications, a fixed seed.
SMALL = ("--scale", "0.1", "--replications", "6", "--seed", "7", "--no-progress")


def cli(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python run.py ARGS` from the repository root, as the README tells users to run it."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)


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
