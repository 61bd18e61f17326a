"""The page's words in English and Dutch: introduction, glossary, headings, card labels, and
human names for the parameters the page offers (the technical name shows on hover).

`tr(key, lang)` gives the text; a key without a Dutch text falls back to English, so a page
half-translated still says everything. The sentences computed from the results (the
decomposition, money in words) are English only for now.
"""

from __future__ import annotations

LANGS = {"en": "English", "nl": "Nederlands"}

TEXTS: dict[str, tuple[str, str]] = {
    "explorer": ("Explorer", "Verkenner"),
    "single_run": ("Single run", "Eén run"),
    "compare": ("Compare scenarios", "Scenario's vergelijken"),
    "scenario": ("Scenario", "Scenario"),
    "levers": ("Policy levers", "Beleidsknoppen"),
    "levers_sub": ("new policy from 2026Q1, on top of the scenario", "nieuw beleid vanaf 2026Q1, bovenop het scenario"),
    "uncertain": ("Uncertain assumptions", "Onzekere aannames"),
    "uncertain_sub": ("plausible ranges from model/params.py", "plausibele bereiken uit model/params.py"),
    "export": ("Take it away", "Meenemen"),
    "cmp_levers": ("What my levers add", "Wat mijn knoppen toevoegen"),
    "cmp_scenario": ("Scenario against no policy", "Scenario tegenover geen beleid"),
    "region": ("Region", "Regio"),
    "show_levels": ("Show levels of each arm instead of differences",
                    "Toon niveaus per variant in plaats van verschillen"),
    "net_jobs": ("Net jobs", "Netto banen"),
    "jobs_created": ("Jobs created (gross)", "Banen gecreëerd (bruto)"),
    "jobs_lost": ("Jobs lost (gross)", "Banen verloren (bruto)"),
    "reshored_jobs": ("Jobs reshored", "Banen teruggehaald (reshoring)"),
    "net_adopters": ("Firms that adopted", "Bedrijven die invoerden"),
    "labour_productivity": ("Labour productivity", "Arbeidsproductiviteit"),
    "extra_public_spend_eur": ("Public spending", "Publieke uitgaven"),
    "cost_per_net_job_eur": ("Public cost per net job", "Publieke kosten per netto baan"),
    "band": ("90% band", "90%-band"),
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
    "glossary": ("Glossary", "Woordenlijst"),
}

GLOSSARY: tuple[tuple[str, str, str, str], ...] = (  # (term en, meaning en, term nl, meaning nl)
    ("Net jobs", "Employment with the policy minus employment without it at the horizon's end (jobs).",
     "Netto banen", "Werkgelegenheid met het beleid min die zonder, aan het eind van de periode (banen)."),
    ("Jobs created / lost (gross)", "Cumulative jobs added by growing adopters / removed by automation since "
     "2014, difference between the two arms (jobs).",
     "Banen gecreëerd / verloren (bruto)", "Cumulatief sinds 2014 toegevoegd door groeiende invoerders / "
     "verdwenen door automatisering, verschil tussen de twee varianten (banen)."),
    ("Jobs reshored", "Jobs brought back from production abroad (jobs).",
     "Teruggehaalde banen", "Banen teruggehaald uit productie in het buitenland (banen)."),
    ("Firms that adopted", "Firms using smart technology, difference (firms).",
     "Bedrijven die invoerden", "Bedrijven die slimme technologie gebruiken, verschil (bedrijven)."),
    ("Labour productivity", "Value added per worker, difference (thousand euro per worker).",
     "Arbeidsproductiviteit", "Toegevoegde waarde per werknemer, verschil (duizend euro per werknemer)."),
    ("Public spending", "Public money spent by all instruments to the horizon's end, difference (euro).",
     "Publieke uitgaven", "Publiek geld besteed door alle instrumenten tot het eind, verschil (euro)."),
    ("Cost per net job", "Extra public spending divided by net jobs; when money is saved or no job is gained "
     "the page says so in words instead.",
     "Kosten per netto baan", "Extra publieke uitgaven gedeeld door netto banen; bij besparing of zonder "
     "banenwinst zegt de pagina dat in woorden."),
    ("90% band", "Between the 5th and 95th percentile of the runs: the spread from chance alone.",
     "90%-band", "Tussen het 5e en 95e percentiel van de runs: de spreiding door toeval alleen."),
    ("Fieldlab", "A shared test site where firms try a technology; capacity is firms taken in a year.",
     "Fieldlab", "Een gedeelde proeftuin waar bedrijven een technologie uitproberen; capaciteit is bedrijven "
     "per jaar."),
    ("Hub outreach", "Company visits and events of a regional hub that make firms aware of the technology.",
     "Hub-ondersteuning", "Bedrijfsbezoeken en bijeenkomsten van een regionale hub die bedrijven bewust maken."),
    ("Adoption subsidy", "A share of an adopter's investment paid, until the yearly budget is spent.",
     "Invoeringssubsidie", "Een deel van de investering van een invoerder betaald, tot het jaarbudget op is."),
    ("Training", "Retraining budget that moves workers into technical jobs.",
     "Scholing", "Omscholingsbudget dat werknemers naar technische banen brengt."),
)

PARAMETER_NAMES: dict[str, tuple[str, str]] = {  # technical name -> (English, Dutch)
    "bass_q": ("Imitation of adopting peers", "Navolging van collega-bedrijven"),
    "knowledge_spillover": ("Knowledge spillover between firms", "Kennisoverdracht tussen bedrijven"),
    "productivity_gain": ("Productivity gain from adopting", "Productiviteitswinst door invoering"),
}


def tr(key: str, lang: str = "en") -> str:
    en, nl = TEXTS[key]
    return nl if lang == "nl" and nl else en


def parameter_name(name: str, lang: str = "en") -> str:
    en, nl = PARAMETER_NAMES.get(name, (name, name))
    return nl if lang == "nl" else en


def glossary_html(lang: str = "en") -> str:
    rows = "".join(f"<dt>{t_nl if lang == 'nl' else t}</dt><dd>{m_nl if lang == 'nl' else m}</dd>"
                   for t, m, t_nl, m_nl in GLOSSARY)
    return f'<dl class="sr-glossary" data-testid="glossary">{rows}</dl>'
