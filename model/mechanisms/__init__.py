"""One module per mechanism of the brief (section 3); `SmartIndustryModel.plan()` calls them in
order every quarter and `describe_plan()` prints that order with what each step reads and writes.

Each mechanism draws only from its own named random stream, a number keyed by firm and quarter
for each firm that needs one, so that the arms of a comparison see the same numbers
(model/streams.py). Each takes explicit inputs (the firm and province arrays, a few per-firm
vectors and its parameters, no model object), so that a test can run it on a handful of firms
set up by hand. The per-firm work is compiled (numba, `f = njit(cache=True)(f)` after the
function: written as an assignment, not as a decorator, because mutmut does not mutate decorated
functions, and these are the ones whose arithmetic mutation testing must reach: docs/TESTING.md):
loops over firms instead of many numpy passes. The first run after installing compiles it (`compile_first`) and
numba keeps the machine code on disk (`__pycache__`, or NUMBA_CACHE_DIR) for every later run;
NUMBA_DISABLE_JIT=1 runs the same functions as plain Python (slowly: for coverage or mutation
testing).
"""

from __future__ import annotations

from numba.core.registry import CPUDispatcher

from . import adoption, awareness, competition, experimenting, labour, productivity, reshoring  # noqa: F401


def _kernels() -> list:
    from .. import streams

    modules = (adoption, awareness, competition, experimenting, labour, productivity, reshoring, streams)
    # A function inlined into its callers (inline="always") is compiled as part of them and never
    # gets a cache entry of its own: counting it would make every run think the cache is cold.
    return list({id(f): f for mod in modules for f in vars(mod).values()
                 if isinstance(f, CPUDispatcher) and f.targetoptions.get("inline") != "always"}.values())


def compiled() -> bool:
    """Whether numba's on-disk cache holds every compiled function of the mechanisms."""
    import os

    try:
        return all(os.path.exists(k._cache._cache_file._index_path) for k in _kernels())
    except AttributeError:  # NUMBA_DISABLE_JIT=1 (plain functions), or numba's cache internals moved
        return True


def compile_first(announce) -> None:
    """Compile the mechanisms now if the on-disk cache lacks them (the first run after installing
    or after a change to them, about 10-20 s), calling announce() before: one small run of each
    kind (with fieldlabs, and the Bass limit) so that workers started afterwards load the cache."""
    if compiled():
        return
    announce()
    import numpy as np

    from ..model import SmartIndustryModel
    from ..scenario import load_scenario
    from ..streams import uniforms

    uniforms(np.uint64(0), np.arange(1))
    policies = load_scenario("baseline").policies
    SmartIndustryModel(policies=policies, start="2014Q1", end="2015Q4", scale=0.02, seed=0).run()
    SmartIndustryModel(policies=policies, start="2014Q1", end="2014Q2", scale=0.02, seed=0,
                       immediate_adoption=True).run()
