"""Check that a course installation works, and say how to fix what does not.

Run it as ``make doctor`` (or ``python -m rmlib.doctor``). Each check prints
one line; a failing check also prints the command that fixes it, and the
command exits with status 1. The first chapter calls :func:`run_checks` with
``quick=True`` to check the kernel it runs in.

Checks are plain functions returning :class:`Check` records so they can be
tested one by one.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Check",
    "check_exchange",
    "check_gradebook",
    "check_tools",
    "check_widget_state",
    "enable_widget_state",
    "exchange_root",
    "format_report",
    "main",
    "repair_gradebook",
    "run_checks",
]

ROOT = Path(__file__).resolve().parent.parent
# Packages whose versions decide whether the course works; shown in the report.
KEY_PACKAGES = [
    "jupyterlab",
    "notebook",
    "ipywidgets",
    "ipykernel",
    "nbgrader",
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "faker",
    "pyarrow",
]
WIDGETS_LABEXTENSION = "@jupyter-widgets/jupyterlab-manager"
NBGRADER_LABEXTENSION = "@jupyter/nbgrader"
NBGRADER_SERVER_EXTENSIONS = [
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _run(args: list[str]) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    return _ANSI.sub("", proc.stdout + proc.stderr)


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check(
        "python",
        ok,
        sys.version.split()[0],
        "" if ok else "Install Python 3.11 or newer, then run `make clean setup`.",
    )


def read_lock(path: Path | None = None) -> dict[str, str]:
    """Exact versions pinned in ``constraints.txt``, keyed by normalised name."""
    path = path or ROOT / "constraints.txt"
    pins: dict[str, str] = {}
    if not path.exists():
        return pins
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_norm(name)] = version.strip()
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_packages(lock: dict[str, str] | None = None) -> list[Check]:
    """Each key package is installed, at the version the lock file pins."""
    lock = read_lock() if lock is None else lock
    checks = []
    for name in KEY_PACKAGES:
        try:
            have = md.version(name)
        except md.PackageNotFoundError:
            checks.append(Check(name, False, "not installed", "Run `make setup`."))
            continue
        want = lock.get(_norm(name))
        ok = want is None or want == have
        detail = have if ok else f"{have}, but constraints.txt pins {want}"
        checks.append(Check(name, ok, detail, "" if ok else "Run `make setup` to reinstall."))
    return checks


def check_kernel() -> Check:
    """A `python3` kernel exists and its interpreter can import rmlib."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check(
            "kernel",
            False,
            "no 'python3' kernel found",
            "Run `make setup` (it installs ipykernel into .venv).",
        )
    exe = spec.argv[0]
    if exe in {"python", "python3", "{python}"}:
        exe = sys.executable
    proc = subprocess.run([exe, "-c", "import rmlib"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return Check(
            "kernel",
            False,
            f"kernel python {exe} cannot import rmlib",
            "Start JupyterLab with `make lab` so the course's .venv kernel is used.",
        )
    return Check("kernel", True, f"python3 -> {exe}")


def labextension_states(listing: str | None = None) -> dict[str, str]:
    """Map each JupyterLab extension to 'enabled' or 'disabled' (from the CLI listing)."""
    if listing is None:
        listing = _run([sys.executable, "-m", "jupyter", "labextension", "list"])
    states = {}
    for line in listing.splitlines():
        m = re.match(r"\s+(\S+)\s+v\S+\s+(enabled|disabled)\b", line)
        if m:
            states[m.group(1)] = m.group(2)
    return states


def check_labextensions(states: dict[str, str] | None = None) -> list[Check]:
    states = labextension_states() if states is None else states
    checks = []
    for ext, pip_name in [
        (WIDGETS_LABEXTENSION, "jupyterlab_widgets"),
        (NBGRADER_LABEXTENSION, "nbgrader"),
    ]:
        state = states.get(ext)
        if state == "enabled":
            checks.append(Check(ext, True, "enabled"))
        elif state == "disabled":
            checks.append(
                Check(
                    ext,
                    False,
                    "installed but disabled",
                    f"Run `.venv/bin/jupyter labextension enable {ext}`.",
                )
            )
        else:
            checks.append(
                Check(
                    ext,
                    False,
                    "not installed",
                    f"Run `make setup` (reinstalls {pip_name} into .venv).",
                )
            )
    return checks


def server_extension_states() -> dict[str, bool]:
    """Effective enabled/disabled state of each Jupyter server extension."""
    from jupyter_core.paths import jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager

    manager = ExtensionConfigManager(read_config_path=jupyter_config_path())
    return dict(manager.get_jpserver_extensions())


def check_server_extensions(states: dict[str, bool] | None = None) -> list[Check]:
    states = server_extension_states() if states is None else states
    checks = []
    for ext in NBGRADER_SERVER_EXTENSIONS:
        if states.get(ext):
            checks.append(Check(ext, True, "enabled"))
        else:
            checks.append(
                Check(
                    ext,
                    False,
                    "disabled" if ext in states else "not registered",
                    f"Run `.venv/bin/jupyter server extension enable --sys-prefix {ext}`.",
                )
            )
    return checks


def check_data(data_dir: Path | None = None) -> list[Check]:
    """The shipped datasets are present."""
    from rmlib.datasets import data_dir as default_dir

    base = data_dir or default_dir()
    checks = []
    for name, pattern in [("case data", "case/*.csv"), ("CDNOW data", "cdnow/CDNOW_sample.txt")]:
        found = sorted(base.glob(pattern))
        checks.append(
            Check(
                name,
                bool(found),
                f"{len(found)} file(s) in {base}",
                "" if found else "Run `make setup` (it regenerates missing data).",
            )
        )
    return checks


def check_data_checksums() -> Check:
    """The shipped data files are the ones the course was written for (grading relies on it)."""
    from rmlib.datasets import verify_datasets

    changed = verify_datasets()
    return Check(
        "data checksums",
        not changed,
        "every shipped file matches" if not changed else f"changed: {', '.join(changed)}",
        "" if not changed else "Restore them: `git checkout -- datasets/`.",
    )


def check_grading_sandbox() -> Check:
    """Which grading sandbox this machine gives an instructor (see assignments/README.md)."""
    from rmlib.grading.sandbox import capabilities, choose_mode

    mode = choose_mode("auto")
    detail = f"mode {mode!r} ({', '.join(m for m, ok in capabilities().items() if ok)} work here)"
    if mode == "none":
        detail += (
            "; grading works but submissions can read what the grader can: grade as root or "
            "enable user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
        )
    return Check("grading sandbox", True, detail)


# -- nbgrader on this machine: tools, gradebook, exchange ------------------------------------

#: Command-line tools nbgrader needs from the environment (it shells out to ``alembic``).
TOOLS = ["nbgrader", "alembic"]
COURSE_DIR = ROOT / "assignments"
#: nbgrader's own default exchange, used when the course's settings name none.
NBGRADER_DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"


def check_tools(bin_dir: Path | None = None) -> Check:
    """nbgrader's command-line tools are installed next to this Python."""
    bin_dir = bin_dir or Path(sys.executable).parent
    missing = [t for t in TOOLS if not os.access(bin_dir / t, os.X_OK)]
    if missing:
        return Check(
            "nbgrader tools",
            False,
            f"{', '.join(missing)} missing from {bin_dir}",
            "Run `make setup` (it reinstalls nbgrader and alembic into .venv).",
        )
    on_path = all(shutil.which(t) == str(bin_dir / t) for t in TOOLS)
    where = "on PATH" if on_path else "not on PATH here; `make lab` puts them on its server's PATH"
    return Check("nbgrader tools", True, f"{', '.join(TOOLS)} in {bin_dir} ({where})")


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    return ScriptDirectory(ALEMBIC_DIR).get_current_head()


def _gradebook_state(path: Path) -> tuple[list[str], str | None]:
    """(table names, recorded schema version or None) of the SQLite gradebook at ``path``."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        version = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            version = row[0] if row else None
        return tables, version
    finally:
        con.close()


def check_gradebook(path: Path | None = None) -> Check:
    """The course's gradebook is absent (made on first use) or complete.

    nbgrader creates a gradebook's tables first and then asks ``alembic`` for the
    schema version; without ``alembic`` on PATH it stops in between, and the
    formgrader and ``nbgrader db upgrade`` both fail on what it left.
    """
    path = Path(path) if path is not None else COURSE_DIR / "gradebook.db"
    name = "gradebook"
    if not path.exists():
        return Check(name, True, f"{path} not created yet (nbgrader makes it on first use)")
    try:
        tables, version = _gradebook_state(path)
    except sqlite3.Error as exc:
        return Check(
            name,
            False,
            f"{path} is not a readable SQLite database ({exc})",
            f"Move it away (`mv {path} {path}.broken`); nbgrader makes a new one.",
        )
    if not tables:
        return Check(name, True, f"{path} is empty (nbgrader fills it on first use)")
    head = _alembic_head()
    if version is None:
        return Check(
            name,
            False,
            f"{path} is half-created: tables but no schema version (nbgrader could not run "
            f"alembic)",
            "Run `.venv/bin/python -m rmlib.doctor --repair-gradebook` (`make lab` does it too).",
        )
    if version != head:
        return Check(
            name,
            False,
            f"{path} has schema version {version}; this nbgrader needs {head}",
            "Run `cd assignments && PATH=$PWD/../.venv/bin:$PATH nbgrader db upgrade`.",
        )
    return Check(name, True, f"{path} (schema {version})")


def repair_gradebook(path: Path | None = None) -> str:
    """Finish a half-created gradebook the way nbgrader would have; return what was done.

    The missing tables are created with nbgrader's own schema and the current
    schema version is recorded; rows already in the gradebook are kept. A
    gradebook that is absent or complete is left alone.
    """
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    path = Path(path) if path is not None else COURSE_DIR / "gradebook.db"
    check = check_gradebook(path)
    if check.ok:
        return f"nothing to do: {check.detail}"
    tables, version = _gradebook_state(path)
    if not tables or version is not None:
        raise ValueError(f"{check.detail}; the fix is: {check.fix}")
    engine = create_engine(f"sqlite:///{path}", future=True)
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as con:
            con.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            con.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": _alembic_head()})
    finally:
        engine.dispose()
    return f"completed {path} (schema {_alembic_head()} recorded; its rows are kept)"


def exchange_root(course_dir: Path | None = None) -> Path:
    """The exchange folder the course's ``nbgrader_config.py`` names (``RM_EXCHANGE_ROOT``)."""
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir) if course_dir is not None else COURSE_DIR
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    root = config.Exchange.get("root") or NBGRADER_DEFAULT_EXCHANGE
    return Path(str(root))


def check_exchange(root: Path | None = None) -> Check:
    """The exchange folder exists and this user can read and write it."""
    root = Path(root) if root is not None else exchange_root()
    name = "exchange folder"
    server_fix = (
        f"or, for a shared server, create it once as root: `sudo mkdir -p {root} && sudo chmod "
        f"ugo+rwx {root}`; or point RM_EXCHANGE_ROOT at a folder you can write."
    )
    if not root.exists():
        return Check(
            name,
            False,
            f"{root} does not exist (the Assignments tab shows 'Error fetching courses!')",
            f"Run `make lab` (it creates it) or `mkdir -p {root}`; {server_fix}",
        )
    if not root.is_dir() or not os.access(root, os.R_OK | os.W_OK | os.X_OK):
        return Check(
            name,
            False,
            f"{root} is not a folder this user can read and write",
            f"Run `chmod u+rwx {root}` as its owner; {server_fix}",
        )
    return Check(name, True, str(root))


# -- widget state saved with notebooks -------------------------------------------------------

WIDGET_SETTINGS = "@jupyter-widgets/jupyterlab-manager:plugin"


def _overrides_file(prefix: Path | None = None) -> Path:
    prefix = Path(prefix) if prefix is not None else Path(sys.prefix)
    return prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "rm-workbook.json"


def enable_widget_state(prefix: Path | None = None) -> Path:
    """Make saving widget state with notebooks this environment's JupyterLab default.

    A notebook saved with its widget state shows its explorers and quizzes when it
    is reopened (frozen until its cells run again) instead of "Error displaying
    widget: model not found". Returns the settings file written.
    """
    path = _overrides_file(prefix)
    text = json.dumps({WIDGET_SETTINGS: {"saveState": True}}, indent=1) + "\n"
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


def check_widget_state(prefix: Path | None = None, user_settings: Path | None = None) -> Check:
    """JupyterLab saves widget state with notebooks (the environment default, not turned off)."""
    name = "widget state saved"
    fix = "Run `.venv/bin/python tools/labprep.py` (`make lab` does it too)."
    try:
        default = json.loads(_overrides_file(prefix).read_text())[WIDGET_SETTINGS]["saveState"]
    except (OSError, ValueError, KeyError, TypeError):
        default = False
    if default is not True:
        return Check(name, False, "not the default (reopened notebooks lose their widgets)", fix)
    if user_settings is None:
        from jupyterlab.commands import get_user_settings_dir

        user_settings = Path(get_user_settings_dir())
    mine = user_settings / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
    if mine.exists():
        import json5

        try:
            off = json5.loads(mine.read_text()).get("saveState") is False
        except ValueError:
            off = False
        if off:
            return Check(
                name,
                False,
                f"turned off in your settings ({mine})",
                "In JupyterLab: Settings → Settings Editor → Jupyter Widgets → tick 'Save "
                "Jupyter widget state in notebooks'.",
            )
    return Check(name, True, "on (reopened notebooks show their widgets)")


def run_checks(quick: bool = False) -> list[Check]:
    """Run every check; ``quick`` skips those that start Jupyter subprocesses."""
    checks = [check_python(), *check_packages(), *check_data(), check_data_checksums()]
    if not quick:
        checks += [check_kernel(), *check_labextensions(), *check_server_extensions()]
        checks += [check_tools(), check_gradebook(), check_exchange(), check_widget_state()]
        checks.append(check_grading_sandbox())
    return checks


def format_report(checks: list[Check]) -> str:
    """The report as text: one line per check, fixes under failures."""
    lines = []
    for c in checks:
        lines.append(f"[{'ok' if c.ok else 'FAIL':>4}] {c.name}: {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"       fix: {c.fix}")
    bad = sum(not c.ok for c in checks)
    lines.append(
        "All checks passed." if not bad else f"{bad} check(s) failed; see the fixes above."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rmlib.doctor", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="skip the Jupyter extension checks")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument(
        "--repair-gradebook", action="store_true", help="finish a half-created gradebook"
    )
    args = parser.parse_args(argv)
    if args.repair_gradebook:
        print(repair_gradebook())
        return 0
    checks = run_checks(quick=args.quick)
    if args.json:
        print(json.dumps([c.__dict__ for c in checks], indent=1))
    else:
        print(format_report(checks))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
