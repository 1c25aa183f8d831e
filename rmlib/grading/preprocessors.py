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

import contextlib
import copy
import json
import os
import secrets
import tempfile
import time
from pathlib import Path
from queue import Empty

from jupyter_core.utils import ensure_async, run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Enum, Integer, List, Unicode

from rmlib import datasets
from rmlib.grading import answers
from rmlib.grading.answers import MIME
from rmlib.grading.sandbox import Box, JailedKernelManager, Limits, choose_mode
from rmlib.grading.trusted import (
    CALLABLE,
    KernelGone,
    StudentError,
    TrustedChecks,
    Verdict,
    free_names,
    raise_as,
    visible_source,
)

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
    """nbgrader's ``Execute``, with the student's kernel jailed and the verdicts decided outside it.

    For each submission:

    * the shipped data is checked against its checksums (and restored if a
      file was changed), then copied into a new :class:`~rmlib.grading.sandbox.Box`;
    * the kernel starts in that box through :mod:`rmlib.grading.jail`
      (see :mod:`rmlib.grading.sandbox` for the modes), with ``exit()`` and
      ``quit()`` made harmless;
    * every cell runs, except that test cells run without their hidden
      regions: the kernel never receives hidden test code;
    * a cell that kills the kernel or ignores the interrupt after the cell
      timeout is skipped and the notebook runs again without it (up to
      ``max_kernel_deaths`` times); the whole submission has
      ``notebook_timeout`` seconds, after which the remaining cells are not run;
    * then every graded test cell, hidden tests included, is run by
      :class:`~rmlib.grading.trusted.TrustedChecks` in the grader's process on
      the answers exported from the kernel, and its verdict replaces whatever
      the kernel printed for that cell.
    """

    max_kernel_deaths = Integer(
        3, help="How many cells that kill or hang the kernel to skip before giving up."
    ).tag(config=True)
    notebook_timeout = Integer(
        180, help="Seconds for grading one notebook: every run of its cells and every check."
    ).tag(config=True)
    call_timeout = Integer(
        10, help="Seconds a test may wait for one call of a student's function."
    ).tag(config=True)
    sandbox_mode = Unicode(
        "auto", help="'auto', 'root', 'userns' or 'none' (RM_SANDBOX overrides it)."
    ).tag(config=True)
    datasets = List(["case", "cdnow"], help="Folders of the shipped data given to the kernel.").tag(
        config=True
    )
    # The kernel's state is thrown away with its box: end it at once rather than wait
    # for it to shut down by itself (the jail's PID namespace goes with it).
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)
    max_output_chars = Integer(
        100_000, help="Characters of output kept per cell; the rest is dropped."
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        resources = resources if resources is not None else {}
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.kernel_manager_class = JailedKernelManager
        info = resources.get("nbgrader", {})
        origin = Path(resources.get("metadata", {}).get("path") or os.getcwd()).resolve()
        self._mode = choose_mode(os.environ.get("RM_SANDBOX") or self.sandbox_mode)
        if self._mode == "none":
            self.log.warning(
                "Grading sandbox mode 'none': the submission runs with the grader's rights "
                "and can read what the grader can read (see assignments/README.md)."
            )
        self._checked_data = datasets.verify_and_restore(self.datasets, log=self.log)
        setup, tests = _gradebook_cells(info)
        self._student = info.get("student")
        self._variant = None
        sources = " ".join(src for _, src in setup) + " ".join(tests.values())
        self._needs_variant = bool(self._student) and _uses_variant(
            sources, info.get("assignment", "")
        )
        self._assignment = info.get("assignment", "")
        self._fill_error = None
        self._deadline = time.monotonic() + self.notebook_timeout
        self._secrets = _secret_folders(origin)
        self._files = _assignment_folder(origin, info)
        original = copy.deepcopy(nb)
        skipped: dict[int, tuple[str, str]] = {}
        verdicts: dict[str, Verdict] = {}
        restarts = 0
        while True:
            run = copy.deepcopy(original)
            for cell in run.cells:
                name = _grade_id(cell)
                if name in tests:
                    cell.source = visible_source(tests[name])
            outcome = self._attempt(run, resources, skipped, setup, tests, verdicts)
            if self._fill_error is not None:  # the student's data could not be made: not a re-run
                raise self._fill_error
            if outcome == "done" or restarts > self.max_kernel_deaths + 2:
                break
            restarts += 1
        for cell, before in zip(run.cells, original.cells, strict=True):
            name = _grade_id(cell)
            cell.source = before.source
            if name in tests and cell.cell_type == "code":
                verdict = verdicts.get(name) or Verdict(False, "NotGraded", _NOT_GRADED)
                kept = [o for o in cell.get("outputs", []) if o.get("output_type") != "error"]
                if not verdict.passed:
                    kept.append(_error(verdict.ename, verdict.evalue, verdict.traceback()))
                cell.outputs = kept
        self.nb = run
        nb.cells = run.cells
        nb.metadata = run.metadata
        return nb, self.resources

    # -- one run of the notebook in a fresh jailed kernel -------------------------------
    def _attempt(self, run, resources, skipped, setup, tests, verdicts) -> str:
        box = Box(self._mode, self._secrets, Limits.from_env(), student=self._student)
        self._box_to_fill = box
        try:
            for item in sorted(self._files.iterdir()) if self._files else []:
                if item.suffix != ".ipynb" and not item.name.startswith("."):
                    box.add_file(item)
            self.nb = run
            self.km = self.create_kernel_manager()
            self.km.box = box
            self.km.connection_file = str(box.connection_file)
            self.kc = None
            with self.setup_kernel(cwd=str(box.work), env=box.env()):
                if self._box_to_fill is not None:  # the kernel failed before its data was added
                    self._fill_box()
                reply = self.wait_for_reply(self.kc.kernel_info())
                if reply is not None and "language_info" in reply["content"]:
                    run.metadata["language_info"] = reply["content"]["language_info"]
                self._request(_PREAMBLE, expect_payload=False)
                t0 = time.monotonic()
                outcome = self._run_cells(run, skipped)
                t1 = time.monotonic()
                if outcome != "done":
                    return outcome
                outcome = self._check_tests(setup, tests, verdicts)
                self.log.info(
                    "Sandbox %s: cells ran in %.2f s, %d tests checked outside the kernel in %.2f s",
                    self._mode,
                    t1 - t0,
                    len(tests),
                    time.monotonic() - t1,
                )
                return outcome
        except (DeadKernelError, KernelGone):
            return "restart"
        except Exception as exc:  # e.g. a kernel slow to start on a loaded machine
            self.log.error("Grading run failed (%r); running the notebook again", exc)
            return "restart"
        finally:
            self.km = None
            self.kc = None
            box.cleanup()

    async def async_start_new_kernel(self, **kwargs):
        # The kernel takes about half a second to start, mostly waiting on its own
        # imports; the box's data is made and copied meanwhile. Nothing of the
        # notebook runs before the kernel answers, and the box is bound into the
        # kernel's filesystem as a folder, so the files are there when its cells run.
        await super().async_start_new_kernel(**kwargs)
        try:
            self._fill_box()
        except BaseException:  # nbclient only stops kernels it has a client for
            await self._async_cleanup_kernel()
            raise

    def _fill_box(self) -> None:
        box, self._box_to_fill = self._box_to_fill, None
        if box is None:
            return
        try:
            if self._needs_variant and self._variant is None:
                with _variant_env(self._student):
                    self._variant = datasets.ensure_variant(self._student, self._assignment)
        except Exception as exc:
            self._fill_error = exc
            raise
        if self._variant is not None:
            box.add_data(self._variant, f"variants/{self._variant.name}")
        for name in self.datasets:
            if (datasets.data_dir() / name).exists():
                box.add_data(datasets.data_dir() / name)

    def _run_cells(self, run, skipped) -> str:
        for index, cell in enumerate(run.cells):
            if cell.cell_type != "code":
                continue
            if index in skipped:
                cell.outputs = [
                    _error(*skipped[index], [f"{skipped[index][0]}: {skipped[index][1]}"])
                ]
                cell.execution_count = None
                continue
            if time.monotonic() >= self._deadline:
                cell.outputs = [_error("NotebookTimeLimit", _TIME_LIMIT, [_TIME_LIMIT])]
                continue
            self._cell_chars = 0
            try:
                self.execute_cell(cell, index, store_history=True)
            except DeadKernelError:
                return self._skip(skipped, index, KERNEL_DIED, _DIED)
            except CellTimeoutError:
                return self._skip(skipped, index, "CellTimeoutError", _STUCK)
            timed_out = any(o.get("ename") == "CellTimeoutError" for o in cell.outputs)
            if timed_out and not self._responsive():
                return self._skip(skipped, index, "CellTimeoutError", _STUCK)
        return "done"

    def _skip(self, skipped, index, ename, message) -> str:
        # Never fail the whole submission: the run loop in preprocess bounds the re-runs,
        # and whatever was not reached is reported in its cell.
        self.log.warning("Cell %d: %s; running the notebook again without it", index, ename)
        skipped[index] = (ename, message)
        return "restart"

    def _check_tests(self, setup, tests, verdicts) -> str:
        # Every answer the tests need, exported in one round trip (the kernel's state no
        # longer changes once its cells have run); the checks then read from this copy.
        wanted = set()
        for source in tests.values():
            try:
                wanted |= free_names(source)
            except SyntaxError:
                continue
        with _variant_env(self._student), datasets.remembered_variants():
            return self._check_each(setup, tests, verdicts, wanted)

    def _check_each(self, setup, tests, verdicts, wanted) -> str:
        checks = TrustedChecks(setup, lambda names: {}, self._call, self._files)
        exported = self._fetch(sorted(wanted - set(checks.namespace)))
        checks._fetch = lambda names: {n: exported[n] for n in names if n in exported}
        for name, source in tests.items():
            if name in verdicts:
                continue
            if time.monotonic() >= self._deadline:
                verdicts[name] = Verdict(False, "NotebookTimeLimit", _TIME_LIMIT)
                continue
            try:
                verdicts[name] = checks.check(name, source)
            except KernelGone as exc:
                verdicts[name] = Verdict(False, KERNEL_DIED, str(exc))
                return "restart"
            except Exception as exc:  # a grader fault must not stop the other tests
                self.log.error("Checking %s failed in the grader: %r", name, exc)
                verdicts[name] = Verdict(False, "GraderError", f"{type(exc).__name__}: {exc}")
        return "done"

    # -- talking to the kernel ----------------------------------------------------------
    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        left = max(1, int(self._deadline - time.monotonic()))
        return left if timeout is None else min(timeout, left)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + len(json.dumps(content.get("data", {})))
        used = getattr(self, "_cell_chars", 0)
        self._cell_chars = used + size
        if used + size <= self.max_output_chars:
            return super().output(outs, msg, display_id, cell_index)
        if used > self.max_output_chars:
            return None  # already cut: drop the rest
        notice = {"name": "stdout", "text": _TRUNCATED}
        header = {**msg.get("header", {}), "msg_type": "stream"}
        msg = {**msg, "msg_type": "stream", "header": header, "content": notice}
        return super().output(outs, msg, None, cell_index)

    def _responsive(self) -> bool:
        try:
            return run_sync(self._async_wait_idle)(10) is not None
        except Exception:
            return False

    async def _async_wait_idle(self, timeout):
        msg_id = self.kc.kernel_info()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                msg = await self.kc.get_shell_msg(timeout=max(0.1, end - time.monotonic()))
            except Empty:
                break
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg
        return None

    def _request(self, code: str, *, expect_payload: bool = True, timeout: float | None = None):
        timeout = timeout or self.call_timeout
        timeout = max(1.0, min(timeout, self._deadline - time.monotonic()))
        return run_sync(self._async_request)(code, expect_payload, timeout)

    async def _async_request(self, code, expect_payload, timeout):
        nonce = secrets.token_hex(8)
        msg_id = self.kc.execute(
            code.replace("NONCE", nonce), silent=True, store_history=False, allow_stdin=False
        )
        payload, end = None, time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                await ensure_async(self.km.interrupt_kernel())
                if await self._async_wait_idle(3) is None:
                    raise KernelGone("the kernel did not answer and ignored the interrupt")
                raise TimeoutError(f"no answer from the kernel within {timeout:.0f} s")
            try:
                msg = await self.kc.get_iopub_msg(timeout=min(left, 1.0))
            except Empty:
                if not await ensure_async(self.kc.is_alive()):
                    raise KernelGone("the kernel stopped") from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "display_data":
                data = content.get("data", {}).get(MIME)
                if isinstance(data, dict) and data.get("nonce") == nonce:
                    payload = data.get("payload")
            elif msg["msg_type"] == "status" and content.get("execution_state") == "idle":
                break
        if not expect_payload:
            return None
        if not isinstance(payload, str):
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return None

    def _fetch(self, names: list[str]) -> dict:
        if not names:
            return {}
        code = _FETCH.replace("NAMES", repr(list(names)))
        try:
            reply = self._request(code)
        except TimeoutError:
            return {}
        values = (reply or {}).get("values", {}) if isinstance(reply, dict) else {}
        out = {}
        for name in names:
            if name not in values:
                continue
            raw = values[name]
            if isinstance(raw, dict) and raw.get("__t") == "callable":
                out[name] = CALLABLE
                continue
            try:
                out[name] = answers.decode(raw)
            except Exception:  # malformed data is an unusable answer
                out[name] = answers.Unexportable("malformed data")
        return out

    def _call(self, name: str, args: tuple, kwargs: dict):
        spec = json.dumps({"args": answers.encode(list(args)), "kwargs": answers.encode(kwargs)})
        code = _CALL.replace("FUNCTION", repr(name)).replace("ARGUMENTS", repr(spec))
        reply = self._request(code)
        if not isinstance(reply, dict):
            raise StudentError(f"{name}() sent no result back")
        if "raised" in reply:
            raise_as(str(reply["raised"]), str(reply.get("message", "")))
        if "result" not in reply:
            raise StudentError(f"{name}() sent no result back")
        try:
            return answers.decode(reply["result"])
        except Exception:
            return answers.Unexportable("malformed data")


_PREAMBLE = """def _rmgrade_no_exit(*args, **kwargs):
    raise SystemExit("exit() and quit() are ignored while grading: the rest of the notebook runs")
get_ipython().user_ns["exit"] = get_ipython().user_ns["quit"] = _rmgrade_no_exit
get_ipython().user_ns_hidden.update(exit=_rmgrade_no_exit, quit=_rmgrade_no_exit)
del _rmgrade_no_exit"""
_FETCH = (
    "__import__('rmlib.grading.answers', fromlist=['publish'])"
    ".publish('NONCE', NAMES, get_ipython().user_ns)"
)
_CALL = (
    "__import__('rmlib.grading.answers', fromlist=['call'])"
    ".call('NONCE', FUNCTION, ARGUMENTS, get_ipython().user_ns)"
)
_DIED = (
    "this cell stopped the Python kernel (os._exit, a crash or running out of memory). "
    "It was skipped and the notebook was run again without it."
)
_STUCK = (
    "this cell ran past the time limit and did not stop when interrupted (for example a "
    "bare `except:` inside a loop). It was skipped and the notebook was run again without it."
)
_TIME_LIMIT = "the notebook used up its grading time before this cell; it was not run"
_NOT_GRADED = "this test could not be run (see the errors above in the notebook)"
_TRUNCATED = "\n[output truncated: this cell printed too much]\n"


_PRIVATE_VARIANTS: list[str] = []


def _uses_variant(sources: str, assignment: str) -> bool:
    """Whether the assignment's code asks for the student's own data variant."""
    return bool(assignment) and any(f"load_case({q}{assignment}{q}" in sources for q in ("'", '"'))


@contextlib.contextmanager
def _variant_env(student: str | None):
    """The grader's process sees ``student``'s variants, kept in a folder of its own.

    The folder is private to this grading process (and hidden from the kernel by the
    sandbox), so the expected answers never come from files a submission could change.
    """
    if not _PRIVATE_VARIANTS:
        _PRIVATE_VARIANTS.append(tempfile.mkdtemp(prefix="rmgrade-variants-"))
    saved = {k: os.environ.get(k) for k in (datasets.STUDENT_ENV, datasets.VARIANTS_ENV)}
    os.environ[datasets.VARIANTS_ENV] = _PRIVATE_VARIANTS[0]
    if student:
        os.environ[datasets.STUDENT_ENV] = student
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _grade_id(cell) -> str | None:
    meta = cell.metadata.get("nbgrader", {})
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _error(ename: str, evalue: str, traceback: list[str]) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=traceback)


def _gradebook_cells(info: dict) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(setup cells, test cells by name) of this notebook, with sources from the gradebook."""
    if "db_url" not in info:
        return [], {}
    with Gradebook(info["db_url"]) as gb:
        notebook = gb.find_notebook(info["notebook"], info["assignment"])
        graded = {c.name for c in notebook.grade_cells}
        solutions = {c.name for c in notebook.solution_cells}
        setup, tests = [], {}
        for cell in notebook.source_cells:
            if cell.cell_type != "code":
                continue
            if cell.name in graded and cell.name not in solutions:
                tests[cell.name] = cell.source
            elif cell.locked and cell.name not in graded and cell.name not in solutions:
                setup.append((cell.name, cell.source))
    return setup, tests


def _secret_folders(origin: Path) -> list[str]:
    """Folders the kernel must not see: the course, the repository, the working folder."""
    found = {str(origin), os.getcwd()}
    for parent in origin.parents:
        if (parent / "nbgrader_config.py").exists():
            found.add(str(parent))
    package_root = Path(datasets.__file__).resolve().parent.parent
    if (package_root / "pyproject.toml").exists():
        found.add(str(package_root))
    exchange = os.environ.get("RM_EXCHANGE_ROOT")
    if exchange:
        found.add(exchange)
    return sorted(p for p in found if p and p != "/")


def _assignment_folder(origin: Path, info: dict) -> Path | None:
    """The instructor's folder of this assignment (its files, never the student's)."""
    assignment = info.get("assignment")
    for parent in origin.parents:
        candidate = parent / "source" / str(assignment)
        if assignment and (parent / "nbgrader_config.py").exists() and candidate.is_dir():
            return candidate
    return None


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
