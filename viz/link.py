"""A shareable link: the page's state as a URL query, and back.

`?scenario=baseline&replications=20&seed=1&comparison=levers&levers={...}&parameters={...}`
restores a shipped scenario, the levers, the uncertain parameters, the seed, the number of
replications and the comparison shown. Uploaded scenarios cannot travel in a link (their
text is not on the server of whoever opens it); the link then says so.

What arrives in a query is untrusted: every value goes through the same checks as a slider
(the Levers fields and ranges, `levers.apply`'s scenario validation); a value that does not
fit is left out and named, never half-applied.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from urllib.parse import parse_qs, urlencode

from smartregion.model.scenario import list_scenarios

from . import levers as lv
from .words import DEFAULT_LANG


def encode(scenario: str | None, lev: lv.Levers, parameters: dict, replications: int, seed: int,
           comparison: str, lang: str = DEFAULT_LANG) -> str | None:
    """The query string for this state, or None for a scenario that has no shipped name."""
    if scenario is None:
        return None
    changed = {k: v for k, v in asdict(lev).items() if v != getattr(lv.Levers(), k)}
    q = {"scenario": scenario, "replications": replications, "seed": seed, "comparison": comparison}
    if lang != DEFAULT_LANG:
        q["lang"] = lang
    if changed:
        q["levers"] = json.dumps(changed, separators=(",", ":"))
    if parameters:
        q["parameters"] = json.dumps(parameters, separators=(",", ":"))
    return urlencode(q)


def decode(search: str | None, max_replications: int) -> tuple[dict, list[str]]:
    """(the state the query asks for, keys left out because they do not fit). State keys:
    scenario, levers (a Levers), parameters, replications, seed, comparison."""
    out, bad = {}, []
    q = {k: v[-1] for k, v in parse_qs(search or "").items()}
    if "scenario" in q:
        if q["scenario"] in [n for n, _ in list_scenarios()]:
            out["scenario"] = q["scenario"]
        else:
            bad.append("scenario")
    for key, lo, hi in (("replications", 1, max_replications), ("seed", 0, 2**32 - 1)):
        if key in q:
            try:
                value = int(q[key])
                if not lo <= value <= hi:
                    raise ValueError
                out[key] = value
            except ValueError:
                bad.append(key)
    if "comparison" in q:
        if q["comparison"] in ("levers", "scenario"):
            out["comparison"] = q["comparison"]
        else:
            bad.append("comparison")
    if "lang" in q:
        if q["lang"] in ("en", "nl"):
            out["lang"] = q["lang"]
        else:
            bad.append("lang")
    if "levers" in q:
        try:
            given = json.loads(q["levers"])
            names = {f.name for f in fields(lv.Levers)}
            if not isinstance(given, dict) or not set(given) <= names:
                raise ValueError
            given = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
            wanted = lv.Levers(**given)
            if not wanted.valid_shape():
                raise ValueError
            lv.lever_instruments(wanted, "2030Q4")  # numbers where numbers go
            out["levers"] = wanted
        except (ValueError, TypeError, AttributeError):
            bad.append("levers")
    if "parameters" in q:
        try:
            given = json.loads(q["parameters"])
            if not isinstance(given, dict) or not set(given) <= set(lv.UNCERTAIN) or \
                    not all(isinstance(v, (int, float)) for v in given.values()):
                raise ValueError
            out["parameters"] = {k: float(v) for k, v in given.items()}
        except (ValueError, TypeError):
            bad.append("parameters")
    return out, bad
