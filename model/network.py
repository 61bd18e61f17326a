"""The peer network: who learns from whom.

Each firm draws Poisson(peer_degree) links (more in hotspot COROP areas). A link lands in the
own province, a neighbouring province or anywhere (shares are parameters); within that province
in a COROP area chosen by its firms times exp(-distance between the COROP centres /
peer_distance_km) (distance decay); and in the own sector or, along supply chains, another
sector chosen by its firms times the branch-pair weight of calibration/data/sector_links.csv.
Links are made symmetric: firms that know each other learn from each other. Built once per
replication in compiled loops: about 2.4 x 10^5 links for the Dutch population in about 15 ms
of CPU (benchmarks/population_build.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numba
import numpy as np
from scipy import sparse

from .regions import NEIGHBOURS, PROVINCE_INDEX, PROVINCES


# Links are drawn and placed in chunks of this many: the same numbers in the same order as one
# draw for all links, but buffers that stay in cache and are reused instead of fresh gigabytes
# at EU scale (first use of fresh memory dominated the set-up of a million firms).
_CHUNK = 1 << 18


@dataclass(frozen=True)
class CoropAreas:
    """The COROP areas (data.corop_table()) as arrays: what the population and the network read."""

    province: np.ndarray  # index into PROVINCES
    va: np.ndarray  # manufacturing value added, MEUR (where firms are placed)
    hotspot: np.ndarray  # bool
    dist_km: np.ndarray  # [area, area] distance between the centres

    def __len__(self) -> int:
        return len(self.province)

    @functools.cached_property
    def placement(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where firms are placed within their province, in proportion to value added:
        (areas[province, j], number of areas per province, cdf[province, j]), padded."""
        width = int(np.bincount(self.province).max())
        areas = np.zeros((len(PROVINCES), width), dtype=np.int64)
        cdf = np.ones((len(PROVINCES), width))
        n_areas = np.zeros(len(PROVINCES), dtype=np.int64)
        for p in range(len(PROVINCES)):
            mine = np.flatnonzero(self.province == p)
            w = self.va[mine]
            n_areas[p] = len(mine)
            areas[p, :len(mine)] = mine
            cdf[p, :len(mine)] = np.cumsum(w) / w.sum()
        for a in (areas, cdf, n_areas):
            a.flags.writeable = False
        return areas, n_areas, cdf

    @classmethod
    def from_table(cls, corops) -> CoropAreas:
        lat, lon = np.radians(corops["lat"].to_numpy(float)), np.radians(corops["lon"].to_numpy(float))
        # equirectangular distance: a few km off at most across the Netherlands
        x = 6371.0 * lon * np.cos(np.radians(52.2))
        y = 6371.0 * lat
        out = cls(province=corops["province"].map(PROVINCE_INDEX).to_numpy(),
                  va=corops["manufacturing_va_meur"].to_numpy(dtype=float),
                  hotspot=corops["hotspot"].to_numpy(dtype=bool),
                  dist_km=np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]))
        for a in (out.province, out.va, out.hotspot, out.dist_km):
            a.flags.writeable = False
        return out


def corop_choice(corops: CoropAreas, firms_per_corop: np.ndarray, decay_km: float) -> tuple[np.ndarray, np.ndarray]:
    """For each source COROP area and target province: the areas of that province and the
    cumulative probability of each, firms x exp(-distance / decay_km).

    Returns (areas[province, j], cdf[source area, province, j]), padded with the province's
    last area and a cdf of 1."""
    prov, dist = corops.province, corops.dist_km
    width = int(np.bincount(prov).max())
    areas = np.zeros((len(PROVINCES), width), dtype=np.int32)
    cdf = np.ones((len(corops), len(PROVINCES), width))
    for p in range(len(PROVINCES)):
        mine = np.flatnonzero(prov == p)
        areas[p, :len(mine)], areas[p, len(mine):] = mine, mine[-1]
        w = (firms_per_corop[mine] + 1e-9)[None, :] * np.exp(-dist[:, mine] / max(decay_km, 1e-9))
        cdf[:, p, :len(mine)] = np.cumsum(w, axis=1) / w.sum(axis=1, keepdims=True)
    return areas, cdf


def build_peer_network(rng: np.random.Generator, province: np.ndarray, sector: np.ndarray,
                       params: dict, corop: np.ndarray, corops: CoropAreas, links: np.ndarray) -> sparse.csr_matrix:
    n = len(province)
    n_prov, n_sec, n_cor = len(PROVINCES), links.shape[0], len(corops)
    hot = corops.hotspot[corop]
    degree = rng.poisson(params["peer_degree"] * np.where(hot, params["hotspot_degree_multiplier"], 1.0))
    src = np.repeat(np.arange(n, dtype=np.int32), degree)  # int32 (scipy's index type) halves memory traffic
    m = len(src)

    nb_table = np.full((n_prov, 6), -1, dtype=np.int8)
    nb_count = np.zeros(n_prov, dtype=np.int8)
    for p, ns in NEIGHBOURS.items():
        i = PROVINCE_INDEX[p]
        nb_count[i] = len(ns)
        nb_table[i, :len(ns)] = [PROVINCE_INDEX[x] for x in ns]
    prov_cdf = np.cumsum(np.bincount(province, minlength=n_prov)) / max(n, 1)
    # Another branch along supply chains: its firms x the branch-pair weight (input-output proxy).
    w_sec = links * np.bincount(sector, minlength=n_sec)[None, :]
    sec_cdf = np.cumsum(w_sec, axis=1) / np.maximum(w_sec.sum(axis=1, keepdims=True), 1e-12)
    area_order, area_count, area_start = _group(corop.astype(np.int32), n_cor)  # int32 keys: one compiled version
    areas, area_cdf = corop_choice(corops, area_count.astype(float), params["peer_distance_km"])
    p_same, p_nb, p_same_sec = params["peer_same_province"], params["peer_neighbour_province"], params["peer_same_sector"]

    # Target (COROP, sector) cell of each link. Province: own, a neighbour (uniformly), or
    # anywhere (by firm count); COROP within it by distance decay; sector: own, or another along
    # supply chains. u[:, 1] picks the neighbour or the province anywhere, u[:, 2] the other
    # sector, u[:, 4] the COROP area.
    tgt_cell = np.empty(m, dtype=np.int32)
    for lo in range(0, m, _CHUNK):
        hi = min(lo + _CHUNK, m)
        _target_cells(rng.random((hi - lo, 5)), src[lo:hi], province, corop, sector, nb_table, nb_count, prov_cdf,
                      areas, area_cdf, sec_cdf, p_same, p_nb, p_same_sec, n_sec, tgt_cell[lo:hi])

    # A uniformly chosen firm in the target cell.
    order, cell_count, cell_start = _group(corop.astype(np.int32) * n_sec + sector, n_cor * n_sec)
    # Links to oneself are dropped as they come: kept links move down in src and tgt (never
    # past the chunk being read), so src stays sorted.
    tgt = np.empty(m, dtype=np.int32)
    kept = 0
    for lo in range(0, m, _CHUNK):
        hi = min(lo + _CHUNK, m)
        kept = _target_firms(rng.random(hi - lo), lo, kept, src, tgt, tgt_cell, n_sec, order, cell_count, cell_start,
                             area_order, area_count, area_start)
    del tgt_cell
    # Both directions: firms that know each other learn from each other; a link drawn twice, or
    # drawn both ways, counts once. Every link weighs 1.0, float64 like the weights, so that
    # products convert nothing.
    indptr, indices = _symmetric_csr(src[:kept], tgt[:kept], n)
    return sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, n))


# The per-link work is compiled (numba): a loop over links instead of a dozen numpy passes and
# temporaries. The random numbers are still drawn by numpy's generator, in the same order as
# before, so the network for a seed is the same.

@numba.njit(cache=True)
def _group(key, n_keys):
    """Firms grouped by a small key: (order, count, start) with order equal to
    np.argsort(key, kind="stable") (a counting sort), count[c] the firms of key c and start[c]
    where they begin in order; int32."""
    count = np.zeros(n_keys, dtype=np.int32)
    for i in range(len(key)):
        count[key[i]] += 1
    start = np.empty(n_keys, dtype=np.int32)
    total = 0
    for c in range(n_keys):
        start[c] = total
        total += count[c]
    fill = start.copy()
    order = np.empty(len(key), dtype=np.int32)
    for i in range(len(key)):
        order[fill[key[i]]] = i
        fill[key[i]] += 1
    return order, count, start


@numba.njit(cache=True)
def _target_cells(u, src, province, corop, sector, nb_table, nb_count, prov_cdf, areas, area_cdf, sec_cdf,
                  p_same, p_nb, p_same_sec, n_sec, out):
    """Target cell of each link. Both candidate provinces (a neighbour, anywhere) and the other
    sector are worked out for every link and the draw then picks one: fixed work per link
    instead of branches that guess wrong a third of the time. A uniform picks from a cumulative
    distribution by counting the entries below (or, for the province, at most) it."""
    n_prov, width, n_cols = len(prov_cdf), areas.shape[1], sec_cdf.shape[1]
    p_far = p_same + p_nb
    for k in range(len(src)):
        s = src[k]
        own = np.int64(province[s])
        u0, u1 = u[k, 0], u[k, 1]
        neighbour = np.int64(nb_table[own, int(u1 * nb_count[own])])
        far = 0
        for j in range(n_prov):  # searchsorted(prov_cdf, u1, side="right")
            far += prov_cdf[j] <= u1
        prov = own if u0 < p_same else (neighbour if u0 < p_far else min(far, n_prov - 1))
        u4 = u[k, 4]
        c, cor = 0, np.int64(corop[s])
        for j in range(width):
            c += area_cdf[cor, prov, j] < u4
        area = areas[prov, min(c, width - 1)]
        sec = np.int64(sector[s])
        u2 = u[k, 2]
        c = 0
        for j in range(n_cols):
            c += sec_cdf[sec, j] < u2
        sec = min(c, n_sec - 1) if u[k, 3] >= p_same_sec else sec
        out[k] = area * n_sec + sec


@numba.njit(cache=True)
def _target_firms(pick, lo, kept, src, tgt, tgt_cell, n_sec, order, cell_count, cell_start, area_order, area_count,
                  area_start) -> int:
    """Firm of each link lo.. (one uniform each): a firm of its (COROP, sector) cell, or of the
    COROP area when the cell is empty, or anyone when the area is. Links to oneself are dropped;
    kept links are written from position `kept` on; returns the new count."""
    n = len(order)
    for k in range(len(pick)):
        c = tgt_cell[lo + k]
        if cell_count[c] > 0:
            to = order[min(cell_start[c] + np.int32(pick[k] * cell_count[c]), n - 1)]
        else:
            a = c // n_sec
            if area_count[a] > 0:
                to = area_order[min(area_start[a] + np.int32(pick[k] * area_count[a]), n - 1)]
            else:
                to = np.int32(pick[k] * n)
        s = src[lo + k]
        if to != s:
            src[kept] = s
            tgt[kept] = to
            kept += 1
    return kept


@numba.njit(cache=True)
def _symmetric_csr(src, tgt, n):
    """CSR rows (indptr, sorted unique indices) of the links src->tgt and tgt->src.

    No sorting: the links are first grouped by row in any order (`both`), then that grouping is
    transposed, walking the rows c in order and appending c to each of row c's entries r. Rows
    come out sorted, since c only grows, and a duplicate sits next to its twin. The network is
    symmetric, so the transpose has the same rows. Counts and positions are int32 (scipy's index
    type), as 2 x links stays far below 2^31 even at EU scale."""
    m = len(src)
    start = np.zeros(n + 1, dtype=np.int32)
    for k in range(m):
        start[src[k] + 1] += 1
        start[tgt[k] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    both = np.empty(2 * m, dtype=np.int32)
    fill = start[:-1].copy()
    for k in range(m):
        s, t = src[k], tgt[k]
        both[fill[s]] = t
        fill[s] += 1
        both[fill[t]] = s
        fill[t] += 1
    srt = np.empty(2 * m, dtype=np.int32)
    fill = start[:-1].copy()  # (not fill[:] = ...: a slice assignment takes seconds to compile)
    for c in range(n):
        for j in range(start[c], start[c + 1]):
            r = both[j]
            srt[fill[r]] = c
            fill[r] += 1
    # Drop duplicates, compacting the rows in place.
    indptr = np.empty(n + 1, dtype=np.int32)
    indptr[0] = 0
    out = 0
    for i in range(n):
        lo, hi = start[i], start[i + 1]
        if lo < hi:
            prev = srt[lo]
            srt[out] = prev
            out += 1
            for j in range(lo + 1, hi):
                v = srt[j]
                if v != prev:
                    srt[out] = v
                    out += 1
                    prev = v
        indptr[i + 1] = out
    return indptr, srt[:out].copy()


def peer_share(peers: sparse.csr_matrix | None, degree: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Sum of `weight` over each firm's peers, per link of the average firm.

    Normalising by the national mean degree rather than the firm's own degree makes a firm with
    more peers see more adopters (Leigh, Kraft & Lee 2022: a larger local pool of users raises
    adoption), which is how denser hotspot networks speed diffusion. Well mixed, everyone is
    everyone's peer and this is the population mean (the Bass limit).
    """
    if peers is None:
        return np.full(len(weight), weight.mean() if len(weight) else 0.0)
    return (peers @ weight) / _links_of_average_firm(degree)


def _links_of_average_firm(degree: np.ndarray) -> float:
    return max(float(degree.mean()), 1.0)


class PeerShare:
    """`peer_share` of a weight that changes for few firms from one quarter to the next (adopters'
    visibility, realised gains), without a full sparse product each time.

    `set(idx, values)` changes the weight of firms idx; `__call__(weight)` replaces the whole
    weight and finds what changed. Either way, when more than an eighth of the firms changed the
    product is recomputed; otherwise only the changes are added, walking the links of the
    changed firms (the network is symmetric and 0/1, as built above: row j lists the firms that
    count j). The result equals the full product up to rounding, since the same terms are added
    in another order.
    """

    def __init__(self, peers: sparse.csr_matrix | None, degree: np.ndarray, weight: np.ndarray):
        self.peers, self.degree = peers, degree
        self.per_link = _links_of_average_firm(degree)
        self.weight = weight.copy()
        self.total = None if peers is None else peers @ self.weight  # peers @ weight
        self._scratch: np.ndarray | None = None  # zeros, for set()

    def share(self) -> np.ndarray:
        """Each firm's peer share of the current weight."""
        if self.peers is None:
            return peer_share(None, self.degree, self.weight)
        return self.total / self.per_link

    def __call__(self, weight: np.ndarray) -> np.ndarray:
        changed = np.flatnonzero(weight != self.weight)
        self.set(changed, weight[changed])
        return self.share()

    def set(self, idx: np.ndarray, values: np.ndarray) -> None:
        delta = values - self.weight[idx]
        moved = delta != 0
        idx, delta = idx[moved], delta[moved]
        self.weight[idx] = values[moved]
        if self.peers is None or not len(idx):
            return
        if 8 * len(idx) > len(self.weight):
            self.total = self.peers @ self.weight
            return
        if self._scratch is None:
            self._scratch = np.zeros(len(self.weight))
        _add_changes(self.peers.indptr, self.peers.indices, idx, delta, self.total, self._scratch)


# _add_changes adds the peers' sums in one dense pass over all firms once the changes reach
# more than 1/_DENSE_LINKS links per firm: cheaper than walking the scattered links a second
# time (measured at 27,425 firms: equal at about 2,000 links, twice as fast at 17,000).
_DENSE_LINKS = 12


@numba.njit(cache=True)
def _add_changes(indptr, indices, idx, delta, total, scratch):
    """total += the changes delta of firms idx, seen by their peers: per peer the deltas are
    first summed in link order (as np.bincount would), then added, so that the result is the
    same float as a bincount over the links. `scratch` is all zeros, and is again on return.

    The dense pass adds scratch's 0.0 to the firms no change reached, which leaves their total
    as it is: x + 0.0 is x for every x but -0.0, and total never holds -0.0 (a sum is -0.0 only
    if both terms are; total starts as a sparse product, summed from +0.0, and the sums added to
    it start from +0.0)."""
    links = 0
    for k in range(len(idx)):
        lo, hi = indptr[idx[k]], indptr[idx[k] + 1]
        for link in range(lo, hi):
            scratch[indices[link]] += delta[k]
        links += hi - lo
    if _DENSE_LINKS * links > len(total):
        for j in range(len(total)):
            total[j] += scratch[j]
            scratch[j] = 0.0
        return
    for k in range(len(idx)):
        for link in range(indptr[idx[k]], indptr[idx[k] + 1]):
            j = indices[link]
            total[j] += scratch[j]
            scratch[j] = 0.0
