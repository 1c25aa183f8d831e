"""The two commands: `make lab` serves the course; targets are wired as documented."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from _nbrun import ROOT

VENV = Path(sys.prefix)


def _make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-n", *args, f"VENV={VENV}"], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_lab_adds_allow_root_only_for_root():
    out = _make("lab").stdout
    assert ("--allow-root" in out) == (os.getuid() == 0)
    assert "--LabApp.default_url=/lab/tree/work/notebooks/" in out


def test_lab_passes_extra_arguments_through():
    out = _make("lab", "LAB_ARGS=--no-browser --port 8899").stdout
    assert "--no-browser --port 8899" in out


def test_test_target_lints_and_runs_pytest():
    out = _make("test").stdout
    assert "ruff check" in out and "pytest" in out


def _server_environ(session: int) -> dict[str, str] | None:
    """The environment of the jupyterlab process in the session ``session`` (from /proc)."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            if int(stat.rsplit(")", 1)[1].split()[3]) != session or b"jupyterlab" not in cmdline:
                continue
            pairs = (proc / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_lab_serves_the_course():
    """`make lab` starts JupyterLab whose /lab page answers 200 and lands in notebooks/."""
    port, token = _free_port(), "rmlib-test"
    args = f"--no-browser --port {port} --IdentityProvider.token={token}"
    # the PATH of a user who has not activated the environment
    path = ":".join(p for p in os.environ["PATH"].split(":") if Path(p) != VENV / "bin")
    proc = subprocess.Popen(
        ["make", "lab", f"VENV={VENV}", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=dict(os.environ, PATH=path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, status, landing = time.monotonic() + 120, None, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/lab?token={token}", timeout=5
                ) as r:
                    status = r.status
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/?token={token}", timeout=5
                ) as r:
                    landing = r.url
                break
            except OSError:
                time.sleep(1)
        assert status == 200, proc.stdout.read1().decode() if proc.poll() is not None else ""
        assert "/lab/tree/work/notebooks/00_start_here.ipynb" in landing
        assert (ROOT / "work" / "notebooks" / "00_start_here.ipynb").is_file()
        # the server (not only make) has the environment's tools on PATH: nbgrader runs alembic
        server = _server_environ(proc.pid)
        assert server is not None, "no jupyterlab process found in make's session"
        first = server.get("PATH", "").split(":")[0]
        assert Path(first).resolve() == (VENV / "bin").resolve(), server.get("PATH")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# -- the student's own folder -----------------------------------------------------------------

sys.path.insert(0, str(ROOT / "tools"))
import labprep  # noqa: E402


def _course_copy(tmp_path: Path) -> Path:
    """A repository-like folder: notebooks/, the nbgrader course and the root config."""
    from rmlib.grading.pipeline import copy_course

    root = tmp_path / "course"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    copy_course(ROOT / "assignments", root / "assignments")
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def test_first_lab_copies_notebooks_and_never_overwrites_them(tmp_path, monkeypatch):
    monkeypatch.delenv("RM_EXCHANGE_ROOT", raising=False)
    root = _course_copy(tmp_path)
    work = root / "work"
    labprep.prepare(root, work)
    sources = sorted(
        p.relative_to(root / "notebooks") for p in (root / "notebooks").rglob("*.ipynb")
    )
    assert sources and sorted(p.relative_to(work / "notebooks") for p in work.rglob("*.ipynb")) == (
        sources
    )
    mine = work / "notebooks" / sources[0]
    mine.write_text(mine.read_text().replace('"cells"', '"cells" ', 1))  # the student's edit
    edited = mine.read_text()
    new = root / "notebooks" / "99_new_chapter.ipynb"
    shutil.copy(root / "notebooks" / sources[0], new)  # a course update adds a chapter
    lines = labprep.prepare(root, work)
    assert mine.read_text() == edited, "a student's copy was overwritten"
    assert (work / "notebooks" / new.name).is_file(), "a new chapter did not arrive"
    assert f"1 copied from the course, {len(sources)} of yours kept" in lines[0]
    assert (root / ".exchange").is_dir()


@pytest.mark.slow
def test_student_work_keeps_make_test_true(tmp_path):
    """Opened, run and saved working copies leave the hygiene tests, lint and git status clean."""
    import nbformat
    from nbclean import problems

    work = ROOT / "work" / f"test-student-{os.getpid()}"  # inside the git-ignored work/
    try:
        labprep.prepare(ROOT, work)
        saved = sorted(work.rglob("*.ipynb"))
        assert saved
        for path in saved:  # what JupyterLab writes when a student runs and saves
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.execution_count = 1
                    cell.outputs = [nbformat.v4.new_output("stream", text="out\n")]
                    cell.source += "\nimport os\nx=1;y=2"  # lint errors of the student's own
            nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
            nbformat.write(nb, path)
            assert problems(nb), "the simulated save should make a notebook dirty"
            checkpoints = path.parent / ".ipynb_checkpoints"
            checkpoints.mkdir(exist_ok=True)
            shutil.copy(path, checkpoints / f"{path.stem}-checkpoint.ipynb")
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-n",
                "0",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/test_notebook_hygiene.py",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stdout[-3000:]
        lint = subprocess.run(
            [str(VENV / "bin" / "ruff"), "check", "."],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert lint.returncode == 0, lint.stdout[-3000:]
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "notebooks", "work"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert status == "", status
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.slow
def test_student_fetches_from_their_own_folder(tmp_path, monkeypatch):
    """A one-machine course: release with the default exchange, fetch and submit from work/."""
    monkeypatch.delenv("RM_EXCHANGE_ROOT", raising=False)
    root = _course_copy(tmp_path)
    labprep.prepare(root, root / "work")
    assignment = sorted(
        p.name
        for p in (root / "assignments" / "source").iterdir()
        if p.is_dir() and any(p.glob("*.ipynb"))
    )[0]
    env = dict(os.environ, PATH=f"{VENV / 'bin'}:{os.environ['PATH']}")
    env.pop("RM_EXCHANGE_ROOT", None)

    def nbgrader(cwd: Path, *args: str) -> str:
        proc = subprocess.run(
            [str(VENV / "bin" / "nbgrader"), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout + proc.stderr

    nbgrader(root / "assignments", "generate_assignment", assignment, "--force")
    nbgrader(root / "assignments", "release_assignment", assignment)
    course = "--course=relationship-marketing"
    nbgrader(root / "work", "fetch_assignment", assignment, course)
    assert list((root / "work" / assignment).glob("*.ipynb"))
    nbgrader(root / "work", "submit", assignment, course)
    assert list((root / ".exchange" / "relationship-marketing" / "inbound").iterdir())
