"""Prepare the course for JupyterLab; ``make lab`` runs it before it starts the server.

What it does, each step only when needed (running it again changes nothing):

1. **The student's working copies.** Every notebook of ``notebooks/`` is copied to
   ``work/notebooks/`` (git-ignored) unless a copy is already there: students run and
   save their own copies, so the course's sources stay clean (``make test`` checks them)
   and ``git pull`` never conflicts with a student's work. A copy is never overwritten;
   a notebook that is new in the course arrives on the next ``make lab``.
2. **nbgrader from the student's folder.** ``work/nbgrader_config.py`` reads the course id
   and the exchange folder from ``assignments/nbgrader_config.py``, so
   ``nbgrader fetch_assignment ...`` works when run in ``work/``.
3. **The exchange folder** (``RM_EXCHANGE_ROOT``, by default ``.exchange/`` in the
   repository) is created if it is missing.
4. **A gradebook left half-created** (tables but no schema version: nbgrader could not
   run ``alembic``) is completed, so that the formgrader opens it.
5. **Widget state is saved with notebooks** (the JupyterLab setting ``saveState`` of
   ``@jupyter-widgets/jupyterlab-manager``, as a default of this environment), so a
   reopened notebook shows its explorers and quizzes instead of "model not found".

Usage: ``python tools/labprep.py [--root REPO] [--work FOLDER] [--setup]`` (``make setup``
runs it with ``--setup``: steps 3 to 5 only).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STUDENT_CONFIG = '''"""nbgrader settings for your own folder (written by `make lab`; it rewrites this file).

nbgrader commands run here (fetch_assignment, submit, fetch_feedback) use the course's id and
exchange folder, read from the course's own settings.
"""

import os

from traitlets.config.loader import PyFileConfigLoader

_course = PyFileConfigLoader(
    "nbgrader_config.py",
    path=os.path.join(os.path.dirname(os.path.abspath(__file__)), {course!r}),
).load_config()
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)
c.CourseDirectory.course_id = _course.CourseDirectory.course_id
c.Exchange.root = _course.Exchange.root
'''


def copy_notebooks(source: Path, dest: Path) -> tuple[list[Path], list[Path]]:
    """Copy each notebook under ``source`` to ``dest`` unless it is there already.

    Returns ``(copied, kept)``, paths relative to ``source``.
    """
    copied, kept = [], []
    for path in sorted(source.rglob("*.ipynb")):
        rel = path.relative_to(source)
        if ".ipynb_checkpoints" in rel.parts:
            continue
        target = dest / rel
        if target.exists():
            kept.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        copied.append(rel)
    return copied, kept


def write_student_config(root: Path, work: Path) -> Path:
    """Write ``work/nbgrader_config.py`` (pointing at the course's settings) if it differs."""
    import os

    course = os.path.relpath(root / "assignments", work)
    text = STUDENT_CONFIG.format(course=course)
    target = work / "nbgrader_config.py"
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    return target


def prepare(root: Path = ROOT, work: Path | None = None, setup_only: bool = False) -> list[str]:
    """Run every step; return one line per step for the terminal.

    ``setup_only`` runs only the steps that belong to the environment and the course
    (3 to 5), not the student's folder (``make setup`` does that).
    """
    from rmlib import doctor

    lines = []
    if not setup_only:
        work = work or root / "work"
        work.mkdir(parents=True, exist_ok=True)
        copied, kept = copy_notebooks(root / "notebooks", work / "notebooks")
        lines.append(
            f"your notebooks: {work / 'notebooks'} ({len(copied)} copied from the course, "
            f"{len(kept)} of yours kept as they are)"
        )
        write_student_config(root, work)
    exchange = doctor.exchange_root(root / "assignments")
    try:
        exchange.mkdir(parents=True, exist_ok=True)
        if not setup_only:
            lines.append(f"exchange folder: {exchange}")
    except OSError as exc:
        lines.append(
            f"exchange folder {exchange} cannot be created ({exc}); set RM_EXCHANGE_ROOT to a "
            f"folder you can write, or see `make doctor`"
        )
    gradebook = root / "assignments" / "gradebook.db"
    if not doctor.check_gradebook(gradebook).ok:
        lines.append(f"gradebook: {doctor.repair_gradebook(gradebook)}")
    doctor.enable_widget_state()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the course repository")
    parser.add_argument("--work", type=Path, help="the student's folder (default ROOT/work)")
    parser.add_argument(
        "--setup", action="store_true", help="only the exchange, gradebook and widget steps"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    work = args.work.resolve() if args.work else None
    for line in prepare(root, work, setup_only=args.setup):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
