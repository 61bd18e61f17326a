"""Per-cell sums of the firm state for the quarter's record (model._record), in one compiled
pass over the firms instead of one numpy pass (and temporaries) per quantity.

Sums run over the firms in index order, as np.bincount(cell, weights=w) does, so every
total is the same float to the last bit as the numpy version it replaced.
"""

from __future__ import annotations

import numba
import numpy as np

# Rows of the result, in model._CELL_SUMS order: 0-3 come from the stages, the rest are weights.
N_SUMS = 19


@numba.njit(cache=True)
def cell_sums(cell, n_cells, stage, ever_in_fieldlab, fieldlab_experience, routine, mid, technical, created, lost,
              reshored_jobs, productivity, vacancies, redundant, change_class, member, aware, experimenting,
              adopted):
    """grid[quantity, cell]; also marks firms that took part in a fieldlab (ever_in_fieldlab |=
    fieldlab_experience, in place)."""
    acc = np.zeros((n_cells, N_SUMS))  # a firm's sums are adjacent in memory
    for i in range(len(cell)):
        c = cell[i]
        s = stage[i]
        acc[c, 0] += 1.0
        if s >= aware:
            acc[c, 1] += 1.0
        if s == experimenting:
            acc[c, 2] += 1.0
        if s == adopted:
            acc[c, 3] += 1.0
        if fieldlab_experience[i]:
            ever_in_fieldlab[i] = True
        if ever_in_fieldlab[i]:
            acc[c, 4] += 1.0
        employees = routine[i] + mid[i] + technical[i]
        acc[c, 5] += employees
        acc[c, 6] += routine[i]
        acc[c, 7] += mid[i]
        acc[c, 8] += technical[i]
        acc[c, 9] += created[i]
        acc[c, 10] += lost[i]
        acc[c, 11] += reshored_jobs[i]
        acc[c, 12] += productivity[i] * employees
        acc[c, 13] += vacancies[i]
        acc[c, 14] += redundant[0, i] + redundant[1, i] + redundant[2, i]
        k = change_class[i]
        if k == 1:
            acc[c, 15] += 1.0
        elif k == 2:
            acc[c, 16] += 1.0
        elif k == 3:
            acc[c, 17] += 1.0
        if member[i]:
            acc[c, 18] += 1.0
    return acc.T.copy()
