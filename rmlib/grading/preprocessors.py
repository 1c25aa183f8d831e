"""nbgrader preprocessors that make autograding and feedback safe to trust.

Stock nbgrader 0.9 restores the *source* of read-only cells from the gradebook,
but not their role, and it runs the student's code with the course folder one
``cd ..`` away. Four preprocessors close the gaps; ``assignments/nbgrader_config.py``
puts them in the pipeline:

:class:`RestoreCellMetadata` (before ``OverwriteCells``, when a submission is
sanitised)
    Rebuilds each graded cell's nbgrader metadata (grade, solution, locked,
    points, cell type) from the gradebook, so a test cell flipped to
    "solution" or "not graded" is a test cell again instead of crashing the
    whole submission with nbgrader's "Inconsistent checksums" error; strips
    ids the gradebook does not know; and puts back every test or answer cell
    the student deleted (stock ``add_missing_cells`` fails with a ``KeyError``
    when the cell before the deleted one is gone too).

:class:`SandboxedExecute` (replaces ``Execute``)
    Runs the kernel in a fresh temporary folder holding only the assignment's
    data files, with an environment that names no course path, so student code
    cannot reach ``source/``, ``release/`` or the gradebook by a relative path.
    When a cell kills the kernel (``os._exit``, a crash), that cell is marked
    failed and the notebook is re-run without it, so the other parts are still
    graded instead of the whole submission being dropped.

:class:`HideHiddenTests` (added to ``GenerateFeedback``)
    Replaces every hidden-test region in the feedback by a neutral line and
    its outputs (tracebacks quote the code) by a one-line verdict; any other
    output that quotes a hidden-test line is removed too.

These are written here because nbgrader has no switch for any of them; each
subclasses or mirrors an nbgrader preprocessor and is tested end to end in
``tests/test_grading_pipeline.py``.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer, List, Unicode

__all__ = [
    "BEGIN_HIDDEN",
    "END_HIDDEN",
    "HIDDEN_NOTICE",
    "HideHiddenTests",
    "RestoreCellMetadata",
    "SandboxedExecute",
    "hidden_regions",
]

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
HIDDEN_NOTICE = "# Hidden tests ran here. They decide the grade; their code is not shown."
KERNEL_DIED = "KernelDied"


def hidden_regions(source: str) -> list[str]:
    """The code lines inside each ``BEGIN/END HIDDEN TESTS`` region of ``source``.

    >>> hidden_regions("a = 1\\n### BEGIN HIDDEN TESTS\\nassert a == 1\\n### END HIDDEN TESTS")
    ['assert a == 1']
    """
    lines, inside = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def _nbgrader_meta(src, grades, solutions):
    """The nbgrader metadata of the source cell ``src``, as the gradebook records it."""
    name = src["name"]
    grade = name in grades
    meta = {
        "grade": grade,
        "grade_id": name,
        "locked": src["locked"] and name not in solutions,
        "schema_version": 3,
        "solution": name in solutions,
        "task": False,
    }
    if grade:
        meta["points"] = grades[name]
    if src["checksum"] is not None:
        meta["checksum"] = src["checksum"]
    return meta


def _set_cell_type(cell: NotebookNode, cell_type: str) -> None:
    if cell.cell_type == cell_type:
        return
    cell.cell_type = cell_type
    cell.pop("attachments", None)
    if cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


class RestoreCellMetadata(NbGraderPreprocessor):
    """Give every graded cell back the role, type and place it has in the gradebook.

    Runs while a submission is sanitised, first after ``ClearOutput`` and before
    ``OverwriteCells`` (which then restores the source of read-only cells by
    checksum). When an id appears twice, the last cell keeps it (nbgrader's
    rule) and the others become plain cells; stock ``DeduplicateIds`` leaves them
    with empty nbgrader metadata, which aborts the *whole* autograde run with a
    "schema too old" error. A cell whose ``grade_id`` the gradebook does not know loses its
    nbgrader metadata and is graded as ordinary code; a graded cell that is
    missing is inserted after the nearest earlier cell that is still there.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            grades = {c.name: float(c.max_score) for c in notebook.grade_cells}
            solutions = {c.name for c in notebook.solution_cells}
            sources = [
                {
                    "name": c.name,
                    "cell_type": c.cell_type,
                    "locked": bool(c.locked),
                    "source": c.source,
                    "checksum": c.checksum,
                }
                for c in notebook.source_cells
            ]
        by_name = {s["name"]: s for s in sources}
        self._deduplicate(nb)
        for cell in nb.cells:
            self._restore(cell, by_name, grades, solutions)
        self._add_missing(nb, sources, grades, solutions)
        return nb, resources

    def _deduplicate(self, nb):
        """Keep nbgrader's rule (the last cell with an id wins) but leave no empty metadata."""
        seen = set()
        for cell in reversed(nb.cells):
            meta = cell.metadata.get("nbgrader")
            name = meta.get("grade_id") if isinstance(meta, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                self.log.warning("Cell id %r appears more than once; grading the last one", name)
                del cell.metadata["nbgrader"]
                cell.metadata.pop("editable", None)
                cell.metadata.pop("deletable", None)
            seen.add(name)

    def _restore(self, cell, by_name, grades, solutions):
        if "nbgrader" not in cell.metadata:
            return
        meta = cell.metadata["nbgrader"]
        name = meta.get("grade_id") if isinstance(meta, dict) else None
        src = by_name.get(name) if isinstance(name, str) else None
        if src is None or not (name in grades or name in solutions or src["locked"]):
            self.log.warning("Cell id %r is not in the gradebook; grading it as plain code", name)
            del cell.metadata["nbgrader"]
            return
        if cell.cell_type != src["cell_type"]:
            self.log.warning(
                "Cell %s changed type to %s; restoring %s", name, cell.cell_type, src["cell_type"]
            )
            _set_cell_type(cell, src["cell_type"])
        cell.metadata["nbgrader"] = _nbgrader_meta(src, grades, solutions)
        if name in solutions:
            cell.metadata.pop("editable", None)
        else:
            cell.metadata["editable"] = False
        cell.metadata["deletable"] = False

    def _add_missing(self, nb, sources, grades, solutions):
        present = {
            c.metadata["nbgrader"].get("grade_id") for c in nb.cells if "nbgrader" in c.metadata
        }
        order = [s["name"] for s in sources]
        for pos, src in enumerate(sources):
            name = src["name"]
            if name in present or not (name in grades or name in solutions):
                continue
            self.log.warning("Graded cell %s was deleted; putting it back", name)
            cell = self._make_cell(src, grades, solutions)
            index = 0
            for earlier in reversed(order[:pos]):
                hit = [
                    i
                    for i, c in enumerate(nb.cells)
                    if c.metadata.get("nbgrader", {}).get("grade_id") == earlier
                ]
                if hit:
                    index = hit[-1] + 1
                    break
            nb.cells.insert(index, cell)
            present.add(name)

    @staticmethod
    def _make_cell(src, grades, solutions):
        name = src["name"]
        cell = NotebookNode(
            {
                "cell_type": src["cell_type"],
                "id": f"restored-{name}"[:64],
                "metadata": NotebookNode(
                    {
                        "deletable": False,
                        "rmlib_restored": True,
                        "nbgrader": _nbgrader_meta(src, grades, solutions),
                    }
                ),
                "source": src["source"],
            }
        )
        if name not in solutions:
            cell.metadata["editable"] = False
        if src["cell_type"] == "code":
            cell.outputs = []
            cell.execution_count = None
        return cell


class SandboxedExecute(Execute):
    """nbgrader's ``Execute``, with the kernel kept away from the course and kept alive.

    The kernel starts in a new temporary folder that holds copies of the
    assignment's non-notebook files (its data); the folder is deleted
    afterwards. The kernel's environment loses every variable whose value
    names the course folder or the working directory, and gets
    ``PYTHONWARNINGS=ignore`` so that a library warning printed to stderr
    cannot zero a correct test (nbgrader fails any test cell with stderr).

    If a cell kills the kernel, the cell gets a ``KernelDied`` error output and
    the notebook is executed again from a fresh kernel with that cell skipped,
    up to ``max_kernel_deaths`` times.
    """

    max_kernel_deaths = Integer(
        3, help="How many kernel deaths to survive per notebook before giving up."
    ).tag(config=True)

    drop_env_prefixes = List(
        ["NBGRADER_COURSE", "JPY_", "JUPYTERHUB_API"],
        help="Environment variables starting with these are not passed to the kernel.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        resources = resources if resources is not None else {}
        meta = resources.setdefault("metadata", {})
        origin = Path(meta.get("path") or os.getcwd()).resolve()
        sandbox = Path(tempfile.mkdtemp(prefix="rmgrade-"))
        try:
            for item in origin.iterdir():
                if item.suffix == ".ipynb" or item.name.startswith("."):
                    continue
                if item.is_dir():
                    shutil.copytree(item, sandbox / item.name)
                else:
                    shutil.copy2(item, sandbox / item.name)
            meta["path"] = str(sandbox)
            self._kernel_env = self._scrubbed_env(origin)
            return self._run_surviving_deaths(nb, resources, km)
        finally:
            meta["path"] = str(origin)
            shutil.rmtree(sandbox, ignore_errors=True)

    def _scrubbed_env(self, origin: Path) -> dict[str, str]:
        hints = {str(origin), os.getcwd(), str(Path(os.getcwd()).resolve())}
        env = {}
        for key, value in os.environ.items():
            if key in {"PWD", "OLDPWD"} or key.startswith(tuple(self.drop_env_prefixes)):
                continue
            if any(h and h != "/" and h in value for h in hints):
                continue
            env[key] = value
        env["PYTHONWARNINGS"] = "ignore"
        return env

    def start_new_kernel(self, **kwargs):
        kwargs.setdefault("env", getattr(self, "_kernel_env", None) or dict(os.environ))
        return super().start_new_kernel(**kwargs)

    def _run_surviving_deaths(self, nb, resources, km):
        original = copy.deepcopy(nb)
        self._skip: set[int] = set()
        while True:
            attempt = copy.deepcopy(original)
            self._current_index = None
            try:
                return super().preprocess(attempt, resources, km)
            except DeadKernelError:
                index = self._current_index
                if index is None or len(self._skip) >= self.max_kernel_deaths:
                    raise
                self.log.warning("Cell %d killed the kernel; re-running without it", index)
                self._skip.add(index)
                self.km = None
                self.kc = None

    def preprocess_cell(self, cell, resources, index):
        self._current_index = index
        if index in self._skip and cell.cell_type == "code":
            cell.outputs = [
                NotebookNode(
                    output_type="error",
                    ename=KERNEL_DIED,
                    evalue="this cell stopped the Python kernel, so it was skipped",
                    traceback=[
                        f"{KERNEL_DIED}: this cell stopped the Python kernel (os._exit, a crash "
                        "or running out of memory). It was skipped and the notebook was run "
                        "again without it."
                    ],
                )
            ]
            cell.execution_count = None
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


class HideHiddenTests(NbGraderPreprocessor):
    """Keep hidden tests out of the feedback students receive.

    A cell is treated as holding hidden tests when its gradebook source or its
    own source has a hidden-test region. Each region becomes ``notice``; the
    cell's outputs become one line saying whether the hidden tests passed.
    Then every output of every cell that quotes a hidden-test line (for
    instance a solution that printed the gradebook) is removed. The student's
    own code is left as they wrote it.
    """

    notice = Unicode(HIDDEN_NOTICE, help="Line shown where hidden tests were.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        hidden_ids, hidden_lines = set(), set()
        try:
            with Gradebook(info["db_url"]) as gb:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
                for src in notebook.source_cells:
                    lines = hidden_regions(src.source or "")
                    if BEGIN_HIDDEN in (src.source or ""):
                        hidden_ids.add(src.name)
                    hidden_lines.update(x.strip() for x in lines if len(x.strip()) >= 8)
        except (KeyError, MissingEntry):
            self.log.warning("No gradebook entry for this notebook; hiding by markers only")
        for cell in nb.cells:
            name = cell.metadata.get("nbgrader", {}).get("grade_id")
            if name in hidden_ids or BEGIN_HIDDEN in cell.source:
                hidden_lines.update(
                    x.strip() for x in hidden_regions(cell.source) if len(x.strip()) >= 8
                )
                self._hide_cell(cell)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if not _quotes(o, hidden_lines)]
        return nb, resources

    def _hide_cell(self, cell):
        kept, inside = [], False
        for line in cell.source.splitlines():
            if BEGIN_HIDDEN in line:
                inside = True
                kept.append(line[: len(line) - len(line.lstrip())] + self.notice)
            elif END_HIDDEN in line:
                inside = False
            elif not inside:
                kept.append(line)
        cell.source = "\n".join(kept)
        if cell.cell_type != "code":
            return
        failed = utils.has_failed(cell)
        cell.outputs = [
            NotebookNode(
                output_type="stream",
                name="stdout",
                text=(
                    "A hidden test for this part failed.\n"
                    if failed
                    else "The hidden tests for this part passed.\n"
                ),
            )
        ]


def _quotes(output, lines) -> bool:
    if not lines:
        return False
    parts = []
    for key in ("text", "evalue"):
        if key in output:
            parts.append(str(output[key]))
    parts.extend(str(x) for x in output.get("traceback", []))
    for value in output.get("data", {}).values():
        parts.append(value if isinstance(value, str) else "".join(map(str, value)))
    text = "\n".join(parts)
    return any(line in text for line in lines)
