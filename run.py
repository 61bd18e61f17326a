#!/usr/bin/env python3
"""`python run.py COMMAND ...` in a clone: the same as the installed `smartregion` command."""

import sys

from smartregion.cli.main import main

if __name__ == "__main__":
    sys.exit(main(prog="run.py"))
