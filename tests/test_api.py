"""The Python API (smartregion/__init__.py, docs/API.md): the same numbers as the command line."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import smartregion as sr
from conftest import REPO, cli

SMALL = dict(scale=0.05, replications=2, seed=11)


@pytest.fixture(scope="module")
def api_results():
    return sr.run("baseline", **SMALL)


def test_api_and_command_line_give_identical_summaries(api_results, tmp_path):
    r = cli("run", "baseline", "--out", tmp_path / "out", "--scale", "0.05", "--replications", "2", "--seed", "11",
            "--workers", "2", "--no-progress")
    assert r.returncode == 0, r.stderr
    written = pd.read_csv(tmp_path / "out" / "summary.csv")
    api = api_results.summary  # the same columns as summary.csv, unit and note included
    assert list(api.columns) == list(written.columns)
    numbers = ["policy_mean", "counterfactual_mean", "difference", "difference_p5", "difference_p95"]
    pd.testing.assert_frame_equal(api[numbers], written[numbers], check_exact=True)
    assert (api["metric"] == written["metric"]).all() and (api["province"] == written["province"]).all()


def test_one_model_is_the_command_lines_replication(api_results):
    s = api_results.scenario
    for rep in (0, 1):
        for arm in ("policy", "counterfactual"):
            model = sr.build_model(s, replication=rep, arm=arm)
            assert np.array_equal(model.run().metrics, api_results.runs[rep][arm].metrics), (rep, arm)
    # SmartIndustryModel(scenario) is replication 0 of the policy arm
    direct = sr.SmartIndustryModel(s)
    assert np.array_equal(direct.run().metrics, api_results.runs[0]["policy"].metrics)


def test_tables_are_tidy_with_units(api_results):
    ts = api_results.timeseries
    assert ts["unit"].notna().all() and ts.loc[ts["metric"] == "public_spend_eur", "unit"].eq("EUR (cumulative)").all()
    assert api_results.summary["unit"].notna().all() and api_results.breakdown["unit"].notna().all()
    # tidy: one row per arm, replication, quarter, province, metric
    assert not ts.duplicated(["arm", "replication", "quarter", "province", "metric"]).any()


def test_with_changes_validates_like_a_file():
    s = sr.load_scenario("baseline")
    with pytest.raises(sr.ScenarioError, match="unknown parameter 'bass_qq' \\(did you mean 'bass_q'\\?\\)"):
        sr.with_changes(s, parameters={"bass_qq": 0.3})
    with pytest.raises(sr.ScenarioError, match="no instrument 'hub_zud' to remove \\(did you mean 'hub_zuid'\\?\\)"):
        sr.with_changes(s, policies=[{"name": "hub_zud", "remove": True}])
    fewer = sr.with_changes(s, policies=[{"name": "hub_zuid", "remove": True}])
    assert len(fewer.policies) == len(s.policies) - 1 and fewer.counterfactual == s.counterfactual
    assert sr.with_changes(s).content_hash() == s.content_hash()  # no change, same scenario


def test_import_is_light():
    code = "import sys, smartregion; print('mesa' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO).stdout
    assert out.split() == ["False", "False"]


def test_api_doc_examples_run():
    # In a fresh interpreter, as a reader would run them: the examples create Mesa agents, and Mesa
    # 3.3 keeps a model with agents alive for the life of the process (see model/model.py).
    code = ("import doctest, sys; r = doctest.testfile(sys.argv[1], module_relative=False, "
            "optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE); print(r.attempted, r.failed)")
    out = subprocess.run([sys.executable, "-c", code, str(REPO / "docs" / "API.md")], capture_output=True, text=True,
                         cwd=REPO, timeout=600)
    attempted, failed = map(int, out.stdout.split()[-2:])
    assert attempted > 20 and failed == 0, out.stdout[-3000:]
