"""The per-replication Arrow tables the CLI streams to disk hold exactly the rows of the
pandas frames of model/results.py (the CSV contract), whatever the replication and arms."""

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smartregion.cli.output import plain_schema
from smartregion.model.ensemble import ensemble_spec, run_ensemble
from smartregion.model.results import (breakdown_frame, breakdown_table, spend_frame, spend_table, timeseries_frame,
                                       timeseries_table)
from smartregion.model.scenario import load_counterfactual, load_scenario


@pytest.fixture(scope="module")
def results():
    s = load_scenario("fieldlab_expansion_north").model_copy(update={"replications": 2})
    s = s.model_copy(update={"population": s.population.model_copy(update={"scale": 0.02})})
    return run_ensemble(ensemble_spec(s, load_counterfactual(s)))


def _through_parquet(table: pa.Table) -> pa.Table:
    """As a part on disk is read back (cli/output.py PartStore), cast to the output schema."""
    buf = io.BytesIO()
    pq.write_table(table, buf)
    back = pq.read_table(pa.BufferReader(buf.getvalue()))
    return back.cast(plain_schema(back.schema))


@pytest.mark.parametrize("frame, table", [(timeseries_frame, timeseries_table), (breakdown_frame, breakdown_table),
                                          (spend_frame, spend_table)])
def test_arrow_tables_equal_the_frames(results, frame, table):
    for rep in (0, 1):
        buf = io.BytesIO()
        frame({rep: results[rep]}).to_parquet(buf, index=False)  # how parts were written before
        old = _through_parquet(pq.read_table(pa.BufferReader(buf.getvalue())))
        new = _through_parquet(table(rep, results[rep]))
        assert new.num_rows == old.num_rows > 0
        assert new.schema == old.schema.remove_metadata()
        assert new.equals(old)


def test_metric_arrays_read_straight_from_a_part_equal_metric_arrays(results):
    import numpy as np

    from smartregion.model.results import metric_arrays, part_metric_arrays

    part = pq.read_table(pa.BufferReader(_parquet_bytes(timeseries_table(1, results[1]))))
    fast = part_metric_arrays(part)
    slow = metric_arrays(part.to_pandas())
    assert fast is not None and fast[0] == slow[0] and list(fast[1]) == list(slow[1])
    for arm in slow[1]:
        assert np.array_equal(fast[1][arm], slow[1][arm])
    # rows in another order: not the layout it reads, so it declines (metric_arrays takes those)
    assert part_metric_arrays(part.take(np.arange(part.num_rows)[::-1])) is None


def _parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _fails(path: str) -> None:
    open(path + "/missing/file", "w")


def test_an_error_of_the_second_process_reaches_its_caller(tmp_path):
    """The time series table is written beside the rest (model/ensemble.py beside): its fault
    (here: a directory that is not there) is raised by result(), as the same OSError."""
    from smartregion.model.ensemble import beside

    with pytest.raises(FileNotFoundError), beside(_fails, str(tmp_path)) as job:
        job.result()
