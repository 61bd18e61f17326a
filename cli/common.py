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
