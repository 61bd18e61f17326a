"""Reshoring: firms with offshored production compare home and offshore unit cost.

    ratio_i = cost_ratio_2014 * (multiplier_2014 / multiplier_now) / (1 + offshore_cost_growth)^years
              * (1 - support cost_reduction, while a reshoring instrument with budget covers the firm)
    P(reshore this quarter) = reshore_base_rate + reshore_rate_max * L((1 - ratio) / reshore_sensitivity)
reshore_base_rate carries the motives other than cost (flexibility, quality: Dachs et al. 2019);
automation lowers the ratio through the productivity multiplier, support through cost_reduction.
A reshoring firm brings reshore_share of its offshored production home, once, creating
reshore_labour_intensity * E * s / (1 - s) * reshore_share jobs (automated production needs
fewer workers than before it left), hired from the province's job seekers as far as they go.
Support is paid per job actually filled, first come, first served.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..state import FirmState, RegionState
from ..streams import uniform
from .adoption import _logistic
from .labour import hire_skill


class ReshoringParams(NamedTuple):
    """The parameters of reshoring (model/params.py), in the units there."""

    offshore_cost_growth: float
    reshore_base_rate: float
    reshore_rate_max: float
    reshore_sensitivity: float
    reshore_share: float
    reshore_labour_intensity: float

    @classmethod
    def from_params(cls, p) -> ReshoringParams:
        return cls(*(float(p[name]) for name in cls._fields))


class Support(NamedTuple):
    """The reshoring support instruments of a run, one row each."""

    instrument: np.ndarray  # index into Policy.instruments
    cost_reduction: np.ndarray  # of the home unit cost, while running
    running: np.ndarray  # bool: running (with budget left) this quarter
    eligible: np.ndarray  # bool [instrument, firm]

    @classmethod
    def offered(cls, policy, t: int, eligible: np.ndarray) -> Support:
        """eligible: [reshoring support instrument, firm] (fixed for a run: the caller keeps it)."""
        offers = policy.of_kind("reshoring_support")
        return cls(np.array([i for i, _ in offers], dtype=np.int64),
                   np.array([ins.spec.cost_reduction for _, ins in offers], dtype=float),
                   np.array([ins.running(t) for _, ins in offers], dtype=bool), eligible)


def step(f: FirmState, reg: RegionState, may_reshore: np.ndarray, employees_2014: np.ndarray, cost_ratio: np.ndarray,
         multiplier0: np.ndarray, multiplier: np.ndarray, province: np.ndarray, support: Support, key: np.uint64,
         t: int, rp: ReshoringParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One quarter for the firms that may still reshore (`may_reshore`: production abroad, not
    reshored yet). Returns the firms that may still reshore after it, the firms that reshored,
    the jobs each of them filled, and the support instrument covering each (-1 none): the
    caller pays the support (`pay`)."""
    years = (t + 1) / 4
    signal, row = _signal(may_reshore, cost_ratio, multiplier0, multiplier, (1 + rp.offshore_cost_growth) ** years,
                          support.cost_reduction, support.running, support.eligible, rp.reshore_sensitivity)
    # numpy's exp, as in adoption.py
    p_reshore = rp.reshore_base_rate + rp.reshore_rate_max * _logistic(signal)
    go = _decide(may_reshore, p_reshore, key, f.reshored)
    firms = may_reshore[go]
    jobs = _hire(firms, f.routine, f.mid, f.technical, f.offshored_share, employees_2014, province, reg.seekers,
                 reg.hires, rp.reshore_share, rp.reshore_labour_intensity, f.reshored_jobs)
    return may_reshore[~go], firms, jobs, np.append(support.instrument, -1)[row[go]]


def pay(policy, t: int, firms: np.ndarray, payer: np.ndarray, jobs: np.ndarray, province: np.ndarray) -> None:
    """Support per job actually filled, first come, first served."""
    for i in np.unique(payer):
        if i < 0:
            continue
        mine = payer == i
        policy.pay_in_order(t, int(i), jobs[mine] * policy.instruments[i].spec.eur_per_job, province[firms[mine]])


def _signal(idx, cost_ratio, multiplier0, multiplier, offshore_growth, cost_reduction, running, eligible, sensitivity):
    """For each firm in idx: (1 - ratio) / reshore_sensitivity, and the support row covering it (-1 none)."""
    signal = np.empty(len(idx))
    row = np.full(len(idx), -1)
    for j in range(len(idx)):
        i = idx[j]
        ratio = cost_ratio[i] * multiplier0[i] / multiplier[i] / offshore_growth
        support = 0.0
        for k in range(len(cost_reduction)):
            if running[k] and eligible[k, i] and support < cost_reduction[k]:
                support, row[j] = cost_reduction[k], k
        signal[j] = (1 - ratio * (1 - support)) / sensitivity
    return signal, row


_signal = njit(cache=True)(_signal)


def _decide(idx, p_reshore, key, reshored):
    go = np.zeros(len(idx), dtype=np.bool_)
    for j in range(len(idx)):
        if uniform(key, idx[j]) < p_reshore[j]:
            go[j] = reshored[idx[j]] = True
    return go


_decide = njit(cache=True)(_decide)


def _hire(firms, routine, mid, technical, offshored_share, employees_2014, province, seekers, hires, reshore_share,
          labour_intensity, reshored_jobs):
    """Bring reshore_share of each reshoring firm's offshored production home and hire for it;
    returns the jobs filled per firm."""
    demand = np.empty((3, len(firms)))
    for j in range(len(firms)):
        i = firms[j]
        s = offshored_share[i]
        jobs = labour_intensity * employees_2014[i] * s / (1 - s) * reshore_share
        offshored_share[i] = s * (1 - reshore_share)
        total = max(routine[i] + mid[i] + technical[i], 1e-12)
        demand[0, j] = jobs * (routine[i] / total)  # new jobs follow the firm's skill mix
        demand[1, j] = jobs * (mid[i] / total)
        demand[2, j] = jobs * (technical[i] / total)
    hired = np.zeros((3, len(firms)))
    if len(firms):
        hire_skill(routine, firms, demand[0], province, seekers[0], hires[0], hired[0])
        hire_skill(mid, firms, demand[1], province, seekers[1], hires[1], hired[1])
        hire_skill(technical, firms, demand[2], province, seekers[2], hires[2], hired[2])
    filled = hired[0] + hired[1] + hired[2]
    for j in range(len(firms)):
        reshored_jobs[firms[j]] += filled[j]
    return filled


_hire = njit(cache=True)(_hire)
