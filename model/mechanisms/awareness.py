"""Awareness: external hazard + visibility-weighted peer adopters + hub outreach + trainees.

An unaware firm becomes aware this quarter with probability
    1 - (1 - p_hub) * exp(-(bass_p/4 + bass_q/4 * S + training_awareness_spillover * c_prov))
where S is the visibility-weighted share of adopters among its peers (Bass imitation term;
hidden champions count little) at the middle of the quarter, extrapolated from its last
change, p_hub the chance that a hub contact converts it, and c_prov last quarter's completed
trainees per firm in its province (retrained workers carry knowledge).

The mechanism reads only what it is given; each unaware firm draws its own uniform number
under the quarter's key (model/streams.py), so the draws are common to every arm.
"""

from __future__ import annotations

import numpy as np

from ..regions import AWARE, UNAWARE
from ..streams import uniforms


def step(stage: np.ndarray, key: np.uint64, province: np.ndarray, exposure_mid: np.ndarray,
         hub_contact_prob: np.ndarray, completions_per_firm: np.ndarray, bass_p: float, bass_q: float,
         training_spillover: float) -> None:
    unaware = np.flatnonzero(stage == UNAWARE)
    prov = province[unaware]
    hazard = bass_p / 4 + bass_q / 4 * exposure_mid[unaware] + training_spillover * completions_per_firm[prov]
    p_aware = 1 - (1 - hub_contact_prob[prov]) * np.exp(-hazard)
    stage[unaware[uniforms(key, unaware) < p_aware]] = AWARE
