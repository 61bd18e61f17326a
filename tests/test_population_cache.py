"""Populations reused within a process (model/population.py population_for): a reused
population is the one a fresh build gives, to the last bit, and so is every number of a run
on it; nothing a caller does to its copy reaches another caller."""

import dataclasses

import numpy as np
import pytest

from smartregion.model import params, population
from smartregion.model.model import SmartIndustryModel
from smartregion.model.streams import Streams


def same(a: population.Population, b: population.Population) -> bool:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "peers":
            if not (np.array_equal(x.indptr, y.indptr) and np.array_equal(x.indices, y.indices)
                    and np.array_equal(x.data, y.data)):
                return False
        elif not (x.dtype == y.dtype and np.array_equal(x, y)):
            return False
    return True


@pytest.fixture
def cache():
    """An empty cache that holds plenty, restored afterwards."""
    before = population.POPULATION_CACHE_BYTES
    population._cache.clear()
    population.keep_populations(100_000_000)
    yield population._cache
    population._cache.clear()
    population.keep_populations(before)


def test_a_reused_population_is_a_fresh_build_and_leaves_the_generator_where_a_build_would(cache):
    p = params.resolve({})
    fresh_rng = Streams(3)["population"]
    fresh = population.build_population(fresh_rng, p, 0.2)
    first = population.population_for(Streams(3)["population"], p, 0.2)
    again_rng = Streams(3)["population"]
    again = population.population_for(again_rng, p, 0.2)
    assert len(cache) == 1  # the second call was served from the cache
    assert same(fresh, first) and same(fresh, again)
    assert again_rng.random() == fresh_rng.random()


def test_changing_a_reused_population_changes_no_other_callers(cache):
    p = params.resolve({})
    mine = population.population_for(Streams(4)["population"], p, 0.1)
    reference = population.build_population(Streams(4)["population"], p, 0.1)
    mine.visibility[:] = 0.0
    mine.peers.data[:] = 7.0
    assert same(population.population_for(Streams(4)["population"], p, 0.1), reference)


def test_another_seed_scale_or_population_parameter_gets_its_own_population(cache):
    p = params.resolve({})
    base = population.population_for(Streams(5)["population"], p, 0.1)
    others = [population.population_for(Streams(6)["population"], p, 0.1),
              population.population_for(Streams(5)["population"], p, 0.2),
              population.population_for(Streams(5)["population"], {**p, "initial_cost_ratio": 1.4}, 0.1)]
    assert len(cache) == 4
    assert not any(same(base, o) for o in others[:2])
    assert not np.array_equal(base.cost_ratio, others[2].cost_ratio)
    # A parameter the population does not read shares it.
    population.population_for(Streams(5)["population"], {**p, "bass_q": p["bass_q"] * 2}, 0.1)
    assert len(cache) == 4


def test_a_run_on_a_reused_population_gives_the_numbers_of_a_fresh_one(cache):
    def run(**kw):
        m = SmartIndustryModel(scale=0.1, seed=8, end="2019Q4", **kw)
        r = m.run()
        m.release()
        return r

    population.keep_populations(0)
    fresh = run()
    population.keep_populations(100_000_000)
    run()  # builds and keeps it
    reused = run()
    assert len(cache) == 1
    for name in ("metrics", "breakdown", "spend"):
        assert getattr(reused, name).tobytes() == getattr(fresh, name).tobytes()


def test_the_cache_keeps_to_its_budget(cache):
    p = params.resolve({})
    one = population._nbytes(population.build_population(Streams(9)["population"], p, 0.1))
    population.keep_populations(int(2.5 * one))
    for seed in range(10, 15):
        population.population_for(Streams(seed)["population"], p, 0.1)
    assert len(cache) == 2
    population.keep_populations(0)
    assert len(cache) == 0
    population.population_for(Streams(10)["population"], p, 0.1)
    assert len(cache) == 0
