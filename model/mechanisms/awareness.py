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
from numba import njit

from ..regions import AWARE, UNAWARE
from ..state import firms_at
from ..streams import uniform


def step(stage: np.ndarray, key: np.uint64, province: np.ndarray, exposure_mid: np.ndarray,
         hub_contact_prob: np.ndarray, completions_per_firm: np.ndarray, bass_p: float, bass_q: float,
         training_spillover: float) -> None:
    unaware, hazard = _hazard(stage, province, exposure_mid, completions_per_firm, bass_p, bass_q, training_spillover)
    # numpy's exp (libm's differs in the last bit): the numbers stay those the model was calibrated with;
    # in place, as the hazard is not needed after
    _become_aware(unaware, np.exp(np.negative(hazard, out=hazard), out=hazard), stage, province, hub_contact_prob,
                  key)


def _hazard(stage, province, exposure_mid, completions_per_firm, bass_p, bass_q, training_spillover):
    """The unaware firms and their hazards."""
    unaware = firms_at(stage, UNAWARE)
    hazard = np.empty(len(unaware))
    for j in range(len(unaware)):
        i = unaware[j]
        hazard[j] = bass_p / 4 + bass_q / 4 * exposure_mid[i] + training_spillover * completions_per_firm[province[i]]
    return unaware, hazard


_hazard = njit(cache=True)(_hazard)


def _become_aware(unaware, survive, stage, province, hub_contact_prob, key):
    """survive: e^-hazard per unaware firm."""
    for j in range(len(unaware)):
        i = unaware[j]
        if uniform(key, i) < 1 - (1 - hub_contact_prob[province[i]]) * survive[j]:
            stage[i] = AWARE


_become_aware = njit(cache=True)(_become_aware)
