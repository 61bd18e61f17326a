"""Results as tables: tidy time series, the policy-vs-counterfactual summary, headline figures.

Bands are the 5th and 95th percentiles over replications (a 90% band). Differences are taken
replication by replication (policy minus its counterfactual with the same random numbers),
which is what makes them sharp. Cost per net job is a ratio of means (extra public spending /
net jobs); its band comes from a fixed-seed bootstrap over replications, because the ratio of
single replications explodes when net jobs are near zero.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa

from .model import ARMS, BREAKDOWN_GROUPS, BREAKDOWN_METRICS, METRICS, REGIONS_OUT, RunResult
from .regions import NATIONAL, PROVINCE_NAMES, PROVINCES
from .units import UNITS

# The name beside every code in the tables (timeseries, summary): codes for programs, names for readers.
REGION_NAMES = tuple(PROVINCE_NAMES.get(r, "Nederland" if r == NATIONAL else r) for r in REGIONS_OUT)

BAND = (5, 95)
HEADLINE = (
    ("net_jobs", "Net jobs (employment difference)", "jobs"),
    ("net_jobs_workers", "Net jobs for the region's workers (fewer out of work)", "jobs"),
    ("net_adopters", "Net adopting firms", "firms"),
    ("reshored_jobs", "Extra reshored jobs", "jobs"),
    ("jobs_created", "Extra jobs created (gross)", "jobs"),
    ("jobs_lost", "Extra jobs lost (gross)", "jobs"),
    ("labour_productivity", "Labour productivity difference", "kEUR/worker"),
    ("extra_public_spend_eur", "Extra public spending", "EUR"),
    ("cost_per_net_job_eur", "Public cost per net job", "EUR/job"),
    ("cost_per_net_adopter_eur", "Public cost per net adopting firm", "EUR/firm"),
)


def _labels(codes: np.ndarray, labels) -> pd.Categorical:
    """A text column as codes into `labels` (which may repeat): long tables repeat few labels
    many times."""
    labels = [str(x) for x in labels]
    unique = list(dict.fromkeys(labels))
    where = np.array([unique.index(x) for x in labels], dtype=np.int16)
    return pd.Categorical.from_codes(where[codes], categories=pd.Index(unique))


def _tidy(arm: str, rep: int, quarters, values: np.ndarray, group_columns: dict, metrics) -> pd.DataFrame:
    """One run's [quarter, group, metric] array as long rows; group_columns label the group axis."""
    t, g, k = values.shape
    rows = t * g * k
    cols = {"arm": _labels(np.full(rows, ARMS.index(arm)), ARMS), "replication": np.full(rows, rep),
            "quarter": _labels(np.repeat(np.arange(t), g * k), quarters)}
    for name, labels in group_columns.items():
        cols[name] = _labels(np.tile(np.repeat(np.arange(g), k), t), labels)
    cols["metric"] = _labels(np.tile(np.arange(k), t * g), metrics)
    cols["value"] = values.ravel()
    return pd.DataFrame(cols)


def timeseries_frame(results: dict[int, dict[str, RunResult]]) -> pd.DataFrame:
    """Tidy long table: arm, replication, quarter, province, province_name, metric, value."""
    parts = [_tidy(arm, rep, r.quarters, r.metrics, {"province": REGIONS_OUT, "province_name": REGION_NAMES}, METRICS)
             for rep, arms in results.items() for arm, r in arms.items()]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["arm", "replication", "quarter", "province", "province_name", "metric", "value"])


def breakdown_frame(results: dict[int, dict[str, RunResult]]) -> pd.DataFrame:
    """National figures by sector and by size class: arm, replication, quarter, group, category, metric, value."""
    groups = {"group": [x[0] for x in BREAKDOWN_GROUPS], "category": [x[1] for x in BREAKDOWN_GROUPS]}
    parts = [_tidy(arm, rep, r.quarters, r.breakdown, groups, BREAKDOWN_METRICS)
             for rep, arms in results.items() for arm, r in arms.items()]
    return pd.concat(parts, ignore_index=True)


def spend_frame(results: dict[int, dict[str, RunResult]]) -> pd.DataFrame:
    """Public spending by arm, replication, quarter, instrument and province (EUR in that quarter)."""
    rows = []
    for rep, arms in results.items():
        for arm, r in arms.items():
            t_idx, i_idx, p_idx = np.nonzero(r.spend)
            rows.append(pd.DataFrame({
                "arm": _labels(np.full(len(t_idx), ARMS.index(arm)), ARMS), "replication": rep,
                "quarter": _labels(t_idx, r.quarters), "instrument": np.asarray(r.instruments, dtype=object)[i_idx]
                if r.instruments else [], "province": _labels(p_idx, REGIONS_OUT), "eur": r.spend[t_idx, i_idx, p_idx]}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


# The same tables as Arrow tables, one replication at a time, built straight from the arrays:
# what the CLI streams to disk per replication (cli/output.py). Same columns, rows and values
# as the frames above; text columns are dictionary-encoded (codes into their labels).

def _dictionary(codes: np.ndarray, labels) -> pa.DictionaryArray:
    labels = [str(x) for x in labels]
    unique = list(dict.fromkeys(labels))
    where = np.array([unique.index(x) for x in labels], dtype=np.int16)
    index_type = np.int8 if len(unique) < 128 else np.int16  # as pandas picks for a Categorical
    return pa.DictionaryArray.from_arrays(where[codes].astype(index_type), pa.array(unique, pa.string()))


def _tidy_table(arm: str, rep: int, quarters, values: np.ndarray, group_columns: dict, metrics) -> pa.Table:
    t, g, k = values.shape
    rows = t * g * k
    cols = {"arm": _dictionary(np.full(rows, ARMS.index(arm)), ARMS), "replication": pa.array(np.full(rows, rep)),
            "quarter": _dictionary(np.repeat(np.arange(t), g * k), quarters)}
    group = np.tile(np.repeat(np.arange(g), k), t)
    for name, labels in group_columns.items():
        cols[name] = _dictionary(group, labels)
    cols["metric"] = _dictionary(np.tile(np.arange(k), t * g), metrics)
    cols["value"] = pa.array(values.ravel())
    return pa.table(cols)


def timeseries_table(rep: int, arms: dict[str, RunResult]) -> pa.Table:
    """One replication's rows of timeseries_frame."""
    return pa.concat_tables([_tidy_table(arm, rep, r.quarters, r.metrics, {"province": REGIONS_OUT,
                                                                          "province_name": REGION_NAMES}, METRICS)
                             for arm, r in arms.items()])


def breakdown_table(rep: int, arms: dict[str, RunResult]) -> pa.Table:
    """One replication's rows of breakdown_frame."""
    groups = {"group": [x[0] for x in BREAKDOWN_GROUPS], "category": [x[1] for x in BREAKDOWN_GROUPS]}
    return pa.concat_tables([_tidy_table(arm, rep, r.quarters, r.breakdown, groups, BREAKDOWN_METRICS)
                             for arm, r in arms.items()])


def spend_table(rep: int, arms: dict[str, RunResult]) -> pa.Table:
    """One replication's rows of spend_frame."""
    parts = []
    for arm, r in arms.items():
        t_idx, i_idx, p_idx = np.nonzero(r.spend)
        parts.append(pa.table({
            "arm": _dictionary(np.full(len(t_idx), ARMS.index(arm)), ARMS), "replication": pa.array(np.full(len(t_idx), rep)),
            "quarter": _dictionary(t_idx, r.quarters),
            "instrument": pa.array(np.asarray(r.instruments, dtype=object)[i_idx] if r.instruments else [],
                                   pa.large_string()),
            "province": _dictionary(p_idx, REGIONS_OUT), "eur": pa.array(r.spend[t_idx, i_idx, p_idx])}))
    return pa.concat_tables(parts)


def _codes(column: pd.Series, labels) -> np.ndarray:
    """Positions of a text column's values in `labels` (-1: unknown), via the categories when
    the column has them (tables written by this module and read back)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Index(list(labels)).get_indexer(column.cat.categories.astype(str))[column.cat.codes.to_numpy()]
    return pd.Index(list(labels)).get_indexer(column.astype(str))


def metric_arrays(ts: pd.DataFrame) -> tuple[list[str], dict[str, np.ndarray]]:
    """The inverse of `timeseries_frame`: the quarters and, per arm, the values as an array
    [replication, quarter, region, metric] with replications in ascending order.

    Lets summaries and charts be built from time series read back from disk (Parquet parts,
    timeseries.csv) exactly as from results held in memory."""
    quarters = sorted(str(q) for q in ts["quarter"].unique())  # labels like 2018Q4 sort in time order
    reps = np.sort(ts["replication"].unique())
    out = {}
    for arm, sub in ts.groupby("arm", sort=False, observed=True):
        idx = (np.searchsorted(reps, sub["replication"].to_numpy()), _codes(sub["quarter"], quarters),
               _codes(sub["province"], REGIONS_OUT), _codes(sub["metric"], METRICS))
        if (idx[2] < 0).any() or (idx[3] < 0).any():
            raise ValueError("time series holds a province or metric this model does not know")
        arr = np.full((len(reps), len(quarters), len(REGIONS_OUT), len(METRICS)), np.nan)
        arr[idx] = sub["value"].to_numpy()
        out[str(arm)] = arr
    return list(quarters), out


def part_metric_arrays(part: pa.Table) -> tuple[list[str], dict[str, np.ndarray]] | None:
    """`metric_arrays` of one replication's time series as timeseries_table lays it out (arm
    blocks of quarter x region x metric rows), read straight from the Arrow columns; None for
    any other layout (then metric_arrays, which takes rows in any order)."""
    names = ("arm", "quarter", "province", "metric")
    cols = {n: part.column(n).combine_chunks() for n in names}
    if not all(pa.types.is_dictionary(c.type) for c in cols.values()) or len(part.column("replication").unique()) != 1:
        return None
    quarters = [str(q) for q in cols["quarter"].dictionary.to_pylist()]
    if (quarters != sorted(quarters) or cols["province"].dictionary.to_pylist() != list(REGIONS_OUT)
            or cols["metric"].dictionary.to_pylist() != list(METRICS)):
        return None
    q, g, k = len(quarters), len(REGIONS_OUT), len(METRICS)
    block = q * g * k
    if part.num_rows == 0 or part.num_rows % block:
        return None
    codes = {n: c.indices.to_numpy(zero_copy_only=False) for n, c in cols.items()}
    expect = {"quarter": np.repeat(np.arange(q), g * k), "province": np.tile(np.repeat(np.arange(g), k), q),
              "metric": np.tile(np.arange(k), q * g)}
    arms = cols["arm"].dictionary.to_pylist()
    values = part.column("value").to_numpy()
    out = {}
    for b in range(part.num_rows // block):
        rows = slice(b * block, (b + 1) * block)
        arm = codes["arm"][rows]
        if (arm != arm[0]).any() or arms[arm[0]] in out or not all(
                np.array_equal(codes[n][rows], e) for n, e in expect.items()):
            return None
        out[str(arms[arm[0]])] = values[rows].reshape(1, q, g, k)
    return quarters, out


def final_values(results, arm: str) -> np.ndarray:
    """[replication, region, metric] of `arm` at the last quarter (results: replication -> arm ->
    RunResult, as run_ensemble gives them)."""
    return np.stack([arms[arm].metrics[-1] for arms in results.values()])


def _means(x: np.ndarray) -> np.ndarray:
    """x[:, g, k].mean() for every g, k at once, the same floats: each mean is numpy's pairwise sum
    of one run of replications, which it adds the same way strided or contiguous (the dashboard
    redraws the summary after every computation; 1,500 mean calls took 10 ms)."""
    return np.ascontiguousarray(np.moveaxis(x, 0, -1)).mean(axis=-1)


@functools.lru_cache(maxsize=8)
def _resamples(seed: int, draws: int, n: int) -> np.ndarray:
    """The bootstrap's replication picks [draw, n]: the same for every ratio of a summary (the
    seed is fixed), so drawn once per size."""
    pick = np.random.default_rng(seed).integers(0, n, size=(draws, n))
    pick.flags.writeable = False
    return pick


def _band(x: np.ndarray, axis=0):
    return np.percentile(x, BAND[0], axis=axis), np.percentile(x, BAND[1], axis=axis)


def _ratio_band(num: np.ndarray, den: np.ndarray, seed: int = 12345, draws: int = 2000) -> tuple[float, float, float]:
    """Ratio of means with a bootstrap 90% band over replications; NaN where the mean denominator <= 0."""
    n = len(num)
    if den.mean() <= 0:
        return float("nan"), float("nan"), float("nan")
    pick = _resamples(seed, draws, n)
    d = den[pick].mean(axis=1)
    r = np.where(d > 0, num[pick].mean(axis=1) / np.where(d > 0, d, 1), np.inf)
    # No interpolation between draws: where over 5% of draws have no positive denominator the
    # upper bound is inf (unbounded), not the NaN that interpolating between infinities gives.
    lo, hi = np.percentile(r, BAND, method="nearest")
    return float(num.mean() / den.mean()), float(lo), float(hi)


def cost_per_job_words(spend_eur: float, net_jobs: float) -> str:
    """What the extra public spending bought, in words and numbers, for the cases where a cost
    per net job is not a meaningful number: a scenario that spends less than its
    counterfactual has savings, not a negative cost; without net jobs there is no per-job cost.
    Empty when the ratio itself says it (more spending, more jobs)."""
    if not (np.isfinite(spend_eur) and np.isfinite(net_jobs)):
        return ""
    jobs = f"{net_jobs:+,.0f} net jobs"
    if spend_eur < 0:
        return (f"no extra cost: spends EUR {-spend_eur / 1e6:,.1f}M less than the counterfactual "
                f"(public savings) with {jobs}")
    if net_jobs <= 0:
        return f"not defined: {jobs} for EUR {spend_eur / 1e6:,.1f}M extra public spending"
    return ""


# Derived rows of the summary: name -> the metric whose policy-minus-counterfactual it is.
DERIVED = {"net_jobs": "employment", "net_adopters": "adopters", "extra_public_spend_eur": "public_spend_eur"}


def summary_from_final(pol: np.ndarray, cf: np.ndarray | None, quarter: str) -> pd.DataFrame:
    """The summary from end-of-horizon values [replication, region, metric] of the policy arm
    and its counterfactual (same replications, same order). Without a counterfactual the
    difference columns are NaN: a level is not an effect."""
    has_cf = cf is not None
    diff = pol - cf if has_cf else np.full_like(pol, np.nan)
    lo, hi = _band(diff) if has_cf else (diff[0], diff[0])
    pol_mean, diff_mean = _means(pol), _means(diff)
    cf_mean = _means(cf) if has_cf else np.full(pol.shape[1:], np.nan)
    rows = []
    for g, region in enumerate(REGIONS_OUT):
        for k, metric in enumerate(METRICS):
            rows.append((metric, region, pol_mean[g, k], cf_mean[g, k], diff_mean[g, k], lo[g, k], hi[g, k], ""))
        for name, base in DERIVED.items():
            k = METRICS.index(base)
            rows.append((name, region, pol_mean[g, k], cf_mean[g, k], diff_mean[g, k], lo[g, k], hi[g, k], ""))
        spend = diff[:, g, METRICS.index("public_spend_eur")]
        jobs = diff[:, g, METRICS.index("employment")]
        # Savings are not a negative cost: the ratio is left undefined and the note says what happened.
        ratio, r_lo, r_hi = _ratio_band(spend, jobs) if has_cf and spend.mean() >= 0 else (np.nan,) * 3
        rows.append(("cost_per_net_job_eur", region, np.nan, np.nan, ratio, r_lo, r_hi,
                     cost_per_job_words(spend.mean(), jobs.mean()) if has_cf else ""))
        rows += _labour_rows(pol, cf, diff, g, region) if has_cf else []
    if has_cf:
        rows += _divergence_rows(pol, cf, diff)
    rows = [r if len(r) == 8 else (*r, "") for r in rows]  # the note column: words only where a number needs them
    out = pd.DataFrame(rows, columns=["metric", "province", "policy_mean", "counterfactual_mean", "difference",
                                      "difference_p5", "difference_p95", "note"])
    out.insert(2, "province_name", out["province"].map(dict(zip(REGIONS_OUT, REGION_NAMES))))
    out.insert(3, "quarter", quarter)
    out.insert(4, "replications", len(pol))
    out.insert(len(out.columns) - 1, "unit", out["metric"].map(UNITS))
    return out


def _labour_rows(pol, cf, diff, g: int, region: str) -> list[tuple]:
    """Issue 11's effects for one region: net jobs for the region's workers (fewer people out of
    work: job seekers and trainees, counterfactual minus policy; manufacturing headcount is
    net_jobs), public cost per net adopting firm (ratio of means, bootstrap band; NaN where net
    adopters are not positive), and public savings (counterfactual minus policy spending: a
    scenario that spends less shows a positive saving, never a negative cost)."""
    k_out, k_spend = METRICS.index("out_of_work"), METRICS.index("public_spend_eur")
    workers = -diff[:, g, k_out]
    savings = -diff[:, g, k_spend]
    adopters = diff[:, g, METRICS.index("adopters")]
    spend = diff[:, g, k_spend]
    per_adopter = _ratio_band(spend, adopters) if spend.mean() > 0 else (np.nan,) * 3  # no cost: a saving
    rows = [("net_jobs_workers", region, pol[:, g, k_out].mean(), cf[:, g, k_out].mean(), workers.mean(),
             *_band(workers)),
            ("cost_per_net_adopter_eur", region, np.nan, np.nan, *per_adopter),
            ("public_savings_eur", region, np.nan, np.nan, savings.mean(), *_band(savings))]
    return rows


def _divergence_rows(pol, cf, diff) -> list[tuple]:
    """Regional divergence (NL rows): the spread (standard deviation over the 12 provinces) of
    the adoption rate in each arm, and of net jobs per 1,000 counterfactual jobs; per
    replication, then mean and 90% band over replications."""
    n = len(PROVINCES)
    rate = METRICS.index("adoption_rate")
    spread_pol, spread_cf = pol[:, :n, rate].std(axis=1), cf[:, :n, rate].std(axis=1)
    d = spread_pol - spread_cf
    emp = METRICS.index("employment")
    per_k = diff[:, :n, emp] / np.maximum(cf[:, :n, emp], 1e-9) * 1e3
    net_spread = per_k.std(axis=1)
    return [("adoption_rate_spread", "NL", spread_pol.mean(), spread_cf.mean(), d.mean(), *_band(d)),
            ("net_jobs_per_1000_spread", "NL", np.nan, np.nan, net_spread.mean(), *_band(net_spread))]


def summary_frame(results: dict[int, dict[str, RunResult]]) -> pd.DataFrame:
    """Per metric and province at the end of the horizon: policy and counterfactual means,
    and their difference with its 90% band; plus net_jobs, net_adopters,
    extra_public_spend_eur and cost_per_net_job_eur."""
    has_cf = all("counterfactual" in arms for arms in results.values())
    return summary_from_final(final_values(results, "policy"),
                              final_values(results, "counterfactual") if has_cf else None,
                              next(iter(results.values()))["policy"].quarters[-1])


COMPARE_COLUMNS = ["scenario", "province"] + [f"{m}_{s}" for m in (
    "net_jobs", "net_adopters", "extra_public_spend_eur", "cost_per_net_job_eur", "net_jobs_per_eur_million")
    for s in ("mean", "p5", "p95")] + ["note"]


def compare_frame(final: dict[str, np.ndarray], counterfactual: str, quarter: str) -> pd.DataFrame:
    """Every arm but `counterfactual` against it (same replications): per scenario and region,
    net jobs, net adopters, extra public spend and cost per net job with 90% bands, and net
    jobs per EUR million of extra public spend (ratio of means, bootstrap band; NaN where the
    scenario spends no more than the counterfactual)."""
    rows = []
    for arm, pol in final.items():
        if arm == counterfactual:
            continue
        cf = final[counterfactual]
        s = summary_from_final(pol, cf, quarter).set_index(["metric", "province"])
        spend = (pol - cf)[:, :, METRICS.index("public_spend_eur")]
        jobs = (pol - cf)[:, :, METRICS.index("employment")]
        for g, region in enumerate(REGIONS_OUT):
            row = [arm, region]
            for metric in ("net_jobs", "net_adopters", "extra_public_spend_eur", "cost_per_net_job_eur"):
                r = s.loc[(metric, region)]
                row += [r["difference"], r["difference_p5"], r["difference_p95"]]
            row += list(_ratio_band(jobs[:, g], spend[:, g] / 1e6))
            rows.append(row + [s.loc[("cost_per_net_job_eur", region), "note"]])
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def headline(summary: pd.DataFrame, province: str = "NL") -> pd.DataFrame:
    """The few numbers a memo needs, for one province or NL."""
    s = summary[summary["province"] == province].set_index("metric")
    rows = []
    for metric, label, unit in HEADLINE:
        r = s.loc[metric]
        rows.append({"metric": metric, "label": label, "unit": unit, "value": r["difference"],
                     "p5": r["difference_p5"], "p95": r["difference_p95"],
                     "note": r["note"] if isinstance(r["note"], str) else ""})
    return pd.DataFrame(rows)
