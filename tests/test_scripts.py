"""The calibration scripts write only where --out says and never over shipped files by accident."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO

SCRIPTS = REPO / "calibration" / "scripts"
FITTED = REPO / "calibration" / "fitted"


def script(name, *args, timeout=600):
    return subprocess.run([sys.executable, str(SCRIPTS / name), *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "MPLBACKEND": "Agg"})


@pytest.mark.parametrize("name, out", [
    ("screen_targets.py", FITTED / "screening.csv"),
    ("recovery.py", FITTED / "recovery"),
    ("ema_north_jobs.py", FITTED / "ema_north"),
])
def test_scripts_refuse_to_write_over_shipped_files(name, out):
    before = {p: p.stat().st_mtime_ns for p in out.parent.rglob("*") if p.is_file()}
    shipped = script(name, "--out", out)
    assert shipped.returncode == 2 and "shipped file" in shipped.stderr.splitlines()[-1]
    assert {p: p.stat().st_mtime_ns for p in out.parent.rglob("*") if p.is_file()} == before


def test_ema_reanalysis_writes_to_out_and_reproduces_the_shipped_box(tmp_path):
    r = script("ema_north_jobs.py", "--from-csv", FITTED / "ema_north" / "experiments.csv", "--out", tmp_path,
               "--threshold", "600")
    assert r.returncode == 0, r.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"prim_box_600.csv", "ema_north_600.png"}
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "prim_box_600.csv"),
                                  pd.read_csv(FITTED / "ema_north" / "prim_box_600.csv"))
