"""The distribution as a user installs it: a wheel (not an editable install) in a fresh
virtualenv, used from a directory outside the repository.

The wheel is built from a copy of the working tree (so the repository gets no build/ or
egg-info). To keep the test fast, the fresh virtualenv takes the dependencies from the test
environment's site-packages (which pip filled from PyPI) through a .pth file, pip included: the
virtualenv is made without pip of its own (ensurepip took about 5 s of CPU), and its python runs
the test environment's pip to install the wheel into it; the smartregion package itself comes only
from the wheel (checked: its __file__ is in the new virtualenv, and
the test environment's editable install is not active there, since .pth files of a directory
added by a .pth line are not processed).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parent.parent
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", "results", ".pytest_cache",
                                     ".hypothesis", "*.partial", "*.ipynb_checkpoints", "*.db")


def _run(cmd, cwd, timeout=600):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(virtualenv bin directory, a working directory outside the repository)."""
    root = tmp_path_factory.mktemp("package")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=COPY_IGNORE)
    wheels = root / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, src], cwd=root)
    wheel = next(wheels.glob("smartregion-*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root)
    py = venv / "bin" / "python"
    purelib = _run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).stdout.strip()
    (Path(purelib) / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([py, "-m", "pip", "install", "-q", "--no-deps", wheel], cwd=root)
    work = root / "elsewhere"
    work.mkdir()
    return venv / "bin", work


def test_wheel_installs_one_package_with_its_data(installed):
    bin_dir, work = installed
    where = _run([bin_dir / "python", "-c", "import smartregion; print(smartregion.__file__)"], cwd=work).stdout
    assert Path(where.strip()).is_relative_to(bin_dir.parent), where
    files = _run([bin_dir / "python", "-m", "pip", "show", "-f", "smartregion"], cwd=work).stdout.splitlines()
    listed = [f.strip() for f in files[files.index("Files:") + 1:]]
    tops = {f.split("/")[0] for f in listed if not f.startswith("..")}
    assert tops == {"smartregion", "smartregion-0.1.0.dist-info"}, tops  # no top-level model, cli, viz, calibration
    for data in ("smartregion/scenarios/baseline.yaml", "smartregion/calibration/data/firm_size_classes.csv",
                 "smartregion/scenario.schema.json", "smartregion/calibration/fitted/baseline/posterior.csv"):
        assert data in listed, data


def test_console_script_runs_shipped_scenario_by_name_outside_the_repository(installed):
    bin_dir, work = installed
    r = _run([bin_dir / "smartregion", "run", "baseline", "--out", "x", "--scale", "0.05", "--replications", "2",
              "--no-progress"], cwd=work)
    assert "baseline vs no_policy" in r.stdout
    summary = pd.read_csv(work / "x" / "summary.csv")
    net = summary[(summary["metric"] == "net_adopters") & (summary["province"] == "NL")]["difference"].iloc[0]
    assert net > 0  # the programme adds adopters at any scale
    manifest = json.loads((work / "x" / "manifest.json").read_text())
    assert manifest["rerun"].startswith("smartregion run x/scenario.yaml --out x-rerun")
    assert manifest["command"].startswith("smartregion run baseline")


def test_installed_scenarios_by_path_and_extends(installed):
    bin_dir, work = installed
    shipped = _run([bin_dir / "python", "-c", "from smartregion.model.scenario import SCENARIO_DIR; print(SCENARIO_DIR)"],
                   cwd=work).stdout.strip()
    assert Path(shipped).is_relative_to(bin_dir.parent)
    (work / "mine.yaml").write_text("extends: baseline\ncounterfactual: baseline\npolicies:\n"
                                    "  - {name: hub_zuid, end: 2023Q4}\n")
    r = _run([bin_dir / "smartregion", "validate", Path(shipped) / "reshoring_push.yaml", "mine.yaml"], cwd=work)
    assert r.stdout.count("ok") == 2, r.stdout
    listing = _run([bin_dir / "smartregion", "list"], cwd=work).stdout
    assert "fieldlab_expansion_north" in listing
