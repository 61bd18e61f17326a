"""The explorer page: pick or upload a scenario, move levers, see regions respond.

State lives in reactive variables (one set per browser session). The edited scenario is
`levers.apply(...)` of them; a background task (`solara.lab.use_task`) computes its ensemble
through viz.compute while the page keeps showing the previous results, so the page never
freezes. A newer edit makes the running task stale: it stops handing out work.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

import solara
import solara.lab

from smartregion.model.params import PARAMS
from smartregion.model.regions import HUBS, PROVINCES
from smartregion.model.results import headline
from smartregion.model.scenario import (
    MAX_FILE_BYTES,
    SCENARIO_DIR,
    ScenarioError,
    list_scenarios,
    load_scenario,
    scenario_from_yaml_text,
    to_yaml,
)

from . import levers as lv
from .compute import Outcome, Runner, compute
from .views import (
    MAP_METRICS,
    TABLE_CSS,
    fmt_band,
    fmt_number,
    map_values,
    province_table_html,
    series_svgs,
    tile_map_svg,
)

DEFAULT_SCENARIO = "baseline"
# Replications the page starts with: few, so that a lever move redraws in about a second on
# an idle 2-core machine (docs/DASHBOARD.md has the figures); the slider goes higher.
DEFAULT_REPLICATIONS = 4
MAX_REPLICATIONS = 50
DEBOUNCE_S = 0.1  # a dragged slider sends many values; wait this long for the last one

RUNNER = Runner()  # worker processes and result cache, shared by all sessions of this server


def _uncertain_values(s) -> dict[str, float]:
    values = s.parameter_values()
    return {k: values[k] for k in lv.UNCERTAIN}


_first = load_scenario(SCENARIO_DIR / f"{DEFAULT_SCENARIO}.yaml")
base = solara.reactive(_first)  # the scenario as picked or uploaded, before any edit
base_label = solara.reactive(DEFAULT_SCENARIO)
load_error = solara.reactive(None)  # one line from ScenarioError, shown until the next load
pasted = solara.reactive("")
levers = solara.reactive(lv.Levers())
parameters = solara.reactive(_uncertain_values(_first))
replications = solara.reactive(DEFAULT_REPLICATIONS)
seed = solara.reactive(_first.seed)
against_base = solara.reactive(False)
region = solara.reactive("NL")
map_metric = solara.reactive("Net jobs")
map_quarter = solara.reactive(-1)  # index into the quarters; -1: the last
on_screen = solara.reactive(None)  # the Outcome shown; replaced when a newer one is complete


@solara.lab.computed
def edited():
    """(scenario with the dashboard's edits, None) or (None, the one-line error)."""
    try:
        return lv.apply(base.value, levers.value, parameters.value, replications.value, seed.value,
                        against_base.value), None
    except ScenarioError as e:
        return None, str(e)


def choose_scenario(s, label: str) -> None:
    """Make `s` the base: levers back to neutral, parameters and seed as the scenario has them."""
    base.set(s)
    base_label.set(label)
    load_error.set(None)
    levers.set(lv.Levers())
    parameters.set(_uncertain_values(s))
    seed.set(s.seed)
    against_base.set(False)


# Every session shares the worker pool: an upload may not ask for more than the whole Dutch
# economy (the command line takes up to 50 times that).
MAX_UPLOAD_SCALE = 1.0


def load_text(text: str | bytes, file: str) -> None:
    try:
        s = scenario_from_yaml_text(text, file)
    except ScenarioError as e:
        load_error.set(str(e))
        return
    if s.population.scale > MAX_UPLOAD_SCALE:
        load_error.set(f"{file}: population.scale: {s.population.scale:g} is more than the dashboard computes; "
                       f"allowed: at most {MAX_UPLOAD_SCALE:g} here (run.py run takes up to 50)")
        return
    choose_scenario(s, f"uploaded: {file}")


# --- sidebar ----------------------------------------------------------------------------------


@solara.component
def ScenarioPicker():
    names = solara.use_memo(lambda: [n for n, _ in list_scenarios()], [])
    shipped = base_label.value if base_label.value in names else None

    def pick(name):
        choose_scenario(load_scenario(SCENARIO_DIR / f"{name}.yaml"), name)

    with solara.Card("Scenario"):
        solara.Select("Shipped scenario", values=names, value=shipped, on_value=pick)
        if shipped is None:
            solara.Text(f"Using {base_label.value}", style={"font-weight": "bold"})
        solara.Text(base.value.description or "", style={"font-size": "13px", "white-space": "pre-line"})
        with solara.Details("Upload or paste a scenario YAML"):
            solara.FileDrop(label="Drop a .yaml file here", lazy=True,
                            on_file=lambda f: load_text(f["file_obj"].read(MAX_FILE_BYTES + 1), f["name"]))
            solara.InputTextArea("Paste YAML", value=pasted, rows=6, continuous_update=True)
            solara.Button("Use pasted YAML", on_click=lambda: load_text(pasted.value, "pasted YAML"),
                          color="primary", outlined=True)
        if load_error.value:
            solara.Error(load_error.value, icon=True, dense=True, classes=["sr-load-error"])


def _set_lever(**change):
    levers.set(replace(levers.value, **change))


@solara.component
def Lever(name: str, label: str, value, on_value, lo, hi, step=1, shown: str | None = None, integer=False):
    """A slider with its label and current value on a line above it (the sidebar is narrow);
    `name` marks it for tests (data-lever)."""
    slider = solara.SliderInt if integer else solara.SliderFloat
    with solara.Div(attributes={"data-lever": name}):
        solara.Text(f"{label}: {shown if shown is not None else value}", classes=["sr-lever-label"])
        slider("", value=value, min=lo, max=hi, step=step, on_value=on_value, thumb_label=False)


@solara.component
def LeverControls():
    s, lev = base.value, levers.value
    if not lv.levers_possible(s):
        with solara.Card("Policy levers"):
            solara.Info(f"The horizon ends before {lv.LEVER_START}, where the levers start.")
        return
    first, last = int(lv.LEVER_START[:4]), int(s.horizon.end[:4])
    with solara.Card("Policy levers", subtitle=f"new policy from {lv.LEVER_START}"):
        for hub, count in zip(lv.HUB_REGIONS, lev.fieldlabs):
            Lever(f"fieldlabs_{hub}", f"New fieldlabs, {lv.HUB_LABELS[hub]} ({', '.join(HUBS[hub])})", count,
                  lambda v, hub=hub: levers.set(levers.value.with_fieldlabs(hub, v)), 0, 10, integer=True)
        cap = PARAMS["fieldlab_capacity"]
        Lever("fieldlab_capacity", "Capacity of each new fieldlab (firms a year)", lev.fieldlab_capacity,
              lambda v: _set_lever(fieldlab_capacity=v), *cap.plausible, shown=f"{lev.fieldlab_capacity:g}")
        Lever("hub_meur_per_year", "Extra hub outreach (EUR M a year per hub region)", lev.hub_meur_per_year,
              lambda v: _set_lever(hub_meur_per_year=v), 0, 5, 0.25, shown=f"{lev.hub_meur_per_year:g}")
        Lever("subsidy_rate", "Adoption subsidy (share of the investment)", lev.subsidy_rate,
              lambda v: _set_lever(subsidy_rate=v), 0, 0.5, 0.05, shown=f"{lev.subsidy_rate:.0%}")
        Lever("subsidy_meur_per_year", "Adoption subsidy budget (EUR M a year)", lev.subsidy_meur_per_year,
              lambda v: _set_lever(subsidy_meur_per_year=v), 0, 50, shown=f"{lev.subsidy_meur_per_year:g}")
        Lever("training_meur_per_year", "Training budget (EUR M a year)", lev.training_meur_per_year,
              lambda v: _set_lever(training_meur_per_year=v), 0, 50, shown=f"{lev.training_meur_per_year:g}")
        Lever("end_year", "Programme end year (all instruments stop)", lev.end_year or last,
              lambda v: _set_lever(end_year=None if v == last else v), first, last, integer=True)
        solara.Checkbox(label="Compare against this scenario without the levers", value=against_base,
                        disabled=not s.source_file)
        solara.Button("Reset levers", on_click=lambda: levers.set(lv.Levers()), text=True)


@solara.component
def UncertaintyControls():
    with solara.Card("Uncertain parameters", subtitle="plausible ranges from model/params.py"):
        for name in lv.UNCERTAIN:
            p = PARAMS[name]
            lo, hi = p.plausible
            value = parameters.value[name]
            Lever(name, f"{name} ({p.unit})", value,
                  lambda v, name=name: parameters.set({**parameters.value, name: v}), lo, hi,
                  round((hi - lo) / 40, 6), shown=f"{value:.4g}")
            solara.Text(p.description, style={"font-size": "11px", "color": "#666"})
        Lever("replications", "Replications", replications.value, replications.set, 1, MAX_REPLICATIONS, integer=True)
        solara.InputInt("Seed", value=seed)


@solara.component
def Export(o: Outcome | None):
    with solara.Card("Export", subtitle="what the results below were computed from"):
        if o is None:
            solara.Text("Waiting for the first results.")
            return
        s = o.scenario
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", s.name)  # the name comes from a file anyone may upload
        solara.FileDownload(lambda: to_yaml(s), filename=f"{stem}.yaml", label="Scenario (YAML)")
        solara.FileDownload(lambda: o.summary.to_csv(index=False), filename=f"{stem}_summary.csv",
                            label="Summary per province (CSV)")
        solara.Text("Rerun from the command line with identical numbers:")
        solara.Preformatted(f"python run.py run {stem}.yaml --out results/{stem} --seed {s.seed} "
                            f"--replications {s.replications}", style_="white-space: pre-wrap; font-size: 12px")


# --- main area --------------------------------------------------------------------------------


def headline_html(o: Outcome) -> str:
    cards = []
    for _, r in headline(o.summary, "NL").iterrows():
        cards.append(f'<div class="sr-card" data-metric="{r["metric"]}"><div class="sr-label">{r["label"]}</div>'
                     f'<div class="sr-value">{fmt_number(r["value"], r["unit"])}</div>'
                     f'<div class="sr-band">90%: {fmt_band(r["p5"], r["p95"], r["unit"])}</div></div>')
    return f'<div class="sr-cards" data-testid="headline">{"".join(cards)}</div>'


CSS = TABLE_CSS + """
.sr-cards {display: flex; flex-wrap: wrap; gap: 8px;}
.sr-card {border: 1px solid #ccc; border-radius: 6px; padding: 6px 10px; min-width: 170px;}
.sr-label {font-size: 12px; color: #555;}
.sr-value {font-size: 22px; font-weight: bold;}
.sr-band {font-size: 11px; color: #666;}
.sr-charts {display: grid; grid-template-columns: repeat(auto-fill, 500px); gap: 8px;}
.sr-title {font-size: 20px; font-weight: bold; display: block; margin: 8px 0;}
.sr-lever-label {font-size: 13px; display: block; margin-top: 4px;}
.sr-lever-label + div .v-input__details {display: none;}
[data-lever] .v-input {margin-top: -4px;}
"""


@solara.component
def Results(o: Outcome):
    s = o.scenario
    if o.has_counterfactual:
        solara.Text(f"{s.name} against {Path(s.counterfactual).stem}: policy minus counterfactual, the "
                    f"Netherlands, {o.quarters[-1]}", classes=["sr-title"])
        solara.HTML(tag="div", unsafe_innerHTML=headline_html(o))
    else:
        solara.Text(f"{s.name}: a counterfactual itself, so levels only", classes=["sr-title"])
    with solara.Row(style={"align-items": "center"}):
        solara.Select("Charts for", values=["NL", *PROVINCES], value=region, style={"max-width": "200px"})
    solara.HTML(tag="div", unsafe_innerHTML="".join(series_svgs(o, region.value)), classes=["sr-charts"])
    solara.Text(f"Lines: mean over {len(o.results)} replications; shaded: 90% band (5th to 95th percentile).",
                style={"font-size": "12px", "color": "#555"})
    metrics = list(MAP_METRICS) if o.has_counterfactual else ["Adoption rate"]
    n = len(o.quarters)
    q_index = map_quarter.value % n if map_quarter.value < n else n - 1  # a shorter horizon: its last quarter
    with solara.Div(style={"display": "flex", "flex-wrap": "wrap", "gap": "24px", "align-items": "flex-start"},
                    attributes={"data-testid": "map-table"}):
        with solara.Column(style={"width": "390px", "flex": "none"}):
            label = map_metric.value if map_metric.value in metrics else metrics[0]
            solara.Select("Map metric", values=metrics, value=label, on_value=map_metric.set)
            Lever("map_quarter", "Quarter", q_index, map_quarter.set, 0, n - 1, shown=o.quarters[q_index],
                  integer=True)
            solara.HTML(tag="div", unsafe_innerHTML=tile_map_svg(map_values(o, label, q_index), label,
                                                                 o.quarters[q_index]))
        with solara.Column(style={"flex": "1 1 560px", "overflow-x": "auto"}):
            if o.has_counterfactual:
                solara.Text(f"Per province at {o.quarters[-1]}, policy minus counterfactual; cost per net job = "
                            "extra public spending / net jobs (n/a when there are none)")
                solara.HTML(tag="div", unsafe_innerHTML=province_table_html(o))


@solara.component
def Page():
    solara.Style(CSS)
    scenario, error = edited.value
    key = scenario.content_hash() if scenario is not None else None

    def run():
        time.sleep(DEBOUNCE_S)
        if scenario is None or not task.is_current():
            return
        o = compute(scenario, RUNNER, task.is_current,
                    lambda done, total: setattr(task, "progress", 100 * done / total))
        if o is not None and task.is_current():
            on_screen.set(o)

    task = solara.lab.use_task(run, dependencies=[key])
    outcome = on_screen.value

    with solara.Sidebar():
        ScenarioPicker()
        LeverControls()
        UncertaintyControls()
        Export(outcome)

    if error:
        solara.Error(error)
    # The content hashes of the scenario wanted and the one on screen (tests wait for them to agree).
    with solara.Div(attributes={"data-testid": "status", "data-wanted": key or "",
                                "data-shown": outcome.scenario.content_hash() if outcome else ""}):
        if task.pending:
            solara.ProgressLinear(task.progress if task.progress else True)
            solara.Text(f"Computing {scenario.replications} replications; the results below are the previous ones.")
        elif outcome is not None:
            s = outcome.scenario
            arms = 2 if outcome.has_counterfactual else 1
            solara.Text(f"{s.replications} replications x {arms} arms, {len(outcome.quarters)} quarters, population "
                        f"scale {s.population.scale:g}, seed {s.seed}, scenario #{s.content_hash()[:8]}: computed in "
                        f"{outcome.seconds:.2f} s "
                        f"({outcome.new_runs} runs new, {s.replications * arms - outcome.new_runs} from the cache).")
        if task.error:
            solara.Error(f"The computation failed: {task.exception}")
    if outcome is not None:
        Results(outcome)
