"""The view on screen as one PNG to take away: the comparison's four charts with their 90%
bands, the headline numbers, the settings that made them and the command that reruns them.

Drawn with matplotlib only when asked for (a download), never on a slider move.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .compute import Outcome
from .views import CREATED, LOST, NET, POLICY_COLOUR, RESHORED, _years
from .words import fmt_band, fmt_number, fmt_tick, region_name, tr

PANELS = (  # (key of the panel's title in viz/words.py, [(metric, key of the line's label, colour, scale)])
    ("ch_adoption_diff", [("adoption_rate", "s_difference", POLICY_COLOUR, 100.0)]),
    ("ch_jobs_diff", [("jobs_created", "s_created", CREATED, 1.0), ("jobs_lost", "s_lost", LOST, 1.0),
                      ("reshored_jobs", "s_reshored", RESHORED, 1.0), ("employment", "s_net", NET, 1.0)]),
    ("ch_reshored_diff", [("reshored_jobs", "s_difference", POLICY_COLOUR, 1.0)]),
    ("ch_productivity_diff", [("labour_productivity", "s_difference", POLICY_COLOUR, 1.0)]),
)
CARDS = (("net_jobs", "unit_jobs", "jobs"), ("net_adopters", "unit_firms", "firms"),
         ("reshored_jobs", "unit_jobs", "jobs"), ("extra_public_spend_eur", "", "EUR"))  # label: tr(metric)
LINES = {LOST: "--", RESHORED: ":"}


def report_figure(o: Outcome, title: str, sentence: str, settings: str, command: str, region: str = "NL",
                  lang: str = "en") -> Figure:
    """The report as a figure (needs a comparison: o.has_counterfactual); every word in `lang`."""
    where = tr("in_netherlands", lang) if region == "NL" else region_name(region, lang)
    fig = Figure(figsize=(11.7, 8.3), dpi=110)  # A4 landscape
    fig.text(0.03, 0.97, f"{title} ({where})", fontsize=13, weight="bold", va="top")
    fig.text(0.03, 0.935, "\n".join(textwrap.wrap(sentence, 170)), fontsize=8.5, va="top")
    s = o.summary[o.summary["province"] == region].set_index("metric")
    for i, (metric, unit_key, unit) in enumerate(CARDS):
        r = s.loc[metric]
        fig.text(0.03 + 0.24 * i, 0.845, tr("r_card", lang, label=tr(metric, lang),
                                            value=fmt_number(r["difference"], unit, lang=lang),
                                            unit=tr(unit_key, lang) if unit_key else "",
                                            band=fmt_band(r["difference_p5"], r["difference_p95"], unit, lang)),
                 fontsize=9, va="top", linespacing=1.3)
    x = _years(o.quarters)
    axes = fig.subplots(2, 2, gridspec_kw={"left": 0.07, "right": 0.98, "top": 0.75, "bottom": 0.2,
                                          "hspace": 0.4, "wspace": 0.18})
    for ax, (panel, series) in zip(axes.flat, PANELS):
        for metric, label, colour, scale in series:
            mean, lo, hi = (v * scale for v in o.band(metric, region, difference=True))
            ax.fill_between(x, lo, hi, color=colour, alpha=0.2, lw=0)
            ax.plot(x, mean, color=colour, ls=LINES.get(colour, "-"), lw=1.6, label=tr(label, lang))
        ax.axhline(0, color="#888", lw=0.8)
        ax.set_title(tr(panel, lang, where=where), fontsize=10)
        ax.set_xlabel(tr("r_year", lang), fontsize=8, labelpad=1)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole years: 2017.5 is no year
        ax.xaxis.set_major_formatter("{x:.0f}")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_tick(v, lang)))  # as the page writes them
        if len(series) > 1:
            ax.legend(fontsize=8, frameon=False, loc="upper left")
    fig.text(0.03, 0.13, "\n".join(textwrap.wrap(settings, 190)), fontsize=8, va="top")
    fig.text(0.03, 0.04, tr("r_rerun", lang, command=command), fontsize=8, family="monospace", va="top")
    return fig


def drawn_text(fig: Figure) -> str:
    """Every word drawn on `fig` (titles, labels, tick labels, legend, notes), after a draw."""
    fig.canvas.draw()  # tick labels exist only once drawn
    return "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text())


def report_png(o: Outcome, title: str, sentence: str, settings: str, command: str, region: str = "NL",
               lang: str = "en") -> bytes:
    """PNG bytes of the report. Its text chunks say what is drawn: Title, Language, and in
    Description every word on it (so a test, or a search, reads the words without OCR)."""
    fig = report_figure(o, title, sentence, settings, command, region, lang)
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Title": title, "Language": lang, "Description": drawn_text(fig)})
    return buf.getvalue()
