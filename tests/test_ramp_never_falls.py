"""Productivity ramp-up (model/mechanisms/productivity.py `_ramp_up`) on hand-made firms: a firm
that has lost more technical staff to poaching than its adoption asked for makes no progress that
quarter; it does not go back, and it does not shed mid-level staff."""

from __future__ import annotations

import numpy as np

from smartregion.model.mechanisms.productivity import _ramp_up
from smartregion.model.mechanisms.labour import N_PROV


def test_a_firm_with_more_open_posts_than_it_needs_keeps_its_ramp_and_its_staff():
    # Firm 0 needs 2 technical posts and has 3 open (it lost one more than its adoption created);
    # firm 1 needs 2 and has 1 open: it fills half, so its ramp rises by 0.5 / 4 quarters.
    ramping = np.array([0, 1])
    tech_needed = np.array([2.0, 2.0])
    vacancies = np.array([3.0, 1.0])
    ramp = np.array([0.5, 0.5])
    size = np.array([20.0, 20.0])
    routine, mid, technical = np.array([10.0, 10.0]), np.array([0.0, 0.0]), np.array([5.0, 5.0])
    created = np.zeros(2)
    own_gain = np.array([0.05, 0.05])
    gain = np.array([0.1, 0.1])
    province = np.array([0, 0])
    sector = np.array([0, 0])
    trend = np.ones(8)
    seekers, hires = np.full(N_PROV, 100.0), np.zeros(N_PROV)
    own, output_gain = np.empty(2), np.empty(2)
    _ramp_up(ramping, tech_needed, vacancies, ramp, size, routine, mid, technical, created, np.ones(2), own_gain,
             gain, province, sector, trend, seekers, hires, 4.0, 0.1, own, output_gain)
    assert ramp[0] == 0.5 and mid[0] == 0.0 and output_gain[0] == 0.0  # before the fix: 0.375, -0.05
    assert ramp[1] == 0.5 + 0.5 / 4
    # expansion_jobs x size at adoption x ramp gained, all hired (100 seekers)
    assert np.isclose(mid[1], 0.1 * 20 * 0.125) and np.isclose(created[1], mid[1])
