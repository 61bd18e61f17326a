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


# --- adoption -----------------------------------------------------------------------------------

def two_subsidies(n, row0_firms, row1_firms):
    """Row 0 (instrument 4): 30% of the investment, at most 25 kEUR, fully expected; row 1
    (instrument 7): 50%, at most 40 kEUR, its end announced so that firms expect half of it."""
    from smartregion.model.mechanisms.adoption import Subsidies

    eligible = np.zeros((2, n), bool)
    eligible[0, row0_firms] = eligible[1, row1_firms] = True
    return Subsidies(np.array([4, 7]), np.array([0.3, 0.5]), np.array([25.0, 40.0]), np.array([1.0, 0.5]), eligible)


def test_adoption_signal_of_every_term_on_paper():
    """Parameters of test_mechanisms.adoption_params, own pilots cutting uncertainty by 25%. GR:
    ecosystem 0.5 (cost -10%), shortage 0.2; FR: neither. Firms 5 (aware) and 6 (adopted) do not
    decide. Per deciding firm (workers; productivity -> VA; investment I; cost C; subsidy S/yr
    from the better row; hiring H; benefit B; z = (B - C + S - H) / VA; sigma; 1.7 z / sigma):
    0 GR 10; 80 -> 800; I 100; C 20 x 0.9 = 18; rows 25 vs 20 x 0.5... min(30, 25) = 25 vs
      min(50, 40) x 0.5 = 20: row 0, 5/yr; H 0.1 x 10 x 60 x 0.5 x 0.2 = 6; gain 0.1, exposure
      0.5: B 0.1 x 1.5 / 2 x 800 = 60; z 41/800 = 0.05125; fieldlab: sigma 0.2 x 0.5 / 1.5 =
      1/15; 1.306875.
    1 FR 10; 50 -> 500; I 100; C 20; row 0: 5/yr; H 0; gain 0.2, exposure 0: B 0.1 x 500 = 50;
      z 35/500 = 0.07; pilot: sigma 0.2 x 0.75 = 0.15; 0.793333.
    2 FR 40; 40 -> 1600; I 50 + 200 = 250; C 50; min(75, 25) = 25 vs min(125, 40) x 0.5 = 20: row
      0, 5/yr; H 0; gain 0.02, exposure 1: B 0.02 x 1600 = 32; z -13/1600 = -0.008125; sigma 0.2
      / 2 = 0.1; -0.138125.
    3 GR 10; 80 -> 800; I 100; C 18; only row 1: 20, 4/yr; H 6; gain 0.1, exposure 0: B 40; z
      20/800 = 0.025; fieldlab and pilot: sigma 0.2 x 0.5 x 0.75 = 0.075; 0.566667.
    4 FR 10; 30 -> 300; I 100; C 20; no row: 0; H 0; gain 0.3, exposure 0: B 45; z 25/300; sigma
      0.2; 0.708333.
    7 GR as firm 0 but without a fieldlab: sigma 0.2 / 1.5; 0.6534375."""
    from smartregion.model.mechanisms import adoption
    from test_mechanisms import adoption_params

    stage = [EXPERIMENTING] * 5 + [AWARE, ADOPTED, EXPERIMENTING]
    f = firms([6, 5, 30, 6, 6, 6, 6, 6], [3, 3, 6, 3, 3, 3, 3, 3], [1, 2, 4, 1, 1, 1, 1, 1], stage=stage)
    f.productivity[:] = [80, 50, 40, 80, 30, 80, 80, 80]
    f.fieldlab_experience[[0, 3]] = True
    f.pilot_experience[[1, 3]] = True
    province = np.array([GR, FR, FR, GR, FR, GR, GR, GR])
    gain = np.array([0.1, 0.2, 0.02, 0.1, 0.3, 0.1, 0.1, 0.1])
    exposure = np.array([0.5, 0, 1, 0, 0, 0.5, 0.5, 0.5])
    subs = two_subsidies(8, [0, 1, 2, 7], [0, 2, 3, 7])
    ap = adoption_params(own_pilot_uncertainty_reduction=0.25)
    idx, signal, payer, invest = adoption._signal(
        f.stage, f.routine, f.mid, f.technical, f.productivity, f.fieldlab_experience, f.pilot_experience, gain,
        province, exposure, in_province({GR: 0.5}), in_province({GR: 0.2}), subs.rate, subs.cap_keur, subs.outlook,
        subs.eligible, ap)
    np.testing.assert_array_equal(idx, [0, 1, 2, 3, 4, 7])
    np.testing.assert_allclose(signal, [1.306875, 0.07 * 1.7 / 0.15, -0.138125, 0.025 * 1.7 / 0.075,
                                        25 / 300 * 1.7 / 0.2, 0.6534375])
    np.testing.assert_array_equal(payer, [0, 0, 0, 1, -1, 0])
    np.testing.assert_allclose(invest, [100, 100, 250, 100, 100, 100])


def test_no_subsidy_row_on_offer_pays_nothing():
    """A row with outlook 0 (not running) is not expected, however generous: firm 0 of the
    case above then has z = (60 - 18 - 6) / 800 = 0.045 and no payer."""
    from smartregion.model.mechanisms import adoption
    from smartregion.model.mechanisms.adoption import Subsidies
    from test_mechanisms import adoption_params

    f = firms([6] * 10, [3] * 10, [1] * 10, stage=[EXPERIMENTING] * 10)
    f.productivity[:] = 80.0
    f.fieldlab_experience[:] = True
    subs = Subsidies(np.array([4]), np.array([0.9]), np.array([1e3]), np.array([0.0]), np.ones((1, 10), bool))
    idx, signal, payer, _ = adoption._signal(
        f.stage, f.routine, f.mid, f.technical, f.productivity, f.fieldlab_experience, f.pilot_experience,
        np.full(10, 0.1), TEN, np.full(10, 0.5), in_province({GR: 0.5}), in_province({GR: 0.2}), subs.rate,
        subs.cap_keur, subs.outlook, subs.eligible, adoption_params())
    np.testing.assert_allclose(signal, 0.045 * 1.7 * 15)
    assert (payer == -1).all()


def test_the_decision_on_paper_with_the_instrument_that_pays():
    """adoption.step on the firms of the signal case: L(1.7 z / sigma) for firms 0 1 2 3 4 7 is
    0.78699 0.68855 0.46552 0.63800 0.67004 0.65778; P(adopt) = 0.9 L = 0.70829 0.61970 0.41897
    0.57420 0.60304 0.59200, P(abandon) = 0.2 (1 - L) = 0.04260 0.06229 0.10690 0.07240 0.06599
    0.06844. Draws under key 8 for those firms: 0.6185 0.6119 0.6890 0.5361 0.0638 0.3569: firms
    0, 1, 3, 4, 7 adopt (firm 1 by 0.008); firm 2 (0.689 > 0.41897 + 0.10690 = 0.52587) goes on
    experimenting. Instruments: firms 0, 1, 7 row 0 -> 4, firm 3 row 1 -> 7, firm 4 none."""
    from smartregion.model.mechanisms import adoption
    from smartregion.model.streams import uniforms
    from test_mechanisms import adoption_params

    stage = [EXPERIMENTING] * 5 + [AWARE, ADOPTED, EXPERIMENTING]
    f = firms([6, 5, 30, 6, 6, 6, 6, 6], [3, 3, 6, 3, 3, 3, 3, 3], [1, 2, 4, 1, 1, 1, 1, 1], stage=stage)
    f.productivity[:] = [80, 50, 40, 80, 30, 80, 80, 80]
    f.fieldlab_experience[[0, 3]] = True
    f.pilot_experience[[1, 3]] = True
    province = np.array([GR, FR, FR, GR, FR, GR, GR, GR])
    keys = np.array([8, 9], dtype=np.uint64)
    np.testing.assert_allclose(uniforms(keys[0], np.array([0, 1, 2, 3, 4, 7])),
                               [0.6185, 0.6119, 0.6890, 0.5361, 0.0638, 0.3569], atol=5e-5)
    new, instrument, invest = adoption.step(
        f, np.array([0.1, 0.2, 0.02, 0.1, 0.3, 0.1, 0.1, 0.1]), province, np.array([0.5, 0, 1, 0, 0, 0.5, 0.5, 0.5]),
        in_province({GR: 0.5}), in_province({GR: 0.2}), two_subsidies(8, [0, 1, 2, 7], [0, 2, 3, 7]), keys, 5,
        adoption_params(own_pilot_uncertainty_reduction=0.25))
    np.testing.assert_array_equal(new, [0, 1, 3, 4, 7])
    np.testing.assert_array_equal(instrument, [4, 4, 7, -1, 4])
    np.testing.assert_allclose(invest, 100)
    np.testing.assert_array_equal(f.stage, [ADOPTED, ADOPTED, EXPERIMENTING, ADOPTED, ADOPTED, AWARE, ADOPTED, ADOPTED])
    np.testing.assert_array_equal(f.adopted_t, [5, 5, -1, 5, 5, -1, -1, 5])


def test_an_abandoning_firm_goes_back_to_aware_on_paper():
    """A hopeless case (gain 0): z = (0 - 20 - 0) / 800 = -0.025, sigma 0.2, 1.7 z / sigma =
    -0.2125, L = 0.44707: P(adopt) = 0.9 x 0.44707 = 0.40236, P(abandon) = 0.8 x 0.55293 =
    0.44234 (abandon rate 0.8): a firm drawing below 0.40236 adopts, below 0.84470 drops back,
    above goes on. Under key 35: 0.3022 0.6037 0.8022 0.3642 0.7575 0.2393 0.4729 0.0291 0.8343
    0.6158: firms 0, 3, 5, 7 adopt, the six others drop back to aware (firm 8 by 0.010); none
    draws above 0.84470, so none goes on experimenting."""
    from smartregion.model.mechanisms import adoption
    from test_mechanisms import adoption_params, subsidies

    f = firms([6] * 10, [3] * 10, [1] * 10, stage=[EXPERIMENTING] * 10)
    f.productivity[:] = 80.0
    new, _, _ = adoption.step(f, np.zeros(10), TEN, np.zeros(10), np.zeros(N_PROV), np.zeros(N_PROV),
                              subsidies(10, rate=0.3, eligible=[False] * 10), np.array([35, 9], dtype=np.uint64), 2,
                              adoption_params(abandon_rate=0.8, peer_uncertainty_reduction=0.0))
    np.testing.assert_array_equal(new, [0, 3, 5, 7])
    np.testing.assert_array_equal(np.flatnonzero(f.stage == AWARE), [1, 2, 4, 6, 8, 9])


def test_an_adopter_s_own_draw_sets_how_much_routine_work_it_automates():
    """routine_displacement 0.4 with dispersion 0.5: share 0.4 (1 + 0.5 (2 w - 1)), at most 1.
    Under key 9 the draws w of firms 0-3 are 0.6824 0.7507 0.2653 0.7848: shares 0.47296
    0.50028 0.30612 0.51392. Firm 1 had 2 of its 6 routine jobs redundant already: 0.50028 x 4
    more. Firm 3 has displacement 0.9 instead (separate run): 0.9 x 1.2848 > 1, all its routine
    jobs. Every adopter opens 0.1 x 10 = 1 technical post on top of those already open."""
    from smartregion.model.mechanisms import adoption
    from test_mechanisms import adoption_params

    def adopt_all(displacement):
        f = firms([6] * 10, [3] * 10, [1] * 10, stage=[AWARE, EXPERIMENTING, AWARE, AWARE] + [UNAWARE] * 6,
                  vacancies=[0, 0.5] + [0] * 8)
        f.redundant[0, 1] = 2.0
        keys = np.array([35, 9], dtype=np.uint64)
        new, instrument, invest = adoption.step(f, np.full(10, 0.1), TEN, np.zeros(10), np.zeros(N_PROV),
                                                np.zeros(N_PROV), None, keys, 6,
                                                adoption_params(routine_displacement=displacement,
                                                                displacement_dispersion=0.5), immediate=True)
        return f, new, instrument, invest

    f, new, instrument, invest = adopt_all(0.4)
    np.testing.assert_array_equal(new, [0, 1, 2, 3])  # immediate: every aware or experimenting firm
    assert (instrument == -1).all() and (invest == 0).all()
    np.testing.assert_allclose(f.redundant[0, :4], [6 * 0.47296, 2 + 4 * 0.50028, 6 * 0.30612, 6 * 0.51392],
                               atol=5e-4)
    np.testing.assert_allclose(f.vacancies[:4], [1, 1.5, 1, 1])
    np.testing.assert_allclose(f.tech_needed[:4], 1)
    np.testing.assert_allclose(f.size_at_adoption, [10] * 4 + [0] * 6)
    np.testing.assert_array_equal(f.adopted_t, [6] * 4 + [-1] * 6)
    assert (f.stage[:4] == ADOPTED).all() and (f.stage[4:] == UNAWARE).all()
    assert adopt_all(0.9)[0].redundant[0, 3] == pytest.approx(6)


ADOPTION_SUBSIDY = {"type": "adoption_subsidy", "name": "s", "provinces": ["GR", "FR"], "start": "2014Q1",
                    "end": "2016Q4", "end_announced": "2015Q1", "budget_eur": 60_000, "rate": 0.3,
                    "max_per_firm_eur": 25_000}


def test_what_a_firm_expects_from_an_announced_end_on_paper():
    """Steps: start 0, announced at 4, end 11; payback 5 years = 20 quarters. Before the
    announcement the full subsidy (1); at step 6, (11 - 6 + 1) / 20 = 0.3 of it; after the end,
    nothing. Without the outlook discount, 1 while running."""
    from smartregion.model.mechanisms.adoption import Subsidies

    unannounced = {**ADOPTION_SUBSIDY, "name": "u", "end_announced": None, "rate": 0.5, "max_per_firm_eur": 40_000}
    pol = policy(TRAINING, ADOPTION_SUBSIDY, unannounced)
    eligible = np.ones((2, 10), bool)
    offer = Subsidies.offered(pol, 6, 5.0, True, eligible)
    np.testing.assert_array_equal(offer.instrument, [1, 2])  # indices into the policy's instruments
    np.testing.assert_allclose(offer.outlook, [0.3, 1])
    np.testing.assert_allclose(offer.rate, [0.3, 0.5])
    np.testing.assert_allclose(offer.cap_keur, [25, 40])
    assert offer.eligible is eligible
    np.testing.assert_allclose(Subsidies.offered(pol, 2, 5.0, True, eligible).outlook, 1)
    np.testing.assert_allclose(Subsidies.offered(pol, 6, 5.0, False, eligible).outlook, 1)
    np.testing.assert_allclose(Subsidies.offered(pol, 12, 5.0, False, eligible).outlook, 0)


def test_subsidies_are_paid_first_come_first_served_within_budget():
    """Adopters 3, 5, 8 (GR, FR, GR) invest 100, 100 and 50 kEUR: 30% capped at 25 kEUR is 25,
    25 and 15 kEUR; the 60 kEUR budget pays 25, 25 and the last 10. Adopter 9 expects nothing
    (-1) and gets nothing."""
    from smartregion.model.mechanisms import adoption

    pol = policy(ADOPTION_SUBSIDY)
    province = np.array([GR] * 5 + [FR] + [GR] * 4)
    adoption.pay(pol, 1, np.array([3, 5, 8, 9]), np.array([0, 0, 0, -1]), np.array([100.0, 100.0, 50.0, 80.0]),
                 province)
    np.testing.assert_allclose(pol.spent[1, 0], in_province({GR: 35_000, FR: 25_000}))
    assert pol.instruments[0].left == 0 and pol.spent.sum() == 60_000


def test_the_two_adoption_draws_come_from_the_adoption_stream():
    from smartregion.model.mechanisms import adoption
    from smartregion.model.streams import Streams

    s = Streams(3)
    k = adoption.keys(s, 9)
    assert k.dtype == np.uint64
    np.testing.assert_array_equal(k, [s.key("adoption", 9), s.key("adoption", 9, slot=1)])
    assert k[0] != k[1] and k[0] != s.key("adoption", 10)


# --- labour: cases written for the mutants the cases above let live -------------------------------

def test_a_firm_without_demand_hires_nobody_and_flows_add_to_what_was_booked():
    """Firm 0 (DR) wants nobody and nobody else in DR does: it hires 0 (not 0/0). Firm 1 (GR)
    wants 2 of GR's 4 seekers. hires already held 5 in GR: 7 after."""
    staff = np.ones(10)
    province = np.array([DR] + [GR] * 9)
    seekers, hires, hired = in_province({GR: 4, DR: 3}), in_province({GR: 5}), np.empty(2)
    with np.errstate(all="raise"):
        labour.hire_skill(staff, np.array([0, 1]), np.array([0.0, 2.0]), province, seekers, hires, hired)
    np.testing.assert_array_equal(hired, [0, 2])
    np.testing.assert_allclose(hires, in_province({GR: 7}))
    np.testing.assert_allclose(seekers, in_province({GR: 2, DR: 3}))


def test_separations_accumulate_over_quarters():
    """Rate 0.5 on 4 redundant routine jobs: 2 leave, then 1: 3 separations booked in all."""
    f = firms([10] * 10, [5] * 10, [2] * 10)
    f.redundant[0, 0] = 4
    reg = region()
    labour.separate(f, reg, TEN, 0.5)
    labour.separate(f, reg, TEN, 0.5)
    assert reg.separations[0, GR] == pytest.approx(3) and f.lost[0] == pytest.approx(3)


def test_poaching_small_numbers_and_a_province_the_pool_filled():
    """GR: firm 0 has half a post open (0.5) and the pool is empty; firms 1-4 have 0.2 technical
    workers each (0.8 in all, a tenth is 0.08). poach_share 1: 0.08 is poached, 0.02 from each,
    which opens 0.02 posts there; firm 0 keeps 0.42 open. FR: firm 5's post (1) is filled from
    FR's pool of 3: nothing open there, nobody poached in FR (firms 6-9 keep their 5). Firm 0
    had created 1 job before (now 1.08), firms 1-4 had lost 0.5 (now 0.52), firm 5 had created 2
    (now 3)."""
    f = firms([10] * 10, [5] * 10, [0, 0.2, 0.2, 0.2, 0.2, 0, 5, 5, 5, 5], vacancies=[0.5] + [0] * 4 + [1] + [0] * 4)
    province = np.array([GR] * 5 + [FR] * 5)
    f.created[[0, 5]] = [1, 2]
    f.lost[1:5] = 0.5
    reg = region()
    reg.seekers[2, FR] = 3
    labour.fill_technical(f, reg, province, poach_share=1.0)
    np.testing.assert_allclose(f.technical, [0.08, 0.18, 0.18, 0.18, 0.18, 1, 5, 5, 5, 5])
    np.testing.assert_allclose(f.vacancies, [0.42, 0.02, 0.02, 0.02, 0.02, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(f.created, [1.08, 0, 0, 0, 0, 3, 0, 0, 0, 0])
    np.testing.assert_allclose(f.lost, [0, 0.52, 0.52, 0.52, 0.52, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(reg.poached, in_province({GR: 0.08}))


def test_each_training_instrument_is_considered_whatever_the_ones_before_it():
    """Three instruments of 100 kEUR a quarter at 10 kEUR a course: A (GR) starts only in 2015Q1,
    B covers DR, which has no routine job seekers, C covers GR (30 routine job seekers): C alone
    buys 10 courses. With half a routine job seeker in GR, C buys half a course (5 kEUR)."""
    reg = region(seekers=(30, 0, 0))
    gr = {**TRAINING, "provinces": ["GR"]}
    specs = ({**gr, "name": "a", "start": "2015Q1"}, {**TRAINING, "name": "b", "provinces": ["DR"]},
             {**gr, "name": "c"})
    bought, pol = courses(reg, *specs)
    np.testing.assert_allclose(bought, in_province({GR: 10}))
    reg.seekers[0, GR] = 0.5
    bought, pol = courses(reg, *specs)
    np.testing.assert_allclose(bought, in_province({GR: 0.5}))
    assert pol.spent[0, 2, GR] == pytest.approx(5_000)


# --- reshoring ----------------------------------------------------------------------------------

def test_reshoring_signal_of_every_term_on_paper():
    """Offshore costs up 4% since 2014 (1.04), sensitivity 0.1. Support rows: 0 cuts home costs by
    10% (running; firms 0, 2), 1 by 30% (not running; everyone), 2 by 20% (running; firms 0, 5).
    Firms that may reshore: 0, 2, 3, 5 (of six).
    0: ratio 1.2 x 1 / 1.25 / 1.04 = 0.923077; rows 0 and 2: the larger, 20% (row 2); signal
       (1 - 0.923077 x 0.8) / 0.1 = 2.615385.
    2: 1.04 x 1.3 / 1.3 / 1.04 = 1; row 0: (1 - 0.9) / 0.1 = 1.
    3: 1.04 x 1 / 1 / 1.04 = 1; no row: 0.
    5: 0.9 / 1.04 = 0.865385; row 2: (1 - 0.692308) / 0.1 = 3.076923."""
    from smartregion.model.mechanisms import reshoring

    eligible = np.zeros((3, 6), bool)
    eligible[0, [0, 2]] = eligible[1, :] = eligible[2, [0, 5]] = True
    signal, row = reshoring._signal(np.array([0, 2, 3, 5]), np.array([1.2, 9, 1.04, 1.04, 9, 0.9]),
                                    np.array([1, 9, 1.3, 1, 9, 1.0]), np.array([1.25, 9, 1.3, 1, 9, 1]), 1.04,
                                    np.array([0.1, 0.3, 0.2]), np.array([True, False, True]), eligible, 0.1)
    np.testing.assert_allclose(signal, [2.615385, 1, 0, 3.076923], atol=1e-6)
    np.testing.assert_array_equal(row, [2, 0, -1, 2])


def test_offshore_costs_grow_with_the_years_since_2014():
    """Cost ratio 1.015 (home a bit dearer), offshore costs +4% a year, a very sharp response
    (sensitivity 1e-4, no base rate, up to 1): a firm reshores once offshore costs have grown
    more than 1.5%. At step 0 (a quarter on: 1.04^0.25 = 1.0099) they have not: nobody; at step
    3 (a year: 1.04) they have: all ten. With cost ratio 1.018, offshore costs must grow for
    ln 1.018 / ln 1.04 = 0.455 years: not at step 0 (0.25 years), at step 1 (0.5 years)."""
    from smartregion.model.mechanisms import reshoring

    def reshored(t, ratio=1.015):
        f = firms([6] * 10, [3] * 10, [1] * 10)
        f.offshored_share[:] = 0.5
        rp = reshoring.ReshoringParams(offshore_cost_growth=0.04, reshore_base_rate=0.0, reshore_rate_max=1.0,
                                       reshore_sensitivity=1e-4, reshore_share=0.5, reshore_labour_intensity=0.6)
        none = reshoring.Support(np.zeros(0, int), np.zeros(0), np.zeros(0, bool), np.zeros((0, 10), bool))
        _, moved, _, payer = reshoring.step(f, region(seekers=(50, 50, 50)), np.arange(10), np.full(10, 10.0),
                                            np.full(10, ratio), np.ones(10), np.ones(10), TEN, none, np.uint64(31),
                                            t, rp)
        assert (payer == -1).all()
        return len(moved)

    assert reshored(0) == 0 and reshored(3) == 10
    assert reshored(0, 1.018) == 0 and reshored(1, 1.018) == 10


RESHORING = {"type": "reshoring_support", "name": "r", "provinces": ["GR", "FR"], "start": "2014Q3", "end": "2016Q4",
             "budget_eur": 100_000, "cost_reduction": 0.2, "eur_per_job": 20_000}


def test_reshoring_support_on_offer_and_paid_per_job_filled():
    """Two instruments (cost reductions 20% and 10%), running from step 2. At step 1 neither runs;
    at step 2 both do. Paid per job filled, first come first served: firms 1 (GR) and 4 (FR)
    filled 2 and 3 jobs under instrument 0 (40 + 60 kEUR: its whole 100 kEUR), firm 6 (GR) 1.5
    under instrument 1 (30 kEUR), firm 7 none (-1)."""
    from smartregion.model.mechanisms import reshoring

    pol = policy(TRAINING, RESHORING, {**RESHORING, "name": "s", "cost_reduction": 0.1})
    eligible = np.ones((2, 10), bool)
    before = reshoring.Support.offered(pol, 1, eligible)
    np.testing.assert_array_equal(before.instrument, [1, 2])
    np.testing.assert_allclose(before.cost_reduction, [0.2, 0.1])
    assert not before.running.any() and before.eligible is eligible
    assert reshoring.Support.offered(pol, 2, eligible).running.all()
    province = np.array([GR] * 4 + [FR] + [GR] * 5)
    reshoring.pay(pol, 2, np.array([1, 4, 6, 7]), np.array([1, 1, 2, -1]), np.array([2.0, 3.0, 1.5, 4.0]), province)
    np.testing.assert_allclose(pol.spent[2, 1], in_province({GR: 40_000, FR: 60_000}))
    np.testing.assert_allclose(pol.spent[2, 2], in_province({GR: 30_000}))
    assert pol.spent.sum() == pytest.approx(130_000)


# --- productivity -------------------------------------------------------------------------------

def test_realised_multiplier_and_branch_trends_on_paper():
    """realised: 1 + own gain + spillover x peers' gain: 1 + 0.1 + 0.5 x 0.04 = 1.12, 1 + 0 + 0.5
    x 0.2 = 1.1. Trends 2% a year with branch factors 1, 0.5 and 2: after 8 quarters (step 7, two
    years) 1.02^2 = 1.0404, 1.01^2 = 1.0201, 1.04^2 = 1.0816."""
    from smartregion.model.mechanisms import productivity

    np.testing.assert_allclose(productivity.realised(np.array([0.1, 0.0]), np.array([0.04, 0.2]), 0.5), [1.12, 1.1])
    out = np.zeros(2)
    assert productivity.realised(np.array([0.1, 0.0]), np.array([0.04, 0.2]), 0.5, out=out) is out
    np.testing.assert_allclose(out, [1.12, 1.1])
    np.testing.assert_allclose(productivity.trend_by_sector(0.02, np.array([1, 0.5, 2]), 7), [1.0404, 1.0201, 1.0816])


def test_an_adopter_that_needed_no_technical_posts_ramps_at_full_speed():
    """No technical posts needed (tech_needed 0): filled counts as 1, ramp 0 + 1/4 = 0.25 a quarter
    (ramp_quarters 4); expansion 0.5 x 10 x 0.25 = 1.25 mid posts (pool 10: filled); own gain 0.2
    x 0.25 = 0.05; output gain 0.05 x 40 x 1 (no trend) x 11.25 = 22.5. Sector 1's trend (1.1)
    lifts firm 1 (sector 1, not adopting, base 40): 40 x 1.1 x 1 = 44."""
    from smartregion.model.mechanisms import productivity
    from smartregion.model.network import PeerShare

    f = firms([6] * 10, [3] * 10, [1] * 10, stage=[ADOPTED] + [AWARE] * 9)
    f.prod_base[:] = 40.0
    f.size_at_adoption[0] = 10.0
    own_gain, gain = np.zeros(10), np.full(10, 0.2)
    reg = region(seekers=(0, 10, 0))
    sector = np.array([0, 1] + [0] * 8)
    ramping, output_gain = productivity.step(f, reg, np.array([0]), own_gain, PeerShare(None, np.ones(10), own_gain),
                                             np.ones(10), gain, TEN, sector, np.array([1.0, 1.1]), 4.0, 0.5, 0.0)
    assert f.ramp[0] == pytest.approx(0.25) and f.mid[0] == pytest.approx(4.25) and f.created[0] == pytest.approx(1.25)
    np.testing.assert_allclose(output_gain, [22.5])
    np.testing.assert_array_equal(ramping, [0])
    np.testing.assert_allclose(f.productivity[:2], [40 * 1.05, 44])
    assert own_gain[0] == pytest.approx(0.05)


# --- experimenting ------------------------------------------------------------------------------

def test_members_leave_by_turnover_and_seekers_find_a_visitor_seat_on_paper():
    """Ten members of open fieldlab 0 (GR, every theme, 5 member places, 1 visitor seat a
    quarter); firms 0-4 aware, 5-9 adopted. Turnover 2 a year: a member leaves if its draw
    (key 43: 0.7282 0.6128 0.4327 0.8306 0.0017 0.0972 0.3213 0.8835 0.6504 0.1802) is below 0.5:
    firms 2, 4, 5, 6, 9 leave, 5 members stay. Aware firms look for a trial with probability 0.5
    (key 41: 0.0686 0.5984 0.1079 0.6201 0.9465): firms 0 (a member: in its own fieldlab) and 2
    (left: queued). No member place is free (5 of 5), so firm 2 takes the visitor seat."""
    from smartregion.model.mechanisms import experimenting
    from test_mechanisms import fieldlabs

    f = firms([5] * 10, [3] * 10, [2] * 10, stage=[AWARE] * 5 + [ADOPTED] * 5)
    f.member[:] = True
    f.fieldlab[:] = 0
    fl = fieldlabs([GR], [[True] * 10], [1.0], [5.0])
    keys = np.array([41, 42, 43, 44], dtype=np.uint64)
    experimenting.step(f, fl, np.array([0]), TEN, np.zeros(10, int), np.ones(10), np.full(10, 0.5), keys, 2.0, False,
                       1.0)
    np.testing.assert_array_equal(np.flatnonzero(f.member), [0, 1, 3, 7, 8])
    assert list(fl.members) == [5] and list(fl.participants) == [1] and fl.credit[0] == 0
    np.testing.assert_array_equal(np.flatnonzero(f.stage == EXPERIMENTING), [0, 2])
    np.testing.assert_array_equal(np.flatnonzero(f.fieldlab_experience), [0, 2])
    assert not f.pilot_experience.any() and (f.stage[[1, 3, 4]] == AWARE).all()


def test_visitor_seats_bank_at_most_one_extra_seat():
    """Nobody looks (all unaware): capacity 2.5 seats a quarter banks 2.5, then 3.5 (the most:
    capacity + 1), then stays at 3.5; capacity 0.4 banks 0.4, 0.8, 1.2, then 1.4."""
    from smartregion.model.mechanisms import experimenting
    from test_mechanisms import fieldlabs

    f = firms([5] * 10, [3] * 10, [2] * 10, stage=[UNAWARE] * 10)
    fl = fieldlabs([GR, FR], [[True] * 10] * 2, [2.5, 0.4], [3.0, 3.0])
    credit = []
    for q in range(4):
        experimenting.step(f, fl, np.array([0, 1]), TEN, np.zeros(10, int), np.ones(10), np.ones(10),
                           np.array([1, 2, 3, 4], dtype=np.uint64) + 4 * q, 0.0, False, 1.0)
        credit.append(fl.credit.copy())
    np.testing.assert_allclose(credit, [[2.5, 0.4], [3.5, 0.8], [3.5, 1.2], [3.5, 1.4]])


def test_seats_go_first_to_the_fieldlab_s_own_province_then_to_neighbours():
    """One fieldlab in GR (themes: sector 0 only) with 3 visitor seats, no member places. Seekers
    (everyone aware looks): firm 0 in GR, firms 1-2 in FR and 3 in DR (GR's neighbours), 4 in OV
    (not a neighbour), 5 in GR but of sector 1 (not a theme). Own province first: firm 0; then
    two of the neighbours' three, in queue order (key 42: firm 1 0.1599, 2 0.2786, 3 0.3442):
    firms 1 and 2. Without reaching neighbours only firm 0."""
    from smartregion.model.mechanisms import experimenting
    from test_mechanisms import fieldlabs

    def seated(reach):
        f = firms([5] * 6, [3] * 6, [2] * 6, stage=[AWARE] * 6)
        fl = fieldlabs([GR], [[True] + [False] * 9], [3.0], [0.0])
        experimenting.step(f, fl, np.array([0]), np.array([GR, FR, FR, DR, OV, GR]), np.array([0] * 5 + [1]),
                           np.zeros(6), np.ones(6), np.array([41, 42, 43, 44], dtype=np.uint64), 0.0, reach, 0.0)
        return list(np.flatnonzero(f.fieldlab_experience)), fl.participants[0]

    assert seated(True) == ([0, 1, 2], 3)
    assert seated(False) == ([0], 1)


def test_the_four_experimenting_draws_come_from_their_streams():
    from smartregion.model.mechanisms import experimenting
    from smartregion.model.streams import Streams

    s = Streams(3)
    np.testing.assert_array_equal(experimenting.keys(s, 9), [s.key("experiment", 9), s.key("fieldlab", 9),
                                                             s.key("fieldlab", 9, slot=1), s.key("pilot", 9)])
    assert experimenting.keys(s, 9).dtype == np.uint64


def test_business_stealing_adds_to_redundancies_already_booked_even_in_a_tiny_market():
    """Adopter 0 gains 0.3 kEUR/yr; the other nine (sector 0, 6, 3, 1 workers at 0.005 kEUR:
    output 0.05 each, 0.45 in all: a market under 1) lose min(0.6 x 0.3 / 0.45, 0.5) = 0.4.
    Firm 1 had 1, 1 and 0.5 redundant jobs: 0.4 of the 5, 2 and 0.5 others join them: 3, 1.8,
    0.7. Firm 2 had 2.5 of its 3 mid jobs redundant: 2.5 + 0.4 x 0.5 = 2.7 (routine 0.4 x 6 = 2.4,
    technical 0.4 x 1 = 0.4)."""
    f = firms([6] * 10, [3] * 10, [1] * 10, stage=[ADOPTED] + [AWARE] * 9)
    f.productivity[:] = 0.005
    f.redundant[:, 1] = [1, 1, 0.5]
    f.redundant[1, 2] = 2.5
    x = competition.step(f, np.zeros(10, int), 1, np.array([0]), np.array([0.3]), 0.6)
    np.testing.assert_allclose(x, [0.4])
    np.testing.assert_allclose(f.redundant[:, 1], [3, 1.8, 0.7])
    np.testing.assert_allclose(f.redundant[:, 2], [2.4, 2.7, 0.4])
    np.testing.assert_allclose(f.redundant[:, 3], [2.4, 1.2, 0.4])


def test_a_subsidy_below_its_cap_pays_its_rate_of_the_investment():
    """30% of 20 and 40 kEUR: 6 and 12 kEUR, below the 25 kEUR cap and the 60 kEUR budget."""
    from smartregion.model.mechanisms import adoption

    pol = policy(ADOPTION_SUBSIDY)
    adoption.pay(pol, 0, np.array([0, 1]), np.array([0, 0]), np.array([20.0, 40.0]), TEN)
    np.testing.assert_allclose(pol.spent[0, 0], in_province({GR: 18_000}))
    assert pol.instruments[0].left == pytest.approx(42_000)


def test_automation_touches_only_routine_jobs_not_yet_redundant():
    """Displacement 0.4 (no dispersion). Firm 0 has 2 routine workers, 1.5 of them redundant
    already: 0.4 x 0.5 = 0.2 more (1.7). Firm 1 has all 2 redundant: none more."""
    from smartregion.model.mechanisms import adoption
    from test_mechanisms import adoption_params

    f = firms([2] * 10, [3] * 10, [1] * 10, stage=[AWARE] * 2 + [UNAWARE] * 8)
    f.redundant[0, :2] = [1.5, 2.0]
    adoption.step(f, np.full(10, 0.1), TEN, np.zeros(10), np.zeros(N_PROV), np.zeros(N_PROV), None,
                  np.array([35, 9], dtype=np.uint64), 0, adoption_params(routine_displacement=0.4), immediate=True)
    np.testing.assert_allclose(f.redundant[0, :3], [1.7, 2.0, 0.0])


def test_equal_offers_go_to_the_first_instrument_and_a_tiny_firm_has_its_own_z():
    """Two identical subsidy rows (30%, cap 25 kEUR): the first pays. A firm of 10 workers at
    0.05 kEUR (VA 0.5 kEUR/yr, gain 0.1, no peers, no shortage): B = 0.05 x 0.5 = 0.025, C = 20,
    S = 25 / 5 = 5: z = (0.025 - 20 + 5) / 0.5 = -29.95, sigma 0.2: 1.7 z / sigma = -254.575."""
    from smartregion.model.mechanisms import adoption
    from smartregion.model.mechanisms.adoption import Subsidies
    from test_mechanisms import adoption_params

    f = firms([6] * 10, [3] * 10, [1] * 10, stage=[EXPERIMENTING] + [AWARE] * 9)
    f.productivity[:] = 0.05
    subs = Subsidies(np.array([4, 7]), np.array([0.3, 0.3]), np.array([25.0, 25.0]), np.ones(2), np.ones((2, 10), bool))
    _, signal, payer, _ = adoption._signal(
        f.stage, f.routine, f.mid, f.technical, f.productivity, f.fieldlab_experience, f.pilot_experience,
        np.full(10, 0.1), TEN, np.zeros(10), np.zeros(N_PROV), np.zeros(N_PROV), subs.rate, subs.cap_keur,
        subs.outlook, subs.eligible, adoption_params())
    np.testing.assert_allclose(signal, [-254.575])
    np.testing.assert_array_equal(payer, [0])


def test_reshoring_hires_each_skill_from_its_own_pool_on_paper():
    """Every firm reshores (base rate 1): 0.6 x 10 (workers in 2014) x 0.5 / 0.5 x 0.5 = 3 jobs,
    in the firm's skill mix now: firms 0-8 have 2, 6, 2 workers (0.6, 1.8, 0.6 jobs), firm 9 only
    0.1, 0.3, 0.1 (the same mix, so the same demand). Pools: 100 routine, 9 mid, 100 technical: the
    18 mid posts get half each (0.9): 2.1 jobs filled per firm; hires by skill 6, 9, 6."""
    from smartregion.model.mechanisms import reshoring

    f = firms([2] * 9 + [0.1], [6] * 9 + [0.3], [2] * 9 + [0.1])
    f.offshored_share[:] = 0.5
    reg = region(seekers=(100, 9, 100))
    rp = reshoring.ReshoringParams(offshore_cost_growth=0.0, reshore_base_rate=1.0, reshore_rate_max=0.5,
                                   reshore_sensitivity=0.1, reshore_share=0.5, reshore_labour_intensity=0.6)
    none = reshoring.Support(np.zeros(0, int), np.zeros(0), np.zeros(0, bool), np.zeros((0, 10), bool))
    _, moved, jobs, _ = reshoring.step(f, reg, np.arange(10), np.full(10, 10.0), np.ones(10), np.ones(10), np.ones(10),
                                       TEN, none, np.uint64(31), 3, rp)
    assert len(moved) == 10
    np.testing.assert_allclose(jobs, 2.1)
    np.testing.assert_allclose([f.routine[0], f.mid[0], f.technical[0]], [2.6, 6.9, 2.6])
    np.testing.assert_allclose([f.routine[9], f.mid[9], f.technical[9]], [0.7, 1.2, 0.7])
    np.testing.assert_allclose(reg.hires[:, GR], [6, 9, 6])
    np.testing.assert_allclose(reg.seekers[:, GR], [94, 0, 94], atol=1e-9)
    np.testing.assert_allclose(f.reshored_jobs, 2.1)


def test_the_first_of_equal_supports_covers_the_firm_and_instrument_0_is_paid():
    """Two running rows cutting costs by 20% each: the first (row 0) covers the firm. Paying
    instrument 0 (the policy's first) for 2 jobs: 40 kEUR."""
    from smartregion.model.mechanisms import reshoring

    _, row = reshoring._signal(np.array([0]), np.ones(1), np.ones(1), np.ones(1), 1.0, np.array([0.2, 0.2]),
                               np.array([True, True]), np.ones((2, 1), bool), 0.1)
    np.testing.assert_array_equal(row, [0])
    pol = policy(RESHORING)
    reshoring.pay(pol, 3, np.array([2]), np.array([0]), np.array([2.0]), TEN)
    assert pol.spent[3, 0, GR] == pytest.approx(40_000)


def test_ramp_up_counts_only_the_posts_opened_at_adoption():
    """ramp_quarters 4, expansion 0.5 x 10 workers at adoption. Firm 0 needed no technical post
    but has 0.5 replacement posts open (a competitor poached from it): those do not slow it,
    filled 1, ramp 0.25, 1.25 mid posts (it had created 2 jobs before: 3.25). Firm 1 needed 0.5
    posts and 0.25 are open: filled 0.5, ramp 0.125, 0.625 mid posts."""
    from smartregion.model.mechanisms import productivity
    from smartregion.model.network import PeerShare

    f = firms([6] * 10, [3] * 10, [1] * 10, stage=[ADOPTED] * 2 + [AWARE] * 8, vacancies=[0.5, 0.25] + [0] * 8)
    f.tech_needed[:2] = [0, 0.5]
    f.size_at_adoption[:2] = 10
    f.created[0] = 2
    own_gain = np.zeros(10)
    productivity.step(f, region(seekers=(0, 10, 0)), np.array([0, 1]), own_gain, PeerShare(None, np.ones(10), own_gain),
                      np.ones(10), np.full(10, 0.2), TEN, np.zeros(10, int), np.ones(1), 4.0, 0.5, 0.0)
    np.testing.assert_allclose(f.ramp[:2], [0.25, 0.125])
    np.testing.assert_allclose(f.created[:2], [3.25, 0.625])


def test_a_neighbouring_firm_can_take_a_member_place():
    """Fieldlab in GR with 2 member places and no visitor seats, reaching neighbours: firm 0 (FR)
    joins as a member, firm 1 (OV, not a neighbour) does not, and no member place is taken
    without reaching neighbours."""
    from smartregion.model.mechanisms import experimenting
    from test_mechanisms import fieldlabs

    def members(reach):
        f = firms([5] * 2, [3] * 2, [2] * 2, stage=[AWARE] * 2)
        fl = fieldlabs([GR], [[True] * 10], [0.0], [2.0])
        experimenting.step(f, fl, np.array([0]), np.array([FR, OV]), np.zeros(2, int), np.zeros(2), np.ones(2),
                           np.array([41, 42, 43, 44], dtype=np.uint64), 0.0, reach, 0.0)
        return list(np.flatnonzero(f.member)), fl.members[0]

    assert members(True) == ([0], 1) and members(False) == ([], 0)


def test_a_seated_firm_is_not_seated_again_by_the_next_fieldlab():
    """Two open fieldlabs in GR with one visitor seat each and no member places; two aware firms
    in GR look: the first in the queue sits in fieldlab 0, the second in fieldlab 1 (not the first
    again): both run a trial, each fieldlab counts one participant."""
    from smartregion.model.mechanisms import experimenting
    from test_mechanisms import fieldlabs

    f = firms([5] * 2, [3] * 2, [2] * 2, stage=[AWARE] * 2)
    fl = fieldlabs([GR, GR], [[True] * 10] * 2, [1.0, 1.0], [0.0, 0.0])
    experimenting.step(f, fl, np.array([0, 1]), np.array([GR, GR]), np.zeros(2, int), np.zeros(2), np.ones(2),
                       np.array([41, 42, 43, 44], dtype=np.uint64), 0.0, True, 0.0)
    assert f.fieldlab_experience.all() and sorted(f.fieldlab) == [0, 1] and list(fl.participants) == [1, 1]
