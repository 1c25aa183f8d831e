"""A class on one JupyterHub: an instructor and three students, real Unix users, one term.

``tools/hub.py up`` installs and starts the hub on loopback; this module drives it over
HTTP the way the course's users do -- the instructor through the Formgrader's API, each
student through the Assignments tab's API and the contents API of their own server --
through release, fetch, submit, collect, autograde and feedback of one assignment, then
checks that the grades equal those of the single-machine pipeline on the same notebooks.
Between submit and collect, one student (bob) attacks the exchange the ways stock
nbgrader allows (submitting as carol, a forged folder named after carol, a link to the
instructor's files, replacing and deleting carol's folder, reading her home and her
feedback); each attempt must fail with a clear message and change no grade.

It needs root (it creates Unix users), ``useradd``, ``runuser`` and ``npm``; elsewhere it
is skipped with the reason. It removes every user, process and folder it created.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from rmlib.grading import submissions as S
from rmlib.grading.pipeline import Course, copy_course

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]

ROOT = Path(__file__).resolve().parent.parent
A = "ch01_relationships"
COURSE_ID = "relationship-marketing"


def _missing() -> str | None:
    if sys.platform != "linux" or os.geteuid() != 0:
        return "the hub test creates Unix users: it runs as root on Linux (as in CI)"
    for tool in ("useradd", "userdel", "runuser", "npm", "pkill"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """HTTP access to the hub and, through its proxy, to each user's own server."""

    def __init__(self, port: int, token: str):
        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.tokens: dict[str, str] = {}

    def request(self, method, path, *, token=None, form=None, body=None, timeout=600):
        data, headers = None, {"Authorization": f"token {token or self.token}"}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw, status, hdrs = resp.read(), resp.status, dict(resp.headers)
        except urllib.error.HTTPError as err:
            raw, status, hdrs = err.read(), err.code, dict(err.headers)
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return status, payload, hdrs

    def start(self, user: str) -> None:
        status, payload, _ = self.request("POST", f"/hub/api/users/{user}/server")
        assert status in (201, 202, 400), (status, payload)  # 400: already running
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            _, info, _ = self.request("GET", f"/hub/api/users/{user}")
            server = (info.get("servers") or {}).get("")
            if server and server.get("ready"):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"{user}'s server did not start: {info}")
        status, tok, _ = self.request(
            "POST",
            f"/hub/api/users/{user}/tokens",
            body={"note": "course test", "expires_in": 7200},
        )
        assert status in (200, 201), (status, tok)
        self.tokens[user] = tok["token"]

    def as_user(self, user, method, path, **kw):
        """A request to ``user``'s own server, with ``user``'s own token."""
        return self.request(method, f"/user/{user}{path}", token=self.tokens[user], **kw)


def _as(user: str, *cmd: str, env_bin: Path, cwd: str | None = None, extra_env=None):
    """Run ``cmd`` as the Unix user ``user`` in their home, as in their terminal."""
    entry = pwd.getpwnam(user)
    env = {
        "HOME": entry.pw_dir,
        "USER": user,
        "LOGNAME": user,
        "PATH": f"{env_bin}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        **(extra_env or {}),
    }
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *cmd],
        cwd=cwd or entry.pw_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _try_as(user: str, code: str, env_bin: Path) -> str:
    """What Python ``code`` run as ``user`` prints (each attempt prints its outcome)."""
    proc = _as(user, str(env_bin / "python"), "-c", code, env_bin=env_bin)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="session")
def term(tmp_path_factory):
    """The whole term, start to clean-up; the tests read what it recorded."""
    why = _missing()
    if why:
        pytest.skip(why)
    tag = secrets.token_hex(3)
    users = {role: f"rm{role[0]}{tag}" for role in ("instructor", "alice", "bob", "carol")}
    students = [users["alice"], users["bob"], users["carol"]]
    prefix = Path(f"/opt/rmhub-test-{tag}")
    token = secrets.token_hex(24)
    port = _free_port()
    hub_py = [sys.executable, str(ROOT / "tools" / "hub.py"), "--prefix", str(prefix)]
    out = {"users": users, "prefix": prefix, "env_bin": prefix / "env" / "bin"}
    try:
        out["up"] = subprocess.run(
            [*hub_py, "up", "--instructor", users["instructor"], "--students", ",".join(students),
             "--port", str(port), "--api-token", token, "--background"],
            capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        assert out["up"].returncode == 0, (out["up"].stdout[-3000:], out["up"].stderr[-3000:])
        hub = Hub(port, token)
        out["hub"] = hub
        for user in users.values():
            hub.start(user)
        _run_term(out, tmp_path_factory)
    finally:
        out["down"] = subprocess.run([*hub_py, "down", "--remove-users", "--purge"],
                                     capture_output=True, text=True, timeout=300)  # fmt: skip
        out["left"] = {
            "processes": {
                u: subprocess.run(["pgrep", "-u", u], capture_output=True, text=True).stdout
                for u in users.values()
                if _exists(u)
            },
            "users": [u for u in users.values() if _exists(u)],
            "prefix": prefix.exists(),
        }
        for u in out["left"]["users"]:  # never leave a machine dirty, even when a test fails
            subprocess.run(["pkill", "-KILL", "-u", u], capture_output=True)
            subprocess.run(["userdel", "--remove", u], capture_output=True)
        shutil.rmtree(prefix, ignore_errors=True)
    return out


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def _notebooks(source_nb, release_nb):
    """The three students' notebooks: right, half right, and blank."""
    ids = S.solution_ids(release_nb)
    return {
        "alice": S.answered(release_nb, source_nb),
        "bob": S.answered(release_nb, source_nb, ids[:2]),
        "carol": S.answered(release_nb, source_nb, ids[:1]),
    }


def _run_term(out: dict, tmp_path_factory) -> None:
    hub, users = out["hub"], out["users"]
    teacher = users["instructor"]
    fg = "/formgrader/api"
    for step in ("assign", "release"):
        status, payload, _ = hub.as_user(teacher, "POST", f"{fg}/assignment/{A}/{step}")
        assert status == 200 and payload["success"], (step, status, str(payload)[-3000:])
    out["formgrader_page"] = hub.as_user(teacher, "GET", "/formgrader")
    out["lab_page"] = hub.as_user(users["alice"], "GET", "/lab")
    home = Path(pwd.getpwnam(teacher).pw_dir)
    source_nb = nbformat.read(home / "course" / "source" / A / f"{A}.ipynb", as_version=4)
    release_nb = nbformat.read(home / "course" / "release" / A / f"{A}.ipynb", as_version=4)
    sent = _notebooks(source_nb, release_nb)
    out["sent"] = sent
    out["listed"], out["submit"] = {}, {}
    for role in ("alice", "bob", "carol"):
        user = users[role]
        form = {"course_id": COURSE_ID, "assignment_id": A}
        out["listed"][role] = hub.as_user(user, "GET", f"/assignments?course_id={COURSE_ID}")
        hub.as_user(user, "POST", "/assignments/fetch", form=form)
        status, _, _ = hub.as_user(
            user, "PUT", f"/api/contents/{A}/{A}.ipynb",
            body={"type": "notebook", "format": "json", "content": sent[role]},
        )  # fmt: skip
        assert status in (200, 201), status
        out["submit"][role] = hub.as_user(user, "POST", "/assignments/submit", form=form)
    out["attacks"] = _attack(out, source_nb)
    out["collect"] = hub.as_user(teacher, "POST", f"{fg}/assignment/{A}/collect")
    submitted = home / "course" / "submitted"
    out["collected"] = {
        role: json.loads((submitted / users[role] / A / f"{A}.ipynb").read_text())
        for role in ("alice", "bob", "carol")
        if (submitted / users[role] / A / f"{A}.ipynb").exists()
    }
    out["autograde"] = {
        role: hub.as_user(teacher, "POST", f"{fg}/submission/{A}/{users[role]}/autograde")
        for role in ("alice", "bob", "carol")
    }
    out["submissions"] = hub.as_user(teacher, "GET", f"{fg}/submissions/{A}")[1]
    out["feedback"] = hub.as_user(teacher, "POST", f"{fg}/assignment/{A}/generate_feedback")
    out["release_feedback"] = hub.as_user(teacher, "POST", f"{fg}/assignment/{A}/release_feedback")
    out["fetched_feedback"] = {}
    for role in ("alice", "bob", "carol"):
        user = users[role]
        form = {"course_id": COURSE_ID, "assignment_id": A}
        hub.as_user(user, "POST", "/assignments/fetch_feedback", form=form)
        feedback = sorted((Path(pwd.getpwnam(user).pw_dir) / A / "feedback").glob("*/*.html"))
        out["fetched_feedback"][role] = [p.read_text(encoding="utf-8") for p in feedback]
    out["after_feedback"] = _feedback_attack(out)
    out["single_machine"] = _single_machine(out, tmp_path_factory)


def _attack(out: dict, source_nb) -> dict:
    """bob's attempts on carol's submission and on the instructor's files."""
    users, env_bin, prefix = out["users"], out["env_bin"], out["prefix"]
    bob, carol, teacher = users["bob"], users["carol"], users["instructor"]
    inbound = prefix / "exchange" / COURSE_ID / "inbound"
    carol_folder = next(p for p in inbound.iterdir() if p.name.startswith(carol + "+"))
    bob_home = Path(pwd.getpwnam(bob).pw_dir)
    attacks = {}
    # 1. submit as carol, by option and by environment
    attacks["submit_as"] = _as(
        bob, str(env_bin / "nbgrader"), "submit", A, f"--course={COURSE_ID}",
        f"--student={carol}", env_bin=env_bin,
    )  # fmt: skip
    # 2. a forged folder named after carol, later than hers, holding full marks
    full = S.answered(nbformat.read(bob_home / A / f"{A}.ipynb", as_version=4), source_nb)
    later = "2099-01-01 00:00:00.000000 UTC"
    forged = inbound / f"{carol}+{A}+{later}+forged"
    attacks["forge"] = _try_as(bob, f"""
import json, os
d = {str(forged)!r}
os.mkdir(d)
open(os.path.join(d, {A + ".ipynb"!r}), "w").write({json.dumps(json.dumps(full))})
open(os.path.join(d, "timestamp.txt"), "w").write({later!r})
print("forged")
""", env_bin)  # fmt: skip
    # 3. a link to the instructor's source folder, named as bob's newest submission
    link = inbound / f"{bob}+{A}+{later}+link"
    attacks["link"] = _try_as(bob, f"""
import os
os.symlink({str(Path(pwd.getpwnam(teacher).pw_dir) / "course" / "source" / A)!r}, {str(link)!r})
print("linked")
""", env_bin)  # fmt: skip
    # 4. list inbound; replace, delete or write into carol's folder (bob is told its name)
    attacks["tamper"] = _try_as(bob, f"""
import os, shutil
for what, act in [
    ("list", lambda: os.listdir({str(inbound)!r})),
    ("rename", lambda: os.rename({str(carol_folder)!r}, {str(carol_folder) + "x"!r})),
    ("delete", lambda: shutil.rmtree({str(carol_folder)!r})),
    ("write", lambda: open(os.path.join({str(carol_folder)!r}, {A + ".ipynb"!r}), "w")),
    ("add", lambda: open(os.path.join({str(carol_folder)!r}, "extra.ipynb"), "w")),
    ("home", lambda: os.listdir({pwd.getpwnam(carol).pw_dir!r})),
    ("teacher", lambda: os.listdir({pwd.getpwnam(teacher).pw_dir!r})),
]:
    try:
        act()
        print(what, "DONE")
    except OSError as err:
        print(what, "refused", type(err).__name__)
""", env_bin)  # fmt: skip
    # 5. a folder whose name collect cannot parse
    attacks["garbage"] = _try_as(bob, f"""
import os
os.mkdir({str(inbound / f"{carol}+{A}+not-a-time+x")!r})
print("made")
""", env_bin)  # fmt: skip
    return attacks


def _feedback_attack(out: dict) -> str:
    """bob tries to read carol's feedback: list the folder, or read her submission secret."""
    users, env_bin, prefix = out["users"], out["env_bin"], out["prefix"]
    feedback = prefix / "exchange" / COURSE_ID / "feedback"
    carol_cache = Path(pwd.getpwnam(users["carol"]).pw_dir) / ".local/share/jupyter/nbgrader_cache"
    return _try_as(users["bob"], f"""
import os
for what, act in [
    ("list_feedback", lambda: os.listdir({str(feedback)!r})),
    ("carol_cache", lambda: os.listdir({str(carol_cache)!r})),
]:
    try:
        act()
        print(what, "DONE")
    except OSError as err:
        print(what, "refused", type(err).__name__)
""", env_bin)  # fmt: skip


def _single_machine(out: dict, tmp_path_factory) -> dict:
    """The same three notebooks graded by the single-machine pipeline, same student ids."""
    root = copy_course(ROOT / "assignments", tmp_path_factory.mktemp("single") / "course")
    course = Course(root)
    users = out["users"]
    course.add_students({users[r]: ("Sim", r.title()) for r in ("alice", "bob", "carol")})
    course.generate(A)
    for role in ("alice", "bob", "carol"):
        course.submit(users[role], A, {A: out["sent"][role]})
    run = course.autograde(A)
    assert run.failed == [], run.log[-3000:]
    scores = course.scores().set_index(["assignment", "student_id"])["score"]
    return {role: float(scores[(A, users[role])]) for role in ("alice", "bob", "carol")}


# ------------------------------------------------------------------------------- tests
def test_the_hub_starts_for_the_whole_class(term):
    assert term["up"].returncode == 0
    assert set(term["hub"].tokens) == set(term["users"].values())


def test_a_students_lab_loads_the_course_extensions(term):
    """The Contents links land at their heading on the hub too (lab/extensions/)."""
    status, page, _ = term["lab_page"]
    assert status == 200, page
    config = re.search(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
    names = {e["name"] for e in json.loads(config.group(1))["federated_extensions"]}
    shipped = {p.name for p in (ROOT / "lab" / "extensions").iterdir() if p.is_dir()}
    assert shipped and shipped <= names, (shipped, names)


def test_students_see_the_released_assignment(term):
    for role, (status, payload, _) in term["listed"].items():
        assert status == 200, (role, payload)
        assert any(a["assignment_id"] == A for a in payload["value"]), (role, payload)


def test_every_genuine_submission_is_accepted(term):
    for role, (status, payload, _) in term["submit"].items():
        assert status == 200 and payload.get("success", True) is not False, (role, payload)


def test_submitting_as_another_student_is_refused_with_a_clear_message(term):
    proc = term["attacks"]["submit_as"]
    assert proc.returncode != 0
    assert "a submission is always made as yourself" in proc.stderr + proc.stdout


def test_collect_refuses_forged_and_linked_submissions_and_says_why(term):
    status, payload, _ = term["collect"]
    assert status == 200 and payload["success"], payload
    log = payload["log"]
    users = term["users"]
    assert (
        f"claims to be {users['carol']}'s submission but belongs to Unix user {users['bob']}" in log
    )
    assert "is a symbolic link" in log
    assert "not-a-time" in log and "is not named" in log
    for role in ("alice", "bob", "carol"):
        got = [_text(c["source"]) for c in term["collected"][role]["cells"]]
        assert got == [_text(c.source) for c in term["sent"][role].cells], role


def test_students_cannot_touch_each_others_submissions_or_homes(term):
    assert term["attacks"]["forge"].strip() == "forged"  # writing into inbound is allowed...
    lines = dict(
        line.rsplit(" ", 1)[0].split(" ", 1) for line in term["attacks"]["tamper"].splitlines()
    )
    assert lines == {
        k: "refused" for k in ("list", "rename", "delete", "write", "add", "home", "teacher")
    }
    fb = dict(line.split(" ", 1) for line in term["after_feedback"].splitlines())
    assert all(v.startswith("refused") for v in fb.values()), fb


def test_grades_equal_the_single_machine_pipeline_and_no_attack_changed_one(term):
    users = term["users"]
    for role, (status, payload, _) in term["autograde"].items():
        assert status == 200 and payload["success"], (role, str(payload)[-2000:])
    hub_scores = {s["student"]: float(s["score"]) for s in term["submissions"]}
    got = {role: hub_scores[users[role]] for role in ("alice", "bob", "carol")}
    assert got == term["single_machine"]
    assert got["alice"] > got["bob"] > got["carol"]  # the data tells the three apart


def test_each_student_fetches_only_their_own_feedback_without_hidden_tests(term):
    status, payload, _ = term["release_feedback"]
    assert status == 200 and payload["success"], payload
    for role, pages in term["fetched_feedback"].items():
        assert len(pages) == 1, (role, len(pages))
        score = term["single_machine"][role]
        assert f"(Score: {round(score, 2)} / " in pages[0], role  # their own grade, no one else's
        assert "BEGIN HIDDEN TESTS" not in pages[0]


def test_the_formgrader_opens_in_its_own_tab(term):
    status, page, headers = term["formgrader_page"]
    assert status == 200 and "nbgrader formgrade" in page


def test_nothing_is_left_behind(term):
    left = term["left"]
    assert term["down"].returncode == 0, term["down"].stderr[-2000:]
    assert left["users"] == [] and left["prefix"] is False, left
    assert not any(left["processes"].values()), left["processes"]
