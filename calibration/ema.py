"""The model as an EMA Workbench `ReplicatorModel`: uncertainties, levers, outcomes.

    from smartregion.calibration.ema import Lever, build_model
    model = build_model("scenarios/fieldlab_expansion_north.yaml",
                        uncertainties=["experiment_rate", "routine_displacement"],
                        levers=[Lever("north_fieldlabs", "count", 1, 12)], replications=3, scale=0.25)
    experiments, outcomes = ema_workbench.perform_experiments(model, scenarios=100, policies=4)

- Uncertainties are registry parameters over their plausible ranges (the same ranges as the
  calibration priors and the SALib problem); whole-number parameters become IntegerParameters.
- Levers are fields of the scenario's named instruments (`north_fieldlabs.count`), named
  `<instrument>__<field>` in EMA; every value is re-validated by the instrument's schema.
- Outcomes are scenario minus counterfactual at the end of the horizon, per full population,
  for the Netherlands and each hub region (model/regions.py HUBS), averaged over replications.
- Replications are a list of seed indices, {"replication": i}; replication i runs both arms
  with the i-th SeedSequence of the scenario seed, in every experiment (common random numbers
  across experiments and arms; unlike the Workbench's Mesa example, nothing is unseeded).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
from ema_workbench import (
    IntegerParameter,
    RealParameter,
    ReplicatorModel,
    ScalarOutcome,
)
from pydantic import TypeAdapter, ValidationError

from smartregion.model.ensemble import ReplicationTask, run_replication, spec_of
from smartregion.model.params import PARAMS, suggest
from smartregion.model.policies import Instrument
from smartregion.model.regions import HUBS
from smartregion.model.scenario import Population, load_counterfactual, load_scenario
from smartregion.model.streams import replication_seeds

_INSTRUMENT = TypeAdapter(Instrument)


class EmaError(ValueError):
    """An uncertainty or lever the model cannot take (one line, what is allowed)."""


@dataclass(frozen=True)
class Lever:
    instrument: str  # name of an instrument in the scenario
    field: str  # one of its settings (count, capacity_per_year, budget_eur, ...)
    low: float
    high: float
    integer: bool = False

    @property
    def name(self) -> str:
        return f"{self.instrument}__{self.field}"


def outcome_names() -> list[str]:
    return (["net_jobs_NL"] + [f"net_jobs_{hub}" for hub in HUBS]
            + ["net_adopters_NL", "adoption_rate_pct_NL", "extra_spend_meur_NL", "net_jobs_per_meur_NL"])


def _with_levers(scenario, levers: dict):
    """The scenario with lever values written into its instruments (validated by their schema)."""
    policies = list(scenario.policies)
    for key, value in levers.items():
        instrument, field = key.split("__", 1)
        i = next(k for k, p in enumerate(policies) if p.name == instrument)
        policies[i] = _INSTRUMENT.validate_python({**policies[i].model_dump(), field: value})
    return scenario.model_copy(update={"policies": policies})


@functools.lru_cache(maxsize=4)
def _scenarios(path: str, scale: float, seed: int):
    s = load_scenario(path)
    s = s.model_copy(update={"seed": seed, "population": Population(scale=scale, network=s.population.network)})
    return s, load_counterfactual(s)


class SmartRegionFunction:
    """f(replication, **uncertainties and levers) -> outcomes, as ReplicatorModel calls it.
    A picklable object (not a closure), so EMA's multiprocessing evaluator can ship it."""

    def __init__(self, scenario_path: str, scale: float, seed: int, replications: int):
        self.scenario_path, self.scale, self.seed, self.replications = scenario_path, scale, seed, replications

    def __call__(self, replication: int, **kwargs) -> dict[str, float]:
        scenario, cf = _scenarios(self.scenario_path, self.scale, self.seed)
        params = {k: v for k, v in kwargs.items() if k in PARAMS}
        levers = {k: v for k, v in kwargs.items() if "__" in k}
        arms = {}
        for arm, s in (("policy", _with_levers(scenario, levers)), ("counterfactual", cf)):
            spec = spec_of(s)
            arms[arm] = dataclasses.replace(spec, parameters={**spec.parameters, **params})
        seed = replication_seeds(self.seed, self.replications)[replication]
        _, res = run_replication(ReplicationTask(replication, seed, arms))
        pol, base = res["policy"], res["counterfactual"]

        def diff(metric, regions=("NL",)):
            return sum(pol.value(metric, r) - base.value(metric, r) for r in regions)  # whole economy

        out = {"net_jobs_NL": diff("employment")}
        out.update({f"net_jobs_{hub}": diff("employment", provinces) for hub, provinces in HUBS.items()})
        spend = diff("public_spend_eur")
        out.update({"net_adopters_NL": diff("adopters"), "adoption_rate_pct_NL": 100 * pol.value("adoption_rate"),
                    "extra_spend_meur_NL": spend / 1e6,
                    "net_jobs_per_meur_NL": out["net_jobs_NL"] / (spend / 1e6) if spend > 0 else float("nan")})
        return out


def build_model(scenario_path: str, uncertainties: list[str], levers: list[Lever], replications: int = 3,
                scale: float = 0.25, seed: int | None = None, name: str = "smartregion") -> ReplicatorModel:
    """A ReplicatorModel of the scenario against its counterfactual (EmaError on bad names)."""
    scenario = load_scenario(scenario_path)
    if load_counterfactual(scenario) is None:
        raise EmaError(f"{scenario_path}: has no counterfactual; allowed: a scenario with one (net effects)")
    for u in uncertainties:
        if u not in PARAMS:
            raise EmaError(f"uncertainty '{u}' is not a parameter{suggest(u, PARAMS)}; allowed: model/params.py names")
    names = [p.name for p in scenario.policies]
    for lever in levers:
        if lever.instrument not in names:
            raise EmaError(f"lever {lever.name}: no instrument '{lever.instrument}'{suggest(lever.instrument, names)} "
                           f"in {scenario_path}; allowed: {', '.join(names)}")
        inst = scenario.instrument(lever.instrument)
        for value in (lever.low, lever.high):
            try:
                _INSTRUMENT.validate_python({**inst.model_dump(), lever.field: value})
            except ValidationError as e:
                raise EmaError(f"lever {lever.name} = {value}: {e.errors()[0]['msg']}; allowed: a field of "
                               f"{type(inst).__name__} ({', '.join(type(inst).model_fields)}) "
                               "with valid values") from None
    seed = scenario.seed if seed is None else seed
    model = ReplicatorModel(name, function=SmartRegionFunction(str(scenario_path), scale, seed, replications))
    model.uncertainties = [
        IntegerParameter(u, int(PARAMS[u].plausible[0]), int(PARAMS[u].plausible[1])) if PARAMS[u].integer
        else RealParameter(u, *PARAMS[u].plausible) for u in uncertainties]
    model.levers = [IntegerParameter(lv.name, int(lv.low), int(lv.high)) if lv.integer
                    else RealParameter(lv.name, lv.low, lv.high) for lv in levers]
    model.outcomes = [ScalarOutcome(o, function=np.mean) for o in outcome_names()]
    model.replications = [{"replication": i} for i in range(replications)]
    return model
