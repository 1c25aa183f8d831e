"""Drive an nbgrader course folder the way an instructor does, from Python.

Every step runs the ``nbgrader`` command of the current environment in a
subprocess from the course root, so what is tested is exactly what an
instructor types (see ``assignments/README.md``). Results are read back with
nbgrader's own :class:`nbgrader.api.Gradebook`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd
from nbgrader.api import Gradebook, MissingEntry

__all__ = [
    "GENERATED",
    "AutogradeRun",
    "Course",
    "copy_course",
    "nbgrader_executable",
]

#: Folders and files nbgrader generates in a course root; never copied, never committed.
GENERATED = ("release", "submitted", "autograded", "feedback", "gradebook.db", ".nbgrader.log")

_FAILED = re.compile(r"There was an error processing assignment '([^']+)' for student '([^']+)'")


def nbgrader_executable() -> str:
    """The ``nbgrader`` command installed next to the running Python."""
    exe = Path(sys.executable).with_name("nbgrader")
    if exe.exists():
        return str(exe)
    found = shutil.which("nbgrader")
    if found is None:
        raise FileNotFoundError(
            "the `nbgrader` command was not found next to "
            f"{sys.executable} nor on PATH. Install the course with `make setup`."
        )
    return found


def copy_course(src: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Copy a course root (config, ``source/``, helper files) without generated folders.

    ``dest`` must not exist yet. Returns it as a :class:`~pathlib.Path`.
    """
    src, dest = Path(src), Path(dest)
    if not (src / "nbgrader_config.py").exists():
        raise FileNotFoundError(
            f"`src` must be an nbgrader course root holding nbgrader_config.py; got {src}."
        )
    ignore = shutil.ignore_patterns(*GENERATED, "__pycache__", ".ipynb_checkpoints", "*.csv")
    shutil.copytree(src, dest, ignore=ignore)
    return dest


@dataclass
class AutogradeRun:
    """What one ``nbgrader autograde`` call did."""

    assignment: str
    returncode: int
    failed: list[str] = field(default_factory=list)
    log: str = ""


class Course:
    """An nbgrader course root and the commands an instructor runs in it.

    Parameters
    ----------
    root : path
        Folder holding ``nbgrader_config.py``.
    cell_timeout : int, optional
        Seconds one cell may run while grading (overrides the config).
    notebook_timeout : int, optional
        Seconds for grading one notebook, re-runs and checks included (overrides the config).
    """

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        cell_timeout: int | None = None,
        notebook_timeout: int | None = None,
    ):
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").exists():
            raise FileNotFoundError(
                f"`root` must hold nbgrader_config.py; {self.root} does not. "
                "Pass the course folder (assignments/ in this repository)."
            )
        self.cell_timeout = cell_timeout
        self.notebook_timeout = notebook_timeout

    # -- running nbgrader ---------------------------------------------------------------
    def command(self, *args: str) -> list[str]:
        """The ``nbgrader *args`` command line, with this course's timeouts."""
        cmd = [nbgrader_executable(), *args]
        if self.cell_timeout is not None:
            cmd.append(f"--Execute.timeout={self.cell_timeout}")
        if self.notebook_timeout is not None:
            cmd.append(f"--SandboxedExecute.notebook_timeout={self.notebook_timeout}")
        return cmd

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``nbgrader *args`` in the course root and return the finished process."""
        cmd = self.command(*args)
        proc = subprocess.run(
            cmd, cwd=self.root, capture_output=True, text=True, env=self._env(), check=False
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(cmd[1:])}` failed with exit code {proc.returncode} in "
                f"{self.root}:\n{proc.stderr[-4000:]}"
            )
        return proc

    @staticmethod
    def env() -> dict[str, str]:
        """The environment ``nbgrader`` runs with (its tools on PATH, warnings off)."""
        return Course._env()

    @staticmethod
    def _env() -> dict[str, str]:
        env = dict(os.environ)
        # nbgrader runs `alembic` from PATH when it creates a gradebook.
        bindir = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join([bindir, env.get("PATH", "")])
        env.setdefault("MPLBACKEND", "Agg")
        env["PYTHONWARNINGS"] = "ignore"
        return env

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def gradebook(self) -> Gradebook:
        """nbgrader's :class:`~nbgrader.api.Gradebook` of this course (use it in ``with``)."""
        if (self.root / "gradebook.db").exists():
            return Gradebook(self.db_url)
        # Creating a gradebook runs `alembic` from PATH; make the one beside Python findable.
        old = os.environ.get("PATH", "")
        os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), old])
        try:
            return Gradebook(self.db_url)
        finally:
            os.environ["PATH"] = old

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def assignments(self) -> list[str]:
        """Assignment folders under ``source/``, sorted."""
        return sorted(
            p.name
            for p in (self.root / "source").iterdir()
            if p.is_dir() and any(p.glob("*.ipynb"))
        )

    # -- the term's steps ---------------------------------------------------------------
    def add_students(self, students: dict[str, tuple[str, str]]) -> None:
        """Add or update students: ``{id: (first_name, last_name)}``."""
        with self.gradebook() as gb:
            for sid, (first, last) in students.items():
                gb.update_or_create_student(sid, first_name=first, last_name=last)

    def generate(self, assignment: str) -> None:
        """``nbgrader generate_assignment`` (writes ``release/`` and the gradebook)."""
        self.nbgrader("generate_assignment", assignment, "--force")

    def validate(self, notebook: str | os.PathLike, *, invert: bool = False) -> dict:
        """nbgrader's validator on one notebook; returns its result dictionary.

        Without ``invert`` a notebook that passes has no ``"failed"`` key; with
        ``invert`` a notebook whose every test fails has no ``"passed"`` key.
        """
        from nbgrader.validator import Validator
        from traitlets.config import Config

        cfg = Config()
        cfg.Execute.timeout = self.cell_timeout or 60
        cfg.Validator.invert = invert
        return Validator(config=cfg).validate(str(notebook))

    def submit(
        self,
        student: str,
        assignment: str,
        notebooks: dict[str, nbformat.NotebookNode],
        *,
        timestamp: dt.datetime | None = None,
    ) -> Path:
        """Place a submission as ``nbgrader collect`` would: ``submitted/<student>/<assignment>/``."""
        folder = self.root / "submitted" / student / assignment
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, nb in notebooks.items():
            # Written as raw JSON: nbformat.write would repair what a student broke
            # (e.g. duplicated cell ids), and the grader must see the file as sent.
            (folder / f"{name}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
        stamp = timestamp or dt.datetime.now(dt.UTC)
        (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
        return folder

    def autograde(self, assignment: str, *, student: str | None = None) -> AutogradeRun:
        """``nbgrader autograde --force``: every submission is graded even if some fail."""
        args = ["autograde", assignment, "--force"]
        if student is not None:
            args.append(f"--student={student}")
        proc = self.nbgrader(*args, check=False)
        log = proc.stderr
        failed = {m.group(2) for m in _FAILED.finditer(log)}
        if student is None and proc.returncode != 0:
            # nbgrader stops the whole run on some errors (e.g. a database or metadata
            # schema error in one submission); grade everyone it skipped one by one.
            for sid in self._submitted(assignment):
                done = (self.root / "autograded" / sid / assignment).exists()
                if not done and sid not in failed:
                    one = self.nbgrader(*args, f"--student={sid}", check=False)
                    log += one.stderr
                    failed |= {m.group(2) for m in _FAILED.finditer(one.stderr)}
                    if one.returncode != 0:
                        failed.add(sid)
        elif proc.returncode != 0 and not failed:
            failed.add(student)
        return AutogradeRun(assignment, proc.returncode, sorted(failed), log)

    def _submitted(self, assignment: str) -> list[str]:
        base = self.root / "submitted"
        if not base.exists():
            return []
        return sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir())

    def feedback(self, assignment: str) -> list[Path]:
        """``nbgrader generate_feedback --force``; returns the HTML files written."""
        self.nbgrader("generate_feedback", assignment, "--force")
        return sorted((self.root / "feedback").glob(f"*/{assignment}/*.html"))

    def export(self, to: str | os.PathLike | None = None) -> pd.DataFrame:
        """``nbgrader export`` to CSV; returns the table it wrote."""
        dest = Path(to) if to is not None else self.root / "grades.csv"
        self.nbgrader("export", f"--to={dest}")
        return pd.read_csv(dest, dtype={"student_id": str})

    # -- reading results ----------------------------------------------------------------
    def cell_scores(self, assignment: str, student: str) -> dict[str, float | None]:
        """Score of every graded cell of one submission (``None``: needs a human)."""
        out: dict[str, float | None] = {}
        with self.gradebook() as gb:
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                return out
            for nb in sub.notebooks:
                for grade in nb.grades:
                    score = (
                        grade.manual_score if grade.manual_score is not None else grade.auto_score
                    )
                    out[grade.cell.name] = None if score is None else float(score)
        return out

    def scores(self) -> pd.DataFrame:
        """One row per student and assignment: score and max score from the gradebook."""
        rows = []
        with self.gradebook() as gb:
            for a in gb.assignments:
                for s in gb.students:
                    try:
                        sub = gb.find_submission(a.name, s.id)
                        score, needs = float(sub.score), bool(sub.needs_manual_grade)
                    except MissingEntry:
                        score, needs = 0.0, False
                    rows.append(
                        {
                            "assignment": a.name,
                            "student_id": s.id,
                            "score": score,
                            "max_score": float(a.max_score),
                            "needs_manual_grade": needs,
                        }
                    )
        return pd.DataFrame(rows)

    def set_manual_score(
        self, assignment: str, student: str, cell: str, score: float, comment: str = ""
    ) -> None:
        """Record a grader's mark for one cell, as the formgrader does."""
        with self.gradebook() as gb:
            sub = gb.find_submission(assignment, student)
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.cell.name == cell:
                        grade.manual_score = score
                        grade.needs_manual_grade = False
                        for c in nb.comments:
                            if c.cell.name == cell and comment:
                                c.manual_comment = comment
                        gb.db.commit()
                        return
        raise KeyError(f"no graded cell {cell!r} in {assignment!r} for student {student!r}")
