"""The one place that reads calibration/data: public figures and documented assumptions.

Every CSV in calibration/data carries a `source` column (a citation, or "assumption: <why>");
calibration/data/README.md explains each file. Arrays come back in the fixed orders of
`model.regions`: provinces in PROVINCES order, sectors in SECTORS order, size classes in
SIZE_CLASSES order.

Gaps are filled here and flagged, never silently (the data-gap table is in the README):
- `fieldlabs_active` interpolates linearly between anchor quarters and holds the last anchor
  (39 fieldlabs, 2019Q1) afterwards. That hold is an assumption: later openings and closures
  are not in the data, and new fieldlabs are scenario policies.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from smartregion.model import regions
from smartregion.model.timeline import parse_quarter

# Package data (pyproject.toml), found through the import system so that it is the installed copy
# in a wheel install and the clone's files in an editable one; the package is always on disk.
DATA_DIR: Path = Path(str(resources.files("smartregion") / "calibration" / "data"))

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
    "validation_figures.csv": ("indicator", "breakdown", "category", "value", "unit", "year", "source"),
    "corop_regions.csv": ("corop", "name", "province", "lat", "lon", "manufacturing_va_meur", "va_kind",
                          "hotspot", "source"),
    "manufacturing_accounts.csv": ("region", "indicator", "value", "unit", "sbi", "year", "table", "source"),
    "province_sector_tilt.csv": ("province", "sector", "tilt", "source"),
    "sector_links.csv": ("sector_a", "sector_b", "weight", "source"),
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


def corop_table() -> pd.DataFrame:
    """The 40 COROP areas in file order (index = COROP index): province, centre, weight, hotspot."""
    df = load("corop_regions.csv")
    if df["corop"].duplicated().any():
        raise DataError(f"corop_regions.csv: duplicate corop {sorted(df.loc[df['corop'].duplicated(), 'corop'])}")
    bad = sorted(set(df["province"]) - set(regions.PROVINCES))
    missing = [p for p in regions.PROVINCES if p not in set(df["province"])]
    if bad or missing:
        raise DataError(f"corop_regions.csv: unknown province(s) {bad} / province(s) without a COROP area {missing}")
    if (df["manufacturing_va_meur"] <= 0).any():
        raise DataError("corop_regions.csv: manufacturing_va_meur must be positive")
    return df.reset_index(drop=True)


def province_sector_tilt() -> np.ndarray:
    """12x10 relative over-representation of a branch in a province (1 where the file is silent)."""
    df = load("province_sector_tilt.csv")
    out = np.ones((len(regions.PROVINCES), len(regions.SECTORS)))
    for row in df.itertuples():
        if row.province not in regions.PROVINCE_INDEX or row.sector not in regions.SECTOR_INDEX:
            raise DataError(f"province_sector_tilt.csv: unknown province/sector {row.province}/{row.sector}")
        out[regions.PROVINCE_INDEX[row.province], regions.SECTOR_INDEX[row.sector]] = float(row.tilt)
    return out


def sector_links() -> np.ndarray:
    """Symmetric 10x10 weights of peer links between different branches (1 where the file is
    silent, 0 on the diagonal: links within the own branch are a separate parameter)."""
    df = load("sector_links.csv")
    out = np.ones((len(regions.SECTORS), len(regions.SECTORS)))
    for row in df.itertuples():
        if row.sector_a not in regions.SECTOR_INDEX or row.sector_b not in regions.SECTOR_INDEX:
            raise DataError(f"sector_links.csv: unknown sector {row.sector_a}/{row.sector_b}")
        a, b = regions.SECTOR_INDEX[row.sector_a], regions.SECTOR_INDEX[row.sector_b]
        out[a, b] = out[b, a] = float(row.weight)
    np.fill_diagonal(out, 0.0)
    return out


def manufacturing_account(region: str, indicator: str) -> float:
    """One figure from manufacturing_accounts.csv (unit, SBI scope, year and table in the file)."""
    df = load("manufacturing_accounts.csv")
    hit = df.loc[(df["region"] == region) & (df["indicator"] == indicator), "value"]
    if hit.empty:
        raise DataError(f"manufacturing_accounts.csv: no row {region}/{indicator}")
    return float(hit.iloc[0])


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
