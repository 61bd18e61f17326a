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
from .compute import parameterisation_of
from .views import TABLE_CSS
from .words import fmt_band, fmt_number, scenario_title, tr

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
            left_out[name] = differs
        else:
            ok.append(s)
    return ok, left_out, cf


def compare_spec(scenarios, cf, seed: int, replications: int, par) -> EnsembleSpec:
    """One ensemble of every scenario and the counterfactual, on the parameterisation `par` (the
    page's: the shipped posterior by default, as `run.py compare`)."""
    from smartregion.calibration.parameterisation import apply

    return apply(EnsembleSpec({**{s.name: spec_of(s) for s in scenarios}, "counterfactual": spec_of(cf)}, seed,
                              replications), par)


def compare_table_html(frame, names: list[str], lang: str = "en") -> str:
    head = ("".join(f"<th>{tr(k, lang)}</th>" for k in ("c_scenario", "c_net_jobs", "c_spend", "c_per_eur"))
            + "".join(f"<th>{PROVINCE_NAMES[p]}</th>" for p in PROVINCES))
    rows = []
    f = frame.set_index(["scenario", "province"])
    for name in names:
        nl = f.loc[(name, "NL")]
        per = lambda r: fmt_number(r["net_jobs_per_eur_million_mean"], "kEUR/worker", lang=lang)  # 2 decimals
        cells = [fmt_number(nl["net_jobs_mean"], "jobs", lang=lang) + "<br><small>" +
                 fmt_band(nl["net_jobs_p5"], nl["net_jobs_p95"], "jobs", lang) + "</small>",
                 fmt_number(nl["extra_public_spend_eur_mean"], "EUR", lang=lang), per(nl)]
        cells += [per(f.loc[(name, p)]) for p in PROVINCES]
        rows.append(f'<tr data-scenario="{name}"><td title="scenarios/{name}.yaml">{scenario_title(name, lang)}</td>'
                    + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
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
        spec = compare_spec(scenarios, cf, seed, reps, parameterisation_of(cf))
        t0 = time.perf_counter()
        done = explorer.RUNNER.run(spec, task.is_current)
        if done is None or not task.is_current():
            return
        results = done[0]
        final = {arm: np.stack([r[arm].metrics[-1] for r in results.values()]) for arm in spec.arms}
        quarter = next(iter(results.values()))["counterfactual"].quarters[-1]
        result.set((key, compare_frame(final, "counterfactual", quarter), time.perf_counter() - t0))

    task = solara.lab.use_task(run, dependencies=[key])
    lang = explorer.lang.value
    with solara.Sidebar():
        with solara.Card(tr("cmp_card", lang), subtitle=tr("cmp_card_sub", lang)):
            titles = {scenario_title(n, lang): n for n in names}
            solara.SelectMultiple(tr("cmp_scenarios", lang), values=[scenario_title(n, lang) for n in chosen.value
                                                                     if n in names],
                                  all_values=list(titles), on_value=lambda v: chosen.set([titles[t] for t in v]))
            solara.Text(tr("cmp_runs", lang, n=reps, seed=seed), classes=["sr-note"])
    solara.Text(tr("cmp_intro", lang), classes=["sr-note"])
    for name, what in left_out.items():
        solara.Warning(tr("cmp_left_out", lang, name=f"“{scenario_title(name, lang)}”",
                          what=", ".join(tr(f"cmp_{k}", lang) for k in what)), dense=True)
    with solara.Div(attributes={"data-testid": "compare-status",
                                "data-ready": "1" if result.value and result.value[0] == key else "0"}):
        if task.pending:
            solara.ProgressLinear(True)
            solara.Text(tr("cmp_computing", lang, arms=len(scenarios) + 1, n=reps))
    if result.value is not None:
        shown_key, frame, seconds = result.value
        with solara.Div(style={"overflow-x": "auto"}, classes=["sr-stale"] if task.pending else [],
                        attributes={"data-stale-label": tr("recomputing", lang)}):
            solara.HTML(tag="div", unsafe_innerHTML=compare_table_html(frame, list(shown_key[0]), lang))
        solara.Text(tr("cmp_ready", lang, seconds=f"{seconds:.1f}"), classes=["sr-note"])
