"""Every word the dashboard shows, in Dutch and English, in one table.

`tr(key, lang, **values)` gives the text of `key` in `lang` ("nl" or "en") with `{values}`
filled in. Every key has both languages (tests/test_dashboard.py checks it), so a Dutch page
has no English left in it; `fmt_number` writes numbers as each language does (Dutch: decimal
comma, thousands point, "€ 8,3 mln").

The page opens in **Dutch**: its main users are Dutch provincial advisors, hub managers and
ministry staff, who read policy documents in Dutch and use the Dutch terms (fieldlab, hub,
netto banen, kosten per netto baan). English is one click away (the switch at the top right,
or `?lang=en` in a link) for researchers and visitors.

The shipped scenarios have a human name in both languages here (SCENARIO_TITLES; their file
names, such as fieldlab_expansion_north, are what the command line takes and are shown only
where a file is meant) and a Dutch description. What a user uploads is shown as written.
"""

from __future__ import annotations

import math

from smartregion.model.regions import PROVINCE_NAMES

LANGS = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANG = "nl"

TEXTS: dict[str, tuple[str, str]] = {  # key -> (English, Dutch)
    # --- tabs, headings ---------------------------------------------------------------------
    "explorer": ("Explorer", "Verkenner"),
    "single_run": ("Single run", "Eén run"),
    "compare": ("Compare scenarios", "Scenario's vergelijken"),
    "scenario": ("Scenario", "Scenario"),
    "levers": ("Policy levers", "Beleidsknoppen"),
    "levers_sub": ("new policy from 2026Q1, on top of the scenario", "nieuw beleid vanaf 2026K1, bovenop het scenario"),
    "uncertain": ("Uncertain assumptions", "Onzekere aannames"),
    "uncertain_sub": ("plausible ranges from model/params.py", "plausibele bereiken uit model/params.py"),
    "export": ("Take it away", "Meenemen"),
    "export_sub": ("what the results below were computed from", "waarmee de resultaten hieronder zijn berekend"),
    "cmp_levers": ("What my levers add", "Wat mijn knoppen toevoegen"),
    "cmp_scenario": ("Scenario against no policy", "Scenario tegenover geen beleid"),
    "region": ("Region", "Regio"),
    "netherlands": ("Netherlands", "Nederland"),
    "in_netherlands": ("the Netherlands", "Nederland"),
    "show_levels": ("Show levels of each arm instead of differences",
                    "Toon niveaus per variant in plaats van verschillen"),
    "glossary": ("Glossary", "Woordenlijst"),
    "controls": ("Show or hide the controls", "Bediening tonen of verbergen"),
    # --- headline cards and units -----------------------------------------------------------
    "net_jobs": ("Net jobs", "Netto banen"),
    "jobs_created": ("Jobs created (gross)", "Gecreëerde banen (bruto)"),
    "jobs_lost": ("Jobs lost (gross)", "Verloren banen (bruto)"),
    "reshored_jobs": ("Jobs reshored", "Teruggehaalde banen (reshoring)"),
    "net_adopters": ("Firms that adopted", "Bedrijven die invoerden"),
    "labour_productivity": ("Labour productivity", "Arbeidsproductiviteit"),
    "extra_public_spend_eur": ("Public spending", "Publieke uitgaven"),
    "cost_per_net_job_eur": ("Public cost per net job", "Publieke kosten per netto baan"),
    "unit_jobs": ("jobs", "banen"),
    "unit_firms": ("firms", "bedrijven"),
    "unit_productivity": ("kEUR value added per worker", "duizend euro toegevoegde waarde per werkende"),
    "unit_spend": ("EUR, total to the horizon's end", "euro, totaal tot het eind van de periode"),
    "unit_cost_per_job": ("EUR per job", "euro per baan"),
    "band": ("90% band", "90%-band"),
    "band_to": ("{lo} to {hi}", "{lo} tot {hi}"),
    "see_sentence": ("see the sentence above", "zie de zin hierboven"),
    "no_extra_spending": ("no extra spending", "geen extra uitgaven"),
    "saves": ("saves {eur}", "bespaart {eur}"),
    "unbounded": ("unbounded", "onbegrensd"),
    "none_spent": ("none spent", "niets uitgegeven"),
    "n/a": ("n/a", "n.v.t."),
    # --- introduction -----------------------------------------------------------------------
    "intro": (
        "smartregion simulates how Dutch manufacturing firms take up smart technology (Industry 4.0) through "
        "their peers, regional hubs and fieldlabs, and what that does to jobs, reshoring and productivity, "
        "province by province, from 2014 to 2030. Pick a scenario, move a lever on the left, and the page shows "
        "what your choice adds on top of the scenario, computed with the same random numbers, so that the "
        "difference is the decision's own. Every number is a mean over several runs with a 90% band.",
        "smartregion simuleert hoe Nederlandse maakbedrijven slimme technologie (Industrie 4.0) invoeren via "
        "collega-bedrijven, regionale hubs en fieldlabs, en wat dat doet met banen, reshoring en productiviteit, "
        "per provincie, van 2014 tot 2030. Kies een scenario, verschuif een knop links, en de pagina toont wat uw "
        "keuze toevoegt bovenop het scenario, berekend met dezelfde toevalsgetallen, zodat het verschil het "
        "effect van het besluit zelf is. Elk getal is een gemiddelde over meerdere runs met een 90%-band."),
    "credits": ("Built with Mesa and Solara.", "Gebouwd met Mesa en Solara."),
    # --- scenario card ----------------------------------------------------------------------
    "shipped_scenario": ("Shipped scenario", "Meegeleverd scenario"),
    "using": ("Using {label}", "In gebruik: {label}"),
    "uploaded": ("uploaded: {file}", "geüpload: {file}"),
    "upload_or_paste": ("Upload or paste a scenario YAML", "Scenario-YAML uploaden of plakken"),
    "drop_here": ("Drop a .yaml file here", "Sleep een .yaml-bestand hierheen"),
    "choose_file": ("Or choose a file…", "Of kies een bestand…"),
    "paste_yaml": ("Paste YAML", "YAML plakken"),
    "use_pasted": ("Use pasted YAML", "Geplakte YAML gebruiken"),
    "pasted_yaml": ("pasted YAML", "geplakte YAML"),
    "load_refused": ("Not loaded; the scenario before it stays in use. The scenario reader says (the command line's "
                     "own message, in English, so that it can be looked up):",
                     "Niet geladen; het vorige scenario blijft in gebruik. De scenariolezer meldt (de eigen melding "
                     "van de opdrachtregel, in het Engels, zodat u die kunt opzoeken):"),
    "scenario_error": ("These settings cannot run. The scenario reader says (in English, as on the command line):",
                       "Deze instellingen kunnen niet draaien. De scenariolezer meldt (in het Engels, zoals op de "
                       "opdrachtregel):"),
    "file_of": ("file: {file}", "bestand: {file}"),
    "too_big_scale": ("{file}: population.scale: {scale} is more than the dashboard computes; allowed: at most "
                      "{most} here (run.py run takes up to 50)",
                      "{file}: population.scale: {scale} is meer dan het dashboard berekent; toegestaan: hier "
                      "hoogstens {most} (run.py run neemt tot 50)"),
    "bad_link": ("link: {keys}: not understood; allowed: the values a link from this page carries (left as they "
                 "were)",
                 "link: {keys}: niet begrepen; toegestaan: de waarden die een link van deze pagina meegeeft (ongewijzigd "
                 "gelaten)"),
    # --- levers -----------------------------------------------------------------------------
    "no_room": ("The horizon ends before {start}, where the levers start.",
                "De periode eindigt vóór {start}, waar de knoppen beginnen."),
    "fieldlabs_in": ("Fieldlabs in province", "Fieldlabs in provincie"),
    "new_fieldlabs": ("New fieldlabs in {where}", "Nieuwe fieldlabs in {where}"),
    "capacity": ("Capacity of each, firms a year ({where})", "Capaciteit per fieldlab, bedrijven per jaar ({where})"),
    "capacity_why": ("add a fieldlab first: capacity needs a fieldlab",
                     "voeg eerst een fieldlab toe: capaciteit vraagt om een fieldlab"),
    "added": ("Added: {items}", "Toegevoegd: {items}"),
    "added_item": ("{where} {n} x {cap} firms/year", "{where} {n} x {cap} bedrijven/jaar"),
    "fieldlab_cost": ("EUR {meur}M a year per fieldlab (assumption, as fieldlab_expansion_north).",
                      "€ {meur} mln per jaar per fieldlab (aanname, zoals in fieldlab_expansion_north)."),
    "outreach": ("Extra hub outreach, {hub} ({provinces}), EUR M a year",
                 "Extra inzet hub {hub} ({provinces}), € mln per jaar"),
    "subsidy_budget": ("Adoption subsidy budget, EUR M a year", "Budget invoeringssubsidie, € mln per jaar"),
    "subsidy_rate": ("Subsidy rate, share of the investment", "Subsidiepercentage, deel van de investering"),
    "subsidy_rate_why": ("set a budget first: a rate without one pays nothing",
                         "stel eerst een budget in: een percentage zonder budget keert niets uit"),
    "subsidy_needs_rate": ("Set a rate: a budget without one pays nothing.",
                           "Stel een percentage in: een budget zonder percentage keert niets uit."),
    "subsidy_only": ("Subsidy only in (empty: every province)", "Subsidie alleen in (leeg: elke provincie)"),
    "training_budget": ("Training budget, EUR M a year", "Budget scholing, € mln per jaar"),
    "training_only": ("Training only in (empty: every province)", "Scholing alleen in (leeg: elke provincie)"),
    "active_years": ("Active from {first} to {last}", "Actief van {first} tot en met {last}"),
    "first_year": ("first year", "eerste jaar"),
    "last_year": ("last year", "laatste jaar"),
    "end_year": ("Programme end year (every instrument stops, the scenario's too)",
                 "Laatste programmajaar (elk instrument stopt, ook die van het scenario)"),
    "reset_levers": ("Reset levers", "Knoppen terugzetten"),
    "replications": ("Runs of each arm (replications)", "Runs per variant (herhalingen)"),
    "seed": ("Seed", "Startwaarde toeval (seed)"),
    # --- export -----------------------------------------------------------------------------
    "waiting": ("Waiting for the first results.", "Wacht op de eerste resultaten."),
    "upload_export_note": ("The files below compare the uploaded scenario with your levers against no policy (a "
                           "scenario file cannot name an uploaded file as what it is compared with).",
                           "De bestanden hieronder vergelijken het geüploade scenario met uw knoppen met geen beleid "
                           "(een scenariobestand kan geen geüpload bestand als vergelijking noemen)."),
    "dl_yaml": ("Scenario (YAML)", "Scenario (YAML)"),
    "dl_csv": ("Summary per province (CSV)", "Samenvatting per provincie (CSV)"),
    "dl_report": ("Report of this view (PNG)", "Rapport van deze weergave (PNG)"),
    "no_link": ("An uploaded scenario cannot travel in a link: share its YAML file.",
                "Een geüpload scenario past niet in een link: deel het YAML-bestand."),
    "share_link": ("Link to this view (scenario, levers, seed, replications)",
                   "Link naar deze weergave (scenario, knoppen, seed, herhalingen)"),
    "rerun": ("Rerun from the command line with identical numbers:",
              "Opnieuw draaien vanaf de opdrachtregel, met dezelfde getallen:"),
    # --- status -----------------------------------------------------------------------------
    "computing": ("Computing {n} runs of each arm; the results below are the previous ones.",
                  "Bezig met {n} runs per variant; de resultaten hieronder zijn de vorige."),
    "first_numbers": ("First numbers, from {k} of {n} runs of each arm; computing the others.",
                      "Eerste cijfers, uit {k} van {n} runs per variant; de andere worden berekend."),
    "ready": ("{n} runs of each arm ({total} in all, {new} new, the others remembered), seed {seed}, every firm of "
              "the Netherlands{scale}: ready in {seconds} s.",
              "{n} runs per variant ({total} in totaal, {new} nieuw, de andere onthouden), seed {seed}, elk bedrijf "
              "van Nederland{scale}: klaar in {seconds} s."),
    "failed": ("The computation failed: {error}", "De berekening is mislukt: {error}"),
    "recomputing": ("recomputing…", "wordt herberekend…"),
    # --- results ----------------------------------------------------------------------------
    "nothing_yet": ("Your levers add nothing yet: move a lever on the left. Shown meanwhile: the scenario against no "
                    "policy.",
                    "Uw knoppen voegen nog niets toe: verschuif een knop links. Intussen te zien: het scenario "
                    "tegenover geen beleid."),
    "title_levers": ("What your levers add to {base} (same random numbers), {end}",
                     "Wat uw knoppen toevoegen aan {base} (dezelfde toevalsgetallen), {end}"),
    "title_scenario": ("{base}{with_levers} against {against}, {end}", "{base}{with_levers} tegenover {against}, {end}"),
    "with_your_levers": (" with your levers", " met uw knoppen"),
    "no_policy": ("no policy", "geen beleid"),
    "title_levels": ("{base}: the world without policy itself, so levels only",
                     "{base}: de wereld zonder beleid zelf, dus alleen niveaus"),
    "band_note": ("Bands: 90% of {n} runs (5th to 95th percentile), replication by replication with the same random "
                  "numbers in both arms. They carry chance only (which firms meet, adopt, reshore), not the "
                  "uncertainty about the model's assumptions: this scenario runs on the registry defaults.",
                  "Banden: 90% van {n} runs (5e tot 95e percentiel), run voor run met dezelfde toevalsgetallen in "
                  "beide varianten. Ze bevatten alleen toeval (welke bedrijven elkaar treffen, invoeren, productie "
                  "terughalen), niet de onzekerheid over de aannames van het model: dit scenario draait op de "
                  "standaardwaarden uit het register."),
    "not_pinned_spread": ("not pinned down by the data: calibrating hardly narrowed its spread",
                          "niet vastgelegd door de data: de kalibratie maakte de spreiding nauwelijks smaller"),
    "not_pinned_zero": ("not pinned down by the data: the band spans zero",
                        "niet vastgelegd door de data: de band omvat nul"),
    "band_spans_zero": ("the band spans zero", "de band omvat nul"),
    "not_pinned_unbounded": ("not pinned down by the data: the band has no upper end (in some runs net jobs reach zero)",
                             "niet vastgelegd door de data: de band heeft geen bovengrens (in sommige runs komen de "
                             "nettobanen op nul)"),
    "band_unbounded": ("the band has no upper end (in some runs net jobs reach zero)",
                       "de band heeft geen bovengrens (in sommige runs komen de nettobanen op nul)"),
    "band_note_calibrated": ("Bands: 90% of {n} runs (5th to 95th percentile), replication by replication with the "
                             "same random numbers in both arms. They carry chance (which firms meet, adopt, reshore) "
                             "and the uncertainty about the estimated parameters: each pair of runs draws its "
                             "parameters from the calibration posterior ({draws} draws); the other assumptions stay "
                             "at their defaults.",
                             "Banden: 90% van {n} runs (5e tot 95e percentiel), run voor run met dezelfde "
                             "toevalsgetallen in beide varianten. Ze bevatten toeval (welke bedrijven elkaar treffen, "
                             "invoeren, productie terughalen) en de onzekerheid over de geschatte parameters: elk paar "
                             "runs trekt zijn parameters uit de kalibratie-posterior ({draws} trekkingen); de andere "
                             "aannames staan op hun standaardwaarde."),
    "indicative": ("Indicative: {n} runs are too few for a stable 90% band; use at least {least}.",
                   "Indicatief: {n} runs zijn te weinig voor een stabiele 90%-band; gebruik er minstens {least}."),
    "subject_levers": ("your levers", "uw knoppen"),
    "subject_scenario": ("the scenario with your levers", "het scenario met uw knoppen"),
    "subject_plain": ("the scenario", "het scenario"),
    "table_note": ("Per province at {end}, difference made by {subject}; cost per net job = extra public spending / "
                   "net jobs (in words where that is no cost)",
                   "Per provincie in {end}, verschil door {subject}; kosten per netto baan = extra publieke uitgaven / "
                   "netto banen (in woorden waar dat geen kosten zijn)"),
    "map_metric": ("Map metric", "Kaart toont"),
    "quarter": ("Quarter", "Kwartaal"),
    # --- charts -----------------------------------------------------------------------------
    "ch_adoption_diff": ("Extra adopting firms, percentage points ({where})",
                         "Extra invoerende bedrijven, procentpunt ({where})"),
    "ch_jobs_diff": ("Extra jobs since 2014 ({where})", "Extra banen sinds 2014 ({where})"),
    "ch_reshored_diff": ("Extra reshored jobs, cumulative ({where})", "Extra teruggehaalde banen, cumulatief ({where})"),
    "ch_productivity_diff": ("Productivity difference, kEUR per worker ({where})",
                             "Verschil arbeidsproductiviteit, duizend euro per werkende ({where})"),
    "ch_adoption": ("Adopting firms, % ({where})", "Invoerende bedrijven, % ({where})"),
    "ch_jobs": ("Jobs created and lost since 2014, gross ({where})",
                "Gecreëerde en verloren banen sinds 2014, bruto ({where})"),
    "ch_reshored": ("Reshored jobs, cumulative ({where})", "Teruggehaalde banen, cumulatief ({where})"),
    "ch_productivity": ("Labour productivity, kEUR value added per worker ({where})",
                        "Arbeidsproductiviteit, duizend euro toegevoegde waarde per werkende ({where})"),
    "s_difference": ("difference", "verschil"),
    "s_created": ("created", "gecreëerd"),
    "s_lost": ("lost", "verloren"),
    "s_reshored": ("reshored", "teruggehaald"),
    "s_net": ("net", "netto"),
    "s_with": ("with", "met"),
    "s_without": ("without", "zonder"),
    # --- map --------------------------------------------------------------------------------
    "m_adoption_rate": ("Adoption rate", "Invoeringsgraad"),
    "m_adopters": ("Extra adopting firms", "Extra invoerende bedrijven"),
    "m_net_jobs": ("Net jobs", "Netto banen"),
    "m_reshored": ("Extra reshored jobs", "Extra teruggehaalde banen"),
    "m_productivity": ("Productivity difference", "Verschil arbeidsproductiviteit"),
    "m_spend": ("Extra public spending", "Extra publieke uitgaven"),
    "map_by_province": ("{label} by province", "{label} per provincie"),
    "map_diverging": ("red: fewer than without, blue: more", "rood: minder dan zonder, blauw: meer"),
    "map_sequential": ("darker: higher", "donkerder: hoger"),
    "map_legend": ("Colour: {scale}; range {lo} to {hi}", "Kleur: {scale}; bereik {lo} tot {hi}"),
    # --- table ------------------------------------------------------------------------------
    "province": ("Province", "Provincie"),
    "t_net_jobs": ("Net jobs", "Netto banen"),
    "t_adopters": ("Net adopting firms", "Netto invoerende bedrijven"),
    "t_reshored": ("Extra reshored jobs", "Extra teruggehaalde banen"),
    "t_spend": ("Extra public spending", "Extra publieke uitgaven"),
    "t_cost": ("Public cost per net job", "Publieke kosten per netto baan"),
    # --- the decomposition and money sentences -----------------------------------------------
    "jobs_n": ("{n} jobs", "{n} banen"),
    "job_1": ("{n} job", "{n} baan"),
    "part_created": ("{jobs} created at firms that adopt and grow", "{jobs} erbij bij bedrijven die invoeren en groeien"),
    "part_lost_more": ("{n} more jobs lost to automation", "{n} banen meer verloren door automatisering"),
    "part_lost_fewer": ("{n} fewer jobs lost to automation", "{n} banen minder verloren door automatisering"),
    "part_reshored": ("{jobs} reshored from abroad", "{jobs} teruggehaald uit het buitenland"),
    "part_displaced_more": ("{n} more jobs displaced at competitors", "{n} banen meer verdrongen bij concurrenten"),
    "part_displaced_fewer": ("{n} fewer jobs displaced at competitors", "{n} banen minder verdrongen bij concurrenten"),
    "part_other": ("{jobs} from other changes (firm growth and training)",
                   "{jobs} door andere veranderingen (groei van bedrijven en scholing)"),
    "decomposition": ("By {end}, in {where}, {subject} <b>{verb} {jobs}</b> net{particle} (90% band {band}): {parts}.",
                      "Tot {end} {verb} {subject} in {where} <b>netto {jobs}</b>{particle} (90%-band {band}): {parts}."),
    "verb_add": ("add", "leveren"),
    "verb_adds": ("adds", "levert"),
    "verb_remove": ("remove", "kosten"),
    "verb_removes": ("removes", "kost"),
    "particle_add": ("", " op"),  # Dutch "opleveren" is separable: "... leveren netto 40 banen op"
    "particle_remove": ("", ""),
    "why_negative": (" Net jobs fall because automation at the extra adopters removes more jobs than their growth "
                     "creates by then.",
                     " Het aantal netto banen daalt omdat automatisering bij de extra invoerders tot dan meer banen "
                     "wegneemt dan hun groei oplevert."),
    "band_zero": (" The band includes zero: the effect could go either way.",
                  " De band bevat nul: het effect kan beide kanten op gaan."),
    "money_none": ("It spends no extra public money.", "Er gaat geen extra publiek geld in om."),
    "money_saves_adds": ("It saves {eur} of public money and adds {jobs}, so there is no cost per job to give.",
                         "Het bespaart {eur} publiek geld en levert {jobs} op, dus er zijn geen kosten per baan."),
    "money_saves_loses": ("It saves {eur} of public money and loses {jobs}, so there is no cost per job to give.",
                          "Het bespaart {eur} publiek geld en kost {jobs}, dus er zijn geen kosten per baan."),
    "money_saves_none": ("It saves {eur} of public money and changes no jobs, so there is no cost per job to give.",
                         "Het bespaart {eur} publiek geld en verandert geen banen, dus er zijn geen kosten per baan."),
    "money_unbounded": ("It costs {eur} of extra public money and adds no net jobs, so the cost per job is unbounded "
                        "(no number of euros buys a job here).",
                        "Het kost {eur} extra publiek geld en levert geen netto banen op, dus de kosten per baan zijn "
                        "onbegrensd (geen bedrag koopt hier een baan)."),
    "money_cost": ("It costs {eur} of extra public money: {ratio} per net job, 90% band {band}{why}.",
                   "Het kost {eur} extra publiek geld: {ratio} per netto baan, 90%-band {band}{why}."),
    "money_no_top": (" (no upper end: in more than 5% of resampled ensembles the net jobs are zero or fewer)",
                     " (geen bovengrens: in meer dan 5% van de herbemonsterde ensembles is het aantal netto banen nul "
                     "of minder)"),
    # --- compare tab ------------------------------------------------------------------------
    "cmp_card": ("Scenarios to compare", "Te vergelijken scenario's"),
    "cmp_card_sub": ("each against no policy, same random numbers", "elk tegenover geen beleid, dezelfde toevalsgetallen"),
    "cmp_scenarios": ("Scenarios", "Scenario's"),
    "cmp_runs": ("{n} runs of each, seed {seed} (set in the explorer).", "{n} runs van elk, seed {seed} (in te stellen "
                                                                          "in de verkenner)."),
    "cmp_intro": ("Scenarios side by side: net jobs at the horizon's end against no policy, extra public spending, and "
                  "net jobs per EUR million of extra spending for the Netherlands and each province (n/a where a "
                  "scenario spends no more than no policy). As `run.py compare`.",
                  "Scenario's naast elkaar: netto banen aan het eind van de periode tegenover geen beleid, extra "
                  "publieke uitgaven, en netto banen per miljoen euro extra uitgaven voor Nederland en elke provincie "
                  "(n.v.t. waar een scenario niet meer uitgeeft dan geen beleid). Zoals `run.py compare`."),
    "cmp_left_out": ("{name} left out: its {what} differ from those of no policy (compare it with a separate run).",
                     "{name} weggelaten: {what} wijkt af van die van geen beleid (vergelijk het in een aparte run)."),
    "cmp_horizon": ("period", "periode"),
    "cmp_population": ("population", "populatie"),
    "cmp_parameters": ("parameters", "parameters"),
    "cmp_computing": ("Computing {arms} arms x {n} runs…", "Bezig met {arms} varianten x {n} runs…"),
    "cmp_ready": ("Ready in {seconds} s.", "Klaar in {seconds} s."),
    "c_scenario": ("Scenario", "Scenario"),
    "c_net_jobs": ("Net jobs, NL (90% band)", "Netto banen, NL (90%-band)"),
    "c_spend": ("Extra public spending", "Extra publieke uitgaven"),
    "c_per_eur": ("Net jobs per EUR M", "Netto banen per € mln"),
    # --- the report PNG (viz/report_png.py) -------------------------------------------------
    "r_settings": ("Scenario: {title}. {description} Seed {seed}, {n} runs of each arm, population scale {scale}.",
                   "Scenario: {title}. {description} Seed {seed}, {n} runs per variant, populatieschaal {scale}."),
    "r_rerun": ("Rerun with identical numbers: {command}", "Opnieuw draaien met dezelfde getallen: {command}"),
    "r_year": ("year", "jaar"),
    "r_card": ("{label}\n{value} {unit}\n90% band {band}", "{label}\n{value} {unit}\n90%-band {band}"),
    # --- single-run tab ---------------------------------------------------------------------
    "sr_name": ("Single run: {name}", "Eén run: {name}"),
    "sr_replication": ("Replication", "Herhaling"),
    "sr_controls": ("Run", "Run"),
    "sr_reset": ("Reset", "Opnieuw"),
    "sr_play": ("Play", "Afspelen"),
    "sr_pause": ("Pause", "Pauzeren"),
    "sr_step": ("Step", "Stap"),
    "sr_steps": ("Step: {n}", "Stap: {n}"),
    "sr_at": ("Quarter shown: {quarter}", "Getoond kwartaal: {quarter}"),
    "sr_reset_note": ("Reset starts the chosen replication again from {start}.",
                      "Opnieuw begint de gekozen herhaling weer bij {start}."),
    "sr_render_interval": ("Render Interval (quarters per click; developer control)",
                           "Weergave-interval (kwartalen per klik; voor ontwikkelaars)"),
    "sr_play_interval": ("Play Interval (ms; developer control)", "Afspeelinterval (ms; voor ontwikkelaars)"),
    "sr_changes": ("Stage changes this quarter: {items}", "Fasewisselingen dit kwartaal: {items}"),
    "sr_firm_col": ("firm", "bedrijf"),
    "sr_province_col": ("province", "provincie"),
    "sr_sector_col": ("sector", "sector"),
    "sr_size_col": ("size", "grootte"),
    "sr_employees_col": ("employees", "werknemers"),
    "sr_stage_col": ("stage", "fase"),
    "sr_follow": ("Firm to follow (its number)", "Te volgen bedrijf (nummer)"),
    "sr_figure_title": ("{name}: every firm by stage, {quarter}", "{name}: elk bedrijf naar fase, {quarter}"),
    "sr_tile": ("{where}\n{n} firms, {share} adopted", "{where}\n{n} bedrijven, {share} ingevoerd"),
    "sr_legend": ("full colour:\nchanged this quarter", "volle kleur:\ngewisseld dit kwartaal"),
    "sr_before": ("before {quarter}", "vóór {quarter}"),
    "sr_firm": ("<b>Firm {i}</b>: {where}, {employees} employees; stage <b>{stage}</b>{without}; {adopted}; {fieldlab}.",
                "<b>Bedrijf {i}</b>: {where}, {employees} werknemers; fase <b>{stage}</b>{without}; {adopted}; "
                "{fieldlab}."),
    "sr_without": (" (without policy: {stage})", " (zonder beleid: {stage})"),
    "sr_not_adopted": ("not adopted", "niet ingevoerd"),
    "sr_adopted_before": ("adopted before the start", "ingevoerd vóór de start"),
    "sr_adopted_in": ("adopted in {quarter}", "ingevoerd in {quarter}"),
    "sr_in_fieldlab": ("took part in a fieldlab", "nam deel aan een fieldlab"),
    "sr_no_fieldlab": ("no fieldlab yet", "nog geen fieldlab"),
    "sr_peers": ("Its {n} peers (the firms it watches): {counts}.",
                 "Zijn {n} collega-bedrijven (de bedrijven die het volgt): {counts}."),
    "sr_none": ("none", "geen"),
    "sr_peer_col": ("peer", "collega-bedrijf"),
    "sr_open_fieldlabs": ("Open fieldlabs: {n}", "Open fieldlabs: {n}"),
    "sr_of": ("of {n}", "van {n}"),
    "sr_fieldlab_col": ("fieldlab", "fieldlab"),
    "sr_capacity_col": ("capacity, firms a year", "capaciteit, bedrijven per jaar"),
    "sr_members_col": ("member firms", "deelnemende bedrijven"),
    "sr_hubs": ("Hubs", "Hubs"),
    "sr_hub_col": ("hub", "hub"),
    "sr_provinces_col": ("provinces", "provincies"),
    "sr_budget_left_col": ("budget left", "resterend budget"),
    "sr_twin_none": ("This scenario is the world without policy itself.", "Dit scenario is zelf de wereld zonder beleid."),
    "sr_twin": ("Same run without policy, {quarter}: adopting firms {with_rate}% with policy, {without_rate}% without; "
                "employment {with_jobs} with, {without_jobs} without ({diff} jobs).",
                "Dezelfde run zonder beleid, {quarter}: invoerende bedrijven {with_rate}% met beleid, {without_rate}% "
                "zonder; werkgelegenheid {with_jobs} met, {without_jobs} zonder ({diff} banen)."),
}

GLOSSARY: tuple[tuple[str, str, str, str], ...] = (  # (term en, meaning en, term nl, meaning nl)
    ("Net jobs", "Employment with the policy minus employment without it at the horizon's end (jobs).",
     "Netto banen", "Werkgelegenheid met het beleid min die zonder, aan het eind van de periode (banen)."),
    ("Jobs created / lost (gross)", "Cumulative jobs added by growing adopters / removed by automation since "
     "2014, difference between the two arms (jobs).",
     "Gecreëerde / verloren banen (bruto)", "Cumulatief sinds 2014 toegevoegd door groeiende invoerders / "
     "verdwenen door automatisering, verschil tussen de twee varianten (banen)."),
    ("Jobs reshored", "Jobs brought back from production abroad (jobs).",
     "Teruggehaalde banen", "Banen teruggehaald uit productie in het buitenland (reshoring; banen)."),
    ("Firms that adopted", "Firms using smart technology, difference (firms).",
     "Bedrijven die invoerden", "Bedrijven die slimme technologie gebruiken, verschil (bedrijven)."),
    ("Labour productivity", "Value added per worker, difference (thousand euro per worker).",
     "Arbeidsproductiviteit", "Toegevoegde waarde per werkende, verschil (duizend euro per werkende)."),
    ("Public spending", "Public money spent by all instruments to the horizon's end, difference (euro).",
     "Publieke uitgaven", "Publiek geld besteed door alle instrumenten tot het eind, verschil (euro)."),
    ("Cost per net job", "Extra public spending divided by net jobs; when money is saved or no job is gained "
     "the page says so in words instead.",
     "Kosten per netto baan", "Extra publieke uitgaven gedeeld door netto banen; bij besparing of zonder "
     "banenwinst zegt de pagina dat in woorden."),
    ("90% band", "Between the 5th and 95th percentile of the runs: the spread from chance and, on the calibrated "
     "parameters (the default), from what the data leave open about them (the note above the charts says which).",
     "90%-band", "Tussen het 5e en 95e percentiel van de runs: de spreiding door toeval en, met de gekalibreerde "
     "parameters (de standaard), door wat de data over die parameters openlaten (de noot boven de grafieken zegt "
     "welke)."),
    ("Fieldlab", "A shared test site where firms try a technology; capacity is firms taken in a year.",
     "Fieldlab", "Een gedeelde proeftuin waar bedrijven een technologie uitproberen; capaciteit is bedrijven "
     "per jaar."),
    ("Hub outreach", "Company visits and events of a regional hub that make firms aware of the technology.",
     "Inzet van de hub", "Bedrijfsbezoeken en bijeenkomsten van een regionale hub die bedrijven bewust maken."),
    ("Adoption subsidy", "A share of an adopter's investment paid, until the yearly budget is spent.",
     "Invoeringssubsidie", "Een deel van de investering van een invoerder betaald, tot het jaarbudget op is."),
    ("Training", "Retraining budget that moves workers into technical jobs.",
     "Scholing", "Omscholingsbudget dat werkenden naar technische banen brengt."),
)

PARAMETER_NAMES: dict[str, tuple[str, str]] = {  # technical name -> (English, Dutch)
    "bass_q": ("Imitation of adopting peers", "Navolging van collega-bedrijven"),
    "knowledge_spillover": ("Knowledge spillover between firms", "Kennisoverdracht tussen bedrijven"),
    "productivity_gain": ("Productivity gain from adopting", "Productiviteitswinst door invoering"),
}
PARAMETER_HELP: dict[str, tuple[str, str]] = {  # the slider's help line (en, nl)
    "bass_q": ("Pull of a firm's adopting peers on its move to the next stage (a rate per year).",
               "Aantrekkingskracht van invoerende collega-bedrijven op de volgende stap van een bedrijf (per "
               "jaar)."),
    "knowledge_spillover": ("How much an adopter's know-how lowers the cost and risk for the firms it is linked to.",
                            "Hoeveel de kennis van een invoerder kosten en risico verlaagt voor de bedrijven waarmee "
                            "het verbonden is."),
    "productivity_gain": ("Labour productivity gained by a firm that adopts, relative to before.",
                          "Winst in arbeidsproductiviteit van een bedrijf dat invoert, ten opzichte van daarvoor."),
}
UNIT_NAMES: dict[str, tuple[str, str]] = {  # a unit as shown (en, nl); model units and view units
    "jobs": ("jobs", "banen"), "firms": ("firms", "bedrijven"), "%": ("%", "%"),
    "kEUR/worker": ("kEUR/worker", "duizend €/werkende"), "EUR M": ("EUR M", "€ mln"),
    "1/year": ("1/year", "1/jaar"),
    "share of peers' gain": ("share of peers' gain", "deel van de winst van collega-bedrijven"),
    "share of value added per worker": ("share of value added per worker", "deel van de toegevoegde waarde per "
                                        "werkende"),
}
STAGE_NAMES: dict[str, tuple[str, str]] = {  # model.regions.STAGES -> (en, nl)
    "unaware": ("unaware", "onbekend"), "aware": ("aware", "bewust"),
    "experimenting": ("experimenting", "experimenterend"), "adopted": ("adopted", "ingevoerd"),
}
SECTOR_NAMES: dict[str, tuple[str, str]] = {  # model.regions.SECTORS -> (en, nl)
    "food": ("food", "voeding"), "textiles": ("textiles", "textiel"), "wood_paper": ("wood and paper", "hout en papier"),
    "chemicals": ("chemicals", "chemie"), "plastics": ("rubber and plastics", "rubber en kunststof"),
    "metal": ("metal", "metaal"), "electronics": ("electronics", "elektronica"), "machinery": ("machinery", "machinebouw"),
    "transport": ("transport equipment", "transportmiddelen"), "other": ("other manufacturing", "overige industrie"),
}
SCENARIO_NL: dict[str, str] = {  # shipped scenario -> Dutch description (the files' own text is English)
    "baseline": "Het historische Smart Industry-programma, voortgezet tot 2030.\nLandelijke fieldlabs, regionale hubs "
                "vanaf 2018 en EDIH's vanaf 2022, Region of Smart Factories (Noord, 2016-2020) en BOOST (Oost, "
                "2016-2020).",
    "fieldlab_expansion_north": "Vier extra fieldlabs in Groningen, Friesland en Drenthe, 2026-2030, bovenop de "
                                "baseline.",
    "hidden_champions": "Hubs verdubbelen hun inzet vanaf 2026 en maken lokale invoerders zichtbaar.\nEen tweede "
                        "EDIH-budget per hubregio, 2026-2030, voor bijeenkomsten en bedrijfsbezoeken die verborgen "
                        "kampioenen zichtbaar maken; bovenop de baseline.",
    "no_policy": "Helemaal geen beleid: de vergelijkingswereld.\nGeen fieldlabs, hubs, programma's, scholing of "
                 "subsidies; bedrijven voeren alleen in via marktbekendheid en collega-bedrijven.",
    "policy_discontinuity": "Het programma stopt eind 2027 en de steun gaat naar een ander thema.\nFieldlabs en "
                            "EDIH's stoppen in 2027K4 (aangekondigd in 2027K1); het andere thema heeft in dit model "
                            "geen effect op invoering. Vergeleken met de voortgezette baseline.",
    "region_of_smart_factories": "Alleen Region of Smart Factories (Noord, 2016-2020), tegenover geen beleid.\n"
                                 "Ongeveer € 11 mln publiek geld: drie fieldlabs in Groningen, Friesland en Drenthe "
                                 "plus scholing.",
    "reshoring_push": "Steun voor het terughalen van productie uit het buitenland vanaf 2026.\nAlle provincies, € 50 "
                      "mln over 2026-2030, bovenop de baseline.",
    "skills_offensive": "Landelijke omscholing van werkenden in routinewerk naar technische banen vanaf 2026.\n"
                        "€ 100 mln over 2026-2030, bovenop de baseline.",
}


INSTRUMENT_KINDS: dict[str, tuple[str, str]] = {  # model.policies.INSTRUMENT_TYPES -> (en, nl)
    "fieldlab": ("Fieldlab", "Fieldlab"),
    "historical_fieldlabs": ("Fieldlab of the programme", "Fieldlab van het programma"),
    "hub_outreach": ("Hub outreach", "Inzet van de hub"),
    "adoption_subsidy": ("Adoption subsidy", "Invoeringssubsidie"),
    "training": ("Training", "Scholing"),
    "reshoring_support": ("Reshoring support", "Steun voor terughalen"),
}


SCENARIO_TITLES: dict[str, tuple[str, str]] = {  # shipped scenario file -> (English, Dutch) name on the page
    "baseline": ("Smart Industry, continued", "Smart Industry, voortgezet"),
    "fieldlab_expansion_north": ("Four extra fieldlabs in the North", "Vier extra fieldlabs in het Noorden"),
    "hidden_champions": ("Hubs double their outreach", "Hubs verdubbelen hun inzet"),
    "no_policy": ("No policy", "Geen beleid"),
    "policy_discontinuity": ("The programme stops in 2027", "Het programma stopt in 2027"),
    "region_of_smart_factories": ("Region of Smart Factories alone", "Alleen Region of Smart Factories"),
    "reshoring_push": ("Support for reshoring", "Steun voor terughalen van productie"),
    "skills_offensive": ("Retraining offensive", "Scholingsoffensief"),
}


def tr(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    en, nl = TEXTS[key]
    text = nl if lang == "nl" else en
    return text.format(**values) if values else text


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "nl" else pair[0]


def parameter_name(name: str, lang: str = DEFAULT_LANG) -> str:
    return pick(PARAMETER_NAMES.get(name, (name, name)), lang)


def unit_name(unit: str, lang: str = DEFAULT_LANG) -> str:
    return pick(UNIT_NAMES.get(unit, (unit, unit)), lang)


def stage_name(stage: str, lang: str = DEFAULT_LANG) -> str:
    return pick(STAGE_NAMES[stage], lang)


def sector_name(sector: str, lang: str = DEFAULT_LANG) -> str:
    return pick(SECTOR_NAMES[sector], lang)


def region_name(code: str, lang: str = DEFAULT_LANG) -> str:
    """A province's name, or the country's for "NL"."""
    return tr("netherlands", lang) if code == "NL" else PROVINCE_NAMES[code]


def instrument_label(kind: str, first_year: int, last_year: int, lang: str = DEFAULT_LANG) -> str:
    """An instrument as the page names it: its kind and years ("Inzet van de hub 2018-2021").
    Its name in the scenario file (`hub_noord`) is an identifier, shown on hover only."""
    return f"{pick(INSTRUMENT_KINDS[kind], lang)} {first_year}\u2013{last_year}"


def quarter_label(quarter: str, lang: str = DEFAULT_LANG) -> str:
    """2030Q4, or 2030K4 in Dutch (kwartaal)."""
    return quarter.replace("Q", "K") if lang == "nl" else quarter


def scenario_title(name: str, lang: str = DEFAULT_LANG, shipped: bool = True) -> str:
    """A shipped scenario's human name in `lang` (its file name stays the command line's); an
    uploaded scenario's name as written (`shipped=False`: its name may be a shipped one's)."""
    return pick(SCENARIO_TITLES[name], lang) if shipped and name in SCENARIO_TITLES else name


def scenario_description(name: str, text: str | None, lang: str = DEFAULT_LANG) -> str:
    """A shipped scenario's description in `lang`; anything else as written."""
    return SCENARIO_NL.get(name, text or "") if lang == "nl" else (text or "")


def glossary_html(lang: str = DEFAULT_LANG) -> str:
    rows = "".join(f"<dt>{t_nl if lang == 'nl' else t}</dt><dd>{m_nl if lang == 'nl' else m}</dd>"
                   for t, m, t_nl, m_nl in GLOSSARY)
    return f'<dl class="sr-glossary" data-testid="glossary">{rows}</dl>'


def fmt_number(value: float, unit: str, signed: bool = True, lang: str = "en") -> str:
    """How every number on the page is written (tests format the command line's numbers with
    it). English: 1,234.5 and EUR 8.3M / EUR 300k; Dutch: 1.234,5 and € 8,3 mln / € 300.000."""
    if value is None or math.isnan(value):
        return tr("n/a", lang)
    if math.isinf(value):  # e.g. the upper band of a cost per job whose net jobs may be zero
        return tr("unbounded", lang) if value > 0 else "-" + tr("unbounded", lang)
    money = unit in ("EUR", "EUR/job")
    if money:
        big = abs(value) >= 1e6
        signed = signed and unit == "EUR"  # a cost per job is a ratio, not a change
        if lang == "nl":
            value, suffix, digits = (value / 1e6, " mln", 1) if big else (round(value, -3), "", 0)
        else:
            value, suffix, digits = (value / 1e6, "M", 1) if big else (value / 1e3, "k", 0)
    else:
        suffix, digits = "", {"kEUR/worker": 2, "%": 1, "EUR M": 1}.get(unit, 0)
    if round(value, digits) == 0:
        value, signed = 0.0, False  # "0", not "+0" or "-0"
    text = f"{value:{'+' if signed else ''},.{digits}f}{suffix}"
    if lang == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        return f"€ {text}" if money else text
    return f"EUR {text}" if money else text


def fmt_tick(value: float, lang: str = "en") -> str:
    """An axis tick: whole numbers from 100 up with thousands separators, else 3 digits; the
    Dutch way in Dutch (12.500, 2,5)."""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "nl" else text


def fmt_band(lo: float, hi: float, unit: str, lang: str = "en") -> str:
    lo_text, hi_text = fmt_number(lo, unit, lang=lang), fmt_number(hi, unit, lang=lang)
    return tr("n/a", lang) if lo_text == hi_text == tr("n/a", lang) else tr("band_to", lang, lo=lo_text, hi=hi_text)

