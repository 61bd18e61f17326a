"""One quarter of one mechanism on ten firms set up by hand, against values worked out on paper,
and the direction of each effect (each test fails if the sign of its mechanism were flipped)."""

from __future__ import annotations

import numpy as np
import pytest

from smartregion.model.mechanisms import competition, labour
from smartregion.model.regions import ADOPTED, AWARE, PROVINCES
from smartregion.model.state import FirmState, RegionState

N_PROV = len(PROVINCES)


def firms(routine, mid, technical, stage=None, vacancies=None) -> FirmState:
    n = len(routine)
    z = np.zeros(n)
    return FirmState(
        stage=np.asarray(stage if stage is not None else [AWARE] * n, dtype=np.int8), adopted_t=np.full(n, -1),
        fieldlab=np.full(n, -1), member=np.zeros(n, bool), fieldlab_experience=np.zeros(n, bool),
        pilot_experience=np.zeros(n, bool),
        routine=np.array(routine, float), mid=np.array(mid, float), technical=np.array(technical, float),
        vacancies=np.array(vacancies if vacancies is not None else z, float), tech_needed=z.copy(),
        size_at_adoption=z.copy(), ramp=z.copy(), prod_base=np.ones(n), productivity=np.ones(n),
        offshored_share=z.copy(), reshored=np.zeros(n, bool), created=z.copy(), lost=z.copy(),
        reshored_jobs=z.copy(), redundant=np.zeros((3, n)), change_class=np.zeros(n, np.int8))


def region(seekers=(0.0, 0.0, 0.0), lag=2) -> RegionState:
    """Province 0 has the given job seekers by skill; entry and exits start at zero (rates set
    per test), so every flow in a test is one the test put there."""
    employed = np.zeros((3, N_PROV))
    reg = RegionState.initial(employed, 0.0, 0.0, 0.0, 0.0, lag)
    reg.seekers[:, 0] = seekers
    return reg


LP = labour.LabourParams(separation_rate=0.1, poach_share=0.0, exit_rate=np.zeros(3), champion_attraction=0.0)
TEN = np.zeros(10, dtype=int)  # all ten firms in province 0 (GR)


def people(f: FirmState, reg: RegionState) -> float:
    return f.employees.sum() + reg.seekers.sum() + reg.in_training.sum()


# --- the labour market ------------------------------------------------------------------------

def test_separations_are_gradual_and_go_to_the_pool_on_paper():
    f = firms([10] * 10, [5] * 10, [1] * 10)
    f.redundant[0, :3] = [10, 5, 2]  # three firms automated: 10, 5 and 2 routine jobs redundant
    reg = region()
    labour.separate(f, reg, TEN, 0.1)
    np.testing.assert_allclose(f.routine[:3], [9, 9.5, 9.8])  # a tenth of each redundancy this quarter
    np.testing.assert_allclose(f.redundant[0, :3], [9, 4.5, 1.8])
    assert reg.seekers[0, 0] == pytest.approx(1.7) and reg.separations[0, 0] == pytest.approx(1.7)
    assert f.lost.sum() == pytest.approx(1.7) and (f.routine[3:] == 10).all()


def test_hires_from_the_pool_are_shared_when_the_pool_is_short():
    f = firms([10] * 10, [5] * 10, [1] * 10, vacancies=[4, 2] + [0] * 8)
    reg = region(seekers=(0, 0, 3))  # 3 technical job seekers for 6 open posts: each firm gets half
    labour.fill_technical(f, reg, TEN, poach_share=0.0)
    np.testing.assert_allclose(f.technical[:2], [3, 2])
    np.testing.assert_allclose(f.vacancies[:2], [2, 1])
    assert reg.seekers[2, 0] == pytest.approx(0) and reg.hires[2, 0] == pytest.approx(3)


def test_a_hire_from_another_firm_is_not_a_new_job():
    f = firms([10] * 10, [5] * 10, [3] * 10, vacancies=[4] + [0] * 9)
    reg = region()
    before = f.employees.sum()
    labour.fill_technical(f, reg, TEN, poach_share=0.5)
    # 2 of the 4 open posts are filled from the nine other firms (3 technical staff each: 27,
    # of which at most a tenth, 2.7, may leave), each giving 2/9 of a worker and opening a
    # replacement post.
    assert f.technical[0] == pytest.approx(5) and f.vacancies[0] == pytest.approx(2)
    np.testing.assert_allclose(f.technical[1:], 3 - 2 / 9)
    np.testing.assert_allclose(f.vacancies[1:], 2 / 9)
    assert f.employees.sum() == pytest.approx(before)  # headcount unchanged
    assert reg.poached[0] == pytest.approx(2) and reg.hires.sum() == 0


def test_training_takes_routine_job_seekers_and_returns_them_technical_after_the_lag():
    reg = region(seekers=(100, 0, 0), lag=2)
    labour.train(reg, np.where(np.arange(N_PROV) == 0, 30.0, 0.0))
    assert reg.seekers[0, 0] == 70 and reg.in_training[0] == 30 and reg.seekers[2, 0] == 0
    labour.train(reg, np.zeros(N_PROV))
    assert reg.seekers[2, 0] == 0  # still in the course
    labour.train(reg, np.zeros(N_PROV))
    assert reg.seekers[2, 0] == 30 and reg.in_training[0] == 0 and reg.trained[0] == 30
    # never more trainees than routine job seekers
    labour.train(reg, np.where(np.arange(N_PROV) == 0, 500.0, 0.0))
    assert reg.trainee_starts[0] == 100 and reg.seekers[0, 0] == 0


@pytest.mark.parametrize("courses", [0.0, 5.0, 50.0, 400.0])
def test_a_course_never_adds_more_jobs_than_it_trains(courses):
    """Ten firms with 20 open technical posts and no technical job seekers: whatever the number
    of courses, employment rises by at most the trainees, and training never lowers it."""
    def employment_after(c):
        f = firms([10] * 10, [5] * 10, [1] * 10, vacancies=[2] * 10)
        reg = region(seekers=(200, 0, 0), lag=0)
        before = f.employees.sum()
        labour.step(f, reg, TEN, LP, np.zeros(N_PROV), np.where(np.arange(N_PROV) == 0, c, 0.0))
        return f.employees.sum() - before, reg.trained[0]

    gained, trained = employment_after(courses)
    assert 0 <= gained <= trained + 1e-9
    assert gained == pytest.approx(min(courses, 20))  # lag 0: trainees fill the posts at once
    if courses:
        assert gained >= employment_after(0.0)[0]


def test_pools_are_stationary_without_shocks():
    employed = np.full((3, N_PROV), 1000.0)
    reg = RegionState.initial(employed, 0.04, 0.03, 0.15, 0.25, 2)
    start = reg.seekers.copy()
    lp = labour.LabourParams(0.1, 0.0, np.array([0.15, 0.15, 0.25]), 0.5)
    for _ in range(20):
        labour.pool_flows(reg, lp, np.zeros(N_PROV))
    np.testing.assert_allclose(reg.seekers, start)
    np.testing.assert_allclose(start[:, 0], [40, 40, 30])
    labour.pool_flows(reg, lp, np.full(N_PROV, 0.2))  # visible champions attract technical entrants
    assert (reg.seekers[2] > start[2]).all() and np.allclose(reg.seekers[:2], start[:2])


def test_people_are_conserved_through_a_quarter_of_every_flow():
    f = firms(np.arange(10) + 5, [5] * 10, [2] * 10, vacancies=[3, 0, 1] + [0] * 7)
    f.redundant[0, 4:7] = 2.0
    reg = RegionState.initial(np.vstack([np.bincount(TEN, w, minlength=N_PROV) for w in f.skills()]),
                              0.04, 0.03, 0.15, 0.25, 1)
    lp = labour.LabourParams(0.3, 0.4, np.array([0.15, 0.15, 0.25]), 0.5)
    start = people(f, reg)
    for q in range(6):
        labour.step(f, reg, TEN, lp, np.full(N_PROV, 0.1), np.where(np.arange(N_PROV) == 0, 1.0, 0.0))
        assert people(f, reg) == pytest.approx(start + reg.entries.sum() - reg.exits.sum(), rel=1e-12)
    assert reg.separations.sum() > 0 and reg.poached.sum() > 0 and reg.trained.sum() > 0


# --- competition -----------------------------------------------------------------------------

def test_business_stealing_on_paper():
    """Two sectors, five firms each. In sector 0 firm 0 adopted and gains output 10 (kEUR/yr);
    the four non-adopters there make 100 each: with share 0.6 they lose 6/400 = 1.5% of sales
    and that share of their jobs becomes redundant; sector 1 has no adopter and loses nothing."""
    stage = [ADOPTED] + [AWARE] * 9
    f = firms([10] * 10, [6] * 10, [4] * 10, stage=stage)
    f.productivity[:] = 5.0  # 20 workers x 5 kEUR: output 100 each
    sector = np.repeat([0, 1], 5)
    x = competition.step(f, sector, 2, np.array([0]), np.array([10.0]), 0.6)
    np.testing.assert_allclose(x, [0.015, 0.0])
    np.testing.assert_allclose(f.redundant[:, 1:5], np.array([[0.15], [0.09], [0.06]]) * np.ones(4))
    assert f.redundant[:, 0].sum() == 0 and f.redundant[:, 5:].sum() == 0


def test_more_competition_lowers_non_adopters_jobs():
    def non_adopter_jobs(share):
        f = firms([10] * 10, [6] * 10, [4] * 10, stage=[ADOPTED] + [AWARE] * 9)
        reg = region()
        f.productivity[:] = 5.0
        competition.step(f, np.zeros(10, int), 1, np.array([0]), np.array([50.0]), share)
        for _ in range(4):
            labour.separate(f, reg, TEN, 0.1)
        return f.employees[1:].sum()

    jobs = [non_adopter_jobs(s) for s in (0.0, 0.3, 0.6, 0.9)]
    assert jobs[0] == 9 * 20 and all(a > b for a, b in zip(jobs, jobs[1:]))


# --- awareness -------------------------------------------------------------------------------

def test_awareness_on_paper():
    """bass_p = 0.4 a year: hazard 0.1 a quarter, P = 1 - e^-0.1 = 0.0952; a hub converting half
    the contacted firms in province 0 makes it 1 - 0.5 e^-0.1 = 0.5476 there. Firms 0-4 are in
    province 0, 5-9 in province 1; firm 9 is aware already and stays so. Under key 34 the
    firms' own draws are (model/streams.py) 0.536 0.806 0.453 0.560 0.192 | 0.502 0.029 0.201
    0.087 (firm 9 draws none): firms 0, 2, 4 fall below 0.5476, firms 6 and 8 below 0.0952."""
    from smartregion.model.mechanisms import awareness
    from smartregion.model.regions import UNAWARE
    from smartregion.model.streams import uniforms

    key = np.uint64(34)
    np.testing.assert_allclose(uniforms(key, np.arange(9)), [0.536, 0.806, 0.453, 0.560, 0.192, 0.502, 0.029,
                                                              0.201, 0.087], atol=5e-4)
    stage = np.array([UNAWARE] * 9 + [AWARE], dtype=np.int8)
    province = np.repeat([0, 1], 5)
    hub = np.zeros(N_PROV)
    hub[0] = 0.5
    awareness.step(stage, key, province, np.zeros(10), hub, np.zeros(N_PROV), 0.4, 0.0, 0.0)
    assert list(stage) == [AWARE, UNAWARE, AWARE, UNAWARE, AWARE, UNAWARE, AWARE, UNAWARE, AWARE, AWARE]


def test_more_visible_adopting_peers_raise_awareness():
    from smartregion.model.mechanisms import awareness
    from smartregion.model.regions import UNAWARE

    def aware(exposure):
        stage = np.full(1000, UNAWARE, dtype=np.int8)
        awareness.step(stage, np.uint64(7), np.zeros(1000, int), np.full(1000, exposure), np.zeros(N_PROV),
                       np.zeros(N_PROV), 0.03, 0.38, 0.0)
        return (stage == AWARE).sum()

    assert aware(0.0) < aware(0.3) < aware(0.9)


# --- adoption --------------------------------------------------------------------------------

def adoption_params(**change):
    from smartregion.model.mechanisms.adoption import AdoptionParams

    base = dict(investment_fixed_keur=50.0, investment_per_worker_keur=5.0, payback_years=5.0,
                ecosystem_cost_reduction=0.2, tech_jobs_per_adoption=0.1, tech_wage_keur=60.0,
                shortage_wage_premium=0.5, demonstration_effect=1.0, benefit_uncertainty=0.2,
                fieldlab_uncertainty_reduction=0.5, own_pilot_uncertainty_reduction=0.0,
                peer_uncertainty_reduction=1.0, adoption_rate_max=0.9, abandon_rate=0.2, routine_displacement=0.2,
                displacement_dispersion=0.0)
    return AdoptionParams(**{**base, **change})


def subsidies(n, rate=0.3, cap_eur=25_000.0, eligible=None):
    from smartregion.model.mechanisms.adoption import Subsidies

    ok = np.ones((1, n), bool) if eligible is None else np.asarray(eligible, bool)[None]
    return Subsidies(np.array([4]), np.array([rate]), np.array([cap_eur / 1e3]), np.array([1.0]), ok)


def test_adoption_on_paper():
    """Ten experimenting firms of 10 workers (6 routine, 3 mid, 1 technical), 80 kEUR each: value
    added VA = 800 kEUR/yr. Investment 50 + 5 x 10 = 100 kEUR over 5 years = 20/yr, 10% less
    with ecosystem 0.5 nearby: cost 18. Subsidy min(0.3 x 100, 25) = 25 kEUR: 5/yr. Hiring 0.1
    x 10 posts x 60 kEUR x premium 0.5 x shortage 0.2 = 6/yr. Benefit 0.1 x 800 x (1 + 0.5) / 2
    = 60/yr (gain 0.1, peers' exposure 0.5, demonstration 1). z = (60 - 18 + 5 - 6) / 800 =
    0.05125; sigma = 0.2 x 0.5 (fieldlab) / (1 + 0.5) = 1/15; 1.7 z / sigma = 1.306875,
    L = 0.78699: P(adopt) = 0.9 x 0.78699 = 0.70829, P(abandon) = 0.2 x 0.21301 = 0.04260.
    Firms 5-9 get no subsidy: z = 0.045, 1.7 z / sigma = 1.1475, L = 0.75905, P(adopt) =
    0.68315, P(abandon) = 0.04819. Each firm adopts if its own draw is below P(adopt), drops
    back to aware if below P(adopt) + P(abandon) (0.75089 and 0.73134). Under key 2 the draws
    are 0.591 0.749 0.596 0.765 0.312 | 0.347 0.726 0.739 0.250 0.728: firms 0, 2, 4, 5, 8
    adopt, 1, 6, 9 drop back to aware, 3 and 7 go on experimenting. An adopter books 0.2 x 6
    = 1.2 redundant routine jobs and opens 0.1 x 10 = 1 technical post."""
    from smartregion.model.mechanisms import adoption
    from smartregion.model.regions import EXPERIMENTING
    from smartregion.model.streams import uniforms

    f = firms([6] * 10, [3] * 10, [1] * 10, stage=[EXPERIMENTING] * 10)
    f.productivity[:] = 80.0
    f.fieldlab_experience[:] = True
    province = np.zeros(10, int)
    ecosystem, shortage = np.full(N_PROV, 0.5), np.full(N_PROV, 0.2)
    keys = np.array([2, 12], dtype=np.uint64)
    new, payer, invest = adoption.step(f, np.full(10, 0.1), province, np.full(10, 0.5), ecosystem, shortage,
                                       subsidies(10, eligible=[True] * 5 + [False] * 5), keys, 7, adoption_params())
    u = uniforms(keys[0], np.arange(10))
    p_adopt = np.repeat([0.70829, 0.68315], 5)
    p_abandon = np.repeat([0.04260, 0.04819], 5)
    assert not np.any(np.abs(u - p_adopt) < 1e-4) and not np.any(np.abs(u - p_adopt - p_abandon) < 1e-4)
    adopts = u < p_adopt
    np.testing.assert_array_equal(np.flatnonzero(adopts), [0, 2, 4, 5, 8])
    np.testing.assert_array_equal(new, np.flatnonzero(adopts))
    expected = np.where(adopts, ADOPTED, np.where(u < p_adopt + p_abandon, AWARE, EXPERIMENTING))
    np.testing.assert_array_equal(f.stage, expected)
    np.testing.assert_array_equal(np.flatnonzero(f.stage == AWARE), [1, 6, 9])
    np.testing.assert_array_equal(payer, np.where(new < 5, 4, -1))  # instrument 4 pays firms 0-4
    np.testing.assert_allclose(invest, 100.0)
    np.testing.assert_allclose(f.redundant[0], np.where(adopts, 1.2, 0.0))
    np.testing.assert_allclose(f.vacancies, np.where(adopts, 1.0, 0.0))
    np.testing.assert_allclose(f.size_at_adoption, np.where(adopts, 10.0, 0.0))
    np.testing.assert_array_equal(f.adopted_t, np.where(adopts, 7, -1))


def adopters(n=2000, subsidy_rate=0.0, per_worker=5.0, fieldlab=False, exposure=0.2, shortage=0.2):
    """Adopters among n experimenting firms of 10 workers (one quarter, the same draws)."""
    from smartregion.model.mechanisms import adoption
    from smartregion.model.regions import EXPERIMENTING

    f = firms([6] * n, [3] * n, [1] * n, stage=[EXPERIMENTING] * n)
    f.productivity[:] = 60.0
    f.fieldlab_experience[:] = fieldlab
    new, _, _ = adoption.step(f, np.full(n, 0.08), np.zeros(n, int), np.full(n, exposure), np.zeros(N_PROV),
                              np.full(N_PROV, shortage), subsidies(n, rate=subsidy_rate, cap_eur=1e9),
                              np.array([5, 6], dtype=np.uint64), 3, adoption_params(investment_per_worker_keur=per_worker))
    return len(new)


def test_adoption_directions():
    """More subsidy never lowers adoption; a higher investment per worker lowers it; a fieldlab
    trial (less uncertainty) raises it for a good case; more adopting peers raise it; a tighter
    technical labour market lowers it."""
    by_rate = [adopters(subsidy_rate=r) for r in (0.0, 0.2, 0.5, 0.8)]
    assert by_rate == sorted(by_rate) and by_rate[-1] > by_rate[0]
    assert adopters(per_worker=2.0) > adopters(per_worker=5.0) > adopters(per_worker=10.0)
    assert adopters(fieldlab=True) > adopters(fieldlab=False)
    assert adopters(exposure=0.8) > adopters(exposure=0.0)
    assert adopters(shortage=0.0) > adopters(shortage=0.9)


# --- experimenting ---------------------------------------------------------------------------

def fieldlabs(province, themes, capacity_q, members_cap):
    from smartregion.model.instruments import Fieldlabs

    n = len(province)
    return Fieldlabs(province=np.array(province), themes=np.array(themes, bool), capacity_q=np.array(capacity_q, float),
                     members_cap=np.array(members_cap, float), open_t=np.zeros(n, int), close_t=np.full(n, 99),
                     instrument=np.zeros(n, int), cost_q=np.zeros(n), credit=np.zeros(n),
                     participants=np.zeros(n, int), members=np.zeros(n, int), closed=np.zeros(n, bool))


def test_experimenting_on_paper():
    """Fieldlab 0 (Groningen, theme: sector 0) is open with 2 member places, one taken by firm 9,
    and 1 visitor seat a quarter; fieldlab 1 (Friesland) is closed. Every aware firm looks for a
    trial (seek probability 1), no member leaves by turnover. Firm 8 was a member of the closed
    fieldlab 1: it leaves and queues. Member firm 9 runs its trial in its own fieldlab. Queued:
    firms 0-5 and 8 (Groningen, sector 0), 6 (sector 1: not served), 7 (Friesland: not reached
    without neighbours). In queue order (their own draws), the first of 0-5/8 takes the free
    member place, the second the visitor seat. Seekers left over run an own pilot with
    probability own_pilot_share x readiness = 1 x 1 for 6 and 7, 1 x 0 for the others."""
    from smartregion.model.mechanisms import experimenting
    from smartregion.model.regions import EXPERIMENTING, UNAWARE
    from smartregion.model.streams import uniforms

    f = firms([5] * 10, [3] * 10, [2] * 10, stage=[AWARE] * 10)
    f.member[[8, 9]] = True
    f.fieldlab[[8, 9]] = [1, 0]
    fl = fieldlabs([0, 1], [[True] + [False] * 9] * 2, [1.0, 1.0], [2.0, 2.0])
    province = np.array([0] * 7 + [1, 0, 0])
    sector = np.array([0] * 6 + [1, 0, 0, 0])
    readiness = np.array([0.0] * 6 + [1.0, 1.0, 0.0, 0.0])
    keys = np.array([21, 22, 23, 24], dtype=np.uint64)
    experimenting.step(f, fl, np.array([0]), province, sector, readiness, np.ones(10), keys, 0.0, False, 1.0)

    queue = np.array([0, 1, 2, 3, 4, 5, 8])
    queue = queue[np.argsort(uniforms(keys[1], queue))]
    joined, visitor, left = queue[0], queue[1], queue[2:]
    assert f.member[joined] and f.fieldlab[joined] == 0 and f.member[9] and not f.member[8]
    assert not f.member[visitor] and f.fieldlab[visitor] == 0
    assert list(fl.members) == [2, 0] and list(fl.participants) == [2, 0] and fl.credit[0] == 0
    in_lab = [9, joined, visitor]
    assert set(np.flatnonzero(f.fieldlab_experience)) == set(in_lab)
    assert set(np.flatnonzero(f.pilot_experience)) == {6, 7}
    assert set(np.flatnonzero(f.stage == EXPERIMENTING)) == set(in_lab) | {6, 7}
    assert (f.stage[left] == AWARE).all() and UNAWARE not in f.stage


def test_experimenting_directions():
    """More fieldlab capacity never lowers participation; reaching neighbouring provinces adds
    participants from them; member turnover lets more firms take part."""
    from smartregion.model.mechanisms import experimenting

    def run(capacity=2.0, places=3.0, neighbours=False, turnover=0.0, quarters=4):
        n = 300
        f = firms([5] * n, [3] * n, [2] * n, stage=[AWARE] * n)
        fl = fieldlabs([0], [[True] * 10], [capacity], [places])
        province = np.where(np.arange(n) < 100, 0, 1)  # 1 (Friesland) borders 0 (Groningen)
        for q in range(quarters):
            keys = np.array([100 + 4 * q + k for k in range(4)], dtype=np.uint64)
            experimenting.step(f, fl, np.array([0]), province, np.zeros(n, int), np.zeros(n), np.full(n, 0.5), keys,
                               turnover, neighbours, 0.0)
            f.stage[f.stage == 2] = AWARE  # trials over: they may look again
        return fl.participants[0], (province[f.fieldlab_experience] == 1).sum(), fl.members[0]

    by_capacity = [run(capacity=c)[0] for c in (0.0, 1.0, 2.5, 6.0)]
    assert by_capacity == sorted(by_capacity) and by_capacity[-1] > by_capacity[0]
    assert run(neighbours=False)[1] == 0 and run(neighbours=True, places=40, capacity=20)[1] > 0
    # members stay without turnover; with it, places free up for other firms every quarter
    assert run(turnover=0.0)[2] == 3 and run(turnover=4.0)[0] > run(turnover=0.0)[0]


# --- productivity ----------------------------------------------------------------------------

def productivity_quarter(vacancies0=1.0, mid_seekers=10.0, spillover=0.5):
    """Ten firms of 10 workers (6, 3, 1), base productivity 50 kEUR, one branch with trend factor
    1 and trend 2% a year, after a year (step 3): trend 1.02. Firm 0 adopted (gain 0.2, ramp
    0, 2 technical posts opened, `vacancies0` still open), firm 1 is nearly done (gain 0.1, ramp
    0.9, no posts); ramp_quarters 2, expansion_jobs 0.4; well-mixed peers."""
    from smartregion.model.mechanisms import productivity
    from smartregion.model.network import PeerShare

    f = firms([6] * 10, [3] * 10, [1] * 10, stage=[ADOPTED] * 2 + [AWARE] * 8, vacancies=[vacancies0] + [0] * 9)
    f.prod_base[:] = 50.0
    f.tech_needed[0] = 2.0
    f.ramp[1] = 0.9
    f.size_at_adoption[:2] = 10.0
    gain = np.array([0.2, 0.1] + [0.05] * 8)
    own_gain = f.ramp * gain
    peers = PeerShare(None, np.full(10, 9.0), own_gain)
    multiplier = np.ones(10)
    reg = region(seekers=(0, mid_seekers, 0))
    trend = productivity.trend_by_sector(0.02, np.array([1.0]), 3)
    ramping, output_gain = productivity.step(f, reg, np.array([0, 1]), own_gain, peers, multiplier, gain, TEN,
                                             np.zeros(10, int), trend, 2.0, 0.4, spillover)
    return f, reg, ramping, output_gain, multiplier, trend


def test_productivity_on_paper():
    """Firm 0: half its technical posts filled, ramp 0 + 0.5 / 2 = 0.25; output growth asks for
    0.4 x 10 x 0.25 = 1 mid-level post; own gain 0.2 x 0.25 = 0.05. Firm 1: ramp min(1, 0.9 +
    1 / 2) = 1, 0.4 x 10 x 0.1 = 0.4 posts, own gain 0.1 (was 0.09). The pool (10) fills both.
    Output gain (own gain change x base x trend x employees after hiring): firm 0 0.05 x 50 x
    1.02 x 11 = 28.05, firm 1 0.01 x 50 x 1.02 x 10.4 = 5.304. Peers' mean realised gain
    (0.05 + 0.1) / 10 = 0.015, half of it spills over: multiplier 1 + own + 0.0075, so
    productivity 50 x 1.02 x 1.0575 = 53.9325 at firm 0, 50 x 1.02 x 1.0075 = 51.3825 at a
    non-adopter. Firm 0 is still ramping, firm 1 is done."""
    f, reg, ramping, output_gain, multiplier, trend = productivity_quarter()
    assert trend[0] == pytest.approx(1.02)
    np.testing.assert_allclose(f.ramp[:2], [0.25, 1.0])
    np.testing.assert_allclose(f.mid[:2], [4.0, 3.4])
    np.testing.assert_allclose(f.created[:2], [1.0, 0.4])
    assert reg.seekers[1, 0] == pytest.approx(8.6) and reg.hires[1, 0] == pytest.approx(1.4)
    np.testing.assert_allclose(output_gain, [28.05, 5.304])
    np.testing.assert_allclose(multiplier[[0, 1, 5]], [1.0575, 1.1075, 1.0075])
    np.testing.assert_allclose(f.productivity[[0, 1, 5]], [53.9325, 56.4825, 51.3825])
    np.testing.assert_array_equal(ramping, [0])


def test_productivity_directions():
    """Open technical posts slow the ramp-up; a short mid-level pool limits expansion hires but
    not the productivity gain; more knowledge spillover raises non-adopters' productivity."""
    filled = productivity_quarter(vacancies0=0.0)[0]
    half = productivity_quarter(vacancies0=1.0)[0]
    none = productivity_quarter(vacancies0=2.0)[0]
    assert filled.ramp[0] > half.ramp[0] > none.ramp[0] == 0
    short, reg, *_ = productivity_quarter(mid_seekers=0.7)  # half of the 1.4 posts
    np.testing.assert_allclose(short.created[:2], [0.5, 0.2])
    assert reg.seekers[1, 0] == 0 and short.productivity[0] == pytest.approx(53.9325)
    assert productivity_quarter(spillover=0.9)[0].productivity[5] > productivity_quarter(spillover=0.1)[0].productivity[5]


# --- reshoring -------------------------------------------------------------------------------

def reshoring_quarter(base_rate=1.0, support_rate=0.25, eligible=(True,) * 10, multiplier=1.25, seekers=(50, 50, 50),
                      n=10):
    """n firms of 10 workers in 2014 and now (6, 3, 1) with half their production abroad, cost
    ratio 1 in 2014 (multiplier 1 then), a year on (step 3), offshore costs flat."""
    from smartregion.model.mechanisms import reshoring

    f = firms([6] * n, [3] * n, [1] * n)
    f.offshored_share[:] = 0.5
    reg = region(seekers=seekers)
    support = reshoring.Support(np.array([3]), np.array([support_rate]), np.array([True]),
                                np.array([list(eligible)], bool))
    rp = reshoring.ReshoringParams(offshore_cost_growth=0.0, reshore_base_rate=base_rate, reshore_rate_max=0.5,
                                   reshore_sensitivity=0.1, reshore_share=0.5, reshore_labour_intensity=0.6)
    still, firms_, jobs, payer = reshoring.step(f, reg, np.arange(n), np.full(n, 10.0), np.ones(n), np.ones(n),
                                                np.full(n, multiplier), np.zeros(n, int), support, np.uint64(31), 3, rp)
    return f, reg, still, firms_, jobs, payer


def test_reshoring_jobs_on_paper():
    """Every firm reshores (base rate 1): half of its offshored half comes home, jobs 0.6 x 10 x
    0.5 / 0.5 x 0.5 = 3, hired in the firm's mix 6:3:1 (1.8, 0.9, 0.3); its share abroad falls to
    0.25. With only 9 routine job seekers for 18 posts, every firm gets half its routine hires:
    0.9 + 0.9 + 0.3 = 2.1 jobs. Firms 0-4 are eligible for support (instrument 3)."""
    f, reg, still, firms_, jobs, payer = reshoring_quarter(eligible=[True] * 5 + [False] * 5)
    assert len(still) == 0 and list(firms_) == list(range(10)) and f.reshored.all()
    np.testing.assert_allclose(jobs, 3.0)
    np.testing.assert_allclose([f.routine[0], f.mid[0], f.technical[0]], [7.8, 3.9, 1.3])
    np.testing.assert_allclose(f.offshored_share, 0.25)
    np.testing.assert_allclose(f.reshored_jobs, 3.0)
    np.testing.assert_array_equal(payer, [3] * 5 + [-1] * 5)
    assert reg.hires[:, 0].sum() == pytest.approx(30)
    f, reg, *_, jobs, _ = reshoring_quarter(seekers=(9, 50, 50))
    np.testing.assert_allclose(jobs, 2.1)
    assert reg.seekers[0, 0] == pytest.approx(0, abs=1e-9)


def test_reshoring_decision_on_paper():
    """Base rate 0.05, up to 0.5 more. Productivity multiplier up from 1 to 1.25: unit-cost ratio
    1 / 1.25 = 0.8, (1 - 0.8) / 0.1 = 2, L(2) = 0.88080: P = 0.05 + 0.5 x 0.88080 = 0.49040.
    Support cutting home costs by 25% (firms 0-4): ratio 0.6, L(4) = 0.98201, P = 0.54101. A
    firm reshores if its own draw is below its P: under key 31 the draws are 0.841 0.738 0.505
    0.541 (0.54057) 0.597 | 0.328 0.394 0.614 0.275 0.757, so firms 2, 3, 5, 6, 8 reshore."""
    from smartregion.model.streams import uniforms

    f, reg, still, firms_, jobs, payer = reshoring_quarter(base_rate=0.05, eligible=[True] * 5 + [False] * 5)
    u = uniforms(np.uint64(31), np.arange(10))
    p = np.repeat([0.54101, 0.49040], 5)
    assert not np.any(np.abs(u - p) < 1e-4)
    np.testing.assert_array_equal(firms_, np.flatnonzero(u < p))
    np.testing.assert_array_equal(firms_, [2, 3, 5, 6, 8])
    np.testing.assert_array_equal(still, np.flatnonzero(u >= p))
    np.testing.assert_array_equal(f.reshored, u < p)


def test_reshoring_directions():
    """Support and automation (a higher productivity multiplier) raise reshoring; eligibility
    limits support to the firms it names."""
    def reshored(**kw):
        return len(reshoring_quarter(base_rate=0.0, n=2000, eligible=kw.pop("eligible", (True,) * 2000), **kw)[3])

    assert reshored(support_rate=0.0) < reshored(support_rate=0.2) < reshored(support_rate=0.4)
    assert reshored(multiplier=1.0, support_rate=0.0) < reshored(multiplier=1.3, support_rate=0.0)
    assert reshored(support_rate=0.4, eligible=(False,) * 2000) == reshored(support_rate=0.0)


def test_the_compile_check_sees_the_cache_after_compiling():
    """After `compile_first`, `compiled()` holds: otherwise every run would compile small models
    again and print 'compiling the model' (a helper inlined into its caller has no cache entry of
    its own and once made the check fail forever)."""
    from smartregion.model.mechanisms import compile_first, compiled

    compile_first(lambda: None)
    assert compiled()
