"""The class exchange (rmlib.grading.exchange) on one machine, with one Unix user.

tests/test_hub.py runs it with real users on JupyterHub; here each rule is checked on
its own: what ``refusal`` accepts and refuses, and that ``nbgrader collect`` with
``SecureCollect`` refuses a forged folder without hiding the genuine submission.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from rmlib.grading.exchange import EXCHANGE_CONFIG, refusal, unix_user
from rmlib.grading.pipeline import Course, nbgrader_executable

ME = unix_user()


def _submission(folder, files=("a1.ipynb",)):
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text("{}")
    (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
    return folder


def test_a_plain_folder_of_the_named_user_is_accepted(tmp_path):
    assert refusal(str(_submission(tmp_path / "s")), ME) is None


def test_a_folder_owned_by_someone_else_is_refused_with_both_names(tmp_path):
    why = refusal(str(_submission(tmp_path / "s")), "carol")
    assert why is not None and "claims to be carol's submission" in why and ME in why


def test_links_and_special_files_are_refused(tmp_path):
    real = _submission(tmp_path / "real")
    (tmp_path / "link").symlink_to(real)
    assert "symbolic link" in refusal(str(tmp_path / "link"), ME)
    inside = _submission(tmp_path / "inside")
    (inside / "answers.ipynb").symlink_to(tmp_path / "real" / "a1.ipynb")
    assert "holds a symbolic link (answers.ipynb)" in refusal(str(inside), ME)
    fifo = _submission(tmp_path / "fifo")
    os.mkfifo(fifo / "pipe")
    assert "neither a file nor a folder" in refusal(str(fifo), ME)
    (tmp_path / "file").write_text("x")
    assert "is not a folder" in refusal(str(tmp_path / "file"), ME)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_file_owned_by_another_user_inside_is_refused(tmp_path):
    sub = _submission(tmp_path / "s")
    os.chown(sub / "a1.ipynb", 65534, 65534)
    assert "owned by" in refusal(str(sub), ME)


def _course(tmp_path):
    exchange = tmp_path / "exchange"
    inbound = exchange / "c1" / "inbound"
    inbound.mkdir(parents=True)
    root = tmp_path / "course"
    root.mkdir()
    lines = [
        "c = get_config()",
        "c.CourseDirectory.course_id = 'c1'",
        f"c.CourseDirectory.root = {str(root)!r}",
        f"c.Exchange.root = {str(exchange)!r}",
        *(f"c.ExchangeFactory.{k} = {v!r}" for k, v in EXCHANGE_CONFIG.items()),
    ]
    (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    return root, inbound


def _collect(root):
    return subprocess.run(
        [nbgrader_executable(), "collect", "a1"],
        cwd=root,
        capture_output=True,
        text=True,
        env=Course.env(),
    )


@pytest.mark.slow
def test_collect_refuses_a_forged_later_folder_and_keeps_the_genuine_one(tmp_path):
    root, inbound = _course(tmp_path)
    # "carol" is a Unix user nobody is: any folder claiming her name is forged here.
    _submission(inbound / f"{ME}+a1+2026-12-01 10:00:00.000000 UTC+aaa")
    forged = _submission(inbound / "carol+a1+2099-01-01 00:00:00.000000 UTC+bbb")
    (forged / "a1.ipynb").write_text(json.dumps({"forged": True}))
    _submission(inbound / f"{ME}+a1+not-a-time+ccc")
    (inbound / f"{ME}+a1+2098-01-01 00:00:00.000000 UTC+ddd").symlink_to(root)
    proc = _collect(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stderr
    assert "Refused, not collected" in log and "claims to be carol's submission" in log
    assert "is a symbolic link" in log and "is not named" in log
    assert "3 submission(s) of 'a1' were refused" in log
    assert not (root / "submitted" / "carol").exists()
    got = root / "submitted" / ME / "a1"
    assert (got / "a1.ipynb").read_text() == "{}"  # the genuine one, not the link's target


@pytest.mark.slow
def test_submit_refuses_another_students_name(tmp_path):
    root, inbound = _course(tmp_path)
    work = tmp_path / "work"
    (work / "a1").mkdir(parents=True)
    (work / "a1" / "a1.ipynb").write_text("{}")
    outbound = inbound.parent / "outbound" / "a1"
    outbound.mkdir(parents=True)
    (outbound / "a1.ipynb").write_text("{}")
    cfg = (root / "nbgrader_config.py").read_text()
    (work / "nbgrader_config.py").write_text(cfg.replace("c.CourseDirectory.root", "# root"))
    env = {**Course.env(), "USER": "carol", "LOGNAME": "carol"}
    base = [nbgrader_executable(), "submit", "a1", "--course=c1"]
    as_carol = subprocess.run([*base, "--student=carol"], cwd=work, capture_output=True,
                              text=True, env=env)  # fmt: skip
    assert as_carol.returncode != 0
    assert "a submission is always made as yourself" in as_carol.stderr
    plain = subprocess.run(base, cwd=work, capture_output=True, text=True, env=env)
    assert plain.returncode == 0, plain.stderr[-2000:]
    made = [p for p in inbound.iterdir()]
    assert len(made) == 1 and made[0].name.startswith(f"{ME}+a1+")  # not carol, despite $USER
    assert oct(made[0].stat().st_mode & 0o777) == oct(0o755)
