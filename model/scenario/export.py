"""A resolved scenario written back as YAML (`to_yaml`): no extends, every value explicit, so
that `load_scenario` reads it back to an equal scenario (output directories' scenario.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .safe_yaml import _TAG_PREFIX
from .schema import NO_COUNTERFACTUAL, SCENARIO_DIR, Scenario

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
