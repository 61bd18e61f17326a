"""The explorer page: pick or upload a scenario, move levers, see regions respond.

State lives in reactive variables (one set per browser session). The edited scenario is
`levers.apply(...)` of them; a background task (`solara.lab.use_task`) computes its ensemble
through viz.compute while the page keeps showing the previous results, so the page never
freezes. A newer edit makes the running task stale: it stops handing out work.
"""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import solara
import solara.lab
from solara.server import kernel_context

from smartregion.model.params import PARAMS
from smartregion.model.regions import HUBS, PROVINCE_NAMES, PROVINCES
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
from . import link
from .compute import Computed, Outcome, Runner, compute, parameterisation_of
from .views import MAP_METRICS, TABLE_CSS, decomposition_html, map_values, province_table_html, series_svgs, tile_map_svg
from .words import (
    DEFAULT_LANG,
    LANGS,
    PARAMETER_HELP,
    fmt_band,
    fmt_number,
    glossary_html,
    parameter_name,
    pick,
    quarter_label,
    region_name,
    scenario_description,
    scenario_title,
    tr,
    unit_name,
)

DEFAULT_SCENARIO = "baseline"
# Replications the page starts with, and below which it calls a band indicative: measured with
# `python -m viz.band_stability` (docs/DASHBOARD.md, "How many runs"): the 5-95% band of 20 runs
# covers 84% of outcomes on average (75% in the worst tenth of draws), of 12 runs 79% (67%),
# of 4 runs 55% (30%).
DEFAULT_REPLICATIONS = 20
INDICATIVE_BELOW = 12
MAX_REPLICATIONS = 50  # per request: a heavy request is bounded, and shares the workers fairly
# A dragged slider sends many values: a change that comes within this long of the one before
# waits this long for the next, so that only the last value is computed. A lone change (a click,
# a key) starts at once.
DEBOUNCE_S = 0.1


def debounce_wait(now: float, previous: float) -> float:
    """Seconds a change at `now` waits for a next one, the change before it at `previous`."""
    return DEBOUNCE_S if now - previous < DEBOUNCE_S else 0.0


# The progress bar moves at most this often. Each move redraws part of the page in the server,
# about 20 ms of the CPU the replications need (py-spy of a lever move: one move per finished
# replication cost the server 0.4 s of CPU per 20 replications, on 2 cores shared with the workers).
PROGRESS_EVERY_S = 0.25


def progress_due(now: float, last: float, done: int, total: int) -> bool:
    """Whether the progress bar moves for `done` of `total` replications at `now` (it last moved,
    or the computation started, at `last`). Not in the first PROGRESS_EVERY_S, which the first
    numbers usually beat, nor at the end, which replaces the bar with the numbers."""
    return done < total and now - last >= PROGRESS_EVERY_S

RUNNER = Runner()  # worker processes and result cache, shared by all sessions of this server


def _uncertain_values(s) -> dict[str, float]:
    values = s.parameter_values()
    return {k: values[k] for k in lv.UNCERTAIN}


_first = load_scenario(SCENARIO_DIR / f"{DEFAULT_SCENARIO}.yaml")
base = solara.reactive(_first)  # the scenario as picked or uploaded, before any edit
base_label = solara.reactive(DEFAULT_SCENARIO)
# Shown until the next load: (key of the words around it or None, the one line). A ScenarioError's
# line is the command line's own, in English (it quotes the file's keys and values and can be
# looked up); the page frames it in its language.
load_error = solara.reactive(None)
pasted = solara.reactive("")
levers = solara.reactive(lv.Levers())
parameters = solara.reactive(_uncertain_values(_first))
replications = solara.reactive(DEFAULT_REPLICATIONS)
seed = solara.reactive(_first.seed)
# Which comparison the page shows: "levers" (what the levers add on top of the scenario, the
# default) or "scenario" (the scenario with the levers against the world without policy).
comparison = solara.reactive("levers")
show_levels = solara.reactive(False)
lang = solara.reactive(DEFAULT_LANG)  # "nl" or "en" (viz/words.py says why Dutch first)
REGIONS = ("NL",) + PROVINCES
region = solara.reactive("NL")  # the region the headline, sentence and charts are for
map_metric = solara.reactive("m_net_jobs")  # a key of views.MAP_METRICS
map_quarter = solara.reactive(-1)  # index into the quarters; -1: the last
on_screen = solara.reactive(None)  # the Outcome shown; replaced when a newer one is complete


@solara.lab.computed
def edited():
    """(scenario with the dashboard's edits, the same without the levers, None) or (None,
    None, the one-line error)."""
    try:
        args = parameters.value, replications.value, seed.value
        return (lv.apply(base.value, levers.value, *args), lv.apply(base.value, lv.Levers(), *args), None)
    except ScenarioError as e:
        return None, None, str(e)


def exported(o: Outcome):
    """The scenario file that reproduces the comparison on screen through `run.py run`."""
    return lv.apply(base.value, levers.value, parameters.value, o.scenario.replications, o.scenario.seed,
                    against_base=o.comparison == "levers")


def choose_scenario(s, label: str) -> None:
    """Make `s` the base: levers back to neutral, parameters and seed as the scenario has them."""
    base.set(s)
    base_label.set(label)
    load_error.set(None)
    levers.set(lv.Levers())
    parameters.set(_uncertain_values(s))
    seed.set(s.seed)


def apply_query(search: str | None) -> None:
    """Restore the state a shareable link (viz/link.py) carries."""
    state, bad = link.decode(search, MAX_REPLICATIONS)
    if "scenario" in state:
        choose_scenario(load_scenario(SCENARIO_DIR / f"{state['scenario']}.yaml"), state["scenario"])
    if "levers" in state:
        levers.set(state["levers"])
    if "parameters" in state:
        parameters.set({**parameters.value, **state["parameters"]})
    for key, var in (("replications", replications), ("seed", seed), ("comparison", comparison), ("lang", lang)):
        if key in state:
            var.set(state[key])
    if bad:
        load_error.set((None, tr("bad_link", lang.value, keys=", ".join(bad))))


def report(o: Outcome, s, command: str, language: str) -> bytes:
    """The report PNG of the view on screen (viz/report_png.py), in the page's language."""
    from .report_png import report_png

    where = region.value
    strip = lambda h: html.unescape(re.sub(r"<[^>]+>", "", h))
    shipped = is_shipped()
    description = scenario_description(base.value.name if shipped else "", base.value.description, language)
    scale = f"{s.population.scale:g}".replace(".", "," if language == "nl" else ".")
    settings = (tr("r_settings", language, title=scenario_title(base.value.name, language, shipped),
                   description=" ".join(description.split()), seed=s.seed, n=s.replications, scale=scale)
                + " " + strip(band_note(o, language)))
    return report_png(o, title_of(o, base.value.name, counterfactual_name(), language, shipped),
                      strip(decomposition_html(o, where, SUBJECTS[o.comparison], language)), settings, command,
                      where, language)


def summary_csv(o: Outcome, par=None) -> str:
    """summary.csv as `run.py run` writes it for the exported scenario: the summary, which
    parameters ran and each band's parameter share (calibration/parameterisation.py, the
    command line's own function). `par`: what ran, if not what the page runs."""
    from smartregion.calibration.parameterisation import annotate_summary
    from smartregion.model.results import final_values

    cf = final_values(o.results, "counterfactual") if o.has_counterfactual else None
    summary = annotate_summary(o.summary, par or parameterisation_of(o.scenario), final_values(o.results, "policy"),
                               cf)
    return summary.to_csv(index=False, lineterminator="\n")


def share_query(o: Outcome) -> str | None:
    shipped = base_label.value if not base_label.value.startswith("uploaded") else None
    overrides = {k: v for k, v in parameters.value.items() if v != _uncertain_values(base.value)[k]}
    return link.encode(shipped, levers.value, overrides, o.scenario.replications, o.scenario.seed,
                       comparison.value, lang.value)


# Every session shares the worker pool: an upload may not ask for more than the whole Dutch
# economy (the command line takes up to 50 times that).
MAX_UPLOAD_SCALE = 1.0


def load_text(text: str | bytes, file: str) -> None:
    """A scenario from an upload or a paste. Its errors are the command line's own one-line
    messages (model/scenario/messages.py), in English on either page: they quote keys and
    values of the file, and a user can search for them."""
    try:
        s = scenario_from_yaml_text(text, file)
    except ScenarioError as e:
        load_error.set(("load_refused", str(e)))
        return
    if s.population.scale > MAX_UPLOAD_SCALE:
        load_error.set((None, tr("too_big_scale", lang.value, file=file, scale=f"{s.population.scale:g}",
                                 most=f"{MAX_UPLOAD_SCALE:g}")))
        return
    choose_scenario(s, f"uploaded: {file}")


# --- sidebar ----------------------------------------------------------------------------------


@solara.component_vue("file_pick.vue")
def FilePick(label: str, max_bytes: int, event_pick: Callable[[dict], None]):
    """A file picker (see the .vue file): keyboard and screen-reader users cannot drag."""


def picked(f: dict) -> None:
    # A file over the limit is not read in the browser: stand in the first byte too many, so that
    # the scenario reader gives its usual one-line refusal.
    load_text(f["text"] if f["size"] <= MAX_FILE_BYTES else "#" * (MAX_FILE_BYTES + 1), f["name"])


@solara.component
def ReaderError(frame: str | None, message: str, classes=()):
    """An error line; a scenario reader's (English) line inside the words of `frame`, marked as
    English for screen readers."""
    with solara.Error(icon=True, dense=True, classes=list(classes)):
        if frame is None:
            solara.Text(message)
        else:
            solara.HTML(tag="div", unsafe_innerHTML=(
                f'{html.escape(tr(frame, lang.value))} <code class="sr-reader-line" lang="en">'
                f'{html.escape(message)}</code>'))


@solara.component
def ScenarioPicker():
    names = solara.use_memo(lambda: [n for n, _ in list_scenarios()], [])
    shipped = base_label.value if base_label.value in names else None
    titles = {scenario_title(n, lang.value): n for n in names}

    def pick(title):
        name = titles[title]
        choose_scenario(load_scenario(SCENARIO_DIR / f"{name}.yaml"), name)

    t = lambda key, **kw: tr(key, lang.value, **kw)
    with solara.Card(t("scenario")):
        solara.Select(t("shipped_scenario"), values=list(titles),
                      value=scenario_title(shipped, lang.value) if shipped else None, on_value=pick)
        if shipped is None:
            label = base_label.value.removeprefix("uploaded: ")
            solara.Text(t("using", label=t("uploaded", file=label) if label != base_label.value else label),
                        style={"font-weight": "bold"})
        solara.Text(scenario_description(shipped or "", base.value.description, lang.value),
                    style={"font-size": "13px", "white-space": "pre-line"})
        if shipped is not None:  # the name the command line takes
            solara.Text(t("file_of", file=f"scenarios/{shipped}.yaml"), classes=["sr-note"],
                        style={"display": "block", "color": "#666"})
        with solara.Details(t("upload_or_paste")):
            solara.FileDrop(label=t("drop_here"), lazy=True,
                            on_file=lambda f: load_text(f["file_obj"].read(MAX_FILE_BYTES + 1), f["name"]))
            FilePick(label=t("choose_file"), max_bytes=MAX_FILE_BYTES, event_pick=picked)
            solara.InputTextArea(t("paste_yaml"), value=pasted, rows=6, continuous_update=True)
            solara.Button(t("use_pasted"), on_click=lambda: load_text(pasted.value, t("pasted_yaml")),
                          color="primary", outlined=True)
        if load_error.value:
            ReaderError(*load_error.value, classes=["sr-load-error"])


def _set_lever(**change):
    levers.set(replace(levers.value, **change))


@solara.component
def Lever(name: str, label: str, value, on_value, lo, hi, step=1, shown: str | None = None, integer=False,
          disabled: bool = False, why: str = "", hover: str = ""):
    """A slider with its label and current value on a line above it (the sidebar is narrow);
    `name` marks it for tests (data-lever); `disabled` with `why` says what it waits for;
    `hover` is shown on pointing at the label (a technical name)."""
    slider = solara.SliderInt if integer else solara.SliderFloat
    text = f"{label}: {shown if shown is not None else value}"
    with solara.Div(attributes={"data-lever": name, "title": hover or label}):
        # The label is the slider's own (Vuetify ties it to the slider as its accessible name); the
        # CSS puts it on a line of its own above the track.
        slider(text, value=value, min=lo, max=hi, step=step, on_value=on_value, thumb_label=False,
               disabled=disabled)
        if disabled and why:
            solara.Text(why, classes=["sr-note", "sr-why"])


fieldlab_province = solara.reactive("GR")  # the province whose fieldlabs the sliders edit


def _names(codes) -> str:
    return ", ".join(PROVINCE_NAMES[p] for p in codes)


@solara.component
def Years(name: str, years, on_value, first: int, last: int):
    """A lever's active years (a range slider); None stands for first..last."""
    value = years if years is not None else (first, last)
    with solara.Div(attributes={"data-lever": name}):
        solara.SliderRangeInt(tr("active_years", lang.value, first=value[0], last=value[1]), value=value, min=first, max=last, thumb_label=False,
                              on_value=lambda v: on_value(None if tuple(v) == (first, last) else tuple(v)))


@solara.component
def ProvincePicker(label: str, chosen, on_value):
    names = [PROVINCE_NAMES[p] for p in PROVINCES]
    solara.SelectMultiple(label, values=[PROVINCE_NAMES[p] for p in chosen], all_values=names, dense=True,
                          on_value=lambda v: on_value(tuple(p for p in PROVINCES if PROVINCE_NAMES[p] in v)))


@solara.component
def LeverControls():
    s, lev, language = base.value, levers.value, lang.value
    t = lambda key, **kw: tr(key, language, **kw)
    num = lambda v: fmt_number(v, "kEUR/worker", signed=False, lang=language).rstrip("0").rstrip(",.")
    if not lv.levers_possible(s):
        with solara.Card(t("levers")):
            solara.Info(t("no_room", start=quarter_label(lv.LEVER_START, language)))
        return
    first, last = int(lv.LEVER_START[:4]), int(s.horizon.end[:4])
    with solara.Card(t("levers"), subtitle=t("levers_sub")):
        # Fieldlabs: count and capacity per province, one province at a time.
        p = fieldlab_province.value
        i = PROVINCES.index(p)
        solara.Select(t("fieldlabs_in"), values=[PROVINCE_NAMES[q] for q in PROVINCES],
                      value=PROVINCE_NAMES[p],
                      on_value=lambda name: fieldlab_province.set(next(q for q in PROVINCES if PROVINCE_NAMES[q] == name)))
        Lever("fieldlabs", t("new_fieldlabs", where=PROVINCE_NAMES[p]), lev.fieldlabs[i],
              lambda v: levers.set(levers.value.with_fieldlabs(p, v)), 0, 10, integer=True)
        cap = PARAMS["fieldlab_capacity"]
        Lever("fieldlab_capacity", t("capacity", where=PROVINCE_NAMES[p]), lev.fieldlab_capacity[i],
              lambda v: levers.set(levers.value.with_capacity(p, v)), *cap.plausible,
              shown=num(lev.fieldlab_capacity[i]), disabled=lev.fieldlabs[i] == 0, why=t("capacity_why"))
        added = [q for q, n in zip(PROVINCES, lev.fieldlabs) if n]
        if added:
            solara.Text(t("added", items="; ".join(
                t("added_item", where=PROVINCE_NAMES[q], n=lev.fieldlabs[PROVINCES.index(q)],
                  cap=num(lev.fieldlab_capacity[PROVINCES.index(q)])) for q in added)), classes=["sr-note"])
            Years("fieldlab_years", lev.fieldlab_years, lambda v: _set_lever(fieldlab_years=v), first, last)
        solara.Text(t("fieldlab_cost", meur=num(lv.FIELDLAB_EUR_PER_YEAR / 1e6)), classes=["sr-note"])
        # Outreach per hub region.
        for hub, meur in zip(lv.HUB_REGIONS, lev.hub_meur):
            Lever(f"outreach_{hub}", t("outreach", hub=lv.HUB_LABELS[hub], provinces=_names(HUBS[hub])), meur,
                  lambda v, hub=hub: levers.set(levers.value.with_outreach(hub, v)), 0, 5, 0.25, shown=num(meur))
        if any(lev.hub_meur):
            Years("outreach_years", lev.outreach_years, lambda v: _set_lever(outreach_years=v), first, last)
        # Subsidy: a rate acts only with a budget, so the rate waits for one.
        Lever("subsidy_meur_per_year", t("subsidy_budget"), lev.subsidy_meur_per_year,
              lambda v: _set_lever(subsidy_meur_per_year=v), 0, 50, shown=num(lev.subsidy_meur_per_year))
        Lever("subsidy_rate", t("subsidy_rate"), lev.subsidy_rate,
              lambda v: _set_lever(subsidy_rate=v), 0, 0.5, 0.05, shown=f"{lev.subsidy_rate:.0%}",
              disabled=lev.subsidy_meur_per_year == 0, why=t("subsidy_rate_why"))
        if lev.subsidy_meur_per_year and not lev.subsidy_rate:
            solara.Text(t("subsidy_needs_rate"), classes=["sr-note"])
        if lev.subsidy_meur_per_year:
            ProvincePicker(t("subsidy_only"), lev.subsidy_provinces, lambda v: _set_lever(subsidy_provinces=v))
            Years("subsidy_years", lev.subsidy_years, lambda v: _set_lever(subsidy_years=v), first, last)
        Lever("training_meur_per_year", t("training_budget"), lev.training_meur_per_year,
              lambda v: _set_lever(training_meur_per_year=v), 0, 50, shown=num(lev.training_meur_per_year))
        if lev.training_meur_per_year:
            ProvincePicker(t("training_only"), lev.training_provinces, lambda v: _set_lever(training_provinces=v))
            Years("training_years", lev.training_years, lambda v: _set_lever(training_years=v), first, last)
        Lever("end_year", t("end_year"), lev.end_year or last,
              lambda v: _set_lever(end_year=None if v == last else v), first, last, integer=True)
        solara.Button(t("reset_levers"), on_click=lambda: levers.set(lv.Levers()), text=True)


@solara.component
def UncertaintyControls():
    with solara.Card(tr("uncertain", lang.value), subtitle=tr("uncertain_sub", lang.value)):
        for name in lv.UNCERTAIN:
            p = PARAMS[name]
            lo, hi = p.plausible
            value = parameters.value[name]
            shown = f"{value:.4g}".replace(".", "," if lang.value == "nl" else ".")
            Lever(name, f"{parameter_name(name, lang.value)} ({unit_name(p.unit, lang.value)})", value,
                  lambda v, name=name: parameters.set({**parameters.value, name: v}), lo, hi,
                  round((hi - lo) / 40, 6), shown=shown, hover=f"{name} (model/params.py)")
            solara.Text(pick(PARAMETER_HELP[name], lang.value), style={"font-size": "11px", "color": "#666"})
        Lever("replications", tr("replications", lang.value), replications.value, replications.set, 1,
              MAX_REPLICATIONS, integer=True)
        solara.InputInt(tr("seed", lang.value), value=seed)


@solara.component
def Export(computed: Computed | None):
    t = lambda key: tr(key, lang.value)
    with solara.Card(t("export"), subtitle=t("export_sub")):
        if computed is None:
            solara.Text(t("waiting"))
            return
        o = computed.view(comparison.value)
        if o.comparison == "levers" and not base.value.source_file:
            # A file cannot name an uploaded scenario as its counterfactual: export what it can rerun.
            o = computed.view("scenario")
            solara.Text(t("upload_export_note"), classes=["sr-note"])
        s = exported(o)
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", s.name)  # the name comes from a file anyone may upload
        solara.FileDownload(lambda: to_yaml(s), filename=f"{stem}.yaml", label=t("dl_yaml"))
        solara.FileDownload(lambda: summary_csv(o), filename=f"{stem}_summary.csv",
                            label=t("dl_csv"))
        command = (f"python run.py run {stem}.yaml --out results/{stem} --seed {s.seed} "
                   f"--replications {s.replications}")
        if o.has_counterfactual:
            solara.FileDownload(lambda: report(o, s, command, lang.value), filename=f"{stem}_report.png",
                                label=t("dl_report"))
        query = share_query(o)
        if query is None:
            solara.Text(t("no_link"), classes=["sr-note"])
        else:
            solara.HTML(tag="a", unsafe_innerHTML=t("share_link"),
                        attributes={"href": f"?{query}", "data-testid": "share-link", "target": "_blank"})
        solara.Text(t("rerun"))
        solara.Preformatted(command, style_="white-space: pre-wrap; font-size: 12px")


# --- main area --------------------------------------------------------------------------------


CARDS = (  # (summary metric, key of the unit shown in viz/words.py, unit for formatting); label: tr(metric)
    ("net_jobs", "unit_jobs", "jobs"),
    ("jobs_created", "unit_jobs", "jobs"),
    ("jobs_lost", "unit_jobs", "jobs"),
    ("reshored_jobs", "unit_jobs", "jobs"),
    ("net_adopters", "unit_firms", "firms"),
    ("labour_productivity", "unit_productivity", "kEUR/worker"),
    ("extra_public_spend_eur", "unit_spend", "EUR"),
    ("cost_per_net_job_eur", "unit_cost_per_job", "EUR/job"),
)


def cost_card_text(r, lang: str = "en") -> str:
    """The cost-per-job card: a ratio only when money is spent and jobs are gained."""
    spend, jobs = r["extra_public_spend_eur"], r["net_jobs"]
    if abs(spend) < 500:
        return tr("no_extra_spending", lang)
    if spend < 0:
        return tr("saves", lang, eur=fmt_number(-spend, "EUR", False, lang))
    if jobs <= 0:
        return tr("unbounded", lang)
    return fmt_number(r["cost_per_net_job_eur"], "EUR/job", lang=lang)


def data_caveat(o: Outcome, metric: str, p5: float, p95: float, lang: str) -> str:
    """'Not pinned down by the data' under a headline number whose posterior-predictive spread is
    hardly narrower than the prior's, or whose band spans zero (calibration/predictive.py, the
    same rule as the terminal); '' otherwise."""
    from smartregion.calibration.predictive import OUTCOMES, load_spreads, why_not_pinned

    if metric not in OUTCOMES:
        return ""
    par = parameterisation_of(o.scenario)
    why = why_not_pinned(metric, p5, p95, load_spreads(par.posterior) if par.calibrated else None)
    if why is None:
        return ""
    words = tr({"spread": "not_pinned_spread", "zero": "not_pinned_zero", "unbounded": "not_pinned_unbounded"}[why]
               if par.calibrated else {"zero": "band_spans_zero", "unbounded": "band_unbounded"}[why], lang)
    return f'<div class="sr-caveat" data-testid="not-pinned">{words}</div>'


def headline_html(o: Outcome, region: str = "NL", language: str = "en") -> str:
    s = o.summary_rows[region]
    cards = []
    for metric, unit, fmt_unit in CARDS:
        r = s[metric]
        if metric == "cost_per_net_job_eur":
            value = cost_card_text({m: row["difference"] for m, row in s.items()}, language)
            is_ratio = value == fmt_number(r["difference"], fmt_unit, lang=language)
            band = (fmt_band(r["difference_p5"], r["difference_p95"], fmt_unit, language)
                    if is_ratio else tr("see_sentence", language))
        else:
            value = fmt_number(r["difference"], fmt_unit, lang=language)
            band = fmt_band(r["difference_p5"], r["difference_p95"], fmt_unit, language)
        caveat = data_caveat(o, metric, r["difference_p5"], r["difference_p95"], language)
        cards.append(f'<div class="sr-card" data-metric="{metric}"><div class="sr-label">{tr(metric, language)}</div>'
                     f'<div class="sr-value">{value}</div><div class="sr-unit">{tr(unit, language)}</div>'
                     f'<div class="sr-band">{tr("band", language)}: {band}</div>{caveat}</div>')
    return f'<div class="sr-cards" data-testid="headline">{"".join(cards)}</div>'


CSS = TABLE_CSS + """
.sr-cards {display: flex; flex-wrap: wrap; gap: 8px;}
.sr-card {border: 1px solid #ccc; border-radius: 6px; padding: 6px 10px; min-width: 150px;}
.sr-label {font-size: 12px; color: #444;}
.sr-value {font-size: 22px; font-weight: bold;}
.sr-unit {font-size: 11px; color: #444;}
.sr-band {font-size: 11px; color: #555;}
.sr-caveat {font-size: 11px; color: #8a4b00; max-width: 180px;}
.sr-charts {display: grid; grid-template-columns: repeat(auto-fill, 500px); gap: 8px;}
.sr-title {font-size: 20px; font-weight: bold; display: block; margin: 8px 0;}
.sr-lever-label {font-size: 13px; display: block; margin-top: 4px;}
[data-lever] .v-input__details {display: none;}
[data-lever] .v-input--horizontal {grid-template-areas: "prepend" "control"; grid-template-columns: 100%;}
[data-lever] .v-input__prepend {margin: 6px 0 -8px 0;}
[data-lever] .v-slider .v-label, [data-lever] .v-input__prepend .v-label {font-size: 13px; opacity: 1; color: #222;
  white-space: normal;}
[data-lever] .v-slider.v-input--horizontal {margin-inline: 0;}
.sr-note {font-size: 12.5px; color: #333;}
.sr-intro {max-width: 900px; font-size: 13.5px; flex: 1 1 0; min-width: 0;}
.sr-lang {flex: none;}
.sr-glossary dt {font-weight: bold;} .sr-glossary dd {margin: 0 0 4px 12px;}
.sr-indicative {background: #fff3cd; border: 1px solid #c9a227; padding: 2px 6px; border-radius: 4px;}
/* Controls that do not move: a slider's thumb and track, the ripple of a press and the
   progress bar change at once. */
.v-slider *, .v-ripple__container, .v-ripple__animation, .v-progress-linear, .v-progress-linear * {
  transition: none !important; animation: none !important;}
/* A view being recomputed says so where it is, not only at the top of the page: a veil over it
   and a label. */
.sr-stale {position: relative;}
.sr-stale::after {content: ""; position: absolute; inset: 0; z-index: 1; pointer-events: none;
  background: rgba(255, 255, 255, 0.45);}
.sr-stale::before {content: attr(data-stale-label); position: absolute; top: 4px; right: 4px; z-index: 2;
  background: #0072B2; color: white; font-size: 12px; padding: 2px 8px; border-radius: 10px; opacity: 1;}
"""

SUBJECTS = {"levers": "subject_levers", "scenario": "subject_scenario", "levels": "subject_plain",
            "plain": "subject_plain"}  # keys of viz/words.py


def title_of(o: Outcome, base_name: str, counterfactual_name: str | None, lang: str = "en",
             shipped: bool = True) -> str:
    """The view's title, with the scenarios' names on the page (words.scenario_title); `shipped`:
    the base is a shipped file (an upload's name is shown as written)."""
    end = quarter_label(o.quarters[-1], lang)
    base = f"“{scenario_title(base_name, lang, shipped)}”"
    if o.comparison == "levers":
        return tr("title_levers", lang, base=base, end=end)
    if o.comparison == "scenario":
        with_levers = tr("with_your_levers", lang) if o.scenario.name == base_name + "_dashboard" else ""
        against = (tr("no_policy", lang) if counterfactual_name in (None, "no_policy")
                   else f"“{scenario_title(counterfactual_name, lang)}”")
        return tr("title_scenario", lang, base=base, with_levers=with_levers, against=against, end=end)
    return tr("title_levels", lang, base=base)


def counterfactual_name() -> str | None:
    """The file name of the counterfactual the scenario on screen names, if any."""
    plain = edited.value[1]
    return Path(plain.counterfactual).stem if plain is not None and plain.counterfactual else None


def is_shipped() -> bool:
    return not base_label.value.startswith("uploaded")


def shown_title(scenario_name: str, lang: str) -> str:
    """The name on the page of `scenario_name`: the base scenario's or the base with the levers."""
    name = f"“{scenario_title(base.value.name, lang, is_shipped())}”"
    return name + (tr("with_your_levers", lang) if scenario_name == base.value.name + "_dashboard" else "")


def band_note(o: Outcome, lang: str = "en") -> str:
    n, par = o.replications, parameterisation_of(o.scenario)
    words = (tr("band_note_calibrated", lang, n=n, draws=par.draws) if par.calibrated
             else tr("band_note", lang, n=n))
    if n < INDICATIVE_BELOW:
        words += (' <span class="sr-indicative" data-testid="indicative">'
                  f'{tr("indicative", lang, n=n, least=INDICATIVE_BELOW)}</span>')
    return words


def _stale(pending: bool) -> dict:
    return {"classes": ["sr-stale"] if pending else [], "attributes": {"data-stale-label": tr("recomputing", lang.value)}}


@solara.component
def ComparisonSwitch(computed: Computed):
    has_levers = computed.available("levers")
    has_cf = computed.available("scenario")
    labels = {"levers": tr("cmp_levers", lang.value), "scenario": tr("cmp_scenario", lang.value)}
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        with solara.ToggleButtonsSingle(value=comparison, classes=["sr-comparison"]):
            for v, text in labels.items():
                if v != "scenario" or has_cf:
                    solara.Button(text, value=v, text=True, attributes={"data-comparison": v})
        if not has_levers and comparison.value == "levers":
            solara.Text(tr("nothing_yet", lang.value), classes=["sr-note"])


def _words(computed: Computed, o: Outcome, where: str, language: str) -> dict[str, str]:
    """The HTML of the results' sentences, cards, band note and province table."""
    out = {"band": band_note(o, language)}
    if o.has_counterfactual:
        subject = SUBJECTS["plain" if o.comparison == "scenario" and not computed.available("levers") else o.comparison]
        out |= {"decomposition": decomposition_html(o, where, subject, language),
                "headline": headline_html(o, where, language), "table": province_table_html(o, language)}
    return out


@solara.component
def Results(computed: Computed, pending: bool):
    o = computed.view(comparison.value)
    language = lang.value
    ComparisonSwitch(computed)
    solara.Text(title_of(o, base.value.name, counterfactual_name(), language, is_shipped()), classes=["sr-title"])
    names = {region_name(r, language): r for r in REGIONS}
    with solara.Row(style={"align-items": "center"}):
        solara.Select(tr("region", language), values=list(names), value=region_name(region.value, language),
                      on_value=lambda name: region.set(names[name]), style={"max-width": "220px"})
    where = region.value
    # The words, cards, table, charts and map are the costly part of a redraw: made again only
    # when what they show changes, not when a computation starts or ends (the page redraws to
    # say so) or, for all but the map, when the map's quarter moves.
    words = solara.use_memo(lambda: _words(computed, o, where, language), [computed, o.comparison, where, language])
    if o.has_counterfactual:
        with solara.Div(**_stale(pending)):
            solara.HTML(tag="div", unsafe_innerHTML=words["decomposition"], classes=["sr-note"])
            solara.HTML(tag="div", unsafe_innerHTML=words["headline"])
    solara.HTML(tag="div", unsafe_innerHTML=words["band"], classes=["sr-note"])
    charts = solara.use_memo(lambda: "".join(series_svgs(o, where, show_levels.value, language)),
                             [computed, o.comparison, where, show_levels.value, language])
    with solara.Div(**_stale(pending)):
        solara.Checkbox(label=tr("show_levels", language), value=show_levels)
        solara.HTML(tag="div", unsafe_innerHTML=charts, classes=["sr-charts"])
    metrics = list(MAP_METRICS) if o.has_counterfactual else ["m_adoption_rate"]
    n = len(o.quarters)
    q_index = map_quarter.value % n if map_quarter.value < n else n - 1  # a shorter horizon: its last quarter
    with solara.Div(style={"display": "flex", "flex-wrap": "wrap", "gap": "24px", "align-items": "flex-start"},
                    attributes={"data-testid": "map-table"}):
        with solara.Column(style={"width": "390px", "flex": "none"}):
            key = map_metric.value if map_metric.value in metrics else metrics[0]
            labels = {tr(m, language): m for m in metrics}
            solara.Select(tr("map_metric", language), values=list(labels), value=tr(key, language),
                          on_value=lambda label: map_metric.set(labels[label]))
            Lever("map_quarter", tr("quarter", language), q_index, map_quarter.set, 0, n - 1,
                  shown=quarter_label(o.quarters[q_index], language), integer=True)
            tiles = solara.use_memo(
                lambda: tile_map_svg(map_values(o, key, q_index), key, o.quarters[q_index], language),
                [computed, o.comparison, key, q_index, language])
            with solara.Div(**_stale(pending)):
                solara.HTML(tag="div", unsafe_innerHTML=tiles)
        with solara.Column(style={"flex": "1 1 560px", "overflow-x": "auto"}):
            if o.has_counterfactual:
                solara.Text(tr("table_note", language, end=quarter_label(o.quarters[-1], language),
                               subject=tr(SUBJECTS[o.comparison], language)), classes=["sr-note"])
                with solara.Div(**_stale(pending)):
                    solara.HTML(tag="div", unsafe_innerHTML=words["table"])


@solara.component_vue("aria_labels.vue")
def AriaLabels(controls_label: str, first_year: str, last_year: str):
    """Names every slider after its label, and the button that reopens the controls, for
    screen readers (see the .vue file)."""


@solara.component
def Progress(task):
    """The progress bar alone: it reads `task.progress`, so a finished replication re-renders
    this bar, not the page. The page re-rendered every chart, the map and the table once per
    replication, and a session computing 50 replications slowed every other session's pages
    (the server renders all sessions in one process)."""
    solara.ProgressLinear(task.progress if task.progress else True)


@solara.component
def Page():
    solara.Style(CSS)
    scenario, plain, error = edited.value
    key = scenario.content_hash() if scenario is not None else None
    last_change = solara.use_ref(-math.inf)  # time.monotonic() of the last change computed
    session = kernel_context.get_current_context()

    def wanted() -> bool:
        """This computation is still the session's latest, and its page is still open (a closed
        page's computation stops handing out replications instead of keeping the workers busy
        for the next visitor)."""
        return task.is_current() and not session.closed_event.is_set()

    def run():
        now, before = time.monotonic(), last_change.current
        last_change.current = now
        time.sleep(debounce_wait(now, before))
        if scenario is None or not wanted():
            return

        def show(c: Computed) -> None:
            if wanted():
                on_screen.set(c)

        moved = [time.monotonic()]  # when the progress bar last moved

        def progress(done: int, total: int) -> None:
            if progress_due(time.monotonic(), moved[0], done, total):
                moved[0] = time.monotonic()
                task.progress = 100 * done / total

        # The first replications' numbers go on screen as soon as there are some, marked as
        # such; the whole ensemble's replace them.
        c = compute(scenario, RUNNER, wanted, progress, plain=plain, on_first=show)
        if c is not None:
            show(c)

    task = solara.lab.use_task(run, dependencies=[key])
    computed = on_screen.value
    outcome = computed.view(comparison.value) if computed is not None else None
    shown = computed.scenario.content_hash() if computed is not None else ""

    with solara.Sidebar():
        ScenarioPicker()
        LeverControls()
        UncertaintyControls()
        Export(computed)

    with solara.Row(style={"align-items": "flex-start", "justify-content": "space-between"}):
        solara.Text(tr("intro", lang.value) + " " + tr("credits", lang.value), classes=["sr-note", "sr-intro"])
        with solara.ToggleButtonsSingle(value=lang, dense=True, classes=["sr-lang"]):
            for code, name in LANGS.items():  # each language named in itself: found by whoever reads it
                solara.Button(name, value=code, text=True, attributes={"data-lang": code, "lang": code})
    with solara.Details(tr("glossary", lang.value)):
        solara.HTML(tag="div", unsafe_innerHTML=glossary_html(lang.value), classes=["sr-note"])
    if error:
        ReaderError("scenario_error", error)
    elif task.error:  # e.g. a posterior the model code does not reproduce: its one line
        solara.Error(str(task.exception))
    # The content hashes of the scenario wanted and the one on screen (tests wait for them to agree).
    with solara.Div(attributes={"data-testid": "status", "data-wanted": key or "",
                                "data-shown": shown,
                                "data-comparison": outcome.comparison if outcome else "",
                                "data-base": base_label.value, "data-busy": "1" if task.pending else "0",
                                "data-seconds": f"{outcome.seconds:.3f}" if outcome else "",
                                "data-replications": str(outcome.replications) if outcome else ""}):
        if task.pending:
            Progress(task)
            if shown == key:  # the first replications of this setting are on screen
                solara.Text(tr("first_numbers", lang.value, k=outcome.replications, n=scenario.replications))
            else:
                solara.Text(tr("computing", lang.value, n=scenario.replications))
        elif outcome is not None:
            s = outcome.scenario
            seconds = f"{outcome.seconds:.1f}"
            solara.Text(tr("ready", lang.value, n=s.replications, total=outcome.arm_runs, new=outcome.new_runs,
                           seed=s.seed, scale="" if s.population.scale == 1 else f" x {s.population.scale:g}",
                           seconds=seconds.replace(".", ",") if lang.value == "nl" else seconds),
                      classes=["sr-note"])
        if task.error:
            solara.Error(tr("failed", lang.value, error=task.exception))
    if computed is not None:
        Results(computed, task.pending)
