"""Checks on calibration/data and its loader, model.data."""

import numpy as np
import pandas as pd
import pytest

from smartregion.model import data, regions
from smartregion.model.timeline import parse_quarter

CSV_FILES = sorted(p.name for p in data.DATA_DIR.glob("*.csv"))


def test_all_expected_files_exist():
    assert set(data.REQUIRED_COLUMNS) <= set(CSV_FILES)


@pytest.mark.parametrize("name", CSV_FILES)
def test_every_row_has_a_source(name):
    # Read raw (not through the loader) so this test checks the files themselves.
    df = pd.read_csv(data.DATA_DIR / name, dtype=str)
    assert "source" in df.columns
    assert df["source"].notna().all() and (df["source"].str.strip() != "").all()


def test_province_figures_cover_all_provinces():
    df = data.load("province_figures.csv")
    for indicator in ("employed_persons", "industry_employment_share"):
        have = set(df.loc[df["indicator"] == indicator, "province"])
        assert set(regions.PROVINCES) <= have, indicator


def test_manufacturing_employment_close_to_national_share():
    manuf = data.province_manufacturing_employment()
    assert manuf.shape == (len(regions.PROVINCES),) and (manuf > 0).all()
    # NL industry share is 10%; the province sum must land near 10% of total employment.
    df = data.load("province_figures.csv")
    total = df.loc[df["indicator"] == "employed_persons", "value"].sum() * 1000
    assert manuf.sum() / total == pytest.approx(0.10, abs=0.005)


def test_productivity_fills_nb_li_with_nl():
    values, filled = data.province_productivity()
    assert filled == ["NB", "LI"]
    nl = 105.6
    assert values[regions.PROVINCE_INDEX["NB"]] == nl and values[regions.PROVINCE_INDEX["LI"]] == nl
    assert values[regions.PROVINCE_INDEX["NH"]] == 120.4


def test_sector_and_skill_shares_sum_to_one():
    t = data.sector_table()
    assert list(t.index) == list(regions.SECTORS)
    assert t["firm_share"].sum() == pytest.approx(1.0, abs=1e-6)
    skills = t[["routine_share", "mid_share", "tech_share"]].sum(axis=1)
    assert np.allclose(skills, 1.0, atol=1e-6)


def test_size_classes_match_cbs_counts():
    s = data.firm_size_classes()
    assert list(s.index) == list(regions.SIZE_CLASSES)
    assert s.loc["2-9", "firms"] == 17705
    assert s.loc[["10-49", "50-249", "250+"], "firms"].sum() == data.national("establishments_10plus") == 9720


def test_fieldlabs_active_anchors_and_monotone():
    start, end = parse_quarter("2013Q1"), parse_quarter("2030Q4")
    series = data.fieldlabs_active(start, end)
    assert len(series) == end - start + 1
    at = lambda q: series[parse_quarter(q) - start]  # noqa: E731
    assert at("2013Q4") == 0
    assert at("2014Q4") == 10 and at("2018Q4") == 35 and at("2019Q1") == 39
    assert at("2030Q4") == 39  # held after the last anchor
    assert (np.diff(series) >= 0).all()


def test_fieldlab_province_weights():
    w = data.fieldlab_province_weights()
    assert w.shape == (len(regions.PROVINCES),)
    assert w.sum() == pytest.approx(1.0, abs=1e-6)
    assert w[regions.PROVINCE_INDEX["ZH"]] + w[regions.PROVINCE_INDEX["NB"]] > 0.5


def test_robot_use_totals():
    r = data.robot_use()
    totals = r[r["breakdown"] == "total"].set_index("category")["value"]
    assert totals["manufacturing_10plus"] == 29 and totals["all_firms_10plus"] == 7
    assert set(r.loc[r["breakdown"] == "sector", "category"]) <= set(regions.SECTORS)


def test_national_unknown_indicator_names_it():
    with pytest.raises(data.DataError, match="no_such_figure"):
        data.national("no_such_figure")


def test_missing_file_raises_data_error_naming_it():
    with pytest.raises(data.DataError, match="does_not_exist.csv"):
        data.load("does_not_exist.csv")


def test_missing_column_raises_data_error(tmp_path, monkeypatch):
    (tmp_path / "sectors.csv").write_text("sector,firm_share,source\nfood,1.0,assumption: test\n")
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    with pytest.raises(data.DataError, match=r"sectors.csv: missing column\(s\) routine_share"):
        data.load("sectors.csv")


def test_load_returns_copies():
    a = data.load("sectors.csv")
    a.loc[0, "firm_share"] = 99
    assert data.load("sectors.csv").loc[0, "firm_share"] != 99
