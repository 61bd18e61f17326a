"""Model-level accounting of the labour market and the direction of every mechanism and
instrument that issue 11 touches. Each directional test compares arms with the same seed
(common random numbers) and would fail if the sign of its mechanism were flipped."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from smartregion.model import params as params_mod
from smartregion.model.model import METRICS, SmartIndustryModel
from smartregion.model.policies import Instrument
from smartregion.model.regions import ADOPTED

INSTR = TypeAdapter(Instrument)
SCALE = 0.1
SEEDS = (1, 2)


def specs(*s):
    return [INSTR.validate_python(x) for x in s]


def model(policies=(), seed=1, params=None, end="2030Q4", scale=SCALE):
    return SmartIndustryModel(params=params, policies=policies, seed=seed, scale=scale, end=end)


def col(metric):
    return METRICS.index(metric)


MIXED = specs(
    {"type": "historical_fieldlabs", "name": "hist", "start": "2014Q1", "end": "2030Q4", "budget_eur": 3e8},
    {"type": "hub_outreach", "name": "hub", "provinces": ["noord", "oost"], "start": "2018Q1", "end": "2030Q4",
     "budget_eur": 8e6, "visibility_boost": 0.4},
    {"type": "adoption_subsidy", "name": "sub", "provinces": ["NB", "ZH"], "start": "2016Q1", "end": "2024Q4",
     "budget_eur": 4e6, "rate": 0.3, "max_per_firm_eur": 80000},
    {"type": "training", "name": "train", "start": "2019Q1", "end": "2030Q4", "budget_eur": 5e7,
     "cost_per_trainee_eur": 15000},
    {"type": "reshoring_support", "name": "resh", "start": "2020Q1", "end": "2030Q4", "budget_eur": 3e6},
)


def test_labour_market_adds_up_every_quarter_and_province():
    """Over all pools and firms: (1) headcount = start + created - lost + reshored; (2) headcount
    change = hires from the pools - separations (a hire from another firm moves a worker, it
    adds nobody); (3) employed + job seekers + in training = the same in 2014 + entries - exits;
    (4) training moves exactly the trainees from the routine to the technical pool."""
    m = model(MIXED, seed=5, params={"poach_share": 0.5})
    # the pools hold simulated people; results are whole-economy counts (model/units.py)
    start_people = np.append(m.regions.seekers.sum(axis=0), m.regions.seekers.sum()) / m.scale
    r = m.run()
    x = r.metrics
    e0 = r.employment_start[None, :]
    emp = x[:, :, col("employment")]
    np.testing.assert_allclose(emp, e0 + x[:, :, col("jobs_created")] - x[:, :, col("jobs_lost")]
                               + x[:, :, col("reshored_jobs")], rtol=1e-10)
    np.testing.assert_allclose(emp - e0, x[:, :, col("hires_from_pools")] - x[:, :, col("separations")],
                               rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(emp + x[:, :, col("out_of_work")],
                               e0 + start_people + x[:, :, col("pool_entries")] - x[:, :, col("pool_exits")],
                               rtol=1e-10)
    np.testing.assert_allclose(x[:, :, col("out_of_work")], x[:, :, col("job_seekers_routine")]
                               + x[:, :, col("job_seekers_mid")] + x[:, :, col("technical_pool")]
                               + x[:, :, col("in_training")], rtol=1e-12)
    reg = m.regions
    np.testing.assert_allclose(reg.trainee_starts, reg.trained + reg.in_training, rtol=1e-12)
    for metric in ("separations", "hires_from_pools", "hires_from_firms", "trainees", "reshored_jobs"):
        assert x[-1, -1, col(metric)] > 0, metric  # every flow was exercised
    assert (x[:, :, col("out_of_work")] >= 0).all() and (x[:, :, col("redundant_jobs")] >= -1e-9).all()


def test_redundancies_are_separated_gradually_not_at_once():
    """An adopter's redundant routine jobs leave over quarters: headcount falls less in the
    quarter after adoption than the redundancy booked, and faster separation lowers
    employment sooner."""
    slow = model(params={"separation_rate": 0.05}, end="2018Q4").run()
    fast = model(params={"separation_rate": 0.5}, end="2018Q4").run()
    assert slow.value("redundant_jobs") > fast.value("redundant_jobs") > 0
    assert slow.value("separations") < fast.value("separations")


@pytest.mark.parametrize("seed", SEEDS)
def test_more_competition_lowers_non_adopters_jobs(seed):
    def non_adopter_jobs(share):
        m = model(seed=seed, params={"business_stealing": share})
        m.run()
        f = m.firms_state
        return f.employees[f.stage != ADOPTED].sum(), f.employees[f.stage == ADOPTED].sum()

    none, some, lots = (non_adopter_jobs(s) for s in (0.0, 0.5, 0.9))
    assert none[0] > some[0] > lots[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_subsidy_never_lowers_adoption_and_a_dearer_investment_lowers_it(seed):
    sub = specs({"type": "adoption_subsidy", "name": "s", "start": "2016Q1", "end": "2030Q4", "budget_eur": 5e7,
                 "rate": 0.4, "max_per_firm_eur": 200000})
    base = model(seed=seed).run().series("adopters")
    with_sub = model(sub, seed=seed).run().series("adopters")
    dear = model(seed=seed, params={"investment_fixed_keur": 450.0}).run().series("adopters")
    assert (with_sub >= base).all() and with_sub[-1] > base[-1]
    assert dear[-1] < base[-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_training_never_adds_more_jobs_than_it_trains(seed):
    train = specs({"type": "training", "name": "t", "start": "2020Q1", "end": "2030Q4", "budget_eur": 1e8,
                   "cost_per_trainee_eur": 15000})
    base, trained = model(seed=seed).run(), model(train, seed=seed).run()
    extra_jobs = trained.series("employment") - base.series("employment")
    trainees = trained.series("trainees")
    assert trainees[-1] > 0
    assert (extra_jobs <= trainees + 1e-6).all()
    # the routine pool pays for it: trainees are routine job seekers, not new people
    assert trained.value("job_seekers_routine") < base.value("job_seekers_routine")


def test_a_fieldlab_stop_lowers_later_participation_and_support_decays():
    lab = {"type": "fieldlab", "name": "f", "provinces": ["GR", "FR", "DR"], "count": 4, "start": "2016Q1",
           "end": "2030Q4", "budget_eur": 4e7, "capacity_per_year": 12}
    stop = dict(lab, end="2022Q4")
    m_go, m_stop = model(specs(lab)), model(specs(stop))
    go, stopped = m_go.run(), m_stop.run()
    q = go.quarters.index("2026Q4")
    assert stopped.series("fieldlab_firms")[q] < go.series("fieldlab_firms")[q]
    assert stopped.series("fieldlab_members")[q] < go.series("fieldlab_members")[q]
    assert stopped.value("adopters", "GR") <= go.value("adopters", "GR")
    # what the fieldlabs built stays for a while and decays: positive, below the running level
    assert 0 < m_stop.ecosystem[0] < m_go.ecosystem[0]


def test_hub_outreach_rises_with_budget_and_falls_with_cost_per_contact():
    def aware(budget, cost):
        hub = specs({"type": "hub_outreach", "name": "h", "provinces": "all", "start": "2016Q1", "end": "2020Q4",
                     "budget_eur": budget})
        return model(hub, params={"hub_cost_per_contact_eur": cost}, end="2020Q4").run().value("aware")

    by_budget = [aware(b, 2500.0) for b in (1e6, 1e7, 1e8, 1e9)]
    by_cost = [aware(1e7, c) for c in (500.0, 2500.0, 10000.0)]
    # Strictly more until every unaware firm is reached; then equal (the saturation), never fewer.
    assert by_budget[0] < by_budget[1] < by_budget[2] <= by_budget[3]
    assert all(a > b for a, b in zip(by_cost, by_cost[1:]))


def test_visible_champions_raise_adoption_through_the_demonstration_effect():
    """With every other channel of visibility switched off (imitation in awareness, peers'
    lowering of uncertainty, champions attracting technical workers, the hub's ecosystem
    support), a hub that makes adopters fully visible changes adoption only through the
    demonstration effect on the expected gain: not at all without it, upwards with it."""
    hub = specs({"type": "hub_outreach", "name": "h", "provinces": "all", "start": "2016Q1", "end": "2030Q4",
                 "budget_eur": 1.0, "visibility_boost": 1.0})

    def gain(demo, seed=1):
        p = {"demonstration_effect": demo, "bass_q": 0.0, "peer_uncertainty_reduction": 0.0,
             "champion_attraction": 0.0, "ecosystem_cost_reduction": 0.0}
        return model(hub, params=p, seed=seed).run().value("adopters") - model(params=p, seed=seed).run().value("adopters")

    assert gain(0.0) == 0
    # A few extra adopters per run at this scale, against chance paths of +-2: summed over seeds
    # (measured at seeds 1-6: +3, -1, +3, +4, +10, +1), the sign is the mechanism's.
    assert sum(gain(1.0, seed) for seed in range(1, 7)) > 0


def test_job_change_classes_cover_the_adopters_four_years_on():
    m = model(seed=3)
    r = m.run()
    f = m.firms_state
    classified = (f.adopted_t >= 0) & (f.adopted_t <= m.n_steps - 1 - 16)
    assert (f.change_class[classified] > 0).all() and (f.change_class[~classified] == 0).all()
    total = sum(r.value(k) for k in ("adopters_more_jobs", "adopters_same_jobs", "adopters_fewer_jobs"))
    assert total * m.scale == pytest.approx(classified.sum()) and classified.sum() > 0  # results: whole economy


def test_fieldlab_budgets_buy_member_places_and_members_never_exceed_them():
    """Member places = public EUR a year / fieldlab_cost_per_member_eur (4 fieldlabs of EUR 2M
    a year at the default EUR 276k: 7.2 places each at full scale, 0.72 at scale 0.1, rounded
    so that the total is kept); members never exceed them, and a larger budget buys more members."""
    cost = params_mod.resolve({})["fieldlab_cost_per_member_eur"]

    def members(budget):
        lab = specs({"type": "fieldlab", "name": "f", "provinces": ["NB"], "count": 4, "start": "2016Q1",
                     "end": "2025Q4", "budget_eur": budget, "capacity_per_year": 1})
        m = model(lab, end="2025Q4")
        fl = m.policy.fieldlabs
        np.testing.assert_allclose(fl.members_cap.sum(), budget / 40 * 4 * SCALE / cost, atol=1)
        peak = 0
        while m.running:
            m.step()
            assert (fl.members <= fl.members_cap).all()
            assert fl.members.sum() == m.firms_state.member.sum()
            peak = max(peak, fl.members.sum())
        return peak

    small, large = members(2e7), members(8e7)
    assert 0 < small < large


def test_summary_reports_savings_as_savings_and_regional_spread():
    """Synthetic end-of-horizon values: a policy arm that spends less and has more jobs shows a
    positive saving; a policy that raises adoption in one province only widens the spread."""
    from smartregion.model.model import REGIONS_OUT
    from smartregion.model.results import summary_from_final

    reps, regions = 5, len(REGIONS_OUT)
    cf = np.ones((reps, regions, len(METRICS)))
    cf[:, :, col("employment")] = 1000.0
    cf[:, :, col("public_spend_eur")] = 1e6
    cf[:, :, col("adoption_rate")] = 0.2
    pol = cf.copy()
    pol[:, :, col("public_spend_eur")] = 4e5  # spends less
    pol[:, :, col("employment")] += 10  # more jobs
    pol[:, 0, col("adoption_rate")] = 0.5  # adoption rises in Groningen only
    pol[:, :, col("adopters")] += 4
    pol[:, :, col("out_of_work")] -= 3
    s = summary_from_final(pol, cf, "2030Q4").set_index(["metric", "province"])
    assert s.loc[("public_savings_eur", "NL"), "difference"] == pytest.approx(6e5)
    assert s.loc[("net_jobs_workers", "NL"), "difference"] == pytest.approx(3)
    assert np.isnan(s.loc[("cost_per_net_adopter_eur", "NL"), "difference"])  # a saving is not a cost
    assert s.loc[("adoption_rate_spread", "NL"), "difference"] > 0
    assert s.loc[("adoption_rate_spread", "NL"), "counterfactual_mean"] == pytest.approx(0, abs=1e-12)
    assert s.loc[("net_jobs_per_1000_spread", "NL"), "difference"] == pytest.approx(0, abs=1e-12)
    pol[:, :, col("public_spend_eur")] = 3e6  # now it costs more: EUR 2M for 4 adopters
    s = summary_from_final(pol, cf, "2030Q4").set_index(["metric", "province"])
    assert s.loc[("cost_per_net_adopter_eur", "NL"), "difference"] == pytest.approx(5e5)


def test_the_quarter_runs_one_explicit_plan_that_prints_its_order():
    m = model(end="2014Q4")
    names = [name for name, _, _ in m.plan()]
    assert names == ["policy context", "awareness", "experimenting", "adoption", "productivity", "competition",
                     "reshoring", "labour", "job change", "record"]
    text = m.describe_plan()
    assert text.splitlines()[5].startswith("5. competition: adopters' output gain")
    bass = SmartIndustryModel(immediate_adoption=True, scale=SCALE, seed=1, end="2014Q4")
    assert "experimenting" not in [name for name, _, _ in bass.plan()]
