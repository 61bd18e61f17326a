"""The synthetic firm population, drawn from the public margins in calibration/data/.

What is public: establishments by size (CBS 2022), manufacturing employment by province (CBS
employed persons x industry share), value added per labour year by province (CBS). What is not
public (a firm's sector within its province, its skill mix, offshored share, visibility,
readiness and adoption stage in 2014) is drawn from documented assumptions (sectors.csv,
firm_size_classes.csv and the `population` parameters). Every draw comes from the generator
passed in, so the same seed gives the same population; policy arms share one population.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from . import data
from .network import build_peer_network
from .regions import HOTSPOTS, PROVINCE_INDEX, PROVINCES, SIZE_CLASSES

# Employee bounds per size class; the 250+ class is capped where CBS establishment data
# suggests the very largest plants lie (assumption).
_SIZE_BOUNDS = ((2, 9), (10, 49), (50, 249), (250, 5000))


@dataclass(frozen=True)
class Population:
    """Firm attributes that do not change during a run, and the state in 2014Q1."""

    province: np.ndarray  # int8, index into PROVINCES
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


@functools.lru_cache(maxsize=4)
def _margins(data_dir) -> tuple:
    """Size classes, provincial employment, the sector table and provincial productivity, read
    once per data directory (keyed like data._read, so a test pointing DATA_DIR elsewhere gets
    its own): the pandas look-ups cost about a tenth of a full-population set-up. Read only."""
    return (data.firm_size_classes(), data.province_manufacturing_employment(), data.sector_table(),
            data.province_productivity()[0])


def _beta_with_mean(rng: np.random.Generator, mean: np.ndarray, concentration: float, u_size: int) -> np.ndarray:
    mean = np.clip(mean, 1e-3, 1 - 1e-3)
    return rng.beta(mean * concentration, (1 - mean) * concentration, size=u_size)


def build_population(rng: np.random.Generator, params: dict, scale: float = 1.0,
                     network: str = "peers") -> Population:
    """Draw the firm population for one replication (both arms share it)."""
    sizes, emp, sectors, prov_prod = _margins(data.DATA_DIR)
    counts = np.maximum(np.round(sizes["firms"].to_numpy() * scale).astype(int), 1)
    n = int(counts.sum())
    size_class = np.repeat(np.arange(len(SIZE_CLASSES), dtype=np.int8), counts)

    # Provinces in proportion to manufacturing employment (assumption: same size mix everywhere).
    province = rng.choice(len(PROVINCES), size=n, p=emp / emp.sum()).astype(np.int8)
    sector = rng.choice(len(sectors), size=n, p=sectors["firm_share"].to_numpy()).astype(np.int8)

    employees = _draw_employees(rng, size_class, sizes["mean_employees"].to_numpy())
    # Skill mix around the sector's shares (Dirichlet, concentration 20: firms differ, sectors dominate).
    shares = sectors[["routine_share", "mid_share", "tech_share"]].to_numpy()[sector]
    gamma = rng.gamma(shares * 20.0)
    mix = gamma / gamma.sum(axis=1, keepdims=True)
    technical = np.round(employees * mix[:, 2])
    mid = np.round(employees * mix[:, 1])
    routine = np.maximum(employees - technical - mid, 0.0)

    productivity = (prov_prod[province] * sectors["productivity_factor"].to_numpy()[sector]
                    * rng.lognormal(-0.045, 0.3, n))  # mean-one noise: exp(-sigma^2/2)

    # Offshoring: prevalence rises with size (2-9 get a quarter of the 10+ rate).
    size_factor = np.where(size_class == 0, 0.25, 1.0)
    p_off = np.clip(params["offshoring_prevalence"] * size_factor * sectors["offshoring_factor"].to_numpy()[sector],
                    0, 1)
    offshores = rng.random(n) < p_off
    off_share = _beta_with_mean(rng, np.full(n, params["offshored_share_mean"]), 6.0, n)
    offshored_share = np.where(offshores, off_share, 0.0)
    cost_ratio = np.where(offshores, params["initial_cost_ratio"] * rng.lognormal(-0.005, 0.1, n), 0.0)

    # Readiness (absorptive capacity) grows with size and technical staff.
    tech_share = technical / np.maximum(employees, 1)
    readiness = np.clip(params["readiness_base"] + params["readiness_per_size_class"] * size_class
                        + params["readiness_per_tech_share"] * tech_share + rng.normal(0, 0.1, n), 0.05, 1.0)

    # Visibility: hidden champions are the rule; hotspots make firms more visible (seed 000).
    hot = np.isin(province, [PROVINCE_INDEX[p] for p in HOTSPOTS])
    vis_mean = np.where(size_class >= 2, params["visibility_mean_large"], params["visibility_mean_small"])
    vis_mean = np.minimum(vis_mean * np.where(hot, params["hotspot_visibility_multiplier"], 1.0), 0.95)
    floor = params["visibility_floor"]
    visibility = floor + (1 - floor) * _beta_with_mean(rng, vis_mean, 4.0, n)

    # Stage in 2014Q1: earlier adopters (robot users) and aware firms, more among ready firms.
    rel = readiness / readiness[size_class >= 1].mean() if n else readiness
    p_adopted = np.clip(params["initial_adopter_share"] * rel * np.where(size_class == 0, 0.25, 1.0), 0, 1)
    p_aware = np.clip(params["initial_aware_share"] * rel, 0, 1)
    u = rng.random(n)
    initial_stage = np.where(u < p_adopted, 3, np.where(u < p_adopted + p_aware * (1 - p_adopted), 1, 0))
    initial_stage = initial_stage.astype(np.int8)

    gain = params["productivity_gain"] * sectors["gain_factor"].to_numpy()[sector]
    peers = None if network == "well_mixed" else build_peer_network(rng, province, sector, params)
    return Population(province=province, sector=sector, size_class=size_class, routine=routine, mid=mid,
                      technical=technical, productivity=productivity, offshored_share=offshored_share,
                      cost_ratio=cost_ratio, visibility=visibility, readiness=readiness,
                      initial_stage=initial_stage, gain=gain, peers=peers)
