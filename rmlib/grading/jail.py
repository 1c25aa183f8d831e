"""The inside of the grading sandbox: a new root, no privileges, then the kernel.

``python -m rmlib.grading.jail SPEC.json -- KERNEL COMMAND ...`` is started by
:mod:`rmlib.grading.sandbox` inside fresh Linux mount and PID namespaces
(``unshare --mount --pid --fork --kill-child --mount-proc``, plus ``--user
--map-root-user`` when the grader is not root). Running as root *inside* those
namespaces, it

1. builds a new root from an allow-list -- read-only binds of the system
   folders, the few paths the kernel needs (``expose``: the Python
   environment, the library's own package folder) and the submission's
   sandbox folder (its data and the kernel's connection file), ``/proc`` and a
   few devices -- and pivots into it, detaching the old root: the course,
   the repository and every other folder of the machine are not hidden but
   absent, wherever they are (a deny-list would miss a copy in a place
   nobody thought of);
2. mounts a size-limited tmpfs, owned by the kernel's user, on the sandbox's
   ``work`` folder: the only place the kernel can write, gone when grading ends,
   so a submission can neither change its data nor fill the grader's disk;
3. sets resource limits (address space, CPU seconds, processes, open files,
   file size), drops to the grading user (root mode), empties every
   capability set and sets ``no_new_privs`` (so root of a user namespace
   cannot remount what it sees, and no setuid program gives anything back),
   and clears the environment;
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
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_MOVE = 8192
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
_CAP_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]

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


# The system itself, mounted read-only in the kernel's new root (symbolic links,
# as in merged-/usr systems, are copied as links).
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
_SYSCALLS = {  # (pivot_root, capset) by machine
    "x86_64": (155, 126),
    "aarch64": (41, 91),
    "arm64": (41, 91),
}


def _inside(path: str, folders) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _mount_points_under(target: str) -> list[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        points = [line.split()[4].replace("\\040", " ") for line in fh]
    return [p for p in points if _inside(p, [target])]


def _bind_into(root: str, path: str) -> None:
    """Mount ``path`` read-only at the same place under ``root``, its submounts too.

    Recursive, because a non-recursive bind of a folder with mounts inside it
    (``/etc/hosts`` in a container) is refused in a user namespace.
    """
    target = root + path
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()  # an empty file to mount over
    _mount(path, target, None, MS_BIND | MS_REC)
    for point in _mount_points_under(target):
        # A user namespace refuses to clear a flag the mount already has: keep noexec.
        noexec = MS_NOEXEC if os.statvfs(point).f_flag & os.ST_NOEXEC else 0
        try:
            _mount(
                None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | noexec
            )
        except OSError:
            if point == target:
                raise


def _pivot_root(root: str) -> None:
    """Make ``root`` the process's ``/`` and detach the old root entirely."""
    numbers = _SYSCALLS.get(os.uname().machine)
    os.chdir(root)
    if numbers is not None and _libc.syscall(numbers[0], b".", b".") == 0:
        if _libc.umount2(b".", 2) != 0:  # MNT_DETACH: the old root, now stacked on ".".
            err = ctypes.get_errno()
            raise OSError(err, f"detaching the old root: {os.strerror(err)}")
    else:  # no pivot_root here: move the new root over "/" and enter it
        _mount(root, "/", None, MS_MOVE)
        os.chroot(".")
    os.chdir("/")


def build_filesystem(spec: dict) -> None:
    """Build the kernel's whole filesystem from an allow-list and enter it.

    Runs as root in a private mount namespace. The new root is an empty
    tmpfs holding only read-only binds of the system folders, the Python
    environment and the library (``expose``), the submission's box
    (``sandbox``), ``/proc``, a few devices and the writable ``work`` tmpfs;
    the old root is detached, so nothing else on the machine -- the course,
    other clones of the repository, other students' boxes -- exists for the
    kernel, wherever it lies. Secret folders that fall inside an exposed one
    (``hide``) are covered by an empty tmpfs as well.
    """
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = spec["root"]
    os.makedirs(root, exist_ok=True)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    bound: list[str] = []
    for path in SYSTEM:
        if os.path.islink(path):
            os.symlink(os.readlink(path), root + path)
        elif os.path.isdir(path):
            _bind_into(root, path)
            bound.append(path)
    for path in sorted(spec["expose"], key=len):
        if os.path.exists(path) and not _inside(path, bound):
            _bind_into(root, path)
            bound.append(path)
    _bind_into(root, spec["sandbox"])
    for folder in spec["hide"]:
        if _inside(folder, bound) and os.path.isdir(folder):
            _mount("tmpfs", root + folder, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY,
                   "size=4k,mode=755")  # fmt: skip
    os.makedirs(root + "/proc")
    _mount("/proc", root + "/proc", None, MS_BIND | MS_REC)
    dev = root + "/dev"
    os.makedirs(dev)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID, "size=64k,mode=755")
    for name in DEVICES:
        if os.path.exists("/dev/" + name):
            open(f"{dev}/{name}", "a").close()
            _mount("/dev/" + name, f"{dev}/{name}", None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):  # fmt: skip
        os.symlink(target, f"{dev}/{name}")
    owner = f",uid={spec['uid']},gid={spec['gid']}" if spec.get("uid") is not None else ""
    os.makedirs(dev + "/shm")
    _mount("tmpfs", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size=16m,mode=700{owner}")
    _mount(None, dev, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID)
    _mount("tmpfs", root + spec["work"], "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={spec['work_bytes']},mode=700{owner}")  # fmt: skip
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _pivot_root(root)


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


def _drop_capabilities() -> None:
    """Empty the capability sets and forbid gaining any (setuid programs, file caps).

    In ``userns`` mode the kernel is root *inside* its user namespace; without
    this it could unmount or remount its filesystem (e.g. make the Python
    environment writable, which the grader's own user may write to).
    """
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all empty
    if _libc.capset(header, data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"no_new_privs: {os.strerror(err)}")


def drop_privileges(spec: dict) -> None:
    """Resource limits, the grading user (only when one is named), no capabilities."""
    for name, which in LIMITS.items():
        value = spec["limits"].get(name)
        if value is not None:
            hard = resource.getrlimit(which)[1]
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
    uid, gid = spec.get("uid"), spec.get("gid")
    if spec.get("namespaces", True):
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as fh:
            last = int(fh.read())
        for cap in range(last + 1):  # needs CAP_SETPCAP: before giving up root
            _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise SystemExit("could not drop to the grading user")
    if spec.get("namespaces", True):
        _drop_capabilities()


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
