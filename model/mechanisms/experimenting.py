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
from numba import njit

from ..instruments import Fieldlabs
from ..regions import AWARE, EXPERIMENTING, neighbour_matrix
from ..state import FirmState
from ..streams import Streams, uniform

_NEIGHBOURS = neighbour_matrix()


def keys(streams: Streams, quarter: int) -> np.ndarray:
    """The quarter's keys of the four draws a firm may make: whether it looks for a trial, its
    place in the queue, whether a member leaves, whether it runs an own pilot."""
    return np.array([streams.key("experiment", quarter), streams.key("fieldlab", quarter),
                     streams.key("fieldlab", quarter, slot=1), streams.key("pilot", quarter)], dtype=np.uint64)


def step(f: FirmState, fl: Fieldlabs, open_idx: np.ndarray, province: np.ndarray, sector: np.ndarray,
         readiness: np.ndarray, seek_probability: np.ndarray, draw_keys: np.ndarray, member_turnover: float,
         reach_neighbours: bool, own_pilot_share: float) -> None:
    """One quarter: members leave, aware firms look for a trial and get one (stage, member,
    fieldlab, experience flags and the fieldlabs' members, seats and participants change).
    member_turnover: a year; draw_keys: `keys(...)`."""
    _step(f.stage, f.member, f.fieldlab, f.fieldlab_experience, f.pilot_experience, fl.province, fl.themes,
          fl.capacity_q, fl.members_cap, fl.credit, fl.participants, fl.members, open_idx, province, sector,
          readiness, seek_probability, draw_keys, member_turnover, reach_neighbours, own_pilot_share, _NEIGHBOURS)


def _step(stage, member, fieldlab, fieldlab_experience, pilot_experience, lab_province, themes, capacity_q,
          members_cap, credit, participants, members, open_idx, province, sector, readiness, seek_probability,
          draw_keys, member_turnover, reach_neighbours, own_pilot_share, neighbour):
    seek_key, queue_key, leave_key, pilot_key = draw_keys[0], draw_keys[1], draw_keys[2], draw_keys[3]
    is_open = np.zeros(len(lab_province), dtype=np.bool_)
    is_open[open_idx] = True
    own_lab, seekers = _seekers(stage, member, fieldlab, is_open, seek_probability, seek_key, leave_key,
                                member_turnover, members)
    priority = np.empty(len(seekers))
    for j in range(len(seekers)):
        priority[j] = uniform(queue_key, seekers[j])
    seekers = seekers[np.argsort(priority, kind="mergesort")]

    places = np.zeros(len(lab_province))
    for lab in open_idx:
        places[lab] = np.floor(members_cap[lab] - members[lab] + 1e-9)
    lab_of = _seat(open_idx, places, themes, lab_province, neighbour, reach_neighbours, province[seekers],
                   sector[seekers], participants)
    for j in range(len(seekers)):
        if lab_of[j] >= 0:  # joins as a member (seekers were not members: the count goes up by one)
            member[seekers[j]] = True
            fieldlab[seekers[j]] = lab_of[j]
            members[lab_of[j]] += 1

    rest = seekers[lab_of < 0]
    for lab in open_idx:
        credit[lab] = min(credit[lab] + capacity_q[lab], capacity_q[lab] + 1)
    visit_of = _seat(open_idx, credit, themes, lab_province, neighbour, reach_neighbours, province[rest], sector[rest],
                     participants)
    for j in range(len(rest)):
        if visit_of[j] >= 0:  # visits
            fieldlab[rest[j]] = visit_of[j]
    for i in own_lab:
        fieldlab_experience[i] = True
        stage[i] = EXPERIMENTING
    for i in seekers[lab_of >= 0]:
        fieldlab_experience[i] = True
        stage[i] = EXPERIMENTING
    for j in range(len(rest)):
        i = rest[j]
        if visit_of[j] >= 0:
            fieldlab_experience[i] = True
            stage[i] = EXPERIMENTING
        elif uniform(pilot_key, i) < own_pilot_share * readiness[i]:  # no seat: perhaps an own pilot
            pilot_experience[i] = True
            stage[i] = EXPERIMENTING


_step = njit(cache=True)(_step)


def _seekers(stage, member, fieldlab, is_open, seek_probability, seek_key, leave_key, member_turnover, members):
    """Members leave (at random, or as their fieldlab closed) and the rest are counted per
    fieldlab in `members`; returns the aware firms that look for a trial this quarter, members
    (own_lab: they run it in their own fieldlab) and the others (queue), in firm order.

    Whether a firm looks is worked out first for every firm in a loop without branches, which
    compiles to vector code: half the firms are aware, at random, and a branch on it guessed
    wrong every other firm (the whole step took a third longer)."""
    looks = np.empty(len(stage), dtype=np.bool_)
    for i in range(len(stage)):
        looks[i] = (stage[i] == AWARE) & (uniform(seek_key, i) < seek_probability[i])
    own_lab = np.empty(len(stage), dtype=np.int64)
    queue = np.empty(len(stage), dtype=np.int64)
    n_own = n_queue = 0
    members[:] = 0
    for i in range(len(stage)):
        if member[i]:
            if uniform(leave_key, i) < member_turnover / 4 or not is_open[fieldlab[i]]:
                member[i] = False
            else:
                members[fieldlab[i]] += 1
        if looks[i]:
            if member[i]:
                own_lab[n_own] = i
                n_own += 1
            else:
                queue[n_queue] = i
                n_queue += 1
    return own_lab[:n_own], queue[:n_queue]


_seekers = njit(cache=True)(_seekers)


def _seat(open_idx, seats, themes, lab_province, neighbour, reach_neighbours, s_prov, s_sec, participants):
    """The fieldlab each seeker (in queue order) gets a seat in, -1 for none. Open fieldlabs take,
    in turn, the first free seekers in the queue whose sector their themes cover, as many as
    their whole `seats` [per fieldlab] allow: first from their own province, then (if
    reach_neighbours) from neighbouring ones. Seats taken come off `seats` (in place) and are
    counted in `participants`."""
    lab_of = np.full(len(s_prov), -1)
    for reach in range(2 if reach_neighbours else 1):
        for lab in open_idx:
            room = int(seats[lab]) if seats[lab] >= 1 else 0
            taken = 0
            for j in range(len(s_prov)):
                if taken == room:
                    break
                near = s_prov[j] == lab_province[lab] if reach == 0 else neighbour[lab_province[lab], s_prov[j]]
                if lab_of[j] < 0 and near and themes[lab, s_sec[j]]:
                    lab_of[j] = lab
                    participants[lab] += 1
                    taken += 1
            seats[lab] -= taken
    return lab_of


_seat = njit(cache=True)(_seat)
