"""The notebook harness fails when it should: errors, warnings, no tests at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from _nbrun import ROOT, NotebookWarning, run_notebook
from nbclient.exceptions import CellExecutionError


def _write(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Broken")] + [
        nbformat.v4.new_code_cell(s) for s in sources
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_error_in_a_cell_fails(tmp_path):
    """A cell that raises makes the run fail, and the file is left untouched."""
    path = _write(tmp_path / "broken.ipynb", "import rmlib", "1 / 0")
    before = path.read_bytes()
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        run_notebook(path)
    assert path.read_bytes() == before


def test_warning_fails(tmp_path):
    """A warning printed by a cell counts as a failure (warnings are errors in CI)."""
    path = _write(tmp_path / "warns.ipynb", "import warnings\nwarnings.warn('old API')")
    with pytest.raises(NotebookWarning, match="old API"):
        run_notebook(path)


def test_good_notebook_reports_its_time(tmp_path):
    path = _write(tmp_path / "ok.ipynb", "x = 2 + 2\nassert x == 4")
    assert run_notebook(path) > 0


def _pytest_on(notebooks_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, RMLIB_NOTEBOOKS_DIR=str(notebooks_dir))
    report = tmp_path / "junit.xml"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-n",
            "0",
            "-k",
            "test_notebook_runs",
            f"--junitxml={report}",
            str(ROOT / "tests/test_notebooks.py"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_broken_notebook_fails_the_suite(tmp_path):
    """The same pytest run that CI makes goes red on a broken notebook."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _write(nbdir / "00_start_here.ipynb", "import rmlib")
    _write(nbdir / "99_broken.ipynb", "import rmlib", "raise RuntimeError('deliberately broken')")
    proc = _pytest_on(nbdir, tmp_path)
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "1 failed, 1 passed" in proc.stdout
    assert "99_broken.ipynb" in proc.stdout


def test_ci_counts_tests(tmp_path):
    """.ci/count_tests.py fails on a report with no tests or with failures."""
    script = ROOT / ".ci" / "count_tests.py"

    def run(xml: str | None) -> subprocess.CompletedProcess:
        path = tmp_path / "report.xml"
        if xml is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(xml)
        return subprocess.run(
            [sys.executable, str(script), str(path)], capture_output=True, text=True, check=False
        )

    empty = '<testsuites><testsuite name="pytest" tests="0" failures="0" errors="0" skipped="0"/></testsuites>'
    good = '<testsuites><testsuite name="pytest" tests="3" failures="0" errors="0" skipped="1"/></testsuites>'
    bad = '<testsuites><testsuite name="pytest" tests="3" failures="1" errors="0" skipped="0"/></testsuites>'
    assert run(empty).returncode == 1 and "no test ran" in run(empty).stdout
    assert run(None).returncode == 1
    assert run(bad).returncode == 1
    ok = run(good)
    assert ok.returncode == 0 and "2 passed, 0 failed, 1 skipped" in ok.stdout


def test_xdist_groups_keep_their_tests_on_one_worker(tmp_path):
    """`make test` relies on --dist loadgroup: a graded term is built once, on one worker.

    With pytest 9.2 and pytest-xdist 3.8 the grouping silently stopped (pytest-xdist#1386)
    and every graded term was built on both workers; this run would show the group split.
    """
    (tmp_path / "test_grouped.py").write_text(
        "import pytest\n"
        "pytestmark = pytest.mark.xdist_group('term')\n"
        "@pytest.mark.parametrize('i', range(8))\n"
        "def test_grouped(i):\n    pass\n"
    )
    (tmp_path / "test_free.py").write_text(
        "import pytest\n@pytest.mark.parametrize('i', range(40))\ndef test_free(i):\n    pass\n"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
         "-p", "no:cacheprovider"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    workers = {
        line.split("]", 1)[0].lstrip("[")
        for line in proc.stdout.splitlines()
        if line.startswith("[gw") and "test_grouped" in line
    }
    ran = sum("PASSED test_grouped.py" in line for line in proc.stdout.splitlines())
    assert ran == 8, proc.stdout[-3000:]
    assert len(workers) == 1, f"the group ran on {sorted(workers)}"
