"""The one place that reads calibration/data: public figures and documented assumptions.

Every CSV in calibration/data carries a `source` column (a citation, or "assumption: <why>");
calibration/data/README.md explains each file. Arrays come back in the fixed orders of
`model.regions`: provinces in PROVINCES order, sectors in SECTORS order, size classes in
SIZE_CLASSES order.

Gaps are filled here and flagged, never silently:
- value added per labour year is missing for NB and LI; `province_productivity` fills them
  with the NL value and returns the filled codes;
- `fieldlabs_active` interpolates linearly between anchor quarters and holds the last anchor
  (39 fieldlabs, 2019Q1) afterwards. That hold is an assumption: later openings and closures
  are not in the data, and new fieldlabs are scenario policies.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from smartregion.model import regions
from smartregion.model.timeline import parse_quarter

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "calibration" / "data"

# Columns each file must have; checked on load so a broken file fails at the door.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "province_figures.csv": ("province", "indicator", "value", "unit", "year", "source"),
    "national_figures.csv": ("indicator", "value", "unit", "year", "source"),
    "fieldlabs_active.csv": ("quarter", "active", "kind", "source"),
    "fieldlab_province_weights.csv": ("province", "weight", "kind", "source"),
    "robot_use_2018.csv": ("breakdown", "category", "value", "unit", "year", "source"),
    "sectors.csv": ("sector", "firm_share", "routine_share", "mid_share", "tech_share",
                    "productivity_factor", "gain_factor", "offshoring_factor", "source"),
    "firm_size_classes.csv": ("size_class", "firms", "mean_employees", "kind", "source"),
}


class DataError(ValueError):
    """A calibration data file is missing, incomplete or inconsistent."""


@functools.lru_cache(maxsize=None)
def _read(path: Path) -> pd.DataFrame:
    # Keyed on the full path, so pointing DATA_DIR elsewhere (tests) never returns stale data.
    if not path.is_file():
        raise DataError(f"{path.name}: file not found in {path.parent}")
    # Years such as "2015-2019" or "unstated" are legitimate, so keep them as text.
    df = pd.read_csv(path, dtype={"year": str, "quarter": str})
    needed = REQUIRED_COLUMNS.get(path.name, ("source",))
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
    empty = df["source"].isna() | (df["source"].astype(str).str.strip() == "")
    if empty.any():
        rows = ", ".join(str(i + 2) for i in df.index[empty])  # +2: header line, 1-based
        raise DataError(f"{path.name}: empty source on line(s) {rows}")
    return df


def load(name: str) -> pd.DataFrame:
    """The CSV `DATA_DIR/name` as a DataFrame (a fresh copy: callers may modify it)."""
    return _read(DATA_DIR / name).copy()


def _in_order(df: pd.DataFrame, name: str, key: str, order: tuple[str, ...]) -> pd.DataFrame:
    """Index df by `key` in the canonical order; every code must be present exactly once."""
    if df[key].duplicated().any():
        raise DataError(f"{name}: duplicate {key} {sorted(df.loc[df[key].duplicated(), key])}")
    missing = [k for k in order if k not in set(df[key])]
    if missing:
        raise DataError(f"{name}: missing {key} {', '.join(missing)}")
    return df.set_index(key).loc[list(order)]


def _province_indicator(indicator: str) -> pd.Series:
    """Values of one indicator from province_figures.csv, indexed by province code (incl. NL)."""
    df = load("province_figures.csv")
    return df.loc[df["indicator"] == indicator].set_index("province")["value"].astype(float)


def province_manufacturing_employment() -> np.ndarray:
    """Manufacturing (industry) employment per province, persons.

    employed persons 2015 (thousands) x industry share of employment 2014 (percent): the two
    CBS years differ by one, which is fine for a starting population.
    """
    emp = _province_indicator("employed_persons")
    share = _province_indicator("industry_employment_share")
    for label, s in (("employed_persons", emp), ("industry_employment_share", share)):
        missing = [p for p in regions.PROVINCES if p not in s.index]
        if missing:
            raise DataError(f"province_figures.csv: {label} missing for {', '.join(missing)}")
    p = list(regions.PROVINCES)
    return (emp[p] * 1000.0 * share[p] / 100.0).to_numpy(dtype=float)


def province_productivity() -> tuple[np.ndarray, list[str]]:
    """Value added per labour year per province (kEUR, 2022) and the provinces filled with NL.

    NB and LI are not in the brief's table; they get the national value so that the model
    runs, and the returned list lets callers flag them in outputs.
    """
    va = _province_indicator("value_added_per_labour_year")
    if regions.NATIONAL not in va.index:
        raise DataError("province_figures.csv: value_added_per_labour_year missing for NL (needed as fill)")
    filled = [p for p in regions.PROVINCES if p not in va.index]
    values = np.array([va.get(p, va[regions.NATIONAL]) for p in regions.PROVINCES], dtype=float)
    return values, filled


def national(indicator: str) -> float:
    """One figure from national_figures.csv (unit and source are in the file)."""
    df = load("national_figures.csv")
    hit = df.loc[df["indicator"] == indicator, "value"]
    if hit.empty:
        raise DataError(f"national_figures.csv: no indicator '{indicator}'")
    return float(hit.iloc[0])


def firm_size_classes() -> pd.DataFrame:
    """Establishments and mean employees per size class, indexed in SIZE_CLASSES order."""
    return _in_order(load("firm_size_classes.csv"), "firm_size_classes.csv", "size_class",
                     regions.SIZE_CLASSES)


def sector_table() -> pd.DataFrame:
    """Sector shares, skill mix and relative factors, indexed in SECTORS order."""
    return _in_order(load("sectors.csv"), "sectors.csv", "sector", regions.SECTORS)


def fieldlabs_active(start_q: int, end_q: int) -> np.ndarray:
    """Active historical fieldlabs for each absolute quarter start_q..end_q (inclusive).

    Linear between anchors, 0 before the first anchor; after the last anchor (2019Q1) the
    count is held constant. That hold is an assumption: the brief has no later counts.
    """
    df = load("fieldlabs_active.csv")
    anchors = np.array([parse_quarter(q) for q in df["quarter"]])
    order = np.argsort(anchors)
    counts = df["active"].to_numpy(dtype=float)[order]
    quarters = np.arange(start_q, end_q + 1)
    return np.rint(np.interp(quarters, anchors[order], counts, left=0.0, right=counts[-1])).astype(int)


def fieldlab_province_weights() -> np.ndarray:
    """Share of the historical fieldlabs located in each province (sums to 1)."""
    df = _in_order(load("fieldlab_province_weights.csv"), "fieldlab_province_weights.csv", "province",
                   regions.PROVINCES)
    w = df["weight"].to_numpy(dtype=float)
    if not np.isclose(w.sum(), 1.0, atol=1e-6):
        raise DataError(f"fieldlab_province_weights.csv: weights sum to {w.sum():.6f}, not 1")
    return w


def robot_use() -> pd.DataFrame:
    """CBS robot use 2018 (percent of firms with >=10 workers) by sector, size and in total."""
    return load("robot_use_2018.csv")
