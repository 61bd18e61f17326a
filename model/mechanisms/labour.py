"""Labour: a closed labour market per province, with stocks and flows that add up.

Each province has job seekers by skill (routine, mid, technical: `RegionState.seekers`). People
move only along these flows (all booked cumulatively in `RegionState`, so a test can check that
they add up every quarter and province):

    entry      -> seekers        a constant inflow that keeps the pools at their 2014 level without
                                 shocks (technical entry x (1 + champion_attraction x visible
                                 adopters per firm): visible leaders attract young people, seed 000)
    seekers    -> exit           seeker_exit_rate (routine, mid) / tech_pool_outflow (technical) a
                                 quarter: work in another sector, retirement
    firms      -> seekers        separations: separation_rate x a firm's redundant jobs a quarter
                                 (automation at adoption, sales lost to competitors), so a
                                 redundancy is spread over years (Bessen et al. 2020, 2025)
    seekers    -> firms          hires: technical posts, expansion and reshoring, as far as the
                                 province's pool of that skill allows (`hire_skill`)
    firm       -> firm           poaching: poach_share of the technical posts the pool could not fill
                                 is filled from other firms in the province, which open a
                                 replacement post. Not a new job: headcount does not change.
    routine seekers -> training -> technical seekers
                                 conversion courses take routine job seekers (never more than there
                                 are) and return them as technical job seekers training_lag_quarters
                                 later. A course can therefore add at most one job.

So employed + seekers + in training, per province, changes only by entries minus exits. The
mechanism reads only what it is given: the firms' arrays, the province state, the firms'
provinces, the visible adopters per firm and the courses bought (`LabourParams` holds the
parameters, built once per run).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..regions import ADOPTED, PROVINCES
from ..state import FirmState, RegionState

N_PROV = len(PROVINCES)


@dataclass(frozen=True)
class LabourParams:
    separation_rate: float
    poach_share: float
    exit_rate: np.ndarray  # [3] per skill
    champion_attraction: float

    @classmethod
    def from_params(cls, p) -> LabourParams:
        return cls(separation_rate=p["separation_rate"], poach_share=p["poach_share"],
                   exit_rate=np.array([p["seeker_exit_rate"], p["seeker_exit_rate"], p["tech_pool_outflow"]]),
                   champion_attraction=p["champion_attraction"])


def hire_skill(staff, firms, demand, province, seekers, hires, hired):
    """Hire `demand` workers of one skill for `firms` from their provinces' pools, as far as each
    pool allows (every firm in a province gets the same share of its demand): hired[j] = demand[j]
    x min(1, seekers / demand in the province of firms[j]); staff, seekers and hires [province]
    are updated in place. Posts the pool cannot fill this quarter are not created."""
    want = np.zeros(N_PROV)
    for j in range(len(firms)):
        want[province[firms[j]]] += demand[j]
    got = np.zeros(N_PROV)
    for j in range(len(firms)):
        p = province[firms[j]]
        hired[j] = demand[j] * (min(1.0, seekers[p] / want[p]) if want[p] > 0 else 1.0)
        staff[firms[j]] += hired[j]
        got[p] += hired[j]
    for p in range(N_PROV):
        seekers[p] = max(seekers[p] - got[p], 0.0)
        hires[p] += got[p]


hire_skill = njit(cache=True)(hire_skill)


def separate(f: FirmState, reg: RegionState, province: np.ndarray, rate: float) -> None:
    """Separate `rate` of every firm's redundant jobs into its province's pools."""
    gone = np.zeros((3, N_PROV))
    _separate(f.routine, f.mid, f.technical, f.redundant, f.lost, province, rate, gone)
    reg.seekers += gone
    reg.separations += gone


def _separate(routine, mid, technical, redundant, lost, province, rate, gone):
    """`separate` in one pass over the firms, the three skills in turn for each firm: `gone`
    [skill, province] receives the separated workers. (Per skill and per firm the sums run in
    the same order as one pass per skill: the same numbers, a third of the passes.) A firm
    without redundant jobs separates 0 and adds 0 (the same numbers as skipping it), which keeps
    the loop free of unpredictable branches (4-5 times faster than an if)."""
    for i in range(len(routine)):
        p = province[i]
        routine[i], lost[i] = _separate_one(routine[i], redundant, 0, i, lost[i], rate, gone, p)
        mid[i], lost[i] = _separate_one(mid[i], redundant, 1, i, lost[i], rate, gone, p)
        technical[i], lost[i] = _separate_one(technical[i], redundant, 2, i, lost[i], rate, gone, p)


_separate = njit(cache=True)(_separate)


def _separate_one(staff, redundant, k, i, lost, rate, gone, p):
    """Skill k of firm i: returns its staff and lost jobs after separating."""
    out = min(rate * redundant[k, i], staff) * (redundant[k, i] > 0)
    staff -= out
    redundant[k, i] = redundant[k, i] - out if staff > 0 else 0.0
    gone[k, p] += out
    return staff, lost + out


_separate_one = njit(cache=True, inline="always")(_separate_one)


def fill_technical(f: FirmState, reg: RegionState, province: np.ndarray, poach_share: float) -> None:
    """Fill open technical posts: from the technical pool in proportion, then poach_share of what
    is still open from other firms in the province (those without open posts, in proportion to
    their technical staff, at most a tenth of it a quarter), which then open a replacement post."""
    _fill_technical(f.technical, f.vacancies, f.created, f.lost, province, poach_share, reg.seekers[2],
                    reg.hires[2], reg.poached)


def _fill_technical(technical, vacancies, created, lost, province, poach_share, pool, hires, poached):
    n = len(vacancies)
    idx = np.flatnonzero(vacancies > 0)  # firms with open posts
    if not len(idx):
        return
    hired = np.empty(len(idx))
    hire_skill(technical, idx, vacancies[idx], province, pool, hires, hired)
    still = np.zeros(N_PROV)  # posts still open per province
    for j in range(len(idx)):
        vacancies[idx[j]] -= hired[j]
        created[idx[j]] += hired[j]
    if poach_share <= 0:
        return
    for i in idx:
        still[province[i]] += vacancies[i]
    if not np.any(still > 0):  # the pools filled every post (most quarters): the passes below would move 0
        return
    # Firms that cannot be poached from add and lose 0 (x source): the same numbers, no branch.
    staff = np.zeros(N_PROV)  # technical staff of the firms without open posts: those that can be poached from
    for i in range(n):
        staff[province[i]] += technical[i] * (vacancies[i] <= 0 and technical[i] > 0)
    moved = np.minimum(poach_share * still, 0.1 * staff)
    share = np.zeros(N_PROV)
    for p in range(N_PROV):
        share[p] = moved[p] / staff[p] if staff[p] > 0 else 0.0
    for i in range(n):
        take = technical[i] * share[province[i]] * (vacancies[i] <= 0 and technical[i] > 0)
        technical[i] -= take
        lost[i] += take
        vacancies[i] += take
    for i in idx:
        p = province[i]
        give = vacancies[i] * (moved[p] / still[p] if still[p] > 0 else 0.0)
        technical[i] += give
        vacancies[i] -= give
        created[i] += give
    poached += moved


_fill_technical = njit(cache=True)(_fill_technical)


def visible_adopters_per_firm(stage: np.ndarray, visibility: np.ndarray, province: np.ndarray,
                              firms_per_province: np.ndarray) -> np.ndarray:
    """Visibility-weighted adopters per firm in each province (champion attraction, pool_flows)."""
    visible = np.zeros(N_PROV)
    _add_visible(stage, visibility, province, visible)
    return visible / firms_per_province


def _add_visible(stage, visibility, province, visible):
    for i in range(len(stage)):
        visible[province[i]] += visibility[i] * (stage[i] == ADOPTED)  # others add 0: no branch


_add_visible = njit(cache=True)(_add_visible)


def pool_flows(reg: RegionState, lp: LabourParams, visible_per_firm: np.ndarray) -> None:
    """Entries and exits of the job-seeker pools for one quarter."""
    entry = reg.entry.copy()
    entry[2] *= 1 + lp.champion_attraction * visible_per_firm
    exit_ = lp.exit_rate[:, None] * reg.seekers
    reg.seekers += entry - exit_
    reg.entries += entry
    reg.exits += exit_


def train(reg: RegionState, courses: np.ndarray) -> np.ndarray:
    """Start `courses` [12] conversion courses (the caller never buys more than there are routine
    job seekers) and move the pipeline on; returns the trainees finishing now, who join the
    technical pool."""
    courses = np.minimum(courses, reg.seekers[0])
    reg.seekers[0] -= courses
    reg.trainee_starts += courses
    reg.pipeline[-1] += courses  # pipeline[k]: finishing k quarters from now
    finished = reg.pipeline[0].copy()
    reg.pipeline[:-1] = reg.pipeline[1:]
    reg.pipeline[-1] = 0.0
    reg.seekers[2] += finished
    reg.completions = finished
    reg.trained += finished
    return finished


def buy_courses(m) -> np.ndarray:
    """Courses the training instruments pay for this quarter, per province: each spends its
    quarterly amount across its provinces in proportion to their routine job seekers, and never
    on more courses than there are routine job seekers left (the rest of the money stays)."""
    reg = m.regions
    courses = np.zeros(N_PROV)
    for i, ins in m.policy.of_kind("training"):
        if not ins.running(m.t):
            continue
        left = np.where(ins.provinces, np.maximum(reg.seekers[0] - courses, 0.0), 0.0)
        if left.sum() <= 0:
            continue
        cost = ins.spec.cost_per_trainee_eur
        want = np.minimum(m.policy.planned_quarterly(ins) * left / left.sum(), left * cost)
        share = m.policy.spend(m.t, i, want)
        courses += want * share / cost
    return courses


def step(f: FirmState, reg: RegionState, province: np.ndarray, lp: LabourParams, visible_per_firm: np.ndarray,
         courses: np.ndarray) -> None:
    """One quarter of the labour market (the order matters only within a quarter)."""
    train(reg, courses)
    separate(f, reg, province, lp.separation_rate)
    pool_flows(reg, lp, visible_per_firm)
    fill_technical(f, reg, province, lp.poach_share)
