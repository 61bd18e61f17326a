"""Firm and province state during a run: a struct of numpy arrays, one slot per firm."""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .population import Population


@dataclass
class FirmState:
    stage: np.ndarray  # int8: 0 unaware, 1 aware, 2 experimenting, 3 adopted
    adopted_t: np.ndarray  # step of adoption, -1 never, -2 adopted before the start
    fieldlab: np.ndarray  # int: fieldlab currently/last joined, -1 none
    member: np.ndarray  # bool: a member of the consortium of fieldlab `fieldlab` now
    fieldlab_experience: np.ndarray  # bool: ever took part in a fieldlab
    pilot_experience: np.ndarray  # bool: ran an own pilot
    routine: np.ndarray
    mid: np.ndarray
    technical: np.ndarray
    vacancies: np.ndarray  # open technical posts
    tech_needed: np.ndarray  # technical posts opened at adoption
    size_at_adoption: np.ndarray  # employees when adopting (basis for expansion jobs)
    ramp: np.ndarray  # 0..1 share of the productivity gain realised
    prod_base: np.ndarray  # kEUR/worker before gains, trend and spillover
    productivity: np.ndarray  # kEUR/worker now
    offshored_share: np.ndarray
    reshored: np.ndarray  # bool: brought production home
    created: np.ndarray  # cumulative hires into new posts (technical posts, expansion), incl. from other firms
    lost: np.ndarray  # cumulative separations (redundancies) and workers hired away by other firms
    reshored_jobs: np.ndarray  # cumulative jobs from reshoring
    redundant: np.ndarray  # [3, n] jobs by skill (routine, mid, technical) the firm no longer needs, not yet separated
    change_class: np.ndarray  # int8: job change N years after adoption: 0 not yet, 1 more, 2 same, 3 fewer

    @property
    def employees(self) -> np.ndarray:
        return self.routine + self.mid + self.technical

    @classmethod
    def initial(cls, pop: Population) -> FirmState:
        n = pop.n
        adopted = pop.initial_stage == 3
        return cls(
            stage=pop.initial_stage.copy(), adopted_t=np.where(adopted, -2, -1),
            fieldlab=np.full(n, -1), member=np.zeros(n, dtype=bool), fieldlab_experience=np.zeros(n, dtype=bool),
            pilot_experience=np.zeros(n, dtype=bool),
            routine=pop.routine.copy(), mid=pop.mid.copy(), technical=pop.technical.copy(),
            vacancies=np.zeros(n), tech_needed=np.zeros(n), size_at_adoption=np.where(adopted, pop.employees, 0.0),
            ramp=adopted.astype(float), prod_base=pop.productivity.copy(), productivity=pop.productivity.copy(),
            offshored_share=pop.offshored_share.copy(), reshored=np.zeros(n, dtype=bool),
            created=np.zeros(n), lost=np.zeros(n), reshored_jobs=np.zeros(n), redundant=np.zeros((3, n)),
            change_class=np.zeros(n, dtype=np.int8))

    def skills(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Employment by skill in the order of RegionState's pools (routine, mid, technical)."""
        return self.routine, self.mid, self.technical


def employees_of(firms: FirmState | Population, idx: np.ndarray) -> np.ndarray:
    """`firms.employees[idx]` (the same numbers) without summing over every firm: mechanisms
    that touch a few firms a quarter should not pay for all of them."""
    return firms.routine[idx] + firms.mid[idx] + firms.technical[idx]


def firms_at(stage, value):
    """np.flatnonzero(stage == value), counted, then filled: no mask array (for a stage few firms
    are at, such as experimenting, 13 -> 9 us at 27,425 firms). Compiled; mechanisms' kernels
    call it too."""
    n = 0
    for i in range(len(stage)):
        n += stage[i] == value
    idx = np.empty(n, dtype=np.int64)
    j = 0
    for i in range(len(stage)):
        if stage[i] == value:
            idx[j] = i
            j += 1
    return idx


firms_at = numba.njit(cache=True)(firms_at)


SKILLS = ("routine", "mid", "technical")  # order of every [skill, ...] array


@dataclass
class RegionState:
    """The labour market of each province: who is looking for manufacturing work, by skill, and
    every flow in and out since the start (so that stocks and flows can be checked to add up).

    People are conserved per province: employed + job seekers + in training =
    (employed + job seekers) in 2014 + entries - exits, at every quarter (tests/test_mechanisms.py).
    """

    seekers: np.ndarray  # [3, 12] job seekers by skill (technical = the technical pool)
    entry: np.ndarray  # [3, 12] quarterly entry into the pools that keeps them stationary without shocks
    pipeline: np.ndarray  # [lag slot, province] trainees finishing in the coming quarters
    completions: np.ndarray  # trainees finished last quarter, per province
    trained: np.ndarray  # cumulative trainees finished, per province
    # Cumulative flows [3, 12] unless noted:
    entries: np.ndarray  # into the pools (labour-market entrants)
    exits: np.ndarray  # out of the pools (work in other sectors, retirement)
    hires: np.ndarray  # from the pools into firms
    separations: np.ndarray  # from firms into the pools
    poached: np.ndarray  # [12] technical workers hired from another firm in the province (not a new job)
    trainee_starts: np.ndarray  # [12] routine job seekers who started a conversion course

    @property
    def tech_pool(self) -> np.ndarray:
        return self.seekers[2]

    @property
    def in_training(self) -> np.ndarray:
        return self.pipeline.sum(axis=0)

    @classmethod
    def initial(cls, employed: np.ndarray, seeker_share: float, tech_pool_share: float, exit_rate: float,
                tech_exit_rate: float, lag: int) -> RegionState:
        """employed: [3, 12] employment by skill and province in 2014."""
        n_prov = employed.shape[1]
        share = np.array([seeker_share, seeker_share, tech_pool_share])[:, None]
        rate = np.array([exit_rate, exit_rate, tech_exit_rate])[:, None]
        seekers = share * employed
        z = lambda *shape: np.zeros(shape)  # noqa: E731
        return cls(seekers=seekers, entry=rate * seekers, pipeline=z(lag + 1, n_prov), completions=z(n_prov),
                   trained=z(n_prov), entries=z(3, n_prov), exits=z(3, n_prov), hires=z(3, n_prov),
                   separations=z(3, n_prov), poached=z(n_prov), trainee_starts=z(n_prov))
