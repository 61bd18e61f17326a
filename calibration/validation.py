"""The validation tables and plots of docs/VALIDATION.md section 7, from a calibration directory.

Reads `fit.csv` (written by `calibrate`: every target's observed value, tolerance, and the
predictive ensembles of defaults, prior and posterior, all simulated AFTER the fit from the
posterior; holdouts are never simulated while ABC runs, docs/VALIDATION.md section 1) and
`calibration.json`, and writes

    validation.md      the in-sample table (fit targets) and the out-of-sample table (holdouts):
                       observed, posterior-predictive median and 90% band, within tolerance
                       yes/no; the holdout score (rule R6: the median within tolerance)
    fit_targets.png    the fit targets: (simulated - observed) / tolerance
    holdouts.png       the holdouts, the same way

`write_section(doc, text)` puts the tables into section 7 of docs/VALIDATION.md (between its
heading and section 8), leaving every other section as it is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .fit import plot_fit
from .predictive import NARROWING_THRESHOLD, SPREAD_FILE, WORDS

SECTION = re.compile(r"(## 7\. Results\n)(.*?)(\n## 8\. )", re.S)


def _num(x: float) -> str:
    if x != x:
        return "n/a"
    if abs(x) == float("inf"):
        return "unbounded" if x > 0 else "-unbounded"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{x:.0%}"


def table(df: pd.DataFrame) -> str:
    lines = ["| target | observed | tolerance | model median | 90% band | within tolerance |",
             "|---|---|---|---|---|---|"]
    for r in df.itertuples():
        lines.append(f"| `{r.target}` | {_num(r.observed)} | ±{_num(r.tolerance)} | {_num(r.posterior_median)} | "
                     f"{_num(r.posterior_p5)} - {_num(r.posterior_p95)} | {'yes' if r.fits else '**no**'} |")
    return "\n".join(lines)


def score(df: pd.DataFrame) -> str:
    return f"{int(df.fits.sum())} of {len(df)}"


def markdown(calibration_dir: Path, shown: str | None = None) -> str:
    """Section 7 from a calibration directory; `shown`: the directory's name in the text (the refit
    writes into DIR.refit and then renames it to DIR)."""
    d = Path(calibration_dir)
    fit = pd.read_csv(d / "fit.csv")
    info = json.loads((d / "calibration.json").read_text())
    pred = info.get("predictive", {})
    fits, holdouts = fit[fit.role == "fit"], fit[fit.role == "holdout"]
    model = info.get("model", {})
    head = (f"Calibration `{shown or d.as_posix()}`: {info.get('generations')} generations, {info.get('runs')} runs at scale "
            f"{info.get('settings', {}).get('scale')}, {info.get('settings', {}).get('population_size')} particles "
            f"(effective {info.get('posterior_effective_size')}), final epsilon {_num(info.get('final_epsilon', float('nan')))}; "
            f"model fingerprint `{str(model.get('fingerprint', 'not recorded'))[:12]}`. Predictive ensembles: "
            f"{pred.get('draws')} runs each at scale {pred.get('scale')}, simulated after the fit from the "
            "posterior (holdouts were never simulated during ABC). A target is within tolerance when the "
            "posterior-predictive median is (rule R6).")
    misfits = [f"`{r.target}` (median {_num(r.posterior_median)} against {_num(r.observed)} ± {_num(r.tolerance)})"
               for r in pd.concat([fits, holdouts]).itertuples() if not r.fits]
    parts = [head,
        f"### In sample: fit targets ({score(fits)} within tolerance)", table(fits),
        "![fit targets](validation_fit.png)",
        f"### Out of sample: holdouts (holdout score {score(holdouts)})", table(holdouts),
        "![holdouts](validation_holdouts.png)",
        "**Misfits** (reported, not hidden): " + ("; ".join(misfits) if misfits else "none") + "."]
    spreads = d / SPREAD_FILE
    if spreads.is_file():
        parts += ["### What the data cannot tell, and how much of each band is parameter uncertainty",
                  spread_markdown(pd.read_csv(spreads))]
    return "\n\n".join(parts) + "\n"


def spread_markdown(sp: pd.DataFrame) -> str:
    """The predictive spreads (calibration/predictive.py) as a table."""
    r0 = sp.iloc[0]
    lines = [f"Baseline against no_policy, NL, end of horizon; {int(r0.replications)} replications per ensemble at "
             f"scale {r0.scale:g}, parameters drawn per pair of replications (prior: uniform over the plausible "
             f"ranges; posterior: the weighted particles). Narrowing = 1 - posterior 90% width / prior 90% width "
             f"(cost per net job: computed on net jobs per EUR million); *not pinned down by the data* when it is "
             f"below {NARROWING_THRESHOLD:.0%} or the posterior band spans zero. Parameter share = share of the "
             "posterior band's variance from the parameter draws (law of total variance over the pairs).",
             "", "| outcome | prior 90% | posterior median [90%] | narrowing | parameter share | verdict |",
             "|---|---|---|---|---|---|"]
    for r in sp.itertuples():
        verdict = "pinned down" if r.pinned_down else f"**{WORDS}**"
        lines.append(f"| {r.outcome} | {_num(r.prior_p5)} .. {_num(r.prior_p95)} | {_num(r.posterior_median)} "
                     f"[{_num(r.posterior_p5)} .. {_num(r.posterior_p95)}] | {_pct(r.narrowing)} | "
                     f"{_pct(r.posterior_parameter_share)} | {verdict} |")
    return "\n".join(lines)


def plots(calibration_dir: Path, out: Path) -> list[Path]:
    d, out = Path(calibration_dir), Path(out)
    fit = pd.read_csv(d / "fit.csv")
    paths = []
    for role, name, what in (("fit", "fit_targets.png", "in sample"), ("holdout", "holdouts.png", "out of sample")):
        sub = fit[fit.role == role]
        path = out / name
        plot_fit(sub, path, f"{what}: {role} targets, {score(sub)} within tolerance\n"
                            "(posterior-predictive median inside the green band)")
        paths.append(path)
    return paths


def write_section(doc: Path, text: str) -> None:
    """Replace the body of section 7 of docs/VALIDATION.md with `text`."""
    s = Path(doc).read_text(encoding="utf-8")
    if not SECTION.search(s):
        raise ValueError(f"{doc}: no '## 7. Results' section followed by '## 8.'")
    Path(doc).write_text(SECTION.sub(lambda m: m.group(1) + "\n" + text + m.group(3), s, count=1), encoding="utf-8")
