"""Tables and charts built from results: round trips through the tidy time series, the
summary, the comparison table, and figures that render for any number of replications."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smartregion.model import report
from smartregion.model.ensemble import EnsembleSpec, ensemble_spec, run_ensemble, spec_of
from smartregion.model.model import REGIONS_OUT
from smartregion.model.results import compare_frame, metric_arrays, summary_frame, summary_from_final, timeseries_frame
from smartregion.model.scenario import SCENARIO_DIR, Population, load_counterfactual, load_scenario

PNG = b"\x89PNG\r\n\x1a\n"


def figure_input(arrays):
    """What the run command hands report_figure: NL over time and every region at the end."""
    nl = REGIONS_OUT.index("NL")
    return {k: v[:, :, nl] for k, v in arrays.items()}, {k: v[:, -1] for k, v in arrays.items()}


def small(name: str, replications: int):
    s = load_scenario(SCENARIO_DIR / f"{name}.yaml")
    s = s.model_copy(update={"population": Population(scale=0.05), "replications": replications, "seed": 3})
    return s, load_counterfactual(s)


@pytest.fixture(scope="module")
def results():
    s, cf = small("baseline", 3)
    return run_ensemble(ensemble_spec(s, cf))


def test_metric_arrays_inverts_timeseries_frame(results):
    quarters, arrays = metric_arrays(timeseries_frame(results))
    assert quarters == results[0]["policy"].quarters
    for arm in ("policy", "counterfactual"):
        expected = np.stack([results[i][arm].metrics for i in sorted(results)])
        assert np.array_equal(arrays[arm], expected)


def test_summary_from_arrays_equals_summary_from_results(results):
    quarters, arrays = metric_arrays(timeseries_frame(results))
    from_disk = summary_from_final(arrays["policy"][:, -1], arrays["counterfactual"][:, -1], quarters[-1])
    pd.testing.assert_frame_equal(from_disk, summary_frame(results))


def test_summary_without_counterfactual_has_no_effects(results):
    _, arrays = metric_arrays(timeseries_frame(results))
    s = summary_from_final(arrays["policy"][:, -1], None, "2030Q4")
    assert s["difference"].isna().all() and s["policy_mean"].notna().any()


def test_compare_frame_is_the_summary_per_scenario(results):
    _, arrays = metric_arrays(timeseries_frame(results))
    final = {k: v[:, -1] for k, v in arrays.items()}
    t = compare_frame({"counterfactual": final["counterfactual"], "baseline": final["policy"],
                       "nothing": final["counterfactual"]}, "counterfactual", "2030Q4")
    assert list(t["scenario"].unique()) == ["baseline", "nothing"] and len(t) == 2 * len(REGIONS_OUT)
    s = summary_frame(results).set_index(["metric", "province"])
    base = t[t["scenario"] == "baseline"].set_index("province")
    for region in REGIONS_OUT:
        assert base.loc[region, "net_jobs_mean"] == s.loc[("net_jobs", region), "difference"]
        assert base.loc[region, "cost_per_net_job_eur_p95"] == pytest.approx(
            s.loc[("cost_per_net_job_eur", region), "difference_p95"], nan_ok=True)
    nothing = t[t["scenario"] == "nothing"]
    assert (nothing["net_jobs_mean"] == 0).all()
    assert nothing["net_jobs_per_eur_million_mean"].isna().all()  # no extra spending: undefined, not infinite


def test_report_renders_from_one_replication(tmp_path):
    s, cf = small("baseline", 1)
    quarters, arrays = metric_arrays(timeseries_frame(run_ensemble(ensemble_spec(s, cf))))
    info = {"scenario": s.name, "counterfactual": cf.name, "replications": 1, "seed": 3, "scale": 0.05}
    report.save(report.report_figure(quarters, *figure_input(arrays), info), tmp_path / "r.png")
    data = (tmp_path / "r.png").read_bytes()
    assert data[:8] == PNG and len(data) > 50_000


def test_report_renders_without_counterfactual(results, tmp_path):
    quarters, arrays = metric_arrays(timeseries_frame(results))
    info = {"scenario": "no_policy", "counterfactual": None, "replications": 3, "seed": 3, "scale": 0.05}
    national, final = figure_input({"policy": arrays["counterfactual"]})
    report.save(report.report_figure(quarters, national, final, info), tmp_path / "r.png")
    assert (tmp_path / "r.png").read_bytes()[:8] == PNG


def test_compare_figure_renders_with_undefined_cells(tmp_path):
    s, cf = small("baseline", 2)
    rosf, _ = small("region_of_smart_factories", 2)
    arms = {"counterfactual": cf, "baseline": s, "region_of_smart_factories": rosf}
    spec = EnsembleSpec(arms={k: spec_of(v) for k, v in arms.items()}, seed=3, replications=2)
    res = run_ensemble(spec)
    final = {arm: np.stack([res[i][arm].metrics[-1] for i in sorted(res)]) for arm in arms}
    table = compare_frame(final, "counterfactual", "2030Q4")
    assert table.loc[table["scenario"] == "region_of_smart_factories", "net_jobs_per_eur_million_mean"].isna().any()
    info = {"counterfactual": "no_policy", "replications": 2, "seed": 3, "quarter": "2030Q4", "scale": 0.05}
    report.save(report.compare_figure(table, info), tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG


def test_metric_arrays_rejects_unknown_names(results):
    ts = timeseries_frame({0: results[0]})
    renamed = ts.copy()  # stored as labels: a label this model does not know
    renamed["metric"] = renamed["metric"].cat.rename_categories({"firms": "not_a_metric"})
    with pytest.raises(ValueError, match="metric"):
        metric_arrays(renamed)
    ts["metric"] = ts["metric"].astype(str)  # as read back from timeseries.csv
    ts.loc[0, "metric"] = "not_a_metric"
    with pytest.raises(ValueError, match="metric"):
        metric_arrays(ts)
