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
                                 province's pool of that skill allows (`hire_from_pools`)
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

from ..regions import PROVINCES
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


def hire_from_pools(f: FirmState, reg: RegionState, province: np.ndarray, firms: np.ndarray,
                    demand: np.ndarray) -> np.ndarray:
    """Hire `demand` [3, len(firms)] workers by skill for `firms` from their provinces' pools, as
    far as each pool allows (every firm gets the same share of its demand); returns the hires
    [3, len(firms)]. Posts the pool cannot fill this quarter are not created."""
    hired = np.zeros_like(demand, dtype=float)
    if not len(firms):
        return hired
    prov = province[firms]
    for k, staff in enumerate(f.skills()):
        want = np.bincount(prov, weights=demand[k], minlength=N_PROV)
        frac = np.minimum(1.0, np.divide(reg.seekers[k], want, out=np.ones(N_PROV), where=want > 0))
        hired[k] = demand[k] * frac[prov]
        np.add.at(staff, firms, hired[k])
        got = np.bincount(prov, weights=hired[k], minlength=N_PROV)
        reg.seekers[k] = np.maximum(reg.seekers[k] - got, 0.0)
        reg.hires[k] += got
    return hired


def separate(f: FirmState, reg: RegionState, province: np.ndarray, rate: float) -> None:
    """Separate `rate` of every firm's redundant jobs into its province's pools."""
    for k, staff in enumerate(f.skills()):
        idx = np.flatnonzero(f.redundant[k] > 0)
        if not len(idx):
            continue
        out = np.minimum(rate * f.redundant[k, idx], staff[idx])
        staff[idx] -= out
        f.redundant[k, idx] = np.where(staff[idx] > 0, f.redundant[k, idx] - out, 0.0)
        f.lost[idx] += out
        gone = np.bincount(province[idx], weights=out, minlength=N_PROV)
        reg.seekers[k] += gone
        reg.separations[k] += gone


def fill_technical(f: FirmState, reg: RegionState, province: np.ndarray, poach_share: float) -> None:
    """Fill open technical posts: from the technical pool in proportion, then poach_share of what
    is still open from other firms in the province (those without open posts, in proportion to
    their technical staff, at most a tenth of it a quarter), which then open a replacement post."""
    idx = np.flatnonzero(f.vacancies > 0)
    if not len(idx):
        return
    prov = province[idx]
    hired = hire_from_pools(f, reg, province, idx, np.vstack([np.zeros((2, len(idx))), f.vacancies[idx][None]]))[2]
    f.vacancies[idx] -= hired
    f.created[idx] += hired
    if poach_share <= 0:
        return
    still = np.bincount(prov, weights=f.vacancies[idx], minlength=N_PROV)
    source = np.flatnonzero((f.vacancies <= 0) & (f.technical > 0))
    staff = np.bincount(province[source], weights=f.technical[source], minlength=N_PROV)
    moved = np.minimum(poach_share * still, 0.1 * staff)  # per province
    take = f.technical[source] * np.divide(moved, staff, out=np.zeros(N_PROV), where=staff > 0)[province[source]]
    f.technical[source] -= take
    f.lost[source] += take
    f.vacancies[source] += take
    give = f.vacancies[idx] * np.divide(moved, still, out=np.zeros(N_PROV), where=still > 0)[prov]
    f.technical[idx] += give
    f.vacancies[idx] -= give
    f.created[idx] += give
    reg.poached += moved


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
