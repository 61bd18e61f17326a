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
    seekers = aware[u_seek[aware] < m.seek_probability[aware]]
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
    serves = fl.themes[open_idx][:, s_sec]  # [open lab, seeker]
    lab_prov = fl.province[open_idx]
    reaches = [lab_prov[:, None] == s_prov]
    if neighbours:
        reaches.append(_NEIGHBOURS[lab_prov][:, s_prov])
    credit = fl.credit[open_idx].copy()
    free = np.ones(len(s_prov), dtype=bool)
    for reach in reaches:
        # Only fieldlabs with a whole seat and someone they may take need a turn; the turns stay
        # sequential because each fieldlab takes the first free seekers in the queue.
        eligible = reach & serves
        for j in np.flatnonzero((credit >= 1) & eligible.any(axis=1)).tolist():
            cand = np.flatnonzero(eligible[j] & free)[: int(credit[j])]
            lab_of[cand] = open_idx[j]
            free[cand] = False
            credit[j] -= len(cand)
    fl.credit[open_idx] = credit
    fl.participants += np.bincount(lab_of[lab_of >= 0], minlength=fl.n)
    return lab_of
