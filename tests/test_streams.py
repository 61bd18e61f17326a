"""Random-number discipline, checked rather than assumed (model/streams.py): every mechanism
draws from its own named stream, no two streams share a name or a seed, and switching one
stream to other numbers changes that mechanism's draws only."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import smartregion.model.model as model_module
from smartregion.model.model import SmartIndustryModel
from smartregion.model.scenario import load_scenario
from smartregion.model.streams import STREAM_NAMES, Streams, check_distinct


def test_stream_names_and_seeds_are_distinct():
    keys = check_distinct(STREAM_NAMES)
    assert len(set(keys.values())) == len(STREAM_NAMES)
    assert "network" not in STREAM_NAMES  # the peer network is drawn from the population stream


def test_two_streams_with_one_name_or_one_seed_are_refused():
    with pytest.raises(ValueError, match="used twice: \\['adoption'\\]"):
        check_distinct(("awareness", "adoption", "adoption"))
    with pytest.raises(ValueError, match="same seed"):
        check_distinct(("awareness", "adoption"), key=lambda name: 7)


def test_streams_of_one_replication_draw_different_numbers():
    s = Streams(np.random.SeedSequence(5).spawn(1)[0])
    first = {name: s[name].random(4).tobytes() for name in STREAM_NAMES}
    assert len(set(first.values())) == len(STREAM_NAMES)
    with pytest.raises(KeyError, match="unknown random stream"):
        s["network"]


class _Logged:
    """A generator that records every draw and which module asked for it."""

    def __init__(self, gen, log: list):
        self._gen, self._log = gen, log

    def __getattr__(self, method):
        def draw(*args, **kwargs):
            values = getattr(self._gen, method)(*args, **kwargs)
            self._log.append((sys._getframe(1).f_globals["__name__"], np.array(values, copy=True)))
            return values
        return draw


def draws(off: str | None = None) -> dict[str, list]:
    """Every draw of a short baseline run at small scale, per stream; the stream `off` is
    switched to other numbers (another seed)."""
    logs: dict[str, list] = {}

    class LoggedStreams(Streams):
        def __getitem__(self, name):
            gen = np.random.default_rng(999) if name == off else super().__getitem__(name)
            return _Logged(gen, logs.setdefault(name, []))

    scenario = load_scenario("baseline")
    original = model_module.Streams
    model_module.Streams = LoggedStreams
    try:
        SmartIndustryModel(policies=scenario.policies, start="2016Q1", end="2019Q4", scale=0.03, seed=4).run()
    finally:
        model_module.Streams = original
    return logs


@pytest.fixture(scope="module")
def reference():
    return draws()


# The population stream draws the firms and then their peer network (one set-up step).
SAME_OWNER = {"smartregion.model.network": "smartregion.model.population"}


def test_each_stream_is_drawn_by_one_mechanism(reference):
    """Two mechanisms on one stream would move each other's draws when either changes."""
    owners = {name: {SAME_OWNER.get(module, module) for module, _ in log} for name, log in reference.items()}
    assert {"population", "awareness", "adoption", "reshoring", "experiment", "fieldlab", "pilot"} <= set(owners)
    for name, modules in owners.items():
        assert len(modules) == 1, f"stream {name} drawn by {sorted(modules)}"


@pytest.mark.parametrize("off", ["awareness", "adoption", "reshoring", "fieldlab"])
def test_switching_one_stream_changes_only_its_own_draws(reference, off):
    switched = draws(off)
    assert set(switched) == set(reference)
    for name, log in reference.items():
        same = len(log) == len(switched[name]) and all(
            np.array_equal(a, b) for (_, a), (_, b) in zip(log, switched[name], strict=True))
        assert same == (name != off), name
