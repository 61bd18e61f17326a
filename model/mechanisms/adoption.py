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

import numpy as np

from ..regions import ADOPTED, AWARE, EXPERIMENTING
from ..state import employees_of
from ..streams import uniforms


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def expected_subsidy_keur(m, idx: np.ndarray, invest_keur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best expected subsidy per firm (kEUR, one-off) and the instrument that pays it (-1 none)."""
    best = np.zeros(len(idx))
    which = np.full(len(idx), -1)
    payback_q = 4 * m.params["payback_years"]
    for i, ins in m.policy.of_kind("adoption_subsidy"):
        look = ins.outlook(m.t, payback_q) if m.params["subsidy_outlook_discount"] >= 0.5 else float(ins.running(m.t))
        if look <= 0:
            continue
        ok = m.eligible_firms(i)[idx]
        amount = np.where(ok, np.minimum(ins.spec.rate * invest_keur, ins.spec.max_per_firm_eur / 1e3) * look, 0.0)
        better = amount > best
        best[better], which[better] = amount[better], i
    return best, which


def adopt(m, idx: np.ndarray) -> None:
    """Labour effects of adoption for firms idx (also used for the Bass limit). Each firm's own
    uniform draw (stream adoption, slot 1) sets how much of the routine work its project
    automates: routine_displacement x (1 + displacement_dispersion (2 u - 1))."""
    f, p = m.firms_state, m.params
    employees = employees_of(f, idx)
    intensity = uniforms(m.streams.key("adoption", m.first_quarter + m.t, slot=1), idx)
    share = np.minimum(p["routine_displacement"] * (1 + p["displacement_dispersion"] * (2 * intensity - 1)), 1.0)
    f.redundant[0, idx] += share * np.maximum(f.routine[idx] - f.redundant[0, idx], 0.0)
    need = p["tech_jobs_per_adoption"] * employees
    f.vacancies[idx] += need
    f.tech_needed[idx] = need
    f.size_at_adoption[idx] = employees
    f.stage[idx] = ADOPTED
    f.adopted_t[idx] = m.t
    m.ramping = np.concatenate((m.ramping, idx))  # new adopters were not ramping before
    m.new_adopters = np.concatenate((m.new_adopters, idx))


def step(m) -> None:
    f, p, pop = m.firms_state, m.params, m.pop
    if m.immediate_adoption:  # Bass limit: every aware firm adopts at once
        adopt(m, np.flatnonzero((f.stage == AWARE) | (f.stage == EXPERIMENTING)))
        return
    idx = np.flatnonzero(f.stage == EXPERIMENTING)
    if not len(idx):
        return
    prov = pop.province[idx]
    employees = employees_of(f, idx)
    va = f.productivity[idx] * employees
    invest = p["investment_fixed_keur"] + p["investment_per_worker_keur"] * employees
    cost = invest / p["payback_years"] * (1 - p["ecosystem_cost_reduction"] * m.ecosystem[prov])
    subsidy, payer = expected_subsidy_keur(m, idx, invest)
    hiring = p["tech_jobs_per_adoption"] * employees * p["tech_wage_keur"] * p["shortage_wage_premium"] * m.shortage[prov]
    demo = p["demonstration_effect"]
    expected_gain = pop.gain[idx] * (1 + demo * m.exposure[idx]) / (1 + demo)
    z = (expected_gain * va - cost + subsidy / p["payback_years"] - hiring) / np.maximum(va, 1e-9)
    sigma = (p["benefit_uncertainty"]
             * np.where(f.fieldlab_experience[idx], 1 - p["fieldlab_uncertainty_reduction"], 1.0)
             * np.where(f.pilot_experience[idx], 1 - p["own_pilot_uncertainty_reduction"], 1.0)
             / (1 + p["peer_uncertainty_reduction"] * m.exposure[idx]))
    good = _logistic(1.7 * z / sigma)
    p_adopt = p["adoption_rate_max"] * good
    p_abandon = p["abandon_rate"] * (1 - good)
    u = uniforms(m.streams.key("adoption", m.first_quarter + m.t), idx)
    adopting = u < p_adopt
    abandoning = ~adopting & (u < p_adopt + p_abandon)
    f.stage[idx[abandoning]] = AWARE

    new = idx[adopting]
    adopt(m, new)
    # Subsidies: paid in firm order until each instrument's budget is spent.
    for i in np.unique(payer[adopting]):
        if i < 0:
            continue
        mine = adopting & (payer == i)
        ins = m.policy.instruments[i]
        eur = np.minimum(ins.spec.rate * invest[mine] * 1e3, ins.spec.max_per_firm_eur)
        m.policy.pay_in_order(m.t, int(i), eur, pop.province[idx[mine]])
