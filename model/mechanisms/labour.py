"""Labour: training, the regional technical pool, and filling technical vacancies.

1. Training instruments buy conversion courses (spending / cost_per_trainee) for routine
   workers in their provinces (allocated by routine employment of eligible firms); trainees
   finish after training_lag_quarters and join the province's technical pool as job seekers.
   Completions also feed awareness next quarter (knowledge carriers, seed 000).
2. The technical pool gains tech_inflow_rate * technical employment * (1 + champion_attraction
   * visible adopters per firm) a quarter plus finished trainees, and loses tech_pool_outflow
   of itself (people who find work elsewhere). It fills open vacancies in proportion (a hire is
   a job created). When the pool is short, posts stay open, the shortage index rises (adoption
   gets dearer) and adopters' productivity ramps slow.
Training therefore creates jobs only where technical workers are short: where the pool
already suffices, a trainee takes a post someone else would have filled.
"""

from __future__ import annotations

import numpy as np

from ..regions import ADOPTED, PROVINCES

N_PROV = len(PROVINCES)


def _fill(f, prov: np.ndarray, available: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill vacancies from `available` workers per province; returns the firms with open posts
    and the workers placed in each (the only firms that change: few of all)."""
    idx = np.flatnonzero(f.vacancies > 0)
    vacancies, prov = f.vacancies[idx], prov[idx]
    open_by_prov = np.bincount(prov, weights=vacancies, minlength=N_PROV)
    frac = np.divide(available, open_by_prov, out=np.zeros(N_PROV), where=open_by_prov > 0)
    placed = vacancies * np.minimum(frac, 1.0)[prov]
    f.vacancies[idx] = vacancies - placed
    return idx, placed


def _train(m) -> np.ndarray:
    """Buy this quarter's courses; return the trainees finishing now, per province."""
    f, pop, reg = m.firms_state, m.pop, m.regions
    lag = int(m.params["training_lag_quarters"])  # pipeline[k]: trainees finishing k quarters from now
    for i, ins in m.policy.of_kind("training"):
        if not ins.running(m.t):
            continue
        routine_p = m._by_province(np.where(m.eligible_firms(i), f.routine, 0.0))
        if routine_p.sum() <= 0:
            continue
        want = m.policy.planned_quarterly(ins) * routine_p / routine_p.sum()
        share = m.policy.spend(m.t, i, want)
        reg.pipeline[lag] += want * share / ins.spec.cost_per_trainee_eur
    finished = reg.pipeline[0].copy()
    reg.pipeline[:-1] = reg.pipeline[1:]
    reg.pipeline[-1] = 0.0
    reg.completions = finished
    reg.trained += finished
    return finished


def step(m) -> None:
    f, p, pop, reg = m.firms_state, m.params, m.pop, m.regions
    trained = _train(m)
    tech_p = m._by_province(f.technical)
    visible = m._by_province(np.where(f.stage == ADOPTED, m.visibility, 0.0))
    reg.tech_pool = (reg.tech_pool * (1 - p["tech_pool_outflow"]) + trained
                     + p["tech_inflow_rate"] * tech_p * (1 + p["champion_attraction"] * visible / m.firms_per_province))
    hiring, hires = _fill(f, pop.province, reg.tech_pool)
    f.technical[hiring] += hires
    f.created[hiring] += hires
    reg.tech_pool = np.maximum(reg.tech_pool - np.bincount(pop.province[hiring], weights=hires, minlength=N_PROV), 0.0)
