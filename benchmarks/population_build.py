"""Time build_population (firms and peer network) at scales 0.5 (the calibration's) and 1.0.

    python benchmarks/population_build.py --repeats 50

Prints the CPU time of this process (time.process_time, less sensitive to other work on the
machine than the wall clock), best of --repeats builds with fresh seeds, in ms, for the peer
network and the well-mixed population (no network). Compiled kernels are loaded and run once
before timing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.5, 1.0])
    args = ap.parse_args()

    from smartregion.model import params as params_mod
    from smartregion.model.population import build_population

    params = params_mod.resolve({})
    for scale in args.scales:
        for network in ("peers", "well_mixed"):
            build_population(np.random.default_rng(0), params, scale, network)  # warm: compiled code, caches
            best = float("inf")
            for seed in range(args.repeats):
                rng = np.random.default_rng(seed)
                t = time.process_time()
                pop = build_population(rng, params, scale, network)
                best = min(best, time.process_time() - t)
            links = "" if pop.peers is None else f", {pop.peers.nnz // 2:,} links"
            print(f"scale {scale:.2f} {network:10s}: {best * 1e3:7.2f} ms CPU (best of {args.repeats}; {pop.n:,} firms{links})")


if __name__ == "__main__":
    main()
