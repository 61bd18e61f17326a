"""Firm and province state during a run: a struct of numpy arrays, one slot per firm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .population import Population
from .regions import PROVINCES


@dataclass
class FirmState:
    stage: np.ndarray  # int8: 0 unaware, 1 aware, 2 experimenting, 3 adopted
    adopted_t: np.ndarray  # step of adoption, -1 never, -2 adopted before the start
    fieldlab: np.ndarray  # int: fieldlab currently/last joined, -1 none
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
    created: np.ndarray  # cumulative jobs created (technical hires + expansion)
    lost: np.ndarray  # cumulative routine jobs lost
    reshored_jobs: np.ndarray  # cumulative jobs from reshoring

    @property
    def employees(self) -> np.ndarray:
        return self.routine + self.mid + self.technical

    @classmethod
    def initial(cls, pop: Population) -> FirmState:
        n = pop.n
        adopted = pop.initial_stage == 3
        return cls(
            stage=pop.initial_stage.copy(), adopted_t=np.where(adopted, -2, -1),
            fieldlab=np.full(n, -1), fieldlab_experience=np.zeros(n, dtype=bool),
            pilot_experience=np.zeros(n, dtype=bool),
            routine=pop.routine.copy(), mid=pop.mid.copy(), technical=pop.technical.copy(),
            vacancies=np.zeros(n), tech_needed=np.zeros(n), size_at_adoption=np.where(adopted, pop.employees, 0.0),
            ramp=adopted.astype(float), prod_base=pop.productivity.copy(), productivity=pop.productivity.copy(),
            offshored_share=pop.offshored_share.copy(), reshored=np.zeros(n, dtype=bool),
            created=np.zeros(n), lost=np.zeros(n), reshored_jobs=np.zeros(n))


def employees_of(firms: FirmState | Population, idx: np.ndarray) -> np.ndarray:
    """`firms.employees[idx]` (the same numbers) without summing over every firm: mechanisms
    that touch a few firms a quarter should not pay for all of them."""
    return firms.routine[idx] + firms.mid[idx] + firms.technical[idx]


@dataclass
class RegionState:
    """Province-level labour market: technical pool and the training pipeline."""

    tech_pool: np.ndarray  # technical workers available for hire, per province
    pipeline: np.ndarray  # [lag slot, province] trainees finishing in the coming quarters
    completions: np.ndarray  # trainees finished last quarter, per province
    trained: np.ndarray  # cumulative trainees finished, per province

    @classmethod
    def initial(cls, pop: Population, pool_share: float, lag: int) -> RegionState:
        n_prov = len(PROVINCES)
        tech = np.bincount(pop.province, weights=pop.technical, minlength=n_prov)
        return cls(tech_pool=pool_share * tech, pipeline=np.zeros((lag + 1, n_prov)),
                   completions=np.zeros(n_prov), trained=np.zeros(n_prov))
