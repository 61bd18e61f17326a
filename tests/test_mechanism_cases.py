"""More hand-made cases for the mechanisms: one quarter of one mechanism on about ten firms, each
value worked out on paper in a comment, plus directional checks. Written to kill the mutants
that the cases of tests/test_mechanisms.py let live (docs/TESTING.md, Mutation testing); the
two files together are the FAST selection mutmut runs (a few seconds under NUMBA_DISABLE_JIT=1).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import TypeAdapter
from test_mechanisms import N_PROV, TEN, firms, region

from smartregion.model import params as params_mod
from smartregion.model.instruments import Policy
from smartregion.model.mechanisms import competition, labour
from smartregion.model.policies import Instrument
from smartregion.model.regions import ADOPTED, AWARE, EXPERIMENTING, PROVINCE_INDEX, UNAWARE
from smartregion.model.timeline import parse_quarter

GR, FR, DR, OV = (PROVINCE_INDEX[p] for p in ("GR", "FR", "DR", "OV"))


def in_province(values: dict) -> np.ndarray:
    """A [12] province vector: the given provinces' values, 0 elsewhere."""
    out = np.zeros(N_PROV)
    for p, v in values.items():
        out[p] = v
    return out


def policy(*specs, start="2014Q1", steps=12) -> Policy:
    """A real Policy (model/instruments.py) from scenario-style instrument specs, at scale 1."""
    adapter = TypeAdapter(Instrument)
    return Policy([adapter.validate_python(s) for s in specs], parse_quarter(start), steps, 1.0, params_mod.resolve())


# --- labour: separations ------------------------------------------------------------------------

def test_separations_of_every_skill_go_to_the_pool_of_that_skill_and_province():
    """Rate 0.5. Firm 0 (GR) has 2 routine, 1 mid and 0.5 technical jobs redundant: 1, 0.5 and
    0.25 leave, 1.75 in all. Firm 1 (OV) has 4 redundant routine jobs but only 3 routine workers:
    min(0.5 x 4, 3) = 2 leave, 2 stay redundant. Firm 2 (OV) has 6 redundant routine jobs and 2
    routine workers: min(3, 2) = 2 leave, none is left, so nothing stays redundant. Firms 3-9: no
    redundancy, nothing moves."""
    f = firms([10, 3, 2] + [10] * 7, [5] * 10, [2] * 10)
    province = np.array([GR, OV, OV] + [GR] * 7)
    f.redundant[:, 0] = [2, 1, 0.5]
    f.redundant[0, 1:3] = [4, 6]
    reg = region()
    labour.separate(f, reg, province, 0.5)
    np.testing.assert_allclose([f.routine[0], f.mid[0], f.technical[0]], [9, 4.5, 1.75])
    np.testing.assert_allclose(f.redundant[:, 0], [1, 0.5, 0.25])
    np.testing.assert_allclose(f.routine[1:3], [1, 0])
    np.testing.assert_allclose(f.redundant[0, 1:3], [2, 0])
    np.testing.assert_allclose(f.lost[:3], [1.75, 2, 2])
    np.testing.assert_allclose(reg.seekers[:, GR], [1, 0.5, 0.25])
    np.testing.assert_allclose(reg.seekers[:, OV], [4, 0, 0])
    np.testing.assert_allclose(reg.separations, reg.seekers)
    assert (f.routine[3:] == 10).all() and (f.lost[3:] == 0).all() and reg.seekers.sum() == pytest.approx(5.75)


def test_a_firm_without_redundant_jobs_separates_nobody_at_any_rate():
    f = firms([10] * 10, [5] * 10, [2] * 10)
    reg = region()
    labour.separate(f, reg, TEN, 1.0)
    assert f.employees.sum() == 170 and reg.seekers.sum() == 0 and f.lost.sum() == 0


# --- labour: hires and poaching -------------------------------------------------------------------

def test_each_province_fills_its_posts_from_its_own_pool():
    """Firms 0-1 in GR (3 and 1 open technical posts, pool 2: half each), firms 2-3 in FR (2 and
    2 posts, pool 10: all filled, 6 left), firm 4 in DR (1 post, empty pool: none)."""
    f = firms([10] * 10, [5] * 10, [1] * 10, vacancies=[3, 1, 2, 2, 1] + [0] * 5)
    province = np.array([GR, GR, FR, FR, DR] + [GR] * 5)
    reg = region()
    reg.seekers[2] = in_province({GR: 2, FR: 10})
    labour.fill_technical(f, reg, province, poach_share=0.0)
    np.testing.assert_allclose(f.technical[:5], [2.5, 1.5, 3, 3, 1])
    np.testing.assert_allclose(f.vacancies[:5], [1.5, 0.5, 0, 0, 1])
    np.testing.assert_allclose(f.created[:5], [1.5, 0.5, 2, 2, 0])
    np.testing.assert_allclose(reg.seekers[2], in_province({FR: 6}))
    np.testing.assert_allclose(reg.hires[2], in_province({GR: 2, FR: 4}))
    assert (f.technical[5:] == 1).all() and reg.poached.sum() == 0


def test_poaching_takes_at_most_a_tenth_of_the_other_firms_technical_staff():
    """Firm 0 (GR) has 10 open posts, the pool is empty, poach_share 1: it would take all 10, but
    the eight other GR firms (3 technical each, 24) give at most a tenth: 2.4, 0.3 each, and
    each opens a replacement post of 0.3. Firm 0 keeps 7.6 posts open. Firm 9 is in FR: its staff
    is not within reach and FR has no open post, so it neither gives nor takes."""
    f = firms([10] * 10, [5] * 10, [3] * 10, vacancies=[10] + [0] * 9)
    province = np.array([GR] * 9 + [FR])
    f.technical[9] = 50.0
    reg = region()
    labour.fill_technical(f, reg, province, poach_share=1.0)
    assert f.technical[0] == pytest.approx(3 + 2.4) and f.vacancies[0] == pytest.approx(10 - 2.4)
    assert f.created[0] == pytest.approx(2.4)
    np.testing.assert_allclose(f.technical[1:9], 2.7)
    np.testing.assert_allclose(f.vacancies[1:9], 0.3)
    np.testing.assert_allclose(f.lost[1:9], 0.3)
    assert f.technical[9] == 50 and f.vacancies[9] == 0 and f.lost[9] == 0
    np.testing.assert_allclose(reg.poached, in_province({GR: 2.4}))


def test_poaching_moves_the_share_of_what_the_pool_left_open_and_nobody_from_firms_with_posts():
    """Firms 0 and 1 (GR) have 4 and 2 open posts; the pool has 2 technical job seekers: each firm
    gets a third of its demand (1.33, 0.67), 4 posts stay open. poach_share 0.25: 1 worker is
    poached from the eight firms without open posts (10 technical each, 80: a tenth is 8, not
    binding), 1/80 of each one's staff, and shared 3:1 by the posts still open (2.67 and 1.33):
    firm 0 gets 0.667, firm 1 0.333. Firm 1's own staff is not poached (it has open posts)."""
    f = firms([10] * 10, [5] * 10, [10] * 10, vacancies=[4, 2] + [0] * 8)
    reg = region(seekers=(0, 0, 2))
    labour.fill_technical(f, reg, TEN, poach_share=0.25)
    np.testing.assert_allclose(f.technical[:2], [10 + 4 / 3 + 2 / 3, 10 + 2 / 3 + 1 / 3])
    np.testing.assert_allclose(f.vacancies[:2], [4 - 4 / 3 - 2 / 3, 2 - 2 / 3 - 1 / 3])
    np.testing.assert_allclose(f.created[:2], [2, 1])
    np.testing.assert_allclose(f.technical[2:], 10 - 1 / 8)
    np.testing.assert_allclose(f.vacancies[2:], 1 / 8)
    np.testing.assert_allclose(f.lost, [0, 0] + [1 / 8] * 8)
    assert reg.poached[GR] == pytest.approx(1) and reg.hires[2, GR] == pytest.approx(2)
    assert f.employees.sum() == pytest.approx(250 + 2)  # the pool's 2 are new jobs, the poached 1 is not


def test_no_poaching_when_the_pool_fills_every_post():
    f = firms([10] * 10, [5] * 10, [3] * 10, vacancies=[2, 1] + [0] * 8)
    reg = region(seekers=(0, 0, 5))
    labour.fill_technical(f, reg, TEN, poach_share=1.0)
    np.testing.assert_allclose(f.technical, [5, 4] + [3] * 8)
    assert f.vacancies.sum() == 0 and f.lost.sum() == 0 and reg.poached.sum() == 0
    assert reg.seekers[2, GR] == pytest.approx(2)


def test_hire_skill_shares_each_province_s_pool_and_updates_it_in_place():
    """Demand 6 and 2 in GR with 4 seekers (half each: 3, 1), 5 in FR with 8 seekers (all 5).
    Only the firms listed are touched."""
    staff = np.full(10, 1.0)
    province = np.array([GR, GR, FR] + [GR] * 7)
    seekers, hires, hired = in_province({GR: 4, FR: 8}), np.zeros(N_PROV), np.empty(3)
    labour.hire_skill(staff, np.array([0, 1, 2]), np.array([6.0, 2.0, 5.0]), province, seekers, hires, hired)
    np.testing.assert_allclose(hired, [3, 1, 5])
    np.testing.assert_allclose(staff, [4, 2, 6] + [1] * 7)
    np.testing.assert_allclose(seekers, in_province({FR: 3}))
    np.testing.assert_allclose(hires, in_province({GR: 4, FR: 5}))


# --- labour: pools, champions, training ---------------------------------------------------------

def test_pool_entries_and_exits_on_paper():
    """GR: 100 routine, 50 mid, 20 technical job seekers; entry 4, 2, 1 a quarter; exit rates 0.1,
    0.2, 0.25: 10, 10 and 5 leave. Visible adopters per firm 0.4 in GR with champion_attraction
    0.5: technical entry 1 x (1 + 0.5 x 0.4) = 1.2. Seekers after: 94, 42, 16.2. FR: no seekers,
    technical entry 2, no visible adopters: 2 enter."""
    reg = region(seekers=(100, 50, 20))
    reg.entry[:, GR] = [4, 2, 1]
    reg.entry[2, FR] = 2
    lp = labour.LabourParams(0.1, 0.0, np.array([0.1, 0.2, 0.25]), 0.5)
    labour.pool_flows(reg, lp, in_province({GR: 0.4}))
    np.testing.assert_allclose(reg.seekers[:, GR], [94, 42, 16.2])
    np.testing.assert_allclose(reg.seekers[:, FR], [0, 0, 2])
    np.testing.assert_allclose(reg.entries[:, GR], [4, 2, 1.2])
    np.testing.assert_allclose(reg.exits[:, GR], [10, 10, 5])
    assert reg.exits[:, FR].sum() == 0 and reg.entries[:, FR].sum() == 2


def test_visible_adopters_per_firm_on_paper():
    """GR: firms 0-4, adopters 0, 1, 4 with visibility 1, 0.5, 0.25 (firms 2, 3 are not adopters
    and count nothing, whatever their visibility): 1.75 / 5 firms = 0.35. FR: firms 5-9, only
    firm 5 adopted (visibility 0.8): 0.16. Other provinces have no firms and no adopters: 0."""
    stage = np.array([ADOPTED, ADOPTED, AWARE, EXPERIMENTING, ADOPTED, ADOPTED, UNAWARE, AWARE, AWARE, AWARE])
    visibility = np.array([1, 0.5, 2, 2, 0.25, 0.8, 3, 3, 3, 3])
    province = np.repeat([GR, FR], 5)
    per_firm = labour.visible_adopters_per_firm(stage, visibility, province, in_province({GR: 5, FR: 5}) + 1e-300)
    np.testing.assert_allclose(per_firm[[GR, FR]], [0.35, 0.16])
    assert (per_firm[2:] == 0).all()


def test_trainees_finish_after_the_lag_and_count_as_completions():
    """Lag 1: 20 of GR's 50 routine job seekers start in quarter 1 and finish in quarter 2, when
    they are that quarter's completions (5 from FR start in quarter 2 and finish in 3)."""
    reg = region(seekers=(50, 0, 0), lag=1)
    reg.seekers[0, FR] = 5
    done1 = labour.train(reg, in_province({GR: 20}))
    assert done1.sum() == 0 and reg.completions.sum() == 0 and reg.in_training[GR] == 20
    done2 = labour.train(reg, in_province({FR: 5}))
    np.testing.assert_allclose(done2, in_province({GR: 20}))
    np.testing.assert_allclose(reg.completions, in_province({GR: 20}))
    np.testing.assert_allclose(reg.seekers[2], in_province({GR: 20}))
    np.testing.assert_allclose(reg.trainee_starts, in_province({GR: 20, FR: 5}))
    labour.train(reg, np.zeros(N_PROV))
    np.testing.assert_allclose(reg.completions, in_province({FR: 5}))
    np.testing.assert_allclose(reg.trained, in_province({GR: 20, FR: 5}))
    assert reg.in_training.sum() == 0 and reg.seekers[0, GR] == 30


TRAINING = {"type": "training", "name": "t", "provinces": ["GR", "FR"], "start": "2014Q1", "end": "2016Q4",
            "budget_eur": 1.2e6, "cost_per_trainee_eur": 10_000}


def courses(reg, *specs, t=0):
    pol = policy(*specs)
    return labour.buy_courses(SimpleNamespace(regions=reg, policy=pol, t=t)), pol


def test_training_money_buys_courses_in_proportion_to_routine_job_seekers():
    """1.2 MEUR over 12 quarters: 100 kEUR a quarter at 10 kEUR a course. Routine job seekers:
    GR 30, FR 10 (DR 50, not covered): the money goes 3:1, 75 and 25 kEUR: 7.5 and 2.5 courses.
    With only 3 and 1 seekers, at most 3 and 1 courses are bought (40 kEUR; the rest stays)."""
    reg = region(seekers=(30, 0, 0))
    reg.seekers[0, FR], reg.seekers[0, DR] = 10, 50
    bought, pol = courses(reg, TRAINING)
    np.testing.assert_allclose(bought, in_province({GR: 7.5, FR: 2.5}))
    np.testing.assert_allclose(pol.spent[0, 0], in_province({GR: 75_000, FR: 25_000}))
    reg.seekers[0, :] = in_province({GR: 3, FR: 1, DR: 50})
    bought, pol = courses(reg, TRAINING)
    np.testing.assert_allclose(bought, in_province({GR: 3, FR: 1}))
    assert pol.instruments[0].left == pytest.approx(1.2e6 - 40_000)


def test_training_courses_stop_with_the_budget_and_outside_the_instrument_s_time():
    """Only 40 kEUR left of the 100 kEUR a quarter wanted: 40% of the courses (3 and 1). Before
    its start (2015Q1 = step 4), or with no routine job seekers in its provinces, nothing."""
    reg = region(seekers=(30, 0, 0))
    reg.seekers[0, FR] = 10
    pol = policy(TRAINING)
    pol.instruments[0].left = 40_000
    np.testing.assert_allclose(labour.buy_courses(SimpleNamespace(regions=reg, policy=pol, t=0)),
                               in_province({GR: 3, FR: 1}))
    late = {**TRAINING, "start": "2015Q1"}
    assert courses(reg, late, t=3)[0].sum() == 0 and courses(reg, late, t=4)[0].sum() > 0
    reg.seekers[0, [GR, FR]] = 0
    reg.seekers[0, DR] = 50
    assert courses(reg, TRAINING)[0].sum() == 0


def test_a_second_training_instrument_trains_only_the_job_seekers_the_first_left():
    """Two instruments of 100 kEUR a quarter each, both covering GR (30 routine job seekers): the
    first buys 10 courses (its 100 kEUR at 10 kEUR), the second, among the 20 seekers left,
    another 10 (its 100 kEUR; 20 courses would cost 200). With 12 seekers: 10, then the 2 left
    (20 kEUR)."""
    reg = region(seekers=(30, 0, 0))
    one = {**TRAINING, "provinces": ["GR"]}
    bought, pol = courses(reg, one, {**one, "name": "u"})
    np.testing.assert_allclose(bought, in_province({GR: 20}))
    np.testing.assert_allclose(pol.spent[0, :, GR], [100_000, 100_000])
    reg.seekers[0, GR] = 12  # the first buys 10, the second only the 2 left
    bought, pol = courses(reg, one, {**one, "name": "u"})
    np.testing.assert_allclose(bought, in_province({GR: 12}))
    np.testing.assert_allclose(pol.spent[0, :, GR], [100_000, 20_000])


# --- competition --------------------------------------------------------------------------------

def test_business_stealing_per_sector_on_paper():
    """Share 0.6, three sectors. Sector 0 (firms 0-3): adopters 0 and 1 gain 6 and 4 kEUR/yr;
    non-adopters 2 (6, 3, 1 workers at 10 kEUR: 100) and 3 (4, 4, 2 at 5 kEUR: 50) make 150, so
    they lose 0.6 x 10 / 150 = 4%: firm 2 already has 1 redundant routine job, 4% of the 5 others
    (0.2) join it, 4% of its 3 mid (0.12) and 1 technical (0.04) jobs; firm 3 has 5 redundant
    routine jobs, more than its 4 routine workers: no more, mid 0.16, technical 0.08. Sector 1
    (firms 4-6): adopter 4 gains 100, non-adopters 5 and 6 make 10 each: 60 / 20 = 3, capped at
    half their sales: 3, 1.5 and 0.5 of their 6, 3 and 1 jobs. Sector 2 (firms 7-9): all adopters
    (firm 7 gains 5): no non-adopter output, nobody loses; adopters never lose."""
    stage = [ADOPTED, ADOPTED, AWARE, EXPERIMENTING, ADOPTED, AWARE, UNAWARE, ADOPTED, ADOPTED, ADOPTED]
    f = firms([6, 6, 6, 4, 6, 6, 6, 6, 6, 6], [3, 3, 3, 4, 3, 3, 3, 3, 3, 3], [1, 1, 1, 2, 1, 1, 1, 1, 1, 1],
              stage=stage)
    f.productivity[:] = [10, 10, 10, 5, 1, 1, 1, 1, 1, 1]
    f.redundant[0, 2:4] = [1, 5]
    sector = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
    x = competition.step(f, sector, 3, np.array([0, 1, 4, 7]), np.array([6.0, 4.0, 100.0, 5.0]), 0.6)
    np.testing.assert_allclose(x, [0.04, 0.5, 0.0])
    np.testing.assert_allclose(f.redundant[:, 2], [1.2, 0.12, 0.04])
    np.testing.assert_allclose(f.redundant[:, 3], [5, 0.16, 0.08])
    np.testing.assert_allclose(f.redundant[:, 5], [3, 1.5, 0.5])
    np.testing.assert_allclose(f.redundant[:, 6], [3, 1.5, 0.5])
    assert f.redundant[:, [0, 1, 4, 7, 8, 9]].sum() == 0
    assert f.employees.sum() == 100  # competition books redundancies; labour separates them later


def test_no_gain_no_loss_and_more_gain_more_loss():
    def redundant(gain):
        f = firms([6] * 10, [3] * 10, [1] * 10, stage=[ADOPTED] + [AWARE] * 9)
        competition.step(f, np.zeros(10, int), 1, np.array([0]), np.array([gain]), 0.5)
        return f.redundant.sum()

    assert redundant(0.0) == 0 and 0 < redundant(10.0) < redundant(20.0)


# --- awareness ----------------------------------------------------------------------------------

def test_awareness_hazard_of_every_term_on_paper():
    """bass_p 0.4 a year (0.1 a quarter), bass_q 0.8 (0.2 a quarter per unit of peer exposure),
    training spillover 2 per completed trainee per firm: GR had 0.05 (0.1), FR 0.15 (0.3). Hubs
    convert 20% of FR's firms, none in GR. Firms 0-4 in GR, 5-9 in FR; firm 3 is aware already,
    firm 8 adopted: neither draws. Hazards (unaware firms 0 1 2 4 5 6 7 9): exposure 3, 0, 2, 0
    in GR: 0.8, 0.2, 0.6, 0.2; exposure 0, 0, 0, 1 in FR: 0.4, 0.4, 0.4, 0.6. P = 1 - (1 - hub)
    e^-hazard: GR 0.5507, 0.1813, 0.4512, 0.1813; FR 1 - 0.8 x 0.6703 = 0.4638 (three times)
    and 1 - 0.8 x 0.5488 = 0.5610. Draws under key 34: 0.5357 0.8059 0.4528 (0.1919 for firm 4)
    | 0.5023 0.0285 0.2006 (0.5033 for firm 9): firms 0, 6, 7, 9 become aware. (Firm 2 misses by
    0.0016, firm 4 by 0.011: a larger hazard anywhere would flip them.)"""
    from smartregion.model.mechanisms import awareness
    from smartregion.model.streams import uniforms

    key = np.uint64(34)
    stage = np.array([UNAWARE] * 3 + [AWARE] + [UNAWARE] * 4 + [ADOPTED, UNAWARE], dtype=np.int8)
    province = np.repeat([GR, FR], 5)
    exposure = np.array([3, 0, 2, 9, 0, 0, 0, 0, 9, 1], dtype=float)
    completions = in_province({GR: 0.05, FR: 0.15})
    unaware, hazard = awareness._hazard(stage, province, exposure, completions, 0.4, 0.8, 2.0)
    np.testing.assert_array_equal(unaware, [0, 1, 2, 4, 5, 6, 7, 9])
    np.testing.assert_allclose(hazard, [0.8, 0.2, 0.6, 0.2, 0.4, 0.4, 0.4, 0.6])
    np.testing.assert_allclose(uniforms(key, np.arange(10))[[0, 1, 2, 4, 5, 6, 7, 9]],
                               [0.5357, 0.8059, 0.4528, 0.1919, 0.5023, 0.0285, 0.2006, 0.5033], atol=5e-5)
    awareness.step(stage, key, province, exposure, in_province({FR: 0.2}), completions, 0.4, 0.8, 2.0)
    np.testing.assert_array_equal(np.flatnonzero(stage == AWARE), [0, 3, 6, 7, 9])
    assert stage[8] == ADOPTED and (stage[[1, 2, 4, 5]] == UNAWARE).all()


def test_a_hub_that_reaches_every_firm_makes_them_all_aware_and_no_hazard_none():
    """P = 1 - (1 - 1) e^-h = 1 in FR whatever the hazard; P = 1 - e^0 = 0 with no hazard and no hub."""
    from smartregion.model.mechanisms import awareness

    stage = np.full(10, UNAWARE, dtype=np.int8)
    province = np.repeat([GR, FR], 5)
    awareness.step(stage, np.uint64(5), province, np.zeros(10), in_province({FR: 1.0}), np.zeros(N_PROV), 0.0, 0.0,
                   0.0)
    np.testing.assert_array_equal(stage, [UNAWARE] * 5 + [AWARE] * 5)
