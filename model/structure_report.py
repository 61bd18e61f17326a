"""Each province's structure as the model sees it, against the data it was built from.

`structure.csv` (one row per province and NL) and `structure.png` in a run's output directory:
firms and employment in the first quarter, branch shares, productivity level in 2014Q4 and the
last quarter, and yearly productivity growth 2014Q4-2019Q4, each next to the published figure or
derived input (columns `*_data`). Model values are means over replications of the policy arm.
Data columns are empty where nothing was found (calibration/data/README.md, data-gap table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data
from .model import METRICS, REGIONS_OUT
from .population import cell_counts, province_sector_shares
from .regions import PROVINCE_NAMES, SECTORS

ONE_PERSON_ESTABLISHMENTS = 51_620  # CBS 81644NED 2022, C Industrie: not modelled (firm_size_classes.csv)


def _be_2011(region: str) -> float:
    """Published B-E value added per labour year 2011 (kEUR), or NaN where the page had no row."""
    try:
        return data.manufacturing_account(region, "value_added") / data.manufacturing_account(region, "labour_years")
    except data.DataError:
        return float("nan")


def structure_table(quarters: list[str], runs: np.ndarray, scale: float) -> pd.DataFrame:
    """`runs`: policy arm, [replication, quarter, region, metric] (results.metric_arrays)."""
    mean = np.nanmean(runs, axis=0)  # [quarter, region, metric]

    def at(q: str, metric: str) -> np.ndarray:  # per region; NaN when the horizon misses q
        if q not in quarters:
            return np.full(len(REGIONS_OUT), np.nan)
        return mean[quarters.index(q), :, METRICS.index(metric)]

    first, last = quarters[0], quarters[-1]
    emp_data = data.province_manufacturing_employment()
    # the model's counts are for the whole economy at any scale (model/units.py): so are the data's
    emp_data = emp_data * (1 - ONE_PERSON_ESTABLISHMENTS / emp_data.sum())
    sizes, sectors = data.firm_size_classes(), data.sector_table()
    share = province_sector_shares(emp_data / emp_data.sum(), sectors["firm_share"].to_numpy(),
                                   data.province_sector_tilt())
    firms_data = sizes["firms"].sum() * emp_data / emp_data.sum()
    counts = cell_counts(share, sizes["firms"].to_numpy(), scale).sum(axis=0)  # [province, sector], as drawn
    mix = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    nl_mix = counts.sum(axis=0)

    p14, p19 = at("2014Q4", "labour_productivity"), at("2019Q4", "labour_productivity")
    growth = 100 * ((p19 / p14) ** (1 / 5) - 1)
    va = at(first, "employment") * at(first, "labour_productivity")
    rows = []
    for r, region in enumerate(REGIONS_OUT):
        prov = region != "NL"
        row = {
            "region": region, "name": PROVINCE_NAMES.get(region, "Netherlands"),
            "firms": at(first, "firms")[r],
            "firms_data": firms_data[r] if prov else firms_data.sum(),
            "employment": at(first, "employment")[r],
            "employment_data": emp_data[r] if prov else emp_data.sum(),
            "share_of_nl_value_added_pct": 100 * va[r] / va[-1],
            "share_of_nl_value_added_pct_data": {"NB": 27.3}.get(region, np.nan),  # CBS 2016 (held out)
            "productivity_2014": p14[r],
            "productivity_data_2015_nl_manufacturing": data.manufacturing_account("NL", "manufacturing_productivity"),
            "productivity_data_2011_be_published": _be_2011(region),
            f"productivity_{last[:4]}": at(last, "labour_productivity")[r],
            "productivity_growth_2014_2019_pct": growth[r],
            "productivity_growth_data": np.nan,  # not found; held out (README)
        }
        shares = mix[r] if prov else nl_mix / nl_mix.sum()
        for s, sector in enumerate(SECTORS):
            row[f"share_{sector}"] = shares[s]
        rows.append(row)
    return pd.DataFrame(rows)


def structure_figure(table: pd.DataFrame):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    prov = table[table["region"] != "NL"].reset_index(drop=True)
    fig, ax = plt.subplots(2, 2, figsize=(13, 9))
    x = np.arange(len(prov))
    w = 0.4
    a = ax[0, 0]
    a.bar(x - w / 2, prov["employment"] / 1000, w, label="model, first quarter")
    a.bar(x + w / 2, prov["employment_data"] / 1000, w, label="data: CBS employed x industry share, minus 1-person est.")
    a.set_title("Manufacturing employment (thousand)")
    a.legend(fontsize=8)
    a = ax[0, 1]
    bottom = np.zeros(len(prov))
    cmap = plt.get_cmap("tab10")
    for s, sector in enumerate(SECTORS):
        a.bar(x, prov[f"share_{sector}"], 0.7, bottom=bottom, color=cmap(s), label=sector)
        bottom += prov[f"share_{sector}"].to_numpy()
    a.set_title("Firms by branch (share), as allocated")
    a.set_xlim(-0.6, len(prov) + 2.4)  # room for the legend on the right
    a.legend(fontsize=7, loc="center right")
    a = ax[1, 0]
    a.bar(x - w / 2, prov["productivity_2014"], w, label="model 2014Q4")
    a.bar(x + w / 2, prov["productivity_data_2011_be_published"], w, label="CBS B-E 2011 (incl. mining/energy)")
    a.axhline(prov["productivity_data_2015_nl_manufacturing"].iloc[0], color="k", ls="--", lw=1,
              label="NL manufacturing 2015 (derived)")
    a.set_ylim(0, 200)
    a.set_title("Value added per worker (kEUR)\nGR's B-E bar (476) is gas extraction, cut off")
    a.legend(fontsize=8)
    a = ax[1, 1]
    a.bar(x, prov["productivity_growth_2014_2019_pct"], 0.7, color="tab:green")
    nl = table.loc[table["region"] == "NL", "productivity_growth_2014_2019_pct"].iloc[0]
    a.axhline(nl, color="k", ls="--", lw=1, label=f"NL {nl:.2f}%")
    a.set_title("Productivity growth 2014-2019, model (% a year)\nno published figure: held out")
    a.legend(fontsize=8)
    for a in ax.ravel():
        a.set_xticks(x)
        a.set_xticklabels(prov["region"])
    fig.suptitle("Province structure as the model sees it, against the data it was built from")
    fig.tight_layout()
    return fig


def write(stage, quarters: list[str], runs: np.ndarray, scale: float) -> None:
    table = structure_table(quarters, runs, scale)
    table.to_csv(stage / "structure.csv", index=False, float_format="%.4g", lineterminator="\n")
    import matplotlib.pyplot as plt

    fig = structure_figure(table)
    fig.savefig(stage / "structure.png", dpi=90)
    plt.close(fig)
