"""What the dashboard's sliders do to a scenario: ordinary, validated scenario edits.

Every lever becomes a named instrument (`dashboard_...`) or a parameter override in a
`Scenario` built by `model.scenario.scenario_from_dict`, the same validation a file gets. So
the YAML the dashboard exports is a plain scenario file, and `run.py run` on it computes the
numbers the page shows.

Policy levers add instruments from LEVER_START to the end of the programme end year. The
end-year lever also stops the scenario's own instruments then, announced at the start of
that year (one year's notice, as in scenarios/policy_discontinuity.yaml). A stopped
instrument keeps its spending rate: its budget shrinks to what it would have spent by then,
so stopping early never makes the remaining quarters richer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from smartregion.model import data
from smartregion.model.params import PARAMS
from smartregion.model.regions import HUBS
from smartregion.model.scenario import Scenario, scenario_from_dict
from smartregion.model.timeline import format_quarter, parse_quarter

# MODEL_BRIEF section 1: "if my province funds four more fieldlabs from 2026".
LEVER_START = "2026Q1"
# Assumption, as scenarios/fieldlab_expansion_north.yaml: EUR 12M for 4 fieldlabs over 5 years.
FIELDLAB_EUR_PER_YEAR = 600_000
# Assumption, as the hubs of scenarios/baseline.yaml.
HUB_VISIBILITY_BOOST = 0.2
# The key uncertain parameters offered as sliders; range, unit and label come from PARAMS.
UNCERTAIN = ("bass_q", "knowledge_spillover", "productivity_gain")
HUB_REGIONS = tuple(HUBS)
HUB_LABELS = {"noord": "Noord", "oost": "Oost", "zuid": "Zuid", "zuid_holland": "Zuid-Holland",
              "noordwest": "Noordwest"}
# Instruments whose budget is spread evenly over their window (unless eur_per_quarter is set);
# the others (subsidy, reshoring support) pay per firm until the budget, a cap, is spent.
_SPREAD = ("fieldlab", "historical_fieldlabs", "hub_outreach", "training")


@dataclass(frozen=True)
class Levers:
    """Policy on top of the scenario, from LEVER_START to the end of `end_year`."""

    fieldlabs: tuple[int, ...] = field(default=(0,) * len(HUB_REGIONS))  # new fieldlabs per hub region
    fieldlab_capacity: float = 6.0  # firms a new fieldlab takes in per year (model/policies.py default)
    hub_meur_per_year: float = 0.0  # extra outreach budget per hub region, EUR M a year
    subsidy_rate: float = 0.0  # share of an adopter's investment paid
    subsidy_meur_per_year: float = 0.0  # national subsidy budget, EUR M a year
    training_meur_per_year: float = 0.0  # national retraining budget, EUR M a year
    end_year: int | None = None  # programme end; None: the horizon's end, nothing stopped

    def with_fieldlabs(self, hub: str, count: int) -> Levers:
        counts = list(self.fieldlabs)
        counts[HUB_REGIONS.index(hub)] = int(count)
        return replace(self, fieldlabs=tuple(counts))


def end_quarter(scenario: Scenario, end_year: int | None) -> str:
    """Last quarter of the programme: Q4 of end_year, never past the horizon."""
    if end_year is None:
        return scenario.horizon.end
    return format_quarter(min(parse_quarter(f"{end_year}Q4"), parse_quarter(scenario.horizon.end)))


def levers_possible(scenario: Scenario) -> bool:
    """Levers start in LEVER_START; a horizon that ends before has no room for them."""
    return parse_quarter(scenario.horizon.end) >= parse_quarter(LEVER_START)


def _spent_share(p: dict, end: int) -> float:
    """Share of an evenly spread budget that falls in quarters up to `end`."""
    start, old_end = parse_quarter(p["start"]), parse_quarter(p["end"])
    if p["type"] == "historical_fieldlabs":  # spread over fieldlab-quarters, not quarters
        active = data.fieldlabs_active(start, old_end)
        return float(active[: end - start + 1].sum() / max(active.sum(), 1))
    return (end - start + 1) / (old_end - start + 1)


def _stop(p: dict, end_q: str) -> dict | None:
    """The instrument stopped at end_q (None if it would only start later)."""
    end = parse_quarter(end_q)
    if parse_quarter(p["start"]) > end:
        return None
    if parse_quarter(p["end"]) <= end:
        return p
    announce = max(parse_quarter(p["start"]), parse_quarter(f"{end_q[:4]}Q1"))
    if p.get("end_announced") is not None:
        announce = min(announce, parse_quarter(p["end_announced"]))
    out = {**p, "end": end_q, "end_announced": format_quarter(announce)}
    if p["type"] in _SPREAD and p.get("eur_per_quarter") is None:
        out["budget_eur"] = round(p["budget_eur"] * _spent_share(p, end), 2)
    return out


def lever_instruments(levers: Levers, end_q: str) -> list[dict]:
    """The instruments the levers add, in scenario-file form."""
    years = (parse_quarter(end_q) - parse_quarter(LEVER_START) + 1) / 4
    if years <= 0:
        return []
    window = {"start": LEVER_START, "end": end_q}
    out = []
    for hub, count in zip(HUB_REGIONS, levers.fieldlabs):
        if count > 0:
            out.append({"name": f"dashboard_fieldlabs_{hub}", "type": "fieldlab", "provinces": [hub],
                        "count": count, "capacity_per_year": levers.fieldlab_capacity, **window,
                        "budget_eur": round(count * FIELDLAB_EUR_PER_YEAR * years, 2)})
    if levers.hub_meur_per_year > 0:
        for hub in HUB_REGIONS:
            out.append({"name": f"dashboard_outreach_{hub}", "type": "hub_outreach", "provinces": [hub], **window,
                        "budget_eur": round(levers.hub_meur_per_year * 1e6 * years, 2),
                        "visibility_boost": HUB_VISIBILITY_BOOST})
    if levers.subsidy_rate > 0 and levers.subsidy_meur_per_year > 0:
        out.append({"name": "dashboard_subsidy", "type": "adoption_subsidy", "rate": levers.subsidy_rate, **window,
                    "budget_eur": round(levers.subsidy_meur_per_year * 1e6 * years, 2)})
    if levers.training_meur_per_year > 0:
        out.append({"name": "dashboard_training", "type": "training", **window,
                    "budget_eur": round(levers.training_meur_per_year * 1e6 * years, 2)})
    return out


def apply(base: Scenario, levers: Levers, parameters: dict[str, float], replications: int, seed: int,
          against_base: bool = False) -> Scenario:
    """The base scenario with the dashboard's edits; ScenarioError if the result is invalid.

    `parameters` are slider values of UNCERTAIN parameters; only those that differ from what
    the base scenario uses become overrides. `against_base` compares against the base
    scenario's file (the effect of the edits alone) instead of its own counterfactual; a
    scenario that is its own counterfactual (no_policy) is always compared against its file
    once levers add policy to it."""
    d = base.resolved_dict()
    d.pop("source_file")
    end_q = end_quarter(base, levers.end_year)
    policies = [q for q in (_stop(p, end_q) for p in d["policies"]) if q is not None]
    added = lever_instruments(levers, end_q) if levers_possible(base) else []
    values = base.parameter_values()
    overrides = {k: float(v) for k, v in parameters.items() if float(v) != values[k]}
    edited = policies != d["policies"] or added or overrides
    d.update(policies=policies + added, parameters={**d["parameters"], **overrides},
             replications=int(replications), seed=int(seed))
    if edited:
        d["name"] = f"{base.name}_dashboard"
        d["description"] = (d["description"].rstrip("\n") + "\n" + describe(levers, overrides, end_q)).lstrip("\n")
    if (against_base or (edited and d["counterfactual"] is None)) and base.source_file:
        d["counterfactual"] = base.source_file
    return scenario_from_dict(d, file="dashboard settings")


def describe(levers: Levers, overrides: dict[str, float], end_q: str) -> str:
    """One line saying what the dashboard changed (goes into the exported description)."""
    parts = []
    fl = [f"{HUB_LABELS[h]} {n}" for h, n in zip(HUB_REGIONS, levers.fieldlabs) if n]
    if fl:
        parts.append(f"new fieldlabs ({', '.join(fl)}; {levers.fieldlab_capacity:g} firms/year each)")
    if levers.hub_meur_per_year:
        parts.append(f"hub outreach +EUR {levers.hub_meur_per_year:g}M/year per hub region")
    if levers.subsidy_rate and levers.subsidy_meur_per_year:
        parts.append(f"adoption subsidy {levers.subsidy_rate:.0%} up to EUR {levers.subsidy_meur_per_year:g}M/year")
    if levers.training_meur_per_year:
        parts.append(f"training EUR {levers.training_meur_per_year:g}M/year")
    if levers.end_year is not None:
        parts.append(f"programme ends {end_q}")
    parts += [f"{k} = {v:g} {PARAMS[k].unit}" for k, v in overrides.items()]
    return f"Dashboard edits (from {LEVER_START}): " + "; ".join(parts) + "."
