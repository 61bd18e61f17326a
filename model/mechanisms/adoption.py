"""Adoption: an experimenting firm adopts with a probability that rises with its expected net benefit.

Per year, in kEUR, for firm i with E workers and value added VA = productivity * E:
    benefit  B = gain_i * VA * (1 + d * S_peers) / (1 + d)     (sector-specific gain; d = demonstration_effect:
                                                                a firm believes the gain it has seen at peers)
    cost     C = (investment_fixed + investment_per_worker * E) / payback_years
               * (1 - ecosystem_cost_reduction * eco_province)  (hubs/fieldlabs running nearby)
    subsidy  S = min(rate * investment, cap) / payback_years * outlook
    hiring   H = tech_jobs_per_adoption * E * tech_wage * shortage_wage_premium * shortage_province
    z        = (B - C + S - H) / VA
    sigma    = benefit_uncertainty * (1 - fieldlab_reduction)[if fieldlab] * (1 - pilot_reduction)[if pilot]
               / (1 + peer_uncertainty_reduction * S_peers)
    P(adopt)   = adoption_rate_max * L(1.7 z / sigma),   L = logistic (a probit approximation)
    P(abandon) = abandon_rate * (1 - L(1.7 z / sigma))   (back to aware)
`outlook` is 1 until an instrument's end is announced, then the share of the payback period it
still runs: an announced end lowers expected support (seed 001). Less uncertainty sharpens the
decision both ways: good cases adopt sooner, bad ones drop out sooner.

At adoption a share of routine jobs becomes redundant (separated gradually by the labour
mechanism) and technical posts open (vacancies, filled by the labour mechanism); subsidies are
paid first come, first served, within budget.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..regions import ADOPTED, AWARE, EXPERIMENTING
from ..state import FirmState, firms_at
from ..streams import Streams, uniform


class AdoptionParams(NamedTuple):
    """The parameters of adoption (model/params.py), in the units there."""

    investment_fixed_keur: float
    investment_per_worker_keur: float
    payback_years: float
    ecosystem_cost_reduction: float
    tech_jobs_per_adoption: float
    tech_wage_keur: float
    shortage_wage_premium: float
    demonstration_effect: float
    benefit_uncertainty: float
    fieldlab_uncertainty_reduction: float
    own_pilot_uncertainty_reduction: float
    peer_uncertainty_reduction: float
    adoption_rate_max: float
    abandon_rate: float
    routine_displacement: float
    displacement_dispersion: float

    @classmethod
    def from_params(cls, p) -> AdoptionParams:
        return cls(*(float(p[name]) for name in cls._fields))


class Subsidies(NamedTuple):
    """The adoption subsidies a deciding firm may expect this quarter, one row per instrument."""

    instrument: np.ndarray  # index into Policy.instruments
    rate: np.ndarray  # share of the investment paid
    cap_keur: np.ndarray  # at most per firm
    outlook: np.ndarray  # share of the support a firm expects (0: not on offer)
    eligible: np.ndarray  # bool [instrument, firm]

    @classmethod
    def offered(cls, policy, t: int, payback_years: float, outlook_discount: bool, eligible: np.ndarray) -> Subsidies:
        """eligible: [adoption subsidy instrument, firm] (fixed for a run: the caller keeps it)."""
        offers = policy.of_kind("adoption_subsidy")
        look = [ins.outlook(t, 4 * payback_years) if outlook_discount else float(ins.running(t)) for _, ins in offers]
        return cls(np.array([i for i, _ in offers], dtype=np.int64), np.array([ins.spec.rate for _, ins in offers]),
                   np.array([ins.spec.max_per_firm_eur / 1e3 for _, ins in offers]), np.array(look, dtype=float),
                   eligible)


def keys(streams: Streams, quarter: int) -> np.ndarray:
    """The quarter's keys of a firm's two draws: whether it adopts (or abandons), and how much of
    its routine work its project automates."""
    return np.array([streams.key("adoption", quarter), streams.key("adoption", quarter, slot=1)], dtype=np.uint64)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def step(f: FirmState, gain: np.ndarray, province: np.ndarray, exposure: np.ndarray, ecosystem: np.ndarray,
         shortage: np.ndarray, subsidies: Subsidies, draw_keys: np.ndarray, t: int, ap: AdoptionParams,
         immediate: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One quarter: experimenting firms adopt, drop back to aware, or go on (immediate: every
    aware or experimenting firm adopts, the Bass limit). Returns the new adopters and, for each,
    the subsidy instrument it expects support from (-1 none) and its investment (kEUR): the
    caller pays the subsidies (`pay`)."""
    values = tuple(ap)  # what the kernels take (see _params)
    if immediate:
        new = np.flatnonzero((f.stage == AWARE) | (f.stage == EXPERIMENTING))
        _adopt_all(new, f.stage, f.adopted_t, f.routine, f.mid, f.technical, f.redundant, f.vacancies, f.tech_needed,
                   f.size_at_adoption, draw_keys[1], t, values)
        return new, np.full(len(new), -1), np.zeros(len(new))
    idx, signal, payer, invest = _signal(f.stage, f.routine, f.mid, f.technical, f.productivity,
                                         f.fieldlab_experience, f.pilot_experience, gain, province, exposure,
                                         ecosystem, shortage, subsidies.rate, subsidies.cap_keur, subsidies.outlook,
                                         subsidies.eligible, values)
    # numpy's exp, not the compiled one (libm's differs in the last bit): the numbers stay those
    # the model was calibrated with
    good = _logistic(signal)
    adopting = _decide(idx, good, f.stage, f.adopted_t, f.routine, f.mid, f.technical, f.redundant, f.vacancies,
                       f.tech_needed, f.size_at_adoption, draw_keys[0], draw_keys[1], t, values)
    instrument = np.append(subsidies.instrument, -1)[payer[adopting]]  # row -1: none
    return idx[adopting], instrument, invest[adopting]


def pay(policy, t: int, new: np.ndarray, payer: np.ndarray, invest_keur: np.ndarray, province: np.ndarray) -> None:
    """Subsidies for this quarter's adopters: paid in firm order until each instrument's budget is spent."""
    for i in np.unique(payer):
        if i < 0:
            continue
        mine = payer == i
        ins = policy.instruments[i]
        eur = np.minimum(ins.spec.rate * invest_keur[mine] * 1e3, ins.spec.max_per_firm_eur)
        policy.pay_in_order(t, int(i), eur, province[new[mine]])


def _params(ap):
    """AdoptionParams from its values. The kernels below are called with a plain tuple (or the
    NamedTuple): numba types a NamedTuple argument slowly, about 4 us a call against under 1."""
    return AdoptionParams(*ap)


_params = njit(cache=True)(_params)


def _signal(stage, routine, mid, technical, productivity, fieldlab_experience, pilot_experience, gain, province,
            exposure, ecosystem, shortage, rate, cap_keur, outlook, eligible, ap):
    """For each experimenting firm: 1.7 z / sigma (the argument of L above), the subsidy row it
    expects most from (-1 none) and its investment (kEUR)."""
    ap = _params(ap)
    idx = firms_at(stage, EXPERIMENTING)
    signal = np.empty(len(idx))
    payer = np.full(len(idx), -1)
    invest = np.empty(len(idx))
    for j in range(len(idx)):
        i = idx[j]
        employees = routine[i] + mid[i] + technical[i]
        va = productivity[i] * employees
        invest[j] = ap.investment_fixed_keur + ap.investment_per_worker_keur * employees
        cost = invest[j] / ap.payback_years * (1 - ap.ecosystem_cost_reduction * ecosystem[province[i]])
        subsidy = 0.0
        for k in range(len(rate)):
            if outlook[k] > 0 and eligible[k, i]:
                amount = min(rate[k] * invest[j], cap_keur[k]) * outlook[k]
                if amount > subsidy:
                    subsidy, payer[j] = amount, k
        hiring = (ap.tech_jobs_per_adoption * employees * ap.tech_wage_keur * ap.shortage_wage_premium
                  * shortage[province[i]])
        demo = ap.demonstration_effect
        expected_gain = gain[i] * (1 + demo * exposure[i]) / (1 + demo)
        z = (expected_gain * va - cost + subsidy / ap.payback_years - hiring) / max(va, 1e-9)
        sigma = (ap.benefit_uncertainty
                 * (1 - ap.fieldlab_uncertainty_reduction if fieldlab_experience[i] else 1.0)
                 * (1 - ap.own_pilot_uncertainty_reduction if pilot_experience[i] else 1.0)
                 / (1 + ap.peer_uncertainty_reduction * exposure[i]))
        signal[j] = 1.7 * z / sigma
    return idx, signal, payer, invest


_signal = njit(cache=True)(_signal)


def _decide(idx, good, stage, adopted_t, routine, mid, technical, redundant, vacancies, tech_needed, size_at_adoption,
            decide_key, intensity_key, t, ap):
    """P(adopt) = adoption_rate_max x good, P(abandon) = abandon_rate x (1 - good), one draw each."""
    ap = _params(ap)
    adopting = np.zeros(len(idx), dtype=np.bool_)
    for j in range(len(idx)):
        i = idx[j]
        u = uniform(decide_key, i)
        p_adopt = ap.adoption_rate_max * good[j]
        if u < p_adopt:
            adopting[j] = True
            _adopt(i, stage, adopted_t, routine, mid, technical, redundant, vacancies, tech_needed, size_at_adoption,
                   intensity_key, t, ap)
        elif u < p_adopt + ap.abandon_rate * (1 - good[j]):
            stage[i] = AWARE
    return adopting


_decide = njit(cache=True)(_decide)


def _adopt_all(firms, stage, adopted_t, routine, mid, technical, redundant, vacancies, tech_needed, size_at_adoption,
               intensity_key, t, ap):
    ap = _params(ap)
    for i in firms:
        _adopt(i, stage, adopted_t, routine, mid, technical, redundant, vacancies, tech_needed, size_at_adoption,
               intensity_key, t, ap)


_adopt_all = njit(cache=True)(_adopt_all)


def _adopt(i, stage, adopted_t, routine, mid, technical, redundant, vacancies, tech_needed, size_at_adoption,
           intensity_key, t, ap):
    """Labour effects of firm i's adoption. Its own draw w sets how much of the routine work its
    project automates: routine_displacement x (1 + displacement_dispersion (2 w - 1))."""
    employees = routine[i] + mid[i] + technical[i]
    w = uniform(intensity_key, i)
    share = min(ap.routine_displacement * (1 + ap.displacement_dispersion * (2 * w - 1)), 1.0)
    redundant[0, i] += share * max(routine[i] - redundant[0, i], 0.0)
    need = ap.tech_jobs_per_adoption * employees
    vacancies[i] += need
    tech_needed[i] = need
    size_at_adoption[i] = employees
    stage[i] = ADOPTED
    adopted_t[i] = t


_adopt = njit(cache=True)(_adopt)
