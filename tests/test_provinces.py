"""Provinces by code or by name, in scenario files, on the command line and in the outputs."""

from __future__ import annotations

import pandas as pd
import pytest

from smartregion.model.regions import PROVINCE_NAMES, PROVINCES, province_code
from smartregion.model.scenario import ScenarioError, scenario_from_yaml_text, scenario_json_schema

from conftest import cli as run_py

FILE = """extends: baseline
counterfactual: baseline
policies:
  - name: extra
    type: fieldlab
    provinces: {provinces}
    start: 2026Q1
    end: 2030Q4
    budget_eur: 6_000_000
"""


@pytest.mark.parametrize("written, codes", [
    ("[Limburg]", ["LI"]), ("[li]", ["LI"]), ("Noord-Brabant", ["NB"]), ("[noord brabant, ZEELAND]", ["NB", "ZE"]),
    ("[Fryslân]", ["FR"]), ("[Friesland]", ["FR"]), ("[fryslan, Groningen]", ["FR", "GR"]), ("[zuid]", ["NB", "LI", "ZE"]),
    ("[North Holland, Zuid-Holland]", ["NH", "ZH"]),
])
def test_scenario_files_accept_codes_and_names(written, codes):
    s = scenario_from_yaml_text(FILE.format(provinces=written), "x.yaml")
    assert s.instrument("extra").provinces == codes


def test_every_official_name_and_code_maps_back():
    for code, name in PROVINCE_NAMES.items():
        assert province_code(name) == province_code(name.upper()) == province_code(code.lower()) == code
    assert province_code("Nederland") is None and province_code("Limburgg") is None


def test_unknown_province_gets_a_suggestion_and_the_mapping():
    with pytest.raises(ScenarioError) as e:
        scenario_from_yaml_text(FILE.format(provinces="[Limbrug]"), "x.yaml")
    msg = str(e.value)
    assert "x.yaml: policies[0].provinces (line 6): unknown province 'Limbrug' (did you mean 'Limburg'?)" in msg
    assert "LI Limburg" in msg and "FR Friesland (Fryslân)" in msg and "\n" not in msg
    with pytest.raises(ScenarioError, match="listed twice"):
        scenario_from_yaml_text(FILE.format(provinces="[Limburg, LI]"), "x.yaml")


def test_schema_lists_codes_and_names():
    schema = scenario_json_schema()
    fieldlab = schema["$defs"]["Fieldlabs"]["properties"]["provinces"]
    allowed = fieldlab["anyOf"][0]["items"]["enum"]
    assert {"LI", "Limburg", "Fryslân", "Friesland", "Noord-Brabant", "zuid"} <= set(allowed)
    assert "LI Limburg" in fieldlab["description"]


def test_command_line_takes_a_province_name_and_outputs_carry_names(tmp_path):
    out = tmp_path / "out"
    r = run_py("run", "baseline", "--out", out, "--scale", "0.02", "--replications", "1", "--workers", "1",
               "--no-progress", "--province", "fryslân")
    assert r.returncode == 0, r.stderr
    assert "baseline vs no_policy, FR Friesland, 2030Q4" in r.stdout
    summary = pd.read_csv(out / "summary.csv")
    assert dict(zip(summary["province"], summary["province_name"])) == {**PROVINCE_NAMES, "NL": "Nederland"}
    bad = run_py("run", "baseline", "--out", tmp_path / "bad", "--province", "Limbrug")
    assert bad.returncode == 2 and "did you mean 'Limburg'?" in bad.stderr and len(bad.stderr.splitlines()) == 1
    assert not (tmp_path / "bad").exists()
    assert set(PROVINCES) < set(summary["province"])
