"""Calibration targets as data: load, validate and resolve calibration/targets.yaml.

The file format is documented at the top of calibration/targets.yaml. Observed values are read
from the CSVs in calibration/data (through model/data.py, which checks them) wherever a target
can point at a row, so a figure is typed once and keeps its source.

Any problem is one `TargetsError` line: file, key path, what is wrong and what is allowed.
Reading never executes anything: the scenario reader's safe parser (model.scenario.parse_yaml),
after a size check.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from smartregion.model import data
from smartregion.model.model import REGIONS_OUT
from smartregion.model.params import PARAMS, suggest
from smartregion.model.regions import SECTORS
from smartregion.model.scenario import SCENARIO_DIR, Scenario, ScenarioError, line_of, load_scenario, parse_yaml
from smartregion.model.timeline import parse_quarter

from .summaries import STATISTICS, Request, SimulationSpec

MAX_BYTES = 1_000_000
ROLES = ("fit", "check")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TARGET_KEYS = ("name", "group", "statistic", "quarter", "observed", "tolerance", "tolerance_basis", "role", "note")
_ARG_KEYS = ("region", "sector", "employees", "relative_to", "since", "versus")
# Arguments without which a statistic means nothing (quarter is always required).
_REQUIRED_ARGS = {"robot_proxy_size_ratio": ("employees", "relative_to"),
                  "productivity_growth_gap_pp": ("region", "since"),
                  "adoption_growth_contribution_pp": ("since",)}


class TargetsError(ValueError):
    """A targets file that cannot be used; str() is one line naming file, key and what is allowed."""

    def __init__(self, file: str, where: str, message: str):
        super().__init__(f"{file}: {where + ': ' if where else ''}{message}")
        self.where, self.message = where, message


@dataclass(frozen=True)
class Target:
    """One observed figure and how the model is compared with it."""

    name: str
    group: str
    statistic: str
    args: dict  # statistic arguments, including quarter
    observed: float
    observed_unit: str
    year: str
    source: str
    tolerance: float  # absolute, in the statistic's unit
    tolerance_text: str  # as written ("20%" or a number)
    tolerance_basis: str
    role: str
    note: str

    @property
    def unit(self) -> str:
        return STATISTICS[self.statistic].unit


@dataclass(frozen=True)
class TargetSet:
    """A loaded targets file: the scenario to simulate, the parameters to estimate, the targets."""

    path: Path
    scenario: Scenario
    estimate: tuple[str, ...]
    targets: tuple[Target, ...]

    @property
    def fit(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.role == "fit")

    def observed(self) -> dict[str, float]:
        return {t.name: t.observed for t in self.targets}

    def spec(self, scale: float) -> SimulationSpec:
        """What one simulation of the calibration scenario runs to produce every target."""
        s = self.scenario
        return SimulationSpec(policies=tuple(s.policies), start=s.horizon.start, network=s.population.network,
                              scale=scale, requests=tuple(Request(t.name, t.statistic, t.args) for t in self.targets))

    def priors(self) -> dict[str, tuple[float, float]]:
        """Uniform prior bounds of each estimated parameter: its plausible range in the registry."""
        return {name: PARAMS[name].plausible for name in self.estimate}

    def deviations(self, simulated: dict[str, float]) -> dict[str, float]:
        """(simulated - observed) / tolerance per target: |x| <= 1 means within tolerance."""
        return {t.name: (simulated[t.name] - t.observed) / t.tolerance for t in self.targets}

    def distance(self, simulated: dict[str, float], observed: dict[str, float] | None = None) -> float:
        """The ABC distance: root mean square of the fit targets' standardised deviations,
        sqrt(mean(((sim - obs) / tolerance)^2)); infinite when a statistic is not finite.

        `observed` replaces the file's values (parameter recovery uses synthetic ones)."""
        obs = observed or self.observed()
        z = np.array([(simulated[t.name] - obs[t.name]) / t.tolerance for t in self.fit], dtype=float)
        return float(np.sqrt(np.mean(z * z))) if np.all(np.isfinite(z)) else math.inf


# --------------------------------------------------------------------------------------------


def _csv_row(file: str, where: str, ref) -> tuple[float, str, str, str]:
    """(value, unit, year, source) of the one row of calibration/data/<file> matching `ref`."""
    if not isinstance(ref, dict) or "file" not in ref:
        raise TargetsError(file, where, "must be a mapping with 'file' and column filters; allowed: "
                                        "{file: national_figures.csv, indicator: ...}")
    name = ref["file"]
    if name not in data.REQUIRED_COLUMNS:
        hint = suggest(str(name), data.REQUIRED_COLUMNS)
        raise TargetsError(file, f"{where}.file", f"unknown data file {name!r}{hint}; "
                                                  f"allowed: {', '.join(data.REQUIRED_COLUMNS)}")
    try:
        df = data.load(name)
    except data.DataError as e:
        raise TargetsError(file, f"{where}.file", f"cannot read it ({e})") from None
    value_col = "active" if "active" in df.columns else "value"
    filters = {k: v for k, v in ref.items() if k != "file"}
    if not filters:
        raise TargetsError(file, where, f"no column filter; allowed: one or more of {', '.join(df.columns)}")
    sel = np.ones(len(df), dtype=bool)
    for col, val in filters.items():
        if col not in df.columns:
            raise TargetsError(file, f"{where}.{col}", f"{name} has no column {col!r}{suggest(str(col), df.columns)}; "
                                                       f"allowed: {', '.join(df.columns)}")
        sel &= df[col].astype(str).to_numpy() == str(val)
    if sel.sum() != 1:
        shown = ", ".join(f"{k}={v}" for k, v in filters.items())
        raise TargetsError(file, where, f"{sel.sum()} rows of {name} match {shown}; allowed: filters that "
                                        "select exactly one row")
    row = df[sel].iloc[0]
    unit = str(row["unit"]) if "unit" in row else value_col
    year = str(row["year"]) if "year" in row else str(row.get("quarter", ""))
    return float(row[value_col]), unit, year, f"{row['source']} [calibration/data/{name}]"


def _observed(file: str, where: str, obs) -> tuple[float, str, str, str]:
    if not isinstance(obs, dict):
        raise TargetsError(file, where, "must be a mapping; allowed: {file: ..., <column>: ...}, "
                                        "{difference: [row, row]}, {ratio: [row, row]} or {value, unit, year, source}")
    for op in ("difference", "ratio"):
        if op in obs:
            rows = obs[op]
            if len(obs) != 1 or not isinstance(rows, list) or len(rows) != 2:
                raise TargetsError(file, f"{where}.{op}", "must be a list of exactly two rows and nothing else")
            (a, ua, ya, sa), (b, _, yb, sb) = (_csv_row(file, f"{where}.{op}[{i}]", r) for i, r in enumerate(rows))
            if op == "ratio" and b == 0:
                raise TargetsError(file, f"{where}.{op}[1]", "is zero; allowed: a non-zero denominator")
            value = a - b if op == "difference" else a / b
            unit = ua if op == "difference" else "ratio"
            return value, unit, ya if ya == yb else f"{ya} / {yb}", f"{op} of: {sa}; {sb}"
    if "file" in obs:
        return _csv_row(file, where, obs)
    needed = ("value", "unit", "year", "source")
    missing = [k for k in needed if k not in obs]
    extra = [k for k in obs if k not in needed]
    if missing or extra:
        what = "missing " + ", ".join(missing) if missing else "unknown " + ", ".join(extra)
        raise TargetsError(file, where, f"{what}; allowed: a CSV row {{file: ..., <column>: ...}} or all of "
                                        "value, unit, year, source")
    value = obs["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TargetsError(file, f"{where}.value", f"must be a number, got {value!r}")
    if not str(obs["source"]).strip():
        raise TargetsError(file, f"{where}.source", "is empty; allowed: a citation, or 'assumption: <why>'")
    return float(value), str(obs["unit"]), str(obs["year"]), str(obs["source"])


def _quarter(file: str, where: str, v) -> str:
    try:
        q = parse_quarter(str(v))
    except ValueError:
        raise TargetsError(file, where, f"{v!r} is not a quarter; allowed: a label like 2018Q4") from None
    if q < parse_quarter("2014Q1"):
        raise TargetsError(file, where, f"{v} is before the model's first quarter; allowed: 2014Q1 or later")
    return str(v)


def _size_band(file: str, where: str, v) -> list[int]:
    if (not isinstance(v, list) or len(v) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in v)
            or not 10 <= v[0] <= v[1]):
        raise TargetsError(file, where, f"got {v!r}; allowed: [lo, hi] whole numbers of workers, 10 <= lo <= hi")
    return v


def _args(file: str, where: str, stat: str, entry: dict) -> dict:
    args = {"quarter": _quarter(file, f"{where}.quarter", entry.get("quarter"))}
    allowed = STATISTICS[stat].args
    for key in _ARG_KEYS:
        if key not in entry:
            continue
        if key not in allowed:
            raise TargetsError(file, f"{where}.{key}", f"statistic {stat} takes no {key!r}; allowed: "
                                                       f"quarter{''.join(', ' + a for a in allowed)}")
        v = entry[key]
        if key in ("region", "versus") and v not in REGIONS_OUT:
            raise TargetsError(file, f"{where}.{key}", f"unknown region {v!r}; allowed: {', '.join(REGIONS_OUT)}")
        if key == "sector" and v not in SECTORS:
            raise TargetsError(file, f"{where}.{key}", f"unknown sector {v!r}{suggest(str(v), SECTORS)}; "
                                                       f"allowed: {', '.join(SECTORS)}")
        if key in ("employees", "relative_to"):
            v = _size_band(file, f"{where}.{key}", v)
        if key == "since":
            v = _quarter(file, f"{where}.since", v)
            if parse_quarter(v) >= parse_quarter(args["quarter"]):
                raise TargetsError(file, f"{where}.since", f"{v} is not before quarter {args['quarter']}; "
                                                           "allowed: an earlier quarter")
        args[key] = v
    for key in _REQUIRED_ARGS.get(stat, ()):
        if key not in args:
            raise TargetsError(file, f"{where}.{key}", f"missing; statistic {stat} needs it")
    return args


def _tolerance(file: str, where: str, v, observed: float) -> tuple[float, str]:
    text = str(v)
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*%\s*", text) if isinstance(v, str) else None
    if m:
        tol = float(m.group(1)) / 100 * abs(observed)
    elif isinstance(v, (int, float)) and not isinstance(v, bool):
        tol = float(v)
    else:
        raise TargetsError(file, where, f"got {v!r}; allowed: a positive number in the statistic's unit or a "
                                        "percentage of the observed value such as '20%'")
    if not (tol > 0 and math.isfinite(tol)):
        raise TargetsError(file, where, f"{v!r} gives a tolerance of {tol}; allowed: a positive tolerance")
    return tol, text


def _target(file: str, where: str, entry, scenario: Scenario) -> Target:
    if not isinstance(entry, dict):
        raise TargetsError(file, where, "must be a mapping of target keys")
    unknown = [k for k in entry if k not in _TARGET_KEYS + _ARG_KEYS]
    if unknown:
        k = unknown[0]
        raise TargetsError(file, f"{where}.{k}", f"unknown key{suggest(str(k), _TARGET_KEYS + _ARG_KEYS)}; "
                                                 f"allowed: {', '.join(_TARGET_KEYS + _ARG_KEYS)}")
    for key in ("name", "statistic", "quarter", "observed", "tolerance", "tolerance_basis", "role"):
        if key not in entry:
            raise TargetsError(file, f"{where}.{key}", "missing; every target needs name, statistic, quarter, "
                                                       "observed, tolerance, tolerance_basis and role")
    name = entry["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise TargetsError(file, f"{where}.name", f"{name!r} is not an identifier; allowed: letters, digits and _")
    where = f"{where} ({name})"
    stat = entry["statistic"]
    if stat not in STATISTICS:
        raise TargetsError(file, f"{where}.statistic", f"unknown statistic {stat!r}{suggest(str(stat), STATISTICS)}; "
                                                       f"allowed: {', '.join(STATISTICS)}")
    if entry["role"] not in ROLES:
        raise TargetsError(file, f"{where}.role", f"got {entry['role']!r}; allowed: {', '.join(ROLES)}")
    if not str(entry["tolerance_basis"]).strip():
        raise TargetsError(file, f"{where}.tolerance_basis", "is empty; allowed: why this tolerance")
    args = _args(file, where, stat, entry)
    if parse_quarter(args.get("since", args["quarter"])) < parse_quarter(scenario.horizon.start) or \
            parse_quarter(args["quarter"]) > parse_quarter(scenario.horizon.end):
        raise TargetsError(file, f"{where}.quarter", f"outside the scenario's horizon; allowed: "
                                                     f"{scenario.horizon.start} to {scenario.horizon.end}")
    value, unit, year, source = _observed(file, f"{where}.observed", entry["observed"])
    tol, text = _tolerance(file, f"{where}.tolerance", entry["tolerance"], value)
    return Target(name=name, group=str(entry.get("group") or stat), statistic=stat, args=args, observed=value,
                  observed_unit=unit, year=year, source=source, tolerance=tol, tolerance_text=text,
                  tolerance_basis=str(entry["tolerance_basis"]), role=entry["role"], note=str(entry.get("note") or ""))


def _scenario(file: str, base: Path, ref) -> Scenario:
    if not isinstance(ref, str) or not ref.strip():
        raise TargetsError(file, "scenario", "missing or empty; allowed: a scenario name (baseline) or a path")
    is_path = "/" in ref or ref.endswith((".yaml", ".yml"))
    path = (base / ref) if is_path else SCENARIO_DIR / f"{ref}.yaml"
    try:
        return load_scenario(path)
    except ScenarioError as e:
        raise TargetsError(file, "scenario", str(e)) from None


def _estimate(file: str, names) -> tuple[str, ...]:
    if not isinstance(names, list) or not names:
        raise TargetsError(file, "estimate", "must be a non-empty list of parameter names from model/params.py")
    for i, n in enumerate(names):
        if not isinstance(n, str) or n not in PARAMS:
            shown = repr(n) if isinstance(n, str) else f"a {type(n).__name__}"  # never repr an alias bomb
            raise TargetsError(file, f"estimate[{i}]", f"unknown parameter {shown[:60]}"
                                                       f"{suggest(n, PARAMS) if isinstance(n, str) else ''}; "
                                                       "allowed: a parameter of model/params.py")
        if PARAMS[n].integer:
            raise TargetsError(file, f"estimate[{i}]", f"{n} takes whole values; allowed: a continuous parameter")
    if len(set(names)) != len(names):
        raise TargetsError(file, "estimate", "lists a parameter twice; allowed: each once")
    return tuple(names)


def _located(file: str, root, i: int, entry, scenario) -> Target:
    """One target; an error in it names the YAML line of the offending key (or of the entry)."""
    try:
        return _target(file, f"targets[{i}]", entry, scenario)
    except TargetsError as e:
        key = e.where.rsplit(".", 1)[-1] if "." in e.where else None
        line = line_of(root, ("targets", i) + ((key,) if key else ()))
        if line is None or "(line " in str(e):
            raise
        raise TargetsError(file, f"{e.where} (line {line})", e.message) from None


def load_targets(path: str | Path) -> TargetSet:
    """Read and validate a targets file; TargetsError (one line) on any problem."""
    p = Path(path)
    file = str(path)
    try:
        if not p.is_file():
            raise TargetsError(file, "", "no such file; allowed: a targets .yaml file such as calibration/targets.yaml")
        with open(p, "rb") as fh:  # never more than the limit into memory
            raw = fh.read(MAX_BYTES + 1)
    except (OSError, ValueError) as e:
        raise TargetsError(file, "", f"cannot be read ({e.__class__.__name__}); allowed: a readable targets "
                                     ".yaml file") from None
    if len(raw) > MAX_BYTES:
        raise TargetsError(file, "", f"larger than {MAX_BYTES:,} bytes; allowed: a targets file of ordinary size")
    # The scenario reader's guards (tags, alias bombs, duplicate keys, encoding) and line numbers.
    try:
        doc, root = parse_yaml(raw, file, expected="a YAML mapping with scenario:, estimate: and targets: "
                                                    "(see calibration/targets.yaml)")
    except ScenarioError as e:
        where = " ".join(x for x in (e.location, f"(line {e.line})" if e.line else "") if x)
        raise TargetsError(file, where, e.message) from None
    if not isinstance(doc, dict):
        raise TargetsError(file, "", "the top level must be a mapping with scenario, estimate and targets")
    unknown = [k for k in doc if k not in ("scenario", "estimate", "targets")]
    if unknown:
        raise TargetsError(file, str(unknown[0]), "unknown key; allowed: scenario, estimate, targets")
    scenario = _scenario(file, p.resolve().parent, doc.get("scenario"))
    estimate = _estimate(file, doc.get("estimate"))
    entries = doc.get("targets")
    if not isinstance(entries, list) or not entries:
        raise TargetsError(file, "targets", "must be a non-empty list of targets")
    targets = tuple(_located(file, root, i, e, scenario) for i, e in enumerate(entries))
    seen: set[str] = set()
    for i, t in enumerate(targets):
        if t.name in seen:
            raise TargetsError(file, f"targets[{i}].name", f"{t.name!r} is used twice; allowed: unique names")
        seen.add(t.name)
    if not any(t.role == "fit" for t in targets):
        raise TargetsError(file, "targets", "no target has role: fit; allowed: at least one fit target")
    return TargetSet(path=p.resolve(), scenario=scenario, estimate=estimate, targets=targets)
