"""Productivity: adopters ramp up to their gain; peers get part of it (knowledge spillover).

    ramp_i      += (1 - open posts / posts needed) / ramp_quarters      (adopters, up to 1)
    productivity = base * (1 + trend * f_s)^(years) * (1 + gain_i * ramp_i + knowledge_spillover * G_i)
where f_s is the firm's branch trend factor (sectors.csv), so that a province's growth follows
from its branch mix, and G_i is the mean realised gain (gain * ramp) of firm i's peers. Output growth asks for
expansion_jobs * size at adoption over the ramp (mid-level posts, filled from the province's
mid-level job seekers as far as they go: labour.hire_skill). Returns the adopters whose
output rose through their own gain this quarter and by how much (kEUR/year), for competition.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..state import FirmState, RegionState
from .labour import hire_skill


def realised(own_gain: np.ndarray, peer_share: np.ndarray, knowledge_spillover: float,
             out: np.ndarray | None = None) -> np.ndarray:
    """Own productivity multiplier net of trend: 1 + own realised gain + knowledge_spillover x
    the peers' mean realised gain (`peer_share`), per firm (into `out` if given)."""
    out = np.empty(len(own_gain)) if out is None else out
    _realised(own_gain, peer_share, knowledge_spillover, out)
    return out


def _realised(own_gain, peer_share, knowledge_spillover, out):
    for i in range(len(out)):
        out[i] = 1.0 + own_gain[i] + peer_share[i] * knowledge_spillover


_realised = njit(cache=True)(_realised)


def trend_by_sector(productivity_trend: float, sector_trend_factor: np.ndarray, step: int) -> np.ndarray:
    """Each branch's trend growth since the start, after `step` + 1 quarters: (1 + trend x f_s)^years."""
    return (1 + productivity_trend * sector_trend_factor) ** ((step + 1) / 4)


def step(f: FirmState, reg: RegionState, ramping: np.ndarray, own_gain: np.ndarray, peer_gain, multiplier: np.ndarray,
         gain: np.ndarray, province: np.ndarray, sector: np.ndarray, trend: np.ndarray, ramp_quarters: float,
         expansion_jobs: float, knowledge_spillover: float) -> tuple[np.ndarray, np.ndarray]:
    """One quarter for the adopters still ramping up (`ramping`) and every firm's productivity.
    own_gain (gain x ramp), peer_gain (a network.PeerShare of it) and multiplier are updated in
    place; trend: `trend_by_sector` of this quarter. Returns the adopters still ramping after
    this quarter, and this quarter's output gain of each firm in `ramping` (kEUR/year)."""
    own = np.empty(len(ramping))
    output_gain = np.empty(len(ramping))
    _ramp_up(ramping, f.tech_needed, f.vacancies, f.ramp, f.size_at_adoption, f.routine, f.mid, f.technical,
             f.created, f.prod_base, own_gain, gain, province, sector, trend, reg.seekers[1], reg.hires[1],
             ramp_quarters, expansion_jobs, own, output_gain)
    peer_gain.set(ramping, own)
    _productivity_now(own_gain, peer_gain.share(), knowledge_spillover, f.prod_base, trend, sector, multiplier,
                      f.productivity)
    return ramping[f.ramp[ramping] < 1], output_gain


def _ramp_up(ramping, tech_needed, vacancies, ramp, size_at_adoption, routine, mid, technical, created, prod_base,
             own_gain, gain, province, sector, trend, mid_seekers, mid_hires, ramp_quarters, expansion_jobs, own,
             output_gain):
    extra = np.empty(len(ramping))  # mid-level posts the output growth asks for
    for j in range(len(ramping)):
        i = ramping[j]
        # Never below 0: a firm can have more open posts than it needs (posts it lost to
        # poaching come on top), and a ramp that went down took mid-level staff below zero.
        filled = max(0.0, 1 - vacancies[i] / max(tech_needed[i], 1e-12)) if tech_needed[i] > 0 else 1.0
        old = ramp[i]
        ramp[i] = min(1.0, old + filled / ramp_quarters)
        extra[j] = expansion_jobs * size_at_adoption[i] * (ramp[i] - old)
    hired = np.empty(len(ramping))
    hire_skill(mid, ramping, extra, province, mid_seekers, mid_hires, hired)
    for j in range(len(ramping)):
        i = ramping[j]
        created[i] += hired[j]
        own[j] = gain[i] * ramp[i]
        employees = routine[i] + mid[i] + technical[i]
        output_gain[j] = (own[j] - own_gain[i]) * prod_base[i] * trend[sector[i]] * employees
        own_gain[i] = own[j]


_ramp_up = njit(cache=True)(_ramp_up)


def _productivity_now(own_gain, peer_share, knowledge_spillover, prod_base, trend, sector, multiplier, productivity):
    _realised(own_gain, peer_share, knowledge_spillover, multiplier)
    for i in range(len(productivity)):
        productivity[i] = prod_base[i] * trend[sector[i]] * multiplier[i]


_productivity_now = njit(cache=True)(_productivity_now)
