"""Productivity: adopters ramp up to their gain; peers get part of it (knowledge spillover).

    ramp_i      += (1 - open posts / posts needed) / ramp_quarters      (adopters, up to 1)
    productivity = base * (1 + trend)^(years) * (1 + gain_i * ramp_i + knowledge_spillover * G_i)
where G_i is the mean realised gain (gain * ramp) of firm i's peers. Output growth adds
expansion_jobs * size at adoption over the ramp (jobs created, mid-level skills).
"""

from __future__ import annotations

import numpy as np

from ..network import peer_share
from ..regions import ADOPTED


def realised(m) -> np.ndarray:
    """Own productivity multiplier net of trend: 1 + own realised gain + spillover from peers."""
    f = m.firms_state
    spill = peer_share(m.pop.peers, m.degree, m.pop.gain * f.ramp)
    return 1 + m.pop.gain * f.ramp + m.params["knowledge_spillover"] * spill


def step(m) -> None:
    f, p = m.firms_state, m.params
    ramping = (f.stage == ADOPTED) & (f.ramp < 1)
    filled = np.where(f.tech_needed > 0, 1 - f.vacancies / np.maximum(f.tech_needed, 1e-12), 1.0)
    old = f.ramp.copy()
    f.ramp[ramping] = np.minimum(1.0, f.ramp[ramping] + filled[ramping] / p["ramp_quarters"])
    extra = p["expansion_jobs"] * f.size_at_adoption * (f.ramp - old)
    f.mid += extra
    f.created += extra
    m.multiplier = realised(m)
    f.productivity = f.prod_base * (1 + p["productivity_trend"]) ** ((m.t + 1) / 4) * m.multiplier
