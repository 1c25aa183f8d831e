"""The inside of the grading sandbox: hide the course, drop privileges, run the kernel.

``python -m rmlib.grading.jail SPEC.json -- KERNEL COMMAND ...`` is started by
:mod:`rmlib.grading.sandbox` inside fresh Linux mount and PID namespaces
(``unshare --mount --pid --fork --kill-child --mount-proc``, plus ``--user
--map-root-user`` when the grader is not root). Running as root *inside* those
namespaces, it

1. hides every folder listed in ``hide`` under an empty, read-only tmpfs (the
   course folder, the repository, ``/tmp``, ``/root``, ``/home``, ...), then
   mounts back, read-only, the few paths the kernel needs (``expose``: the
   Python environment, the library's own package folder) and the submission's
   sandbox folder (its data and the kernel's connection file);
2. mounts a size-limited tmpfs, owned by the kernel's user, on the sandbox's
   ``work`` folder: the only place the kernel can write, gone when grading ends,
   so a submission can neither change its data nor fill the grader's disk;
3. sets resource limits (address space, CPU seconds, processes, open files,
   file size), drops to the grading user (root mode) and clears the
   environment;
4. forks the kernel and stays as the namespace's first process: it reaps
   orphans and, when the kernel ends, exits — and the Linux kernel then kills
   every process left in the PID namespace, so nothing a submission started
   outlives its grading.

Written by hand because no maintained Python package does unprivileged
namespace sandboxing without a container runtime; the mounts are plain
``mount(2)`` calls through :mod:`ctypes` (Python 3.11 has no ``os.mount``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import resource
import shutil
import signal
import sys

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]

LIMITS = {
    "memory_bytes": resource.RLIMIT_AS,
    "cpu_seconds": resource.RLIMIT_CPU,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
    "file_bytes": resource.RLIMIT_FSIZE,
}


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = ""):
    enc = [None if x is None else x.encode() for x in (source, target, fstype)]
    if _libc.mount(enc[0], enc[1], enc[2], flags, data.encode()) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _bind(fd_path: str, target: str) -> None:
    """Mount ``fd_path`` read-only at ``target``, creating the mount point if needed."""
    if os.path.isdir(fd_path):
        os.makedirs(target, exist_ok=True)
    elif not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()  # an empty file to mount over
    _mount(fd_path, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_filesystem(spec: dict) -> None:
    """Hide, expose and mount as ``spec`` says (runs as root in a private mount namespace)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Keep a handle on each path to expose before its parent is hidden.
    keep = []
    for path in [*spec["expose"], spec["sandbox"]]:
        if os.path.exists(path):
            keep.append((os.open(path, os.O_PATH), path))
    for folder in spec["hide"]:
        if os.path.isdir(folder):
            _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    for fd, path in keep:
        _bind(f"/proc/self/fd/{fd}", path)
        os.close(fd)
    for folder in spec["hide"]:
        if os.path.isdir(folder):
            _mount(None, folder, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    owner = f",uid={spec['uid']},gid={spec['gid']}" if spec.get("uid") is not None else ""
    _mount(
        "tmpfs",
        spec["work"],
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"size={spec['work_bytes']},mode=700{owner}",
    )


def seed_work(spec: dict) -> None:
    """Copy the assignment's own files into the working folder, owned by the kernel's user."""
    files = spec.get("files")
    if not files or not os.path.isdir(files):
        return
    shutil.copytree(files, spec["work"], dirs_exist_ok=True)
    if spec.get("uid") is not None:
        for folder, dirs, names in os.walk(spec["work"]):
            for item in [folder, *(os.path.join(folder, n) for n in dirs + names)]:
                os.lchown(item, spec["uid"], spec["gid"])


def private_connection_file(spec: dict, command: list[str]) -> list[str]:
    """Give the kernel its own writable copy of the connection file (ipykernel rewrites it)."""
    original = spec.get("connection_file")
    if not original or original not in command:
        return command
    copy = os.path.join(spec["work"], ".kernel-connection.json")
    shutil.copyfile(original, copy)
    os.chmod(copy, 0o600)
    if spec.get("uid") is not None:
        os.chown(copy, spec["uid"], spec["gid"])
    return [copy if arg == original else arg for arg in command]


def drop_privileges(spec: dict) -> None:
    """Resource limits, then the grading user (only when one is named)."""
    for name, which in LIMITS.items():
        value = spec["limits"].get(name)
        if value is not None:
            hard = resource.getrlimit(which)[1]
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
    uid, gid = spec.get("uid"), spec.get("gid")
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise SystemExit("could not drop to the grading user")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m rmlib.grading.jail SPEC.json -- COMMAND ...", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fh:
        spec = json.load(fh)
    command = argv[2:]
    if spec.get("namespaces", True):
        build_filesystem(spec)
    seed_work(spec)
    command = private_connection_file(spec, command)
    drop_privileges(spec)
    if not os.access(command[0], os.X_OK):
        print(
            f"rmlib.grading.jail: the grading user (uid {os.getuid()}) cannot run {command[0]}. "
            "Make the Python environment readable by others (chmod -R o+rX on it) or set "
            "RM_GRADING_USER to a user who can read it.",
            file=sys.stderr,
        )
        return 3
    os.chdir(spec["work"])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel gets SIGINT from its group
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execve(command[0], command, spec["env"])
    signal.signal(signal.SIGTERM, lambda *_: os.kill(child, signal.SIGTERM))
    while True:  # first process of the namespace: reap orphans until the kernel ends
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if pid == child:
            return os.waitstatus_to_exitcode(status) if status else 0


if __name__ == "__main__":
    sys.exit(main())
