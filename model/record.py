"""The quarter's record (model._record), compiled: per-cell sums of the firm state in one pass
over the firms, and their margins (provinces, NL, sectors, size classes) in the same call,
instead of some forty numpy calls on small arrays a quarter.

Every sum adds the same numbers in the same order as the numpy code it replaced (kept in
tests/test_record.py as the reference, which checks both agree to the last bit every quarter):
cells in firm order as np.bincount does; margins the way numpy reduces, which for a
contiguous run of n <= 128 doubles is its pairwise sum (`_np_sum`), and otherwise a plain
loop over the reduced axes in order.
"""

from __future__ import annotations

import numba
import numpy as np

from .regions import STAGES

# Rows of the cell sums, in model._CELL_SUMS order: 0-4 and 15-18 count firms (0-3 by stage), 5-14
# sum weights.
N_SUMS = 19
_N_WEIGHTED = 10
# Integer columns of cell_sums: one per stage, then fieldlab firms, the three job-change classes
# (_EVER + class) and fieldlab members.
_N_STAGES = len(STAGES)
_EVER = _N_STAGES
_MEMBER = _EVER + 4
_N_COUNTS = _MEMBER + 1


@numba.njit(cache=True)
def cell_sums(cell, n_cells, stage, ever_in_fieldlab, fieldlab_experience, routine, mid, technical, created, lost,
              reshored_jobs, productivity, vacancies, redundant, change_class, member, aware, experimenting,
              adopted):
    """grid[quantity, cell]; also marks firms that took part in a fieldlab (ever_in_fieldlab |=
    fieldlab_experience, in place).

    Counts (rows 0-4, 15-18) are kept as integers and converted at the end: a sum of 1.0s is the
    same float as its integer count. One increment per firm for its stage (rows 0-3 follow from
    the four stage counts) instead of four, and tables of 55 KB instead of 73 KB (19 float
    columns) next to the 48 KB L1 cache: about 18% less time. The weighted sums add the same
    numbers in the same (firm) order as before."""
    sums = np.zeros((n_cells, _N_WEIGHTED))  # a firm's sums are adjacent in memory
    counts = np.zeros((n_cells, _N_COUNTS), dtype=np.int32)
    for i in range(len(cell)):
        c = cell[i]
        counts[c, stage[i]] += 1
        if fieldlab_experience[i]:
            ever_in_fieldlab[i] = True
        if ever_in_fieldlab[i]:
            counts[c, _EVER] += 1
        employees = routine[i] + mid[i] + technical[i]
        sums[c, 0] += employees
        sums[c, 1] += routine[i]
        sums[c, 2] += mid[i]
        sums[c, 3] += technical[i]
        sums[c, 4] += created[i]
        sums[c, 5] += lost[i]
        sums[c, 6] += reshored_jobs[i]
        sums[c, 7] += productivity[i] * employees
        sums[c, 8] += vacancies[i]
        sums[c, 9] += redundant[0, i] + redundant[1, i] + redundant[2, i]
        k = change_class[i]  # 0: not classified; 1-3: more, same, fewer jobs
        if k != 0:
            counts[c, _EVER + k] += 1
        if member[i]:
            counts[c, _MEMBER] += 1
    grid = np.empty((N_SUMS, n_cells))
    for c in range(n_cells):
        firms = 0
        aware_or_later = 0
        for s in range(_N_STAGES):
            firms += counts[c, s]
            aware_or_later += counts[c, s] if s >= aware else 0
        grid[0, c] = firms
        grid[1, c] = aware_or_later
        grid[2, c] = counts[c, experimenting]
        grid[3, c] = counts[c, adopted]
        grid[4, c] = counts[c, _EVER]
        for k in range(_N_WEIGHTED):
            grid[5 + k, c] = sums[c, k]
        for k in range(1, 5):
            grid[14 + k, c] = counts[c, _EVER + k]
    return grid


@numba.njit(cache=True)
def _np_sum(a, lo, n) -> float:
    """a[lo:lo + n].sum() of a contiguous float64 run as numpy adds it (its pairwise sum; n <=
    128). The eight partial sums are scalars, not an array, and the run is not sliced out: no
    allocation and no view per call (a view's two atomic reference-count updates cost more than
    the four adds of a row of size classes; margins makes about 1,500 calls a quarter)."""
    if n < 8:
        res = -0.0
        for i in range(lo, lo + n):
            res += a[i]
        return 0.0 + res
    r0, r1, r2, r3, r4, r5, r6, r7 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], a[lo + 6], \
        a[lo + 7]
    i = lo + 8
    stop = lo + n - (n % 8)
    while i < stop:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        res += a[i]
        i += 1
    return 0.0 + res


@numba.njit(cache=True)
def _rows_sum(x):
    """x.sum(axis=0) of a [k, n] array: the rows added in order."""
    out = x[0].copy()
    for j in range(1, x.shape[0]):
        out += x[j]
    return out


@numba.njit(cache=True)
def margins(grid, row, breakdown, sum_cols, cols, breakdown_rows, open_province, seekers, trained, pipeline, hires,
            poached, separations, entries, exits, spent, t):
    """Fill the quarter's metrics row[region, metric] and breakdown[group, metric] from the cell
    sums grid[quantity, province, sector, size class] and the province accounts.

    cols: metric columns of (value_added_meur, adoption_rate, adopters, firms, adoption_rate_10plus,
    fieldlabs_active, labour_productivity, employment, technical_pool, trainees,
    job_seekers_routine, job_seekers_mid, in_training, out_of_work, hires_from_pools,
    hires_from_firms, separations, pool_entries, pool_exits, public_spend_eur)."""
    n_q, n_prov, n_sec, n_size = grid.shape
    nl = n_prov
    flat = grid.reshape(n_q * n_prov * n_sec * n_size)  # grid is contiguous: one view, indexed below
    n_cells = n_sec * n_size  # of a province
    total = np.empty(n_prov)
    for q in range(n_q):
        for p in range(n_prov):
            total[p] = _np_sum(flat, (q * n_prov + p) * n_cells, n_cells)
            row[p, sum_cols[q]] = total[p]
        row[nl, sum_cols[q]] = _np_sum(total, 0, n_prov)
    va, rate, adopters, firms, rate10, active, lp, emp = cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], \
        cols[6], cols[7]
    q_adopters, q_firms = 3, 0  # rows of grid
    big = np.empty((2, n_prov))
    ten_plus = np.empty(n_sec * (n_size - 1))  # grid[q, p, :, 1:] made contiguous, as numpy's sum sees it
    for p in range(n_prov + 1):
        row[p, va] /= 1e3  # summed in kEUR
        row[p, rate] = row[p, adopters] / max(row[p, firms], 1.0)
    for j, q in enumerate((q_adopters, q_firms)):  # firms with 10+ workers: size classes 1..
        for p in range(n_prov):
            for s in range(n_sec):
                for k in range(1, n_size):
                    ten_plus[s * (n_size - 1) + k - 1] = grid[q, p, s, k]
            big[j, p] = _np_sum(ten_plus, 0, len(ten_plus))
    for p in range(n_prov):
        row[p, rate10] = big[0, p] / max(big[1, p], 1.0)
    row[nl, rate10] = _np_sum(big[0], 0, n_prov) / max(_np_sum(big[1], 0, n_prov), 1.0)
    counts = np.zeros(n_prov)
    for p in open_province:
        counts[p] += 1.0
    for p in range(n_prov):
        row[p, active] = counts[p]
    row[nl, active] = counts.sum()  # whole numbers: exact in any order
    for p in range(n_prov + 1):
        row[p, lp] = row[p, va] * 1e3 / max(row[p, emp], 1e-9)
    in_training = _rows_sum(pipeline)
    regional = (seekers[2], trained, seekers[0], seekers[1], in_training, _rows_sum(seekers) + in_training,
                _rows_sum(hires), poached, _rows_sum(separations), _rows_sum(entries), _rows_sum(exits))
    for j in range(len(regional)):
        v = regional[j]
        c = cols[8 + j]
        for p in range(n_prov):
            row[p, c] = v[p]
        row[nl, c] = _np_sum(v, 0, n_prov)
    spend = np.zeros(n_prov)  # spent[: t + 1].sum(axis=(0, 1)): quarters, then instruments, in order
    for k in range(t + 1):
        for i in range(spent.shape[1]):
            spend += spent[k, i]
    c = cols[19]
    for p in range(n_prov):
        row[p, c] = spend[p]
    row[nl, c] = _np_sum(spend, 0, n_prov)
    # National by sector (summed over provinces, then size classes) and by size class (over
    # provinces and sectors in turn, as adding the [size class] rows in that order).
    for m in range(len(breakdown_rows)):
        q = breakdown_rows[m]
        for s in range(n_sec):
            acc = 0.0
            for p in range(n_prov):
                acc += _np_sum(flat, ((q * n_prov + p) * n_sec + s) * n_size, n_size)  # a row of size classes
            breakdown[s, m] = acc
        for k in range(n_size):
            by_size = 0.0
            for p in range(n_prov):
                for s in range(n_sec):
                    by_size += grid[q, p, s, k]
            breakdown[n_sec + k, m] = by_size
