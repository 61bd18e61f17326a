"""Productivity: adopters ramp up to their gain; peers get part of it (knowledge spillover).

    ramp_i      += (1 - open posts / posts needed) / ramp_quarters      (adopters, up to 1)
    productivity = base * (1 + trend)^(years) * (1 + gain_i * ramp_i + knowledge_spillover * G_i)
where G_i is the mean realised gain (gain * ramp) of firm i's peers. Output growth adds
expansion_jobs * size at adoption over the ramp (jobs created, mid-level skills).
"""

from __future__ import annotations

import numpy as np

from ..regions import ADOPTED


def realised(m) -> np.ndarray:
    """Own productivity multiplier net of trend: 1 + own realised gain + spillover from peers."""
    own = m.pop.gain * m.firms_state.ramp
    return 1 + own + m.params["knowledge_spillover"] * m.peer_gain(own)


def step(m) -> None:
    f, p = m.firms_state, m.params
    ramping = np.flatnonzero((f.stage == ADOPTED) & (f.ramp < 1))  # only these change
    need = f.tech_needed[ramping]
    filled = np.where(need > 0, 1 - f.vacancies[ramping] / np.maximum(need, 1e-12), 1.0)
    old = f.ramp[ramping]
    f.ramp[ramping] = np.minimum(1.0, old + filled / p["ramp_quarters"])
    extra = p["expansion_jobs"] * f.size_at_adoption[ramping] * (f.ramp[ramping] - old)
    f.mid[ramping] += extra
    f.created[ramping] += extra
    m.multiplier = realised(m)
    f.productivity = f.prod_base * (1 + p["productivity_trend"]) ** ((m.t + 1) / 4) * m.multiplier
