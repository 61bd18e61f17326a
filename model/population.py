"""The synthetic firm population, drawn from the public margins in calibration/data/.

Firm counts are allocated, not sampled: establishments per size class (CBS 81644NED/81589NED,
firm_size_classes.csv) are split over provinces in proportion to manufacturing employment and
over branches by a province x branch table that holds both the province totals and the
national branch shares (sectors.csv) with each province's specialisation (province_sector_tilt.csv)
in between. Each cell gets its expected count rounded (largest remainder), so the margins hold
exactly at every scale. Within its province a firm is placed in a COROP area in proportion to
the area's manufacturing value added (corop_regions.csv). Productivity in 2014 is the national
manufacturing level (manufacturing_accounts.csv) times the branch factor: a province's level
follows from its branch mix. What is not public (skill mix, offshored share, visibility,
readiness, adoption stage in 2014) is drawn from documented assumptions. Every draw comes from
the generator passed in, so the same seed gives the same population; policy arms share one.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import OrderedDict
from dataclasses import dataclass

import numba
import numpy as np
from scipy import sparse

from . import data
from . import params as params_mod
from .network import CoropAreas, build_peer_network

# Employee bounds per size class; the 250+ class is capped where CBS establishment data
# suggests the very largest plants lie (assumption).
_SIZE_BOUNDS = ((2, 9), (10, 49), (50, 249), (250, 5000))


@dataclass(frozen=True)
class Population:
    """Firm attributes that do not change during a run, and the state in 2014Q1."""

    province: np.ndarray  # int8, index into PROVINCES
    corop: np.ndarray  # int8, index into data.corop_table() (COROP area within the province)
    sector: np.ndarray  # int8, index into SECTORS
    size_class: np.ndarray  # int8, index into SIZE_CLASSES
    routine: np.ndarray  # employees with routine/low skills in 2014
    mid: np.ndarray  # employees with mid-level skills
    technical: np.ndarray  # technical/ICT/design employees
    productivity: np.ndarray  # kEUR value added per worker in 2014 (incl. gains of earlier adopters)
    offshored_share: np.ndarray  # share of production made offshore in 2014
    cost_ratio: np.ndarray  # home/offshore unit cost in 2014 (offshoring firms; 0 elsewhere)
    visibility: np.ndarray  # probability that peers notice this firm's adoption
    readiness: np.ndarray  # absorptive capacity 0..1
    initial_stage: np.ndarray  # int8 stage in 2014Q1
    gain: np.ndarray  # productivity gain when fully adopted (sector factor x parameter)
    trend_factor: np.ndarray  # the branch's background productivity growth relative to productivity_trend
    peers: sparse.csr_matrix | None  # symmetric 0/1 peer links; None when well mixed

    @property
    def n(self) -> int:
        return len(self.province)

    @property
    def employees(self) -> np.ndarray:
        return self.routine + self.mid + self.technical


def _draw_employees(rng: np.random.Generator, size_class: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Employees per firm: a bounded power law per class whose mean matches the class mean.

    employees = lo * (hi/lo) ** (u ** g); g >= 1 piles mass at the low end. g is solved per class
    on a grid so that E[employees] equals the class mean (assumption in firm_size_classes.csv).
    """
    u = rng.random(len(size_class))
    out = np.empty(len(size_class))
    for k, (lo, hi) in enumerate(_SIZE_BOUNDS):
        g = _size_exponent(lo, hi, float(np.clip(means[k], lo * 1.01, hi * 0.99)))
        sel = size_class == k
        out[sel] = np.round(lo * (hi / lo) ** (u[sel] ** g))
    return out


@functools.lru_cache(maxsize=64)
def _size_exponent(lo: float, hi: float, target: float) -> float:
    """g whose power law on [lo, hi] has mean `target`, on a grid. Cached: the class means are
    data, so every replication would otherwise solve the same grid again (a third of set-up)."""
    grid = (np.arange(2000) + 0.5) / 2000
    gs = np.geomspace(0.05, 50, 400)
    mean_of = np.array([(lo * (hi / lo) ** (grid ** g)).mean() for g in gs])  # decreasing in g
    return float(gs[np.argmin(np.abs(mean_of - target))])


_SECTOR_COLUMNS = ("productivity_factor", "offshoring_factor", "gain_factor")


@functools.lru_cache(maxsize=4)
def _margins(data_dir) -> tuple:
    """Everything the population reads from calibration/data, once per data directory (keyed
    like data._read, so a test pointing DATA_DIR elsewhere gets its own), as plain arrays:
    pandas look-ups cost more than drawing the firms. Read only."""
    sizes, sectors = data.firm_size_classes(), data.sector_table()
    emp = data.province_manufacturing_employment()
    share = province_sector_shares(emp / emp.sum(), sectors["firm_share"].to_numpy(), data.province_sector_tilt())
    columns = {c: sectors[c].to_numpy() for c in _SECTOR_COLUMNS}
    columns["skills"] = sectors[["routine_share", "mid_share", "tech_share"]].to_numpy()
    columns["trend_factor"] = sectors["trend_factor"].to_numpy(dtype=float)
    for a in columns.values():
        a.flags.writeable = False
    return (sizes["firms"].to_numpy(), sizes["mean_employees"].to_numpy(), columns, share,
            CoropAreas.from_table(data.corop_table()), data.manufacturing_account("NL", "manufacturing_productivity"))


def province_sector_shares(prov_share: np.ndarray, sector_share: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """Joint province x branch shares whose margins are `prov_share` and `sector_share`, starting
    from the national mix tilted by each province's specialisation (iterative proportional
    fitting: the closest table with both margins in the Kullback-Leibler sense)."""
    joint = prov_share[:, None] * sector_share[None, :] * tilt
    for _ in range(200):
        joint *= (prov_share / joint.sum(axis=1))[:, None]
        joint *= sector_share / joint.sum(axis=0)
        if np.allclose(joint.sum(axis=1), prov_share, rtol=1e-10, atol=0):
            break
    return joint / joint.sum()


def cell_counts(share: np.ndarray, class_firms: np.ndarray, scale: float) -> np.ndarray:
    """Firms per (size class, province, sector): each class's national count (at least one
    firm) split by `share`, rounded by largest remainder so that every class total is exact."""
    totals = np.maximum(np.round(class_firms * scale).astype(int), 1)
    out = np.empty((len(totals),) + share.shape, dtype=np.int64)
    flat = share.ravel() / share.sum()
    for k, total in enumerate(totals):
        exact = flat * total
        base = np.floor(exact).astype(np.int64)
        # argsort on the negated remainder, stable: ties go to the first cell, same every time
        extra = np.argsort(-(exact - base), kind="stable")[: total - base.sum()]
        base[extra] += 1
        out[k] = base.reshape(share.shape)
    return out


@functools.lru_cache(maxsize=16)
def _cells(data_dir, scale: float) -> tuple:
    """cell_counts of the population at this scale, flat, with each cell's size class, province
    and sector (int8): the same for every replication, so computed once. Read only."""
    class_firms, _, _, share, _, _ = _margins(data_dir)
    counts = cell_counts(share, class_firms, scale)
    out = (counts.ravel(),) + tuple(i.astype(np.int8) for i in np.unravel_index(np.arange(counts.size), counts.shape))
    for a in out:
        a.flags.writeable = False
    return out


def _beta_with_mean(rng: np.random.Generator, mean: np.ndarray, concentration: float, u_size: int) -> np.ndarray:
    mean = np.clip(mean, 1e-3, 1 - 1e-3)
    return rng.beta(mean * concentration, (1 - mean) * concentration, size=u_size)


def build_population(rng: np.random.Generator, params: dict, scale: float = 1.0,
                     network: str = "peers") -> Population:
    """Draw the firm population for one replication (both arms share it)."""
    class_firms, class_mean, sectors, _, corops, nl_productivity = _margins(data.DATA_DIR)
    counts, k_idx, p_idx, s_idx = _cells(data.DATA_DIR, scale)
    n = int(counts.sum())
    # Firms in random order within each size class, size classes in order (as drawn before the
    # counts were allocated): mechanisms that serve firms first come, first served must not
    # favour the first province or branch.
    size_class, province, sector = _arrange(rng.permutation(n), counts, k_idx, p_idx, s_idx, len(class_firms))
    corop = _place_in_corops(rng, province, corops)

    employees = _draw_employees(rng, size_class, class_mean)
    # The draws, in their order; what follows from them is worked out below in one compiled pass
    # over the firms (_attributes, which spells out each formula), the same numbers as numpy's.
    # Skill mix around the sector's shares (Dirichlet, concentration 20: firms differ, sectors dominate).
    gamma = rng.gamma(sectors["skills"][sector] * 20.0)
    productivity_noise = rng.lognormal(-0.045, 0.3, n)  # mean-one noise: exp(-sigma^2/2)
    u_offshore = rng.random(n)
    off_share = _beta_with_mean(rng, np.full(n, params["offshored_share_mean"]), 6.0, n)
    cost_noise = rng.lognormal(-0.005, 0.1, n)
    readiness_noise = rng.normal(0, 0.1, n)
    # Visibility: hidden champions are the rule; hotspots make firms more visible (seed 000).
    hot = corops.hotspot[corop]
    vis_mean = np.where(size_class >= 2, params["visibility_mean_large"], params["visibility_mean_small"])
    vis_mean = np.minimum(vis_mean * np.where(hot, params["hotspot_visibility_multiplier"], 1.0), 0.95)
    vis_draw = _beta_with_mean(rng, vis_mean, 4.0, n)
    u_stage = rng.random(n)

    technical, mid, routine = np.empty(n), np.empty(n), np.empty(n)
    productivity, offshored_share, cost_ratio = np.empty(n), np.empty(n), np.empty(n)
    readiness, visibility = np.empty(n), np.empty(n)
    _attributes(size_class, sector, employees, gamma, gamma.sum(axis=1), productivity_noise, u_offshore, off_share,
                cost_noise, readiness_noise, vis_draw, sectors["productivity_factor"], sectors["offshoring_factor"],
                float(nl_productivity), float(params["offshoring_prevalence"]), float(params["initial_cost_ratio"]),
                float(params["readiness_base"]), float(params["readiness_per_size_class"]),
                float(params["readiness_per_tech_share"]), float(params["visibility_floor"]),
                technical, mid, routine, productivity, offshored_share, cost_ratio, readiness, visibility)

    # Stage in 2014Q1: earlier adopters (robot users) and aware firms, more among ready firms.
    initial_stage = np.empty(n, dtype=np.int8)
    _initial_stage(readiness, readiness[size_class >= 1].mean() if n else 1.0, size_class, u_stage,
                   float(params["initial_adopter_share"]), float(params["initial_aware_share"]), initial_stage)

    gain = params["productivity_gain"] * sectors["gain_factor"][sector]
    peers = None if network == "well_mixed" else build_peer_network(
        rng, province, sector, params, corop=corop, corops=corops, links=_links(data.DATA_DIR))
    return Population(province=province, corop=corop, sector=sector, size_class=size_class, routine=routine, mid=mid,
                      technical=technical, productivity=productivity, offshored_share=offshored_share,
                      cost_ratio=cost_ratio, visibility=visibility, readiness=readiness,
                      initial_stage=initial_stage, gain=gain,
                      trend_factor=sectors["trend_factor"][sector], peers=peers)


@numba.njit(cache=True)
def _attributes(size_class, sector, employees, gamma, gamma_sum, productivity_noise, u_offshore, off_share, cost_noise,
                readiness_noise, vis_draw, productivity_factor, offshoring_factor, nl_productivity, prevalence,
                initial_cost_ratio, readiness_base, readiness_per_size_class, readiness_per_tech_share,
                visibility_floor, technical, mid, routine, productivity, offshored_share, cost_ratio, readiness,
                visibility):
    """The firm attributes that follow from the draws (build_population), firm by firm, each
    operation in numpy's order so that the numbers are numpy's to the bit."""
    for i in range(len(size_class)):
        sc, s, e = size_class[i], sector[i], employees[i]
        # skill mix: the Dirichlet draw gamma / its sum; headcounts rounded (half to even)
        technical[i] = np.rint(e * (gamma[i, 2] / gamma_sum[i]))
        mid[i] = np.rint(e * (gamma[i, 1] / gamma_sum[i]))
        routine[i] = max((e - technical[i]) - mid[i], 0.0)
        productivity[i] = (nl_productivity * productivity_factor[s]) * productivity_noise[i]
        # Offshoring: prevalence rises with size (2-9 get a quarter of the 10+ rate).
        p_off = min(max((prevalence * (0.25 if sc == 0 else 1.0)) * offshoring_factor[s], 0.0), 1.0)
        offshores = u_offshore[i] < p_off
        offshored_share[i] = off_share[i] if offshores else 0.0
        cost_ratio[i] = initial_cost_ratio * cost_noise[i] if offshores else 0.0
        # Readiness (absorptive capacity) grows with size and technical staff.
        tech_share = technical[i] / max(e, 1.0)
        r = ((readiness_base + readiness_per_size_class * np.float64(sc)) + readiness_per_tech_share * tech_share
             + readiness_noise[i])
        readiness[i] = min(max(r, 0.05), 1.0)
        visibility[i] = visibility_floor + (1 - visibility_floor) * vis_draw[i]


@numba.njit(cache=True)
def _initial_stage(readiness, mean_readiness, size_class, u, adopter_share, aware_share, out):
    """Stage in 2014Q1 (3 adopted, 1 aware, 0 unaware): relative readiness raises both chances;
    firms of 2-9 workers adopted at a quarter of the rate."""
    for i in range(len(readiness)):
        rel = readiness[i] / mean_readiness
        p_adopted = min(max((adopter_share * rel) * (0.25 if size_class[i] == 0 else 1.0), 0.0), 1.0)
        p_aware = min(max(aware_share * rel, 0.0), 1.0)
        out[i] = 3 if u[i] < p_adopted else (1 if u[i] < p_adopted + p_aware * (1 - p_adopted) else 0)


@functools.lru_cache(maxsize=4)
def _links(data_dir) -> np.ndarray:
    return data.sector_links()


def _place_in_corops(rng: np.random.Generator, province: np.ndarray, corops: CoropAreas) -> np.ndarray:
    """COROP area of each firm: within its province, in proportion to the area's manufacturing
    value added (assumption: establishments follow value added)."""
    u = rng.random(len(province))
    areas, n_areas, cdf = corops.placement
    corop = np.empty(len(province), dtype=np.int8)
    _place(u, province, areas, n_areas, cdf, corop)
    return corop


@numba.njit(cache=True)
def _place(u, province, areas, n_areas, cdf, out):
    """out[i]: the area of province[i] that u[i] picks from its cdf, as
    areas[p][min(searchsorted(cdf[p], u, side="right"), len - 1)] (the cdf does not fall)."""
    for i in range(len(province)):
        p = province[i]
        c = 0
        for j in range(n_areas[p]):
            c += cdf[p, j] <= u[i]
        out[i] = areas[p, min(c, n_areas[p] - 1)]


@numba.njit(cache=True)
def _arrange(perm, counts, k_of_cell, p_of_cell, s_of_cell, n_classes):
    """Size class, province and sector of each firm, firms in the order of
    perm[np.argsort(class_of[perm], kind="stable")] where the firms of each (class, province,
    sector) cell come together, cells in order (np.repeat of the cells by `counts`): the
    permutation's order within each class, classes in order. A counting sort, in one pass."""
    n = len(perm)
    cell_of = np.empty(n, dtype=np.int32)
    class_start = np.zeros(n_classes + 1, dtype=np.int64)
    i = 0
    for c in range(len(counts)):
        for _ in range(counts[c]):
            cell_of[i] = c
            i += 1
        class_start[k_of_cell[c] + 1] += counts[c]
    for k in range(n_classes):
        class_start[k + 1] += class_start[k]
    size_class = np.empty(n, dtype=np.int8)
    province = np.empty(n, dtype=np.int8)
    sector = np.empty(n, dtype=np.int8)
    fill = class_start[:-1].copy()
    for j in range(n):
        c = cell_of[perm[j]]
        at = fill[k_of_cell[c]]
        fill[k_of_cell[c]] += 1
        size_class[at], province[at], sector[at] = k_of_cell[c], p_of_cell[c], s_of_cell[c]
    return size_class, province, sector


# --- populations reused within a process -------------------------------------------------------
# A calibration run builds its counterfactual arm from the seed of its policy arm, and the
# dashboard reruns the same replications on every lever move: the same population each time.
# Kept here, least recently used first out, up to this many bytes of arrays per process. The
# default holds the last two full populations (about 8 MB each, network included), enough for
# an arm and its counterfactual, and costs an ensemble of fresh seeds little memory; a process
# that reruns more seeds (the dashboard's workers: 20 replications) raises it with
# keep_populations. A population larger than the budget is not kept.
POPULATION_CACHE_BYTES = 16_000_000
_cache: OrderedDict = OrderedDict()  # key -> (population, generator state after the build)


class _Recorder(dict):
    """Parameters that remember which of them were read."""

    def __init__(self, values: dict):
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


@functools.cache
def population_parameters(network: str) -> frozenset[str]:
    """The parameters build_population reads for this kind of network: found by building a
    population of a few firms and recording the look-ups, so the list follows the code instead
    of being kept by hand (a parameter left out of it would let runs that differ in it share
    the wrong population)."""
    recorder = _Recorder(params_mod.resolve({}))
    build_population(np.random.default_rng(0), recorder, scale=1e-9, network=network)
    return frozenset(recorder.read)


def population_for(rng: np.random.Generator, params, scale: float = 1.0, network: str = "peers") -> Population:
    """build_population(rng, params, scale, network), taken from this process's cache when the
    same generator state, scale, network, data and population parameters built one before (the
    generator is then left where the build would have left it). Each call gets its own copy of
    the arrays, so a caller that changed them could not change another's population."""
    try:
        state = json.dumps(rng.bit_generator.state, sort_keys=True)
    except TypeError:  # a generator whose state holds arrays (not ours): no reuse
        return build_population(rng, params, scale, network)
    key = (state, float(scale), network, str(data.DATA_DIR),
           tuple((k, params[k]) for k in sorted(population_parameters(network))))
    if key in _cache:
        _cache.move_to_end(key)
        pop, after = _cache[key]
        rng.bit_generator.state = after
        return _copy(pop)
    pop = build_population(rng, params, scale, network)
    if _nbytes(pop) <= POPULATION_CACHE_BYTES:
        _cache[key] = (_copy(pop), rng.bit_generator.state)
        _trim()
    return pop


def keep_populations(nbytes: int) -> None:
    """Keep up to `nbytes` of populations in this process from now on (0: none)."""
    global POPULATION_CACHE_BYTES
    POPULATION_CACHE_BYTES = nbytes
    _trim()


def _trim() -> None:
    while _cache and sum(_nbytes(p) for p, _ in _cache.values()) > POPULATION_CACHE_BYTES:
        _cache.popitem(last=False)


def _copy(pop: Population) -> Population:
    return dataclasses.replace(pop, **{f.name: getattr(pop, f.name).copy() for f in dataclasses.fields(pop)
                                       if getattr(pop, f.name) is not None})


def _nbytes(pop: Population) -> int:
    total = 0
    for f in dataclasses.fields(pop):
        v = getattr(pop, f.name)
        if isinstance(v, np.ndarray):
            total += v.nbytes
        elif v is not None:  # the sparse peer network
            total += v.data.nbytes + v.indices.nbytes + v.indptr.nbytes
    return total
