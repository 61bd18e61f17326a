"""The regression baseline: every shipped scenario at a small scale and a fixed seed, its summary
figures stored in tests/baseline.json and compared exactly by tests/test_baseline.py.

    python tests/regenerate_baseline.py          # rewrite tests/baseline.json, print what moved

Regenerate only after a deliberate model change, and say so in the commit message with the old
and new headline (the command prints them: net jobs and net adopters per scenario, NL).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from smartregion.model.ensemble import ensemble_spec, run_ensemble  # noqa: E402
from smartregion.model.model import REGIONS_OUT  # noqa: E402
from smartregion.model.results import summary_frame  # noqa: E402
from smartregion.model.scenario import SCENARIO_DIR, Population, load_counterfactual, load_scenario  # noqa: E402

BASELINE = Path(__file__).with_name("baseline.json")
SCALE, SEED, REPLICATIONS = 0.05, 2026, 2
COLUMNS = ("policy_mean", "counterfactual_mean", "difference", "difference_p5", "difference_p95")
PROVINCE_METRICS = ("employment", "adopters", "public_spend_eur")  # per province too; every metric for NL


def _number(v) -> float | None:
    v = float(v)
    return None if v != v else v  # JSON has no NaN; None reads back as "undefined"


def figures(name: str) -> dict[str, dict[str, float | None]]:
    """{"metric@region": {column: value}} of one scenario's summary at the baseline settings."""
    s = load_scenario(SCENARIO_DIR / f"{name}.yaml")
    s = s.model_copy(update={"population": Population(scale=SCALE, network=s.population.network)})
    summary = summary_frame(run_ensemble(ensemble_spec(s, load_counterfactual(s), REPLICATIONS, SEED)))
    keep = (summary["province"] == "NL") | summary["metric"].isin(PROVINCE_METRICS)
    return {f"{r.metric}@{r.province}": {c: _number(getattr(r, c)) for c in COLUMNS}
            for r in summary[keep].itertuples()}


def compute() -> dict:
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    return {"settings": {"scale": SCALE, "seed": SEED, "replications": REPLICATIONS, "regions": list(REGIONS_OUT)},
            "scenarios": {name: figures(name) for name in names}}


def headline(data: dict, name: str) -> str:
    f = data["scenarios"].get(name, {})
    pick = lambda key: (f.get(key) or {}).get("difference")  # noqa: E731
    return f"net jobs {pick('net_jobs@NL')}, net adopters {pick('net_adopters@NL')}"


def main() -> int:
    old = json.loads(BASELINE.read_text()) if BASELINE.exists() else {"scenarios": {}}
    new = compute()
    BASELINE.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    for name in new["scenarios"]:
        if old["scenarios"].get(name) != new["scenarios"][name]:
            print(f"{name}: was {headline(old, name)}; now {headline(new, name)}")
    print(f"written: {BASELINE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
