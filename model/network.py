"""The peer network: who learns from whom.

Each firm draws Poisson(peer_degree) links (more in hotspot COROP areas). A link lands in the
own province, a neighbouring province or anywhere (shares are parameters); within that province
in a COROP area chosen by its firms times exp(-distance between the COROP centres /
peer_distance_km) (distance decay); and in the own sector or, along supply chains, another
sector chosen by its firms times the branch-pair weight of calibration/data/sector_links.csv.
Links are made symmetric: firms that know each other learn from each other. Built once per
replication, vectorised: about 10^5 links for the Dutch population in a few tens of
milliseconds.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .regions import NEIGHBOURS, PROVINCE_INDEX, PROVINCES


# Links are drawn and placed in chunks of this many: the same numbers in the same order as one
# draw for all links, but buffers that stay in cache and are reused instead of fresh gigabytes
# at EU scale (first use of fresh memory dominated the set-up of a million firms).
_CHUNK = 1 << 18


def corop_choice(corops, firms_per_corop: np.ndarray, decay_km: float) -> tuple[np.ndarray, np.ndarray]:
    """For each source COROP area and target province: the areas of that province and the
    cumulative probability of each, firms x exp(-distance / decay_km).

    Returns (areas[province, j], cdf[source area, province, j]), padded with the province's
    last area and a cdf of 1."""
    prov = corops["province"].map(PROVINCE_INDEX).to_numpy()
    lat, lon = np.radians(corops["lat"].to_numpy(float)), np.radians(corops["lon"].to_numpy(float))
    # equirectangular distance: a few km off at most across the Netherlands
    x = 6371.0 * lon * np.cos(np.radians(52.2))
    y = 6371.0 * lat
    dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
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
                       params: dict, corop: np.ndarray, corops, links: np.ndarray) -> sparse.csr_matrix:
    n = len(province)
    n_prov, n_sec, n_cor = len(PROVINCES), links.shape[0], len(corops)
    hot = corops["hotspot"].to_numpy(dtype=bool)[corop]
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
    areas, area_cdf = corop_choice(corops, np.bincount(corop, minlength=n_cor).astype(float), params["peer_distance_km"])
    p_same, p_nb, p_same_sec = params["peer_same_province"], params["peer_neighbour_province"], params["peer_same_sector"]

    # Target (COROP, sector) cell of each link. Province: own, a neighbour (uniformly), or
    # anywhere (by firm count); COROP within it by distance decay; sector: own, or another along
    # supply chains. u[:, 1] picks the neighbour or the province anywhere, u[:, 2] the other
    # sector, u[:, 4] the COROP area.
    tgt_cell = np.empty(m, dtype=np.int32)
    for lo in range(0, m, _CHUNK):
        s_ = slice(lo, min(lo + _CHUNK, m))
        u = rng.random((s_.stop - lo, 5))
        src_prov = province[src[s_]]
        prov = src_prov.copy()
        nb = np.flatnonzero((u[:, 0] >= p_same) & (u[:, 0] < p_same + p_nb))
        prov[nb] = nb_table[src_prov[nb], (u[nb, 1] * nb_count[src_prov[nb]]).astype(int)]
        far = np.flatnonzero(u[:, 0] >= p_same + p_nb)
        prov[far] = np.minimum(np.searchsorted(prov_cdf, u[far, 1], side="right"), n_prov - 1)
        cdf = area_cdf[corop[src[s_]], prov]  # (links, areas of the target province)
        j = np.minimum((cdf < u[:, 4:5]).sum(axis=1), cdf.shape[1] - 1)
        area = areas[prov, j]
        sec = sector[src[s_]].astype(np.int32)
        other = np.flatnonzero(u[:, 3] >= p_same_sec)
        sec[other] = np.minimum((sec_cdf[sec[other]] < u[other, 2:3]).sum(axis=1), n_sec - 1)
        tgt_cell[s_] = area * n_sec + sec

    # A uniformly chosen firm in the target cell.
    cell = corop.astype(np.int32) * n_sec + sector
    order = np.argsort(cell, kind="stable").astype(np.int32)
    cell_count = np.bincount(cell, minlength=n_cor * n_sec).astype(np.int32)
    cell_start = (np.cumsum(cell_count) - cell_count).astype(np.int32)
    area_order = np.argsort(corop, kind="stable").astype(np.int32)
    area_count = np.bincount(corop, minlength=n_cor).astype(np.int32)
    area_start = (np.cumsum(area_count) - area_count).astype(np.int32)
    # Links to oneself are dropped as they come: kept links move down in src and tgt (never
    # past the chunk being read), so src stays sorted.
    tgt = np.empty(m, dtype=np.int32)
    kept = 0
    for lo in range(0, m, _CHUNK):
        s_ = slice(lo, min(lo + _CHUNK, m))
        pick = rng.random(s_.stop - lo)
        cnt = cell_count[tgt_cell[s_]]
        within = order[np.minimum(cell_start[tgt_cell[s_]] + (pick * cnt).astype(np.int32), n - 1)]
        # Empty (COROP, sector) cell: a firm of the COROP area; empty area: anyone.
        area = tgt_cell[s_] // n_sec
        a_cnt = area_count[area]
        in_area = area_order[np.minimum(area_start[area] + (pick * a_cnt).astype(np.int32), n - 1)]
        to = np.where(cnt > 0, within, np.where(a_cnt > 0, in_area, (pick * n).astype(np.int32)))
        ok = to != src[s_]
        k = int(ok.sum())
        src[kept:kept + k] = src[s_][ok]
        tgt[kept:kept + k] = to[ok]
        kept += k
    del tgt_cell
    src, tgt = src[:kept], tgt[:kept]
    # Both directions: firms that know each other learn from each other. The drawn links are
    # already grouped by firm (src is sorted), so they form a CSR matrix as they are; adding its
    # transpose gives the symmetric one without sorting every link. One-byte entries while
    # building; then every link weighs 1.0 (duplicates and reciprocal links count once), float64
    # like the weights, so that products convert nothing.
    drawn = sparse.csr_matrix((np.ones(len(src), dtype=np.int8), tgt, np.searchsorted(src, np.arange(n + 1))),
                              shape=(n, n))
    drawn.sum_duplicates()
    a = drawn + drawn.T.tocsr()
    return sparse.csr_matrix((np.ones(a.nnz), a.indices, a.indptr), shape=(n, n))


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
        p = self.peers
        start = p.indptr[idx]
        count = p.indptr[idx + 1] - start
        links = np.repeat(start - (np.cumsum(count) - count), count) + np.arange(count.sum())
        self.total += np.bincount(p.indices[links], weights=np.repeat(delta, count), minlength=len(self.weight))
