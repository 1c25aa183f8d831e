"""Small assignments built in code, for testing the pipeline and timing it.

:func:`probe_notebook` is a three-part assignment with no data dependency and
known points (8 autograded, 2 by hand), so tamper cases have exact expected
scores and run fast. :func:`floor_notebook` is the trivial one-cell notebook
that ``benchmarks/bench_grading.py`` uses as its floor.
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

__all__ = [
    "DATA_PROBE_POINTS",
    "PROBE_POINTS",
    "course_with",
    "data_probe_notebook",
    "floor_notebook",
    "probe_notebook",
]

#: Points of each graded cell of the probe notebook.
PROBE_POINTS = {
    "p1_visible": 1.0,
    "p1_hidden": 2.0,
    "p2_visible": 1.0,
    "p2_hidden": 2.0,
    "p3_hidden": 2.0,
    "written": 2.0,
}


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _code(cell_id, source, **kw):
    c = new_code_cell(source, metadata=_meta(cell_id, **kw))
    c.id = cell_id.replace("_", "-")
    return c


def _md(cell_id, source, **kw):
    c = new_markdown_cell(source, metadata=_meta(cell_id, **kw))
    c.id = cell_id.replace("_", "-")
    return c


def _kernel(nb):
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _double_part(p: dict) -> list:
    """Part 1 of both probes: ``double(x)``, with a visible and a hidden test."""
    return [
        _md("p1_text", "## Part 1\nWrite `double(x)` returning twice `x`.", locked=True),
        _code(
            "p1",
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            solution=True,
        ),
        _code(
            "p1_visible",
            '"""double() doubles a small number."""\nassert double(2) == 4, "double(2) should be 4"',
            grade=True,
            locked=True,
            points=p["p1_visible"],
        ),
        _code(
            "p1_hidden",
            '"""double() works on negatives and floats."""\n_ = double(1)\n### BEGIN HIDDEN TESTS\n'
            "assert double(-7) == -14\nassert double(0.25) == 0.5\n### END HIDDEN TESTS",
            grade=True,
            locked=True,
            points=p["p1_hidden"],
        ),
    ]


def course_with(notebook, source, dest, assignment: str, **course_kw):
    """A copy of the course ``source`` at ``dest`` with ``notebook`` added as ``assignment``.

    The assignment is generated; returns ``(course, source notebook, release notebook)``.
    ``course_kw`` go to :class:`~rmlib.grading.pipeline.Course` (e.g. ``cell_timeout``).
    """
    from pathlib import Path

    from rmlib.grading.pipeline import Course, copy_course

    root = copy_course(source, Path(dest))
    (root / "source" / assignment).mkdir(parents=True)
    nbformat.write(notebook, root / "source" / assignment / f"{assignment}.ipynb")
    course = Course(root, **course_kw)
    course.generate(assignment)
    src = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    rel = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    return course, src, rel


def probe_notebook() -> nbformat.NotebookNode:
    """Source notebook of the probe assignment (solutions and hidden tests included)."""
    p = PROBE_POINTS
    cells = [
        _md(
            "intro", "# Probe assignment\n\nThree small parts and one written answer.", locked=True
        ),
        _code("setup", "values = [3, 1, 4, 1, 5]", locked=True),
        *_double_part(p),
        _md("p2_text", "## Part 2\nStore the sum of `values` in `total`.", locked=True),
        _code("p2", "### BEGIN SOLUTION\ntotal = sum(values)\n### END SOLUTION", solution=True),
        _code(
            "p2_visible",
            '"""total is a number."""\nassert isinstance(total, int), "total should be an int"',
            grade=True,
            locked=True,
            points=p["p2_visible"],
        ),
        _code(
            "p2_hidden",
            '"""total is the sum of values."""\n_ = total\n### BEGIN HIDDEN TESTS\n'
            "assert total == sum(values) == 14\n### END HIDDEN TESTS",
            grade=True,
            locked=True,
            points=p["p2_hidden"],
        ),
        _md(
            "p3_text",
            "## Part 3\nWrite `safe_ratio(a, b)`: `a / b`, or 0 when b is 0.",
            locked=True,
        ),
        _code(
            "p3",
            "def safe_ratio(a, b):\n    ### BEGIN SOLUTION\n    return a / b if b else 0.0\n"
            "    ### END SOLUTION",
            solution=True,
        ),
        _code(
            "p3_hidden",
            '"""safe_ratio() divides and guards against zero."""\n_ = safe_ratio(1, 1)\n### BEGIN HIDDEN TESTS\n'
            "assert safe_ratio(6, 3) == 2\nassert safe_ratio(1, 0) == 0\n### END HIDDEN TESTS",
            grade=True,
            locked=True,
            points=p["p3_hidden"],
        ),
        _md("written_text", "## Written answer\nWhy do tests hide?", locked=True),
        _md(
            "written",
            "### BEGIN SOLUTION\nSo that the grade measures the skill, not the test.\n"
            "### END SOLUTION",
            grade=True,
            solution=True,
            points=p["written"],
        ),
    ]
    return _kernel(new_notebook(cells=cells))


def floor_notebook() -> nbformat.NotebookNode:
    """A one-cell assignment: a single 1-point test cell, the cheapest thing to grade."""
    cells = [_code("check", "assert 1 + 1 == 2", grade=True, locked=True, points=1.0)]
    return _kernel(new_notebook(cells=cells))


#: Points of each graded cell of the data probe notebook.
DATA_PROBE_POINTS = {
    "p1_visible": 1.0,
    "p1_hidden": 2.0,
    "p2_hidden": 2.0,
    "p3_hidden": 2.0,
    "written": 2.0,
}


def data_probe_notebook() -> nbformat.NotebookNode:
    """A probe whose answers depend on the case data and on :mod:`rmlib` (7 + 2 points).

    Part 1 is ``double(x)`` again; part 2 counts the buying customers of the
    case (``n_buyers``); part 3 is the top-20 % revenue share (``top20``),
    checked against ``rmlib.pareto.top_share`` with ``abs`` — so that rebinding
    ``abs``, patching the library or faking the data has something to aim at.
    """
    p = DATA_PROBE_POINTS
    setup = "from rmlib.datasets import load_case\n\ntx = load_case().transactions"
    cells = [
        _md("intro", "# Data probe\n\nThree parts on the case data.", locked=True),
        _code("setup", setup, locked=True),
        *_double_part(p),
        _md(
            "p2_text", "## Part 2\nStore the number of buying customers in `n_buyers`.", locked=True
        ),
        _code(
            "p2",
            '### BEGIN SOLUTION\nn_buyers = tx["customer_id"].nunique()\n### END SOLUTION',
            solution=True,
        ),
        _code(
            "p2_hidden",
            '"""n_buyers counts the case\'s buying customers."""\n_ = int(n_buyers)\n'
            "### BEGIN HIDDEN TESTS\nimport rmlib.datasets\n\n"
            '_want = rmlib.datasets.load_case().transactions["customer_id"].nunique()\n'
            "assert int(n_buyers) == _want\n### END HIDDEN TESTS",
            grade=True,
            locked=True,
            points=p["p2_hidden"],
        ),
        _md("p3_text", "## Part 3\nStore the top-20 % revenue share in `top20`.", locked=True),
        _code(
            "p3",
            "### BEGIN SOLUTION\nimport rmlib.pareto\n\ntop20 = rmlib.pareto.top_share(tx, 0.2)\n"
            "### END SOLUTION",
            solution=True,
        ),
        _code(
            "p3_hidden",
            '"""top20 is the top-20 % revenue share."""\n_ = float(top20)\n'
            "### BEGIN HIDDEN TESTS\nimport rmlib.datasets\nimport rmlib.pareto\n\n"
            "_want = rmlib.pareto.top_share(rmlib.datasets.load_case().transactions, 0.2)\n"
            "assert abs(float(top20) - _want) < 1e-9\n### END HIDDEN TESTS",
            grade=True,
            locked=True,
            points=p["p3_hidden"],
        ),
        _md("written_text", "## Written answer\nWhy do tests hide?", locked=True),
        _md(
            "written",
            "### BEGIN SOLUTION\nSo that the grade measures the skill.\n### END SOLUTION",
            grade=True,
            solution=True,
            points=p["written"],
        ),
    ]
    return _kernel(new_notebook(cells=cells))
