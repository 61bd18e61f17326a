"""Interrupted runs lose nothing and never leave a result that only looks complete.

A real `python run.py run` is killed with a real SIGKILL at chosen points, found by watching
its staging directory (DIR.partial) on disk: before any replication is written, after some,
while the tables are assembled, and just before the final rename. After every kill the target
directory is either absent or a complete result (its manifest lists every file with the right
sha256), and `--resume` ends with the same bytes as a run that was never interrupted; its PNGs
with the same picture (conftest.same_picture: a resumed report.png has been seen to differ from
the undisturbed one in a few anti-aliased pixels while every table was byte-identical).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import same_picture

REPO = Path(__file__).resolve().parent.parent
N = 6  # replications: enough to stop in the middle
SMALL = ("--scale", "0.05", "--replications", str(N), "--seed", "11", "--workers", "1", "--no-progress")
SCENARIO = "scenarios/fieldlab_expansion_north.yaml"


def command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(REPO / "run.py"), "run", SCENARIO, "--out", str(out), *SMALL, *extra]


def run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(command(out, *extra), cwd=REPO, capture_output=True, text=True, check=False, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def kill_when(out: Path, ready, *extra: str, timeout: float = 240) -> bool:
    """Start a run, SIGKILL it the moment `ready()` is true; False if it finished first.

    The run gets its own session so that any worker process it started is killed too."""
    proc = subprocess.Popen(command(out, *extra), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, "MPLBACKEND": "Agg"})
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
            if proc.poll() is not None:
                return False
            time.sleep(0.002)
        raise AssertionError("the run neither reached the kill point nor finished")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def staging(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


def parts(out: Path) -> list[str]:
    d = staging(out) / "parts"
    return sorted(p.name for p in d.glob("rep-*")) if d.is_dir() else []


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verified(out: Path) -> dict[str, str]:
    """The {file: sha256} of a complete result: a manifest that lists exactly the files there,
    each with its hash. Fails the test for anything else at that path."""
    manifest = json.loads((out / "manifest.json").read_text())
    files = manifest["files"]
    present = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert present == sorted(files), f"{out}: files {present} but manifest lists {sorted(files)}"
    for name, digest in files.items():
        assert sha256(out / name) == digest, f"{out}/{name} does not match its manifest"
    return files


class Reference(dict):
    """The {file: sha256} of the run never interrupted, and the directory that holds it."""

    def __init__(self, files: dict[str, str], where: Path):
        super().__init__(files)
        self.where = where


def same_as(out: Path, reference: Reference) -> bool:
    """`out` is a complete result with the reference's tables byte for byte and its pictures."""
    files = verified(out)
    return files.keys() == reference.keys() and all(
        files[name] == digest or (name.endswith(".png") and same_picture(out / name, reference.where / name))
        for name, digest in reference.items())


def absent_or_equal(out: Path, expected: dict[str, str] | None) -> None:
    """After a kill: nothing at `out` (expected None), or exactly the expected complete result."""
    if expected is None:
        assert not out.exists(), f"{out} exists after a kill before the end: {sorted(os.listdir(out))}"
    else:
        assert verified(out) == expected


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    """The same run, never interrupted: what every resumed run must end with, byte for byte."""
    out = tmp_path_factory.mktemp("reference") / "out"
    r = run(out)
    assert r.returncode == 0, r.stderr
    return Reference(verified(out), out)


def test_reference_is_complete_and_covers_every_file(reference):
    assert {"timeseries.csv", "breakdown.csv", "spend.csv", "summary.csv", "report.png", "scenario.yaml",
            "counterfactual.yaml"} <= set(reference)


def test_kill_before_any_replication_leaves_nothing_and_resume_completes(reference, tmp_path):
    out = tmp_path / "out"
    assert kill_when(out, lambda: (staging(out) / "parts" / "run.json").is_file())
    # The kill follows the state (run.json written); on a loaded machine this process can be
    # descheduled long enough for the run to finish a replication first. What must hold after
    # any kill before the end does not depend on that:
    assert len(parts(out)) < N
    absent_or_equal(out, None)
    # an interrupted run is never silently discarded, nor reused for another run
    r = run(out)
    assert r.returncode == 2 and "--resume" in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    r = run(out, "--seed", "99", "--resume")  # a later --seed wins over the one in SMALL
    assert r.returncode == 2 and "another run" in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    absent_or_equal(out, None)
    r = run(out, "--resume")
    assert r.returncode == 0, r.stderr
    assert same_as(out, reference)
    assert not staging(out).exists()


def test_kill_after_some_replications_twice_then_resume_is_byte_identical(reference, tmp_path):
    out = tmp_path / "out"
    assert kill_when(out, lambda: len(parts(out)) >= 2)
    first = parts(out)
    assert 2 <= len(first) < N
    absent_or_equal(out, None)
    before = {p: sha256(staging(out) / "parts" / p / "timeseries.parquet") for p in first}
    # killed again while resuming: the parts finished so far survive both kills untouched
    assert kill_when(out, lambda: len(parts(out)) >= len(first) + 2, "--resume")
    second = parts(out)
    assert set(first) < set(second) and len(second) < N
    assert all(sha256(staging(out) / "parts" / p / "timeseries.parquet") == h for p, h in before.items())
    absent_or_equal(out, None)
    r = run(out, "--resume")
    assert r.returncode == 0, r.stderr
    assert f"resuming: {len(second)} of {N} replications already done" in r.stderr
    assert same_as(out, reference)


def test_kill_while_assembling_tables_then_resume(reference, tmp_path):
    out = tmp_path / "out"
    # every replication is done and the tables are being written from the parts
    assert kill_when(out, lambda: (staging(out) / "timeseries.csv").exists())
    assert len(parts(out)) == N
    absent_or_equal(out, None)
    r = run(out, "--resume")
    assert r.returncode == 0, r.stderr
    assert f"resuming: {N} of {N}" in r.stderr
    assert same_as(out, reference)


def test_killing_a_forced_replacement_keeps_the_previous_result(reference, tmp_path):
    """--force over an earlier result, killed at each stage up to the moment before the final
    rename: the earlier result stays whole until the new one is complete; then the new one is
    there, whole, and nothing else is left beside it."""
    out = tmp_path / "out"
    r = run(out, "--seed", "12")  # the previous result: another seed, other numbers
    assert r.returncode == 0, r.stderr
    previous = verified(out)
    assert previous["timeseries.csv"] != reference["timeseries.csv"]
    stages = {
        "some replications": lambda: len(parts(out)) >= 2,
        # the manifest is the last file written before DIR.partial becomes DIR
        "manifest": lambda: (staging(out) / "manifest.json").exists(),
    }
    for name, ready in stages.items():
        killed = kill_when(out, ready, "--force")
        current = verified(out)
        assert current == previous or same_as(out, reference), name
        if current != previous:  # only possible when the rename won the race at the last stage
            assert name == "manifest" or not killed
            return
        assert killed, name
    r = run(out, "--force")
    assert r.returncode == 0, r.stderr
    assert same_as(out, reference)
    assert not staging(out).exists() and [p.name for p in tmp_path.iterdir()] == ["out"]


# --------------------------------------------------------------------------------------------
# Calibration: pyabc's database is the checkpoint; a rerun of the same command resumes
# --------------------------------------------------------------------------------------------

CALIBRATE = ("calibration/targets.yaml", "--population", "6", "--generations", "3", "--scale", "0.05",
             "--predictive", "1", "--predictive-scale", "0.05", "--workers", "1")
# What a calibration concludes; abc.db holds timestamps and calibration.json the run times.
CALIBRATION_RESULTS = ("generations.csv", "posterior.csv", "posterior_summary.csv", "fit.csv", "fitted.yaml")


def calibrate_cmd(out: Path) -> list[str]:
    return [sys.executable, str(REPO / "run.py"), "calibrate", *CALIBRATE[:1], "--out", str(out), *CALIBRATE[1:]]


def test_calibration_killed_after_a_generation_resumes_to_the_same_posterior(tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    ref, out = tmp_path / "ref" / "out", tmp_path / "int" / "out"  # same depth: fitted.yaml holds relative paths
    r = subprocess.run(calibrate_cmd(ref), cwd=REPO, capture_output=True, text=True, check=False, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    log = tmp_path / "stderr.txt"
    with open(log, "w") as err:
        proc = subprocess.Popen(calibrate_cmd(out), cwd=REPO, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True, env=env)
        try:
            deadline = time.monotonic() + 300
            while "generation 1: epsilon" not in log.read_text() and proc.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            assert proc.poll() is None, "finished before the kill point"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    # interrupted: marked as running, and none of the results that would make it look finished
    assert json.loads((out / "calibration.json").read_text())["status"] == "running"
    assert not any((out / name).exists() for name in ("fit.csv", "fitted.yaml"))
    r = subprocess.run(calibrate_cmd(out), cwd=REPO, capture_output=True, text=True, check=False, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    resumed = re.search(r"resuming from \S+: (\d+) generation\(s\)", r.stderr)
    assert resumed and int(resumed.group(1)) >= 2, r.stderr  # generations 0 and 1 were kept
    for name in CALIBRATION_RESULTS:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert json.loads((out / "calibration.json").read_text())["status"] == "done"
