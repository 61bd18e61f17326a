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

from ..regions import ADOPTED
from ..state import FirmState


def step(f: FirmState, sector: np.ndarray, n_sectors: int, gainers: np.ndarray, output_gain: np.ndarray,
         output: np.ndarray, business_stealing: float) -> np.ndarray:
    """Book this quarter's lost sales as redundancies at non-adopters. gainers/output_gain: the
    firms whose output rose through adoption and by how much (kEUR/year); output: every firm's
    output now (kEUR/year). Returns x_s, the share of sales each sector's non-adopters lost."""
    stolen = business_stealing * np.bincount(sector[gainers], weights=output_gain, minlength=n_sectors)
    losers = np.flatnonzero(f.stage != ADOPTED)
    base = np.bincount(sector[losers], weights=output[losers], minlength=n_sectors)
    x = np.minimum(np.divide(stolen, base, out=np.zeros(n_sectors), where=base > 0), 0.5)
    share = x[sector[losers]]
    hit = losers[share > 0]
    share = share[share > 0]
    for k, staff in enumerate(f.skills()):
        f.redundant[k, hit] += share * np.maximum(staff[hit] - f.redundant[k, hit], 0.0)
    return x
