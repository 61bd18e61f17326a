"""Errors a user can fix, as one line: `ScenarioError`, and pydantic's validation errors
turned into "<key.path> (line N): <what is wrong>; <what is allowed>"."""

from __future__ import annotations

import datetime
import math
import re
from typing import Mapping

from pydantic import ValidationError

from ..params import suggest
from ..policies import INSTRUMENT_TYPES
from .schema import INSTRUMENT_MODELS, HorizonFile, Population, _FileModel, _number_text

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


def _fmt_loc(loc) -> str:
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


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
