"""Values of the quarter arithmetic and of the whole-economy rule, written after mutants of
model/timeline.py and model/units.py survived the fast model tests (docs/TESTING.md, Mutation
testing): an off-by-one in a quarter number or a wrong scale-up moves every date and count of
a run, and the model-level tests only compare runs with each other.
"""

from __future__ import annotations

import numpy as np
import pytest

from smartregion.model.timeline import format_quarter, parse_quarter
from smartregion.model.units import SCALE_FREE, describe, to_full


@pytest.mark.parametrize("label, number", [("2014Q1", 8056), ("2018Q4", 8075), ("2026Q2", 8105), ("0999Q3", 3998)])
def test_quarters_are_year_times_four_plus_quarter_minus_one(label, number):
    assert parse_quarter(label) == number
    assert format_quarter(number) == label.lstrip("0")


def test_a_quarter_label_may_carry_spaces_and_be_any_str():
    assert parse_quarter("  2020Q3\n") == 8082
    assert parse_quarter(type("Label", (str,), {})("2020Q3")) == 8082


@pytest.mark.parametrize("bad", ["2020Q5", "2020Q0", "2020q1", "20Q1", "12020Q1", "2020Q12", "x2020Q1", "2020Q1x", ""])
def test_anything_else_is_refused_with_the_allowed_form(bad):
    with pytest.raises(ValueError) as e:
        parse_quarter(bad)
    assert str(e.value) == f"'{bad}' is not a quarter; write it like 2026Q1"


def test_describe_says_the_scale_exactly():
    assert describe(1.0) == "counts for all Dutch manufacturing firms"
    assert describe(0.25) == "counts for all Dutch manufacturing firms (simulated at scale 0.25, scaled up)"
    assert describe(2) == "counts for all Dutch manufacturing firms (simulated at scale 2, scaled up)"


def test_to_full_divides_counts_only_and_leaves_its_input_alone():
    metrics = ["firms", "adoption_rate", "employment", "labour_productivity"]
    assert {"adoption_rate", "labour_productivity"} <= SCALE_FREE and not {"firms", "employment"} & SCALE_FREE
    values = np.array([[10.0, 0.5, 40.0, 90.0], [20.0, 0.25, 80.0, 95.0]])
    before = values.copy()
    out = to_full(values, metrics, 0.5)
    np.testing.assert_array_equal(out, [[20.0, 0.5, 80.0, 90.0], [40.0, 0.25, 160.0, 95.0]])
    np.testing.assert_array_equal(values, before)
    np.testing.assert_array_equal(to_full(values, metrics, 1.0), values)
