#!/usr/bin/env python3
"""smartregion command line: `python run.py --help`.

A thin dispatcher: each subcommand lives in its own module under cli/ and exposes
`add_parser(subparsers)` and `main(args) -> int`. Errors a user can fix (a bad scenario, a
missing file, an existing output directory) are printed as one line with exit code 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand modules, in the order --help lists them.
COMMANDS = ("run", "compare", "validate", "schema", "list", "dashboard", "calibrate", "sensitivity")
MODULES = {
    "run": "cli.run_cmd", "compare": "cli.compare_cmd",
    "validate": "cli.scenario_cmds", "schema": "cli.scenario_cmds", "list": "cli.scenario_cmds",
    "dashboard": "cli.dashboard_cmd", "calibrate": "cli.calibrate_cmd", "sensitivity": "cli.sensitivity_cmd",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="smartregion: Smart Industry adoption, jobs and productivity in Dutch provinces.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    added = set()
    for name in COMMANDS:
        module_name = MODULES[name]
        if module_name in added:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:  # an optional part (dashboard, calibration) not installed
            if e.name and e.name.startswith("cli."):
                continue
            raise
        module.add_parser(sub)
        added.add(module_name)
    return parser


def main(argv: list[str] | None = None) -> int:
    from cli.common import UserError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
