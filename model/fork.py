"""Forking a run: one arm's state after some quarters, continued as another arm.

Two arms of a replication with the same parameters, population, seed and horizon compute the
same numbers until their policies first differ in effect: every quarterly draw is keyed by firm
and quarter (model/streams.py), and an instrument changes nothing before it starts. So the
second arm need not run those quarters again. `diverges(a, b)` finds the first quarter at which
two arms may differ (conservatively); `Snapshot(model)` copies a run's whole state between two
quarters, and `snapshot.start(policies)` continues it as the other arm, with exactly the numbers
that arm computes when run alone from the start (tests/test_fork.py: every shipped scenario
against its counterfactual, and the dashboard's levers).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import json
from collections import OrderedDict

import mesa
import numpy as np

from . import params as params_mod
from .instruments import Policy
from .model import SmartIndustryModel
from .timeline import parse_quarter

# An instrument changed only in these fields acts as before until firms learn of the new end
# or it comes, provided its spending a quarter does not depend on its end (_end_free).
_TIMING = ("end", "end_announced")
# Mesa's step wrapper and agent registry: the new model makes its own (its agents are views
# made on first use, model.py).
_MESA_OWN = ("step", "_user_step", "_agents", "_agents_by_type", "_all_agents")


def _spec_key(spec, without=()) -> str:
    return json.dumps({k: v for k, v in spec.model_dump(mode="json").items() if k not in without}, sort_keys=True)


def pairs(a: Policy, b: Policy) -> list[tuple[int, int]]:
    """(index in a, index in b) of the instruments that are the same in both arms but perhaps
    for their end and its announcement. Pairs keep the instruments' order: hubs' reach
    multiplies in it, and equal subsidies go to the first (model.py, adoption.py)."""
    ka, kb = ([_spec_key(ins.spec, _TIMING) for ins in p.instruments] for p in (a, b))
    blocks = difflib.SequenceMatcher(None, ka, kb, autojunk=False).get_matching_blocks()
    return [(m.a + k, m.b + k) for m in blocks for k in range(m.size)]


def _end_free(ins) -> bool:
    """Whether what the instrument does a quarter before its end does not depend on the end:
    subsidies and reshoring support pay per firm from a budget that is a cap; the others spread
    their budget over their window unless they spend a fixed amount a quarter (historical
    fieldlabs: their openings and costs come from the quarters in the window even then)."""
    if ins.kind in ("adoption_subsidy", "reshoring_support"):
        return True
    return ins.kind != "historical_fieldlabs" and ins.spec.eur_per_quarter is not None


def first_difference(a: Policy, b: Policy) -> int:
    """The first step at which the two policies (same horizon, parameters and population) may
    act differently; a.n_steps if they never do."""
    q = a.n_steps
    paired = pairs(a, b)
    for p, mine in ((a, {i for i, _ in paired}), (b, {j for _, j in paired})):
        for k, ins in enumerate(p.instruments):
            if k not in mine:  # in one arm only: nothing until it starts
                q = min(q, ins.start)
    for i, j in paired:
        x, y = a.instruments[i], b.instruments[j]
        if _spec_key(x.spec) != _spec_key(y.spec):  # another end or announcement
            if _end_free(x):  # the same until firms learn of either end, or the earlier end comes
                q = min(q, min(x.end, y.end) + 1, *(t for t in (x.announce, y.announce) if t is not None))
            else:
                q = min(q, x.start)
        # Firms hold the row number of their fieldlab, and a row's number sets its member places
        # (Policy._build_fieldlabs): a paired instrument's fieldlabs must sit at the same rows.
        rows_a, rows_b = np.flatnonzero(a.fieldlabs.instrument == i), np.flatnonzero(b.fieldlabs.instrument == j)
        if not np.array_equal(rows_a, rows_b):
            q = min(q, *a.fieldlabs.open_t[rows_a], *b.fieldlabs.open_t[rows_b])
    return max(q, 0)


def diverges(a, b) -> int:
    """The first step at which arms a and b (model/ensemble.RunSpec) may compute different
    numbers: 0 when they share nothing (other parameters or parameter draw, horizon, population
    scale or network), the number of steps when they are the same run."""
    same = ((a.start, a.end, a.scale, a.network) == (b.start, b.end, b.scale, b.network)
            and a.draw_parameters == b.draw_parameters
            and params_mod.resolve(a.parameters) == params_mod.resolve(b.parameters))
    if not same:
        return 0
    first, n_steps = parse_quarter(a.start), parse_quarter(a.end) - parse_quarter(a.start) + 1
    # Drawn parameter values may change the fieldlabs' capacities, never their rows or timing.
    params = params_mod.resolve(a.parameters)
    return first_difference(*(Policy(list(s.policies), first, n_steps, s.scale, params) for s in (a, b)))


class Snapshot:
    """A run's whole state after `t` quarters, apart from the run (which may go on)."""

    def __init__(self, model: SmartIndustryModel):
        self.t = model.t
        cls = type(model)
        # Values fixed for the run (cached properties: eligibility by instrument, hub figures,
        # parameter tuples) are left out: the new arm computes its own for its policy.
        state = {k: v for k, v in vars(model).items()
                 if k not in _MESA_OWN and not isinstance(getattr(cls, k, None), functools.cached_property)}
        self._shared = _read_only(model)
        self._state = copy.deepcopy(state, dict(self._shared))

    @functools.cached_property
    def nbytes(self) -> int:
        """What keeping it holds: its arrays, the population's included (it keeps it alive)."""
        return _array_bytes(self._state, set())

    def start(self, policies) -> SmartIndustryModel:
        """A model of the arm with these policies (the same parameters, population, seed,
        horizon and scale as the snapshot's run), at the snapshot's quarter. ValueError if the
        policies may have acted differently before it."""
        m = SmartIndustryModel.__new__(SmartIndustryModel)
        mesa.Model.__init__(m, rng=0)  # Mesa's own set-up; its generators are replaced by the run's below
        old = self._state["policy"]  # only read: carried over into the new arm's own policy
        m.__dict__.update(copy.deepcopy(self._state, {**self._shared, id(old): old}))
        new = Policy(list(policies), m.first_quarter, m.n_steps, m.scale, m.params)
        if self.t > first_difference(old, new):
            raise ValueError(f"the policies differ in effect before step {self.t}: cannot fork there")
        _carry_over(old, new, self.t)
        m.policy, m._eligible = new, {}
        return m


def _read_only(model: SmartIndustryModel) -> dict[int, object]:
    """Objects every arm of a replication shares and none changes: the population, the
    parameters and the instruments' specs. Given to deepcopy as already copied."""
    shared = [model.pop, model.params, *(ins.spec for ins in model.policy.instruments)]
    shared += [getattr(model.pop, f.name) for f in dataclasses.fields(model.pop)]
    return {id(x): x for x in shared}


def _carry_over(old: Policy, new: Policy, t: int) -> None:
    """Budgets left and spending of the paired instruments, and the state of the fieldlabs
    opened before step t, from the old arm's policy to the new one's (the instruments of the new
    arm alone have not started: first_difference)."""
    for i, j in pairs(old, new):
        new.instruments[j].left = old.instruments[i].left
        new.spent[:, j] = old.spent[:, i]
    # Only an opened fieldlab has changed, and it sits at the same row in both (first_difference).
    rows = np.flatnonzero(new.fieldlabs.open_t < t)
    for name in ("credit", "participants", "members", "closed"):
        getattr(new.fieldlabs, name)[rows] = getattr(old.fieldlabs, name)[rows]


def plan(arms: dict) -> dict[str, tuple[str, int] | None]:
    """How to run the arms (name -> RunSpec, parameters drawn) of one replication, in order:
    arm -> (an earlier arm, step) to fork it from at that step, or None to run it from the
    start. An arm forks from the earlier arm it shares most quarters with, at a step that arm
    runs itself (not before its own fork)."""
    out: dict[str, tuple[str, int] | None] = {}
    for k, arm in enumerate(arms):
        best = None
        for base in list(arms)[:k]:
            q = diverges(arms[base], arms[arm])
            if q > 0 and q >= (out[base] or (None, 0))[1] and (best is None or q > best[1]):
                best = (base, q)
        out[arm] = best
    return out


def _array_bytes(x, seen: set[int]) -> int:
    """Bytes of the numpy arrays (sparse matrices' included) reachable from x."""
    if id(x) in seen:
        return 0
    seen.add(id(x))
    if isinstance(x, np.ndarray):
        return x.nbytes
    if isinstance(x, dict):
        x = list(x.values())
    elif not isinstance(x, (list, tuple)):
        x = list(getattr(x, "__dict__", {}).values())
    return sum(_array_bytes(v, seen) for v in x)


# Snapshots kept in this process for the next task, least recently used out, up to this many
# bytes (keep_snapshots; none by default). The dashboard's workers keep the unchanged scenario
# arm of each replication at the quarter the levers start, so that the next lever move forks
# from it instead of running it again (viz/compute.py).
SNAPSHOT_BYTES = 0
_kept: OrderedDict = OrderedDict()  # key -> Snapshot
# Look-ups in this process: found, and not found (the arm then runs from its start). The
# dashboard's tests read them to check that lever moves find their snapshots (viz/compute.py).
lookups = {"found": 0, "missed": 0}


def keep_snapshots(nbytes: int) -> None:
    """Keep up to `nbytes` of snapshots in this process from now on (0: none)."""
    global SNAPSHOT_BYTES
    SNAPSHOT_BYTES = nbytes
    _trim()


def kept(key) -> Snapshot | None:
    snapshot = _kept.get(key)
    if snapshot is not None:
        _kept.move_to_end(key)
    lookups["missed" if snapshot is None else "found"] += 1
    return snapshot


def keep(key, snapshot: Snapshot) -> None:
    """Keep a snapshot under a key that says everything that decides it (run, seed, step)."""
    if SNAPSHOT_BYTES and snapshot.nbytes <= SNAPSHOT_BYTES:
        _kept[key] = snapshot
        _trim()


def _trim() -> None:
    while _kept and sum(s.nbytes for s in _kept.values()) > SNAPSHOT_BYTES:
        _kept.popitem(last=False)
