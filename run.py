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


class _Parser(argparse.ArgumentParser):
    """Bad flags are user errors too: one line and exit code 2, like every other (argparse's
    default prints the whole usage first). Subcommand parsers inherit this class."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message}; see {self.prog} --help\n")


# Optional extras (pyproject.toml) that a subcommand needs beyond the core install.
EXTRAS = {"dashboard": "dashboard", "calibrate": "calibration", "sensitivity": "calibration"}
PROJECT_PACKAGES = ("cli", "model", "viz", "calibration")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="run.py", description="smartregion: Smart Industry adoption, jobs and productivity in Dutch provinces.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    added = set()
    for name in COMMANDS:
        module_name = MODULES[name]
        if module_name in added:
            continue
        try:
            importlib.import_module(module_name).add_parser(sub)
        except ModuleNotFoundError as e:
            missing = (e.name or "").split(".")[0]
            if missing == "cli":  # a subcommand not written yet
                continue
            if missing in PROJECT_PACKAGES or name not in EXTRAS:
                raise  # a bug, not a missing optional install
            _needs_extra(sub, name, e.name)
        added.add(module_name)
    return parser


def missing_extra(command: str, package: str) -> str:
    """The one line for a subcommand whose optional dependencies are not installed, with the
    install command as it works in a clone of the repository (the extras are not on PyPI)."""
    return (f"{command} needs the optional package '{package}', which is not installed; allowed: install the "
            f"'{EXTRAS[command]}' extra from the repository root with pip install -e '.[{EXTRAS[command]}]'")


def _needs_extra(sub, name: str, package: str) -> None:
    """A subcommand whose optional dependencies are not installed: listed, and when used it
    says in one line what to install, instead of breaking every other command."""
    from cli.common import UserError

    def explain(args):
        raise UserError(missing_extra(name, package))

    if name in sub.choices:  # add_parser failed half-way: keep its flags, replace what it does
        p = sub.choices[name]
    else:
        p = sub.add_parser(name, help=f"(needs: pip install -e '.[{EXTRAS[name]}]')")
        p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=explain)


def main(argv: list[str] | None = None) -> int:
    from cli.common import UserError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as e:  # an optional package imported only when the command runs
        missing = (e.name or "").split(".")[0]
        if args.command not in EXTRAS or not missing or missing in PROJECT_PACKAGES:
            raise  # a bug, not a missing optional install
        print(f"error: {missing_extra(args.command, missing)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
