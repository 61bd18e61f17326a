"""ABC settings, apart from calibration/abc.py so that building the command line (every
subcommand's --help and errors) does not pay for importing pyabc."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AbcSettings:
    scale: float = 0.5  # population scale of each simulation (1 = all Dutch firms)
    # The shipped posterior's settings (calibration/fitted/baseline/calibration.json), so that
    # `run.py calibrate` with no options repeats it.
    population_size: int = 250  # particles per generation
    budget: int = 8000  # total model runs
    generations: int | None = None  # optional cap on the number of generations
    seed: int = 20140101
