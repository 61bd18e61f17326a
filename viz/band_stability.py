"""How many replications make the dashboard's 90% band mean what it says?

`python -m viz.band_stability [--replications 80] [--scale 1]` runs a decision (the four
northern fieldlabs of scenarios/fieldlab_expansion_north.yaml on top of the baseline) and the
baseline against no policy, R replications each at full population, then asks of every band
size n the page might use: drawing n of the R replications many times, how much of the R
replications' distribution does the 5th-95th percentile band of n cover (a 90% band should
cover about 90%), and how much do its ends move from draw to draw (relative to the band of
all R)? The printed table is the one in docs/DASHBOARD.md; DEFAULT_REPLICATIONS and
INDICATIVE_BELOW in viz/explorer.py come from it.
"""

from __future__ import annotations

import argparse

import numpy as np

from smartregion.model.ensemble import EnsembleSpec, Executor, run_ensemble, spec_of
from smartregion.model.model import METRIC_INDEX, REGIONS_OUT
from smartregion.model.scenario import SCENARIO_DIR, load_counterfactual, load_scenario
from smartregion.model.results import BAND

SIZES = (4, 8, 12, 16, 20, 30, 40)
DRAWS = 2000


def effects(replications: int, scale: float, workers: int) -> dict[str, np.ndarray]:
    """Net jobs at the horizon's end, replication by replication, of each comparison."""
    north = load_scenario(SCENARIO_DIR / "fieldlab_expansion_north.yaml")
    north = north.model_copy(update={"replications": replications,
                                     "population": north.population.model_copy(update={"scale": scale})})
    base = load_counterfactual(north)
    none = load_counterfactual(base)
    none = none.model_copy(update={"horizon": north.horizon, "population": north.population})
    spec = EnsembleSpec({"north": spec_of(north), "baseline": spec_of(base), "none": spec_of(none)}, north.seed,
                        replications)
    res = run_ensemble(spec, Executor(workers=workers))
    k = METRIC_INDEX["employment"]

    def net(a, b, region):
        g = REGIONS_OUT.index(region)
        return np.array([r[a].metrics[-1, g, k] - r[b].metrics[-1, g, k] for r in res.values()])

    return {"four northern fieldlabs, NL": net("north", "baseline", "NL"),
            "four northern fieldlabs, Groningen": net("north", "baseline", "GR"),
            "baseline against no policy, NL": net("baseline", "none", "NL"),
            "baseline against no policy, Noord-Holland": net("baseline", "none", "NH")}


def stability(x: np.ndarray, n: int, rng: np.random.Generator) -> tuple[float, float, float]:
    """(mean coverage, 10th percentile of coverage, spread of the band's ends / full band width)."""
    lo_all, hi_all = np.percentile(x, BAND)
    width = max(hi_all - lo_all, 1e-12)
    picks = np.array([rng.choice(len(x), n, replace=False) for _ in range(DRAWS)])
    lo, hi = np.percentile(x[picks], BAND, axis=1)
    cover = ((x[None, :] >= lo[:, None]) & (x[None, :] <= hi[:, None])).mean(axis=1)
    spread = (np.std(lo) + np.std(hi)) / 2 / width
    return float(cover.mean()), float(np.percentile(cover, 10)), float(spread)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=80)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    rng = np.random.default_rng(1)
    print(f"{a.replications} replications, population scale {a.scale:g}; coverage of the R replications by the "
          f"5-95% band of n of them ({DRAWS} draws): mean / 10th percentile; end spread: SD of the band's ends "
          "over draws / width of the band of all R")
    print("| comparison | " + " | ".join(f"n={n}" for n in SIZES) + " |")
    print("| --- |" + " --- |" * len(SIZES))
    for label, x in effects(a.replications, a.scale, a.workers).items():
        cells = [stability(x, n, rng) for n in SIZES if n < len(x)]
        print(f"| {label} | " + " | ".join(f"{m:.0%} / {p:.0%}; {s:.2f}" for m, p, s in cells) + " |")


if __name__ == "__main__":
    main()
