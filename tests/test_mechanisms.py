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
