"""Serve the course to a class from one JupyterHub on this machine (run as root).

    python3 tools/hub.py up --instructor teacher --students ann,bob,cat [--port 8000]
    python3 tools/hub.py down [--remove-users]

``up`` makes everything the hub needs under ``--prefix`` (default ``/opt/rmcourse``)
and starts it on 127.0.0.1:

1. ``course/`` -- a read-only copy of the course (notebooks, data, library),
   without ``assignments/`` and the capstone's self-study workbook: the
   instructor's copy of the graded course, with its solutions and hidden
   tests, goes to the instructor's home only;
2. ``env/`` -- one Python environment for everyone, made from a Python every
   user can run (``--python``; the system's ``python3`` by default), with the
   course installed from ``constraints.txt``'s exact versions and JupyterHub;
3. ``proxy/`` -- configurable-http-proxy from npm (``deploy/hub/package-lock.json``);
4. the Unix users (created if missing, home folders ``0700``: nbgrader keeps
   each student's submission secret in their home);
5. the nbgrader exchange (``exchange/``), with the course's folder in it
   created for the instructor before any student can create it, and
   :mod:`rmlib.grading.exchange` switched on for every user;
6. the instructor's course in ``~/course`` (a copy of ``assignments/``), the
   Formgrader turned off for students, and ``hub/`` with the hub's
   configuration (``deploy/hub/jupyterhub_config.py``), database and secrets.

Everything comes from the package registries (PyPI, npm); nothing else is
downloaded. ``down`` stops the hub and every server it started; with
``--remove-users`` it also deletes the users it created and their homes, and
``--purge`` removes the prefix. Standard library only: it runs before any
environment exists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "hub"
COURSE_ID = "relationship-marketing"
# Course files every user gets, read-only (assignments/ goes to the instructor only).
SHARED = ["rmlib", "notebooks", "datasets", "pyproject.toml", "constraints.txt", "README.md",
          "LICENSE", "Makefile"]  # fmt: skip
FORMGRADER_OFF = {
    "ServerApp": {
        "jpserver_extensions": {
            "nbgrader.server_extensions.formgrader": False,
            "nbgrader.server_extensions.validate_assignment": True,
        }
    }
}
LAB_PLUGINS_OFF = {
    "disabledExtensions": {
        "@jupyter/nbgrader:formgrader": True,
        "@jupyter/nbgrader:create-assignment": True,
    }
}


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def _fail(message: str) -> None:
    raise SystemExit(f"tools/hub.py: {message}")


def _runs_for_everyone(python: str) -> bool:
    """Whether an unprivileged user (nobody) can start ``python``."""
    probe = ["runuser", "-u", "nobody", "--", python, "-c", "import venv, ensurepip"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def choose_python(requested: str | None) -> str:
    candidates = [requested] if requested else ["/usr/bin/python3", sys.executable]
    for python in candidates:
        if python and os.path.exists(python) and _runs_for_everyone(python):
            return python
    _fail(
        f"no Python that every user can run among {candidates}: the course's users need one "
        "(e.g. `apt-get install python3 python3-venv`, or pass --python PATH)."
    )
    raise AssertionError  # unreachable


def copy_course(prefix: Path) -> Path:
    course = prefix / "course"
    if course.exists():
        shutil.rmtree(course)
    course.mkdir(parents=True)
    # The capstone's self-study workbook and its exemplar answer the graded capstone:
    # a class gets the capstone from the instructor instead.
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info",
                                  "07_capstone_self_study*")  # fmt: skip
    for name in SHARED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, course / name, ignore=skip)
        elif src.exists():
            shutil.copy2(src, course / name)
    for path in [course, *course.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return course


def _fingerprint(*files: Path) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    return digest.hexdigest()


def build_env(prefix: Path, python: str, course: Path) -> Path:
    """The shared environment; rebuilt only when the pinned versions or pyproject change."""
    env = prefix / "env"
    stamp = env / ".rmcourse-installed"
    want = _fingerprint(ROOT / "constraints.txt", ROOT / "pyproject.toml")
    pip = [env / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not (stamp.exists() and stamp.read_text() == want):
        if env.exists():
            shutil.rmtree(env)
        run([python, "-m", "venv", env])
        run([*pip, "-c", ROOT / "constraints.txt", "-e", f"{course}[hub]"])
        stamp.write_text(want)
    else:  # the course copy is new: point the editable install at it again
        run([*pip, "--no-deps", "-e", str(course)])
    # An editable install leaves out the course's prebuilt JupyterLab extensions (make lab
    # loads them from lab/extensions/): copy them where every user's lab finds them.
    labext = env / "share" / "jupyter" / "labextensions"
    for ext in sorted((ROOT / "lab" / "extensions").iterdir()):
        if ext.is_dir():
            shutil.rmtree(labext / ext.name, ignore_errors=True)
            shutil.copytree(ext, labext / ext.name)
    for path in [env, *env.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o044 | (0o011 if path.is_dir() else 0))
    return env


def install_proxy(prefix: Path) -> Path:
    proxy = prefix / "proxy"
    binary = proxy / "node_modules" / ".bin" / "configurable-http-proxy"
    lock = DEPLOY / "package-lock.json"
    stamp = proxy / ".installed"
    if binary.exists() and stamp.exists() and stamp.read_text() == _fingerprint(lock):
        return binary
    npm = shutil.which("npm")
    if npm is None:
        _fail("npm is needed for JupyterHub's proxy: `apt-get install npm` (Debian/Ubuntu).")
    proxy.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(DEPLOY / name, proxy / name)
    run([npm, "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], cwd=proxy)
    stamp.write_text(_fingerprint(lock))
    return binary


def ensure_user(name: str, created: list[str]) -> pwd.struct_passwd:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        run(["useradd", "--create-home", "--shell", "/bin/bash", name])
        created.append(name)
        entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)
    return entry


def _write_as(user: pwd.struct_passwd, path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    for p in [path, *path.parents]:
        if p == Path(user.pw_dir):
            break
        os.chown(p, user.pw_uid, user.pw_gid)


def setup_exchange(prefix: Path, instructor: pwd.struct_passwd) -> Path:
    exchange = prefix / "exchange"
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    # nbgrader wants its root writable by all; sticky (as /tmp), so that no one can
    # remove or rename a folder they do not own, and the course's own folder exists
    # (owned by the instructor) before any student could create it.
    exchange.chmod(0o1777)
    course = exchange / COURSE_ID
    course.mkdir(exist_ok=True)
    os.chown(course, instructor.pw_uid, instructor.pw_gid)
    course.chmod(0o755)
    return exchange


def nbgrader_config(env: Path, exchange: Path) -> None:
    """The settings every user's nbgrader reads: the course, the exchange and its safe classes."""
    text = (
        '"""Written by tools/hub.py: the class\'s course and its safe exchange."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.Exchange.path_includes_course = False\n"
        'c.ExchangeFactory.submit = "rmlib.grading.exchange.SecureSubmit"\n'
        'c.ExchangeFactory.collect = "rmlib.grading.exchange.SecureCollect"\n'
        'c.ExchangeFactory.release_assignment = "rmlib.grading.exchange.SecureReleaseAssignment"\n'
    )
    target = env / "etc" / "jupyter" / "nbgrader_config.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    target.chmod(0o644)


def setup_instructor(user: pwd.struct_passwd) -> Path:
    home = Path(user.pw_dir)
    course = home / "course"
    if not course.exists():
        shutil.copytree(ROOT / "assignments", course,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))  # fmt: skip
        for path in [course, *course.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
    # The Formgrader finds the course from the folder the server starts in (the home).
    _write_as(user, home / "nbgrader_config.py",
              "load_subconfig('course/nbgrader_config.py')  # noqa: F821\n")  # fmt: skip
    return course


def setup_student(user: pwd.struct_passwd) -> None:
    home = Path(user.pw_dir)
    _write_as(user, home / ".jupyter" / "jupyter_server_config.json", json.dumps(FORMGRADER_OFF))
    _write_as(user, home / ".jupyter" / "labconfig" / "page_config.json",
              json.dumps(LAB_PLUGINS_OFF))  # fmt: skip


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_hub(hub_dir: Path, env: Path, foreground: bool) -> int | None:
    cmd = [str(env / "bin" / "jupyterhub"), "-f", str(hub_dir / "jupyterhub_config.py")]
    environ = {**os.environ, "PATH": f"{env / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    if foreground:
        os.chdir(hub_dir)
        os.execve(cmd[0], cmd, environ)
    log = open(hub_dir / "jupyterhub.log", "ab")
    proc = subprocess.Popen(cmd, cwd=hub_dir, env=environ, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    (hub_dir / "hub-process.pid").write_text(str(proc.pid))
    return proc.pid


def wait_until_up(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/hub/api/"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    _fail(f"the hub did not answer on {url} within {timeout:.0f} s; see hub/jupyterhub.log")


def up(args: argparse.Namespace) -> int:
    if os.geteuid() != 0:
        _fail("run as root: the hub starts each user's server as that user.")
    prefix = Path(args.prefix).resolve()
    prefix.mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o755)
    python = choose_python(args.python)
    course = copy_course(prefix)
    env = build_env(prefix, python, course)
    proxy = install_proxy(prefix)
    created: list[str] = []
    state_file = prefix / "hub" / "users-created.json"
    if state_file.exists():
        created = json.loads(state_file.read_text())
    instructor = ensure_user(args.instructor, created)
    students = [ensure_user(s, created) for s in args.students.split(",") if s]
    hub_dir = prefix / "hub"
    hub_dir.mkdir(exist_ok=True)
    hub_dir.chmod(0o700)
    state_file.write_text(json.dumps(sorted(set(created))))
    exchange = setup_exchange(prefix, instructor)
    nbgrader_config(env, exchange)
    setup_instructor(instructor)
    for student in students:
        setup_student(student)
    settings = {
        "port": args.port,
        "hub_port": _free_port(),
        "proxy_api_port": _free_port(),
        "proxy_command": str(proxy),
        "env": str(env),
        "exchange": str(exchange),
        "course_id": COURSE_ID,
        "instructor": instructor.pw_name,
        "students": [s.pw_name for s in students],
        "api_token": args.api_token or os.environ.get("RM_HUB_API_TOKEN") or "",
    }
    (hub_dir / "settings.json").write_text(json.dumps(settings, indent=2))
    (hub_dir / "settings.json").chmod(0o600)
    shutil.copy2(DEPLOY / "jupyterhub_config.py", hub_dir / "jupyterhub_config.py")
    print(f"JupyterHub for {len(students)} students and {instructor.pw_name} "
          f"on http://127.0.0.1:{args.port}/", flush=True)  # fmt: skip
    start_hub(hub_dir, env, foreground=not args.background)
    wait_until_up(args.port)
    return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def down(args: argparse.Namespace) -> int:
    prefix = Path(args.prefix).resolve()
    hub_dir = prefix / "hub"
    pid_file = hub_dir / "hub-process.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)  # the hub stops every server and its proxy
            deadline = time.monotonic() + 60
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
        pid_file.unlink()
    state_file = hub_dir / "users-created.json"
    users = json.loads(state_file.read_text()) if state_file.exists() else []
    for name in users:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    if args.remove_users:
        for name in users:
            time.sleep(0.1)
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        if state_file.exists():
            state_file.unlink()
    if args.purge:
        shutil.rmtree(prefix, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/hub.py", description=__doc__.split("\n")[0])
    parser.add_argument("--prefix", default=os.environ.get("RM_HUB_PREFIX", "/opt/rmcourse"))
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up", help="install (if needed) and start the hub")
    start.add_argument("--instructor", default=os.environ.get("RM_HUB_INSTRUCTOR", "instructor"))
    start.add_argument("--students", default=os.environ.get("RM_HUB_STUDENTS", ""),
                       help="comma-separated Unix user names")  # fmt: skip
    start.add_argument("--port", type=int, default=int(os.environ.get("RM_HUB_PORT", "8000")))
    start.add_argument("--python", help="the Python to build the shared environment from")
    start.add_argument("--api-token", help="token of the course-operator service (optional)")
    start.add_argument("--background", action="store_true", help="start, wait until up, return")
    stop = sub.add_parser("down", help="stop the hub and every server it started")
    stop.add_argument("--remove-users", action="store_true", help="delete the users it created")
    stop.add_argument("--purge", action="store_true", help="remove the prefix folder too")
    args = parser.parse_args(argv)
    return up(args) if args.command == "up" else down(args)


if __name__ == "__main__":
    sys.exit(main())
