"""What every subcommand shares: the one kind of error a user can fix."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad input, missing file, existing output). run.py prints
    it as one line and exits with code 2, without a traceback."""
