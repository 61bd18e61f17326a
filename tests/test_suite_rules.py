"""The rules in tests/conftest.py that make the suite give one verdict on every CI machine,
checked on a throw-away test module run by a real pytest with and without CI=true."""

from __future__ import annotations

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
