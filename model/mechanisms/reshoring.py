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

import numpy as np

from ..state import employees_of
from ..streams import uniforms
from .adoption import _logistic
from .labour import hire_from_pools


def step(m) -> None:
    f, p, pop = m.firms_state, m.params, m.pop
    idx = m.may_reshore  # offshored_share > 0 and not reshored yet
    if not len(idx):
        return
    years = (m.t + 1) / 4
    ratio = (pop.cost_ratio[idx] * m.multiplier0[idx] / m.multiplier[idx]
             / (1 + p["offshore_cost_growth"]) ** years)
    support = np.zeros(len(idx))
    payer = np.full(len(idx), -1)
    for i, ins in m.policy.of_kind("reshoring_support"):
        if ins.running(m.t):
            ok = m.eligible_firms(i)[idx] & (support < ins.spec.cost_reduction)
            support[ok], payer[ok] = ins.spec.cost_reduction, i
    ratio = ratio * (1 - support)
    go = uniforms(m.streams.key("reshoring", m.first_quarter + m.t), idx) < p["reshore_base_rate"] + p["reshore_rate_max"] * _logistic((1 - ratio) / p["reshore_sensitivity"])
    firms = idx[go]
    m.may_reshore = idx[~go]
    s = f.offshored_share[firms]
    jobs = p["reshore_labour_intensity"] * employees_of(pop, firms) * s / (1 - s) * p["reshore_share"]
    f.offshored_share[firms] = s * (1 - p["reshore_share"])
    f.reshored[firms] = True
    total = np.maximum(employees_of(f, firms), 1e-12)
    mix = np.vstack([arr[firms] / total for arr in f.skills()])  # new jobs follow the firm's skill mix
    jobs = hire_from_pools(f, m.regions, pop.province, firms, jobs * mix).sum(axis=0)
    f.reshored_jobs[firms] += jobs
    for i in np.unique(payer[go]):
        if i < 0:
            continue
        mine = payer[go] == i
        m.policy.pay_in_order(m.t, int(i), jobs[mine] * m.policy.instruments[i].spec.eur_per_job, pop.province[firms[mine]])
