"""The explorer page: pick or upload a scenario, move levers, see regions respond.

State lives in reactive variables (one set per browser session). The edited scenario is
`levers.apply(...)` of them; a background task (`solara.lab.use_task`) computes its ensemble
through viz.compute while the page keeps showing the previous results, so the page never
freezes. A newer edit makes the running task stale: it stops handing out work.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import solara
import solara.lab

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
from .compute import Computed, Outcome, Runner, compute
from .words import LANGS, glossary_html, parameter_name, tr
from .views import (
    MAP_METRICS,
    TABLE_CSS,
    decomposition_html,
    fmt_band,
    fmt_number,
    map_values,
    province_table_html,
    series_svgs,
    tile_map_svg,
)

DEFAULT_SCENARIO = "baseline"
# Replications the page starts with, and below which it calls a band indicative: measured with
# `python -m viz.band_stability` (docs/DASHBOARD.md, "How many runs"): the 5-95% band of 20 runs
# covers 84% of outcomes on average (75% in the worst tenth of draws), of 12 runs 79% (67%),
# of 4 runs 55% (30%).
DEFAULT_REPLICATIONS = 20
INDICATIVE_BELOW = 12
MAX_REPLICATIONS = 50  # per request: a heavy request is bounded, and shares the workers fairly
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
# Which comparison the page shows: "levers" (what the levers add on top of the scenario, the
# default) or "scenario" (the scenario with the levers against the world without policy).
comparison = solara.reactive("levers")
show_levels = solara.reactive(False)
lang = solara.reactive("en")  # "en" or "nl" (viz/words.py)  # charts of levels (each arm) instead of differences
REGION_CODES = {"Netherlands": "NL", **{PROVINCE_NAMES[p]: p for p in PROVINCES}}
REGION_CHOICES = list(REGION_CODES)
region_label = solara.reactive("Netherlands")
map_metric = solara.reactive("Net jobs")
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
        load_error.set(f"link: {', '.join(bad)}: not understood; allowed: the values a link from this page carries "
                       "(left as they were)")


def report(o: Outcome, s, command: str) -> bytes:
    """The report PNG of the view on screen (viz/report_png.py)."""
    from .report_png import report_png

    plain = edited.value[1]
    cf_name = Path(plain.counterfactual).stem if plain is not None and plain.counterfactual else None
    where = REGION_CODES[region_label.value]
    strip = lambda h: re.sub(r"<[^>]+>", "", h)
    settings = (f"Scenario {s.name}: {' '.join((s.description or '').split())} Seed {s.seed}, "
                f"{s.replications} runs of each arm, population scale {s.population.scale:g}. "
                + strip(band_note(o)))
    return report_png(o, title_of(o, base.value.name, cf_name), strip(decomposition_html(o, where, SUBJECTS[
        o.comparison])), settings, command, where)


def share_query(o: Outcome) -> str | None:
    shipped = base_label.value if not base_label.value.startswith("uploaded") else None
    overrides = {k: v for k, v in parameters.value.items() if v != _uncertain_values(base.value)[k]}
    return link.encode(shipped, levers.value, overrides, o.scenario.replications, o.scenario.seed,
                       comparison.value, lang.value)


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


@solara.component_vue("file_pick.vue")
def FilePick(label: str, max_bytes: int, event_pick: Callable[[dict], None]):
    """A file picker (see the .vue file): keyboard and screen-reader users cannot drag."""


def picked(f: dict) -> None:
    # A file over the limit is not read in the browser: stand in the first byte too many, so that
    # the scenario reader gives its usual one-line refusal.
    load_text(f["text"] if f["size"] <= MAX_FILE_BYTES else "#" * (MAX_FILE_BYTES + 1), f["name"])


@solara.component
def ScenarioPicker():
    names = solara.use_memo(lambda: [n for n, _ in list_scenarios()], [])
    shipped = base_label.value if base_label.value in names else None

    def pick(name):
        choose_scenario(load_scenario(SCENARIO_DIR / f"{name}.yaml"), name)

    with solara.Card(tr("scenario", lang.value)):
        solara.Select("Shipped scenario", values=names, value=shipped, on_value=pick)
        if shipped is None:
            solara.Text(f"Using {base_label.value}", style={"font-weight": "bold"})
        solara.Text(base.value.description or "", style={"font-size": "13px", "white-space": "pre-line"})
        with solara.Details("Upload or paste a scenario YAML"):
            solara.FileDrop(label="Drop a .yaml file here", lazy=True,
                            on_file=lambda f: load_text(f["file_obj"].read(MAX_FILE_BYTES + 1), f["name"]))
            FilePick(label="or choose a file", max_bytes=MAX_FILE_BYTES, event_pick=picked)
            solara.InputTextArea("Paste YAML", value=pasted, rows=6, continuous_update=True)
            solara.Button("Use pasted YAML", on_click=lambda: load_text(pasted.value, "pasted YAML"),
                          color="primary", outlined=True)
        if load_error.value:
            solara.Error(load_error.value, icon=True, dense=True, classes=["sr-load-error"])


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
        solara.SliderRangeInt(f"Active from {value[0]} to {value[1]}", value=value, min=first, max=last, thumb_label=False,
                              on_value=lambda v: on_value(None if tuple(v) == (first, last) else tuple(v)))


@solara.component
def ProvincePicker(label: str, chosen, on_value):
    names = [PROVINCE_NAMES[p] for p in PROVINCES]
    solara.SelectMultiple(label, values=[PROVINCE_NAMES[p] for p in chosen], all_values=names, dense=True,
                          on_value=lambda v: on_value(tuple(p for p in PROVINCES if PROVINCE_NAMES[p] in v)))


@solara.component
def LeverControls():
    s, lev = base.value, levers.value
    if not lv.levers_possible(s):
        with solara.Card("Policy levers"):
            solara.Info(f"The horizon ends before {lv.LEVER_START}, where the levers start.")
        return
    first, last = int(lv.LEVER_START[:4]), int(s.horizon.end[:4])
    with solara.Card(tr("levers", lang.value), subtitle=tr("levers_sub", lang.value)):
        # Fieldlabs: count and capacity per province, one province at a time.
        p = fieldlab_province.value
        i = PROVINCES.index(p)
        solara.Select("Fieldlabs in province", values=[PROVINCE_NAMES[q] for q in PROVINCES],
                      value=PROVINCE_NAMES[p],
                      on_value=lambda name: fieldlab_province.set(next(q for q in PROVINCES if PROVINCE_NAMES[q] == name)))
        Lever("fieldlabs", f"New fieldlabs in {PROVINCE_NAMES[p]}", lev.fieldlabs[i],
              lambda v: levers.set(levers.value.with_fieldlabs(p, v)), 0, 10, integer=True)
        cap = PARAMS["fieldlab_capacity"]
        Lever("fieldlab_capacity", f"Capacity of each, firms a year ({PROVINCE_NAMES[p]})", lev.fieldlab_capacity[i],
              lambda v: levers.set(levers.value.with_capacity(p, v)), *cap.plausible,
              shown=f"{lev.fieldlab_capacity[i]:g}", disabled=lev.fieldlabs[i] == 0,
              why="add a fieldlab first: capacity needs a fieldlab")
        added = [q for q, n in zip(PROVINCES, lev.fieldlabs) if n]
        if added:
            solara.Text("Added: " + "; ".join(f"{PROVINCE_NAMES[q]} {lev.fieldlabs[PROVINCES.index(q)]} x "
                                              f"{lev.fieldlab_capacity[PROVINCES.index(q)]:g} firms/year"
                                              for q in added), classes=["sr-note"])
            Years("fieldlab_years", lev.fieldlab_years, lambda v: _set_lever(fieldlab_years=v), first, last)
        solara.Text(f"EUR {lv.FIELDLAB_EUR_PER_YEAR / 1e6:g}M a year per fieldlab (assumption, as "
                    "fieldlab_expansion_north).", classes=["sr-note"])
        # Outreach per hub region.
        for hub, meur in zip(lv.HUB_REGIONS, lev.hub_meur):
            Lever(f"outreach_{hub}", f"Extra hub outreach, {lv.HUB_LABELS[hub]} ({_names(HUBS[hub])}), "
                                      "EUR M a year", meur,
                  lambda v, hub=hub: levers.set(levers.value.with_outreach(hub, v)), 0, 5, 0.25, shown=f"{meur:g}")
        if any(lev.hub_meur):
            Years("outreach_years", lev.outreach_years, lambda v: _set_lever(outreach_years=v), first, last)
        # Subsidy: a rate acts only with a budget, so the rate waits for one.
        Lever("subsidy_meur_per_year", "Adoption subsidy budget, EUR M a year", lev.subsidy_meur_per_year,
              lambda v: _set_lever(subsidy_meur_per_year=v), 0, 50, shown=f"{lev.subsidy_meur_per_year:g}")
        Lever("subsidy_rate", "Subsidy rate, share of the investment", lev.subsidy_rate,
              lambda v: _set_lever(subsidy_rate=v), 0, 0.5, 0.05, shown=f"{lev.subsidy_rate:.0%}",
              disabled=lev.subsidy_meur_per_year == 0, why="set a budget first: a rate without one pays nothing")
        if lev.subsidy_meur_per_year and not lev.subsidy_rate:
            solara.Text("Set a rate: a budget without one pays nothing.", classes=["sr-note"])
        if lev.subsidy_meur_per_year:
            ProvincePicker("Subsidy only in (empty: every province)", lev.subsidy_provinces,
                           lambda v: _set_lever(subsidy_provinces=v))
            Years("subsidy_years", lev.subsidy_years, lambda v: _set_lever(subsidy_years=v), first, last)
        Lever("training_meur_per_year", "Training budget, EUR M a year", lev.training_meur_per_year,
              lambda v: _set_lever(training_meur_per_year=v), 0, 50, shown=f"{lev.training_meur_per_year:g}")
        if lev.training_meur_per_year:
            ProvincePicker("Training only in (empty: every province)", lev.training_provinces,
                           lambda v: _set_lever(training_provinces=v))
            Years("training_years", lev.training_years, lambda v: _set_lever(training_years=v), first, last)
        Lever("end_year", "Programme end year (every instrument stops, the scenario's too)", lev.end_year or last,
              lambda v: _set_lever(end_year=None if v == last else v), first, last, integer=True)
        solara.Button("Reset levers", on_click=lambda: levers.set(lv.Levers()), text=True)


@solara.component
def UncertaintyControls():
    with solara.Card(tr("uncertain", lang.value), subtitle=tr("uncertain_sub", lang.value)):
        for name in lv.UNCERTAIN:
            p = PARAMS[name]
            lo, hi = p.plausible
            value = parameters.value[name]
            Lever(name, f"{parameter_name(name, lang.value)} ({p.unit})", value,
                  lambda v, name=name: parameters.set({**parameters.value, name: v}), lo, hi,
                  round((hi - lo) / 40, 6), shown=f"{value:.4g}", hover=f"{name} (model/params.py)")
            solara.Text(p.description, style={"font-size": "11px", "color": "#666"})
        Lever("replications", "Runs of each arm (replications)", replications.value, replications.set, 1,
              MAX_REPLICATIONS, integer=True)
        solara.InputInt("Seed", value=seed)


@solara.component
def Export(computed: Computed | None):
    with solara.Card(tr("export", lang.value), subtitle="what the results below were computed from"):
        if computed is None:
            solara.Text("Waiting for the first results.")
            return
        o = computed.view(comparison.value)
        if o.comparison == "levers" and not base.value.source_file:
            # A file cannot name an uploaded scenario as its counterfactual: export what it can rerun.
            o = computed.view("scenario")
            solara.Text("The files below compare the uploaded scenario with your levers against no policy (a "
                        "scenario file cannot name an uploaded file as what it is compared with).",
                        classes=["sr-note"])
        s = exported(o)
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", s.name)  # the name comes from a file anyone may upload
        solara.FileDownload(lambda: to_yaml(s), filename=f"{stem}.yaml", label="Scenario (YAML)")
        solara.FileDownload(lambda: o.summary.to_csv(index=False), filename=f"{stem}_summary.csv",
                            label="Summary per province (CSV)")
        command = (f"python run.py run {stem}.yaml --out results/{stem} --seed {s.seed} "
                   f"--replications {s.replications}")
        if o.has_counterfactual:
            solara.FileDownload(lambda: report(o, s, command), filename=f"{stem}_report.png",
                                label="Report of this view (PNG)")
        query = share_query(o)
        if query is None:
            solara.Text("An uploaded scenario cannot travel in a link: share its YAML file.", classes=["sr-note"])
        else:
            solara.HTML(tag="a", unsafe_innerHTML="Link to this view (scenario, levers, seed, replications)",
                        attributes={"href": f"?{query}", "data-testid": "share-link", "target": "_blank"})
        solara.Text("Rerun from the command line with identical numbers:")
        solara.Preformatted(command, style_="white-space: pre-wrap; font-size: 12px")


# --- main area --------------------------------------------------------------------------------


CARDS = (  # (summary metric, label, unit shown, unit for formatting)
    ("net_jobs", "Net jobs", "jobs", "jobs"),
    ("jobs_created", "Jobs created (gross)", "jobs", "jobs"),
    ("jobs_lost", "Jobs lost (gross)", "jobs", "jobs"),
    ("reshored_jobs", "Jobs reshored", "jobs", "jobs"),
    ("net_adopters", "Firms that adopted", "firms", "firms"),
    ("labour_productivity", "Labour productivity", "kEUR value added per worker", "kEUR/worker"),
    ("extra_public_spend_eur", "Public spending", "EUR, total to the horizon's end", "EUR"),
    ("cost_per_net_job_eur", "Public cost per net job", "EUR per job", "EUR/job"),
)


def cost_card_text(r) -> str:
    """The cost-per-job card: a ratio only when money is spent and jobs are gained."""
    spend, jobs = r["extra_public_spend_eur"], r["net_jobs"]
    if abs(spend) < 500:
        return "no extra spending"
    if spend < 0:
        return f"saves {fmt_number(-spend, 'EUR', signed=False)}"
    if jobs <= 0:
        return "unbounded"
    return fmt_number(r["cost_per_net_job_eur"], "EUR/job")


def headline_html(o: Outcome, region: str = "NL", language: str = "en") -> str:
    s = o.summary[o.summary["province"] == region].set_index("metric")
    cards = []
    for metric, label, unit, fmt_unit in CARDS:
        r = s.loc[metric]
        if metric == "cost_per_net_job_eur":
            value = cost_card_text(s["difference"])
            band = (fmt_band(r["difference_p5"], r["difference_p95"], fmt_unit)
                    if value.startswith("EUR") else "see the sentence above")
        else:
            value, band = fmt_number(r["difference"], fmt_unit), fmt_band(r["difference_p5"], r["difference_p95"],
                                                                          fmt_unit)
        cards.append(f'<div class="sr-card" data-metric="{metric}"><div class="sr-label">{tr(metric, language)}</div>'
                     f'<div class="sr-value">{value}</div><div class="sr-unit">{unit}</div>'
                     f'<div class="sr-band">{tr("band", language)}: {band}</div></div>')
    return f'<div class="sr-cards" data-testid="headline">{"".join(cards)}</div>'


CSS = TABLE_CSS + """
.sr-cards {display: flex; flex-wrap: wrap; gap: 8px;}
.sr-card {border: 1px solid #ccc; border-radius: 6px; padding: 6px 10px; min-width: 150px;}
.sr-label {font-size: 12px; color: #444;}
.sr-value {font-size: 22px; font-weight: bold;}
.sr-unit {font-size: 11px; color: #444;}
.sr-band {font-size: 11px; color: #555;}
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
/* A view being recomputed says so where it is, not only at the top of the page. */
.sr-stale {position: relative; opacity: 0.55;}
.sr-stale::before {content: attr(data-stale-label); position: absolute; top: 4px; right: 4px; z-index: 2;
  background: #0072B2; color: white; font-size: 12px; padding: 2px 8px; border-radius: 10px; opacity: 1;}
/* Solara's "runs on Solara" badge sits over the bottom of the page content (the table's last
   rows); the page credits Solara in its introduction instead. */
div:has(> b > a[href="https://solara.dev"]) {display: none !important;}
"""

SUBJECTS = {"levers": "your levers", "scenario": "the scenario with your levers", "levels": "the scenario",
            "plain": "the scenario"}


def title_of(o: Outcome, base_name: str, counterfactual_name: str | None) -> str:
    end = o.quarters[-1]
    if o.comparison == "levers":
        return f"What your levers add to {base_name} (same random numbers), {end}"
    if o.comparison == "scenario":
        with_levers = " with your levers" if o.scenario.name == base_name + "_dashboard" else ""
        against = "no policy" if counterfactual_name in (None, "no_policy") else counterfactual_name
        return f"{base_name}{with_levers} against {against}, {end}"
    return f"{base_name}: the world without policy itself, so levels only"


def band_note(o: Outcome) -> str:
    n = o.replications
    words = (f"Bands: 90% of {n} runs (5th to 95th percentile), replication by replication with the same random "
             "numbers in both arms. They carry chance only (which firms meet, adopt, reshore), not the uncertainty "
             "about the model's assumptions; drawing parameters from the calibration posterior is a later step.")
    if n < INDICATIVE_BELOW:
        words += (f' <span class="sr-indicative" data-testid="indicative">Indicative: {n} runs are too few for a '
                  f"stable 90% band; use at least {INDICATIVE_BELOW}.</span>")
    return words


def _stale(pending: bool, label: str = "recomputing…") -> dict:
    return {"classes": ["sr-stale"] if pending else [], "attributes": {"data-stale-label": label}}


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
            solara.Text("Your levers add nothing yet: move a lever on the left. Shown meanwhile: the scenario "
                        "against no policy.", classes=["sr-note"])


@solara.component
def Results(computed: Computed, pending: bool):
    o = computed.view(comparison.value)
    plain = edited.value[1]
    cf_name = Path(plain.counterfactual).stem if plain is not None and plain.counterfactual else None
    ComparisonSwitch(computed)
    solara.Text(title_of(o, base.value.name, cf_name), classes=["sr-title"])
    with solara.Row(style={"align-items": "center"}):
        solara.Select(tr("region", lang.value), values=REGION_CHOICES, value=region_label.value, on_value=region_label.set,
                      style={"max-width": "220px"})
    where = REGION_CODES[region_label.value]
    if o.has_counterfactual:
        with solara.Div(**_stale(pending)):
            subject = SUBJECTS["plain" if o.comparison == "scenario" and not computed.available("levers")
                               else o.comparison]
            solara.HTML(tag="div", unsafe_innerHTML=decomposition_html(o, where, subject),
                        classes=["sr-note"])
            solara.HTML(tag="div", unsafe_innerHTML=headline_html(o, where, lang.value))
    solara.HTML(tag="div", unsafe_innerHTML=band_note(o), classes=["sr-note"])
    with solara.Div(**_stale(pending)):
        solara.Checkbox(label=tr("show_levels", lang.value), value=show_levels)
        solara.HTML(tag="div", unsafe_innerHTML="".join(series_svgs(o, where, show_levels.value)),
                    classes=["sr-charts"])
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
            with solara.Div(**_stale(pending)):
                solara.HTML(tag="div", unsafe_innerHTML=tile_map_svg(map_values(o, label, q_index), label,
                                                                     o.quarters[q_index]))
        with solara.Column(style={"flex": "1 1 560px", "overflow-x": "auto"}):
            if o.has_counterfactual:
                solara.Text(f"Per province at {o.quarters[-1]}, difference made by {SUBJECTS[o.comparison]}; "
                            "cost per net job = extra public spending / net jobs (in words where that is no cost)",
                            classes=["sr-note"])
                with solara.Div(**_stale(pending)):
                    solara.HTML(tag="div", unsafe_innerHTML=province_table_html(o))


@solara.component_vue("aria_labels.vue")
def AriaLabels():
    """Names every slider after its label, for screen readers (see the .vue file)."""


@solara.component
def Page():
    solara.Style(CSS)
    scenario, plain, error = edited.value
    key = scenario.content_hash() if scenario is not None else None

    def run():
        time.sleep(DEBOUNCE_S)
        if scenario is None or not task.is_current():
            return
        c = compute(scenario, RUNNER, task.is_current,
                    lambda done, total: setattr(task, "progress", 100 * done / total), plain=plain)
        if c is not None and task.is_current():
            on_screen.set(c)

    task = solara.lab.use_task(run, dependencies=[key])
    computed = on_screen.value
    outcome = computed.view(comparison.value) if computed is not None else None

    with solara.Sidebar():
        ScenarioPicker()
        LeverControls()
        UncertaintyControls()
        Export(computed)

    with solara.Row(style={"align-items": "flex-start", "justify-content": "space-between"}):
        solara.Text(tr("intro", lang.value) + " " + tr("credits", lang.value), classes=["sr-note", "sr-intro"])
        solara.ToggleButtonsSingle(value=lang, values=list(LANGS), dense=True, classes=["sr-lang"])
    with solara.Details(tr("glossary", lang.value)):
        solara.HTML(tag="div", unsafe_innerHTML=glossary_html(lang.value), classes=["sr-note"])
    if error:
        solara.Error(error)
    # The content hashes of the scenario wanted and the one on screen (tests wait for them to agree).
    with solara.Div(attributes={"data-testid": "status", "data-wanted": key or "",
                                "data-shown": computed.scenario.content_hash() if computed else "",
                                "data-comparison": outcome.comparison if outcome else "",
                                "data-base": base_label.value}):
        if task.pending:
            solara.ProgressLinear(task.progress if task.progress else True)
            solara.Text(f"Computing {scenario.replications} runs of each arm; the results below are the previous "
                        "ones.")
        elif outcome is not None:
            s = outcome.scenario
            solara.Text(f"{s.replications} runs of each arm ({outcome.arm_runs} in all, {outcome.new_runs} new, the "
                        f"others remembered), seed {s.seed}, every firm of the Netherlands"
                        f"{'' if s.population.scale == 1 else f' x {s.population.scale:g}'}: ready in "
                        f"{outcome.seconds:.1f} s.", classes=["sr-note"])
        if task.error:
            solara.Error(f"The computation failed: {task.exception}")
    if computed is not None:
        Results(computed, task.pending)
