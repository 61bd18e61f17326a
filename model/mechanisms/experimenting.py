"""Experimenting: aware firms look for a trial; fieldlab seats first, else perhaps an own pilot.

An aware firm looks for a trial with probability 1 - exp(-experiment_rate * readiness). Seekers
are queued in a random order (one draw per firm per quarter) and take seats in open fieldlabs
whose theme covers their sector: first in their own province, then (if fieldlab_reach_neighbours)
in a neighbouring one. Each fieldlab admits capacity/4 firms a quarter (fractions carry over).
A seeker left without a seat runs its own pilot with probability own_pilot_share * readiness;
the others stay aware and may look again later.
"""

from __future__ import annotations

import numpy as np

from ..regions import AWARE, EXPERIMENTING, neighbour_matrix

_NEIGHBOURS = neighbour_matrix()


def step(m) -> None:
    f, p, pop = m.firms_state, m.params, m.pop
    u_seek = m.streams["experiment"].random(m.n)
    priority = m.streams["fieldlab"].random(m.n)
    u_pilot = m.streams["pilot"].random(m.n)

    aware = np.flatnonzero(f.stage == AWARE)
    seekers = aware[u_seek[aware] < 1 - np.exp(-p["experiment_rate"] * pop.readiness[aware])]
    seekers = seekers[np.argsort(priority[seekers], kind="stable")]

    fl = m.policy.fieldlabs
    open_idx = m.open_fieldlabs
    fl.credit[open_idx] = np.minimum(fl.credit[open_idx] + fl.capacity_q[open_idx], fl.capacity_q[open_idx] + 1)
    lab_of = _seat(fl, open_idx, pop.province[seekers], pop.sector[seekers], p["fieldlab_reach_neighbours"] >= 0.5)
    placed = lab_of >= 0

    in_lab = seekers[placed]
    f.fieldlab[in_lab] = lab_of[placed]
    f.fieldlab_experience[in_lab] = True
    rest = seekers[~placed]
    pilots = rest[u_pilot[rest] < p["own_pilot_share"] * pop.readiness[rest]]
    f.pilot_experience[pilots] = True
    f.stage[in_lab] = EXPERIMENTING
    f.stage[pilots] = EXPERIMENTING


def _seat(fl, open_idx: np.ndarray, s_prov: np.ndarray, s_sec: np.ndarray, neighbours: bool) -> np.ndarray:
    """The fieldlab each seeker (in queue order) gets a seat in, -1 for none. Fieldlabs take, in
    turn, as many seekers as their credit allows: first from their own province, then from
    neighbouring ones; seats taken come off the credit."""
    lab_of = np.full(len(s_prov), -1)
    if not (len(open_idx) and len(s_prov)):
        return lab_of
    # Which seekers a fieldlab in province q may take ([q, seeker]), and whose sector each open
    # fieldlab serves ([lab, seeker]): built once, not per fieldlab.
    passes = [np.arange(len(_NEIGHBOURS))[:, None] == s_prov]
    if neighbours:
        passes.append(_NEIGHBOURS[:, s_prov])
    serves = fl.themes[open_idx][:, s_sec]
    lab_prov = fl.province[open_idx].tolist()
    credit = fl.credit[open_idx].tolist()  # Python floats: the same arithmetic, less overhead per fieldlab
    for reach in passes:
        for j, lab in enumerate(open_idx.tolist()):
            seats = int(credit[j])
            if seats <= 0:
                continue
            cand = np.flatnonzero((lab_of < 0) & reach[lab_prov[j]] & serves[j])[:seats]
            lab_of[cand] = lab
            credit[j] -= len(cand)
    fl.credit[open_idx] = credit
    fl.participants += np.bincount(lab_of[lab_of >= 0], minlength=fl.n)
    return lab_of
