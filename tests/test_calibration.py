"""Calibration, recovery, sensitivity, EMA adapter and posterior sampling.

Runs are tiny (population scale 0.05-0.1, a few dozen model runs) so the file stays within about
two minutes; the full-size results are in docs/CALIBRATION.md.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from smartregion.calibration import abc, predictive, provenance, recovery, sensitivity, validation
from smartregion.calibration import posterior as posterior_mod
from smartregion.calibration.settings import AbcSettings
from smartregion.calibration.summaries import simulate
from smartregion.calibration.targets import TargetsError, load_targets
from smartregion.model import data
from smartregion.model.ensemble import Executor, ReplicationTask, run_replication, spec_of
from smartregion.model.params import PARAMS
from smartregion.model.scenario import load_counterfactual, load_scenario
from smartregion.model.streams import replication_seeds

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ROOT / "calibration" / "targets.yaml"
TINY = 0.05


@pytest.fixture(scope="module")
def shipped():
    return load_targets(TARGETS)


def small_targets(tmp_path: Path, estimate: list[str]) -> Path:
    """The shipped targets with fewer estimated parameters (quicker to identify)."""
    doc = yaml.safe_load(TARGETS.read_text())
    doc["estimate"] = estimate
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


# --- targets as data ------------------------------------------------------------------------

def test_observed_values_come_from_the_data_files(shipped):
    t = {x.name: x for x in shipped.targets}
    v = data.load("validation_figures.csv").set_index("indicator")
    assert t["fieldlab_manufacturers_2018"].observed == pytest.approx(600 * 29 / 100)  # share_of: count x percent
    assert t["fieldlab_manufacturers_2019"].observed == pytest.approx(v.value["fieldlab_participants"] * 0.29)
    assert t["robot_job_effect_more"].observed == pytest.approx(4 / 29)
    assert "validation_figures.csv" in t["fieldlab_manufacturers_2018"].source
    assert t["fieldlab_firms_2018"].observed == data.national("fieldlab_firms_involved") == 600
    robots = data.robot_use().set_index(["breakdown", "category"])["value"]
    assert t["robot_use_plastics"].observed == robots["sector", "plastics"] == 45
    assert t["robot_use_size_gradient"].observed == pytest.approx(18 / 4)
    assert t["brainport_growth_gap"].observed == pytest.approx(2.5 - 1.1)
    assert t["fieldlab_firms_2018"].tolerance == pytest.approx(120)  # "20%" of 600
    assert all(x.source.strip() and x.tolerance_basis.strip() for x in shipped.targets)
    assert "national_figures.csv" in t["fieldlab_firms_2018"].source
    assert len(shipped.fit) == 16 and set(shipped.estimate) <= set(PARAMS)
    assert t["brainport_growth_gap"].role == "holdout"  # regional, held out before fitting (VALIDATION.md)


def write(tmp_path, doc) -> Path:
    p = tmp_path / "t.yaml"
    p.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    return p


def one_target(**change):
    base = {"name": "x", "statistic": "fieldlab_firms", "quarter": "2018Q4", "role": "fit", "tolerance": 10,
            "tolerance_basis": "b",
            "observed": {"file": "national_figures.csv", "indicator": "fieldlab_firms_involved"}}
    base.update(change)
    return {"scenario": "baseline", "estimate": ["bass_p"], "targets": [base]}


@pytest.mark.parametrize("doc, key, expected", [
    (one_target(statistic="robot_use"), "targets[0] (x).statistic", "unknown statistic 'robot_use'"),
    (one_target(quarter="2018-12"), "targets[0] (x).quarter", "'2018-12' is not a quarter; allowed"),
    (one_target(observed={"file": "national_figures.csv", "indicator": "nope"}), "targets[0] (x).observed",
     "0 rows of national_figures.csv"),
    (one_target(observed={"file": "robots.csv", "x": 1}), "observed.file", "unknown data file 'robots.csv'"),
    (one_target(observed={"value": 3, "unit": "u", "year": "2018"}), "observed", "missing source"),
    (one_target(tolerance="-5%"), "targets[0] (x).tolerance", "got '-5%'; allowed"),
    (one_target(tolerance=0), "tolerance", "gives a tolerance of 0.0; allowed: a positive tolerance"),
    (one_target(role="maybe"), "targets[0] (x).role", "got 'maybe'; allowed: fit, holdout, check"),
    (one_target(sector="plastics"), "sector", "statistic fieldlab_firms takes no 'sector'"),
    (one_target(statistic="robot_proxy_pct", sector="chips"), "sector", "unknown sector 'chips'"),
    (one_target(quarter="2035Q1"), "quarter", "outside the scenario's horizon"),
    ({**one_target(), "estimate": ["bass_pp"]}, "estimate[0]", "unknown parameter 'bass_pp' (did you mean 'bass_p'?)"),
    ({**one_target(), "estimate": ["ramp_quarters"]}, "estimate[0]", "takes whole values"),
    ({**one_target(), "scenario": "nope"}, "scenario", "no such file"),
    ({**one_target(), "extra": 1}, "extra", "unknown key; allowed: scenario, estimate, targets"),
    ("scenario: [unclosed", "(line 1)", "YAML syntax error at column 20"),
    (one_target(observed={"share_of": [{"file": "national_figures.csv", "indicator": "fieldlab_firms_involved"}]}),
     "observed.share_of", "exactly two rows"),
    (one_target(statistic="adopter_job_effect_share", direction="up"), "direction", "got 'up'; allowed: more, fewer"),
    (one_target(statistic="adopter_job_effect_share"), "direction", "missing; statistic adopter_job_effect_share"),
    (one_target(statistic="productivity_growth_sign_agreement", since="2014Q4", above=["LI", "XX"]), "above",
     "allowed: a non-empty list of provinces"),
])
def test_bad_targets_give_one_line_naming_key_and_what_is_allowed(tmp_path, doc, key, expected):
    with pytest.raises(TargetsError) as e:
        load_targets(write(tmp_path, doc))
    msg = str(e.value)
    assert key in msg and expected in msg and "\n" not in msg and msg.startswith(str(tmp_path))
    assert msg.index(key) < msg.index(expected)


def test_yaml_tags_are_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    doc = f"scenario: !!python/object/apply:os.system ['touch {marker}']\nestimate: [bass_p]\ntargets: []\n"
    with pytest.raises(TargetsError, match="tag '!!python/object/apply:os.system' is not allowed"):
        load_targets(write(tmp_path, doc))
    assert not marker.exists()


def test_bad_targets_on_the_command_line_exit_2_and_write_nothing(tmp_path, capsys):
    import run

    bad = write(tmp_path, one_target(role="maybe"))
    out = tmp_path / "out"
    assert run.main(["calibrate", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "role" in err and "allowed" in err
    assert not out.exists()


# --- summaries and distance -----------------------------------------------------------------

def test_robot_proxy_agrees_with_the_models_own_adoption_rate_of_firms_with_10_plus(shipped):
    """The firm-level statistic read during the run equals the recorded metric at that quarter."""
    from smartregion.calibration.summaries import Request, SimulationSpec
    from smartregion.model.model import SmartIndustryModel

    s = shipped.scenario
    spec = SimulationSpec(tuple(s.policies), s.horizon.start, "peers", TINY,
                          (Request("r", "robot_proxy_pct", {"quarter": "2016Q2"}),))
    got = simulate(spec, {}, 3)["r"]
    res = SmartIndustryModel(policies=s.policies, start=s.horizon.start, end="2016Q2", scale=TINY, seed=3).run()
    assert got == pytest.approx(100 * res.value("adoption_rate_10plus"))


def test_effect_and_regional_statistics_equal_a_direct_computation_on_a_small_run(shipped):
    """The statistics behind the effect and regional targets (docs/VALIDATION.md), computed by
    `simulate` on a small run, against the same quantities computed here from two plain model
    runs with the same seed: policy minus counterfactual adoption, the adoption gap between
    fieldlab participants and comparable non-participants, the job effects among adopters, the
    provinces on each side of national productivity growth."""
    from smartregion.calibration.summaries import Request, SimulationSpec
    from smartregion.model.model import SmartIndustryModel
    from smartregion.model.regions import ADOPTED

    s, q, scale, seed = shipped.scenario, "2018Q4", 0.1, 5
    cf_policies = tuple(load_counterfactual(s).policies)
    requests = (Request("effect", "policy_adoption_effect_pp", {"quarter": q}),
                Request("gap", "fieldlab_adoption_gap_pp", {"quarter": q}),
                Request("more", "adopter_job_effect_share", {"quarter": q, "direction": "more"}),
                Request("fewer", "adopter_job_effect_share", {"quarter": q, "direction": "fewer"}),
                Request("growth", "productivity_growth_pct", {"quarter": q, "since": "2014Q4"}),
                Request("signs", "productivity_growth_sign_agreement",
                        {"quarter": q, "since": "2014Q4", "above": ["LI", "ZE", "ZH"], "below": ["NB", "FR"]}))
    spec = SimulationSpec(tuple(s.policies), s.horizon.start, "peers", scale, requests, counterfactual=cf_policies)
    got = simulate(spec, {}, seed)

    arm = SmartIndustryModel(policies=s.policies, start=s.horizon.start, end=q, scale=scale, seed=seed)
    res = arm.run()
    cf = SmartIndustryModel(policies=cf_policies, start=s.horizon.start, end=q, scale=scale, seed=seed).run()
    effect = 100 * (res.value("adoption_rate_10plus") - cf.value("adoption_rate_10plus"))
    assert got["effect"] == pytest.approx(effect, abs=1e-9)
    assert got["effect"] > 0  # the programme adds adopters in this run

    f, pop = arm.firms_state, arm.pop
    frame = pd.DataFrame({"cell": [f"{a}-{b}" for a, b in zip(pop.sector, pop.size_class)],
                          "took_part": f.fieldlab_experience, "adopted": f.stage == ADOPTED})
    part, rest = frame[frame.took_part], frame[~frame.took_part]
    rest_rate = rest.groupby("cell").adopted.mean()
    part = part[part.cell.isin(rest_rate.index)]
    assert len(part) > 10  # enough participants at this scale for the comparison to mean something
    gap = 100 * (part.adopted.mean() - rest_rate[part.cell].mean())
    assert got["gap"] == pytest.approx(gap, abs=1e-9)

    adopters = (pop.employees >= 10) & (f.stage == ADOPTED)
    net = (f.created - f.lost)[adopters]
    assert got["more"] == pytest.approx((net >= 0.5).mean()) and got["fewer"] == pytest.approx((net <= -0.5).mean())
    assert 0 < got["more"] + got["fewer"] <= 1

    def growth(region):
        a, b = (res.value("labour_productivity", region, res.quarters.index(x)) for x in ("2014Q4", q))
        return 100 * ((b / a) ** (1 / 4) - 1)
    assert got["growth"] == pytest.approx(growth("NL"))
    sides = [growth(p) > growth("NL") for p in ("LI", "ZE", "ZH")] + [growth(p) < growth("NL") for p in ("NB", "FR")]
    assert got["signs"] == pytest.approx(sum(sides) / 5)


def test_policy_effect_is_zero_when_the_counterfactual_is_the_policy_arm(shipped):
    """Same seed, same policies: the two arms are the same run, so the effect is exactly 0; an
    effect statistic without a counterfactual is refused rather than computed against nothing."""
    from smartregion.calibration.summaries import Request, SimulationSpec

    s = shipped.scenario
    req = (Request("effect", "policy_adoption_effect_pp", {"quarter": "2016Q4"}),)
    same = SimulationSpec(tuple(s.policies), s.horizon.start, "peers", TINY, req, counterfactual=tuple(s.policies))
    assert simulate(same, {}, 2)["effect"] == 0
    with pytest.raises(ValueError, match="counterfactual"):
        simulate(SimulationSpec(tuple(s.policies), s.horizon.start, "peers", TINY, req), {}, 2)


def test_distance_is_rms_of_standardised_fit_deviations(shipped):
    obs = shipped.observed()
    sim = dict(obs)
    assert shipped.distance(sim) == 0
    first, second = shipped.fit[0], shipped.fit[1]
    sim[first.name] += 2 * first.tolerance
    sim[second.name] -= second.tolerance
    checks = [t for t in shipped.targets if t.role == "check"]
    sim[checks[0].name] += 1e6  # check targets never enter the distance
    assert shipped.distance(sim) == pytest.approx(math.sqrt((4 + 1) / len(shipped.fit)))
    sim[first.name] = float("nan")
    assert shipped.distance(sim) == math.inf


def test_holdouts_never_enter_the_distance_or_the_fitting_runs(shipped):
    """docs/VALIDATION.md: a holdout is never used in fitting. Whatever value it takes, the
    distance is the same, and the simulation ABC and recovery run does not even compute it."""
    assert shipped.holdout, "the protocol holds figures out"
    obs = shipped.observed()
    sim = {t.name: obs[t.name] + 0.5 * t.tolerance for t in shipped.targets}
    base = shipped.distance(sim)
    for t in shipped.holdout:
        for v in (obs[t.name] + 1e6 * t.tolerance, float("nan"), -math.inf):
            assert shipped.distance({**sim, t.name: v}) == base
    fitting = {r.name for r in shipped.spec(TINY, ("fit",)).requests}
    assert fitting == {t.name for t in shipped.fit}
    assert not fitting & {t.name for t in shipped.holdout}
    # everything is reported afterwards: the predictive check simulates every target
    assert {r.name for r in shipped.spec(TINY).requests} == {t.name for t in shipped.targets}


def test_fit_targets_end_by_2018_and_later_years_are_holdouts(shipped):
    """The protocol's rules R1 and R2, checked on the data: no fit target looks past 2018Q4, and
    every figure dated 2019 or later that is not a model input is a holdout."""
    from smartregion.model.timeline import parse_quarter

    for t in shipped.fit:
        assert parse_quarter(t.args["quarter"]) <= parse_quarter("2018Q4"), t.name
    for t in shipped.targets:
        # the period of the measured quantity: the first row of a combination (for share_of the
        # count; the share only converts its definition, docs/VALIDATION.md R1)
        period = t.year.split(" / ")[0]
        years = [int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", period)]
        if years and max(years) >= 2019 and t.role != "check":
            assert t.role == "holdout", t.name


# --- ABC: reproducible, resumable -----------------------------------------------------------

def test_abc_resumed_equals_uninterrupted_and_ignores_worker_count(tmp_path):
    ts = load_targets(small_targets(tmp_path, ["fieldlab_capacity", "initial_adopter_share"]))
    settings = AbcSettings(scale=TINY, population_size=8, budget=10**6, generations=2, seed=4)
    quiet = {"log": lambda m: None}
    whole = abc.posterior_sample(abc.run(ts, tmp_path / "a", settings, Executor(1), **quiet))
    abc.run(ts, tmp_path / "b", dataclasses.replace(settings, generations=1), Executor(2), **quiet)
    resumed = abc.run(ts, tmp_path / "b", settings, Executor(2), **quiet)
    assert resumed.max_t == 1  # generation 0 was loaded, not redone
    pd.testing.assert_frame_equal(whole, abc.posterior_sample(resumed))
    assert whole["weight"].sum() == pytest.approx(1)


def test_calibrate_defaults_are_the_shipped_posteriors_settings():
    """`run.py calibrate` with no options repeats the shipped fit (and the benchmark times it)."""
    shipped = json.loads((Path(__file__).resolve().parents[1] / "calibration" / "fitted" / "baseline"
                          / "calibration.json").read_text())["settings"]
    d = AbcSettings()
    assert (d.budget, d.population_size, d.scale, d.seed) == (shipped["budget"], shipped["population_size"],
                                                              shipped["scale"], shipped["seed"])


def test_the_uniform_prior_draws_and_weighs_as_pyabcs_scipy_uniform():
    """abc._Uniform replaces pyabc.RV("uniform", loc, scale) for speed: same draws from numpy's
    global generator, same density inside, on and outside the bounds."""
    import pyabc
    lo, width = 0.02, 0.3 - 0.02
    fast, scipy_rv = abc._Uniform(lo, width), pyabc.RV("uniform", lo, width)
    np.random.seed(11)
    draws = [fast.rvs() for _ in range(200)]
    np.random.seed(11)
    assert draws == [float(scipy_rv.rvs()) for _ in range(200)]
    for x in draws + [lo, lo + width, np.nextafter(lo, 0), np.nextafter(lo + width, 1), -1.0, 5.0, math.nan]:
        want = float(scipy_rv.pdf(x))
        assert fast.pdf(x) == want or (math.isnan(want) and math.isnan(fast.pdf(x)))
        assert fast.cdf(x) == float(scipy_rv.cdf(x)) or math.isnan(x)


def test_calibrate_command_writes_posterior_and_fitted_scenario_then_resumes(tmp_path, capsys):
    import run

    targets = small_targets(tmp_path, ["fieldlab_capacity", "initial_adopter_share"])
    out = tmp_path / "cal"
    argv = ["calibrate", str(targets), "--out", str(out), "--budget", "10", "--population", "8", "--scale",
            str(TINY), "--predictive", "3", "--predictive-scale", str(TINY)]
    assert run.main(argv) == 0
    for name in ("posterior.csv", "posterior_summary.csv", "fitted.yaml", "fit.csv", "fit.png", "posterior.png"):
        assert (out / name).is_file(), name
    fitted = load_scenario(out / "fitted.yaml")  # a valid scenario that extends the baseline
    assert set(fitted.parameters) == {"fieldlab_capacity", "initial_adopter_share"}
    assert len(fitted.policies) == len(load_scenario(ROOT / "scenarios" / "baseline.yaml").policies)
    first = pd.read_csv(out / "generations.csv")
    capsys.readouterr()
    assert run.main(argv[:5] + ["60"] + argv[6:]) == 0  # larger budget: continue, do not restart
    assert "resuming" in capsys.readouterr().err
    again = pd.read_csv(out / "generations.csv")
    assert len(again) > len(first)
    pd.testing.assert_frame_equal(again.iloc[: len(first)], first)
    assert run.main(argv[:7] + ["7"] + argv[8:]) == 2  # another population size cannot continue this run
    assert "population_size" in capsys.readouterr().err

    # The posterior knows which model made it, and the current code reproduces it.
    record = json.loads((out / "calibration.json").read_text())["model"]
    assert record["fingerprint"] == provenance.fingerprint() and record["source_sha256"] == provenance.source_hash()
    assert provenance.check(out / "posterior.csv").ok

    # ... and which BLAS kernel did pyabc's algebra (the one thing that differs between machines).
    assert json.loads((out / "calibration.json").read_text())["linear_algebra"] == provenance.linear_algebra()

    # What the data cannot tell: prior- against posterior-predictive spread, stored beside the posterior.
    spreads = predictive.predictive_spreads(out, "baseline", replications=6, scale=TINY, seed=3, log=lambda m: None)
    assert list(spreads["outcome"]) == list(predictive.OUTCOMES)
    stored = predictive.load_spreads(out / "posterior.csv")
    assert stored.loc["net_jobs", "prior_p95"] == pytest.approx(spreads.set_index("outcome").loc["net_jobs", "prior_p95"], rel=1e-5)
    adopters = stored.loc["net_adopters"]
    assert adopters["narrowing"] == pytest.approx(1 - (adopters["posterior_p95"] - adopters["posterior_p5"])
                                                  / (adopters["prior_p95"] - adopters["prior_p5"]))

    # Validation tables and plots from the calibration directory (section 7 of docs/VALIDATION.md).
    text = validation.markdown(out)
    fit = pd.read_csv(out / "fit.csv")
    holdouts = fit[fit.role == "holdout"]
    assert f"holdout score {int(holdouts.fits.sum())} of {len(holdouts)}" in text
    for r in holdouts.itertuples():
        assert f"| `{r.target}` |" in text
    paths = validation.plots(out, tmp_path)
    assert [p.name for p in paths] == ["fit_targets.png", "holdouts.png"] and all(p.stat().st_size > 10_000 for p in paths)
    doc = tmp_path / "VALIDATION.md"
    doc.write_text("# V\n\n## 7. Results\n\nTO BE REPLACED\n\n## 8. Change log\n\n- kept\n")
    validation.write_section(doc, text)
    written = doc.read_text()
    assert "TO BE REPLACED" not in written and text in written and written.endswith("## 8. Change log\n\n- kept\n")


def test_two_calibrations_into_one_directory_are_refused(tmp_path):
    import fcntl
    import os

    from smartregion.calibration.calibrate import CalibrationError, calibrate

    ts = load_targets(small_targets(tmp_path, ["fieldlab_capacity"]))
    out = tmp_path / "cal"
    out.mkdir()
    held = os.open(out, os.O_RDONLY)  # as a running calibration holds it
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(CalibrationError, match="another process is calibrating into it"):
            calibrate(ts, out, AbcSettings(scale=TINY, population_size=4, budget=4), log=lambda m: None)
    finally:
        os.close(held)
    assert list(out.iterdir()) == []


def test_parameter_recovery_small(tmp_path):
    """Synthetic targets from known values; the known values should lie in the 90% intervals,
    and the best-identified parameter's interval must have narrowed well below its prior."""
    ts = load_targets(small_targets(tmp_path, ["fieldlab_capacity", "initial_adopter_share", "experiment_rate"]))
    settings = AbcSettings(scale=0.1, population_size=30, budget=10**6, generations=4, seed=8)
    truth = recovery.truth(ts, 8)
    r = recovery.recover(ts, tmp_path / "rec", settings, truth, log=lambda m: None)
    assert r["inside_90"].sum() >= 2
    cap = r.set_index("parameter").loc["fieldlab_capacity"]
    assert cap["interval_share_of_prior"] < 0.4
    assert abs(cap["median"] - truth["fieldlab_capacity"]) < 0.15 * (cap["prior_high"] - cap["prior_low"])
    # Asked again, it resumes its own generations; other true values (or model code, or
    # settings) are refused instead of continuing generations made for something else.
    pd.testing.assert_frame_equal(recovery.recover(ts, tmp_path / "rec", settings, truth, log=lambda m: None), r)
    # The record names the BLAS kernel of pyabc's algebra, as calibration.json does; made on
    # another CPU (another kernel), the generations are still resumed: it moves last digits only.
    record_path = tmp_path / "rec" / recovery.RECORD_FILE
    record = json.loads(record_path.read_text())
    assert record["linear_algebra"] == provenance.linear_algebra()
    record_path.write_text(json.dumps({**record, "linear_algebra": {"library": "openblas", "kernel": "Nehalem"}}))
    pd.testing.assert_frame_equal(recovery.recover(ts, tmp_path / "rec", settings, truth, log=lambda m: None), r)
    with pytest.raises(recovery.RecoveryError, match=r"rec: its ABC generations were made otherwise \(other true values\)"):
        recovery.recover(ts, tmp_path / "rec", settings, recovery.truth(ts, 9), log=lambda m: None)


# --- posterior draws for scenario runs ------------------------------------------------------

def test_posterior_draws_follow_weights_and_depend_only_on_the_replication_seed(tmp_path):
    path = tmp_path / "posterior.csv"
    pd.DataFrame({"bass_q": [0.2, 0.6], "experiment_rate": [0.05, 0.2], "weight": [4.0, 1.0]}).to_csv(path, index=False)
    seeds = replication_seeds(1, 2000)
    draws = [posterior_mod.parameters_for(path, s, {"bass_p": 0.01}) for s in seeds]
    assert all(d["bass_p"] == 0.01 for d in draws)  # parameters outside the posterior are kept
    held = [posterior_mod.parameters_for(path, s, {"bass_q": 0.38}) for s in seeds[:50]]
    assert {d["bass_q"] for d in held} == {0.38}  # a value the scenario sets is held, not drawn over
    assert {d["experiment_rate"] for d in held} == {0.05, 0.2}  # the rest still drawn
    assert all(draws[i] == draws[i + 1] for i in range(0, 2000, 2))  # replications 2k, 2k+1 share a draw
    share = np.mean([d["bass_q"] == 0.2 for d in draws[::2]])
    assert abs(share - 0.8) < 0.04  # 4:1 weights, 1000 independent draws: sd 0.013
    again = replication_seeds(1, 2000)[17]
    assert posterior_mod.parameters_for(path, again, {}) == posterior_mod.parameters_for(path, seeds[17], {})
    assert {d["experiment_rate"] for d in draws} == {0.05, 0.2}  # rows drawn whole


@pytest.mark.parametrize("frame, expected", [
    ({"bass_qq": [0.2], "weight": [1]}, "column 'bass_qq' is not a parameter (did you mean 'bass_q'?)"),
    ({"bass_q": [0.2]}, "no 'weight' column"),
    ({"bass_q": [7.0], "weight": [1]}, "row 2: parameter 'bass_q' = 7.0 is outside its bounds"),
    ({"bass_q": [0.2], "weight": [-1]}, "non-negative"),
])
def test_bad_posterior_files_are_refused(tmp_path, frame, expected):
    path = tmp_path / "p.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    with pytest.raises(posterior_mod.PosteriorError) as e:
        posterior_mod.load(path)
    assert expected in str(e.value) and str(path) in str(e.value)


# --- sensitivity ----------------------------------------------------------------------------

def test_sensitivity_outcomes_match_the_ensemble_api_and_repeat_exactly():
    s = load_scenario(ROOT / "scenarios" / "region_of_smart_factories.yaml")
    s = s.model_copy(update={"population": s.population.model_copy(update={"scale": TINY})})
    cf = load_counterfactual(s)
    prob = sensitivity.problem(["bass_q", "experiment_rate"])
    X = np.array([[0.3, 0.1], [0.6, 0.25], [0.3, 0.1]])
    Y = sensitivity.scenario_outcomes(s, cf, prob, X, replications=1, executor=Executor(2))
    pd.testing.assert_series_equal(Y.iloc[0], Y.iloc[2], check_names=False)  # common seeds across samples
    assert Y.iloc[0]["net_jobs"] != Y.iloc[1]["net_jobs"]
    seed = replication_seeds(s.seed, 1)[0]
    arms = {a: dataclasses.replace(spec_of(x), parameters={"bass_q": 0.6, "experiment_rate": 0.25})
            for a, x in (("policy", s), ("counterfactual", cf))}
    _, res = run_replication(ReplicationTask(0, seed, arms))
    direct = res["policy"].value("employment") - res["counterfactual"].value("employment")  # whole economy
    assert Y.iloc[1]["net_jobs"] == pytest.approx(direct)


def test_sensitivity_command_writes_indices_with_confidence_intervals(tmp_path):
    import run

    out = tmp_path / "sens"
    assert run.main(["sensitivity", str(ROOT / "scenarios" / "region_of_smart_factories.yaml"), "--method",
                     "morris", "--n", "2", "--parameters", "experiment_rate,reshore_share", "--scale", str(TINY),
                     "--out", str(out)]) == 0
    ind = pd.read_csv(out / "indices.csv")
    mu = ind[(ind["index"] == "mu_star") & (ind["outcome"] == "adoption_rate_pct")].set_index("parameter")
    assert mu.loc["experiment_rate", "value"] > mu.loc["reshore_share", "value"]  # reshoring does not drive adoption
    assert mu["conf"].notna().all()
    assert (out / "sensitivity.png").is_file() and (out / "manifest.json").is_file()


# --- EMA Workbench adapter ------------------------------------------------------------------

def test_ema_model_runs_experiments_and_matches_a_direct_run():
    from ema_workbench import SequentialEvaluator

    from smartregion.calibration.ema import EmaError, Lever, build_model

    path = ROOT / "scenarios" / "fieldlab_expansion_north.yaml"
    model = build_model(str(path), ["experiment_rate"], [Lever("north_fieldlabs", "count", 1, 8, integer=True)],
                        replications=1, scale=TINY)
    np.random.seed(0)  # EMA's Latin hypercube sampler draws from numpy's global generator
    with SequentialEvaluator(model) as ev:
        experiments, outcomes = ev.perform_experiments(scenarios=2, policies=1)
    assert len(experiments) == 2 and np.isfinite(outcomes["net_jobs_noord"]).all()
    row = experiments.iloc[0]
    s = load_scenario(path)
    s = s.model_copy(update={"population": s.population.model_copy(update={"scale": TINY})})
    inst = s.instrument("north_fieldlabs").model_copy(update={"count": int(row["north_fieldlabs__count"])})
    s = s.model_copy(update={"policies": [inst if p.name == inst.name else p for p in s.policies]})
    params = {"experiment_rate": float(row["experiment_rate"])}
    arms = {a: dataclasses.replace(spec_of(x), parameters=params)
            for a, x in (("policy", s), ("counterfactual", load_counterfactual(s)))}
    _, res = run_replication(ReplicationTask(0, replication_seeds(s.seed, 1)[0], arms))
    north = sum(res["policy"].value("employment", p) - res["counterfactual"].value("employment", p)
                for p in ("GR", "FR", "DR"))  # whole-economy counts at any scale (model/units.py)
    assert outcomes["net_jobs_noord"][0] == pytest.approx(north)
    with pytest.raises(EmaError, match="no instrument 'north_fieldlab'"):
        build_model(str(path), [], [Lever("north_fieldlab", "count", 1, 8)])
    with pytest.raises(EmaError, match="lever north_fieldlabs__count = 0"):
        build_model(str(path), [], [Lever("north_fieldlabs", "count", 0, 8)])


def test_linear_algebra_names_the_kernel_a_forced_setting_picks():
    """calibration.json's `reproduce_with` must name a setting that really makes OpenBLAS pick
    that kernel: a process started with it reports the same kernel back. Nehalem (SSE4.2) runs
    on every x86-64 CPU of the last fifteen years; other CPUs only report theirs."""
    code = ("import json, numpy; from smartregion.calibration.provenance import linear_algebra; "
            "print(json.dumps(linear_algebra()))")
    env = {**os.environ, "OPENBLAS_CORETYPE": "Nehalem"}
    got = json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout)
    if platform.machine() == "x86_64":
        assert got["kernel"] == "Nehalem" and got["reproduce_with"] == "OPENBLAS_CORETYPE=Nehalem"
    else:
        assert got["kernel"]
