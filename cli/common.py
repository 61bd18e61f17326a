"""What every subcommand shares: the one kind of error a user can fix."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad input, missing file, existing output). run.py prints
    it as one line and exits with code 2, without a traceback."""


def whole_number_at_least(minimum: int):
    """An argparse type: a whole number >= minimum, else one line saying what is allowed."""
    import argparse

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            v = minimum - 1
        if v < minimum:
            raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a whole number of {minimum} or more")
        return v

    return parse


def command_words(args) -> list[str]:
    """The command as the user started it, for manifests' `command` and `rerun`: `smartregion`
    (the installed console script) or `python run.py` (a clone). `args.prog` is set by main."""
    return ["python", "run.py"] if getattr(args, "prog", "smartregion") == "run.py" else ["smartregion"]


def install_hint(extra: str) -> str:
    """How to add an optional extra: from a clone (pyproject.toml beside the package) an editable
    install of it, otherwise the installed distribution's extra."""
    from pathlib import Path

    if (Path(__file__).resolve().parent.parent / "pyproject.toml").is_file():
        return f"pip install -e '.[{extra}]'"
    return f"pip install 'smartregion[{extra}]'"
