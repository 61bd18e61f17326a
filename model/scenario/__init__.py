"""Scenario files: what is simulated, under which policies, compared against what.

A scenario is a YAML file in `scenarios/` that policy analysts edit by hand:

```yaml
name: fieldlab_expansion_north          # default: the file name without .yaml
description: Four extra fieldlabs in the North from 2026.
extends: baseline                       # start from scenarios/baseline.yaml
counterfactual: baseline                # compare against it (default: no_policy)
horizon: {start: 2014Q1, end: 2030Q4}
seed: 20140101
replications: 20
parameters: {bass_q: 0.4}               # overrides of model/params.py, checked there
population: {scale: 1.0, network: peers}
policies:                               # instruments of model/policies.py, by `type`
  - name: north_fieldlabs
    type: fieldlab
    provinces: [GR, FR, DR]
    start: 2026Q1
    end: 2030Q4
    budget_eur: 12_000_000
```

`extends` merges the parent into the child: scalars (seed, replications) are replaced;
`horizon`, `parameters` and `population` key by key; `policies` are the parent's list followed
by the child's, except that a child entry whose `name` is that of a parent instrument changes
that instrument field by field (`{name: historical_fieldlabs, end: 2027Q4}`) and
`{name: X, remove: true}` drops it. `name`, `description` and `counterfactual` belong to the
file and are not inherited. Unnamed instruments are named `<type>_<position>`.

Reading never executes anything: only PyYAML's SafeLoader is used, tags other than plain YAML
values are refused before construction, and documents that would expand to more than
`MAX_NODES` nodes through aliases (the "billion laughs") are refused without expanding them.
Every problem is raised as one `ScenarioError` line: file, key path, YAML line, what is wrong
and what is allowed.

The package, by responsibility (each module readable on its own):

- `schema`: the pydantic models of a file and of a resolved `Scenario`, defaults and the JSON Schema;
- `safe_yaml`: reading YAML without executing anything, within size limits (`parse_yaml`);
- `resolve`: finding files, `extends` and instrument patches, `load_scenario` and friends;
- `messages`: `ScenarioError` and pydantic's errors turned into one readable line;
- `export`: the resolved scenario written back as YAML (`to_yaml`).
"""

from .export import to_yaml
from .messages import ScenarioError
from .resolve import (
    MAX_EXTENDS_DEPTH,
    list_scenarios,
    load_counterfactual,
    load_scenario,
    scenario_from_dict,
    scenario_from_yaml_text,
)
from .safe_yaml import MAX_ALIASES, MAX_FILE_BYTES, MAX_NODES, line_of, parse_yaml
from .schema import (
    DEFAULT_COUNTERFACTUAL,
    DEFAULT_END,
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    DEFAULT_START,
    EARLIEST_START,
    INSTRUMENT_MODELS,
    LATEST_END,
    MAX_INSTRUMENTS,
    NO_COUNTERFACTUAL,
    REPO_ROOT,
    SCENARIO_DIR,
    SHIPPED_SCENARIOS,
    Horizon,
    HorizonFile,
    InstrumentChange,
    Population,
    Scenario,
    scenario_json_schema,
)

__all__ = [
    "SCENARIO_DIR", "ScenarioError", "Horizon", "Population", "Scenario", "load_scenario", "load_counterfactual",
    "scenario_from_dict", "scenario_from_yaml_text", "to_yaml", "scenario_json_schema", "list_scenarios",
    "parse_yaml", "line_of",
    "DEFAULT_COUNTERFACTUAL", "DEFAULT_END", "DEFAULT_REPLICATIONS", "DEFAULT_SEED", "DEFAULT_START", "EARLIEST_START",
    "LATEST_END", "NO_COUNTERFACTUAL", "REPO_ROOT", "SHIPPED_SCENARIOS", "INSTRUMENT_MODELS", "HorizonFile",
    "InstrumentChange", "MAX_FILE_BYTES", "MAX_NODES", "MAX_ALIASES", "MAX_EXTENDS_DEPTH", "MAX_INSTRUMENTS",
]
