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

    seeking = (f.stage == AWARE) & (u_seek < 1 - np.exp(-p["experiment_rate"] * pop.readiness))
    seekers = np.flatnonzero(seeking)
    seekers = seekers[np.argsort(priority[seekers], kind="stable")]
    placed = np.zeros(len(seekers), dtype=bool)

    fl = m.policy.fieldlabs
    open_idx = m.open_fieldlabs
    if len(open_idx) and len(seekers):
        fl.credit[open_idx] = np.minimum(fl.credit[open_idx] + fl.capacity_q[open_idx], fl.capacity_q[open_idx] + 1)
        s_prov, s_sec = pop.province[seekers], pop.sector[seekers]
        passes = [lambda lab: s_prov == fl.province[lab]]
        if p["fieldlab_reach_neighbours"] >= 0.5:
            passes.append(lambda lab: _NEIGHBOURS[fl.province[lab], s_prov])
        for where in passes:
            for lab in open_idx:
                seats = int(fl.credit[lab])
                if seats <= 0:
                    continue
                cand = np.flatnonzero(~placed & where(lab) & fl.themes[lab, s_sec])[:seats]
                placed[cand] = True
                fl.credit[lab] -= len(cand)
                fl.participants[lab] += len(cand)
                f.fieldlab[seekers[cand]] = lab
    elif len(open_idx):
        fl.credit[open_idx] = np.minimum(fl.credit[open_idx] + fl.capacity_q[open_idx], fl.capacity_q[open_idx] + 1)

    in_lab = seekers[placed]
    f.fieldlab_experience[in_lab] = True
    rest = seekers[~placed]
    pilots = rest[u_pilot[rest] < p["own_pilot_share"] * pop.readiness[rest]]
    f.pilot_experience[pilots] = True
    f.stage[in_lab] = EXPERIMENTING
    f.stage[pilots] = EXPERIMENTING
