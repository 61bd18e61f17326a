"""The command line's subcommands (run.py dispatches to them)."""
