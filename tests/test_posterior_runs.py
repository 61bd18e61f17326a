"""Calibrated by default: runs draw their parameters from a posterior, per pair of replications,
the same for both arms and any number of workers; a posterior made by other model code is
refused in one line; the output says which parameterisation ran and how much of each band is
parameter uncertainty.

The posteriors here are made in the test (with the current code's fingerprint), so these tests do
not depend on whether the shipped posterior is fresh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smartregion.calibration import parameterisation, predictive, provenance, uncertainty
from smartregion.calibration import posterior as posterior_mod
from smartregion.model.scenario import ScenarioError, load_scenario
from smartregion.model.streams import replication_seeds

ROOT = Path(__file__).resolve().parent.parent


def _run(out: Path, *extra: str, replications: int = 2, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", "run", "scenarios/baseline.yaml", "--out", str(out),
                           "--replications", str(replications), "--scale", "0.05", "--no-progress", *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def _posterior(d: Path, model: dict | None = "current") -> Path:
    """A two-particle posterior (far apart, so which one a replication gets shows in its results)
    in its own calibration directory, recorded as made by `model`."""
    d.mkdir(parents=True, exist_ok=True)
    path = d / "posterior.csv"
    pd.DataFrame({"bass_p": [0.006, 0.058], "experiment_rate": [0.02, 0.29], "weight": [1.0, 1.0]}).to_csv(
        path, index=False)
    if model is not None:
        record = provenance.record() if model == "current" else model
        (d / "calibration.json").write_text(json.dumps({"model": record}))
    return path


def test_posterior_draws_are_reproducible_recorded_and_split_the_band(tmp_path):
    posterior = _posterior(tmp_path / "cal")
    a = _run(tmp_path / "a", "--posterior", str(posterior), "--workers", "1", replications=6)
    b = _run(tmp_path / "b", "--posterior", str(posterior), "--workers", "2", replications=6)
    plain = _run(tmp_path / "plain", "--workers", "1", "--parameters", "defaults", replications=6)
    assert a.returncode == b.returncode == plain.returncode == 0, a.stderr + b.stderr + plain.stderr
    assert (tmp_path / "a" / "summary.csv").read_bytes() == (tmp_path / "b" / "summary.csv").read_bytes()
    summary = pd.read_csv(tmp_path / "a" / "summary.csv")
    defaults = pd.read_csv(tmp_path / "plain" / "summary.csv")
    label = "parameters: calibrated posterior ("
    assert summary["parameters"].str.startswith(label).all() and "2 draws, model fingerprint ok" in summary["parameters"][0]
    assert defaults["parameters"].str.startswith("parameters: registry defaults").all()
    assert defaults["parameter_share"].isna().all()
    nl = summary[summary.province == "NL"].set_index("metric")
    assert 0 <= nl.loc["net_adopters", "parameter_share"] <= 1
    assert not nl["difference"].equals(defaults[defaults.province == "NL"].set_index("metric")["difference"])
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["posterior"]["path"] == str(posterior)
    assert manifest["parameters"]["kind"] == "calibrated" and manifest["parameters"]["label"] == summary["parameters"][0]
    assert "--posterior" in manifest["rerun"]
    assert json.loads((tmp_path / "plain" / "manifest.json").read_text())["rerun"].endswith("--parameters defaults")
    assert label in a.stdout and "param." in a.stdout
    assert "parameters: registry defaults" in plain.stdout


def test_bad_posterior_is_one_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "posterior.csv"
    bad.write_text("bass_qq,weight\n0.3,1\n")
    r = _run(tmp_path / "out", "--posterior", str(bad))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "posterior.csv" in lines[0] and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


@pytest.mark.parametrize("model, words", [
    (None, "records no model fingerprint"),
    ({"source_sha256": "0" * 64, "fingerprint": "f" * 64}, "made by other model code"),
])
def test_posterior_of_other_model_code_is_refused_in_one_line_naming_the_refresh(tmp_path, model, words):
    posterior = _posterior(tmp_path / "cal", model)
    r = _run(tmp_path / "out", "--posterior", str(posterior))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and provenance.REFRESH in lines[0] and "--parameters defaults" in lines[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


def test_changed_source_with_the_same_behaviour_is_noted_not_refused(tmp_path):
    record = {**provenance.record(), "source_sha256": "0" * 64}
    status = provenance.check(_posterior(tmp_path / "cal", record))
    assert status.ok and status.words == "model source changed, fingerprint ok" and "same numbers" in status.note


def test_fingerprint_is_stable_and_ignores_only_the_last_bits():
    """Recomputed, the fingerprint repeats; its rounding (9 significant digits) absorbs a change in
    the last bits of a float (another BLAS, another summation order) but not a real change."""
    first = provenance.fingerprint()
    provenance._fingerprint.cache_clear()
    assert provenance.fingerprint() == first and len(first) == 64
    x = np.array([123456.789012345, 0.1 + 0.2])
    assert provenance._rounded_bytes(x, 9) == provenance._rounded_bytes(x * (1 + 1e-13), 9)
    assert provenance._rounded_bytes(x, 9) != provenance._rounded_bytes(x * (1 + 1e-6), 9)


def test_calibrated_is_the_default_unless_defaults_are_asked_for(tmp_path, monkeypatch):
    fresh = tmp_path / "shipped"
    _posterior(fresh)
    monkeypatch.setattr(parameterisation, "SHIPPED", fresh)
    monkeypatch.delenv(parameterisation.ENV, raising=False)
    s = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    par = parameterisation.choose(None, s)
    assert par.calibrated and par.posterior == str((fresh / "posterior.csv").resolve()) and par.draws == 2
    assert par.label() == f"parameters: calibrated posterior ({fresh}, 2 draws, model fingerprint ok)"
    assert parameterisation.choose("defaults", s).kind == "defaults"
    monkeypatch.setenv(parameterisation.ENV, "defaults")
    assert parameterisation.choose(None, s).kind == "defaults"
    monkeypatch.delenv(parameterisation.ENV)
    own = tmp_path / "own.yaml"
    own.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nparameterisation: defaults\n")
    s_own = load_scenario(own)
    assert s_own.parameterisation == "defaults" and parameterisation.choose(None, s_own).kind == "defaults"
    assert s.content_hash() == load_scenario(ROOT / "scenarios" / "baseline.yaml").content_hash()
    with pytest.raises(parameterisation.ParameterisationError, match="exclude each other"):
        parameterisation.choose("defaults", s, fresh / "posterior.csv")


def test_scenario_key_with_a_wrong_value_is_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: baseline\nparameterisation: calibratd\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(bad)
    assert "parameterisation" in str(e.value) and "\n" not in str(e.value)


def test_both_replications_of_a_pair_share_a_draw_and_the_arms_too(tmp_path):
    path = _posterior(tmp_path / "cal")
    seeds = replication_seeds(5, 40)
    draws = [posterior_mod.parameters_for(path, s, {}) for s in seeds]
    assert all(draws[i] == draws[i + 1] for i in range(0, 40, 2))
    assert len({tuple(sorted(d.items())) for d in draws[::2]}) == 2  # both particles occur among 20 draws


def test_variance_split_recovers_a_known_share():
    """y = theta_pair + noise: parameter variance 4, chance 1 -> share 0.8."""
    rng = np.random.default_rng(0)
    theta = np.repeat(rng.normal(0, 2, 4000), 2)
    y = theta + rng.normal(0, 1, 8000)
    assert uncertainty.parameter_share(y) == pytest.approx(0.8, abs=0.02)
    assert uncertainty.parameter_share(rng.normal(0, 1, 8000)) < 0.03  # no parameter effect
    assert np.isnan(uncertainty.parameter_share([1.0, 2.0, 3.0, 4.0]))  # fewer than 3 pairs
    assert np.isnan(uncertainty.parameter_share(np.full(8, 883.5e6)))  # no band: nothing to split


@pytest.mark.parametrize("narrowing, p5, p95, calibrated, expected", [
    (0.1, 10, 20, True, "not pinned down by the data (posterior spread 10% narrower than prior)"),
    (-0.2, 10, 20, True, "not pinned down by the data (posterior spread wider than prior)"),
    (0.5, -5, 20, True, "not pinned down by the data (band spans zero)"),
    (0.5, 10, 20, True, ""),
    (None, -5, 20, False, "(band spans zero)"),
    # cost per net job when net jobs reach zero in some replications: a band without end
    (0.6, 4e5, float("inf"), True, "not pinned down by the data (band without end: its denominator reaches zero)"),
    (None, 4e5, float("inf"), False, "(band without end: its denominator reaches zero)"),
])
def test_words_where_the_data_do_not_pin_an_output_down(narrowing, p5, p95, calibrated, expected):
    spreads = None if narrowing is None else pd.DataFrame({"narrowing": [narrowing]}, index=["net_jobs"])
    assert predictive.data_words("net_jobs", p5, p95, spreads, calibrated) == expected


def test_restamp_records_the_new_source_only_when_the_behaviour_is_the_same(tmp_path):
    same = _posterior(tmp_path / "same", {**provenance.record(), "source_sha256": "0" * 64})
    status = provenance.restamp(same)
    assert status.ok and provenance.check(same).words == "model fingerprint ok"
    record = json.loads((tmp_path / "same" / "calibration.json").read_text())["model"]
    assert record["source_sha256"] == provenance.source_hash() and record["restamped_from"] == ["0" * 64]
    other = _posterior(tmp_path / "other", {"source_sha256": "0" * 64, "fingerprint": "f" * 64})
    assert not provenance.restamp(other).ok  # a posterior of other behaviour is never restamped
    assert json.loads((tmp_path / "other" / "calibration.json").read_text())["model"]["source_sha256"] == "0" * 64
