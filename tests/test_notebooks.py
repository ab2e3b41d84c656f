"""Every notebook runs top to bottom on the bundled samples, offline.

Notebooks are stored without outputs; this test executes each one with nbclient in a fresh
kernel and keeps the executed copy in build/notebooks/ for the documentation site.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXECUTED = ROOT / "build" / "notebooks"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        assert not cell.get("outputs"), f"{path.name} is stored with outputs; clear them"
    env_before = os.environ.get("CPTED_NOTEBOOK_OUT")
    os.environ["CPTED_NOTEBOOK_OUT"] = str(tmp_path)
    try:
        client = NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    finally:
        if env_before is None:
            os.environ.pop("CPTED_NOTEBOOK_OUT", None)
        else:
            os.environ["CPTED_NOTEBOOK_OUT"] = env_before
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, EXECUTED / path.name)


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


def test_the_quick_start_describes_the_sample_it_audits(neukoelln):
    quick_start = nbformat.read(ROOT / "notebooks" / "01_planner_quickstart.ipynb", as_version=4)
    intro = quick_start.cells[0].source
    kindergartens = int((neukoelln.sites["category"] == "kindergarten").sum())
    words = {1: "one kindergarten", 2: "two kindergartens", 3: "three kindergartens"}
    assert words[kindergartens] in intro
