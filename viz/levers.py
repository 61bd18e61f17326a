"""What the dashboard's sliders do to a scenario: ordinary, validated scenario edits.

Every lever becomes a named instrument (`dashboard_...`) or a parameter override in a
`Scenario` built by `model.scenario.scenario_from_dict`, the same validation a file gets. So
the YAML the dashboard exports is a plain scenario file, and `run.py run` on it computes the
numbers the page shows.

Policy levers add instruments from LEVER_START (or a later first year chosen per lever) to
the lever's last year or the programme end year, whichever comes first; fieldlabs per
province, outreach per hub region, subsidy and training for chosen provinces. The
end-year lever also stops the scenario's own instruments then, announced at the start of
that year (one year's notice, as in scenarios/policy_discontinuity.yaml). A stopped
instrument keeps its spending rate: its budget shrinks to what it would have spent by then,
so stopping early never makes the remaining quarters richer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from smartregion.model import data
from smartregion.model.params import PARAMS
from smartregion.model.regions import HUBS, PROVINCE_NAMES, PROVINCES
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


NO_FIELDLABS = (0,) * len(PROVINCES)
DEFAULT_CAPACITY = 6.0  # firms a new fieldlab takes in per year (model/policies.py default)


@dataclass(frozen=True)
class Levers:
    """Policy on top of the scenario. Each lever acts in its own years (first, last; None:
    from LEVER_START to the horizon's end), and the programme end year stops everything."""

    fieldlabs: tuple[int, ...] = NO_FIELDLABS  # new fieldlabs per province (PROVINCES order)
    fieldlab_capacity: tuple[float, ...] = (DEFAULT_CAPACITY,) * len(PROVINCES)  # firms a year each, per province
    fieldlab_years: tuple[int, int] | None = None
    hub_meur: tuple[float, ...] = (0.0,) * len(HUB_REGIONS)  # extra outreach per hub region, EUR M a year
    outreach_years: tuple[int, int] | None = None
    subsidy_rate: float = 0.0  # share of an adopter's investment paid
    subsidy_meur_per_year: float = 0.0  # subsidy budget, EUR M a year
    subsidy_provinces: tuple[str, ...] = ()  # only firms in these provinces; (): every province
    subsidy_years: tuple[int, int] | None = None
    training_meur_per_year: float = 0.0  # retraining budget, EUR M a year
    training_provinces: tuple[str, ...] = ()
    training_years: tuple[int, int] | None = None
    end_year: int | None = None  # programme end; None: the horizon's end, nothing stopped

    def with_fieldlabs(self, province: str, count: int) -> Levers:
        counts = list(self.fieldlabs)
        counts[PROVINCES.index(province)] = int(count)
        return replace(self, fieldlabs=tuple(counts))

    def with_capacity(self, province: str, capacity: float) -> Levers:
        caps = list(self.fieldlab_capacity)
        caps[PROVINCES.index(province)] = float(capacity)
        return replace(self, fieldlab_capacity=tuple(caps))

    def with_outreach(self, hub: str, meur: float) -> Levers:
        budgets = list(self.hub_meur)
        budgets[HUB_REGIONS.index(hub)] = float(meur)
        return replace(self, hub_meur=tuple(budgets))

    def valid_shape(self) -> bool:
        """Per-province and per-hub tuples of the right length (a shared link may carry others)."""
        return (len(self.fieldlabs) == len(self.fieldlab_capacity) == len(PROVINCES)
                and len(self.hub_meur) == len(HUB_REGIONS)
                and set(self.subsidy_provinces) | set(self.training_provinces) <= set(PROVINCES))


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


def _window(years: tuple[int, int] | None, end_q: str) -> dict | None:
    """A lever's quarters: from Q1 of its first year (not before LEVER_START) to Q4 of its last,
    cut at the programme's end; None if nothing is left."""
    first, last = years if years is not None else (int(LEVER_START[:4]), int(end_q[:4]))
    start = max(parse_quarter(f"{first}Q1"), parse_quarter(LEVER_START))
    end = min(parse_quarter(f"{last}Q4"), parse_quarter(end_q))
    if end < start:
        return None
    return {"start": format_quarter(start), "end": format_quarter(end), "years": (end - start + 1) / 4}


def lever_instruments(levers: Levers, end_q: str) -> list[dict]:
    """The instruments the levers add, in scenario-file form. A subsidy rate needs a budget
    (the page links the two): without either it adds nothing."""
    out = []

    def add(d: dict, window: dict | None, eur_per_year: float) -> None:
        if window is not None:
            out.append({**d, "start": window["start"], "end": window["end"],
                        "budget_eur": round(eur_per_year * window["years"], 2)})

    w = _window(levers.fieldlab_years, end_q)
    for p, count, cap in zip(PROVINCES, levers.fieldlabs, levers.fieldlab_capacity):
        if count > 0:
            add({"name": f"dashboard_fieldlabs_{p}", "type": "fieldlab", "provinces": [p], "count": count,
                 "capacity_per_year": cap}, w, count * FIELDLAB_EUR_PER_YEAR)
    w = _window(levers.outreach_years, end_q)
    for hub, meur in zip(HUB_REGIONS, levers.hub_meur):
        if meur > 0:
            add({"name": f"dashboard_outreach_{hub}", "type": "hub_outreach", "provinces": [hub],
                 "visibility_boost": HUB_VISIBILITY_BOOST}, w, meur * 1e6)
    where = lambda provinces: {"provinces": list(provinces)} if provinces else {}
    if levers.subsidy_rate > 0 and levers.subsidy_meur_per_year > 0:
        add({"name": "dashboard_subsidy", "type": "adoption_subsidy", "rate": levers.subsidy_rate,
             **where(levers.subsidy_provinces)}, _window(levers.subsidy_years, end_q),
            levers.subsidy_meur_per_year * 1e6)
    if levers.training_meur_per_year > 0:
        add({"name": "dashboard_training", "type": "training", **where(levers.training_provinces)},
            _window(levers.training_years, end_q), levers.training_meur_per_year * 1e6)
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


def _years(years: tuple[int, int] | None) -> str:
    return "" if years is None else f", {years[0]}-{years[1]}"


def describe(levers: Levers, overrides: dict[str, float], end_q: str) -> str:
    """One line saying what the dashboard changed (goes into the exported description)."""
    parts = []
    fl = [f"{PROVINCE_NAMES[p]} {n} ({c:g} firms/year each)"
          for p, n, c in zip(PROVINCES, levers.fieldlabs, levers.fieldlab_capacity) if n]
    if fl:
        parts.append(f"new fieldlabs ({', '.join(fl)}{_years(levers.fieldlab_years)})")
    hubs = [f"{HUB_LABELS[h]} EUR {m:g}M/year" for h, m in zip(HUB_REGIONS, levers.hub_meur) if m]
    if hubs:
        parts.append(f"hub outreach ({', '.join(hubs)}{_years(levers.outreach_years)})")
    only = lambda provinces: f" in {', '.join(PROVINCE_NAMES[p] for p in provinces)}" if provinces else ""
    if levers.subsidy_rate and levers.subsidy_meur_per_year:
        parts.append(f"adoption subsidy {levers.subsidy_rate:.0%} up to EUR {levers.subsidy_meur_per_year:g}M/year"
                     f"{only(levers.subsidy_provinces)}{_years(levers.subsidy_years)}")
    if levers.training_meur_per_year:
        parts.append(f"training EUR {levers.training_meur_per_year:g}M/year{only(levers.training_provinces)}"
                     f"{_years(levers.training_years)}")
    if levers.end_year is not None:
        parts.append(f"programme ends {end_q}")
    parts += [f"{k} = {v:g} {PARAMS[k].unit}" for k, v in overrides.items()]
    return f"Dashboard edits (from {LEVER_START}): " + "; ".join(parts) + "."
