"""From a file, a dict or uploaded text to a validated `Scenario`: finding the files that
`extends` and `counterfactual` name, merging parents into children (sections key by key,
instruments changed or removed by name), and blaming the file and line that set a bad value."""

from __future__ import annotations

import copy
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from ..params import PARAMS, ParameterError, check_value, suggest
from ..policies import INSTRUMENT_TYPES
from .messages import ScenarioError, _explain, _first_error, _fmt_loc, _num, _show
from .safe_yaml import MAX_FILE_BYTES, line_of, parse_yaml
from .schema import DEFAULT_COUNTERFACTUAL, NO_COUNTERFACTUAL, SCENARIO_DIR, Scenario, _FileModel, _number_text

MAX_EXTENDS_DEPTH = 20
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")


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
    for key in ("horizon", "seed", "replications", "parameters", "population", "parameterisation"):
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
