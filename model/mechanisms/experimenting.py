"""Experimenting: aware firms look for a trial: in a fieldlab, else perhaps an own pilot.

Fieldlabs are standing consortia (TNO 2019: about 600 firms in 35 fieldlabs) plus firms that
visit to use the facilities:
- members: a fieldlab has members_cap member places, bought by its spending
  (fieldlab_cost_per_member_eur); members stay, leaving at fieldlab_member_turnover a year (one
  draw per firm a quarter), and all leave when their fieldlab closes;
- visitors: capacity/4 trials a quarter for non-members (fractions carry over, at most one
  extra seat banked).
An aware firm looks for a trial with probability 1 - exp(-experiment_rate * readiness). A
member runs it in its own fieldlab. Other seekers are queued in a random order (one draw per
firm per quarter) and take free member places, then visitor seats, in open fieldlabs whose
theme covers their sector: first in their own province, then (if fieldlab_reach_neighbours) in
a neighbouring one. A seeker left without a place runs its own pilot with probability
own_pilot_share * readiness; the others stay aware and may look again later.
"""

from __future__ import annotations

import numpy as np

from ..regions import AWARE, EXPERIMENTING, neighbour_matrix
from ..streams import uniforms

_NEIGHBOURS = neighbour_matrix()


def step(m) -> None:
    f, p, pop = m.firms_state, m.params, m.pop
    quarter = m.first_quarter + m.t

    fl = m.policy.fieldlabs
    open_idx = m.open_fieldlabs
    is_open = np.zeros(fl.n, dtype=bool)
    is_open[open_idx] = True
    members = np.flatnonzero(f.member)
    u_leave = uniforms(m.streams.key("fieldlab", quarter, slot=1), members)
    leaving = members[(u_leave < p["fieldlab_member_turnover"] / 4) | ~is_open[f.fieldlab[members]]]
    f.member[leaving] = False

    aware = np.flatnonzero(f.stage == AWARE)
    seekers = aware[uniforms(m.streams.key("experiment", quarter), aware) < m.seek_probability[aware]]
    own_lab = seekers[f.member[seekers]]  # members try it in their own fieldlab
    seekers = seekers[~f.member[seekers]]
    seekers = seekers[np.argsort(uniforms(m.streams.key("fieldlab", quarter), seekers), kind="stable")]
    neighbours = p["fieldlab_reach_neighbours"] >= 0.5

    fl.members = np.bincount(f.fieldlab[f.member], minlength=fl.n)
    places = np.where(is_open, np.floor(fl.members_cap - fl.members + 1e-9), 0.0)
    lab_of = _seat(fl, open_idx, places, pop.province[seekers], pop.sector[seekers], neighbours)
    joined = seekers[lab_of >= 0]
    f.member[joined] = True
    f.fieldlab[joined] = lab_of[lab_of >= 0]
    fl.members = np.bincount(f.fieldlab[f.member], minlength=fl.n)

    rest = seekers[lab_of < 0]
    fl.credit[open_idx] = np.minimum(fl.credit[open_idx] + fl.capacity_q[open_idx], fl.capacity_q[open_idx] + 1)
    visit_of = _seat(fl, open_idx, fl.credit, pop.province[rest], pop.sector[rest], neighbours)
    visitors = rest[visit_of >= 0]
    f.fieldlab[visitors] = visit_of[visit_of >= 0]

    in_lab = np.concatenate((own_lab, joined, visitors))
    f.fieldlab_experience[in_lab] = True
    rest = rest[visit_of < 0]
    pilots = rest[uniforms(m.streams.key("pilot", quarter), rest) < p["own_pilot_share"] * pop.readiness[rest]]
    f.pilot_experience[pilots] = True
    f.stage[in_lab] = EXPERIMENTING
    f.stage[pilots] = EXPERIMENTING


def _seat(fl, open_idx: np.ndarray, seats: np.ndarray, s_prov: np.ndarray, s_sec: np.ndarray,
          neighbours: bool) -> np.ndarray:
    """The fieldlab each seeker (in queue order) gets a seat in, -1 for none. Fieldlabs take, in
    turn, as many seekers as their `seats` [per fieldlab] allow: first from their own province,
    then from neighbouring ones; seats taken come off `seats` (in place)."""
    lab_of = np.full(len(s_prov), -1)
    if not (len(open_idx) and len(s_prov)):
        return lab_of
    serves = fl.themes[open_idx][:, s_sec]  # [open lab, seeker]
    lab_prov = fl.province[open_idx]
    reaches = [lab_prov[:, None] == s_prov]
    if neighbours:
        reaches.append(_NEIGHBOURS[lab_prov][:, s_prov])
    credit = seats[open_idx].copy()
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
    seats[open_idx] = credit
    fl.participants += np.bincount(lab_of[lab_of >= 0], minlength=fl.n)
    return lab_of
