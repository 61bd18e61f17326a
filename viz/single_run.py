"""The single-run page: one replication (a Mesa model) stepped quarter by quarter.

This is the agent-based part made visible: every firm is one cell in its province's tile,
coloured by adoption stage, and the firms that changed stage in the last quarter are drawn
in full colour over a faded background. The run is replication `replication` of the
explorer's current scenario (policy arm), with the seed the ensemble gives that replication,
so its end state is one of the runs behind the explorer's bands.
"""

from __future__ import annotations

import html
import math
import time

import numpy as np
import solara
import solara.lab
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from smartregion.model.model import SmartIndustryModel
from smartregion.model.regions import PROVINCE_NAMES, PROVINCES, STAGES, TILE_GRID
from smartregion.model.scenario import Scenario, load_counterfactual
from smartregion.model.streams import replication_seeds

from . import explorer
from .views import CREATED, LOST, POLICY_COLOUR, TABLE_CSS, _years
from .words import fmt_number, instrument_label, quarter_label, sector_name, stage_name, tr

from mesa import Agent

stepped = solara.reactive(0)  # counts steps and resets of this session's run: its views redraw
STAGE_COLOURS = ("#d9d9d9", "#f9c74f", "#f3722c", "#277da1")  # unaware, aware, experimenting, adopted
FADE = 0.45  # unchanged firms are blended this much towards white, so that changes stand out
SAMPLE_ROWS = 8  # firms listed by name in the "changed this quarter" table


class ScenarioRun(SmartIndustryModel):
    """Replication `replication` of a scenario's policy arm (Reset builds a new one)."""

    def __init__(self, scenario: Scenario, replication: int = 0):
        seed = replication_seeds(scenario.seed, replication + 1)[replication]
        super().__init__(params=scenario.parameters, policies=scenario.policies, start=scenario.horizon.start,
                         end=scenario.horizon.end, scale=scenario.population.scale,
                         network=scenario.population.network, seed=seed)
        self.scenario_name = scenario.name
        self.scenario, self.replication = scenario, replication
        self.stage_before = self.firms_state.stage.copy()
        order = np.lexsort((self.pop.size_class, self.pop.sector, self.pop.province))
        self.layout = {p: order[self.pop.province[order] == i] for i, p in enumerate(PROVINCES)}

    def step(self) -> None:
        self.stage_before = self.firms_state.stage.copy()
        super().step()

    def quarter(self, lang: str = "en") -> str:
        if self.t:
            return quarter_label(self.quarters[self.t - 1], lang)
        return tr("sr_before", lang, quarter=quarter_label(self.quarters[0], lang))


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


def stage_figure(model: ScenarioRun, lang: str = "en", name: str | None = None) -> Figure:
    """Every firm by stage; `name`: the scenario's name on the page (default: its own)."""
    fig = Figure(figsize=(7.2, 8.4), dpi=100, layout="constrained")
    ax = fig.subplots()
    for p, (c, r) in TILE_GRID.items():
        ax.imshow(_tile_image(model, model.layout[p]), extent=(c, c + 0.94, -r - 0.8, -r), interpolation="nearest")
        n = len(model.layout[p])
        adopted = float((model.firms_state.stage[model.layout[p]] == 3).mean())
        ax.text(c, -r + 0.02, tr("sr_tile", lang, where=PROVINCE_NAMES[p], n=fmt_number(n, "firms", False, lang),
                                 share=f"{adopted:.0%}"), fontsize=7.5, va="bottom", linespacing=1.1)
    ax.set_xlim(-0.05, 3)
    ax.set_ylim(-5, 0.2)
    ax.set_aspect("auto")
    ax.axis("off")
    handles = [ax.scatter([], [], marker="s", color=c, label=stage_name(s, lang)) for s, c in zip(STAGES, STAGE_COLOURS)]
    ax.legend(handles=handles, loc="lower right", fontsize=9, title=tr("sr_legend", lang),
              title_fontsize=9, frameon=False)
    fig.suptitle(tr("sr_figure_title", lang, name=name or model.scenario_name, quarter=model.quarter(lang)), fontsize=11)
    return fig


def transitions(model: ScenarioRun, lang: str = "en") -> dict[str, int]:
    before, now = model.stage_before, model.firms_state.stage
    moved = before != now
    out: dict[str, int] = {}
    for a, b in zip(before[moved], now[moved]):
        key = f"{stage_name(STAGES[a], lang)} → {stage_name(STAGES[b], lang)}"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


@solara.component
def FirmStages(model: ScenarioRun):
    """The firms, by province and stage, and which of them changed in the last quarter."""
    stepped.get()
    lang = explorer.lang.value
    t = lambda key, **kw: tr(key, lang, **kw)
    moved = transitions(model, lang)
    changed = model.stage_before != model.firms_state.stage
    # The Mesa agent views of the firms that changed: what a modeller would inspect.
    agents = model.firms.select(lambda a: changed[a.idx], at_most=SAMPLE_ROWS) if changed.any() else []
    name = explorer.shown_title(model.scenario_name, lang)
    solara.FigureMatplotlib(stage_figure(model, lang, name), format="png", dependencies=[model, model.t, lang])
    if moved:
        solara.Text(t("sr_changes", items="; ".join(f"{k}: {fmt_number(v, 'firms', False, lang)}"
                                                    for k, v in moved.items())))
    if agents:
        rows = "".join(f"<tr><td>{a.idx}</td><td>{PROVINCE_NAMES[a.province]}</td><td>{sector_name(a.sector, lang)}</td>"
                       f"<td>{a.size_class}</td><td>{a.employees:.0f}</td>"
                       f"<td>{stage_name(STAGES[model.stage_before[a.idx]], lang)} → {stage_name(a.stage, lang)}</td>"
                       "</tr>" for a in agents)
        head = "".join(f"<th>{t(k)}</th>" for k in ("sr_firm_col", "sr_province_col", "sr_sector_col", "sr_size_col",
                                                    "sr_employees_col", "sr_stage_col"))
        solara.HTML(tag="table", unsafe_innerHTML=f"<tr>{head}</tr>{rows}", classes=["sr-table"])


def twin_of(model: ScenarioRun) -> ScenarioRun | None:
    """The same replication without policy (the scenario's counterfactual, same seed), or
    None when the scenario is the world without policy itself."""
    cf = load_counterfactual(model.scenario)
    return None if cf is None else ScenarioRun(cf, model.replication)


def _stage_counts(stages: np.ndarray, lang: str = "en") -> str:
    counts = np.bincount(stages, minlength=len(STAGES))
    return ", ".join(f"{stage_name(name, lang)} {fmt_number(n, 'firms', False, lang)}" for name, n in zip(STAGES, counts))


def firm_html(model: ScenarioRun, twin: ScenarioRun | None, i: int, lang: str = "en") -> str:
    """A firm, its stage with and without policy, and its peer neighbourhood."""
    f, pop = model.firms_state, model.pop
    t = lambda key, **kw: tr(key, lang, **kw)
    stage = lambda k: stage_name(STAGES[k], lang)
    peers = [] if pop.peers is None else pop.peers.indices[pop.peers.indptr[i]:pop.peers.indptr[i + 1]]
    without = t("sr_without", stage=stage(twin.firms_state.stage[i])) if twin is not None else ""
    q = int(f.adopted_t[i])
    adopted = {-1: t("sr_not_adopted"), -2: t("sr_adopted_before")}.get(
        q, t("sr_adopted_in", quarter=quarter_label(model.quarters[q], lang)) if 0 <= q < len(model.quarters) else "")
    rows = "".join(f"<tr><td>{j}</td><td>{PROVINCE_NAMES[PROVINCES[pop.province[j]]]}</td>"
                   f"<td>{stage(f.stage[j])}</td></tr>" for j in peers[:SAMPLE_ROWS])
    head = "".join(f"<th>{t(k)}</th>" for k in ("sr_peer_col", "sr_province_col", "sr_stage_col"))
    return ('<div data-testid="firm">' + t(
        "sr_firm", i=i, where=PROVINCE_NAMES[PROVINCES[pop.province[i]]], employees=f"{f.employees[i]:.0f}",
        stage=stage(f.stage[i]), without=without, adopted=adopted,
        fieldlab=t("sr_in_fieldlab") if f.fieldlab_experience[i] else t("sr_no_fieldlab")) + "<br>"
        + t("sr_peers", n=len(peers), counts=_stage_counts(f.stage[peers], lang) if len(peers) else t("sr_none"))
        + f'<table class="sr-table"><tr>{head}</tr>{rows}</table></div>')


def _instrument_cell(model: ScenarioRun, ins, lang: str) -> str:
    """A table cell naming an instrument in words, its scenario-file name on hover."""
    year = lambda step: int(model.quarters[min(max(step, 0), model.n_steps - 1)][:4])
    return f'<td title="{html.escape(ins.name)}">{instrument_label(ins.kind, year(ins.start), year(ins.end), lang)}</td>'


def fieldlabs_hubs_html(model: ScenarioRun, lang: str = "en") -> str:
    """Open fieldlabs with their member firms, and the hubs with their budget left."""
    fl = model.policy.fieldlabs
    open_now = set(np.atleast_1d(getattr(model, "open_fieldlabs", [])).tolist())
    members = np.bincount(model.firms_state.fieldlab[model.firms_state.fieldlab >= 0], minlength=fl.n)
    rows = "".join(f"<tr>{_instrument_cell(model, model.policy.instruments[fl.instrument[k]], lang)}"
                   f"<td>{PROVINCE_NAMES[PROVINCES[fl.province[k]]]}</td><td>{fl.capacity_q[k] * 4:g}</td>"
                   f"<td>{members[k]:,}</td></tr>" for k in sorted(open_now))
    hubs = "".join(f"<tr>{_instrument_cell(model, ins, lang)}"
                   f"<td>{', '.join(PROVINCE_NAMES[p] for p, on in zip(PROVINCES, ins.provinces) if on)}</td>"
                   f"<td>{fmt_number(float(ins.left), 'EUR', signed=False, lang=lang)}</td></tr>"
                   for _, ins in model.policy.of_kind("hub_outreach"))
    t = lambda key, **kw: tr(key, lang, **kw)
    head = lambda *keys: "".join(f"<th>{t(k)}</th>" for k in keys)
    return (f'<div data-testid="fieldlabs"><b>{t("sr_open_fieldlabs", n=len(open_now))}</b> {t("sr_of", n=fl.n)}'
            f'<table class="sr-table"><tr>{head("sr_fieldlab_col", "sr_province_col", "sr_capacity_col", "sr_members_col")}'
            f'</tr>{rows}</table></div>'
            f'<div data-testid="hubs"><b>{t("sr_hubs")}</b><table class="sr-table"><tr>'
            f'{head("sr_hub_col", "sr_provinces_col", "sr_budget_left_col")}</tr>{hubs}</table></div>')


def twin_html(model: ScenarioRun, twin: ScenarioRun | None, lang: str = "en") -> str:
    if twin is None:
        return f"<p>{tr('sr_twin_none', lang)}</p>"
    a, b = model.firms_state, twin.firms_state
    rate = lambda f: fmt_number(float((f.stage == 3).mean()) * 100, "%", False, lang)
    jobs = lambda v, signed=False: fmt_number(float(v), "jobs", signed, lang)
    return ('<p data-testid="twin">' + tr(
        "sr_twin", lang, quarter=model.quarter(lang), with_rate=rate(a), without_rate=rate(b),
        with_jobs=jobs(a.employees.sum()), without_jobs=jobs(b.employees.sum()),
        diff=jobs(a.employees.sum() - b.employees.sum(), True)) + "</p>")


firm = solara.reactive(0)


@solara.component
def AgentsView(model: ScenarioRun):
    """The agent-based part: one firm and its peers, fieldlabs with members, hubs, and the same
    run without policy stepped alongside."""
    stepped.get()
    lang = explorer.lang.value
    twin = solara.use_memo(lambda: twin_of(model), [model])
    solara.use_effect(lambda: (lambda: twin is not None and forget(twin)), [twin])
    while twin is not None and twin.t < model.t:
        twin.step()
    solara.HTML(tag="div", unsafe_innerHTML=twin_html(model, twin, lang))
    solara.InputInt(tr("sr_follow", lang), value=firm.value,
                    on_value=lambda v: firm.set(min(max(int(v), 0), model.n - 1)))
    solara.HTML(tag="div", unsafe_innerHTML=firm_html(model, twin, min(firm.value, model.n - 1), lang))
    solara.HTML(tag="div", unsafe_innerHTML=fieldlabs_hubs_html(model, lang))


# The model's DataCollector series over the quarters stepped: (key of the title in viz/words.py,
# [(series, key of its label, colour, scale)]). Drawn here rather than by Mesa's plot component,
# whose legend and axis are its series' names and "Step", in English.
PLOTS = (("ch_adoption", [("adoption_rate", "s_with", POLICY_COLOUR, 100.0)]),
         ("ch_jobs", [("jobs_created", "s_created", CREATED, 1.0), ("jobs_lost", "s_lost", LOST, 1.0)]))


@solara.component
def SeriesPlot(model: ScenarioRun, title: str, series: list):
    stepped.get()
    lang = explorer.lang.value
    df = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(4.8, 2.6), dpi=100, layout="constrained")
    ax = fig.subplots()
    every = _years(model.quarters)
    x = every[: len(df)]
    for metric, label, colour, scale in series:
        ax.plot(x, df[metric].to_numpy() * scale if len(df) else [], color=colour, label=tr(label, lang))
    ax.set_title(tr(title, lang, where=tr("in_netherlands", lang)), fontsize=9)
    ax.set_xlabel(tr("r_year", lang), fontsize=8)
    ax.set_xlim(every[0], every[-1])  # the whole horizon, stepped or not
    ax.tick_params(labelsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(series) > 1:
        ax.legend(fontsize=8, frameon=False)
    solara.FigureMatplotlib(fig, format="png", dependencies=[model, model.t, lang])


def forget(model: ScenarioRun) -> None:
    """Let a model that made Mesa agents be freed: Mesa 3.3 keeps a counter per model in the
    class attribute Agent._ids (mesa issue #3179), which holds every such model for the life of
    the server. Called when Reset replaces a model and when the page closes."""
    Agent._ids.pop(model, None)


PLAY_INTERVAL_MS = 200  # between quarters while playing


@solara.component
def RunControls(model: ScenarioRun, replication: solara.Reactive, on_reset, start: str, dev: bool):
    """Reset, play or pause, step, and the replication, in the page's language. Mesa's
    SolaraViz gave these in English only, with its developer controls (threads, render and play
    intervals) in the way; `dev` (dev=1 in the link) shows the two intervals."""
    lang = explorer.lang.value
    t = lambda key, **kw: tr(key, lang, **kw)
    playing = solara.use_reactive(False)
    per_click = solara.use_reactive(1)
    play_ms = solara.use_reactive(PLAY_INTERVAL_MS)

    def advance(steps: int) -> None:
        for _ in range(steps):
            if not model.running:
                break
            model.step()
        stepped.value += 1

    def play():
        while playing.value and model.running:
            time.sleep(play_ms.value / 1000)
            if playing.value:
                advance(per_click.value)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value, model], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        on_reset()

    with solara.Card(t("sr_controls")):
        with solara.Row(justify="space-between", classes=["sr-run-controls"]):
            solara.Button(t("sr_reset"), color="primary", on_click=reset)
            solara.Button(t("sr_pause") if playing.value else t("sr_play"), color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=not model.running)
            solara.Button(t("sr_step"), color="primary", on_click=lambda: advance(per_click.value),
                          disabled=playing.value or not model.running)
        solara.SliderInt(f'{t("sr_replication")}: {replication.value}', value=replication, min=0,
                         max=explorer.MAX_REPLICATIONS - 1)
        solara.Text(t("sr_reset_note", start=quarter_label(start, lang)), classes=["sr-note"])
        if dev:
            solara.SliderInt(t("sr_render_interval"), value=per_click, min=1, max=100, step=2)
            solara.SliderInt(t("sr_play_interval"), value=play_ms, min=1, max=500, step=10)
        StepCount(model)


@solara.component
def StepCount(model: ScenarioRun):
    stepped.get()
    lang = explorer.lang.value
    solara.Text(tr("sr_steps", lang, n=model.steps))
    solara.Text(tr("sr_at", lang, quarter=model.quarter(lang)), classes=["sr-note"])


@solara.component
def Page():
    scenario = explorer.edited.value[0] or explorer.base.value
    replication = solara.use_reactive(0)  # the one Reset builds
    resets = solara.use_reactive(0)
    # The one model of the session: built again on Reset or a new scenario, and nothing else keeps
    # the old one (a model kept for the first render stayed alive beside every later one).
    model = solara.use_memo(lambda: ScenarioRun(scenario, replication.value), [scenario.content_hash(), resets.value])
    solara.use_effect(lambda: lambda: forget(model), [model])
    dev = "dev=1" in (solara.use_router().search or "").split("&")
    lang = explorer.lang.value
    solara.Style(TABLE_CSS)
    with solara.Sidebar():
        RunControls(model, replication, lambda: resets.set(resets.value + 1), scenario.horizon.start, dev)
    solara.Text(tr("sr_name", lang, name=explorer.shown_title(scenario.name, lang)),
                classes=["sr-title"], style={"font-size": "20px", "font-weight": "bold"})
    with solara.Columns([7, 4]):
        FirmStages(model)
        with solara.Column():
            AgentsView(model)
            for title, series in PLOTS:
                SeriesPlot(model, title, series)
