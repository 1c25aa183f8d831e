"""Execute a notebook in a fresh kernel, the way the course's CI does."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = Path(os.environ.get("RMLIB_NOTEBOOKS_DIR", ROOT / "notebooks"))
# Seconds one cell may run before the notebook counts as hung.
CELL_TIMEOUT = int(os.environ.get("RMLIB_CELL_TIMEOUT", "120"))
# Seconds a whole notebook may take (generous: the machine is shared and noisy).
NOTEBOOK_TIMEOUT = int(os.environ.get("RMLIB_NOTEBOOK_TIMEOUT", "300"))


class NotebookWarning(AssertionError):
    """A notebook printed a warning to stderr while it ran."""


def notebook_paths(base: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Every notebook under ``base``, recursively, in a stable order."""
    return sorted(p for p in base.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def run_notebook(path: Path, cell_timeout: int = CELL_TIMEOUT) -> float:
    """Run ``path`` top to bottom in a fresh kernel; return the seconds it took.

    Raises ``nbclient.exceptions.CellExecutionError`` on the first failing
    cell and :class:`NotebookWarning` if any cell wrote a warning to stderr.
    The notebook file itself is not modified.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                if "Warning" in out.get("text", ""):
                    raise NotebookWarning(f"{path.name}, cell {i}: {out['text'].strip()}")
    return seconds
