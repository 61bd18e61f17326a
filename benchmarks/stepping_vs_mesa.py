"""Stepping speed against Mesa's own `virus_on_network` example (from the installed
mesa.examples), per agent-step, the two timed in turn in one process.

    python benchmarks/stepping_vs_mesa.py --nodes 30000 --degree 6 --steps 50 --rounds 3

Why in turn: on a shared virtual machine the speed of the same code moves by up to 1.5x within
a minute (one process's full-population runs went from 0.33 s to 0.22 s half-way through 40
identical runs), so two figures taken minutes apart can make the ratio anything. Each round
builds the virus model (untimed) and runs its steps in slices; before each slice and after the
last, one full-population model run is timed (its set-up untimed, as for the virus model). A
round's ratio is the model's firm-steps per second (median of the round's runs) over Mesa's
agent-steps per second (all the round's slices); the figure is the median over rounds, with
the lowest and highest round.

The example builds its graph with `networkx.erdos_renyi_graph`, which tests all n^2/2 node
pairs (hours at 30,000 nodes). We build the same G(n, p) random graph with
`networkx.fast_gnp_random_graph` (Batagelj & Brandes 2005, O(n + m)): same distribution, same
model code, same agents and step. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from unittest import mock

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent


def virus_model(nodes: int, degree: float, seed: int):
    from mesa.examples.basic.virus_on_network import model as virus

    # The example calls nx.erdos_renyi_graph(n=..., p=...) (unseeded); route that one call to the
    # O(n + m) generator of the same graph distribution, seeded so that rounds repeat.
    with mock.patch.object(virus.nx, "erdos_renyi_graph", lambda n, p: nx.fast_gnp_random_graph(n, p, seed=seed)):
        return virus.VirusOnNetwork(num_nodes=nodes, avg_node_degree=degree, seed=seed)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=30_000)
    ap.add_argument("--degree", type=float, default=6)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--slices", type=int, default=5, help="virus steps are timed in this many slices per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="the model's population scale")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    import mesa
    from mesa.examples.basic.virus_on_network import model as virus

    from smartregion.model.model import SmartIndustryModel
    from smartregion.model.scenario import load_scenario

    policies = load_scenario(ROOT / "scenarios" / "baseline.yaml").policies

    def model_run(seed: int) -> tuple[float, int, int]:
        m = SmartIndustryModel(policies=policies, scale=args.scale, seed=seed)
        t0 = time.perf_counter()
        m.run()
        seconds = time.perf_counter() - t0
        n, quarters = m.n, m.n_steps
        m.release()
        return seconds, n, quarters

    model_run(args.seed)  # loads the compiled kernels: not timed
    rounds = []
    bounds = [args.steps * s // args.slices for s in range(args.slices + 1)]
    for _ in range(args.rounds):
        v = virus_model(args.nodes, args.degree, args.seed)  # the same graph and epidemic every round
        model_s, virus_s = [], 0.0
        for s in range(args.slices + 1):  # a model run before each slice and after the last
            seconds, firms, quarters = model_run(args.seed + 1 + s % 3)
            model_s.append(seconds)
            if s == args.slices:
                break
            t0 = time.perf_counter()
            for _ in range(bounds[s + 1] - bounds[s]):
                v.step()
            virus_s += time.perf_counter() - t0
        ours = firms * quarters / statistics.median(model_s)
        theirs = args.nodes * args.steps / virus_s
        rounds.append({"model_steps_s": model_s, "virus_steps_s": virus_s, "firm_steps_per_s": ours,
                       "agent_steps_per_s": theirs, "ratio": ours / theirs})
    ratios = [r["ratio"] for r in rounds]
    print(json.dumps({
        "mesa": mesa.__version__, "nodes": args.nodes, "degree": args.degree, "steps": args.steps,
        "edges": v.grid.G.number_of_edges(), "infected_end": virus.number_infected(v),
        "resistant_end": virus.number_resistant(v), "firms": firms, "quarters": quarters,
        "rounds": rounds, "ratio_median": statistics.median(ratios), "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "model_steps_median_s": statistics.median(s for r in rounds for s in r["model_steps_s"]),
        "virus_steps_median_s": statistics.median(r["virus_steps_s"] for r in rounds),
    }))


if __name__ == "__main__":
    main()
