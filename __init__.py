"""smartregion: an agent-based model (Mesa) of Smart Industry adoption, jobs, reshoring and
productivity in Dutch provinces. The command line is `smartregion` (or `python run.py` in a clone)."""

__version__ = "0.1.0"
