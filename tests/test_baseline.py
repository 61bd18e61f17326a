"""Regression baseline: the summary figures of every shipped scenario (small scale, fixed seed)
are exactly those stored in tests/baseline.json. A model change that moves them must be
deliberate: regenerate with `python tests/regenerate_baseline.py` and put the old and new
headline it prints in the commit message (docs/TESTING.md)."""

from __future__ import annotations

import json

import pytest

from regenerate_baseline import BASELINE, compute


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(BASELINE.read_text())


def test_baseline_covers_every_shipped_scenario(stored):
    from smartregion.model.scenario import SCENARIO_DIR

    assert sorted(stored["scenarios"]) == sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def test_summary_figures_equal_the_stored_baseline_exactly(stored):
    now = compute()
    assert now["settings"] == stored["settings"]
    moved = [f"{name} {key} {col}: stored {old[key][col]!r}, now {now['scenarios'][name][key][col]!r}"
             for name, old in stored["scenarios"].items() for key in old for col in old[key]
             if now["scenarios"][name].get(key, {}).get(col, "missing") != old[key][col]]
    assert not moved, (f"{len(moved)} figures moved; if the model change is deliberate, run "
                       "`python tests/regenerate_baseline.py` and quote its output in the commit:\n"
                       + "\n".join(moved[:15]))
    assert now == stored
