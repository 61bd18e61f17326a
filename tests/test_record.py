"""The compiled record (model/record.py) against the numpy code it replaced, kept here as the
readable reference: every metric and breakdown figure equal to the last bit, every quarter of
runs of the shipped scenarios."""

import numpy as np
import pytest

from smartregion.model.model import (_CELL_SUMS, BREAKDOWN_METRICS, METRIC_INDEX, N_PROV, SmartIndustryModel)
from smartregion.model.regions import ADOPTED, AWARE, EXPERIMENTING, STAGES
from smartregion.model.scenario import SCENARIO_DIR, load_scenario


def reference_record(m: SmartIndustryModel) -> tuple[np.ndarray, np.ndarray]:
    """Quarter m.t - 1's metrics row and breakdown, from the state the record saw."""
    f = m.firms_state
    employees = f.employees
    cell, n_cells = m._cell, int(np.prod(m._cell_shape))
    stages = np.bincount(m._cell * len(STAGES) + f.stage, minlength=n_cells * len(STAGES)).reshape(n_cells, -1)
    grid = np.empty((len(_CELL_SUMS), n_cells))
    grid[0] = stages.sum(axis=1)
    grid[1] = stages[:, AWARE:].sum(axis=1)
    grid[2] = stages[:, EXPERIMENTING]
    grid[3] = stages[:, ADOPTED]
    weighted = (m._ever_in_fieldlab, employees, f.routine, f.mid, f.technical, f.created, f.lost, f.reshored_jobs,
                f.productivity * employees, f.vacancies, f.redundant.sum(axis=0), f.change_class == 1,
                f.change_class == 2, f.change_class == 3, f.member)
    for j, w in enumerate(weighted, start=4):
        grid[j] = np.bincount(cell, weights=w, minlength=n_cells)
    grid = grid.reshape((len(_CELL_SUMS),) + m._cell_shape)
    by_prov = grid.sum(axis=(2, 3))
    row = np.zeros_like(m._metrics[0])
    col = METRIC_INDEX
    row[:, [col[x] for x in _CELL_SUMS]] = np.concatenate([by_prov, by_prov.sum(axis=1, keepdims=True)], axis=1).T
    row[:, col["value_added_meur"]] /= 1e3
    row[:, col["adoption_rate"]] = row[:, col["adopters"]] / np.maximum(row[:, col["firms"]], 1)
    big = grid[[_CELL_SUMS.index("adopters"), _CELL_SUMS.index("firms")], :, :, 1:].sum(axis=(2, 3))
    big = np.concatenate([big, big.sum(axis=1, keepdims=True)], axis=1)
    row[:, col["adoption_rate_10plus"]] = big[0] / np.maximum(big[1], 1)
    open_now = np.bincount(m.policy.fieldlabs.province[m.open_fieldlabs], minlength=N_PROV)
    row[:, col["fieldlabs_active"]] = np.append(open_now, open_now.sum())
    row[:, col["labour_productivity"]] = row[:, col["value_added_meur"]] * 1e3 / np.maximum(
        row[:, col["employment"]], 1e-9)
    reg = m.regions
    for name, v in (("technical_pool", reg.seekers[2]), ("trainees", reg.trained),
                    ("job_seekers_routine", reg.seekers[0]), ("job_seekers_mid", reg.seekers[1]),
                    ("in_training", reg.in_training), ("out_of_work", reg.seekers.sum(axis=0) + reg.in_training),
                    ("hires_from_pools", reg.hires.sum(axis=0)), ("hires_from_firms", reg.poached),
                    ("separations", reg.separations.sum(axis=0)), ("pool_entries", reg.entries.sum(axis=0)),
                    ("pool_exits", reg.exits.sum(axis=0))):
        row[:, col[name]] = np.append(v, v.sum())
    spent = m.policy.spent[: m.t].sum(axis=(0, 1))
    row[:, col["public_spend_eur"]] = np.append(spent, spent.sum())
    parts = grid[[_CELL_SUMS.index(x) for x in BREAKDOWN_METRICS]]
    return row, np.concatenate([parts.sum(axis=(1, 3)), parts.sum(axis=(1, 2))], axis=1).T


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
def test_compiled_record_equals_numpy_reference(name):
    s = load_scenario(name)
    m = SmartIndustryModel(s.model_copy(update={"population": s.population.model_copy(update={"scale": 0.1})}))
    while m.running:
        m.step()
        row, breakdown = reference_record(m)
        t = m.t - 1
        assert np.array_equal(m._metrics[t], row), (name, t, np.argwhere(m._metrics[t] != row)[:5])
        assert np.array_equal(m._breakdown[t], breakdown), (name, t)
    assert m._metrics[-1, -1, METRIC_INDEX["employment"]] > 0
