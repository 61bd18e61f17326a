"""docs/tutorial.ipynb runs from top to bottom (in a real Jupyter kernel, nbclient), so it cannot rot."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from conftest import REPO


def test_tutorial_notebook_executes(tmp_path):
    nb = nbformat.read(REPO / "docs" / "tutorial.ipynb", as_version=4)
    for cell in nb.cells:  # run from a clean slate, not from the outputs saved in the file
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    # Raises CellExecutionError, naming the cell, if any cell fails.
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "firms in Limburg" in text and "net_adopters" in text and "(default)" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the custom chart was drawn
    assert not [o for o in outputs if o.output_type == "error"]
