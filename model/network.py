"""The peer network: who learns from whom.

Each firm draws Poisson(peer_degree) links (more in hotspot provinces). A link lands in the
own province, a neighbouring province or anywhere (shares are parameters), and in the own
sector or, along supply chains, another sector (drawn by sector size: we have no Dutch
input-output table at firm level, an assumption). Links are made symmetric: firms that know
each other learn from each other. Built once per replication, vectorised: about 10^5 links
for the Dutch population in a few tens of milliseconds.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .regions import HOTSPOTS, NEIGHBOURS, PROVINCE_INDEX, PROVINCES


def build_peer_network(rng: np.random.Generator, province: np.ndarray, sector: np.ndarray,
                       params: dict) -> sparse.csr_matrix:
    n = len(province)
    n_prov, n_sec = len(PROVINCES), int(sector.max()) + 1 if n else 1
    hot = np.isin(province, [PROVINCE_INDEX[p] for p in HOTSPOTS])
    degree = rng.poisson(params["peer_degree"] * np.where(hot, params["hotspot_degree_multiplier"], 1.0))
    src = np.repeat(np.arange(n, dtype=np.int32), degree)  # int32 (scipy's index type) halves memory traffic
    m = len(src)
    src_prov = province[src]

    # Target province: own, a neighbour (uniformly), or anywhere (by firm count).
    u = rng.random((m, 4))
    nb_table = np.full((n_prov, 6), -1, dtype=np.int8)
    nb_count = np.zeros(n_prov, dtype=int)
    for p, ns in NEIGHBOURS.items():
        i = PROVINCE_INDEX[p]
        nb_count[i] = len(ns)
        nb_table[i, :len(ns)] = [PROVINCE_INDEX[x] for x in ns]
    prov_cdf = np.cumsum(np.bincount(province, minlength=n_prov)) / max(n, 1)
    anywhere = np.minimum(np.searchsorted(prov_cdf, u[:, 1], side="right"), n_prov - 1).astype(np.int8)
    neighbour = nb_table[src_prov, (u[:, 1] * nb_count[src_prov]).astype(int)]
    p_same, p_nb = params["peer_same_province"], params["peer_neighbour_province"]
    tgt_prov = np.where(u[:, 0] < p_same, src_prov, np.where(u[:, 0] < p_same + p_nb, neighbour, anywhere))

    # Target sector: own, or another drawn by sector size (supply chains, assumption).
    sec_cdf = np.cumsum(np.bincount(sector, minlength=n_sec)) / max(n, 1)
    other_sec = np.minimum(np.searchsorted(sec_cdf, u[:, 2], side="right"), n_sec - 1).astype(np.int8)
    tgt_sec = np.where(u[:, 3] < params["peer_same_sector"], sector[src], other_sec)

    # A uniformly chosen firm in the target (province, sector) cell; empty cells: anyone.
    cell = province.astype(np.int64) * n_sec + sector
    order = np.argsort(cell, kind="stable")
    cell_count = np.bincount(cell, minlength=n_prov * n_sec)
    cell_start = np.concatenate(([0], np.cumsum(cell_count)[:-1]))
    tgt_cell = tgt_prov.astype(np.int32) * n_sec + tgt_sec
    cnt = cell_count[tgt_cell]
    pick = rng.random(m)
    within = order[np.minimum(cell_start[tgt_cell] + (pick * cnt).astype(np.int32), n - 1)]
    tgt = np.where(cnt > 0, within, (pick * n).astype(np.int32))

    keep = tgt != src
    src, tgt = src[keep], tgt[keep].astype(np.int32)
    # Both directions: firms that know each other learn from each other.
    a = sparse.coo_matrix((np.ones(2 * len(src)), (np.concatenate([src, tgt]), np.concatenate([tgt, src]))),
                          shape=(n, n)).tocsr()
    a.data[:] = 1.0  # duplicates and reciprocal links count once; float64 like the weights, so that
    # products need no conversion of the matrix
    return a


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
