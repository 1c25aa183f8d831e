"""Deciding a grade outside the student's kernel.

nbgrader runs its test cells in the student's own Python session, where the
student's code can rebind anything the tests use. Here the kernel only runs the
student's cells and the *visible* part of each test cell (for the student's
feedback); the graded verdict of every test cell comes from this module, in the
grader's own process:

1. the assignment's setup cells (locked, not graded; their source read from
   the gradebook, so a student cannot change them) run once in a fresh
   namespace, with a pristine copy of :mod:`rmlib` and the verified data;
2. for each test cell, the names it uses that the setup does not define are
   fetched from the kernel as plain data (:mod:`rmlib.grading.answers`); a
   student's function is fetched as a :class:`StudentFunction` that calls the
   real one inside the kernel with plain arguments and returns a plain result;
3. the cell's whole source, hidden tests included (again from the gradebook),
   runs in that namespace. It passes if it raises nothing.

The kernel never receives hidden test code or expected values, so a
submission can neither print them nor patch them.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import hashlib
import io
import os
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rmlib.grading.answers import Unexportable

__all__ = [
    "CALLABLE",
    "KernelGone",
    "StudentError",
    "StudentFunction",
    "TrustedChecks",
    "Verdict",
    "free_names",
    "hidden_lines",
    "visible_source",
]

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
HIDDEN_FAILED = "a hidden test of this part failed"
#: What a ``fetch`` returns for a name that holds a function in the kernel.
CALLABLE = object()


class StudentError(Exception):
    """An exception raised by a student's function that is not a Python built-in."""


class KernelGone(Exception):
    """The student's kernel stopped (or stopped answering) while a test used it."""


def hidden_lines(source: str) -> set[int]:
    """1-based numbers of the lines inside (and on) hidden-test markers.

    >>> sorted(hidden_lines("a = 1\\n### BEGIN HIDDEN TESTS\\nassert a\\n### END HIDDEN TESTS\\nb"))
    [2, 3, 4]
    """
    out, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if BEGIN_HIDDEN in line:
            inside = True
        if inside:
            out.add(number)
        if END_HIDDEN in line:
            inside = False
    return out


def visible_source(source: str) -> str:
    """``source`` without its hidden regions: what the student's kernel runs.

    >>> visible_source("x = 1\\n### BEGIN HIDDEN TESTS\\nassert x == 2\\n### END HIDDEN TESTS")
    'x = 1'
    """
    hidden = hidden_lines(source)
    lines = source.splitlines()
    return "\n".join(line for n, line in enumerate(lines, start=1) if n not in hidden)


def free_names(source: str) -> set[str]:
    """Names ``source`` reads but never binds, other than built-ins.

    >>> sorted(free_names("import math\\ny = math.sqrt(x) + len(z)\\nfor i in y: pass"))
    ['x', 'z']
    """
    tree = ast.parse(source)
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - set(dir(builtins))


@dataclass
class Verdict:
    """The graded outcome of one test cell."""

    passed: bool
    ename: str = ""
    evalue: str = ""
    line: str = ""

    def traceback(self) -> list[str]:
        lines = [f"{self.ename}: {self.evalue}" if self.evalue else self.ename]
        if self.line:
            lines.append(f"    in the test line: {self.line}")
        return lines


class StudentFunction:
    """A student's function, called inside their kernel with plain data.

    Raises the same built-in exception class the function raised (``ValueError``
    stays ``ValueError``), :class:`StudentError` for any other, and
    :class:`KernelGone` if the kernel stops or does not answer in time.
    """

    def __init__(self, name: str, caller: Callable[[str, tuple, dict], Any]):
        self.__name__ = name
        self._caller = caller

    def __call__(self, *args, **kwargs):
        return self._caller(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<your function {self.__name__}>"


def raise_as(name: str, message: str):
    """Re-raise an exception reported by the kernel as the matching built-in class."""
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == "builtins":
        raise cls(message)
    raise StudentError(f"{name}: {message}")


_SETUP_CACHE: dict[str, dict] = {}


def _fresh(namespace: dict) -> dict:
    out = {}
    for key, value in namespace.items():
        if isinstance(value, (types.ModuleType, types.FunctionType, type)):
            out[key] = value
        else:
            try:
                out[key] = copy.deepcopy(value)
            except Exception:  # an object that cannot be copied is shared
                out[key] = value
    return out


@contextlib.contextmanager
def _quiet_in(folder: Path | None):
    old = os.getcwd()
    sink = io.StringIO()
    try:
        if folder is not None:
            os.chdir(folder)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        os.chdir(old)


class TrustedChecks:
    """The trusted side of one submission's grading.

    Parameters
    ----------
    setup : list of (name, source)
        The setup cells in notebook order (sources from the gradebook).
    fetch : callable
        ``fetch(names) -> dict``: the kernel's values of those names that exist,
        already decoded; a function comes back as :data:`CALLABLE`.
    call : callable
        ``call(name, args, kwargs)``: run a student function in the kernel.
    folder : path, optional
        Working folder for the setup code (the assignment's own files).
    """

    def __init__(self, setup, fetch, call, folder: Path | None = None):
        self._fetch = fetch
        self._call = call
        self.folder = folder
        self.setup_error: str | None = None
        student = os.environ.get("RMLIB_STUDENT", "")  # whose data variant the setup loads
        key = hashlib.sha256(repr((setup, str(folder), student)).encode()).hexdigest()
        if key not in _SETUP_CACHE:
            while len(_SETUP_CACHE) >= 4:  # one per student variant: keep the latest few
                _SETUP_CACHE.pop(next(iter(_SETUP_CACHE)))
            _SETUP_CACHE[key] = self._run_setup(setup)
        base, self.setup_error = _SETUP_CACHE[key]
        self.namespace = _fresh(base)

    def _run_setup(self, setup) -> tuple[dict, str | None]:
        namespace: dict = {"__name__": "__rmgrade__"}
        with _quiet_in(self.folder):
            for name, source in setup:
                try:
                    exec(compile(source, f"<setup cell {name}>", "exec"), namespace)
                except Exception as exc:
                    return namespace, f"setup cell {name} failed: {type(exc).__name__}: {exc}"
        return namespace, None

    def check(self, name: str, source: str) -> Verdict:
        """Run test cell ``name`` (its whole source) and say whether it passed."""
        if self.setup_error:
            return Verdict(False, "GraderError", self.setup_error)
        hidden = hidden_lines(source)
        try:
            tree = compile(source, f"<test cell {name}>", "exec")
            wanted = sorted(free_names(source) - set(self.namespace))
        except SyntaxError as exc:
            return Verdict(False, "GraderError", f"test cell {name} does not compile: {exc}")
        student = {}
        for key, value in self._fetch(wanted).items():
            student[key] = StudentFunction(key, self._call) if value is CALLABLE else value
        scope = {**self.namespace, **student}
        try:
            with _quiet_in(self.folder):
                exec(tree, scope)
        except KernelGone:
            raise
        except Exception as exc:  # any exception fails the test
            number = _failing_line(exc, f"<test cell {name}>")
            if number in hidden or number is None and hidden:
                return Verdict(False, "AssertionError", HIDDEN_FAILED)
            line = source.splitlines()[number - 1].strip() if number else ""
            message = str(exc)
            if isinstance(exc, NameError) and exc.name in wanted:
                message = f"{exc.name!r} is not defined: run the cell that defines it"
            elif any(isinstance(v, Unexportable) for v in student.values()):
                bad = [k for k, v in student.items() if isinstance(v, Unexportable)]
                message = f"{message} ({', '.join(bad)}: {student[bad[0]]!r})".strip()
            return Verdict(False, type(exc).__name__, message, line)
        for key in _assigned(source):  # names a test defines are there for later tests
            if key in scope and key not in student:
                self.namespace[key] = scope[key]
        return Verdict(True)


def _assigned(source: str) -> set[str]:
    names = set()
    for node in ast.parse(source).body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.ClassDef)):
                names.add(sub.name)
            elif isinstance(sub, ast.alias):
                names.add((sub.asname or sub.name).split(".")[0])
    return names


def _failing_line(exc: BaseException, filename: str) -> int | None:
    """The line of ``filename`` (the test cell) where ``exc`` was raised from."""
    number = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            number = tb.tb_lineno
        tb = tb.tb_next
    return number
