"""Productivity: adopters ramp up to their gain; peers get part of it (knowledge spillover).

    ramp_i      += (1 - open posts / posts needed) / ramp_quarters      (adopters, up to 1)
    productivity = base * (1 + trend * f_s)^(years) * (1 + gain_i * ramp_i + knowledge_spillover * G_i)
where f_s is the firm's branch trend factor (sectors.csv), so that a province's growth follows
from its branch mix, and G_i is the mean realised gain (gain * ramp) of firm i's peers. Output growth asks for
expansion_jobs * size at adoption over the ramp (mid-level posts, filled from the province's
mid-level job seekers as far as they go: labour.hire_from_pools). Returns the adopters whose
output rose through their own gain this quarter and by how much (kEUR/year), for competition.py.
"""

from __future__ import annotations

import numpy as np

from ..state import employees_of
from .labour import hire_from_pools


def realised(m, out: np.ndarray | None = None) -> np.ndarray:
    """Own productivity multiplier net of trend: 1 + own realised gain + spillover from peers
    (into `out` if given: this runs every quarter over every firm)."""
    spill = m.peer_gain.share()
    spill *= m.params["knowledge_spillover"]
    out = np.add(1.0, m.own_gain, out=out)
    out += spill
    return out


def step(m) -> tuple[np.ndarray, np.ndarray]:
    f, p = m.firms_state, m.params
    ramping = m.ramping  # adopters with ramp < 1: only these change
    need = f.tech_needed[ramping]
    filled = np.where(need > 0, 1 - f.vacancies[ramping] / np.maximum(need, 1e-12), 1.0)
    old = f.ramp[ramping]
    ramp = np.minimum(1.0, old + filled / p["ramp_quarters"])
    f.ramp[ramping] = ramp
    extra = p["expansion_jobs"] * f.size_at_adoption[ramping] * (ramp - old)
    demand = np.zeros((3, len(ramping)))
    demand[1] = extra
    f.created[ramping] += hire_from_pools(f, m.regions, m.pop.province, ramping, demand)[1]
    own = m.pop.gain[ramping] * ramp
    trend = (1 + p["productivity_trend"] * m.pop.trend_factor) ** ((m.t + 1) / 4)  # per firm: its branch's trend
    output_gain = (own - m.own_gain[ramping]) * f.prod_base[ramping] * trend[ramping] * employees_of(f, ramping)
    m.own_gain[ramping] = own
    m.peer_gain.set(ramping, own)
    m.ramping = ramping[ramp < 1]
    realised(m, out=m.multiplier)
    np.multiply(f.prod_base, trend, out=f.productivity)
    f.productivity *= m.multiplier
    return ramping, output_gain
