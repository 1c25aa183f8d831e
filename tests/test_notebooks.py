"""Every notebook under notebooks/ runs top to bottom in a fresh kernel."""

from __future__ import annotations

import pytest
from _nbrun import NOTEBOOK_TIMEOUT, NOTEBOOKS_DIR, notebook_paths, run_notebook

PATHS = notebook_paths()


def test_there_are_notebooks_to_run():
    """The harness found the course's notebooks (a wrong folder would run nothing)."""
    assert (NOTEBOOKS_DIR / "00_start_here.ipynb") in PATHS


@pytest.mark.notebook
@pytest.mark.timeout(NOTEBOOK_TIMEOUT)
@pytest.mark.parametrize("path", PATHS, ids=[str(p.relative_to(NOTEBOOKS_DIR)) for p in PATHS])
def test_notebook_runs(path, record_property):
    """The notebook executes without errors or warnings."""
    seconds = run_notebook(path)
    record_property("notebook_seconds", seconds)
