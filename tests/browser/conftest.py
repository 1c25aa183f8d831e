"""The browser suite: the course in JupyterLab, driven by Playwright in the system's Chromium.

Run it with ``make test-browser``; ``make test`` leaves this folder out. Each run copies the
course (notebooks, the nbgrader course, the root config, Makefile, tools, the prebuilt lab
extensions of lab/extensions/) to a temporary folder and starts JupyterLab there with
``make lab-server`` (what ``make lab`` runs after set-up), with a PATH that lacks the
environment's ``bin/``, as a user who has not activated it. Nothing in the repository is
touched. Chromium is never downloaded: set ``RM_CHROMIUM``
to its path if it is not ``chromium`` on PATH.
"""

from __future__ import annotations

import json
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

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    found = os.environ.get("RM_CHROMIUM") or shutil.which("chromium")
    return found or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Path:
    """A copy of the course as a student's clone, with work/ made by the lab's first start."""
    from rmlib.grading.pipeline import copy_course

    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    copy_course(ROOT / "assignments", root / "assignments")
    shutil.copytree(ROOT / "tools", root / "tools")
    # the course's prebuilt JupyterLab extensions, which `make lab-server` loads
    shutil.copytree(ROOT / "lab" / "extensions", root / "lab" / "extensions")
    for name in ["nbgrader_config.py", "Makefile"]:
        shutil.copy2(ROOT / name, root / name)
    return root


@pytest.fixture(scope="session")
def lab(course, tmp_path_factory):
    """(base URL, course folder) of a JupyterLab started by `make lab-server` in the copy."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    settings = jupyter / "settings"
    # Render every cell (no virtual scrolling), so that every figure is in the page.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    path = ":".join(p for p in os.environ["PATH"].split(":") if Path(p) != VENV / "bin")
    env = dict(
        os.environ,
        PATH=path,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(jupyter / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
        JUPYTER_CONFIG_DIR=str(jupyter / "config"),
    )
    env.pop("RM_EXCHANGE_ROOT", None)
    # tests/conftest.py sets MPLBACKEND=Agg for the library's tests; a student's lab has no
    # such setting, and with it every inline figure and every interact() output stays empty.
    env.pop("MPLBACKEND", None)
    port = _free_port()
    args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
        f"--IdentityProvider.token= --LabApp.expose_app_in_browser=True"
    )
    log = open(jupyter / "server.log", "w")
    proc = subprocess.Popen(
        ["make", "-s", "lab-server", f"VENV={VENV}", f"LAB_ARGS={args}"],
        cwd=course,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status", timeout=5):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{(jupyter / 'server.log').read_text()}")
            time.sleep(1)
    yield base, course
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: run `make test-browser`"
    )
    exe = chromium_path()
    if not exe:
        pytest.skip("no Chromium found (install Debian's chromium, or set RM_CHROMIUM)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    pg = context.new_page()
    yield pg
    context.close()
