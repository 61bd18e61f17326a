"""smartregion: an agent-based model (Mesa) of Smart Industry adoption, jobs, reshoring and
productivity in Dutch provinces. The command line is `smartregion` (or `python run.py` in a clone);
this module is the Python API, documented with examples in docs/API.md:

    import smartregion as sr
    s = sr.load_scenario("baseline")                        # a shipped scenario by name, or a path
    s = sr.with_changes(s, parameters={"bass_q": 0.5}, scale=0.1, replications=4)
    res = sr.run(s)                                         # the scenario against its counterfactual
    res.summary                                             # tidy pandas DataFrames with units
    model = sr.build_model(s, replication=0)                # one Mesa model, as the CLI's replication 0
    model.step(); model.firms                               # Mesa AgentSet of FirmAgent

Imports are lazy: `import smartregion` loads neither Mesa nor pandas until they are used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cached_property

__version__ = "0.1.0"

# Names re-exported from the subpackages, imported on first use (PEP 562).
_LAZY = {
    "Scenario": "smartregion.model.scenario", "ScenarioError": "smartregion.model.scenario",
    "load_scenario": "smartregion.model.scenario", "load_counterfactual": "smartregion.model.scenario",
    "to_yaml": "smartregion.model.scenario",
    "SmartIndustryModel": "smartregion.model.model", "RunResult": "smartregion.model.model",
    "PARAMS": "smartregion.model.params", "UNITS": "smartregion.model.results",
    "province_code": "smartregion.model.regions", "PROVINCE_NAMES": "smartregion.model.regions",
}

__all__ = ["Results", "build_model", "list_scenarios", "run", "with_changes", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'smartregion' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def _scenario(scenario):
    """A Scenario as given, or loaded from a name or a path."""
    from smartregion.model.scenario import Scenario, load_scenario

    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def list_scenarios() -> dict[str, str]:
    """The shipped scenarios: {name: first line of its description}."""
    from smartregion.model.scenario import list_scenarios as listed

    return dict(listed())


def with_changes(scenario, *, parameters: dict | None = None, policies: list[dict] | None = None,
                 name: str | None = None, seed: int | None = None, replications: int | None = None,
                 scale: float | None = None):
    """A copy of `scenario` (a Scenario, a shipped name or a path) with changes made in code,
    validated like a scenario file (ScenarioError on a bad value).

    parameters: behavioural parameter overrides by name (model/params.py), on top of the
        scenario's own.
    policies: entries as in a file that `extends` the scenario: a new instrument (with `type`),
        changes to an instrument by its name ({"name": "hub_zuid", "end": "2023Q4"}), or
        {"name": X, "remove": True}.
    name, seed, replications, scale: replace the scenario's.
    """
    from smartregion.model.params import suggest
    from smartregion.model.scenario import ScenarioError, scenario_from_dict

    s = _scenario(scenario)
    d = s.resolved_dict()
    d["parameters"].update(parameters or {})
    for i, entry in enumerate(policies or []):
        entry = dict(entry)
        names = [p["name"] for p in d["policies"]]
        at = names.index(entry["name"]) if entry.get("name") in names else None
        if entry.pop("remove", False):
            if at is None:
                raise ScenarioError("with_changes", f"policies[{i}].name", f"no instrument '{entry.get('name')}' to "
                                    f"remove{suggest(str(entry.get('name')), names)}; allowed: {', '.join(names)}")
            del d["policies"][at]
        elif at is not None:
            d["policies"][at].update(entry)
        else:
            d["policies"].append(entry)
    for key, value in (("name", name), ("seed", seed), ("replications", replications)):
        if value is not None:
            d[key] = value
    if scale is not None:
        d["population"]["scale"] = scale
    if d["counterfactual"] is None:
        d["counterfactual"] = "none"
    return scenario_from_dict(d, file=f"scenario {s.name} with changes")


@dataclass
class Results:
    """An ensemble's results: `scenario` against `counterfactual` (None if it has none), and the
    raw runs {replication: {"policy": RunResult, "counterfactual": RunResult}}. The tables are
    the ones `smartregion run` writes, as tidy pandas DataFrames with a `unit` column."""

    scenario: object
    counterfactual: object
    runs: dict = field(repr=False)
    # which parameters ran (calibration/parameterisation.py): .label() says it in one line
    parameterisation: object = None

    @cached_property
    def timeseries(self):
        """One row per arm, replication, quarter, province (and NL), metric: value and unit."""
        from smartregion.model.results import timeseries_frame

        return _with_units(timeseries_frame(self.runs))

    @cached_property
    def summary(self):
        """Per metric and province at the end of the horizon: policy and counterfactual means, the
        difference with its 90% band (difference_p5, difference_p95), unit and note; as summary.csv."""
        import numpy as np

        from smartregion.model.results import summary_frame

        out = summary_frame(self.runs)  # carries its unit column already (model/units.py)
        if self.parameterisation is None:
            return out
        from smartregion.calibration.parameterisation import annotate_summary

        final = {arm: np.stack([self.runs[r][arm].metrics[-1] for r in sorted(self.runs)])
                 for arm in ("policy", "counterfactual") if self.counterfactual is not None or arm == "policy"}
        return annotate_summary(out, self.parameterisation, final["policy"], final.get("counterfactual"))

    @cached_property
    def breakdown(self):
        """National figures by sector and by size class (group, category), with units."""
        from smartregion.model.results import breakdown_frame

        return _with_units(breakdown_frame(self.runs))

    def headline(self, province: str = "NL"):
        """The terminal table of `smartregion run` (net jobs, adopters, spending ...) for NL or a
        province given by code or name."""
        from smartregion.model.regions import province_code
        from smartregion.model.results import headline

        return headline(self.summary, province if province == "NL" else province_code(province) or province)


def _with_units(df):
    from smartregion.model.results import UNITS

    df.insert(df.columns.get_loc("metric") + 1, "unit", df["metric"].astype(str).map(UNITS))
    return df


def run(scenario, *, replications: int | None = None, seed: int | None = None, scale: float | None = None,
        workers: int = 1, scheduler: str | None = None, parameters: str | None = None,
        posterior: str | None = None) -> Results:
    """Run `scenario` (a Scenario, a shipped name or a path) against its counterfactual, with the
    seeds of `smartregion run`: the same scenario, seed and replications give the same numbers.

    replications, seed, scale: override the scenario's (as the CLI's flags do).
    workers: local processes; scheduler: a Dask address or "local". Neither changes the numbers.
    parameters: "calibrated" (default: drawn from the shipped posterior, as the CLI) or "defaults";
    posterior: another posterior.csv. `Results.parameterisation.label()` says which ran.
    """
    from smartregion.calibration.parameterisation import apply, choose
    from smartregion.model.ensemble import Executor, ensemble_spec, run_ensemble
    from smartregion.model.scenario import load_counterfactual

    s = _scenario(scenario)
    if any(v is not None for v in (replications, seed, scale)):
        s = with_changes(s, replications=replications, seed=seed, scale=scale)
    cf = load_counterfactual(s)
    par = choose(parameters, s, posterior)  # ParameterisationError (one line) for a stale posterior
    runs = run_ensemble(apply(ensemble_spec(s, cf), par), Executor(workers=workers, scheduler=scheduler))
    return Results(s, cf, runs, par)


def build_model(scenario, replication: int = 0, arm: str = "policy"):
    """One SmartIndustryModel (a mesa.Model), not yet stepped, for replication `replication` of
    `scenario` (a Scenario, a shipped name or a path): the same seed, population and numbers as
    that replication of `smartregion run`. arm="counterfactual" builds its counterfactual.

    `model.step()` simulates one quarter, `model.run()` the rest of the horizon; `model.firms` is
    a Mesa AgentSet of FirmAgent views, `model.datacollector` a Mesa DataCollector.
    """
    from smartregion.model.model import SmartIndustryModel
    from smartregion.model.scenario import load_counterfactual

    s = _scenario(scenario)
    if arm == "counterfactual":
        s = load_counterfactual(s)
        if s is None:
            raise ValueError(f"scenario {_scenario(scenario).name} has no counterfactual")
    elif arm != "policy":
        raise ValueError(f"arm {arm!r}; allowed: 'policy' or 'counterfactual'")
    return SmartIndustryModel(s, replication=replication)
