"""smartregion command line: `smartregion --help` (or `python run.py --help` in a clone).

A thin dispatcher: each subcommand lives in its own module under cli/ and exposes
`add_parser(subparsers)` and `main(args) -> int`. Errors a user can fix (a bad scenario, a
missing file, an existing output directory) are printed as one line with exit code 2;
faults of the machine during a run (a full disk, dying workers) as one line with exit code 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand modules, in the order --help lists them.
COMMANDS = ("run", "compare", "validate", "schema", "list", "dashboard", "calibrate", "sensitivity")
MODULES = {
    "run": "smartregion.cli.run_cmd", "compare": "smartregion.cli.compare_cmd",
    "validate": "smartregion.cli.scenario_cmds", "schema": "smartregion.cli.scenario_cmds", "list": "smartregion.cli.scenario_cmds",
    "dashboard": "smartregion.cli.dashboard_cmd", "calibrate": "smartregion.cli.calibrate_cmd", "sensitivity": "smartregion.cli.sensitivity_cmd",
}


class _Parser(argparse.ArgumentParser):
    """Bad flags are user errors too: one line and exit code 2, like every other (argparse's
    default prints the whole usage first). Subcommand parsers inherit this class."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message}; see {self.prog} --help\n")


# Optional extras (pyproject.toml) that a subcommand needs beyond the core install.
EXTRAS = {"dashboard": "dashboard", "calibrate": "calibration", "sensitivity": "calibration"}
PROJECT_PACKAGE = "smartregion"


def build_parser(prog: str = "smartregion") -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog, description="smartregion: Smart Industry adoption, jobs and productivity in Dutch provinces.")
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
            if missing == PROJECT_PACKAGE or name not in EXTRAS:
                raise  # a bug, not a missing optional install
            _needs_extra(sub, name, e.name)
        added.add(module_name)
    return parser


def _needs_extra(sub, name: str, package: str) -> None:
    """A subcommand whose optional dependencies are not installed: listed, and when used it
    says in one line what to install, instead of breaking every other command."""
    from smartregion.cli.common import UserError, install_hint

    extra = EXTRAS[name]

    def explain(args):
        raise UserError(f"{name} needs the optional package '{package}', which is not installed; allowed: "
                        f"install it with {install_hint(extra)}")

    if name in sub.choices:  # add_parser failed half-way: keep its flags, replace what it does
        p = sub.choices[name]
    else:
        p = sub.add_parser(name, help=f"(needs: {install_hint(extra)})")
        p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=explain)


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A library's warning as one line (its first), once: not the source line and the
    file path that Python shows by default."""
    text = (str(message).strip().splitlines() or [category.__name__])[0]
    print(f"warning: {text} ({category.__name__})", file=file or sys.stderr)


def main(argv: list[str] | None = None, prog: str = "smartregion") -> int:
    import warnings

    from smartregion.cli.common import UserError
    from smartregion.cli.faults import RunFailed

    warnings.showwarning = _one_line_warning  # the default filters still show each warning once

    args = build_parser(prog).parse_args(argv)
    args.prog = prog  # manifests name the command the user typed (cli.common.command_words)
    try:
        return int(args.func(args) or 0)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except RunFailed as e:  # a fault of the machine (full disk, lost workers ...): cli/faults.py
        print(f"error: {e}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as e:  # an optional package imported only when the command runs
        missing = (e.name or "").split(".")[0]
        if args.command not in EXTRAS or not missing or missing == PROJECT_PACKAGE:
            raise  # a bug, not a missing optional install
        from smartregion.cli.common import install_hint

        print(f"error: {args.command} needs the optional package '{missing}', which is not installed; allowed: "
              f"install it with {install_hint(EXTRAS[args.command])}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: not an error of ours
        sys.stderr.close()
        return 0


def console_script() -> None:
    """Entry point of the `smartregion` command (pyproject.toml, [project.scripts])."""
    sys.exit(main())
