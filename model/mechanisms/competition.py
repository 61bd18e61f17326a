"""Competition: adopters take part of their output gain from non-adopting firms in their sector.

Market: one national market per sector. Dutch manufacturing sells most of its output outside
its own province (and much of it abroad), and the firm-level evidence is measured within
national industries (Koch et al. 2021: Spanish industries; Acemoglu et al. 2020: French
industries); a provincial market would make a province's own adopters its only rivals, which
no source supports. Foreign competitors are not modelled: the share taken from them is the
part of the gain that is market growth as far as Dutch firms are concerned.

Each quarter, with dY_i the output gain of adopter i this quarter (kEUR a year: its gain
increment times its output before gains) and s the sector:

    stolen_s = business_stealing * sum_{adopters in s} dY_i
    x_s      = min(stolen_s / output of non-adopters in s, 0.5)
    redundant_k,j += x_s * (staff_k,j - redundant_k,j)   for every non-adopter j in s and skill k

Non-adopters lose the share x_s of their sales, and with it (at unchanged productivity) the
same share of the jobs they still need; those jobs are separated gradually (labour.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..regions import ADOPTED
from ..state import FirmState


def step(f: FirmState, sector: np.ndarray, n_sectors: int, gainers: np.ndarray, output_gain: np.ndarray,
         business_stealing: float) -> np.ndarray:
    """Book this quarter's lost sales as redundancies at non-adopters. gainers/output_gain: the
    firms whose output rose through adoption and by how much (kEUR/year); every firm's output
    now is productivity x employees (kEUR/year). Returns x_s, the share of sales each sector's
    non-adopters lost."""
    x = np.zeros(n_sectors)
    _steal(f.stage, f.routine, f.mid, f.technical, f.productivity, f.redundant, sector, gainers, output_gain,
           business_stealing, x)
    return x


def _steal(stage, routine, mid, technical, productivity, redundant, sector, gainers, output_gain, business_stealing,
           x):
    n_sectors = len(x)
    stolen = np.zeros(n_sectors)
    for j in range(len(gainers)):
        stolen[sector[gainers[j]]] += output_gain[j]
    stolen *= business_stealing
    # Adopters add 0 (x (stage != ADOPTED)): the same numbers as skipping them, without a branch.
    base = np.zeros(n_sectors)  # output of the non-adopters
    for i in range(len(stage)):
        base[sector[i]] += productivity[i] * (routine[i] + mid[i] + technical[i]) * (stage[i] != ADOPTED)
    for s in range(n_sectors):
        x[s] = min(stolen[s] / base[s] if base[s] > 0 else 0.0, 0.5)
    for i in range(len(stage)):
        share = x[sector[i]] * (stage[i] != ADOPTED)
        if share > 0:
            redundant[0, i] += share * max(routine[i] - redundant[0, i], 0.0)
            redundant[1, i] += share * max(mid[i] - redundant[1, i], 0.0)
            redundant[2, i] += share * max(technical[i] - redundant[2, i], 0.0)


_steal = njit(cache=True)(_steal)
