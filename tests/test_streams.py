"""Random-number discipline, checked rather than assumed (model/streams.py): every mechanism
draws from its own named stream, no two streams share a name or a seed, switching one stream
to other numbers changes that mechanism's draws only, and a firm's quarterly draw is its own:
uniform, uncorrelated with its neighbours' and its other quarters', and unmoved by which other
firms draw."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import smartregion.model.model as model_module
from smartregion.model.model import SmartIndustryModel
from smartregion.model.scenario import load_scenario
from smartregion.model.streams import STREAM_NAMES, Streams, check_distinct, uniform, uniforms


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


def keys_drawn(off: str | None = None) -> dict[str, list]:
    """Every quarter key a short baseline run at small scale asks for, per stream, with the
    module that asked; the stream `off` is switched to other numbers (another key)."""
    logs: dict[str, list] = {}

    class LoggedStreams(Streams):
        def key(self, name, quarter, slot=0):
            key = super().key(name, quarter, slot) ^ np.uint64(0xFFFF if name == off else 0)
            logs.setdefault(name, []).append((sys._getframe(1).f_globals["__name__"], (quarter, slot), key))
            return key

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
    return keys_drawn()


def test_each_stream_is_drawn_by_one_mechanism(reference):
    """Two mechanisms on one stream would move each other's draws when either changes."""
    owners = {name: {module for module, _, _ in log} for name, log in reference.items()}
    assert {"awareness", "adoption", "reshoring", "experiment", "fieldlab", "pilot"} <= set(owners)
    for name, modules in owners.items():
        assert len(modules) == 1, f"stream {name} drawn by {sorted(modules)}"


@pytest.mark.parametrize("off", ["awareness", "adoption", "reshoring", "fieldlab"])
def test_switching_one_stream_changes_only_its_own_draws(reference, off):
    """Another key for one stream: its numbers change, every other stream's keys (and so each
    firm's number under them) stay those of the reference run, whatever the model did."""
    switched = keys_drawn(off)
    assert set(switched) == set(reference)
    for name, log in reference.items():
        ref = {at: key for _, at, key in log}
        now = {at: key for _, at, key in switched[name]}
        common = ref.keys() & now.keys()
        assert common
        assert all((ref[at] == now[at]) == (name != off) for at in common), name


# --- the counter-based generator ------------------------------------------------------------

def test_a_firms_draw_does_not_depend_on_who_else_draws():
    key = Streams(3).key("adoption", 8070)
    everyone = uniforms(key, np.arange(5000))
    some = np.array([4999, 17, 3, 2500])
    np.testing.assert_array_equal(uniforms(key, some), everyone[some])
    assert [uniform(key, i) for i in (0, 1, 4999)] == list(everyone[[0, 1, 4999]])  # compiled scalar = array


def test_same_seed_same_numbers_and_each_quarter_slot_and_replication_its_own():
    a, b = Streams(np.random.SeedSequence(8).spawn(2)[0]), Streams(np.random.SeedSequence(8).spawn(2)[0])
    other = Streams(np.random.SeedSequence(8).spawn(2)[1])
    firms = np.arange(100)
    assert a.key("awareness", 8060) == b.key("awareness", 8060)
    np.testing.assert_array_equal(uniforms(a.key("awareness", 8060), firms), uniforms(b.key("awareness", 8060), firms))
    keys = {a.key("awareness", 8060), a.key("awareness", 8061), a.key("awareness", 8060, slot=1),
            a.key("adoption", 8060), other.key("awareness", 8060)}
    assert len(keys) == 5


def test_draws_are_uniform_and_uncorrelated_across_neighbouring_firms_and_quarters():
    """200,000 draws (40 quarters x 5,000 firms, fixed seed): the chi-square of 100 equal bins
    and Kolmogorov-Smirnov against U(0,1) pass at the 0.1% level; the correlation between
    neighbouring firms and between a firm's draws in consecutive quarters is within 4 standard
    errors of 0 (1/sqrt(n))."""
    from scipy import stats

    s = Streams(2026)
    u = np.vstack([uniforms(s.key("reshoring", 8056 + q), np.arange(5000)) for q in range(40)])
    assert 0 <= u.min() and u.max() < 1
    assert stats.chisquare(np.histogram(u, bins=100, range=(0, 1))[0]).pvalue > 1e-3
    assert stats.kstest(u.ravel(), "uniform").pvalue > 1e-3
    firms = np.corrcoef(u[:, :-1].ravel(), u[:, 1:].ravel())[0, 1]
    quarters = np.corrcoef(u[:-1].ravel(), u[1:].ravel())[0, 1]
    slots = np.corrcoef(u[0], uniforms(s.key("reshoring", 8056, slot=1), np.arange(5000)))[0, 1]
    assert abs(firms) < 4 / np.sqrt(u[:, 1:].size) and abs(quarters) < 4 / np.sqrt(u[1:].size)
    assert abs(slots) < 4 / np.sqrt(5000)


def test_changing_one_firms_stage_moves_no_other_firms_draw():
    """A quarter of adoption and of awareness with one firm's stage changed: every other firm
    ends the quarter exactly as it would have (each draws its own number, whoever else draws;
    a generator drawing only for the eligible firms in turn would shift everyone after it)."""
    from smartregion.model.regions import ADOPTED, AWARE, EXPERIMENTING, UNAWARE

    def model_at_quarter_8():
        m = SmartIndustryModel(policies=load_scenario("baseline").policies, start="2016Q1", end="2019Q4",
                               scale=0.3, seed=4)
        for _ in range(8):
            m.step()
        m._policy_context()
        return m

    for stage, step in ((EXPERIMENTING, lambda x: x._adoption()), (UNAWARE, lambda x: x._awareness())):
        m, changed = model_at_quarter_8(), model_at_quarter_8()
        j = np.flatnonzero(m.firms_state.stage == stage)[len(np.flatnonzero(m.firms_state.stage == stage)) // 3]
        changed.firms_state.stage[j] = AWARE if stage == EXPERIMENTING else ADOPTED
        before = m.firms_state.stage.copy()
        step(m)
        step(changed)
        others = np.arange(m.n) != j
        assert (m.firms_state.stage != before).sum() > 5  # the quarter moved firms
        np.testing.assert_array_equal(m.firms_state.stage[others], changed.firms_state.stage[others])
        np.testing.assert_array_equal(m.firms_state.redundant[:, others], changed.firms_state.redundant[:, others])
