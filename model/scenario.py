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
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import math
import re
import stat
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .params import PARAMS, ParameterError, check_value, resolve, suggest
from .policies import EARLIEST_QUARTER, INSTRUMENT_TYPES, LATEST_QUARTER, Instrument
from .regions import HUBS, PROVINCES, SECTORS, SIZE_CLASSES
from .timeline import parse_quarter

SCENARIO_DIR: Path = Path(__file__).resolve().parent.parent / "scenarios"
REPO_ROOT: Path = SCENARIO_DIR.parent

DEFAULT_START = "2014Q1"  # programme start (seed 004) and first quarter of the data
DEFAULT_END = "2030Q4"
EARLIEST_START = EARLIEST_QUARTER  # the population and fieldlab data start here
LATEST_END = LATEST_QUARTER  # beyond this the model's assumptions (wages, technology) mean nothing
DEFAULT_SEED = 20140101
DEFAULT_REPLICATIONS = 20
DEFAULT_COUNTERFACTUAL = "no_policy"
NO_COUNTERFACTUAL = "none"

# A scenario is a few kB (baseline.yaml, the largest, is 8 kB). The limits keep the worst
# document PyYAML must scan under a second, so an upload cannot stall the dashboard.
MAX_FILE_BYTES = 256_000
MAX_NODES = 20_000  # YAML nodes in a document, counting every alias expansion
MAX_ALIASES = 100  # uses of *alias in one document
MAX_EXTENDS_DEPTH = 20
MAX_INSTRUMENTS = 200  # baseline has 14; the model loops over instruments every quarter

_QUARTER_PATTERN = r"^\d{4}Q[1-4]$"
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")
_NUMBER_TEXT = re.compile(r"^\s*[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?\s*$")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class ScenarioError(Exception):
    """A scenario that cannot be read or is not valid.

    `str(e)` is one line: "<file>: <key.path> (line N): <what is wrong>; <what is allowed>".
    `location` is the key path inside that file (empty for problems with the whole file) and
    `line` the 1-based YAML line where known (None for dicts, uploads without a node tree...).
    """

    def __init__(self, file: str, location: str, message: str, line: int | None = None):
        self.file = file
        self.location = location
        self.message = message
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.file
        if self.location:
            where += f": {self.location}"
        if self.line is not None:
            where += f" (line {self.line})"
        # Quoted values and file names may hold newlines, control characters or bidi overrides
        # ("a\0b" in YAML, a file name with a newline); escaped, the message stays one line
        # that shows what is really there.
        return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                       for c in f"{where}: {self.message}")

    def __str__(self) -> str:
        return self._format()

    def __reduce__(self):  # picklable across worker processes
        return (type(self), (self.file, self.location, self.message, self.line))


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


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
    which keeps a chain of counterfactuals from recursing); its path if it cannot be read."""
    if path is None:
        return None
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


# --------------------------------------------------------------------------------------------
# Reading YAML safely
# --------------------------------------------------------------------------------------------

_TAG_PREFIX = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "merge", "timestamp")}
_KIND = {"int": "a number", "float": "a number", "bool": "true/false", "null": "null", "timestamp": "a date"}


class _Refused(Exception):
    def __init__(self, line: int | None, message: str):
        self.line, self.message = line, message


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that counts nodes and aliases while composing, before anything is built."""

    def __init__(self, stream):
        super().__init__(stream)
        self._n_nodes = 0
        self._n_aliases = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._n_aliases += 1
            if self._n_aliases > MAX_ALIASES:
                raise _Refused(event.start_mark.line + 1, f"more than {MAX_ALIASES} aliases (*name); allowed: "
                                                          f"at most {MAX_ALIASES}, write the values out")
        else:
            self._n_nodes += 1
            if self._n_nodes > MAX_NODES:
                raise _Refused(event.start_mark.line + 1, f"more than {MAX_NODES} YAML values; allowed: a "
                                                          "scenario of ordinary size")
        return super().compose_node(parent, index)

    def construct_object(self, node, deep=False):
        # PyYAML raises a bare ValueError for values it recognises but cannot build: a date
        # like 2020-02-30, an integer of thousands of digits. Give it the node's line.
        try:
            return super().construct_object(node, deep)
        except ValueError as e:
            kind = _KIND.get(node.tag.replace(_TAG_PREFIX, ""), "a value")
            shown = str(node.value)[:40] + ("..." if len(str(node.value)) > 40 else "")
            raise _Refused(node.start_mark.line + 1, f"'{shown}' looks like {kind} but cannot be read as one "
                                                     f"({str(e).split(';')[0]}); allowed: an ordinary number or "
                                                     "date, or quotes around it to keep it as text") from None


def _fmt_loc(loc) -> str:
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def _children(node, path):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else "?"
            yield k, path + (key,)
            yield v, path + (key,)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            yield v, path + (i,)


def _check_tree(root, file: str) -> None:
    """Refuse alias bombs, recursive aliases, foreign tags, duplicate and non-text keys.

    Walks the composed node graph once per distinct node (aliases share nodes) and computes
    the size the document would have if every alias were expanded, without expanding it."""
    size: dict[int, int] = {}
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    stack: list[tuple[Any, tuple, bool]] = [(root, (), False)]
    while stack:
        node, path, finished = stack.pop()
        nid = id(node)
        if finished:
            total = 1 + sum(size[id(c)] for c, _ in _children(node, path))
            if total > MAX_NODES:
                raise ScenarioError(file, _fmt_loc(path), f"expands to more than {MAX_NODES} values through "
                                    "aliases (a 'billion laughs' document); allowed: a scenario of ordinary size",
                                    node.start_mark.line + 1)
            size[nid] = total
            state[nid] = 2
            continue
        if state.get(nid) == 2:
            continue
        state[nid] = 1
        _check_node(node, path, file)
        stack.append((node, path, True))
        for child, cpath in _children(node, path):
            if state.get(id(child)) == 1:
                raise ScenarioError(file, _fmt_loc(cpath), "recursive alias (a value that contains itself); "
                                    "allowed: aliases to values defined before them", child.start_mark.line + 1)
            if state.get(id(child)) != 2:
                stack.append((child, cpath, False))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_node(node, path, file: str) -> None:
    line = node.start_mark.line + 1
    if node.tag not in _ALLOWED_TAGS:
        tag = node.tag.replace(_TAG_PREFIX, "!!")
        raise ScenarioError(file, _fmt_loc(path), f"YAML tag '{tag}' is not allowed; allowed: plain values "
                            "(text, numbers, true/false, lists, mappings) without tags", line)
    if isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
        # "\ud800" in double quotes reads as half a character that no file can hold: the run
        # would fail when it writes the resolved scenario, after all the work.
        raise ScenarioError(file, _fmt_loc(path), "text with a \\u escape of half a character (a lone "
                            "surrogate); allowed: whole characters", line)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k, _v in node.value:
            if k.tag == _TAG_PREFIX + "merge":
                continue
            if not isinstance(k, yaml.ScalarNode) or k.tag != _TAG_PREFIX + "str":
                shown = k.value if isinstance(k, yaml.ScalarNode) else "a list or mapping"
                kind = _KIND.get(k.tag.replace(_TAG_PREFIX, ""), "not text")
                raise ScenarioError(file, _fmt_loc(path), f"key {shown!r} is read by YAML as {kind}; allowed: "
                                    "text keys (put quotes around it)", k.start_mark.line + 1)
            if k.value in seen:
                raise ScenarioError(file, _fmt_loc(path + (k.value,)), f"key '{k.value}' appears twice (also on "
                                    f"line {seen[k.value]}); allowed: each key once", k.start_mark.line + 1)
            seen[k.value] = k.start_mark.line + 1


def line_of(root, loc) -> int | None:
    """1-based line of the deepest node of `loc` (keys and list indexes) that exists in the
    YAML node tree from `parse_yaml`; for messages about other YAML files too."""
    if root is None or not loc:
        return None
    node, line = root, None
    for p in loc:
        if isinstance(node, yaml.MappingNode):
            hit = None
            for k, v in node.value:  # last one wins, as in the constructed mapping
                if isinstance(k, yaml.ScalarNode) and k.value == str(p):
                    hit = (k, v)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) and 0 <= p < len(node.value):
            node = node.value[p]
            line = node.start_mark.line + 1
        else:
            break
    return line if line is not None else root.start_mark.line + 1


_SCENARIO_MAPPING = "a YAML mapping with at least 'extends:' or 'policies:' (see scenarios/baseline.yaml)"


def parse_yaml(raw: bytes | str, file: str, expected: str = _SCENARIO_MAPPING):
    """(data, root node) of one YAML mapping, with every guard (size, encoding, tags, aliases,
    duplicate keys); ScenarioError otherwise. Other YAML inputs (calibration targets) use it
    too, with `expected` saying what their top level holds."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_FILE_BYTES:
        # callers read at most MAX_FILE_BYTES + 1 bytes, so the true size is unknown here
        raise ScenarioError(file, "", f"file has more than {MAX_FILE_BYTES:,} bytes; allowed: at most "
                                      f"{MAX_FILE_BYTES:,} bytes (such a file is a few kB)")
    if b"\x00" in raw:
        raise ScenarioError(file, "", "is a binary file, not YAML text; allowed: a UTF-8 text file with "
                                      "'key: value' lines")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ScenarioError(file, "", f"byte 0x{raw[e.start]:02x} is not UTF-8 text; allowed: a file saved "
                                      "as UTF-8", line) from None
    if not text.strip():
        raise ScenarioError(file, "", f"file is empty; allowed: {expected}")
    loader = None
    try:
        loader = _GuardedLoader(text)  # checks every character is printable: may raise ReaderError
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(file, "", f"file has only comments; allowed: {expected}")
        _check_tree(node, file)
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else f"the value {str(node.value)[:40]!r}"
            raise ScenarioError(file, "", f"the top level is {kind}; allowed: {expected}", node.start_mark.line + 1)
        data = loader.construct_document(node)
    except _Refused as e:
        raise ScenarioError(file, "", e.message, e.line) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = e.problem or e.context or "invalid YAML"
        if e.context and e.problem:
            what = f"{e.problem} ({e.context})"
        col = f" at column {mark.column + 1}" if mark else ""
        raise ScenarioError(file, "", f"YAML syntax error{col}: {what}; allowed: 'key: value' lines indented "
                                      "with spaces (no tabs), one document",
                            mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as e:
        line = text[: e.position].count("\n") + 1
        raise ScenarioError(file, "", f"character #x{e.character:04x} (a control character) is not allowed in "
                                      "YAML; allowed: printable text", line) from None
    except yaml.YAMLError as e:
        raise ScenarioError(file, "", f"YAML error: {str(e).splitlines()[0]}; allowed: plain YAML") from None
    except RecursionError:
        raise ScenarioError(file, "", "nested too deeply; allowed: a scenario of ordinary depth") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


# --------------------------------------------------------------------------------------------
# Documents and their merging
# --------------------------------------------------------------------------------------------


@dataclass
class _Doc:
    file: str  # shown in messages
    path: Path | None  # absolute path, None for text and dicts
    data: dict
    node: Any  # YAML root node, None for dicts
    base_dir: Path  # where names and relative paths are resolved
    restrict: bool  # extends/counterfactual must lie in SCENARIO_DIR (uploads)
    depth: int = 0  # 0 = the file being loaded, 1 = its parent, ...

    def error(self, loc, message: str) -> ScenarioError:
        loc = tuple(loc)
        return ScenarioError(self.file, _fmt_loc(loc), message, line_of(self.node, loc))


@dataclass
class _Item:
    data: dict
    origin: tuple  # (doc, local loc) where the instrument was defined
    fields: dict = field(default_factory=dict)  # key -> (doc, local loc) of the last file that set it


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _stat(path: Path):
    """os.stat_result, or the OSError/ValueError saying why there is none. Path.exists() and
    is_file() raise for names the OS refuses (too long, a NUL byte), and a path typed on the
    command line or written after `extends:` must give a message, not a traceback."""
    try:
        return path.stat()
    except (OSError, ValueError) as e:
        return e


def _is_file(path: Path) -> bool:
    st = _stat(path)
    return not isinstance(st, Exception) and stat.S_ISREG(st.st_mode)


def _read_doc(path: Path, shown: str | None = None, restrict: bool = False) -> _Doc:
    path = Path(path).expanduser()
    st = _stat(path)
    missing = isinstance(st, Exception)
    shown = shown or _display(path if missing else path.resolve())
    if isinstance(st, (FileNotFoundError, NotADirectoryError)):
        hint = ""
        parent = _stat(path.parent)
        if not isinstance(parent, Exception) and stat.S_ISDIR(parent.st_mode):
            hint = suggest(path.name, [p.name for p in path.parent.glob("*.y*ml")])
        raise ScenarioError(shown, "", f"no such file{hint}; allowed: a path to an existing scenario .yaml file "
                                       f"(shipped ones are in {_display(SCENARIO_DIR)})")
    if missing:
        reason = st.strerror if isinstance(st, OSError) and st.strerror else str(st)
        raise ScenarioError(shown[:200], "", f"cannot be opened ({reason}); allowed: a path to an existing "
                                             "scenario .yaml file")
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError(shown, "", "is a directory; allowed: a scenario .yaml file")
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(shown, "", "is not a regular file; allowed: a scenario .yaml file")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ScenarioError(shown, "", f"cannot be read ({e.strerror}); allowed: a readable .yaml file") from None
    data, node = parse_yaml(raw, shown)
    resolved = path.resolve()
    return _Doc(shown, resolved, data, node, resolved.parent, restrict)


def _shipped_names(*dirs: Path) -> list[str]:
    names: list[str] = []
    for d in dirs:
        if d.is_dir():
            names += [p.stem for p in sorted(d.glob("*.yaml")) if p.stem not in names]
    return names


def _find_ref(doc: _Doc, key: str, value, chain: list[_Doc]) -> Path:
    """Absolute path of the scenario named by `extends` or `counterfactual` in `doc`."""
    names = _shipped_names(doc.base_dir, SCENARIO_DIR)
    shipped = _shipped_names(SCENARIO_DIR)
    allowed = (f"allowed: a shipped scenario ({', '.join(shipped)}), the name of a .yaml file next to this one, "
               "or a path to a .yaml file")
    if not isinstance(value, str) or not value.strip():
        raise doc.error((key,), f"must be a scenario name or a path, got {value!r}; {allowed}")
    v = value.strip()
    v_shown = v if len(v) <= 80 else v[:77] + "..."
    is_path = "/" in v or "\\" in v or v.endswith((".yaml", ".yml")) or v.startswith(".")
    if is_path and doc.restrict:  # refused before looking, so an upload cannot probe the server's files
        raise doc.error((key,), f"'{v_shown}' is a path; allowed for uploaded scenarios: a shipped scenario name "
                                f"({', '.join(shipped)})")
    if is_path:
        p = Path(v).expanduser()
        candidates = [p if p.is_absolute() else doc.base_dir / p]
    else:
        if not _NAME_PATTERN.match(v):
            raise doc.error((key,), f"'{v_shown}' is not a scenario name; {allowed}")
        candidates = [doc.base_dir / f"{v}.yaml", doc.base_dir / f"{v}.yml", SCENARIO_DIR / f"{v}.yaml"]
    found = next((c.resolve() for c in candidates if _is_file(c)), None)
    if found is None:
        via = ""
        if key == "extends":
            via = "; extends chain: " + " -> ".join([d.file for d in chain] + [v_shown])
        looked = ", ".join(dict.fromkeys(_display(c) for c in candidates))
        if len(looked) > 300:
            looked = looked[:297] + "..."
        raise doc.error((key,), f"no scenario '{v_shown}'{suggest(v, names)} (looked for {looked}){via}; "
                                f"{allowed}")
    if doc.restrict:
        try:
            found.relative_to(SCENARIO_DIR)
        except ValueError:
            raise doc.error((key,), f"'{v}' is outside the shipped scenarios; allowed for uploaded scenarios: "
                                    f"a shipped scenario name ({', '.join(_shipped_names(SCENARIO_DIR))})") from None
    return found


def _check_file(doc: _Doc) -> None:
    """Validate one file's own keys and values (policies only structurally; they merge first)."""
    try:
        _FileModel.model_validate(doc.data)
    except ValidationError as e:
        loc, message, _ = _explain(_first_error(e), doc.data)
        raise doc.error(loc, message) from None
    for name, value in (doc.data.get("parameters") or {}).items():
        try:
            check_value(name, _number_text(value))
        except ParameterError as e:
            raise doc.error(("parameters", name), _parameter_message(name, _number_text(value), e)) from None
    for j, entry in enumerate(doc.data.get("policies") or []):
        if "name" in entry and entry["name"] is not None and not isinstance(entry["name"], str):
            raise doc.error(("policies", j, "name"), f"must be text, got {_show(entry['name'])}; allowed: a short "
                                                     "label")
        if "remove" in entry and not isinstance(entry["remove"], bool):
            raise doc.error(("policies", j, "remove"), f"must be true or false, got {_show(entry['remove'])}; "
                                                       "allowed: true (or leave it out)")


def _parameter_message(name: str, value, e: ParameterError) -> str:
    """The registry's complaint, with what is allowed and the value shown short (the
    registry's repr of a long list would fill the screen)."""
    p = PARAMS.get(name)
    if p is None:
        return f"{e}; allowed: a parameter of model/params.py (`PARAMS`)"
    lo, hi = p.bounds
    kind = "a whole number" if p.integer else "a number"
    allowed = f"allowed: {kind} from {_num(lo)} to {_num(hi)} ({p.unit})"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not (lo <= value <= hi):
        return f"parameter '{name}' = {_show(value)} is outside its bounds; {allowed}"
    return f"parameter '{name}' must be {kind}, got {_show(value)}; {allowed}"


_PER_FILE = ("name", "description", "extends", "counterfactual", "policies")
_SECTIONS = ("horizon", "parameters", "population")


def _resolve(doc: _Doc, chain: list[_Doc]) -> tuple[dict, dict, list[_Item]]:
    """Merged raw settings, their provenance {merged loc: (doc, local loc)}, merged instruments."""
    _check_file(doc)
    parent = doc.data.get("extends")
    if parent is not None:
        if len(chain) > MAX_EXTENDS_DEPTH:
            raise doc.error(("extends",), f"more than {MAX_EXTENDS_DEPTH} levels of extends ("
                            + " -> ".join(d.file for d in chain) + "); allowed: a shorter chain")
        ppath = _find_ref(doc, "extends", parent, chain)
        if any(d.path == ppath for d in chain):
            cycle = " -> ".join([d.file for d in chain] + [_display(ppath)])
            raise doc.error(("extends",), f"extends cycle: {cycle}; allowed: a chain of parents that ends at a "
                                          "scenario without extends")
        pdoc = _read_doc(ppath, restrict=doc.restrict)
        pdoc.depth = doc.depth + 1
        merged, prov, items = _resolve(pdoc, chain + [pdoc])
    else:
        merged, prov, items = {}, {}, []
    for key, value in doc.data.items():
        if key in _PER_FILE or value is None:
            continue
        if key in _SECTIONS:
            section = merged.setdefault(key, {})
            for k, v in value.items():
                section[k] = v
                prov[(key, k)] = (doc, (key, k))
        else:
            merged[key] = value
        prov[(key,)] = (doc, (key,))
    _merge_policies(doc, items)
    return merged, prov, items


def _merge_policies(doc: _Doc, items: list[_Item]) -> None:
    inherited = len(items)
    own: dict[str, int] = {}
    for j, entry in enumerate(doc.data.get("policies") or []):
        loc = ("policies", j)
        name = entry.get("name")
        names = [it.data.get("name") for it in items]
        named = [n for n in names if isinstance(n, str)]  # unnamed ones get <type>_<position> only at the end
        if name is not None:
            if name in own:
                raise doc.error(loc + ("name",), f"instrument name '{name}' is already used by policies[{own[name]}] "
                                                 "in this file; allowed: each name once per file (repeat a parent "
                                                 "instrument's name to change it)")
            own[name] = j
        existing = names.index(name) if name is not None and name in names else None
        if entry.get("remove") is True:
            extra = sorted(set(entry) - {"name", "remove"})
            if name is None:
                raise doc.error(loc, "remove: true needs the name of the instrument to drop; allowed: "
                                     "{name: <instrument>, remove: true}")
            if extra:
                raise doc.error(loc + (extra[0],), f"remove: true takes no other keys, got '{extra[0]}'; allowed: "
                                                   "{name: <instrument>, remove: true}")
            if existing is None:
                raise doc.error(loc + ("name",), f"no instrument named '{name}' to remove{suggest(name, named)}; "
                                                 f"allowed: {', '.join(named) or 'none (no named instruments)'}")
            del items[existing]
            inherited -= 1
            continue
        body = {k: copy.deepcopy(v) for k, v in entry.items() if k != "remove"}
        if existing is not None:
            item = items[existing]
            if "type" in body and body["type"] != item.data.get("type"):
                raise doc.error(loc + ("type",), f"type cannot change when changing '{name}' (it is "
                                                 f"{item.data.get('type')}); allowed: remove it ({{name: {name}, "
                                                 "remove: true}) and add a new instrument with another name")
            for k, v in body.items():
                item.data[k] = v
                item.fields[k] = (doc, loc + (k,))
            continue
        if "type" not in body and name is not None and inherited > 0:
            raise doc.error(loc + ("name",), f"no parent instrument named '{name}' to change"
                                             f"{suggest(name, named)}, and no 'type' for a new one; allowed: a "
                                             f"parent instrument ({', '.join(named)}) or a new instrument with "
                                             f"type: {', '.join(INSTRUMENT_TYPES)}")
        items.append(_Item(body, (doc, loc), {k: (doc, loc + (k,)) for k in body}))
    for i, item in enumerate(items):
        if item.data.get("name") is None:
            item.data["name"] = f"{item.data.get('type', 'instrument')}_{i}"
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        n = item.data["name"]
        if n in seen:
            where_doc, where_loc = item.fields.get("name", item.origin)
            raise where_doc.error(where_loc, f"instrument name '{n}' is used twice after merging; allowed: unique "
                                             "names (unnamed instruments are called <type>_<position>)")
        seen[n] = i


def _build(doc: _Doc, source_file: str | None = None) -> Scenario:
    merged, prov, items = _resolve(doc, [doc])
    for i, item in enumerate(items):
        prov[("policies", i)] = item.origin
        for k, where in item.fields.items():
            prov[("policies", i, k)] = where
    d = doc.data
    if d.get("name") is not None:
        name = d["name"]
    elif source_file:
        name = Path(source_file).stem
    elif doc.path is not None:
        name = doc.path.stem
    else:
        name = Path(doc.file).stem if not doc.file.startswith("<") else "unnamed"
    own_path = doc.path or (Path(source_file).resolve() if source_file else None)
    cf_value = d.get("counterfactual", DEFAULT_COUNTERFACTUAL)
    counterfactual: str | None = None
    if cf_value is not None and not (isinstance(cf_value, str) and cf_value.strip().lower() == NO_COUNTERFACTUAL):
        cf_path = _find_ref(doc, "counterfactual", cf_value, [doc])
        if cf_path != own_path:
            counterfactual = str(cf_path)
        elif items:
            raise doc.error(("counterfactual",), "the counterfactual is the scenario itself, but it has "
                                                 f"{len(items)} instruments; allowed: another scenario, e.g. "
                                                 f"{DEFAULT_COUNTERFACTUAL}")
    elif items:
        raise doc.error(("counterfactual",), f"'{NO_COUNTERFACTUAL}' is only for a scenario without policies, but "
                                             f"this one has {len(items)} instruments; allowed: a scenario to compare "
                                             f"against (default {DEFAULT_COUNTERFACTUAL})")
    final: dict[str, Any] = {
        "name": name,
        "description": d.get("description") or "",
        "policies": [it.data for it in items],
        "counterfactual": counterfactual,
        "source_file": source_file if source_file is not None else (str(doc.path) if doc.path else None),
    }
    for key in ("horizon", "seed", "replications", "parameters", "population"):
        if key in merged:
            final[key] = merged[key]
    try:
        return Scenario.model_validate(final)
    except ValidationError as e:
        loc, message, related = _explain(_first_error(e), final)
        if related:  # a check across fields: blame the most derived file that set one of them
            hits = [(prov[loc[:-1] + (f,)], f) for f in related if loc[:-1] + (f,) in prov]
            if hits:
                (where_doc, local), _f = min(hits, key=lambda h: (h[0][0].depth, h[1] != loc[-1]))
                raise where_doc.error(local, message) from None
        for n in range(len(loc), 0, -1):
            hit = prov.get(tuple(loc[:n]))
            if hit:
                where_doc, local = hit
                raise where_doc.error(tuple(local) + tuple(loc[n:]), message) from None
        raise doc.error(loc, message) from None


# --------------------------------------------------------------------------------------------
# pydantic errors -> one readable line
# --------------------------------------------------------------------------------------------


def _show(v) -> str:
    if isinstance(v, bool):
        s = "true" if v else "false"
    elif v is None:
        s = "nothing (null)"
    elif isinstance(v, Mapping):
        s = "a mapping"
    elif isinstance(v, (list, tuple)):
        s = "a list"
    elif isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        s = str(int(v))
    elif isinstance(v, datetime.date):  # YAML reads 2026-01-01 as a date
        s = f"the date {v.isoformat()}"
    else:
        s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


def _num(x) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() and abs(x) < 1e16 else str(x)


def _grouped(x) -> str:
    """A bound as a reader counts zeros: 50,000,000,000 rather than 50000000000.0."""
    return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 10_000 else _num(x)


def _allowed_keys(parent_loc, data=None) -> list[str]:
    """Keys allowed in the mapping at `parent_loc` (top level, horizon, population, an instrument)."""
    if not parent_loc:
        return list(_FileModel.model_fields)
    if parent_loc == ("horizon",):
        return list(HorizonFile.model_fields)
    if parent_loc == ("population",):
        return list(Population.model_fields)
    if len(parent_loc) == 2 and parent_loc[0] == "policies":
        model = INSTRUMENT_MODELS.get(_type_at(data, parent_loc[1]))
        if model is not None:
            return list(model.model_fields)
    return []


def _type_at(data, i):
    try:
        return data["policies"][i].get("type")
    except (TypeError, KeyError, IndexError, AttributeError):
        return None


def _first_error(e: ValidationError) -> dict:
    """The first error, except that an unknown key beside a missing one wins: a misspelt
    required key ('budjet_eur') gives both, and the unknown key with its suggestion is the news."""
    errors = e.errors()
    first = errors[0]
    if first["type"] == "missing":
        for err in errors[1:]:
            if err["type"] == "extra_forbidden" and tuple(err["loc"][:-1]) == tuple(first["loc"][:-1]):
                return err
    return first


def _field_info(data, loc):
    """pydantic FieldInfo of the key at `loc`, or None."""
    model = None
    if len(loc) == 3 and loc[0] == "policies":
        model = INSTRUMENT_MODELS.get(_type_at(data, loc[1]))
    elif len(loc) == 2 and loc[0] in ("horizon", "population"):
        model = HorizonFile if loc[0] == "horizon" else Population
    elif len(loc) == 1:
        model = _FileModel
    return model.model_fields.get(str(loc[-1])) if model is not None and loc else None


def _field_description(data, loc) -> str:
    info = _field_info(data, loc)
    return f" ({info.description})" if info is not None and info.description else ""


def _allowed_range(data, loc) -> str:
    """'; allowed: at least 0 and at most 50,000,000,000' from the field's constraints."""
    info = _field_info(data, loc)
    words = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
    parts = [f"{w} {_grouped(getattr(m, k))}" for m in (info.metadata if info else ())
             for k, w in words.items() if getattr(m, k, None) is not None]
    return f"; allowed: {' and '.join(parts)}" if parts else ""


def _document_loc(loc: list, data) -> list:
    """The parts of a pydantic error location that are keys and indexes of the document.

    pydantic inserts parts of its own (a union member such as 'list[str]', a type name) that a
    user's key may look like ('e[tends'), so a part is kept when the document has it at that
    place, or when it is the last part under a mapping (a missing key)."""
    out, node = [], data
    for j, p in enumerate(loc):
        if isinstance(node, Mapping) and p in node:
            node = node[p]
        elif isinstance(node, (list, tuple)) and isinstance(p, int) and 0 <= p < len(node):
            node = node[p]
        elif not (j == len(loc) - 1 and isinstance(node, Mapping)):
            continue
        out.append(p)
    return out


def _explain(err: dict, data=None) -> tuple[tuple, str, tuple | None]:
    """(location, message, fields of a cross-field check or None) of one pydantic error,
    without pydantic's internal loc parts."""
    loc = list(err["loc"])
    if len(loc) >= 3 and loc[0] == "policies" and isinstance(loc[1], int) and loc[2] in INSTRUMENT_MODELS:
        del loc[2]
    loc = _document_loc(loc, data)
    t, ctx, inp = err["type"], err.get("ctx") or {}, err.get("input")
    types = ", ".join(INSTRUMENT_TYPES)
    if t == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(tuple(loc[:-1]), data)
        return tuple(loc), f"unknown key '{key}'{suggest(key, allowed)}; allowed: {', '.join(allowed)}", None
    if t == "missing":
        key = str(loc[-1])
        what = _field_description(data, loc)
        return tuple(loc), f"missing required key '{key}'{what}; allowed: add '{key}:' here", None
    if t == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        hint = suggest(tag, INSTRUMENT_TYPES)
        return tuple(loc) + ("type",), f"unknown instrument type '{tag}'{hint}; allowed: {types}", None
    if t == "union_tag_not_found":
        return tuple(loc), f"missing key 'type'; allowed: {types}", None
    ops = {"greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"), "less_than_equal": ("<=", "le"),
           "less_than": ("<", "lt")}
    if t in ops:
        op, k = ops[t]
        x = _number_text(inp)
        if isinstance(x, float) and not math.isfinite(x):  # .nan fails every comparison
            return tuple(loc), f"must be a finite number, got {_show(x)}{_allowed_range(data, loc)}", None
        shown = _grouped(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else _show(x)
        msg = f"must be {op} {_grouped(ctx.get(k))}, got {shown}{_allowed_range(data, loc)}"
        if loc[-1] in ("budget_eur", "eur_per_quarter") and t == "less_than_equal":
            msg += " EUR, more than the whole Dutch economic-affairs budget; check the zeros"
        return tuple(loc), msg, None
    if t == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = re.findall(r"'([^']*)'", expected)
        hint = suggest(str(inp), options) if isinstance(inp, str) else ""
        return tuple(loc), f"got {_show(inp)}{hint}; allowed: {expected}", None
    if t in ("value_error", "assertion_error"):
        msg = re.sub(r"^(Value|Assertion) error, ", "", err["msg"])
        whole_item = (len(loc) == 2 and loc[0] == "policies") or loc == ["horizon"]
        m = re.match(r"^(end_announced|end|start)\b", msg)
        related = None
        if whole_item and m:  # a check across fields: point at the field the message starts with
            loc.append(m.group(1))
            related = ("start", "end") if loc[0] == "horizon" else ("start", "end", "end_announced")
        if "allowed" not in msg:
            if "is before start" in msg:
                msg += "; allowed: an end on or after the start"
            elif "is after end" in msg:
                msg += "; allowed: end_announced on or before end"
            else:
                msg += _allowed_range(data, loc)
        return tuple(loc), msg, related
    whole, number = "a whole number", "a number"
    mapping = "a mapping ('key: value' lines, or {key: value})"
    simple = {  # pydantic error type -> what is allowed
        "int_type": whole, "int_parsing": whole, "int_parsing_size": whole, "int_from_float": whole,
        "float_type": number, "float_parsing": number, "finite_number": "a finite number",
        "string_type": "text (quotes around it if YAML reads it as something else)",
        "bool_type": "true or false", "bool_parsing": "true or false",
        "list_type": "a list (lines starting with '- ', or [a, b])",
        "dict_type": mapping, "model_type": mapping, "model_attributes_type": mapping,
    }
    if t == "too_long":
        return tuple(loc), (f"has {ctx.get('actual_length')} entries; allowed: at most {ctx.get('max_length')} "
                            "(counting those inherited through extends)"), None
    if t == "string_type" and loc and loc[-1] in ("start", "end", "end_announced"):
        return tuple(loc), f"must be a quarter like 2026Q1, got {_show(inp)}; allowed: a year, Q and 1-4", None
    if t in simple:
        what = simple[t].split(" (")[0]
        allowed = _allowed_range(data, loc) or f"; allowed: {simple[t]}"
        return tuple(loc), f"must be {what}, got {_show(inp)}{allowed}", None
    return tuple(loc), f"{err['msg']}, got {_show(inp)}", None


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Read, resolve (extends) and validate a scenario file; ScenarioError on any problem.

    A bare name that is not an existing file ("baseline") loads the shipped scenarios/<name>.yaml."""
    p = Path(path).expanduser()
    if isinstance(_stat(p), Exception) and isinstance(path, str) and _NAME_PATTERN.match(path) and not p.suffix:
        shipped = SCENARIO_DIR / f"{path}.yaml"
        if _is_file(shipped):
            p = shipped
            return _build(_read_doc(p))
    return _build(_read_doc(p, shown=str(path)))


def load_counterfactual(s: Scenario, *, align: bool = True) -> Scenario | None:
    """The scenario `s` is compared against, or None.

    With `align` (the default) the counterfactual runs under `s`'s horizon, seed, replications,
    population and parameter overrides, so that the two arms differ only in their policies
    (common random numbers); `align=False` returns the counterfactual file as it stands."""
    if s.counterfactual is None:
        return None
    cf = load_scenario(s.counterfactual)
    if align:
        cf = cf.model_copy(update={"horizon": s.horizon, "seed": s.seed, "replications": s.replications,
                                   "population": s.population, "parameters": dict(s.parameters)})
    return cf


def scenario_from_dict(d: dict, file: str = "<dict>") -> Scenario:
    """Validate a scenario given as a dict (file format, or `Scenario.resolved_dict()` output).

    `extends` and `counterfactual` names resolve against the shipped scenarios/ directory; a
    `source_file` key (as in resolved_dict) is kept as the scenario's source_file."""
    if not isinstance(d, Mapping):
        raise ScenarioError(file, "", f"the scenario is {type(d).__name__}; allowed: a mapping of keys")
    data = copy.deepcopy(dict(d))
    source_file = data.pop("source_file", None)
    if source_file is not None and not isinstance(source_file, str):
        raise ScenarioError(file, "source_file", f"must be text, got {source_file!r}")
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise ScenarioError(file, "", f"key {bad[0]!r} is not text; allowed: text keys")
    return _build(_Doc(file, None, data, None, SCENARIO_DIR, False), source_file=source_file)


def scenario_from_yaml_text(text: str | bytes, file: str = "<text>") -> Scenario:
    """Validate an uploaded scenario. `extends` and `counterfactual` may only name shipped
    scenarios (in scenarios/), so an upload cannot make the server read other files."""
    data, node = parse_yaml(text, file)
    return _build(_Doc(file, None, data, node, SCENARIO_DIR, True))


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _repr_list(dumper, data):
    flow = all(not isinstance(x, (list, dict)) for x in data) and len(data) <= 12
    return dumper.represent_sequence(_TAG_PREFIX + "seq", data, flow_style=flow)


def _repr_float(dumper, data):
    if data.is_integer() and abs(data) < 1e15:  # 8000000 rather than 8000000.0; read back as float
        return dumper.represent_int(int(data))
    return dumper.represent_float(data)


def _repr_str(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar(_TAG_PREFIX + "str", data, style=style)


_Dumper.add_representer(list, _repr_list)
_Dumper.add_representer(str, _repr_str)
_Dumper.add_representer(float, _repr_float)


def _printable(text: str) -> str:
    """Text for a YAML comment: characters YAML does not allow in a file (control characters,
    a line break that would end the comment) written as Python escapes. The values themselves
    are quoted and escaped by the YAML dumper; a comment is not."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def to_yaml(s: Scenario) -> str:
    """The resolved scenario as YAML (no extends) that load_scenario reads back to an equal one."""
    d = s.resolved_dict()
    source = d.pop("source_file")
    cf = d["counterfactual"]
    if cf is None:
        d["counterfactual"] = NO_COUNTERFACTUAL
    elif Path(cf).resolve().parent == SCENARIO_DIR.resolve():
        d["counterfactual"] = Path(cf).stem  # a shipped scenario by name: the file works anywhere, uploads too
    d["policies"] = [{k: v for k, v in p.items() if v is not None} for p in d["policies"]]
    header = [
        f"# Scenario '{_printable(s.name)}', fully resolved (extends applied) by model.scenario.to_yaml.",
        f"# Loaded from: {_printable(str(source or 'not a file'))}",
        f"# Content hash: {s.content_hash()}",
    ]
    body = yaml.dump(d, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return "\n".join(header) + "\n" + body


def _schema_postprocess(schema: dict) -> dict:
    defs = schema.get("$defs", {})
    codes = {
        "provinces": list(PROVINCES) + list(HUBS),
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
                             "overrides and run settings; see model/scenario.py.")
    return schema


def scenario_json_schema() -> dict:
    """JSON Schema (draft 2020-12) of the scenario FILE format, with descriptions, for editors."""
    return _schema_postprocess(_FileSchemaModel.model_json_schema())


SHIPPED_SCENARIOS = ("baseline", "no_policy", "fieldlab_expansion_north", "hidden_champions",
                     "region_of_smart_factories", "skills_offensive", "reshoring_push", "policy_discontinuity")


def list_scenarios(directory: str | Path | None = None) -> list[tuple[str, str]]:
    """(name, first line of description) of the scenario files in `directory` (default: shipped).

    The name is the file name without .yaml (what extends/counterfactual/load take). A file that
    cannot be read is listed with its error as description rather than hidden."""
    d = Path(directory) if directory is not None else SCENARIO_DIR
    out = []
    for p in sorted(d.glob("*.yaml")):
        try:
            with open(p, "rb") as fh:  # not read_bytes(): a huge file stops at the limit
                data, _ = parse_yaml(fh.read(MAX_FILE_BYTES + 1), _display(p))
            desc = data.get("description")
            desc = desc.strip() if isinstance(desc, str) else ""
        except (ScenarioError, OSError) as e:
            desc = f"(invalid: {e})"
        out.append((p.stem, desc.splitlines()[0] if desc else ""))
    return out


__all__ = [
    "SCENARIO_DIR", "ScenarioError", "Horizon", "Population", "Scenario", "load_scenario", "load_counterfactual",
    "scenario_from_dict", "scenario_from_yaml_text", "to_yaml", "scenario_json_schema", "list_scenarios",
    "parse_yaml", "line_of",
]
