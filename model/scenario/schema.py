"""What a scenario may contain: the pydantic models of one file (`_FileModel`, checked before
`extends` is merged) and of a resolved `Scenario` (what the model runs), their defaults, and
the JSON Schema of the file format for editors (`scenario_json_schema`)."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import typing
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..params import PARAMS, ParameterError, check_value, resolve, suggest
from ..policies import EARLIEST_QUARTER, INSTRUMENT_TYPES, LATEST_QUARTER, Instrument
from ..regions import HUBS, SECTORS, SIZE_CLASSES, province_choices
from ..timeline import parse_quarter

# The shipped scenarios are package data (pyproject.toml): the installed copy in a wheel install,
# the clone's scenarios/ in an editable one.
SCENARIO_DIR: Path = Path(str(resources.files("smartregion") / "scenarios")).resolve()
REPO_ROOT: Path = SCENARIO_DIR.parent

DEFAULT_START = "2014Q1"  # programme start (seed 004) and first quarter of the data
DEFAULT_END = "2030Q4"
EARLIEST_START = EARLIEST_QUARTER  # the population and fieldlab data start here
LATEST_END = LATEST_QUARTER  # beyond this the model's assumptions (wages, technology) mean nothing
DEFAULT_SEED = 20140101
DEFAULT_REPLICATIONS = 20
DEFAULT_COUNTERFACTUAL = "no_policy"
NO_COUNTERFACTUAL = "none"

MAX_INSTRUMENTS = 200  # baseline has 14; the model loops over instruments every quarter

_QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
_NUMBER_TEXT = re.compile(r"^\s*[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?\s*$")


def _instrument_models() -> dict[str, type[BaseModel]]:
    union = typing.get_args(Instrument)[0]
    return {typing.get_args(m.model_fields["type"].annotation)[0]: m for m in typing.get_args(union)}


INSTRUMENT_MODELS: dict[str, type[BaseModel]] = _instrument_models()
assert tuple(INSTRUMENT_MODELS) == tuple(INSTRUMENT_TYPES), "policies.INSTRUMENT_TYPES out of sync"


def _no_bool(v):
    if isinstance(v, bool):
        raise ValueError(f"must be a number, got {str(v).lower()}")
    return v


def _horizon_quarter(v: str) -> str:
    q = parse_quarter(v)
    if q < parse_quarter(EARLIEST_START):
        raise ValueError(f"{v} is before {EARLIEST_START}, where the data start; "
                         f"allowed: {EARLIEST_START} to {LATEST_END}")
    if q > parse_quarter(LATEST_END):
        raise ValueError(f"{v} is after {LATEST_END}; allowed: {EARLIEST_START} to {LATEST_END}")
    return v


class HorizonFile(BaseModel):
    """Simulated period as it may be written in a file (each bound optional, inherited)."""

    model_config = ConfigDict(extra="forbid", title="Horizon")

    start: str = Field(DEFAULT_START, description=f"First simulated quarter, {EARLIEST_START} or later.",
                       json_schema_extra={"pattern": _QUARTER_PATTERN})
    end: str = Field(DEFAULT_END, description=f"Last simulated quarter (inclusive), {LATEST_END} at the latest.",
                     json_schema_extra={"pattern": _QUARTER_PATTERN})

    @field_validator("start", "end")
    @classmethod
    def _quarter(cls, v):
        return _horizon_quarter(v)


class Horizon(HorizonFile):
    """Simulated period, first and last quarter inclusive (one model step per quarter)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Horizon")

    @model_validator(mode="after")
    def _order(self):
        if parse_quarter(self.end) <= parse_quarter(self.start):
            raise ValueError(f"end {self.end} is not after start {self.start}; allowed: an end quarter after the start")
        return self

    @property
    def n_quarters(self) -> int:
        return parse_quarter(self.end) - parse_quarter(self.start) + 1


class Population(BaseModel):
    """The synthetic firm population and its peer network."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scale: float = Field(1.0, gt=0, le=50, description="Multiplies the number of firms (1 = all Dutch "
                                                       "manufacturing firms with 2+ workers, about 27,000); "
                                                       "below 1 for quick runs.")
    network: Literal["peers", "well_mixed"] = Field(
        "peers", description="peers: sparse peer network by sector and distance; well_mixed: everyone sees "
                             "everyone equally (the Bass-model limit).")

    @field_validator("scale", mode="before")
    @classmethod
    def _scale_not_bool(cls, v):
        return _no_bool(v)


_DESCRIPTIONS = {
    "name": "Scenario name used in outputs; default: the file name without .yaml.",
    "description": "What the scenario represents; the first line is shown in scenario lists.",
    "extends": "Parent scenario to start from: a name (baseline -> baseline.yaml next to this file, else "
               "in the shipped scenarios/ directory) or a relative path to a .yaml file.",
    "counterfactual": "Scenario the policy effects are measured against (same seeds, its policies instead "
                      f"of these), by name or path like extends; default {DEFAULT_COUNTERFACTUAL}; "
                      f"'{NO_COUNTERFACTUAL}' only for a scenario without policies.",
    "horizon": f"Simulated quarters; default {DEFAULT_START} to {DEFAULT_END}.",
    "seed": "Root random seed; replication i uses a stream derived from it.",
    "replications": "Runs with different random streams, for uncertainty bands.",
    "parameters": "Overrides of behavioural parameters (model/params.py), by name.",
    "population": "Size of the synthetic firm population and kind of peer network.",
    "parameterisation": "Where the estimated parameters come from: calibrated (default: drawn per replication "
                        "from the shipped posterior, calibration/fitted/baseline) or defaults (the registry "
                        "defaults of model/params.py).",
    "policies": "Policy instruments (model/policies.py), selected by `type`. In a scenario that extends "
                "another, an entry with the name of a parent instrument changes that instrument; "
                "{name: X, remove: true} drops it.",
}


class _FileBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, description=_DESCRIPTIONS["name"])
    description: str | None = Field(None, description=_DESCRIPTIONS["description"])
    extends: str | None = Field(None, description=_DESCRIPTIONS["extends"], examples=["baseline"])
    counterfactual: str | None = Field(DEFAULT_COUNTERFACTUAL, description=_DESCRIPTIONS["counterfactual"],
                                       examples=["no_policy", "baseline", "none"])
    horizon: HorizonFile | None = Field(None, description=_DESCRIPTIONS["horizon"])
    seed: int = Field(DEFAULT_SEED, ge=0, le=2**63 - 1, description=_DESCRIPTIONS["seed"])
    replications: int = Field(DEFAULT_REPLICATIONS, ge=1, le=10_000, description=_DESCRIPTIONS["replications"])
    parameters: dict[str, Any] | None = Field(None, description=_DESCRIPTIONS["parameters"])
    population: Population | None = Field(None, description=_DESCRIPTIONS["population"])
    parameterisation: Literal["calibrated", "defaults"] | None = Field(
        None, description=_DESCRIPTIONS["parameterisation"])

    @field_validator("seed", "replications", mode="before")
    @classmethod
    def _ints_not_bool(cls, v):
        return _no_bool(v)


class _FileModel(_FileBase):
    """One file's own content, checked before merging (policies are checked after merging)."""

    policies: list[dict[str, Any]] | None = Field(None, max_length=MAX_INSTRUMENTS,
                                                  description=_DESCRIPTIONS["policies"])


class InstrumentChange(BaseModel):
    """Schema only: a change to (or removal of) a parent scenario's instrument, by name."""

    model_config = ConfigDict(extra="allow", title="InstrumentChange")

    name: str = Field(..., description="Name of the parent scenario's instrument to change or remove.")
    remove: bool = Field(False, description="true: drop the parent's instrument of this name.")


class _FileSchemaModel(_FileBase):
    model_config = ConfigDict(extra="forbid", title="smartregion scenario")

    policies: list[Union[Instrument, InstrumentChange]] | None = Field(None, description=_DESCRIPTIONS["policies"])


class Scenario(BaseModel):
    """A fully resolved scenario (after `extends`), as the model runs it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    horizon: Horizon = Field(default_factory=Horizon)
    seed: int = Field(DEFAULT_SEED, ge=0, le=2**63 - 1)
    replications: int = Field(DEFAULT_REPLICATIONS, ge=1, le=10_000)
    parameters: dict[str, float] = Field(default_factory=dict, description="Overrides of model/params.py.")
    population: Population = Field(default_factory=Population)
    parameterisation: Literal["calibrated", "defaults"] = "calibrated"
    policies: list[Instrument] = Field(default_factory=list, max_length=MAX_INSTRUMENTS)
    counterfactual: str | None = Field(None, description="Absolute path of the counterfactual scenario file, "
                                                         "or None (the scenario is itself a counterfactual).")
    source_file: str | None = Field(None, description="Absolute path of the file it was loaded from.")

    @field_validator("seed", "replications", mode="before")
    @classmethod
    def _ints_not_bool(cls, v):
        return _no_bool(v)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v or len(v) > 100 or any(ord(c) < 32 for c in v):
            raise ValueError("must be a short one-line name; allowed: 1 to 100 characters on one line")
        return v

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters(cls, v):
        if not isinstance(v, Mapping):
            return v  # pydantic reports the type
        out = {}
        for k, x in v.items():
            try:
                out[k] = check_value(k, _number_text(x))
            except ParameterError as e:
                raise ValueError(str(e)) from None
        return out

    @model_validator(mode="after")
    def _instrument_names(self):
        seen: dict[str, int] = {}
        for i, inst in enumerate(self.policies):
            if inst.name is None:
                inst.name = f"{inst.type}_{i}"
            if not inst.name.strip():
                raise ValueError(f"policies[{i}] has an empty name; allowed: a non-empty unique name")
            if inst.name in seen:
                raise ValueError(f"instrument name '{inst.name}' is used by policies[{seen[inst.name]}] and "
                                 f"policies[{i}]; allowed: unique names")
            seen[inst.name] = i
        return self

    # -- views --------------------------------------------------------------------------------
    def instrument(self, name: str):
        """The instrument of that name; KeyError listing the names otherwise."""
        for inst in self.policies:
            if inst.name == name:
                return inst
        names = [i.name for i in self.policies]
        raise KeyError(f"no instrument '{name}'{suggest(name, names)} in scenario {self.name}; "
                       f"instruments: {', '.join(names) or 'none'}")

    def parameter_values(self) -> dict[str, float]:
        """Every registry parameter: defaults updated by this scenario's overrides."""
        return resolve(self.parameters)

    def resolved_dict(self) -> dict:
        """Plain JSON-able dict of the resolved scenario; `scenario_from_dict` reads it back."""
        return {
            "name": self.name,
            "description": self.description,
            "counterfactual": self.counterfactual,
            "horizon": {"start": self.horizon.start, "end": self.horizon.end},
            "seed": self.seed,
            "replications": self.replications,
            "population": {"scale": self.population.scale, "network": self.population.network},
            "parameters": dict(self.parameters),
            "policies": [_instrument_dict(p) for p in self.policies],
            "source_file": self.source_file,
            # only when not the default, so that the hashes of scenarios that do not set it stay as they were
            **({"parameterisation": self.parameterisation} if self.parameterisation != "calibrated" else {}),
        }

    def content_hash(self) -> str:
        """sha256 of the canonical JSON of `resolved_dict()` without `source_file`.

        The counterfactual enters by its content, not its path, so that the same scenario hashes
        the same in every checkout and when rerun from the copy in an output directory."""
        d = self.resolved_dict()
        d.pop("source_file", None)
        d["counterfactual"] = _counterfactual_fingerprint(d["counterfactual"])
        text = json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
        return hashlib.sha256(text.encode("ascii")).hexdigest()


def _instrument_dict(inst) -> dict:
    d = inst.model_dump(mode="json")
    head = {"name": d.pop("name"), "type": d.pop("type")}
    return {**head, **d}


def _counterfactual_fingerprint(path: str | None) -> str | None:
    """sha256 of the counterfactual file's resolved content (without its own counterfactual,
    which keeps a chain of counterfactuals from recursing); its path if it cannot be read.
    Remembered per file as long as its modification time and size stay the same: the dashboard
    hashes its scenarios on every redraw, and reading the file was a tenth of a redraw."""
    if path is None:
        return None
    try:
        st = Path(path).stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    return _file_fingerprint(path, stamp)


@functools.lru_cache(maxsize=64)
def _file_fingerprint(path: str, stamp: tuple[int, int] | None) -> str | None:
    from .messages import ScenarioError  # the package's other modules import this one
    from .resolve import load_scenario

    try:
        d = load_scenario(path).resolved_dict()
    except ScenarioError:
        return _portable_path(path)
    d.pop("source_file", None)
    d.pop("counterfactual", None)
    d.pop("name", None)  # a renamed copy (output dir's counterfactual.yaml) is the same counterfactual
    return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()


def _portable_path(p: str | None) -> str | None:
    if p is None:
        return None
    try:
        return Path(p).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return p


def _number_text(v):
    """YAML 1.1 reads 1e-2 (no dot) as text; accept numeric text like pydantic does for floats."""
    if isinstance(v, str) and _NUMBER_TEXT.match(v):
        try:
            return float(v.replace("_", ""))
        except ValueError:
            return v
    return v


def _schema_postprocess(schema: dict) -> dict:
    defs = schema.get("$defs", {})
    codes = {
        "provinces": province_choices() + list(HUBS),  # codes and names as written; any case is accepted
        "sectors": list(SECTORS),
        "themes": list(SECTORS),
        "sizes": list(SIZE_CLASSES),
    }
    inst_defs = [defs[m.__name__] for m in INSTRUMENT_MODELS.values() if m.__name__ in defs]
    for d in inst_defs:
        props = d.get("properties", {})
        for key, allowed in codes.items():
            if key in props:
                p = props[key]
                keep = {k: v for k, v in p.items() if k in ("description", "default", "title")}
                props[key] = {**keep, "anyOf": [
                    {"type": "array", "items": {"type": "string", "enum": allowed}},
                    {"type": "string", "enum": allowed + ["all"]},
                ]}
        for key in ("start", "end"):
            if key in props:
                props[key]["pattern"] = _QUARTER_PATTERN
        if "end_announced" in props:
            props["end_announced"] = {k: v for k, v in props["end_announced"].items() if k != "anyOf"}
            props["end_announced"]["anyOf"] = [{"type": "string", "pattern": _QUARTER_PATTERN}, {"type": "null"}]
    patch = defs.get("InstrumentChange")
    if patch is not None:
        props: dict = {}
        for d in inst_defs:
            for k, v in d.get("properties", {}).items():
                props.setdefault(k, v)
        props["type"] = {"type": "string", "enum": list(INSTRUMENT_TYPES), "description": "Must equal the parent "
                                                                                           "instrument's type."}
        props.update(patch["properties"])
        patch["properties"] = props
        patch["additionalProperties"] = False
    top = schema["properties"]
    top["parameters"] = {
        "description": _DESCRIPTIONS["parameters"],
        "anyOf": [{
            "type": "object",
            "additionalProperties": False,
            "properties": {
                p.name: {"type": "number", "minimum": p.bounds[0], "maximum": p.bounds[1],
                         "description": f"{p.description} Unit: {p.unit}. Default {p.default}; plausible "
                                        f"{p.plausible[0]}-{p.plausible[1]}. Source: {p.source}."}
                for p in PARAMS.values()
            },
        }, {"type": "null"}],
    }
    # A fixed list, not the directory's contents: a scenario an analyst saves in scenarios/ must
    # not change the schema (or the test that compares it with scenario.schema.json).
    for key in ("extends", "counterfactual"):
        top[key]["examples"] = list(SHIPPED_SCENARIOS) + (["none"] if key == "counterfactual" else [])
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["description"] = ("A smartregion scenario file (scenarios/*.yaml): policy instruments, parameter "
                             "overrides and run settings; see model/scenario/ and model/policies.py.")
    return schema


def scenario_json_schema() -> dict:
    """JSON Schema (draft 2020-12) of the scenario FILE format, with descriptions, for editors."""
    return _schema_postprocess(_FileSchemaModel.model_json_schema())


SHIPPED_SCENARIOS = ("baseline", "no_policy", "fieldlab_expansion_north", "hidden_champions",
                     "region_of_smart_factories", "skills_offensive", "reshoring_push", "policy_discontinuity")
