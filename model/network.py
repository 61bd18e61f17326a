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
    src = np.repeat(np.arange(n), degree)
    m = len(src)
    src_prov = province[src]

    # Target province: own, a neighbour (uniformly), or anywhere (by firm count).
    u = rng.random((m, 4))
    nb_table = np.full((n_prov, 6), -1)
    nb_count = np.zeros(n_prov, dtype=int)
    for p, ns in NEIGHBOURS.items():
        i = PROVINCE_INDEX[p]
        nb_count[i] = len(ns)
        nb_table[i, :len(ns)] = [PROVINCE_INDEX[x] for x in ns]
    prov_cdf = np.cumsum(np.bincount(province, minlength=n_prov)) / max(n, 1)
    anywhere = np.minimum(np.searchsorted(prov_cdf, u[:, 1], side="right"), n_prov - 1)
    neighbour = nb_table[src_prov, (u[:, 1] * nb_count[src_prov]).astype(int)]
    p_same, p_nb = params["peer_same_province"], params["peer_neighbour_province"]
    tgt_prov = np.where(u[:, 0] < p_same, src_prov, np.where(u[:, 0] < p_same + p_nb, neighbour, anywhere))

    # Target sector: own, or another drawn by sector size (supply chains, assumption).
    sec_cdf = np.cumsum(np.bincount(sector, minlength=n_sec)) / max(n, 1)
    other_sec = np.minimum(np.searchsorted(sec_cdf, u[:, 2], side="right"), n_sec - 1)
    tgt_sec = np.where(u[:, 3] < params["peer_same_sector"], sector[src], other_sec)

    # A uniformly chosen firm in the target (province, sector) cell; empty cells: anyone.
    cell = province.astype(np.int64) * n_sec + sector
    order = np.argsort(cell, kind="stable")
    cell_count = np.bincount(cell, minlength=n_prov * n_sec)
    cell_start = np.concatenate(([0], np.cumsum(cell_count)[:-1]))
    tgt_cell = tgt_prov.astype(np.int64) * n_sec + tgt_sec
    cnt = cell_count[tgt_cell]
    pick = rng.random(m)
    within = order[np.minimum(cell_start[tgt_cell] + (pick * cnt).astype(np.int64), n - 1)]
    tgt = np.where(cnt > 0, within, (pick * n).astype(np.int64))

    keep = tgt != src
    src, tgt = src[keep].astype(np.int32), tgt[keep].astype(np.int32)  # scipy's index type: no conversion
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
    return _peer_sum(peers, weight) / max(float(degree.mean()), 1.0)


def _peer_sum(peers: sparse.csr_matrix, weight: np.ndarray) -> np.ndarray:
    """peers @ weight. While few firms have weight (adopters, early on), it is cheaper to walk
    only their links: the network is symmetric, so row j lists the firms j counts for. With
    sorted indices (as built above) each sum gets the same terms in the same order as the
    product, so results are identical; above an eighth of firms the product is faster."""
    src = np.flatnonzero(weight)
    if 8 * len(src) > len(weight):
        return peers @ weight
    start = peers.indptr[src]
    count = peers.indptr[src + 1] - start
    links = np.repeat(start - (np.cumsum(count) - count), count) + np.arange(count.sum())
    return np.bincount(peers.indices[links], weights=peers.data[links] * np.repeat(weight[src], count),
                       minlength=len(weight))
