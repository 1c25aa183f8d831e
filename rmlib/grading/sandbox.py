"""Where and how a submission's kernel runs while it is graded.

Each submission gets a throw-away folder (the *box*) holding a verified copy
of the data it needs, the kernel's connection file and an empty ``work``
folder. The kernel is started through :mod:`rmlib.grading.jail`, inside new
Linux mount and PID namespaces, in one of three modes:

``root`` (the grader runs as root)
    The kernel's whole filesystem is an allow-list: the system folders
    (``/usr``, ``/etc``, ...), the Python environment, the library's package
    folder and the box, all read-only, plus ``/proc`` and a few devices; the
    rest of the machine -- the course, every clone of the repository, other
    boxes, ``/tmp``, the homes -- does not exist for it. It writes only to a
    size-limited tmpfs, runs as an unprivileged grading user
    (``RM_GRADING_USER``, default ``nobody``) with no capabilities, and every
    process it starts is killed when it ends.
``userns`` (the grader is a normal user and the system allows unprivileged
user namespaces, as Debian and Ubuntu do by default)
    The same filesystem, limits and cleanup; the kernel is root of its own
    user namespace with every capability dropped, so it cannot remount or
    unmount anything, and it writes with the grader's user id only to what
    that allow-list shows writable (nothing but its tmpfs).
``none`` (no ``unshare`` or no namespaces allowed, e.g. in some containers)
    Resource limits, a clean environment and a private working folder only.
    The submission can read what the grader can read. The grading log says so.

Whatever the mode, the tests that decide the grade run outside this kernel
(:mod:`rmlib.grading.trusted`), so none of this is needed to keep them honest;
it keeps the *course* and the *other students* safe from the submission.

``RM_SANDBOX`` chooses the mode (``auto``, the default, picks the strongest
that works here); :func:`capabilities` reports what this machine allows.
"""

from __future__ import annotations

import functools
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

__all__ = [
    "MODES",
    "Box",
    "JailedKernelManager",
    "Limits",
    "capabilities",
    "choose_mode",
]

MODES = ("root", "userns", "none")
NAMESPACES = ["--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation=private"]
PASS_ENV = ("LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one graded kernel (``None``: no limit)."""

    memory_mb: int | None = 4096
    cpu_seconds: int | None = 300
    processes: int | None = 256
    open_files: int | None = 512
    file_mb: int | None = 256
    work_mb: int = 256

    @classmethod
    def from_env(cls) -> Limits:
        """Limits from ``RM_GRADING_MEMORY_MB``, ``RM_GRADING_CPU_SECONDS``, ... if set."""
        kw = {}
        for name in ("memory_mb", "cpu_seconds", "processes", "open_files", "file_mb", "work_mb"):
            value = os.environ.get(f"RM_GRADING_{name.upper()}")
            if value:
                kw[name] = int(value)
        return cls(**kw)


def _unshare() -> str | None:
    return shutil.which("unshare") or next(
        (p for p in ("/usr/bin/unshare", "/bin/unshare") if os.path.exists(p)), None
    )


@functools.cache
def _works(mode: str) -> bool:
    """Whether ``mode`` can start a process here (tried once per process)."""
    if mode == "none":
        return True
    exe = _unshare()
    if exe is None or not sys.platform.startswith("linux"):
        return False
    if mode == "root" and os.geteuid() != 0:
        return False
    flags = ["--user", "--map-root-user"] if mode == "userns" else []
    try:
        proc = subprocess.run(
            [exe, *flags, *NAMESPACES, "--", "/bin/true"], capture_output=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def capabilities() -> dict[str, bool]:
    """Which sandbox modes work on this machine, e.g. ``{"root": True, ...}``."""
    return {mode: _works(mode) for mode in MODES}


def choose_mode(requested: str | None = None) -> str:
    """The mode to grade in: ``requested`` (or ``RM_SANDBOX``), or the strongest that works.

    Raises
    ------
    ValueError
        If the requested mode is unknown or does not work on this machine.
    """
    requested = requested or os.environ.get("RM_SANDBOX") or "auto"
    if requested == "auto":
        return next(m for m in MODES if _works(m))
    if requested not in MODES:
        raise ValueError(
            f"RM_SANDBOX must be 'auto' or one of {', '.join(MODES)}; got {requested!r}."
        )
    if not _works(requested):
        why = {
            "root": "the grader is not root or `unshare` cannot create namespaces here",
            "userns": "this system does not allow unprivileged user namespaces "
            "(sysctl kernel.unprivileged_userns_clone=1 enables them)",
        }[requested]
        raise ValueError(f"sandbox mode {requested!r} does not work here: {why}. "
                         "Use RM_SANDBOX=auto to take the strongest mode that works.")  # fmt: skip
    return requested


def grading_user() -> tuple[int, int]:
    """(uid, gid) the kernel runs as in root mode: ``RM_GRADING_USER`` or ``nobody``."""
    name = os.environ.get("RM_GRADING_USER", "nobody")
    try:
        entry = pwd.getpwnam(name) if not name.isdigit() else pwd.getpwuid(int(name))
    except KeyError:
        if name.isdigit():
            return int(name), int(name)
        raise ValueError(
            f"RM_GRADING_USER names no user: {name!r}. Create one "
            "(`useradd --system --no-create-home rmgrader`) or use a numeric uid."
        ) from None
    if entry.pw_uid == 0:
        raise ValueError("RM_GRADING_USER must not be root: student code would run as root.")
    return entry.pw_uid, entry.pw_gid


def _minimal(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p == q or p.startswith(q.rstrip("/") + "/") for q in out):
            out.append(p)
    return out


def _exposed() -> list[str]:
    """What the kernel needs to see: the Python environment and rmlib's package folder."""
    import rmlib

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths |= {os.path.realpath(p) for p in list(paths)}
    paths.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    paths.add(str(Path(rmlib.__file__).resolve().parent))
    return sorted(p for p in paths if p and p != "/" and os.path.exists(p))


@dataclass
class Box:
    """The throw-away folder of one submission's kernel, and the spec that builds its jail.

    Parameters
    ----------
    mode : {"root", "userns", "none"}
    secrets : list of path
        Folders the submission must not see (course root, repository, exchange).
    limits : Limits
    student : str, optional
        Whose data variant ``load_case(assignment)`` gives in the kernel.
    """

    mode: str
    secrets: list[str]
    limits: Limits = field(default_factory=Limits)
    student: str | None = None
    root: Path = field(init=False)

    def __post_init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="rmgrade-"))
        self.root.chmod(0o755)
        for sub in ("work", "data", "files"):
            (self.root / sub).mkdir(mode=0o755)

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def connection_file(self) -> Path:
        return self.root / "kernel.json"

    def add_data(self, src: Path, name: str | None = None) -> Path:
        """Copy a file or folder into ``data/`` (readable, not writable, by the kernel)."""
        dest = self.data / (name or src.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest)
        else:
            shutil.copy2(src, dest)
        for p in [dest, *dest.rglob("*")] if dest.is_dir() else [dest]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        return dest

    def add_file(self, src: Path) -> None:
        """Copy one of the assignment's own files; the kernel finds it in its working folder."""
        dest = self.root / "files" / src.name
        if src.is_dir():
            shutil.copytree(src, dest)
        else:
            shutil.copy2(src, dest)

    def env(self) -> dict[str, str]:
        """The kernel's whole environment: nothing of the grader's but a few locale settings."""
        env = {k: os.environ[k] for k in PASS_ENV if k in os.environ}
        bindir = str(Path(sys.executable).parent)
        work = str(self.work)
        env.update(
            PATH=os.pathsep.join([bindir, "/usr/local/bin", "/usr/bin", "/bin"]),
            HOME=work,
            TMPDIR=work,
            IPYTHONDIR=os.path.join(work, ".ipython"),
            MPLCONFIGDIR=os.path.join(work, ".matplotlib"),
            JUPYTER_RUNTIME_DIR=os.path.join(work, ".jupyter"),
            MPLBACKEND="Agg",
            PYTHONWARNINGS="ignore",
            PYTHONNOUSERSITE="1",
            PYTHONDONTWRITEBYTECODE="1",
            OMP_NUM_THREADS="1",
            OPENBLAS_NUM_THREADS="1",
            RMLIB_DATA_DIR=str(self.data),
        )
        if self.student:
            env["RMLIB_STUDENT"] = self.student
        env.setdefault("LANG", "C.UTF-8")
        return env

    def spec(self) -> dict:
        lim = self.limits
        mb = 1024 * 1024
        spec = {
            "namespaces": self.mode != "none",
            "root": str(self.root / "root"),
            "hide": _minimal([os.path.realpath(s) for s in self.secrets]),
            "expose": _exposed(),
            "sandbox": str(self.root),
            "work": str(self.work),
            "files": str(self.root / "files"),
            "connection_file": str(self.connection_file),
            "work_bytes": lim.work_mb * mb,
            "limits": {
                "memory_bytes": lim.memory_mb * mb if lim.memory_mb else None,
                "cpu_seconds": lim.cpu_seconds,
                # A per-user count: meaningful only for the dedicated grading user.
                "processes": lim.processes if self.mode == "root" else None,
                "open_files": lim.open_files,
                "file_bytes": lim.file_mb * mb if lim.file_mb else None,
            },
            "env": self.env(),
            "uid": None,
            "gid": None,
        }
        if self.mode == "root":
            spec["uid"], spec["gid"] = grading_user()
        return spec

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` (the kernel's) as started inside this box's jail."""
        spec_file = Path(tempfile.mkstemp(prefix="rmgrade-spec-", suffix=".json")[1])
        spec_file.write_text(json.dumps(self.spec()), encoding="utf-8")
        self._spec_file = spec_file
        jail = [sys.executable, "-m", "rmlib.grading.jail", str(spec_file), "--", *command]
        if self.mode == "none":
            return jail
        flags = ["--user", "--map-root-user"] if self.mode == "userns" else []
        return [_unshare() or "unshare", *flags, *NAMESPACES, "--", *jail]

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        spec_file = getattr(self, "_spec_file", None)
        if spec_file is not None:
            spec_file.unlink(missing_ok=True)


class JailedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts inside a :class:`Box` (set ``box`` first)."""

    box: Box | None = None

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return self.box.wrap(cmd) if self.box is not None else cmd
