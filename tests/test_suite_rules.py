"""The rules in tests/conftest.py that make the suite give one verdict on every CI machine,
checked on a throw-away test module run by a real pytest with and without CI=true."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

PROBE = '''
import pytest
from hypothesis import settings

def test_profile():
    print("derandomize", settings.default.derandomize, "database", settings.default.database)

def test_needs_a_browser():
    pytest.skip("chromium is missing")
'''


@pytest.mark.parametrize("ci", [True, False])
def test_ci_fixes_hypothesis_and_turns_skips_into_failures(ci, tmp_path):
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    if ci:
        env["CI"] = "true"
    r = subprocess.run([sys.executable, "-m", "pytest", "-s", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    if ci:
        assert r.returncode == 1 and "skipped under CI=true, where every test must run" in r.stdout, r.stdout
        assert "derandomize True database None" in r.stdout, r.stdout
    else:
        assert r.returncode == 0 and "SKIPPED" in r.stdout, r.stdout
        assert "derandomize False" in r.stdout and "database None" not in r.stdout, r.stdout


ALONE_PROBE = '''
import json, os, time
import pytest

def record(name):
    t0 = time.time()
    time.sleep({seconds})
    with open(os.environ["PROBE_LOG"], "a") as f:
        f.write(json.dumps([name, t0, time.time()]) + "\\n")
'''


def test_a_test_marked_alone_runs_while_no_other_test_does(tmp_path):
    """Two processes (pytest-xdist, as the suite runs): one file holds a test marked `alone`, the
    other a stream of short tests. No short test may run during the `alone` one, and the
    stream must not keep it waiting for ever."""
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    alone: no other test meanwhile\n")
    (tmp_path / "test_a.py").write_text(ALONE_PROBE.format(seconds=0.2) + '''
def test_first():
    record("a0")

@pytest.mark.alone
def test_alone():
    record("alone")
''')
    (tmp_path / "test_b.py").write_text(ALONE_PROBE.format(seconds=0.1) + "".join(
        f"\ndef test_{k}():\n    record('b{k}')\n" for k in range(30)))
    log = tmp_path / "log.jsonl"
    env = {**os.environ, "PROBE_LOG": str(log)}
    r = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2", "--dist",
                        "loadfile", str(tmp_path)], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    spans = {name: (t0, t1) for name, t0, t1 in map(json.loads, log.read_text().splitlines())}
    a0, a1 = spans.pop("alone")
    others = [(t0, t1) for name, (t0, t1) in spans.items() if name.startswith("b")]
    assert len(others) == 30
    assert not [s for s in others if s[0] < a1 and s[1] > a0], "a test ran beside the one marked alone"
    assert any(t0 >= a1 for t0, _ in others), "the stream of short tests did not run around it"
