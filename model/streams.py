"""Named random streams: common random numbers across policy arms.

One `SeedSequence` per replication (from the scenario seed); every mechanism draws from its own
stream, seeded by the replication's sequence plus a stable hash of the stream's name, and
draws one number per firm slot per quarter whether or not the firm is eligible. So adding a
policy never shifts the draws of another mechanism or another firm, and an arm without the
policy sees exactly the numbers its counterfactual sees.
"""

from __future__ import annotations

import hashlib

import numpy as np

# The population stream also draws the peer network (population.build_population).
STREAM_NAMES = ("population", "awareness", "experiment", "fieldlab", "pilot", "adoption", "reshoring", "mesa",
                "posterior")


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def check_distinct(names, key=_name_key) -> dict[str, int]:
    """Every stream its own name and its own seed: two mechanisms on one stream would move each
    other's draws (common random numbers lost), and two names whose keys collide would draw the
    same numbers. Raises ValueError naming the culprits; returns name -> key."""
    names = list(names)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"random stream names used twice: {twice}")
    keys = {n: key(n) for n in names}
    same = sorted(n for n in names if list(keys.values()).count(keys[n]) > 1)
    if same:
        raise ValueError(f"random streams with the same seed: {same}; rename one")
    return keys


_KEYS = check_distinct(STREAM_NAMES)  # checked when the model is imported, not assumed


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Child sequences of the scenario seed, one per replication (independent of workers)."""
    return np.random.SeedSequence(seed).spawn(replications)


class Streams:
    """One generator per mechanism name, all derived from one replication SeedSequence."""

    def __init__(self, seed: int | np.random.SeedSequence | None):
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._gens: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in STREAM_NAMES:
            raise KeyError(f"unknown random stream '{name}'; add it to STREAM_NAMES")
        if name not in self._gens:
            ss = np.random.SeedSequence(self.root.entropy, spawn_key=self.root.spawn_key + (_KEYS[name],))
            self._gens[name] = np.random.default_rng(ss)
        return self._gens[name]
