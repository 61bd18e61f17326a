"""Bar chart of sensitivity indices: one panel per outcome, the most influential parameters on
top, error bars = 95% bootstrap intervals (SALib's conf)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .sensitivity import OUTCOMES, ranking

TOP = 12


def plot(indices: pd.DataFrame, method: str, path: Path, title: str) -> None:
    outcomes = [o for o in OUTCOMES if (indices["outcome"] == o).any()]
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 0.32 * TOP + 1.8), squeeze=False)
    for ax, outcome in zip(axes[0], outcomes):
        top = ranking(indices, outcome, method).head(TOP).iloc[::-1]
        y = np.arange(len(top))
        sel = indices[indices["outcome"] == outcome].set_index(["parameter", "index"])
        if method == "sobol":
            s1 = sel.loc[[(p, "S1") for p in top["parameter"]]]
            ax.barh(y, top["value"], xerr=top["conf"], color="#92c5de", label="total order ST", capsize=2)
            ax.barh(y, s1["value"], height=0.45, xerr=s1["conf"], color="#2166ac", label="first order S1",
                    capsize=2)
            ax.set_xlabel("share of output variance", fontsize=8)
        else:
            sigma = sel.loc[[(p, "sigma") for p in top["parameter"]], "value"]
            ax.barh(y, top["value"], xerr=top["conf"], color="#2166ac", label="mu* (mean |effect|)", capsize=2)
            ax.plot(sigma.to_numpy(), y, "o", color="#f4a582", ms=4, label="sigma (interactions)")
            ax.set_xlabel("elementary effect over the plausible range", fontsize=8)
        ax.set_yticks(y, top["parameter"], fontsize=8)
        ax.set_title("\n".join(textwrap.wrap(OUTCOMES[outcome], 36)), fontsize=9)  # long titles ran off the figure
        ax.axvline(0, color="#444444", lw=0.8)
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(4))
    axes[0][0].legend(fontsize=7, loc="lower right")
    skipped = indices.attrs.get("skipped") or []
    note = "".join(f"\n{OUTCOMES[o]}: not analysed, undefined at {n} sample points (net jobs <= 0)"
                   for o, n in skipped)
    fig.suptitle(title + note, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
