"""`make doctor` passes on a good install and names the fix when something is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _nbrun import ROOT

from rmlib import doctor

LISTING = """JupyterLab v4.6.6
/x/share/jupyter/labextensions
        @jupyter/nbgrader v0.9.6 enabled OK
        @jupyter-widgets/jupyterlab-manager v5.0.16 disabled OK (python, jupyterlab_widgets)
"""


def test_parses_labextension_listing():
    states = doctor.labextension_states(LISTING)
    assert states == {
        "@jupyter/nbgrader": "enabled",
        "@jupyter-widgets/jupyterlab-manager": "disabled",
    }


def test_missing_and_disabled_extensions_name_the_fix():
    checks = {c.name: c for c in doctor.check_labextensions({"@jupyter/nbgrader": "disabled"})}
    widgets = checks["@jupyter-widgets/jupyterlab-manager"]
    assert not widgets.ok and widgets.detail == "not installed" and "make setup" in widgets.fix
    nbg = checks["@jupyter/nbgrader"]
    assert not nbg.ok and "labextension enable @jupyter/nbgrader" in nbg.fix


def test_server_extension_check():
    checks = doctor.check_server_extensions({doctor.NBGRADER_SERVER_EXTENSIONS[0]: False})
    assert [c.ok for c in checks] == [False] * len(doctor.NBGRADER_SERVER_EXTENSIONS)
    assert "server extension enable" in checks[0].fix


def test_version_drift_is_reported():
    checks = {c.name: c for c in doctor.check_packages({"pandas": "0.0.1"})}
    assert not checks["pandas"].ok and "pins 0.0.1" in checks["pandas"].detail


def test_missing_data_is_reported(tmp_path):
    checks = doctor.check_data(tmp_path)
    assert [c.ok for c in checks] == [False, False]
    assert "make setup" in checks[0].fix


def test_report_lists_fixes():
    text = doctor.format_report(
        [doctor.Check("a", True, "fine"), doctor.Check("b", False, "broken", "do X")]
    )
    assert "[  ok] a: fine" in text and "fix: do X" in text and "1 check(s) failed" in text


def _doctor(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "rmlib.doctor"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=300,
    )


@pytest.mark.slow
def test_doctor_passes_on_this_install():
    proc = _doctor({})
    assert proc.returncode == 0, proc.stdout
    assert "All checks passed." in proc.stdout


@pytest.mark.slow
def test_doctor_fails_when_widgets_extension_is_disabled(tmp_path):
    """A user-level config that disables the widgets extension is caught, with the fix."""
    labconfig = tmp_path / "labconfig"
    labconfig.mkdir()
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyter-widgets/jupyterlab-manager": True}})
    )
    proc = _doctor({"JUPYTER_CONFIG_DIR": str(tmp_path)})
    assert proc.returncode == 1
    assert "[FAIL] @jupyter-widgets/jupyterlab-manager: installed but disabled" in proc.stdout
    assert "jupyter labextension enable @jupyter-widgets/jupyterlab-manager" in proc.stdout


def test_make_doctor_without_venv_says_how_to_fix(tmp_path):
    proc = subprocess.run(
        ["make", "-s", "doctor", f"VENV={tmp_path / 'none'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0 and "make setup" in proc.stdout


def test_data_checksums_catch_a_changed_file(tmp_path, monkeypatch):
    import shutil

    from rmlib.datasets import data_dir

    copy = tmp_path / "datasets"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setenv("RMLIB_DATA_DIR", str(copy))
    assert doctor.check_data_checksums().ok
    with open(copy / "case" / "stores.csv", "a") as fh:
        fh.write("\n")
    check = doctor.check_data_checksums()
    assert not check.ok
    assert check.detail == "changed: case/stores.csv"
    assert check.fix == "Restore them: `git checkout -- datasets/`."


def test_grading_sandbox_is_reported():
    check = doctor.check_grading_sandbox()
    assert check.ok and check.detail.startswith("mode '")


def _half_created_gradebook(path, monkeypatch):
    """What nbgrader leaves when it cannot run `alembic`: tables, no schema version."""
    from nbgrader.api import Gradebook

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(FileNotFoundError):
        Gradebook(f"sqlite:///{path}")
    monkeypatch.undo()


def test_half_created_gradebook_is_caught_and_repaired(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    db = tmp_path / "gradebook.db"
    assert doctor.check_gradebook(db).ok  # absent: nbgrader makes it on first use
    _half_created_gradebook(db, monkeypatch)
    check = doctor.check_gradebook(db)
    assert not check.ok and "half-created" in check.detail
    assert "rmlib.doctor --repair-gradebook" in check.fix
    assert "completed" in doctor.repair_gradebook(db)
    assert doctor.check_gradebook(db).ok
    # nbgrader now opens it without alembic on PATH, and it keeps what is written to it
    monkeypatch.setenv("PATH", "/nonexistent")
    with Gradebook(f"sqlite:///{db}") as gb:
        gb.add_student("ivanova")
    with Gradebook(f"sqlite:///{db}") as gb:
        assert [s.id for s in gb.students] == ["ivanova"]
    assert doctor.repair_gradebook(db).startswith("nothing to do")


def test_gradebook_of_another_schema_version_names_the_upgrade(tmp_path):
    import sqlite3

    db = tmp_path / "gradebook.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE student (id TEXT)")
    con.execute("CREATE TABLE alembic_version (version_num TEXT)")
    con.execute("INSERT INTO alembic_version VALUES ('0000old')")
    con.commit()
    con.close()
    check = doctor.check_gradebook(db)
    assert not check.ok and "0000old" in check.detail and "nbgrader db upgrade" in check.fix
    with pytest.raises(ValueError, match="db upgrade"):
        doctor.repair_gradebook(db)


def test_missing_tools_are_reported(tmp_path):
    check = doctor.check_tools(tmp_path)
    assert not check.ok and "alembic" in check.detail and "make setup" in check.fix
    assert doctor.check_tools().ok  # this environment has them


def test_exchange_default_is_a_folder_of_the_repository(monkeypatch):
    monkeypatch.delenv("RM_EXCHANGE_ROOT", raising=False)
    assert doctor.exchange_root() == ROOT / ".exchange"
    monkeypatch.setenv("RM_EXCHANGE_ROOT", "/srv/shared/exchange")
    assert doctor.exchange_root() == Path("/srv/shared/exchange")


def test_missing_exchange_is_reported_with_the_fix(tmp_path):
    missing = tmp_path / "exchange"
    check = doctor.check_exchange(missing)
    assert not check.ok and "does not exist" in check.detail
    assert f"mkdir -p {missing}" in check.fix and "RM_EXCHANGE_ROOT" in check.fix
    missing.mkdir()
    assert doctor.check_exchange(missing).ok
    if os.getuid() != 0:  # root can write anything
        missing.chmod(0o500)
        try:
            assert not doctor.check_exchange(missing).ok
        finally:
            missing.chmod(0o700)


def test_widget_state_check(tmp_path):
    prefix, user = tmp_path / "env", tmp_path / "user"
    check = doctor.check_widget_state(prefix, user)
    assert not check.ok and "tools/labprep.py" in check.fix
    written = doctor.enable_widget_state(prefix)
    assert json.loads(written.read_text()) == {
        "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}
    }
    assert doctor.check_widget_state(prefix, user).ok
    mine = user / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
    mine.parent.mkdir(parents=True)
    mine.write_text('{\n  // mine\n  "saveState": false\n}')
    check = doctor.check_widget_state(prefix, user)
    assert not check.ok and "turned off" in check.detail and "Settings Editor" in check.fix


def test_doctor_repairs_a_gradebook_from_the_command_line(tmp_path, monkeypatch):
    db = tmp_path / "gradebook.db"
    _half_created_gradebook(db, monkeypatch)
    monkeypatch.setattr(doctor, "COURSE_DIR", tmp_path)
    assert doctor.main(["--repair-gradebook"]) == 0
    assert doctor.check_gradebook(db).ok
