"""Policy instruments at run time: timing, targeting and budgets resolved once per run.

`Policy` turns validated specs (model/policies.py) into arrays: start/end quarters as step
indices, eligibility masks over firms, remaining budgets, and the fieldlab table. Every euro
goes through `Policy.spend`, which never pays more than is left and books the payment by
instrument, quarter and province, so the accounting tests can check budgets directly.

Money and capacities scale with `population.scale`: a tenth of the economy gets a tenth of the
budget, so costs per job do not depend on the scale at which one simulates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from . import data
from .policies import INSTRUMENT_TYPES
from .regions import PROVINCE_INDEX, PROVINCES, SECTOR_INDEX, SECTORS, SIZE_INDEX, SIZE_CLASSES
from .timeline import parse_quarter


def _mask(values, index: dict, n: int) -> np.ndarray:
    if values == "all":
        return np.ones(n, dtype=bool)
    m = np.zeros(n, dtype=bool)
    m[[index[v] for v in values]] = True
    return m


@dataclass
class Instrument:
    spec: object
    name: str
    kind: str
    start: int  # step index (0 = first quarter of the horizon)
    end: int  # inclusive
    announce: int | None  # step from which firms discount the support; None: expected to continue
    budget: float  # EUR, scaled
    provinces: np.ndarray  # bool[12]
    sectors: np.ndarray  # bool[10]
    sizes: np.ndarray  # bool[4]
    left: float = field(init=False)

    def __post_init__(self):
        self.left = self.budget

    def running(self, t: int) -> bool:
        return self.start <= t <= self.end and self.left > 0

    def outlook(self, t: int, payback_quarters: float) -> float:
        """Share of the support a deciding firm expects to get (1 until the end is announced)."""
        if not self.running(t):
            return 0.0
        if self.announce is None or t < self.announce:
            return 1.0
        return float(np.clip((self.end - t + 1) / payback_quarters, 0.0, 1.0))

    def eligible(self, province, sector, size_class) -> np.ndarray:
        return self.provinces[province] & self.sectors[sector] & self.sizes[size_class]


@dataclass
class Fieldlabs:
    """All fieldlabs of a run, one row each (historical and scenario ones)."""

    province: np.ndarray  # int
    themes: np.ndarray  # bool[n, 10]
    capacity_q: np.ndarray  # visiting firms per quarter (scaled)
    members_cap: np.ndarray  # member places the fieldlab's spending buys (scaled through the spending)
    open_t: np.ndarray  # first step active
    close_t: np.ndarray  # last step active (budget may close it earlier)
    instrument: np.ndarray  # index into Policy.instruments
    cost_q: np.ndarray  # EUR per quarter (scaled)
    credit: np.ndarray  # seats accumulated but not yet taken
    participants: np.ndarray  # firms taken in so far (members and visitors)
    members: np.ndarray  # member firms now
    closed: np.ndarray  # closed early because the budget ran out

    @property
    def n(self) -> int:
        return len(self.province)


class Policy:
    def __init__(self, specs, first_quarter: int, n_steps: int, scale: float, params: dict):
        self.n_steps, self.scale = n_steps, scale
        self.instruments: list[Instrument] = []
        for i, s in enumerate(specs):
            assert s.type in INSTRUMENT_TYPES
            announce = None if s.end_announced is None else parse_quarter(s.end_announced) - first_quarter
            self.instruments.append(Instrument(
                spec=s, name=s.name or f"{s.type}_{i}", kind=s.type,
                start=parse_quarter(s.start) - first_quarter, end=parse_quarter(s.end) - first_quarter,
                announce=announce, budget=s.budget_eur * scale,
                provinces=_mask(s.provinces, PROVINCE_INDEX, len(PROVINCES)),
                sectors=_mask(s.sectors, SECTOR_INDEX, len(SECTORS)),
                sizes=_mask(s.sizes, SIZE_INDEX, len(SIZE_CLASSES))))
        # spent[t, instrument, province] in EUR
        self.spent = np.zeros((n_steps, len(self.instruments), len(PROVINCES)))
        self._of_kind: dict[tuple[str, ...], list] = {}
        self.fieldlabs = self._build_fieldlabs(first_quarter, params)
        # (instrument, its fieldlabs) for each instrument that pays fieldlabs, in instrument order
        self.fieldlabs_of = [(int(i), np.flatnonzero(self.fieldlabs.instrument == i))
                              for i in np.unique(self.fieldlabs.instrument)]

    def of_kind(self, *kinds: str):
        """(index, instrument) of the instruments of these kinds (the list is fixed once built;
        asked several times a quarter, so kept)."""
        if kinds not in self._of_kind:
            self._of_kind[kinds] = [(i, ins) for i, ins in enumerate(self.instruments) if ins.kind in kinds]
        return self._of_kind[kinds]

    def spend(self, t: int, i: int, per_province: np.ndarray) -> float:
        """Pay up to what is left of instrument i; returns the share of the request paid (0..1)."""
        ins = self.instruments[i]
        if ins.left <= 0 or not (ins.start <= t <= ins.end):
            return 0.0
        want = float(per_province.sum())
        if want <= 0:
            return 0.0
        share = min(1.0, ins.left / want)
        booked = self.spent[t, i]  # a view: added to in place (`spent[t, i] +=` also writes it back)
        booked += per_province * share
        ins.left = max(ins.left - want * share, 0.0)
        return share

    def pay_in_order(self, t: int, i: int, eur: np.ndarray, province: np.ndarray) -> np.ndarray:
        """Per-firm payments, first come first served: the firm that exhausts the budget gets
        what is left, later ones nothing. Returns what each firm was paid."""
        before = np.cumsum(eur) - eur
        paid = np.clip(self.instruments[i].left - before, 0.0, eur)
        self.spend(t, i, np.bincount(province, weights=paid, minlength=len(PROVINCES)))
        return paid

    def planned_quarterly(self, ins: Instrument) -> float:
        per_q = getattr(ins.spec, "eur_per_quarter", None)
        return per_q * self.scale if per_q is not None else ins.budget / (ins.end - ins.start + 1)

    def _build_fieldlabs(self, first_quarter: int, params: dict) -> Fieldlabs:
        rows = []  # (province, themes, capacity/yr, open, close, instrument, cost/q)
        all_themes = np.ones(len(SECTORS), dtype=bool)
        for i, ins in self.of_kind("historical_fieldlabs"):
            active, weights = _historical_fieldlabs(data.DATA_DIR, first_quarter + ins.start, first_quarter + ins.end)
            placed = np.zeros(len(PROVINCES))
            cap = ins.spec.capacity_per_year or params["fieldlab_capacity"]
            cost_q = ins.budget / max(int(active.sum()), 1)  # budget spread over active fieldlab-quarters
            if ins.spec.eur_per_quarter is not None:  # a total a quarter shared by those open: the most open
                cost_q = ins.spec.eur_per_quarter * self.scale / max(int(active.max()), 1)
            for k in range(len(active)):
                for _ in range(int(active[k]) - int(placed.sum())):
                    # Deterministic placement: the province furthest below its share gets the next one.
                    p = int(np.argmax(weights * (placed.sum() + 1) - placed))
                    placed[p] += 1
                    rows.append((p, all_themes, cap, ins.start + k, ins.end, i, cost_q))
        for i, ins in self.of_kind("fieldlab"):
            provs = np.flatnonzero(ins.provinces)
            themes = ins.sectors & _mask(ins.spec.themes, SECTOR_INDEX, len(SECTORS))
            cost_q = (ins.budget / (ins.end - ins.start + 1) if ins.spec.eur_per_quarter is None
                      else ins.spec.eur_per_quarter * self.scale) / ins.spec.count
            for k in range(ins.spec.count):
                rows.append((int(provs[k % len(provs)]), themes, ins.spec.capacity_per_year, ins.start, ins.end, i,
                             cost_q))
        n = len(rows)
        # Budgets buy capacity: a fieldlab's public money a year / public cost per member-year.
        per_member_q = params["fieldlab_cost_per_member_eur"] / 4
        col = lambda j, dt: np.array([r[j] for r in rows], dtype=dt) if n else np.zeros(0, dtype=dt)  # noqa: E731
        # Member places are whole firms. At a small population scale a fieldlab buys a fraction of
        # a place; rounding each down would drop them all, so the fractions are rounded up or
        # down by a fixed low-discrepancy sequence over the fieldlabs, which keeps the total.
        places = col(6, float) / per_member_q
        places = np.floor(places) + (places % 1 > (np.arange(n) * 0.6180339887) % 1)
        return Fieldlabs(
            province=col(0, int),
            themes=np.array([r[1] for r in rows], dtype=bool).reshape(n, len(SECTORS)),
            capacity_q=col(2, float) * self.scale / 4.0, members_cap=places,
            open_t=col(3, int), close_t=col(4, int), instrument=col(5, int), cost_q=col(6, float), credit=np.zeros(n),
            participants=np.zeros(n, dtype=int), members=np.zeros(n, dtype=int), closed=np.zeros(n, dtype=bool))

    def open_fieldlabs(self, t: int) -> np.ndarray:
        """Indices of fieldlabs open at step t, after paying this quarter's running cost."""
        fl = self.fieldlabs
        is_open = (fl.open_t <= t) & (t <= fl.close_t) & ~fl.closed
        for i, rows in self.fieldlabs_of:
            mine = rows[is_open[rows]]
            if not len(mine):
                continue
            rate = self.instruments[i].spec.eur_per_quarter  # the instrument's total a quarter, if set
            cost = fl.cost_q[mine] if rate is None else np.full(len(mine), rate * self.scale / len(mine))
            per_prov = np.bincount(fl.province[mine], weights=cost, minlength=len(PROVINCES))
            share = self.spend(t, int(i), per_prov)
            if share < 1.0:  # budget ran out: the money left keeps the first ones running this quarter
                n_paid = int(np.floor(share * len(mine) + 1e-9))
                fl.closed[mine[n_paid:]] = True
                is_open[mine[n_paid:]] = False
        return np.flatnonzero(is_open)


@functools.lru_cache(maxsize=16)
def _historical_fieldlabs(data_dir, start_q: int, end_q: int) -> tuple[np.ndarray, np.ndarray]:
    """Active historical fieldlabs per quarter and their province weights, read once per data
    directory and horizon (keyed like data._read): the pandas reads cost more than the rest of
    a model's set-up outside the population. Read only."""
    active, weights = data.fieldlabs_active(start_q, end_q), data.fieldlab_province_weights()
    active.flags.writeable = weights.flags.writeable = False
    return active, weights


def hub_contact_cost(base_eur: float, elasticity: float, firms_per_province: np.ndarray,
                     served: np.ndarray, n_hub_regions: int) -> float:
    """EUR per firm contact of a hub serving the provinces `served` (bool[12]).

    Outreach has economies of scale: events and visits in a region with many firms reach more
    of them per euro. The cost is `base_eur` for a hub serving the national average per hub
    region (all firms / n_hub_regions) and falls (rises) with the firms it serves, elasticity
    `hub_scale_elasticity`. A ratio of firm counts, so it does not depend on the population scale.
    """
    served_firms = float(firms_per_province[served].sum())
    typical = float(firms_per_province.sum()) / max(n_hub_regions, 1)
    return base_eur * (max(served_firms, 1.0) / max(typical, 1.0)) ** -elasticity
