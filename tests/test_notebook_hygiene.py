"""Committed notebooks are stored clean and follow the course's notebook rules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from _nbrun import ROOT, notebook_paths

sys.path.insert(0, str(ROOT / "tools"))
from nbclean import CANONICAL_KERNELSPEC, clean, problems

# A function this long belongs in rmlib, with a test.
MAX_FUNCTION_LINES = 5


def _tracked_notebooks() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    tracked = [ROOT / f for f in out if (ROOT / f).exists()]
    return sorted(set(tracked) | set(notebook_paths()))


NOTEBOOKS = [p for p in _tracked_notebooks() if "assignments" not in p.parts]
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def code_sources(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def long_functions(source: str) -> list[str]:
    """Names of functions in ``source`` whose body spans more than the limit."""
    lines = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    tree = ast.parse(lines)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            span = node.end_lineno - node.body[0].lineno + 1
            if span > MAX_FUNCTION_LINES:
                found.append(f"{node.name} ({span} lines)")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_clean(path):
    """No outputs, execution counts or machine metadata; every cell has an id."""
    nb = nbformat.read(path, as_version=4)
    assert problems(nb) == [], f"run: python tools/nbclean.py {path.relative_to(ROOT)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_title_and_rmlib_imports(path):
    """A notebook opens with a title cell and takes its helpers from rmlib."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), (
        "the first cell must be a markdown title starting with '# '"
    )
    code = code_sources(nb)
    assert code, "a notebook without code cells has nothing to run"
    assert "rmlib" in code[0], "the first code cell imports from rmlib"
    for src in code:
        assert "pip install" not in src, "install dependencies with `make setup`, not in a lesson"
        assert long_functions(src) == [], "move long helper functions into rmlib, with a test"


def test_rules_catch_dirty_notebooks():
    """The hygiene rules reject what they must, and nbclean repairs it."""
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 4
    cell = nbformat.v4.new_code_cell("1 + 1")
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"})]
    cell.metadata["collapsed"] = False
    cell.pop("id", None)
    nb.cells = [cell]
    nb.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3.11 (my-env)",
            "language": "python",
        },
        "language_info": {"name": "python", "version": "3.11.7"},
        "interpreter": {"hash": "abc"},
    }
    found = "\n".join(problems(nb))
    for expected in [
        "no cell ids",
        "outputs",
        "execution count",
        "interpreter",
        "kernelspec",
        "language_info",
        "metadata ['collapsed']",
        "has no id",
    ]:
        assert expected in found
    cleaned = clean(nb)
    assert problems(cleaned) == []
    assert cleaned.metadata["kernelspec"] == CANONICAL_KERNELSPEC


def test_long_function_rule():
    """Short helpers are fine in a notebook; long ones are flagged."""
    short = "def f(x):\n    return x + 1\n"
    long = "def g(x):\n" + "".join(f"    x += {i}\n" for i in range(6)) + "    return x\n"
    assert long_functions(short) == []
    assert long_functions(long) == ["g (7 lines)"]
