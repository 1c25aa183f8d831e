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
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Check", "format_report", "main", "run_checks"]

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


def run_checks(quick: bool = False) -> list[Check]:
    """Run every check; ``quick`` skips those that start Jupyter subprocesses."""
    checks = [check_python(), *check_packages(), *check_data(), check_data_checksums()]
    if not quick:
        checks += [check_kernel(), *check_labextensions(), *check_server_extensions()]
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
    args = parser.parse_args(argv)
    checks = run_checks(quick=args.quick)
    if args.json:
        print(json.dumps([c.__dict__ for c in checks], indent=1))
    else:
        print(format_report(checks))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
