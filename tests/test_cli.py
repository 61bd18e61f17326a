"""The command line as a policymaker uses it: `run`, `compare`, `validate`, `schema`, `list`.

Every test runs `python run.py ...` in a subprocess from the repository root and looks only at
what a user sees: exit code, stdout/stderr and the files written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, SMALL, cli, same_picture
from smartregion.model.model import METRICS, REGIONS_OUT
from smartregion.model.regions import SECTORS, SIZE_CLASSES
from smartregion.model.scenario import SCENARIO_DIR

RUN_FILES = {"timeseries.csv", "breakdown.csv", "spend.csv", "summary.csv", "manifest.json", "report.png",
             "structure.csv", "structure.png", "scenario.yaml", "counterfactual.yaml"}


def same_bytes(a: Path, b: Path, names=("timeseries.csv", "summary.csv")) -> bool:
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


# --- run: what it writes ---------------------------------------------------------------------

def test_run_writes_every_file_and_nothing_else(small_run):
    assert {p.name for p in small_run.iterdir()} == RUN_FILES
    assert not small_run.with_name(small_run.name + ".partial").exists()


def test_timeseries_is_tidy_and_complete(small_run):
    ts = pd.read_csv(small_run / "timeseries.csv")
    assert list(ts.columns) == ["arm", "replication", "quarter", "province", "province_name", "metric", "value"]
    pairs = set(zip(ts["province"], ts["province_name"]))
    assert ("LI", "Limburg") in pairs and ("NB", "Noord-Brabant") in pairs and ("NL", "Nederland") in pairs
    assert len(pairs) == 13  # one name per code
    assert set(ts["arm"]) == {"policy", "counterfactual"}
    assert sorted(ts["replication"].unique()) == list(range(6))
    assert set(ts["province"]) == set(REGIONS_OUT) and len(REGIONS_OUT) == 13
    assert set(ts["metric"]) == set(METRICS)
    assert ts["quarter"].str.fullmatch(r"\d{4}Q[1-4]").all()
    assert ts["quarter"].min() == "2014Q1" and ts["quarter"].max() == "2030Q4"
    assert len(ts) == 2 * 6 * 68 * 13 * len(METRICS)  # no gaps, no duplicates
    assert ts["value"].notna().all()


def test_breakdown_and_spend_tables(small_run):
    bd = pd.read_csv(small_run / "breakdown.csv")
    assert list(bd.columns) == ["arm", "replication", "quarter", "group", "category", "metric", "value"]
    assert set(bd.loc[bd["group"] == "sector", "category"]) == set(SECTORS)
    assert set(bd.loc[bd["group"] == "size", "category"].astype(str)) == set(SIZE_CLASSES)
    sp = pd.read_csv(small_run / "spend.csv")
    assert list(sp.columns) == ["arm", "replication", "quarter", "instrument", "province", "eur"]
    assert (sp["eur"] > 0).all() and set(sp["arm"]) == {"policy"}  # no_policy spends nothing
    assert set(sp["province"]) <= set(REGIONS_OUT) - {"NL"}


def test_summary_has_every_region_and_agrees_with_the_timeseries(small_run):
    s = pd.read_csv(small_run / "summary.csv")
    assert list(s.columns) == ["metric", "province", "province_name", "quarter", "replications", "policy_mean",
                               "counterfactual_mean", "difference", "difference_p5", "difference_p95", "unit",
                               "note", "parameter_share", "parameters"]
    assert (s["parameters"] == "parameters: registry defaults (model/params.py), no parameter uncertainty").all()
    assert s["unit"].notna().all()
    for metric in (*METRICS, "net_jobs", "net_adopters", "extra_public_spend_eur", "cost_per_net_job_eur"):
        assert set(s.loc[s["metric"] == metric, "province"]) == set(REGIONS_OUT), metric
    assert (s["quarter"] == "2030Q4").all() and (s["replications"] == 6).all()
    # Net jobs recomputed from the time series: the same replications, differenced pairwise.
    ts = pd.read_csv(small_run / "timeseries.csv")
    last = ts[(ts["quarter"] == "2030Q4") & (ts["metric"] == "employment")]
    wide = last.pivot_table(index=["province", "replication"], columns="arm", values="value")
    diff = (wide["policy"] - wide["counterfactual"]).groupby("province")
    net = s[s["metric"] == "net_jobs"].set_index("province")
    for region in REGIONS_OUT:
        d = diff.get_group(region).to_numpy()
        assert net.loc[region, "difference"] == pytest.approx(d.mean(), rel=1e-12, abs=1e-9)
        assert net.loc[region, "difference_p5"] == pytest.approx(np.percentile(d, 5), rel=1e-12, abs=1e-9)
        assert net.loc[region, "difference_p95"] == pytest.approx(np.percentile(d, 95), rel=1e-12, abs=1e-9)
    spend = s[(s["metric"] == "extra_public_spend_eur") & (s["province"] == "NL")]["difference"].item()
    cost = s[(s["metric"] == "cost_per_net_job_eur") & (s["province"] == "NL")]["difference"].item()
    if net.loc["NL", "difference"] > 0:
        assert cost == pytest.approx(spend / net.loc["NL", "difference"])
    else:
        assert np.isnan(cost)


def test_manifest_describes_and_verifies_the_run(small_run):
    m = json.loads((small_run / "manifest.json").read_text())
    assert m["seed"] == 7 and m["replications"] == 6 and m["scale"] == 0.1
    assert set(m["scenarios"]) == {"scenario", "counterfactual"}
    assert m["scenarios"]["scenario"]["name"] == "baseline" and m["scenarios"]["counterfactual"]["name"] == "no_policy"
    assert len(m["hashes"]["scenario"]) == 64 and m["hashes"]["scenario"] != m["hashes"]["counterfactual"]
    seeds = m["replication_seeds"]
    assert [s["replication"] for s in seeds] == list(range(6))
    assert all(s["entropy"] == 7 and s["spawn_key"] == [s["replication"]] for s in seeds)
    for pkg in ("python", "numpy", "pandas", "scipy", "mesa", "pydantic"):
        assert m["versions"][pkg], pkg
    assert "run.py run scenarios/baseline.yaml" in m["command"] and m["wall_time_s"] > 0
    assert set(m["files"]) == RUN_FILES - {"manifest.json"}
    for name, digest in m["files"].items():
        assert hashlib.sha256((small_run / name).read_bytes()).hexdigest() == digest, name


def test_structure_table_sets_model_next_to_data(small_run):
    st = pd.read_csv(small_run / "structure.csv")
    assert list(st["region"]) == list(REGIONS_OUT)
    prov, nl = st[st["region"] != "NL"], st[st["region"] == "NL"].iloc[0]
    assert prov["firms"].sum() == pytest.approx(nl["firms"])  # NL is the sum of the provinces
    # allocation rounds each (size, branch) cell: at most one simulated firm per cell off the
    # employment share, i.e. 1/scale firms in the whole-economy counts the file holds (model/units.py)
    scale = float(SMALL[SMALL.index("--scale") + 1])
    assert prov["firms"].to_numpy() == pytest.approx(prov["firms_data"].to_numpy(),
                                                     abs=len(SECTORS) * len(SIZE_CLASSES) / scale)
    shares = prov[[f"share_{s}" for s in SECTORS]].sum(axis=1)
    assert shares.to_numpy() == pytest.approx(1.0, abs=1e-3)  # written with 4 significant digits
    assert prov["productivity_growth_2014_2019_pct"].notna().all()
    assert (small_run / "structure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_png_is_a_real_figure(small_run):
    png = (small_run / "report.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 1200 and height >= 700 and len(png) > 50_000


def test_headline_table_on_the_terminal(small_process):
    out, r = small_process
    lines = r.stdout.strip().splitlines()
    assert "baseline vs no_policy, NL, 2030Q4" in lines[0] and "6 replications" in lines[0]
    summary = pd.read_csv(out / "summary.csv").set_index(["metric", "province"])
    net = summary.loc[("net_jobs", "NL")]
    row = next(line for line in lines if line.strip().startswith("Net jobs"))
    assert f"{net['difference']:+,.0f}" in row and f"[{net['difference_p5']:+,.0f} .. {net['difference_p95']:+,.0f}]" in row
    for label in ("Net adopting firms", "reshored", "productivity", "public spending", "cost per net job"):
        assert label.lower() in r.stdout.lower(), label
    assert str(out) in lines[-1]


# --- run: reproducibility ----------------------------------------------------------------------

def test_same_seed_is_byte_identical_whatever_the_workers(small_run, tmp_path):
    out = tmp_path / "two_workers"
    r = cli("run", "scenarios/baseline.yaml", "--out", out, *SMALL, "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert same_bytes(small_run, out, ("timeseries.csv", "summary.csv", "breakdown.csv", "spend.csv"))


def test_parquet_tables_hold_the_same_rows_as_the_csv_tables(small_run, tmp_path):
    out = tmp_path / "parquet"
    r = cli("run", "scenarios/baseline.yaml", "--out", out, *SMALL, "--workers", "2", "--tables", "parquet")
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.iterdir()} == {n.replace(".csv", ".parquet") if n in
                                               ("timeseries.csv", "breakdown.csv", "spend.csv") else n for n in RUN_FILES}
    assert same_bytes(small_run, out, ("summary.csv",))
    for table in ("timeseries", "breakdown", "spend"):
        from_csv = pd.read_csv(small_run / f"{table}.csv", keep_default_na=False)
        from_parquet = pd.read_parquet(out / f"{table}.parquet")
        assert list(from_parquet.columns) == list(from_csv.columns)
        pd.testing.assert_frame_equal(from_parquet.astype(from_csv.dtypes.to_dict()), from_csv, check_exact=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert "timeseries.parquet" in manifest["files"] and manifest["rerun"].endswith("--tables parquet")


def test_force_replaces_an_output_and_another_seed_gives_other_numbers(small_run, tmp_path):
    out = tmp_path / "other_seed"
    shutil.copytree(small_run, out)
    r = cli("run", "scenarios/baseline.yaml", "--out", out, *SMALL, "--seed", "8", "--force")
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "manifest.json").read_text())["seed"] == 8
    for name in ("timeseries.csv", "summary.csv"):
        assert (out / name).read_bytes() != (small_run / name).read_bytes(), name
    assert not list(tmp_path.glob(".*replaced*"))


def test_rerun_command_in_the_manifest_reproduces_the_numbers(small_run, tmp_path):
    rerun = shlex.split(json.loads((small_run / "manifest.json").read_text())["rerun"])
    assert rerun[:3] == ["python", "run.py", "run"] and rerun[3] == str(small_run / "scenario.yaml")
    out = tmp_path / "rerun"
    args = rerun[3:]
    args[args.index("--out") + 1] = str(out)
    r = cli("run", *args, "--no-progress")
    assert r.returncode == 0, r.stderr
    assert same_bytes(small_run, out)


def test_resume_after_kill_equals_an_uninterrupted_run(small_run, tmp_path):
    out = tmp_path / "killed"
    partial = tmp_path / "killed.partial"
    cmd = [sys.executable, "run.py", "run", "scenarios/baseline.yaml", "--out", str(out), *SMALL, "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    deadline = time.monotonic() + 120
    while not list((partial / "parts").glob("rep-*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists(), "the run finished before it could be killed"
    kept = len(list((partial / "parts").glob("rep-*")))
    assert 1 <= kept < 6

    # Another scenario cannot take over the partial run.
    r = cli("run", "scenarios/no_policy.yaml", "--out", out, *SMALL, "--resume")
    assert r.returncode == 2 and "--force" in r.stderr and partial.exists()

    r = cli("run", "scenarios/baseline.yaml", "--out", out, *SMALL, "--workers", "2", "--resume")
    assert r.returncode == 0, r.stderr
    assert f"resuming: {kept} of 6" in r.stderr
    assert same_bytes(small_run, out, ("timeseries.csv", "summary.csv", "breakdown.csv", "spend.csv"))
    assert same_picture(small_run / "report.png", out / "report.png")
    assert not partial.exists()


def test_existing_output_needs_force_and_stays_untouched(small_run):
    before = {p.name: p.read_bytes() for p in small_run.iterdir()}
    r = cli("run", "scenarios/baseline.yaml", "--out", small_run, *SMALL)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and str(small_run) in r.stderr and "--force" in r.stderr
    assert {p.name: p.read_bytes() for p in small_run.iterdir()} == before


# --- run: bad input ----------------------------------------------------------------------------

BAD = {
    "unknown_key": ("extends: baseline\nreplicatons: 5\n", "did you mean 'replications'"),
    "bad_province": ("extends: baseline\npolicies:\n  - {name: x, type: fieldlab, provinces: [XX], start: 2026Q1,"
                     " end: 2030Q4, budget_eur: 1000000}\n", "unknown province 'XX'"),
    "end_before_start": ("extends: baseline\nhorizon: {start: 2020Q1, end: 2018Q1}\n", "horizon.end"),
    "negative_budget": ("extends: baseline\npolicies:\n  - {name: x, type: fieldlab, provinces: [GR], start: 2026Q1,"
                        " end: 2030Q4, budget_eur: -5}\n", "budget_eur"),
}


def assert_one_line_error(r, *needles):
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.endswith("\n") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    for n in needles:
        assert n in r.stderr, (n, r.stderr)


@pytest.mark.parametrize("case", [*BAD, "missing_file"])
def test_bad_scenario_is_one_line_and_leaves_nothing(case, tmp_path):
    scenario = tmp_path / f"{case}.yaml"
    if case != "missing_file":
        text, _ = BAD[case]
        scenario.write_text(text)
    out = tmp_path / "not_yet" / "out"
    r = cli("run", scenario, "--out", out, "--scale", "0.1", "--replications", "2")
    assert_one_line_error(r, str(scenario), BAD[case][1] if case in BAD else "no such file")
    assert not (tmp_path / "not_yet").exists()


@pytest.mark.parametrize("flags, needle", [(("--replications", "0"), "--replications"),
                                           (("--scale", "-1"), "--scale"),
                                           (("--seed", "abc"), "--seed")])
def test_bad_flag_is_one_line_and_leaves_nothing(flags, needle, tmp_path):
    out = tmp_path / "out"
    r = cli("run", "scenarios/baseline.yaml", "--out", out, *flags)
    assert_one_line_error(r, needle, "allowed")
    assert list(tmp_path.iterdir()) == []


# --- validate, schema, list --------------------------------------------------------------------

def test_validate_reports_each_file(tmp_path):
    shipped = sorted(SCENARIO_DIR.glob("*.yaml"))
    r = cli("validate", *shipped)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == len(shipped) and all(": ok (" in line for line in lines)

    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD["unknown_key"][0])
    r = cli("validate", shipped[0], bad)
    assert r.returncode == 2 and "Traceback" not in r.stdout + r.stderr
    ok, err = r.stdout.splitlines()
    assert ": ok (" in ok and err.startswith(str(bad)) and "did you mean 'replications'" in err


def test_committed_schema_is_the_generated_one(tmp_path):
    from smartregion.cli.scenario_cmds import schema_text

    committed = (REPO / "scenario.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "regenerate it: python run.py schema --out scenario.schema.json"
    r = cli("schema")
    assert r.returncode == 0 and r.stdout == committed
    r = cli("schema", "--out", tmp_path / "s.json")
    assert r.returncode == 0 and (tmp_path / "s.json").read_text(encoding="utf-8") == committed
    assert json.loads(committed)["properties"]["policies"]


def test_list_shows_every_shipped_scenario():
    r = cli("list")
    assert r.returncode == 0, r.stderr
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert names == sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    assert all(len(line.split(None, 1)) == 2 for line in r.stdout.splitlines())  # every one has a description


# --- compare -----------------------------------------------------------------------------------

def test_compare_shares_the_counterfactual_and_matches_run(small_run, tmp_path):
    out = tmp_path / "cmp"
    r = cli("compare", "scenarios/baseline.yaml", "scenarios/hidden_champions.yaml", "--out", out, *SMALL,
            "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.iterdir()} == {"compare.csv", "compare.png", "manifest.json", "counterfactual.yaml",
                                               "scenarios"}
    t = pd.read_csv(out / "compare.csv")
    assert list(t.columns[:5]) == ["scenario", "province", "net_jobs_mean", "net_jobs_p5", "net_jobs_p95"]
    assert {"net_adopters_mean", "extra_public_spend_eur_mean", "cost_per_net_job_eur_p95",
            "net_jobs_per_eur_million_mean"} <= set(t.columns)
    assert len(t) == 2 * 13 and set(t["province"]) == set(REGIONS_OUT)
    # Same seed, same counterfactual (no_policy): the baseline's effects are those of `run`.
    s = pd.read_csv(small_run / "summary.csv")
    net = s[s["metric"] == "net_jobs"].set_index("province")["difference"]
    mine = t[t["scenario"] == "baseline"].set_index("province")["net_jobs_mean"]
    for region in REGIONS_OUT:
        assert mine[region] == pytest.approx(net[region], rel=1e-12, abs=1e-9), region
    nl = t[(t["scenario"] == "baseline") & (t["province"] == "NL")].iloc[0]
    assert nl["net_jobs_per_eur_million_mean"] == pytest.approx(
        nl["net_jobs_mean"] / (nl["extra_public_spend_eur_mean"] / 1e6))
    assert "baseline" in r.stdout and "hidden_champions" in r.stdout
    m = json.loads((out / "manifest.json").read_text())
    assert set(m["scenarios"]) == {"counterfactual", "baseline", "hidden_champions"}
    assert m["scenarios"]["counterfactual"]["name"] == "no_policy"
    assert (out / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_refuses_scenarios_of_another_world(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("extends: baseline\nname: other\nparameters: {bass_q: 0.5}\n")
    out = tmp_path / "cmp"
    r = cli("compare", "scenarios/baseline.yaml", other, "--out", out, "--scale", "0.1", "--replications", "2")
    assert_one_line_error(r, str(other), "parameters")
    assert list(tmp_path.iterdir()) == [other]


# The [calibration] extra missing: its packages hidden from the interpreter (None in
# sys.modules makes `import` raise ModuleNotFoundError, as on a core-only install).
WITHOUT_CALIBRATION = ("import sys, runpy\n"
                       "for name in ('pyabc', 'SALib', 'ema_workbench'):\n"
                       "    sys.modules[name] = None\n"
                       "sys.argv = ['run.py'] + sys.argv[1:]\n"
                       "runpy.run_path('run.py', run_name='__main__')\n")


@pytest.mark.parametrize("args", [
    ("calibrate", "calibration/targets.yaml", "--out", "{out}"),
    ("sensitivity", "scenarios/baseline.yaml", "--method", "morris", "--out", "{out}"),
])
def test_a_missing_optional_extra_is_one_line_and_exit_2(args, tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-c", WITHOUT_CALIBRATION, *(a.format(out=out) for a in args)], cwd=REPO,
                       capture_output=True, text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert f"{args[0]} needs the optional package" in r.stderr and "pip install -e '.[calibration]'" in r.stderr
    assert not out.exists() and not list(tmp_path.iterdir())
