"""Named random streams: common random numbers across policy arms.

One `SeedSequence` per replication (from the scenario seed). Set-up draws (the population and
its peer network, Mesa's own generator, the posterior) come from a generator per stream name,
seeded by the replication's sequence plus a stable hash of the name.

The mechanisms' quarterly draws are keyed by firm: the uniform number of firm i in quarter q
on stream s is a pure function of (replication, s, draw slot, q, i), a counter-based generator
(`uniform`). Firm i's draw does not depend on which other firms draw, how many there are, or
what happened in earlier quarters, so a mechanism draws only for the firms that need a number,
and an arm without a policy sees exactly the numbers its counterfactual sees.

The generator is SplitMix64 (Steele, Lea & Flood 2014; passes BigCrush): for each (stream,
slot, quarter) a 64-bit key is mixed from the stream's seed and the quarter, and firm i gets
the key's SplitMix64 output number i + 1. The same functions run compiled (numba, inside the
mechanisms' loops) and as plain Python (NUMBA_DISABLE_JIT=1).
"""

from __future__ import annotations

import hashlib
import warnings

import numba
import numpy as np

# The population stream also draws the peer network (population.build_population).
STREAM_NAMES = ("population", "awareness", "experiment", "fieldlab", "pilot", "adoption", "reshoring", "mesa",
                "posterior")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment (odd: every counter a distinct state)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)
_TO_UNIT = 2.0 ** -53

if numba.config.DISABLE_JIT:  # plain Python on numpy scalars: the wrap-around is intended
    warnings.filterwarnings("ignore", "overflow encountered in scalar", RuntimeWarning, __name__)


@numba.njit(cache=True)
def _mix(z):
    """SplitMix64's output function: a bijection of 64-bit integers that mixes every bit."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@numba.njit(cache=True)
def quarter_key(stream_key, quarter):
    """The key of one stream (and draw slot) in one absolute quarter (model/timeline.py)."""
    return _mix(np.uint64(stream_key) ^ _mix(np.uint64(quarter) * _GOLDEN + _ONE))


@numba.njit(cache=True)
def uniform(key, firm):
    """Firm `firm`'s uniform number in [0, 1) under a quarter key (53 random bits)."""
    return float(_mix(np.uint64(key) + (np.uint64(firm) + _ONE) * _GOLDEN) >> _S11) * _TO_UNIT


@numba.njit(cache=True)
def uniforms(key, firms):
    """`uniform(key, i)` for every firm i in `firms` (an integer array)."""
    out = np.empty(len(firms))
    for j in range(len(firms)):
        out[j] = uniform(key, firms[j])
    return out


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
    """One generator per stream name for set-up draws, and per-firm keys for quarterly draws,
    all derived from one replication SeedSequence."""

    def __init__(self, seed: int | np.random.SeedSequence | None):
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._gens: dict[str, np.random.Generator] = {}
        self._keys: dict[tuple[str, int], np.uint64] = {}

    def _sequence(self, name: str, *more: int) -> np.random.SeedSequence:
        if name not in STREAM_NAMES:
            raise KeyError(f"unknown random stream '{name}'; add it to STREAM_NAMES")
        return np.random.SeedSequence(self.root.entropy, spawn_key=self.root.spawn_key + (_KEYS[name],) + more)

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._gens:
            self._gens[name] = np.random.default_rng(self._sequence(name))
        return self._gens[name]

    def key(self, name: str, quarter: int, slot: int = 0) -> np.uint64:
        """The quarter key of stream `name` (draw slot `slot`: a mechanism that needs two
        numbers per firm a quarter uses slots 0 and 1); pass it to `uniform`/`uniforms`."""
        if (name, slot) not in self._keys:
            self._keys[name, slot] = self._sequence(name, slot).generate_state(1, np.uint64)[0]
        return np.uint64(quarter_key(self._keys[name, slot], quarter))
