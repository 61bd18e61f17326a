"""Awareness: external hazard + visibility-weighted peer adopters + hub outreach + trainees.

An unaware firm becomes aware this quarter with probability
    1 - (1 - p_hub) * exp(-(bass_p/4 + bass_q/4 * S + training_awareness_spillover * c_prov))
where S is the visibility-weighted share of adopters among its peers (Bass imitation term;
hidden champions count little) at the middle of the quarter, extrapolated from its last change, p_hub the chance that a hub contact converts it, and c_prov
last quarter's completed trainees per firm in its province (retrained workers carry knowledge).
"""

from __future__ import annotations

import numpy as np

from ..regions import AWARE, UNAWARE


def step(m) -> None:
    f, p = m.firms_state, m.params
    u = m.streams["awareness"].random(m.n)  # one per firm, also for the aware (common random numbers)
    unaware = np.flatnonzero(f.stage == UNAWARE)
    prov = m.pop.province[unaware]
    hazard = p["bass_p"] / 4 + p["bass_q"] / 4 * m.exposure_mid[unaware]
    hazard = hazard + p["training_awareness_spillover"] * (m.regions.completions / m.firms_per_province)[prov]
    p_aware = 1 - (1 - m.hub_contact_prob[prov]) * np.exp(-hazard)
    f.stage[unaware[u[unaware] < p_aware]] = AWARE
