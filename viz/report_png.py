"""The view on screen as one PNG to take away: the comparison's four charts with their 90%
bands, the headline numbers, the settings that made them and the command that reruns them.

Drawn with matplotlib only when asked for (a download), never on a slider move.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.figure import Figure

from smartregion.model.regions import PROVINCE_NAMES

from .compute import Outcome
from .views import CREATED, LOST, NET, POLICY_COLOUR, RESHORED, _years, fmt_band, fmt_number

PANELS = (  # (title, [(metric, label, colour, scale)])
    ("Extra adopting firms, percentage points", [("adoption_rate", "difference", POLICY_COLOUR, 100.0)]),
    ("Extra jobs since 2014", [("jobs_created", "created", CREATED, 1.0), ("jobs_lost", "lost", LOST, 1.0),
                               ("reshored_jobs", "reshored", RESHORED, 1.0), ("employment", "net", NET, 1.0)]),
    ("Extra reshored jobs, cumulative", [("reshored_jobs", "difference", POLICY_COLOUR, 1.0)]),
    ("Productivity difference, kEUR per worker", [("labour_productivity", "difference", POLICY_COLOUR, 1.0)]),
)
LINES = {LOST: "--", RESHORED: ":"}


def report_png(o: Outcome, title: str, sentence: str, settings: str, command: str, region: str = "NL") -> bytes:
    """PNG bytes of the report (needs a comparison: o.has_counterfactual)."""
    where = "the Netherlands" if region == "NL" else PROVINCE_NAMES[region]
    fig = Figure(figsize=(11.7, 8.3), dpi=110)  # A4 landscape
    fig.text(0.03, 0.97, f"{title} ({where})", fontsize=13, weight="bold", va="top")
    fig.text(0.03, 0.935, "\n".join(textwrap.wrap(sentence, 170)), fontsize=8.5, va="top")
    s = o.summary[o.summary["province"] == region].set_index("metric")
    cards = [("Net jobs", "net_jobs", "jobs"), ("Firms that adopted", "net_adopters", "firms"),
             ("Jobs reshored", "reshored_jobs", "jobs"), ("Public spending", "extra_public_spend_eur", "EUR")]
    for i, (label, metric, unit) in enumerate(cards):
        r = s.loc[metric]
        fig.text(0.03 + 0.24 * i, 0.855, f"{label}: {fmt_number(r['difference'], unit)} {unit if unit != 'EUR' else ''}"
                 f"\n90% band {fmt_band(r['difference_p5'], r['difference_p95'], unit)}", fontsize=9, va="top")
    x = _years(o.quarters)
    axes = fig.subplots(2, 2, gridspec_kw={"left": 0.07, "right": 0.98, "top": 0.78, "bottom": 0.2,
                                          "hspace": 0.35, "wspace": 0.18})
    for ax, (panel, series) in zip(axes.flat, PANELS):
        for metric, label, colour, scale in series:
            mean, lo, hi = (v * scale for v in o.band(metric, region, difference=True))
            ax.fill_between(x, lo, hi, color=colour, alpha=0.2, lw=0)
            ax.plot(x, mean, color=colour, ls=LINES.get(colour, "-"), lw=1.6, label=label)
        ax.axhline(0, color="#888", lw=0.8)
        ax.set_title(panel, fontsize=10)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_formatter("{x:.0f}")
        if len(series) > 1:
            ax.legend(fontsize=8, frameon=False, loc="upper left")
    fig.text(0.03, 0.13, "\n".join(textwrap.wrap(settings, 190)), fontsize=8, va="top")
    fig.text(0.03, 0.04, f"Rerun with identical numbers: {command}", fontsize=8, family="monospace", va="top")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
