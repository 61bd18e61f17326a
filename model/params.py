"""The parameter registry: every behavioural parameter of the model, once.

Each entry carries its default, unit, hard bounds (values outside are errors), a plausible
range (used as calibration prior, sensitivity range, EMA uncertainty and dashboard slider) and
its source. "Assumption" sources say why the value was chosen; they are the parameters that
calibration (calibration/) is for. Rates quoted per year in the literature are stored per year
and converted to quarterly hazards in the mechanisms, so a reader can check them against
their source.

Scenario files override parameters by name (`parameters:` block); an unknown name is an error
that suggests the nearest valid one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    unit: str
    bounds: tuple[float, float]  # hard limits: outside is meaningless
    plausible: tuple[float, float]  # prior / sensitivity range
    mechanism: str
    source: str
    description: str
    integer: bool = False

    def __post_init__(self):
        lo, hi = self.bounds
        plo, phi = self.plausible
        if not (lo <= plo <= self.default <= phi <= hi):
            raise ValueError(f"parameter {self.name}: default/plausible/bounds out of order")


_A = "assumption"
_P = [
    # --- awareness -------------------------------------------------------------------------
    Param("bass_p", 0.03, "1/year", (0, 1), (0.005, 0.06), "awareness",
          _A + ": the mean p = 0.03 of Sultan, Farley & Lehmann's (1990) meta-analysis of Bass models, as "
          "a starting value only: there p and q describe whole adoption curves, here they drive the first "
          "of three stages (awareness), so they are stage rates for calibration, not estimates",
          "External (innovation) hazard of becoming aware: media, suppliers, consultants."),
    Param("bass_q", 0.38, "1/year", (0, 3), (0.1, 0.7), "awareness",
          _A + ": the mean q = 0.38 of Sultan, Farley & Lehmann (1990) as a starting value only (see bass_p)",
          "Imitation hazard per unit visibility-weighted share of adopting peers."),
    Param("hub_cost_per_contact_eur", 2500.0, "EUR/firm contact", (1, 1e6), (1000, 10000), "awareness",
          _A + ": a company visit or event seat incl. hub staff time; hub budgets (SMITZH EUR 2.4M "
          "over several years) imply a few hundred contacts a year per hub. No hub or EDIH report with "
          "reach and cost was found (the EDIH network reports 7,300 services to SMEs and public bodies "
          "by May 2024, without costs); reach saturates as 1 - exp(-contacts/unaware firms)",
          "Hub outreach spending needed to reach one unaware firm."),
    Param("hub_contact_awareness", 0.5, "probability", (0, 1), (0.2, 0.9), "awareness",
          _A + ": not every visited firm takes the message home",
          "Probability that a contacted unaware firm becomes aware."),
    Param("training_awareness_spillover", 0.5, "awareness hazard per trainee per firm", (0, 10), (0, 2),
          "awareness", _A + ": retrained workers carry knowledge between firms (seed 000)",
          "Extra awareness hazard in a province per completed trainee per manufacturing firm."),
    # --- experimenting ---------------------------------------------------------------------
    Param("experiment_rate", 0.10, "1/quarter", (0, 1), (0.02, 0.3), "experimenting",
          _A + ": an aware firm with full readiness starts a trial within about 2.5 years",
          "Quarterly hazard that an aware firm looks for a trial (scaled by its readiness)."),
    Param("own_pilot_share", 0.3, "probability", (0, 1), (0.1, 0.6), "experimenting",
          _A + ": seeds 003/004 say small firms find going alone too costly; larger firms pilot alone",
          "Probability that a firm without a fieldlab place runs its own pilot (scaled by readiness)."),
    Param("fieldlab_capacity", 2.0, "visiting firms/year per fieldlab", (0, 500), (0.5, 20), "experimenting",
          _A + ": besides their members, fieldlabs let other firms use the facilities for a trial; TNO's "
          "'600 firms involved' in 35 fieldlabs (2018) is about the members alone (17 each), so visitors "
          "add little to that count: 2 a year, range 0.5-20",
          "Visiting firms (a trial without membership) a historical fieldlab takes per year (scenario "
          "fieldlabs set their own as capacity_per_year)."),
    Param("fieldlab_reach_neighbours", 1.0, "0/1 switch", (0, 1), (0, 1), "experimenting",
          _A + ": firms travel to a fieldlab in a neighbouring province when their own has no place",
          "1 = firms may use fieldlabs in neighbouring provinces, 0 = own province only.", integer=True),
    Param("abandon_rate", 0.05, "1/quarter", (0, 1), (0.0, 0.2), "experimenting",
          _A, "Quarterly hazard that an experimenting firm with no positive case stops and waits."),
    # --- adoption --------------------------------------------------------------------------
    Param("adoption_rate_max", 0.25, "1/quarter", (0, 1), (0.05, 0.5), "adoption",
          _A + ": an investment decision after a trial takes about a year",
          "Quarterly adoption probability of an experimenting firm with a certainly positive case."),
    Param("productivity_gain", 0.15, "share of value added per worker", (0, 2), (0.05, 0.35), "adoption",
          "Koch, Manuylov & Smolka (2021): adopters raised output 20-25% within four years; set lower "
          "because those adopters were self-selected (assumption)",
          "Labour productivity gain of an adopter after the ramp, before the sector factor."),
    Param("investment_fixed_keur", 250.0, "kEUR per adopter", (0, 1e5), (80, 500), "adoption",
          _A + ": a robot cell or sensor/data platform with integration costs EUR 150-400k installed",
          "Fixed part of the investment: makes adoption relatively dearer for small firms."),
    Param("investment_per_worker_keur", 8.0, "kEUR per worker", (0, 1e3), (2, 20), "adoption",
          _A, "Part of the investment that scales with firm size."),
    Param("payback_years", 4.0, "years", (0.5, 50), (2, 8), "adoption",
          _A + ": usual horizon for SME equipment investment", "Years over which the investment is annualised."),
    Param("benefit_uncertainty", 0.15, "share of value added", (0.01, 10), (0.05, 0.5), "adoption",
          _A, "Spread of a firm's belief about its net benefit before any experience."),
    Param("fieldlab_uncertainty_reduction", 0.5, "share", (0, 0.99), (0.2, 0.8), "adoption",
          _A + ": seeds 003/004: firms learn in fieldlabs what they cannot try alone",
          "Share of the uncertainty removed by a fieldlab trial."),
    Param("own_pilot_uncertainty_reduction", 0.25, "share", (0, 0.99), (0.05, 0.5), "adoption",
          _A, "Share of the uncertainty removed by an own pilot (less than a fieldlab)."),
    Param("peer_uncertainty_reduction", 1.0, "per unit peer adopter share", (0, 20), (0, 3), "adoption",
          "Leigh, Kraft & Lee (2022): a larger local pool of robot users raises own adoption",
          "Uncertainty divided by (1 + this x visibility-weighted adopter share among peers)."),
    Param("tech_jobs_per_adoption", 0.05, "share of employees", (0, 1), (0.02, 0.1), "labour",
          _A + " informed by Koch et al. (2021): adopters' net employment +10%",
          "Technical/ICT/design vacancies an adopter opens, as a share of its employees."),
    Param("tech_wage_keur", 65.0, "kEUR/year", (0, 500), (50, 90), "adoption",
          _A + ": employer cost of a technical worker in Dutch manufacturing",
          "Yearly cost of a technical hire, counted against the net benefit."),
    Param("shortage_wage_premium", 0.3, "share of wage", (0, 5), (0, 1), "adoption",
          _A + ": seeds 001/003 name the technical-worker shortage as a brake",
          "Extra hiring cost when the regional technical pool is fully short."),
    Param("ecosystem_cost_reduction", 0.1, "share of investment", (0, 1), (0, 0.3), "adoption",
          _A + ": seeds 003/004: hubs and fieldlabs give advice and shared facilities that SMEs lack",
          "Share of the investment saved while a hub or fieldlab instrument runs in the firm's province "
          "(scaled down once its end is announced)."),
    Param("subsidy_outlook_discount", 1.0, "0/1 switch", (0, 1), (0, 1), "adoption",
          _A + ": seed 001 asks for stable policy; an announced end lowers expected support",
          "1 = expected subsidy and ecosystem support are scaled by the share of the payback period the "
          "instrument still runs once its end is announced; 0 = firms ignore announced ends.", integer=True),
    # --- labour ----------------------------------------------------------------------------
    Param("routine_displacement", 0.12, "share of routine jobs", (0, 1), (0.05, 0.3), "labour",
          _A + " informed by Acemoglu & Restrepo (2020) and Bessen et al. (Dutch automation spikes)",
          "Share of an adopter's routine jobs made redundant at adoption; separated gradually "
          "(separation_rate)."),
    Param("expansion_jobs", 0.05, "share of employees", (0, 1), (0.0, 0.15), "labour",
          "Koch, Manuylov & Smolka (2021): output +20-25%, net jobs about +10% at adopters",
          "Jobs an adopter adds through output growth, spread over the productivity ramp."),
    Param("tech_pool_share", 0.03, "share of technical employment", (0, 1), (0.01, 0.08), "labour",
          _A + ": tight technical labour market (UWV), a few per cent available",
          "Technical job seekers in a province per technical employee in 2014; the pool's entry is set "
          "so that, without adoption or training, it stays at this level (labour.py)."),
    Param("tech_pool_outflow", 0.25, "1/quarter", (0, 1), (0.1, 0.5), "labour",
          _A + ": technical workers not hired by manufacturing find other work within about a year",
          "Quarterly share of the regional technical job-seeker pool that leaves it (other sectors, retirement)."),
    Param("champion_attraction", 0.5, "per unit visible adopter share", (0, 10), (0, 2), "labour",
          _A + ": seed 000: visible leaders make technical jobs attractive to young people",
          "Technical pool entry x (1 + this x visibility-weighted adopter share in the province)."),
    Param("training_lag_quarters", 4, "quarters", (0, 40), (2, 8), "labour",
          _A + ": a vocational conversion course takes about a year", "Quarters from training start to a technical worker.",
          integer=True),
    # --- productivity ----------------------------------------------------------------------
    Param("ramp_quarters", 8, "quarters", (1, 80), (4, 16), "productivity",
          "Koch et al. (2021): gains build up over about four years; a ramp of two years to full gain",
          "Quarters an adopter needs to reach its full gain with all technical posts filled.", integer=True),
    Param("knowledge_spillover", 0.1, "share of peers' gain", (0, 1), (0, 0.3), "productivity",
          _A + ": seed 000: productivity higher in hotspots; Graetz & Michaels (2018) +0.36 pp/yr "
          "from robots bounds the total", "Share of peers' realised gain that a firm gets for free."),
    Param("productivity_trend", 0.008, "1/year", (-0.1, 0.1), (0.0, 0.04), "productivity",
          _A + ": exogenous labour productivity growth in Dutch manufacturing, about 1% a year (CBS); "
          "estimated by the calibration, range widened to 0-4% a year on ING (2019): industry labour "
          "productivity grew 'ruim 3%' a year after 2009 (docs/VALIDATION.md section 8, 2026-12-01)",
          "Background productivity growth of every firm."),
    # --- reshoring -------------------------------------------------------------------------
    Param("offshore_cost_growth", 0.02, "1/year", (-0.2, 0.3), (0.01, 0.08), "reshoring",
          _A + ": wages in low-wage production countries rise faster than Dutch wages",
          "Yearly growth of offshore unit cost relative to home unit cost before automation."),
    Param("initial_cost_ratio", 1.25, "home/offshore unit cost", (0.5, 5), (1.05, 1.6), "reshoring",
          _A + ": firms offshored because home production was dearer",
          "Mean home/offshore unit cost ratio in 2014 among firms with offshored production."),
    Param("reshore_rate_max", 0.01, "1/quarter", (0, 1), (0.002, 0.03), "reshoring",
          _A + ": the cost motive on top of reshore_base_rate; Dachs, Kinkel & Jaeger (2019) rank labour "
          "cost behind flexibility and quality among backshoring motives, so it adds at most a third of it",
          "Extra quarterly reshoring probability for a firm whose home cost is well below offshore cost."),
    Param("reshore_sensitivity", 0.1, "unit-cost ratio", (0.001, 10), (0.03, 0.3), "reshoring",
          _A, "How sharply the reshoring probability responds to the unit-cost gap."),
    Param("reshore_share", 0.5, "share of offshored production", (0, 1), (0.2, 0.8), "reshoring",
          _A, "Share of a firm's offshored production brought home when it reshores."),
    Param("reshore_labour_intensity", 0.6, "home jobs per offshore-equivalent job", (0, 2), (0.3, 1.0),
          "reshoring", _A + ": production returns automated, with fewer workers than before it left",
          "Home jobs created per job-equivalent of production brought back."),
    # --- population and network ------------------------------------------------------------
    Param("initial_adopter_share", 0.06, "share of firms with >=10 workers", (0, 1), (0.02, 0.20), "population",
          _A + ": CBS robot use 2018 (29% of manufacturing firms >=10) implies a few per cent in 2014. "
          "Upper end widened from 0.12 to 0.20 after the first fit piled up at 0.12 (docs/VALIDATION.md "
          "section 8): robots are an established technology (ING 2019: the robot stock of Dutch industry "
          "grew fivefold 2009-2019, to about 12,000), and the share of firms using them grows slower than "
          "the stock, so a 2014 share up to about two thirds of 2018's 29% is plausible",
          "Share of firms with 10+ workers already adopted in 2014 (scaled by readiness; 2-9 get a quarter)."),
    Param("initial_aware_share", 0.15, "share of firms", (0, 1), (0.05, 0.3), "population",
          _A, "Share of the remaining firms already aware in 2014 (scaled by readiness)."),
    Param("offshoring_prevalence", 0.2, "share of firms with >=10 workers", (0, 1), (0.1, 0.35), "population",
          _A + ": international sourcing surveys (CBS) find a fifth to a third of larger firms source "
          "production abroad; firms with 2-9 workers get a quarter of this",
          "Share of firms with 10+ workers that have part of their production offshore (x sector factor)."),
    Param("offshored_share_mean", 0.3, "share of production", (0.01, 0.9), (0.1, 0.5), "population",
          _A, "Mean share of production offshored among firms that offshore (Beta distributed)."),
    Param("peer_degree", 8.0, "links per firm", (0, 200), (4, 20), "network",
          _A + ": firms know a handful of peers (suppliers, customers, branch colleagues)",
          "Mean number of peer links a firm makes (links are symmetric, so degree is about twice this)."),
    Param("peer_same_province", 0.6, "share of links", (0, 1), (0.4, 0.8), "network",
          _A + ": spillover decays with distance (brief section 2)", "Share of links within the own province."),
    Param("peer_neighbour_province", 0.25, "share of links", (0, 1), (0.1, 0.4), "network",
          _A, "Share of links to neighbouring provinces (the rest go anywhere)."),
    Param("peer_same_sector", 0.6, "share of links", (0, 1), (0.3, 0.9), "network",
          _A, "Share of links within the own sector (the rest follow supply chains)."),
    Param("hotspot_degree_multiplier", 1.5, "factor", (0, 10), (1, 3), "network",
          "seed 000: hotspots (Brainport, Zuid-Holland clusters) are denser networks",
          "Peer links of firms in hotspot COROP areas relative to elsewhere."),
    Param("hotspot_visibility_multiplier", 1.5, "factor", (0, 10), (1, 2.5), "population",
          "seed 000: outside Brainport and the Zuid-Holland clusters few leaders are known",
          "Mean visibility of firms in hotspot COROP areas relative to elsewhere (capped at 0.95)."),
    Param("readiness_base", 0.15, "readiness", (0, 1), (0.05, 0.3), "population",
          _A + ": CBS robot use 4% of firms with 10-20 workers vs 18% with 100-250 needs a steep size gradient",
          "Readiness of a 2-9 firm without technical staff; readiness = base + per_size x class + per_tech x "
          "technical share (+ noise sd 0.1), clipped to [0.05, 1]."),
    Param("readiness_per_size_class", 0.2, "readiness per size class", (0, 1), (0.05, 0.3), "population",
          _A, "Readiness added per size class step (2-9, 10-49, 50-249, 250+)."),
    Param("readiness_per_tech_share", 1.5, "readiness per unit technical share", (0, 10), (0.5, 3), "population",
          _A + ": absorptive capacity grows with technical staff (Cohen & Levinthal 1990)",
          "Readiness added per unit share of technical employees."),
    Param("visibility_floor", 0.0, "visibility", (0, 1), (0, 0.3), "population",
          _A + ": 1 makes every firm fully visible (the Bass limit)",
          "Lowest visibility; visibility = floor + (1 - floor) x Beta draw."),
    Param("visibility_mean_small", 0.2, "probability", (0.001, 0.999), (0.05, 0.4), "population",
          _A + ": seed 000: hidden champions; most SMEs are invisible to peers",
          "Mean visibility of a firm with 2-49 workers outside hotspots (x hotspot_visibility_multiplier in hotspots)."),
    Param("visibility_mean_large", 0.5, "probability", (0.001, 0.999), (0.3, 0.8), "population",
          _A, "Mean visibility of a firm with 50+ workers outside hotspots (x hotspot_visibility_multiplier in hotspots, capped)."),
]

# --- regions (issue 12): COROP geography and the reach of hubs -----------------------------
_P += [
    Param("peer_distance_km", 50.0, "km", (1, 1000), (20, 150), "network",
          _A + ": knowledge spillovers decay within tens of kilometres (the brief's 'spillover decays with "
          "distance'); 50 km is about the distance between neighbouring COROP centres; centres in "
          "calibration/data/corop_regions.csv",
          "Distance decay of peer links between COROP areas within the target province: weight "
          "firms x exp(-distance / this)."),
    Param("hub_scale_elasticity", 0.5, "elasticity", (0, 2), (0, 1), "awareness",
          _A + ": a hub's events and visits reach more firms per euro where more firms are close together "
          "(issue 12: equal budgets must not mean equal reach for regions of very different size); 0 = "
          "cost per contact the same everywhere",
          "Cost per hub contact x (firms the hub serves / national firms per hub region) ^ -this."),
]

# --- labour market, competition (issue 11) ----------------------------------------------------
# Kept as one block so the argument for each can be read together (docs/ODD.md 7.5-7.9).
_P += [
    Param("seeker_share", 0.04, "job seekers per employee of the same skill", (0, 1), (0.02, 0.08), "labour",
          _A + ": CBS unemployment 2015-2019 fell from about 7% to 3.5% of the labour force; those "
          "looking for (routine or mid-level) manufacturing work are taken as 4% of that employment, the "
          "middle of the period",
          "Routine and mid-level job seekers per province per employee of that skill in 2014; the pools' "
          "entry keeps them there without shocks."),
    Param("seeker_exit_rate", 0.15, "1/quarter", (0, 1), (0.05, 0.35), "labour",
          _A + ": UWV: most benefit spells of routine workers end within one to two years (mean 1/0.15 = "
          "6.7 quarters); exit means work in another sector, retirement or leaving the labour force",
          "Quarterly share of the routine and mid-level job-seeker pools that leaves them."),
    Param("separation_rate", 0.1, "1/quarter", (0.01, 1), (0.05, 0.3), "labour",
          "Bessen, Goos, Salomons & van den Berge (2020 AEA P&P; 2025 REStat): around an automation event "
          "incumbent workers separate gradually, over about five years, not in one cut; 0.1 a quarter lets "
          "half of a redundancy go within 1.7 years and 88% within five",
          "Quarterly share of a firm's redundant jobs (automation or lost sales) that is separated."),
    Param("displacement_dispersion", 1.0, "share of routine_displacement", (0, 1), (0, 1), "labour",
          _A + ": automation projects range from one robot cell to whole lines; Bessen et al. (2020) find "
          "automation cost spikes that differ by an order of magnitude between firms. 1 spreads the share "
          "of routine work automated uniformly from 0 to twice routine_displacement",
          "Spread of the routine work an adopter automates around routine_displacement (uniform, same mean)."),
    Param("business_stealing", 0.6, "share of adopters' output gain", (0, 1), (0.3, 0.9), "competition",
          "Koch, Manuylov & Smolka (2021, EJ): 10% of jobs at non-adopters are lost when robot users' "
          "sales share in their industry goes from 0 to one half. In the model that loss is this share x "
          "the adopters' output gain (productivity_gain, 0.15, up to Koch's 0.2-0.25), so 0.4-0.67; "
          "Acemoglu, Lelarge & Restrepo (2020): adopters grow at competitors' expense and industry "
          "employment falls, so at least half. 0.6, range 0.3-0.9",
          "Share of an adopter's output gain taken from non-adopting firms in its sector (national market)."),
    Param("poach_share", 0.25, "1/quarter", (0, 1), (0, 0.6), "labour",
          _A + ": employers fill part of the technical posts the pool cannot fill by hiring from other "
          "manufacturers in the province (UWV: technical vacancies are mostly filled by job changers)",
          "Share of the technical posts still open after hiring from the pool that is filled from other "
          "firms in the province each quarter; the firm left opens a replacement post. Not a new job."),
    Param("capital_depreciation", 0.1, "1/quarter", (0, 1), (0.03, 0.3), "adoption",
          _A + ": networks, advisers and shared facilities that a hub or fieldlab built do not vanish the "
          "day funding stops; staff move on and contacts go stale within about two years (half-life 1/0.1 "
          "ln 2 = 6.6 quarters)",
          "Quarterly decay of the ecosystem support a province keeps after its hub or fieldlab instruments stop."),
    Param("reshore_base_rate", 0.035, "1/quarter", (0, 1), (0.015, 0.06), "reshoring",
          "Dachs, Kinkel & Jaeger (2019, European Manufacturing Survey, AT/DE/CH): about 4% of "
          "manufacturers backshored within about two years, mostly for flexibility, delivery and quality. "
          "With a fifth of firms with 10+ workers offshoring (offshoring_prevalence), 4% of firms is a "
          "fifth of the offshorers in eight quarters (0.028 a quarter); since the model has no new "
          "offshoring, those who reshored in 2014-2015 are gone by 2016, hence 0.035 (measured: 3.7-3.8% "
          "of 10+ firms reshored in 2016-2017 in the baseline at defaults, scale 0.3, seeds 1-2)",
          "Quarterly probability that a firm with offshored production brings part of it home for "
          "reasons other than cost (flexibility, delivery time, quality)."),
    Param("fieldlab_cost_per_member_eur", 276_000.0, "public EUR per manufacturing member firm per year", (1e3, 1e7),
          (120_000, 520_000), "experimenting",
          "Dialogic (2021): EUR 314M of fieldlab funding 2015-2019, public and private; TNO fieldlab "
          "monitoring (2014-2020): 58% of fieldlab money is public, so EUR 182M public over the 133 "
          "fieldlab-years of 2015-2019 (calibration/data/fieldlabs_active.csv) = EUR 1.37M a fieldlab-year; "
          "TNO (2019): about 600 firms in 35 fieldlabs (17 each) -> EUR 80k per member-year of any branch. "
          "Dialogic (2021): 29% of participants are manufacturers, and the model's members are "
          "manufacturers only, so EUR 80k / 0.29 = EUR 276k per manufacturing member-year. TNO's own "
          "total (EUR 95M public for 32 fieldlabs, 2014-2020) gives about EUR 35k per member of any "
          "branch (EUR 120k per manufacturer): the low end; EUR 150k / 0.29: the high end. Estimated "
          "(docs/VALIDATION.md section 8, 2026-12-01)",
          "Public money that keeps one manufacturing member firm in a fieldlab consortium for a year "
          "(the consortium's other members, 71% of participants, are not manufacturers and not in the "
          "model): a fieldlab's spending buys spending x 4 / this member places."),
    Param("fieldlab_member_turnover", 0.1, "1/year", (0, 1), (0.02, 0.3), "experimenting",
          _A + ": consortium partners commit for a project of three to five years; a tenth change a year",
          "Yearly share of a fieldlab's member firms that leave it (their place is offered to others)."),
    Param("demonstration_effect", 0.25, "share of expected gain per unit peer exposure", (0, 5), (0, 1),
          "adoption",
          _A + ": seeing a peer's working installation raises what a firm expects to gain (Leigh, Kraft & Lee "
          "2022: local robot users raise own adoption). With no visible peer adopter a firm expects "
          "1/(1 + this) of its gain; with all peers visible adopters, all of it",
          "How much visible adopters among peers raise the gain a deciding firm expects (champions' channel)."),
]

PARAMS: Mapping[str, Param] = MappingProxyType({p.name: p for p in _P})
assert len(PARAMS) == len(_P), "duplicate parameter name"


class ParameterError(ValueError):
    """A parameter name or value that the registry does not accept."""


def suggest(name: str, valid) -> str:
    """' (did you mean X?)' for the nearest valid name, or '' when nothing is close."""
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_value(name: str, value) -> float:
    """Validate one override against the registry; returns it as float."""
    if name not in PARAMS:
        raise ParameterError(f"unknown parameter '{name}'{suggest(name, PARAMS)}")
    p = PARAMS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"parameter '{name}' must be a number ({p.unit}), got {value!r}")
    lo, hi = p.bounds
    if not (lo <= value <= hi):
        raise ParameterError(f"parameter '{name}' = {value} is outside its bounds [{lo}, {hi}] ({p.unit})")
    if p.integer and float(value) != int(value):
        raise ParameterError(f"parameter '{name}' must be a whole number, got {value}")
    return float(value)


def resolve(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Defaults updated by overrides; every override checked against the registry."""
    values = {name: p.default for name, p in PARAMS.items()}
    for name, value in (overrides or {}).items():
        values[name] = check_value(name, value)
    return values


def table() -> list[dict]:
    """The registry as rows (for docs, the dashboard and `run.py params`)."""
    return [
        {"name": p.name, "default": p.default, "unit": p.unit, "low": p.plausible[0], "high": p.plausible[1],
         "bounds": p.bounds, "mechanism": p.mechanism, "source": p.source, "description": p.description}
        for p in _P
    ]
