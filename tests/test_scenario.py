"""Scenario files: the shipped scenarios, extends merging, round trips, the JSON Schema, and
the one-line errors an analyst sees when a file is wrong (each names the file and the key)."""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path

import pytest
import yaml

from smartregion.model.scenario import (
    SCENARIO_DIR,
    Scenario,
    ScenarioError,
    list_scenarios,
    load_counterfactual,
    load_scenario,
    scenario_from_dict,
    scenario_from_yaml_text,
    scenario_json_schema,
    to_yaml,
)

SHIPPED = [
    "baseline", "no_policy", "fieldlab_expansion_north", "hidden_champions", "region_of_smart_factories",
    "skills_offensive", "reshoring_push", "policy_discontinuity",
]
HUBS = ["noord", "oost", "zuid", "zuid_holland", "noordwest"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def error_of(path_or_text, **kw) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        if isinstance(path_or_text, Path):
            load_scenario(path_or_text)
        else:
            scenario_from_yaml_text(path_or_text, **kw)
    return info.value


# --------------------------------------------------------------------------------------------
# Shipped scenarios
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load(name):
    s = load_scenario(SCENARIO_DIR / f"{name}.yaml")
    assert s.name == name
    assert s.horizon.start == "2014Q1" and s.horizon.end == "2030Q4"
    assert s.seed == 20140101 and s.replications == 20
    assert s.description.strip()
    assert s.source_file == str((SCENARIO_DIR / f"{name}.yaml").resolve())
    if name == "no_policy":
        assert s.counterfactual is None and s.policies == []
    else:
        assert s.counterfactual is not None and Path(s.counterfactual).is_file()


def test_load_by_shipped_name():
    assert load_scenario("baseline") == load_scenario(SCENARIO_DIR / "baseline.yaml")


def test_list_scenarios_lists_the_eight_with_a_description():
    listed = dict(list_scenarios())
    assert sorted(listed) == sorted(SHIPPED)
    assert all(desc and "\n" not in desc for desc in listed.values())


def test_counterfactuals_of_shipped_scenarios():
    cf = {n: load_scenario(SCENARIO_DIR / f"{n}.yaml").counterfactual for n in SHIPPED}
    assert Path(cf["baseline"]).stem == "no_policy"
    assert Path(cf["region_of_smart_factories"]).stem == "no_policy"
    for n in ("fieldlab_expansion_north", "hidden_champions", "skills_offensive", "reshoring_push",
              "policy_discontinuity"):
        assert Path(cf[n]).stem == "baseline"


def test_baseline_instruments():
    s = load_scenario(SCENARIO_DIR / "baseline.yaml")
    names = [p.name for p in s.policies]
    expected = (["historical_fieldlabs"] + [f"hub_{h}" for h in HUBS] + [f"edih_{h}" for h in HUBS]
                + ["rosf", "rosf_training", "boost_oost"])
    assert names == expected
    hist = s.instrument("historical_fieldlabs")
    assert hist.type == "historical_fieldlabs" and (hist.start, hist.end) == ("2014Q1", "2030Q4")
    assert hist.budget_eur == pytest.approx(314e6 / 5 * 17)  # Dialogic 2015-2019 rate over 17 years
    for h in HUBS:
        hub, edih = s.instrument(f"hub_{h}"), s.instrument(f"edih_{h}")
        assert (hub.type, hub.start, hub.end, hub.budget_eur) == ("hub_outreach", "2018Q1", "2021Q4", 2.4e6)
        assert (edih.start, edih.end) == ("2022Q1", "2030Q4")
        assert edih.budget_eur == pytest.approx(1.8e6 * 9)
        assert hub.visibility_boost == edih.visibility_boost == 0.2
        assert hub.provinces == edih.provinces  # hub names expand to province codes
    assert s.instrument("hub_noord").provinces == ["GR", "FR", "DR"]
    rosf = s.instrument("rosf")
    assert (rosf.type, rosf.count, rosf.capacity_per_year, rosf.provinces) == ("fieldlab", 3, 8, ["GR", "FR", "DR"])
    assert rosf.themes == ["metal", "machinery", "electronics", "transport"]
    assert rosf.budget_eur + s.instrument("rosf_training").budget_eur == 11e6  # about EUR 11M public
    boost = s.instrument("boost_oost")
    assert (boost.provinces, boost.start, boost.end, boost.budget_eur) == (["GE", "OV"], "2016Q1", "2020Q4", 2e6)


def test_children_of_baseline_add_their_instruments():
    base = [p.name for p in load_scenario(SCENARIO_DIR / "baseline.yaml").policies]
    north = load_scenario(SCENARIO_DIR / "fieldlab_expansion_north.yaml")
    assert [p.name for p in north.policies] == base + ["north_fieldlabs"]
    nf = north.instrument("north_fieldlabs")
    assert (nf.count, nf.provinces, nf.start, nf.end) == (4, ["GR", "FR", "DR"], "2026Q1", "2030Q4")
    assert nf.budget_eur == 4 * 20 * 150e3

    champions = load_scenario(SCENARIO_DIR / "hidden_champions.yaml")
    extra = [p for p in champions.policies if p.name not in base]
    assert len(extra) == 5 and all(p.budget_eur == 9e6 and p.visibility_boost == 0.6 for p in extra)

    skills = load_scenario(SCENARIO_DIR / "skills_offensive.yaml").instrument("skills_training")
    assert (skills.type, skills.provinces) == ("training", "all")
    assert (skills.budget_eur, skills.cost_per_trainee_eur) == (100e6, 15e3)

    reshoring = load_scenario(SCENARIO_DIR / "reshoring_push.yaml").instrument("reshoring_support")
    assert (reshoring.budget_eur, reshoring.cost_reduction, reshoring.eur_per_job) == (50e6, 0.05, 20e3)


def test_policy_discontinuity_patches_baseline_by_name():
    base = load_scenario(SCENARIO_DIR / "baseline.yaml")
    disc = load_scenario(SCENARIO_DIR / "policy_discontinuity.yaml")
    assert [p.name for p in disc.policies] == [p.name for p in base.policies]
    for name in ["historical_fieldlabs"] + [f"edih_{h}" for h in HUBS]:
        changed, original = disc.instrument(name), base.instrument(name)
        assert (changed.end, changed.end_announced) == ("2027Q4", "2027Q1")
        assert changed.budget_eur == original.budget_eur and changed.start == original.start
        assert changed.provinces == original.provinces
    assert disc.instrument("hub_noord") == base.instrument("hub_noord")


def test_rosf_standalone_matches_baseline():
    base = load_scenario(SCENARIO_DIR / "baseline.yaml")
    rosf = load_scenario(SCENARIO_DIR / "region_of_smart_factories.yaml")
    assert [p.name for p in rosf.policies] == ["rosf", "rosf_training"]
    for p in rosf.policies:
        assert p == base.instrument(p.name)


# --------------------------------------------------------------------------------------------
# extends merging
# --------------------------------------------------------------------------------------------

PARENT = """\
name: parent
counterfactual: no_policy
seed: 7
replications: 5
horizon: {start: 2016Q1, end: 2030Q4}
parameters: {bass_q: 0.5, bass_p: 0.02}
population: {scale: 0.5}
policies:
  - name: labs
    type: fieldlab
    provinces: [GR]
    start: 2020Q1
    end: 2025Q4
    budget_eur: 1_000_000
  - name: hubs
    type: hub_outreach
    provinces: noord
    start: 2020Q1
    end: 2025Q4
    budget_eur: 500_000
  - type: training            # unnamed: becomes training_2
    start: 2020Q1
    end: 2020Q4
    budget_eur: 100_000
"""


def test_extends_merges_patches_and_removes(tmp_path):
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", """\
extends: parent
counterfactual: parent
replications: 3
horizon: {end: 2028Q4}
parameters: {bass_q: 0.6}
population: {network: well_mixed}
policies:
  - {name: labs, end: 2027Q4, count: 2}   # patch by name
  - {name: hubs, remove: true}            # drop
  - name: subsidy
    type: adoption_subsidy
    rate: 0.2
    start: 2026Q1
    end: 2028Q4
    budget_eur: 2_000_000
  - type: training
    start: 2026Q1
    end: 2026Q4
    budget_eur: 1
""")
    s = load_scenario(child)
    assert s.name == "child" and s.description == ""  # name/description are not inherited
    assert s.seed == 7 and s.replications == 3
    assert (s.horizon.start, s.horizon.end) == ("2016Q1", "2028Q4")
    assert s.parameters == {"bass_q": 0.6, "bass_p": 0.02}
    assert (s.population.scale, s.population.network) == (0.5, "well_mixed")
    assert [p.name for p in s.policies] == ["labs", "training_2", "subsidy", "training_3"]
    labs = s.instrument("labs")
    assert (labs.start, labs.end, labs.count, labs.provinces, labs.budget_eur) == ("2020Q1", "2027Q4", 2, ["GR"], 1e6)
    assert s.counterfactual == str((tmp_path / "parent.yaml").resolve())


def test_extends_by_relative_path_and_parent_in_same_directory_wins(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/baseline.yaml", "counterfactual: none\nseed: 99\n")  # shadows the shipped baseline
    s = load_scenario(write(tmp_path, "a.yaml", "extends: sub/baseline.yaml\n"))
    assert s.seed == 99
    s = load_scenario(write(tmp_path, "sub/b.yaml", "extends: baseline\n"))
    assert s.seed == 99 and s.policies == []
    s = load_scenario(write(tmp_path, "c.yaml", "extends: baseline\n"))  # falls back to shipped scenarios/
    assert len(s.policies) == 14


def test_counterfactual_is_aligned_with_the_policy_arm(tmp_path):
    p = write(tmp_path, "x.yaml", "extends: baseline\ncounterfactual: baseline\nseed: 5\nreplications: 2\n"
                                  "parameters: {bass_q: 0.5}\npopulation: {scale: 0.1}\n")
    s = load_scenario(p)
    cf = load_counterfactual(s)
    assert cf.name == "baseline" and [i.name for i in cf.policies] == [i.name for i in s.policies]
    assert (cf.seed, cf.replications, cf.parameters, cf.population) == (5, 2, {"bass_q": 0.5}, s.population)
    raw = load_counterfactual(s, align=False)
    assert raw == load_scenario(SCENARIO_DIR / "baseline.yaml")
    assert load_counterfactual(load_scenario(SCENARIO_DIR / "no_policy.yaml")) is None


# --------------------------------------------------------------------------------------------
# Round trips and the schema
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_to_yaml_round_trip(tmp_path, name):
    s = load_scenario(SCENARIO_DIR / f"{name}.yaml")
    text = to_yaml(s)
    assert "extends" not in yaml.safe_load(text)
    back = load_scenario(write(tmp_path, "roundtrip.yaml", text))
    assert back.content_hash() == s.content_hash()
    assert back.model_copy(update={"source_file": s.source_file}) == s


@pytest.mark.parametrize("name", SHIPPED)
def test_resolved_dict_round_trip(name):
    s = load_scenario(SCENARIO_DIR / f"{name}.yaml")
    d = s.resolved_dict()
    assert json.loads(json.dumps(d)) == d  # plain JSON
    assert scenario_from_dict(d) == s
    assert scenario_from_dict(json.loads(json.dumps(d))).content_hash() == s.content_hash()


def test_content_hash_ignores_source_file_but_not_content(tmp_path):
    base = load_scenario(SCENARIO_DIR / "baseline.yaml")
    copy = load_scenario(write(tmp_path, "baseline.yaml", (SCENARIO_DIR / "baseline.yaml").read_text()))
    assert copy.content_hash() == base.content_hash()
    other = load_scenario(write(tmp_path, "seed.yaml", "extends: baseline\nname: baseline\nseed: 1\n"))
    assert other.content_hash() != base.content_hash()
    assert len(base.content_hash()) == 64


def test_scenario_is_frozen():
    s = load_scenario(SCENARIO_DIR / "baseline.yaml")
    with pytest.raises(Exception):
        s.seed = 3


def test_json_schema_is_valid_and_validates_shipped_files():
    schema = scenario_json_schema()
    json.dumps(schema)
    assert schema["properties"]["policies"]["description"]
    assert "bass_q" in json.dumps(schema["properties"]["parameters"])
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in SHIPPED:  # baseline's raw content, and the others' (patches included)
        raw = yaml.safe_load((SCENARIO_DIR / f"{name}.yaml").read_text())
        assert not list(validator.iter_errors(raw)), name
    assert list(validator.iter_errors({"extends": "baseline", "replication": 3}))
    assert list(validator.iter_errors({"policies": [{"type": "fieldlab", "start": "2026Q1", "end": "2030Q4",
                                                     "budget_eur": 1, "provinces": ["XX"]}]}))


# --------------------------------------------------------------------------------------------
# Errors: one line naming the file and the key
# --------------------------------------------------------------------------------------------


def test_unknown_top_level_key_suggests(tmp_path):
    e = error_of(write(tmp_path, "typo.yaml", "extends: baseline\nreplication: 5\n"))
    assert e.file.endswith("typo.yaml") and e.location == "replication" and e.line == 2
    assert "did you mean 'replications'" in str(e) and "allowed:" in str(e)
    assert str(e).startswith(e.file) and "\n" not in str(e)


def test_unknown_parameter_suggests(tmp_path):
    e = error_of(write(tmp_path, "p.yaml", "extends: baseline\nparameters:\n  bass_qq: 0.3\n"))
    assert "p.yaml" in str(e) and e.location == "parameters.bass_qq" and e.line == 3
    assert "unknown parameter 'bass_qq' (did you mean 'bass_q'?)" in str(e)


def test_parameter_out_of_bounds(tmp_path):
    e = error_of(write(tmp_path, "p.yaml", "extends: baseline\nparameters: {bass_q: 9}\n"))
    assert "p.yaml" in str(e) and "parameters.bass_q" in str(e) and "bounds" in str(e)


def test_bad_province_lists_allowed(tmp_path):
    e = error_of(write(tmp_path, "prov.yaml", """\
extends: baseline
policies:
  - name: extra
    type: fieldlab
    provinces: [GR, Gronigen]
    start: 2026Q1
    end: 2030Q4
    budget_eur: 1
"""))
    assert "prov.yaml" in str(e) and e.location == "policies[0].provinces" and e.line == 5
    assert "Gronigen" in str(e) and "allowed: GR, FR, DR" in str(e) and "noordwest" in str(e)


def test_end_before_start(tmp_path):
    e = error_of(write(tmp_path, "t.yaml", "extends: baseline\npolicies:\n  - name: x\n    type: training\n"
                                          "    start: 2026Q1\n    end: 2025Q4\n    budget_eur: 1\n"))
    assert "t.yaml" in str(e) and e.location == "policies[0].end" and e.line == 6
    assert "before start" in str(e)


def test_end_before_start_through_a_patch_blames_the_patch(tmp_path):
    e = error_of(write(tmp_path, "t.yaml", "extends: baseline\npolicies:\n  - {name: edih_oost, end: 2020Q4}\n"))
    assert e.file.endswith("t.yaml") and e.location == "policies[0].end" and e.line == 3


def test_horizon_end_before_start(tmp_path):
    e = error_of(write(tmp_path, "h.yaml", "horizon:\n  start: 2020Q1\n  end: 2019Q4\n"))
    assert "h.yaml" in str(e) and e.location.startswith("horizon.") and "not after start" in str(e)
    e = error_of(write(tmp_path, "h2.yaml", "horizon: {start: 2010Q1}\n"))
    assert e.location == "horizon.start" and "2014Q1" in str(e)
    e = error_of(write(tmp_path, "h3.yaml", "horizon: {end: 2060Q1}\n"))
    assert e.location == "horizon.end" and "2050Q4" in str(e)


def test_negative_budget(tmp_path):
    e = error_of(write(tmp_path, "b.yaml", "extends: baseline\npolicies:\n  - name: x\n    type: training\n"
                                          "    start: 2026Q1\n    end: 2030Q4\n    budget_eur: -5\n"))
    assert "b.yaml" in str(e) and e.location == "policies[0].budget_eur" and e.line == 7
    assert "must be >= 0, got -5" in str(e)


def test_misspelt_instrument_key_and_type(tmp_path):
    e = error_of(write(tmp_path, "k.yaml", "policies:\n  - name: x\n    type: training\n    start: 2026Q1\n"
                                          "    end: 2030Q4\n    budjet_eur: 5\n"))
    assert e.location == "policies[0].budjet_eur" and "did you mean 'budget_eur'" in str(e)
    e = error_of(write(tmp_path, "t.yaml",
                       "policies:\n  - {type: fieldlabs, start: 2026Q1, end: 2030Q4, budget_eur: 1}\n"))
    assert e.location == "policies[0].type" and "did you mean 'fieldlab'" in str(e) and "hub_outreach" in str(e)


def test_patch_or_remove_of_unknown_instrument(tmp_path):
    e = error_of(write(tmp_path, "r.yaml", "extends: baseline\npolicies:\n  - {name: edih_nord, remove: true}\n"))
    assert "r.yaml" in str(e) and e.location == "policies[0].name" and "did you mean 'edih_noord'" in str(e)
    e = error_of(write(tmp_path, "p.yaml", "extends: baseline\npolicies:\n  - {name: edih_nord, end: 2027Q4}\n"))
    assert e.location == "policies[0].name" and "did you mean 'edih_noord'" in str(e)


def test_duplicate_instrument_names(tmp_path):
    entry = "  - {name: a, type: training, start: 2026Q1, end: 2026Q4, budget_eur: 1}\n"
    e = error_of(write(tmp_path, "d.yaml", "policies:\n" + entry + entry))
    assert "d.yaml" in str(e) and e.location == "policies[1].name" and e.line == 3


def test_missing_parent_names_the_chain(tmp_path):
    write(tmp_path, "middle.yaml", "extends: basline\n")
    e = error_of(write(tmp_path, "top.yaml", "extends: middle\n"))
    assert e.file.endswith("middle.yaml") and e.location == "extends" and e.line == 1
    assert "top.yaml -> " in str(e) and "middle.yaml -> basline" in str(e) and "did you mean 'baseline'" in str(e)


def test_extends_cycle(tmp_path):
    write(tmp_path, "a.yaml", "extends: b\n")
    write(tmp_path, "b.yaml", "extends: c\n")
    write(tmp_path, "c.yaml", "extends: a\n")
    e = error_of(tmp_path / "a.yaml")
    assert "cycle" in str(e) and e.location == "extends" and e.file.endswith("c.yaml")
    assert "a.yaml -> " in str(e) and "b.yaml -> " in str(e)
    e = error_of(write(tmp_path, "self.yaml", "extends: self\n"))
    assert "cycle" in str(e) and "self.yaml" in str(e)


def test_counterfactual_errors(tmp_path):
    e = error_of(write(tmp_path, "cf.yaml", "extends: baseline\ncounterfactual: basline\n"))
    assert "cf.yaml" in str(e) and e.location == "counterfactual" and "did you mean 'baseline'" in str(e)
    e = error_of(write(tmp_path, "none.yaml", "extends: baseline\ncounterfactual: none\n"))
    assert "none.yaml" in str(e) and e.location == "counterfactual" and "without policies" in str(e)


def test_missing_file_and_directory(tmp_path):
    e = error_of(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(e) and "no such file" in str(e)
    (tmp_path / "dir.yaml").mkdir()
    e = error_of(tmp_path / "dir.yaml")
    assert "dir.yaml" in str(e) and "directory" in str(e)


def test_empty_file(tmp_path):
    e = error_of(write(tmp_path, "empty.yaml", ""))
    assert "empty.yaml" in str(e) and "empty" in str(e)
    e = error_of(write(tmp_path, "comments.yaml", "# only a comment\n\n"))
    assert "comments.yaml" in str(e) and "only comments" in str(e)


def test_binary_non_utf8_and_large_files(tmp_path):
    (tmp_path / "bin.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    e = error_of(tmp_path / "bin.yaml")
    assert "bin.yaml" in str(e) and "binary" in str(e)
    (tmp_path / "latin.yaml").write_bytes("seed: 1\nname: caf\xe9\n".encode("latin-1"))
    e = error_of(tmp_path / "latin.yaml")
    assert "latin.yaml" in str(e) and "UTF-8" in str(e) and e.line == 2
    write(tmp_path, "big.yaml", "# " + "x" * 1_100_000 + "\n")
    e = error_of(tmp_path / "big.yaml")
    assert "big.yaml" in str(e) and "bytes" in str(e)


def test_top_level_not_a_mapping(tmp_path):
    e = error_of(write(tmp_path, "list.yaml", "- extends: baseline\n"))
    assert "list.yaml" in str(e) and "top level" in str(e) and "mapping" in str(e)


def test_yaml_syntax_error_gives_line(tmp_path):
    e = error_of(write(tmp_path, "syntax.yaml", "extends: baseline\npolicies:\n  - name: x\n   type: training\n"))
    assert "syntax.yaml" in str(e) and "YAML syntax error" in str(e) and e.line == 4
    e = error_of(write(tmp_path, "tab.yaml", "extends: baseline\nseed: 1\n\treplications: 2\n"))
    assert "tab.yaml" in str(e) and e.line == 3 and "tab" in str(e)


def test_duplicate_key(tmp_path):
    e = error_of(write(tmp_path, "dup.yaml", "seed: 1\nreplications: 2\nseed: 3\n"))
    assert "dup.yaml" in str(e) and e.location == "seed" and e.line == 3 and "twice" in str(e)


def test_python_tag_is_refused_and_not_executed(tmp_path, capfd):
    marker = tmp_path / "hacked"
    for text in ('extends: baseline\nname: !!python/object/apply:os.system ["echo hacked"]\n',
                 f'extends: baseline\nname: !!python/object/apply:os.system ["touch {marker}"]\n',
                 f'!!python/object/apply:os.system ["touch {marker}"]\n'):
        e = error_of(write(tmp_path, "evil.yaml", text))
        assert "evil.yaml" in str(e) and "python/object/apply:os.system" in str(e) and "not allowed" in str(e)
        with pytest.raises(ScenarioError):
            scenario_from_yaml_text(text)
    assert not marker.exists()
    assert "hacked" not in capfd.readouterr().out


def test_billion_laughs_refused_quickly(tmp_path):
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for n in "bcdefghi":
        text += f"{n}: &{n} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = n
    write(tmp_path, "lol.yaml", text)
    t0 = time.perf_counter()
    e = error_of(tmp_path / "lol.yaml")
    assert time.perf_counter() - t0 < 1.0
    assert "lol.yaml" in str(e) and "alias" in str(e)
    many = "a: &a x\nb: [" + ", ".join(["*a"] * 500) + "]\n"
    e = error_of(write(tmp_path, "many.yaml", many))
    assert "many.yaml" in str(e) and "aliases" in str(e)
    e = error_of(write(tmp_path, "rec.yaml", "a: &a [*a]\n"))
    assert "rec.yaml" in str(e) and "recursive" in str(e)


def test_deep_nesting_refused(tmp_path):
    e = error_of(write(tmp_path, "deep.yaml", "a: " + "[" * 50_000 + "]" * 50_000 + "\n"))
    assert "deep.yaml" in str(e)


def test_wrong_types(tmp_path):
    e = error_of(write(tmp_path, "s.yaml", "seed: -1\n"))
    assert e.location == "seed" and ">= 0" in str(e)
    e = error_of(write(tmp_path, "r.yaml", "replications: many\n"))
    assert e.location == "replications" and "whole number" in str(e)
    e = error_of(write(tmp_path, "n.yaml", "population: {network: peer}\n"))
    assert e.location == "population.network" and "did you mean 'peers'" in str(e)
    e = error_of(write(tmp_path, "sc.yaml", "population: {scale: 0}\n"))
    assert e.location == "population.scale" and "> 0" in str(e)
    e = error_of(write(tmp_path, "pv.yaml", "policies:\n  - {type: training, provinces: 5, start: 2026Q1, "
                                           "end: 2026Q4, budget_eur: 1}\n"))
    assert e.location == "policies[0].provinces" and "province" in str(e)


def test_errors_from_dicts_and_uploads():
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict({"extends": "baseline", "policies": [{"name": "edih_noord", "budget_eur": -1}]},
                           file="dashboard")
    assert str(info.value).startswith("dashboard: policies[0].budget_eur: must be >= 0")
    with pytest.raises(ScenarioError) as info:
        scenario_from_yaml_text("extends: ../pyproject.toml\n", file="upload.yaml")
    assert "upload.yaml" in str(info.value) and "extends" in str(info.value) and "shipped" in str(info.value)
    s = scenario_from_yaml_text("extends: baseline\nname: mine\ncounterfactual: baseline\n")
    assert s.name == "mine" and s.source_file is None and len(s.policies) == 14


def test_scenario_error_pickles():
    e = ScenarioError("x.yaml", "seed", "must be >= 0, got -1", 3)
    back = pickle.loads(pickle.dumps(e))
    assert str(back) == str(e) == "x.yaml: seed (line 3): must be >= 0, got -1"
    assert (back.file, back.location, back.message, back.line) == ("x.yaml", "seed", "must be >= 0, got -1", 3)


def test_direct_construction_names_unnamed_instruments():
    s = Scenario(name="x", policies=[{"type": "training", "start": "2026Q1", "end": "2026Q4", "budget_eur": 1}],
                 counterfactual=None)
    assert s.policies[0].name == "training_0"


# --------------------------------------------------------------------------------------------
# Hardening (issue 7): dates, budgets, limits, characters and paths
# --------------------------------------------------------------------------------------------

ONE = "  - {name: a, type: training, start: 2026Q1, end: 2027Q4, budget_eur: 1%s}\n"


def test_instrument_quarters_lie_in_the_simulated_range():
    # A typo like 2203Q4 would spread the budget over two centuries and spend almost nothing.
    for key, fields in (("end", "start: 2026Q1, end: 2203Q4"), ("start", "start: 2004Q1, end: 2027Q4"),
                        ("end_announced", "start: 2026Q1, end: 2027Q4, end_announced: 2051Q1")):
        e = error_of(f"policies:\n  - {{name: a, type: training, budget_eur: 1, {fields}}}\n", file="q.yaml")
        assert e.location == f"policies[0].{key}" and e.line == 2
        assert "allowed: 2014Q1 to 2050Q4" in str(e)


def test_end_announced_must_lie_between_start_and_end():
    e = error_of("policies:\n" + ONE % ", end_announced: 2025Q4", file="ann.yaml")
    assert e.location == "policies[0].end_announced" and "before start 2026Q1" in str(e) and "allowed:" in str(e)
    e = error_of("policies:\n" + ONE % ", end_announced: 2028Q1", file="ann.yaml")
    assert e.location == "policies[0].end_announced" and "after end 2027Q4" in str(e)
    for ok in ("2026Q1", "2027Q4"):  # both ends are allowed
        assert scenario_from_yaml_text("policies:\n" + ONE % f", end_announced: {ok}").policies[0].end_announced == ok


def test_overlapping_instruments_add_up_and_are_allowed():
    # Overlap in time and place is policy (baseline's hub_oost and boost_oost both serve Oost
    # in 2018-2020); only the same name twice is refused (test_duplicate_instrument_names).
    text = "policies:\n" + ONE % "" + ONE.replace("name: a", "name: b") % ""
    s = scenario_from_yaml_text(text)
    assert [p.name for p in s.policies] == ["a", "b"]
    base = load_scenario("baseline")
    oost = [p for p in base.policies if p.name in ("hub_oost", "boost_oost")]
    assert len(oost) == 2 and oost[0].provinces == oost[1].provinces


def test_absurd_and_non_finite_budgets_name_the_allowed_range():
    e = error_of("policies:\n  - {name: a, type: training, start: 2026Q1, end: 2027Q4, budget_eur: 5e13}\n")
    assert e.location == "policies[0].budget_eur"
    assert "at most 50,000,000,000" in str(e) and "check the zeros" in str(e) and "got 50,000,000,000,000;" in str(e)
    e = error_of("policies:\n  - {name: a, type: training, start: 2026Q1, end: 2027Q4, budget_eur: .nan}\n")
    assert "must be a finite number, got nan" in str(e) and "allowed: at least 0" in str(e)
    e = error_of("policies:\n  - {name: a, type: training, start: 2026Q1, end: 2027Q4, budget_eur: 5M}\n")
    assert "must be a number, got '5M'" in str(e) and "allowed: at least 0" in str(e)


def test_limits_on_replications_scale_horizon_and_instruments():
    e = error_of("replications: 20000\n")
    assert e.location == "replications" and "allowed: at least 1 and at most 10,000" in str(e)
    e = error_of("population: {scale: 51}\n")
    assert e.location == "population.scale" and "allowed: above 0 and at most 50" in str(e)
    e = error_of("horizon: {end: 2051Q1}\n")
    assert e.location == "horizon.end" and "allowed: 2014Q1 to 2050Q4" in str(e)
    many = "policies:\n" + "".join(ONE.replace("name: a", f"name: i{i}") % "" for i in range(201))
    e = error_of(many, file="many.yaml")
    assert e.location == "policies" and "201 entries; allowed: at most 200" in str(e)
    # the limit counts inherited instruments: baseline has 14
    many = "extends: baseline\npolicies:\n" + "".join(ONE.replace("name: a", f"name: i{i}") % "" for i in range(190))
    assert "204 entries" in str(error_of(many))


def test_quarters_written_as_dates_or_years_say_how_to_write_them():
    e = error_of("policies:\n  - {name: a, type: training, start: 2026-01-01, end: 2027Q4, budget_eur: 1}\n")
    assert "must be a quarter like 2026Q1, got the date 2026-01-01" in str(e)
    e = error_of("policies:\n  - {name: a, type: training, start: 2026, end: 2027Q4, budget_eur: 1}\n")
    assert "must be a quarter like 2026Q1, got 2026" in str(e)


def test_values_yaml_cannot_build_give_their_line():
    e = error_of("seed: 1\nname: x\nreplications: 1" + "0" * 5000 + "\n", file="digits.yaml")
    assert e.line == 3 and "cannot be read" in str(e) and len(str(e)) < 400
    e = error_of("seed: 1\nname: 2020-02-30\n", file="date.yaml")
    assert e.line == 2 and "2020-02-30" in str(e) and "quotes" in str(e)


def test_control_characters_and_half_characters_are_refused_with_a_line():
    e = error_of("seed: 1\nname: a\x07b\n", file="bell.yaml")
    assert e.line == 2 and "#x0007" in str(e) and "allowed: printable text" in str(e)
    e = error_of('seed: 1\nname: "\\ud800"\n', file="half.yaml")
    assert e.location == "name" and e.line == 2 and "surrogate" in str(e)


def test_messages_stay_on_one_printable_line(tmp_path):
    e = error_of(write(tmp_path, "nul.yaml", 'extends: "a\\0b\\nc"\n'))
    assert "\n" not in str(e) and "\x00" not in str(e) and "a\\x00b\\nc" in str(e)
    weird = write(tmp_path, "new\nline.yaml", "seed: -1\n")
    e = error_of(weird)
    assert "\n" not in str(e) and "new\\nline.yaml" in str(e)


def test_paths_the_os_refuses_are_errors_not_crashes(tmp_path):
    e = error_of(Path("x" * 5000 + ".yaml"))
    assert "cannot be opened (File name too long)" in str(e) and len(str(e)) < 400
    e = error_of(write(tmp_path, "long.yaml", "extends: " + "a" * 5000 + "\n"))
    assert e.location == "extends" and "no scenario" in str(e) and len(str(e)) < 1200
    e = error_of(write(tmp_path, "dev.yaml", "extends: /dev/zero\n"))
    assert e.location == "extends" and "no scenario '/dev/zero'" in str(e)
    e = error_of(Path("/dev/zero"))
    assert "not a regular file" in str(e)


def test_uploads_cannot_probe_paths_on_the_server():
    # Same answer whether the file exists or not: an upload learns nothing about the server.
    messages = set()
    for ref in ("/etc/passwd", "/etc/no-such-file.yaml", "../pyproject.toml", "./baseline.yaml"):
        for key in ("extends", "counterfactual"):
            e = error_of(f"{key}: {ref}\n", file="up.yaml")
            assert e.location == key and "is a path; allowed for uploaded scenarios: a shipped scenario" in str(e)
            messages.add(str(e).replace(ref, "REF"))
    assert len(messages) == 2  # one per key


def test_largest_allowed_document_is_read_in_about_a_second():
    from smartregion.model.scenario import MAX_FILE_BYTES

    worst = "".join(f"k{i}: {i}\n" for i in range(60_000))[:MAX_FILE_BYTES]
    t0 = time.process_time()  # CPU time: wall time on a loaded machine says nothing about the parser
    e = error_of(worst)
    assert time.process_time() - t0 < 2.0 and "YAML values" in str(e)
    e = error_of("# " + "x" * MAX_FILE_BYTES + "\n")
    assert "bytes" in str(e) and f"at most {MAX_FILE_BYTES:,}" in str(e)


def test_parse_yaml_serves_other_yaml_inputs_with_their_own_wording():
    from smartregion.model.scenario import line_of, parse_yaml

    data, node = parse_yaml("scenario: baseline\ntargets:\n  - name: a\n    observed: x\n", "t.yaml",
                            expected="a mapping with scenario:, estimate: and targets:")
    assert data["targets"][0]["observed"] == "x" and line_of(node, ("targets", 0, "observed")) == 4
    with pytest.raises(ScenarioError) as info:
        parse_yaml("", "t.yaml", expected="a mapping with scenario:, estimate: and targets:")
    assert str(info.value) == "t.yaml: file is empty; allowed: a mapping with scenario:, estimate: and targets:"


def test_unknown_sector_size_and_theme_suggest_and_list_allowed():
    for key, bad, hint in (("sectors", "[metals]", "did you mean 'metal'"), ("themes", "metals", "did you mean 'metal'"),
                           ("sizes", "[10-50]", "allowed: 2-9, 10-49, 50-249, 250+")):
        e = error_of(f"policies:\n  - {{type: fieldlab, {key}: {bad}, start: 2026Q1, end: 2027Q4, budget_eur: 1}}\n")
        assert e.location == f"policies[0].{key}" and e.line == 2 and hint in str(e), str(e)
    e = error_of("policies:\n  - {type: fieldlab, provinces: [noord, GR], start: 2026Q1, end: 2027Q4, budget_eur: 1}\n")
    assert "province 'GR' listed twice (a hub counts as its provinces); allowed: each once" in str(e)
