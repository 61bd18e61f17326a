"""The single-run page: one replication stepped quarter by quarter in Mesa's SolaraViz.

This is the agent-based part made visible: every firm is one cell in its province's tile,
coloured by adoption stage, and the firms that changed stage in the last quarter are drawn
in full colour over a faded background. The run is replication `replication` of the
explorer's current scenario (policy arm), with the seed the ensemble gives that replication,
so its end state is one of the runs behind the explorer's bands.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import solara
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from smartregion.model.model import SmartIndustryModel
from smartregion.model.regions import PROVINCE_NAMES, PROVINCES, STAGES, TILE_GRID
from smartregion.model.scenario import Scenario
from smartregion.model.streams import replication_seeds

from . import explorer
from .views import TABLE_CSS

# Solara warns when Mesa's SolaraViz is imported about a hook order in Mesa's own code (not
# ours, and harmless: the order never changes at run time); keep the console for our messages.
warnings.filterwarnings("ignore", message=r".*mesa/visualization/solara_viz\.py.*ComponentsView", category=UserWarning)
from mesa.visualization import Slider, SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

STAGE_COLOURS = ("#d9d9d9", "#f9c74f", "#f3722c", "#277da1")  # unaware, aware, experimenting, adopted
FADE = 0.45  # unchanged firms are blended this much towards white, so that changes stand out
SAMPLE_ROWS = 8  # firms listed by name in the "changed this quarter" table


class ScenarioRun(SmartIndustryModel):
    """Replication `replication` of a scenario's policy arm. SolaraViz rebuilds the model from
    keyword arguments on Reset, hence a constructor that takes the scenario itself."""

    def __init__(self, scenario: Scenario, replication: int = 0):
        seed = replication_seeds(scenario.seed, replication + 1)[replication]
        super().__init__(params=scenario.parameters, policies=scenario.policies, start=scenario.horizon.start,
                         end=scenario.horizon.end, scale=scenario.population.scale,
                         network=scenario.population.network, seed=seed)
        self.scenario_name = scenario.name
        self.stage_before = self.firms_state.stage.copy()
        order = np.lexsort((self.pop.size_class, self.pop.sector, self.pop.province))
        self.layout = {p: order[self.pop.province[order] == i] for i, p in enumerate(PROVINCES)}

    def step(self) -> None:
        self.stage_before = self.firms_state.stage.copy()
        super().step()

    @property
    def quarter(self) -> str:
        return self.quarters[self.t - 1] if self.t else f"before {self.quarters[0]}"


def _tile_image(model: ScenarioRun, firms: np.ndarray) -> np.ndarray:
    """RGB cells, one per firm of a province in fixed order (sector, then size)."""
    cols = math.ceil(math.sqrt(len(firms) * 1.4))
    rows = math.ceil(len(firms) / cols)
    palette = np.array([to_rgb(c) for c in STAGE_COLOURS])
    stage = model.firms_state.stage[firms]
    rgb = palette[stage]
    unchanged = stage == model.stage_before[firms]
    rgb[unchanged] = rgb[unchanged] * (1 - FADE) + FADE
    img = np.ones((rows * cols, 3))
    img[: len(firms)] = rgb
    return img.reshape(rows, cols, 3)


def stage_figure(model: ScenarioRun) -> Figure:
    fig = Figure(figsize=(7.2, 8.4), dpi=100, layout="constrained")
    ax = fig.subplots()
    for p, (c, r) in TILE_GRID.items():
        ax.imshow(_tile_image(model, model.layout[p]), extent=(c, c + 0.94, -r - 0.8, -r), interpolation="nearest")
        n = len(model.layout[p])
        adopted = float((model.firms_state.stage[model.layout[p]] == 3).mean())
        ax.text(c, -r + 0.02, f"{PROVINCE_NAMES[p]}: {n:,} firms, {adopted:.0%} adopted", fontsize=8,
                va="bottom")
    ax.set_xlim(-0.05, 3)
    ax.set_ylim(-5, 0.2)
    ax.set_aspect("auto")
    ax.axis("off")
    handles = [ax.scatter([], [], marker="s", color=c, label=s) for s, c in zip(STAGES, STAGE_COLOURS)]
    ax.legend(handles=handles, loc="lower right", fontsize=9, title="full colour:\nchanged this quarter",
              title_fontsize=9, frameon=False)
    fig.suptitle(f"{model.scenario_name}: every firm by stage, {model.quarter}", fontsize=11)
    return fig


def transitions(model: ScenarioRun) -> dict[str, int]:
    before, now = model.stage_before, model.firms_state.stage
    moved = before != now
    out: dict[str, int] = {}
    for a, b in zip(before[moved], now[moved]):
        key = f"{STAGES[a]} → {STAGES[b]}"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


@solara.component
def FirmStages(model: ScenarioRun):
    """The firms, by province and stage, and which of them changed in the last quarter."""
    update_counter.get()  # Mesa's signal that the model stepped
    moved = transitions(model)
    changed = model.stage_before != model.firms_state.stage
    # The Mesa agent views of the firms that changed: what a modeller would inspect.
    agents = model.firms.select(lambda a: changed[a.idx], at_most=SAMPLE_ROWS) if changed.any() else []
    solara.FigureMatplotlib(stage_figure(model), format="png", dependencies=[model, model.t])
    if moved:
        solara.Text("Stage changes this quarter: " + "; ".join(f"{k}: {v:,}" for k, v in moved.items()))
    if agents:
        rows = "".join(f"<tr><td>{a.idx}</td><td>{PROVINCE_NAMES[a.province]}</td><td>{a.sector}</td>"
                       f"<td>{a.size_class}</td><td>{a.employees:.0f}</td>"
                       f"<td>{STAGES[model.stage_before[a.idx]]} → {a.stage}</td></tr>" for a in agents)
        solara.HTML(tag="table", unsafe_innerHTML="<tr><th>firm</th><th>province</th><th>sector</th><th>size</th>"
                                                  f"<th>employees</th><th>stage</th></tr>{rows}",
                    classes=["sr-table"])


# Mesa's plot components of the model's DataCollector series.
PLOTS = (make_plot_component({"adoption_rate": "#277da1"})[0],
         make_plot_component({"jobs_created": "#2ca02c", "jobs_lost": "#d62728", "reshored_jobs": "#9467bd"})[0])


@solara.component
def Page():
    scenario = explorer.edited.value[0] or explorer.base.value
    first = solara.use_memo(lambda: ScenarioRun(scenario, 0), [scenario.content_hash()])
    model = solara.use_reactive(first)  # SolaraViz's Reset puts a new model here
    solara.Style(TABLE_CSS)
    # SolaraViz gives the controls (step, play, reset, replication). Its own component grid
    # is not used: Mesa 3.3.1 builds it with Vuetify 2 tabs, absent under ipyvuetify 3.
    SolaraViz(
        model,
        components=[],
        model_params={
            "scenario": scenario,
            "replication": Slider("Replication", value=0, min=0, max=explorer.MAX_REPLICATIONS - 1, step=1),
        },
        name=f"Single run: {scenario.name}",
        play_interval=200,
    )
    with solara.Columns([7, 4]):
        FirmStages(model.value)
        with solara.Column():
            for plot in PLOTS:
                plot(model.value)
