"""The compare page: several shipped scenarios side by side against no policy, as
`run.py compare` does (one ensemble, every arm with the same random numbers, the
counterfactual run once): net jobs, extra public spending and net jobs per EUR million, for
the Netherlands and per province.

Scenarios that describe another world than the counterfactual (horizon, population,
parameters) are left out with the reason, as the command line refuses them.
"""

from __future__ import annotations

import time

import numpy as np
import solara
import solara.lab

from smartregion.model.ensemble import EnsembleSpec, spec_of
from smartregion.model.regions import PROVINCE_NAMES, PROVINCES
from smartregion.model.results import compare_frame
from smartregion.model.scenario import SCENARIO_DIR, list_scenarios, load_scenario

from . import explorer
from .views import TABLE_CSS, fmt_band, fmt_number

COUNTERFACTUAL = "no_policy"
chosen = solara.reactive(["baseline", "fieldlab_expansion_north", "skills_offensive"])


def arms(names: list[str], replications: int, seed: int):
    """(scenarios comparable with no policy, {name: reason} for the others, the counterfactual)."""
    cf = load_scenario(SCENARIO_DIR / f"{COUNTERFACTUAL}.yaml").model_copy(
        update={"replications": replications, "seed": seed})
    ok, left_out = [], {}
    for name in names:
        s = load_scenario(SCENARIO_DIR / f"{name}.yaml").model_copy(update={"replications": replications,
                                                                            "seed": seed})
        differs = [k for k in ("horizon", "population", "parameters") if getattr(s, k) != getattr(cf, k)]
        if differs:
            left_out[name] = f"its {', '.join(differs)} differ from no_policy's (compare it with a separate run)"
        else:
            ok.append(s)
    return ok, left_out, cf


def compare_table_html(frame, names: list[str]) -> str:
    head = ("<th>Scenario</th><th>Net jobs, NL (90% band)</th><th>Extra public spending</th>"
            "<th>Net jobs per EUR M</th>" + "".join(f"<th>{PROVINCE_NAMES[p]}</th>" for p in PROVINCES))
    rows = []
    f = frame.set_index(["scenario", "province"])
    for name in names:
        nl = f.loc[(name, "NL")]
        per = lambda r: "n/a" if np.isnan(r["net_jobs_per_eur_million_mean"]) else \
            f'{r["net_jobs_per_eur_million_mean"]:.2f}'
        cells = [fmt_number(nl["net_jobs_mean"], "jobs") + "<br><small>" +
                 fmt_band(nl["net_jobs_p5"], nl["net_jobs_p95"], "jobs") + "</small>",
                 fmt_number(nl["extra_public_spend_eur_mean"], "EUR"), per(nl)]
        cells += [per(f.loc[(name, p)]) for p in PROVINCES]
        rows.append(f'<tr data-scenario="{name}"><td>{name}</td>' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (f'<table class="sr-table" data-testid="compare-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


@solara.component
def Page():
    solara.Style(TABLE_CSS)
    names = solara.use_memo(lambda: [n for n, _ in list_scenarios() if n != COUNTERFACTUAL], [])
    reps, seed = explorer.replications.value, explorer.seed.value
    scenarios, left_out, cf = arms([n for n in names if n in chosen.value], reps, seed)
    key = (tuple(s.name for s in scenarios), reps, seed)
    result = solara.use_reactive(None)

    def run():
        if not scenarios:
            return
        spec = EnsembleSpec({**{s.name: spec_of(s) for s in scenarios}, "counterfactual": spec_of(cf)}, seed, reps)
        t0 = time.perf_counter()
        done = explorer.RUNNER.run(spec, task.is_current)
        if done is None or not task.is_current():
            return
        results = done[0]
        final = {arm: np.stack([r[arm].metrics[-1] for r in results.values()]) for arm in spec.arms}
        quarter = next(iter(results.values()))["counterfactual"].quarters[-1]
        result.set((key, compare_frame(final, "counterfactual", quarter), time.perf_counter() - t0))

    task = solara.lab.use_task(run, dependencies=[key])
    with solara.Sidebar():
        with solara.Card("Scenarios to compare", subtitle="each against no policy, same random numbers"):
            solara.SelectMultiple("Scenarios", values=[n for n in chosen.value if n in names], all_values=names,
                                  on_value=chosen.set)
            solara.Text(f"{reps} runs of each, seed {seed} (set in the explorer).", classes=["sr-note"])
    solara.Text("Scenarios side by side: net jobs at the horizon's end against no policy, extra public spending, "
                "and net jobs per EUR million of extra spending for the Netherlands and each province "
                "(n/a where a scenario spends no more than no policy). As `run.py compare`.", classes=["sr-note"])
    for name, why in left_out.items():
        solara.Warning(f"{name} left out: {why}.", dense=True)
    with solara.Div(attributes={"data-testid": "compare-status",
                                "data-ready": "1" if result.value and result.value[0] == key else "0"}):
        if task.pending:
            solara.ProgressLinear(True)
            solara.Text(f"Computing {len(scenarios) + 1} arms x {reps} runs…")
    if result.value is not None:
        shown_key, frame, seconds = result.value
        with solara.Div(style={"overflow-x": "auto"}, classes=["sr-stale"] if task.pending else [],
                        attributes={"data-stale-label": "recomputing…"}):
            solara.HTML(tag="div", unsafe_innerHTML=compare_table_html(frame, list(shown_key[0])))
        solara.Text(f"Ready in {seconds:.1f} s.", classes=["sr-note"])
