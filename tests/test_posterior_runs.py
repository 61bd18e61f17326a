"""`run.py run --posterior`: parameters drawn per replication from a calibration's posterior,
the same for both arms and any number of workers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", "run", "scenarios/baseline.yaml", "--out", str(out),
                           "--replications", "2", "--scale", "0.05", "--no-progress", *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_posterior_draws_are_reproducible_and_recorded(tmp_path):
    posterior = tmp_path / "posterior.csv"
    # Two particles far apart: which one a replication gets must show in its results.
    pd.DataFrame({"bass_p": [0.006, 0.058], "experiment_rate": [0.02, 0.29], "weight": [1.0, 1.0]}).to_csv(
        posterior, index=False)
    a = _run(tmp_path / "a", "--posterior", str(posterior), "--workers", "1")
    b = _run(tmp_path / "b", "--posterior", str(posterior), "--workers", "2")
    plain = _run(tmp_path / "plain", "--workers", "1")
    assert a.returncode == b.returncode == plain.returncode == 0, a.stderr + b.stderr + plain.stderr
    assert (tmp_path / "a" / "summary.csv").read_bytes() == (tmp_path / "b" / "summary.csv").read_bytes()
    assert (tmp_path / "a" / "summary.csv").read_bytes() != (tmp_path / "plain" / "summary.csv").read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["posterior"]["path"] == str(posterior)
    assert "--posterior" in manifest["rerun"]


def test_bad_posterior_is_one_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "posterior.csv"
    bad.write_text("bass_qq,weight\n0.3,1\n")
    r = _run(tmp_path / "out", "--posterior", str(bad))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "posterior.csv" in lines[0] and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()
