"""Scenario housekeeping: `validate FILE...`, `schema [--out FILE]`, `list`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import UserError


def add_parser(sub) -> None:
    p = sub.add_parser("validate", help="check scenario files without running them",
                       description="Check scenario files (and their counterfactuals) as `run` would, one line "
                                   "per file; exit code 2 if any is invalid.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=validate)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files (for editors)",
                       description="The JSON Schema of scenario files; editors use it for completion and checks "
                                   "(see README, 'Editing a scenario').")
    p.add_argument("--out", metavar="FILE", help="write it to FILE instead of printing it")
    p.set_defaults(func=schema)

    p = sub.add_parser("list", help="list the shipped scenarios", description="The shipped scenarios: name and "
                                                                              "first line of the description.")
    p.set_defaults(func=list_shipped)


def validate(args) -> int:
    from smartregion.model.scenario import ScenarioError, load_counterfactual, load_scenario

    failed = 0
    for f in args.files:
        try:
            s = load_scenario(f)
            cf = load_counterfactual(s)
        except ScenarioError as e:
            print(e)
            failed += 1
            continue
        against = f" vs {cf.name}" if cf is not None else ", no counterfactual"
        print(f"{f}: ok ({s.name}{against}; {len(s.policies)} instrument(s), {s.horizon.start}-{s.horizon.end})")
    return 2 if failed else 0


def schema_text() -> str:
    """The schema exactly as committed at the repository root (scenario.schema.json)."""
    from smartregion.model.scenario import scenario_json_schema

    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def schema(args) -> int:
    text = schema_text()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as e:
        raise UserError(f"--out {args.out}: cannot write ({e.strerror}); allowed: a writable file path") from None
    print(f"written: {args.out}")
    return 0


def list_shipped(args) -> int:
    from smartregion.model.scenario import list_scenarios

    rows = list_scenarios()
    width = max((len(name) for name, _ in rows), default=0)
    for name, description in rows:
        print(f"{name:<{width}}  {description}")
    return 0
