"""The two commands: `make lab` serves the course; targets are wired as documented."""

from __future__ import annotations

import os
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
    assert "--LabApp.default_url=/lab/tree/notebooks/" in out


def test_lab_passes_extra_arguments_through():
    out = _make("lab", "LAB_ARGS=--no-browser --port 8899").stdout
    assert "--no-browser --port 8899" in out


def test_test_target_lints_and_runs_pytest():
    out = _make("test").stdout
    assert "ruff check" in out and "pytest" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_lab_serves_the_course():
    """`make lab` starts JupyterLab whose /lab page answers 200 and lands in notebooks/."""
    port, token = _free_port(), "rmlib-test"
    args = f"--no-browser --port {port} --IdentityProvider.token={token}"
    proc = subprocess.Popen(
        ["make", "lab", f"VENV={VENV}", f"LAB_ARGS={args}"],
        cwd=ROOT,
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
        assert "/lab/tree/notebooks/00_start_here.ipynb" in landing
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
