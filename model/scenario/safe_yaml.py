"""Reading YAML without executing anything, within limits.

Only PyYAML's SafeLoader is used; tags other than plain YAML values are refused before
construction; documents that would expand to more than `MAX_NODES` nodes through aliases (the
"billion laughs") are refused without expanding them; duplicate and non-text keys, control
characters and lone surrogates are refused. `parse_yaml` is also used for other YAML inputs
(calibration targets)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .messages import ScenarioError, _fmt_loc

# A scenario is a few kB (baseline.yaml, the largest, is 8 kB). The limits keep the worst
# document PyYAML must scan under a second, so an upload cannot stall the dashboard.
MAX_FILE_BYTES = 256_000
MAX_NODES = 20_000  # YAML nodes in a document, counting every alias expansion
MAX_ALIASES = 100  # uses of *alias in one document

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
