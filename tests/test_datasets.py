"""Tests for rmlib.datasets: loading the shipped data and repairing a damaged datasets folder."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from rmlib import datasets
from rmlib.data import Case
from rmlib.data.__main__ import main as data_main
from rmlib.datasets import DEFAULT_CASE_ARGS, data_dir, ensure_datasets, load_case, load_cdnow


def test_load_case_returns_the_default_case():
    case = load_case()
    assert isinstance(case, Case)
    assert len(case.customers) == DEFAULT_CASE_ARGS["n_customers"]
    assert case.meta["arguments"] == DEFAULT_CASE_ARGS


def test_load_case_gives_fresh_tables():
    a = load_case()
    a.transactions.loc[0, "amount"] = -1.0
    assert load_case().transactions.loc[0, "amount"] >= 0


def test_load_cdnow_sample_and_master():
    sample = load_cdnow()
    assert sample.shape == (6919, 4) and sample["customer_id"].nunique() == 2357
    assert list(sample.columns) == ["customer_id", "date", "cds", "amount"]
    assert pd.api.types.is_datetime64_any_dtype(sample["date"])
    assert sample["date"].min() == pd.Timestamp("1997-01-01")
    master = load_cdnow("master")
    assert master["customer_id"].nunique() == 23570
    with pytest.raises(ValueError, match="`kind` must be 'sample' or 'master'; got 'full'"):
        load_cdnow("full")


@pytest.fixture
def datadir(tmp_path):
    base = tmp_path / "datasets"
    shutil.copytree(data_dir() / "cdnow", base / "cdnow", ignore=shutil.ignore_patterns("*.md"))
    shutil.copytree(data_dir() / "case", base / "case")
    return base


def test_ensure_leaves_a_complete_folder_alone(datadir):
    before = {p.name: p.stat().st_mtime_ns for p in (datadir / "case").iterdir()}
    report = ensure_datasets(datadir)
    assert report[0].startswith("cdnow: ok") and report[1].startswith("case: ok")
    assert {p.name: p.stat().st_mtime_ns for p in (datadir / "case").iterdir()} == before


@pytest.mark.parametrize("victim", ["transactions.csv", "meta.json", "README.md", None])
def test_ensure_regenerates_the_case_identically(datadir, victim):
    original = {p.name: p.read_bytes() for p in (datadir / "case").iterdir()}
    if victim is None:
        shutil.rmtree(datadir / "case")
    else:
        (datadir / "case" / victim).unlink()
    report = ensure_datasets(datadir)
    assert "regenerated" in report[1]
    assert {p.name: p.read_bytes() for p in (datadir / "case").iterdir()} == original
    assert [p.name for p in datadir.iterdir() if p.name.startswith(".")] == []


def test_ensure_fails_clearly_without_cdnow(datadir):
    (datadir / "cdnow" / "CDNOW_sample.txt").unlink()
    with pytest.raises(FileNotFoundError, match="CDNOW_sample.txt missing.*cannot be regenerated"):
        ensure_datasets(datadir)


def test_ensure_will_not_overwrite_strangers(datadir):
    (datadir / "case" / "truth.csv").unlink()
    (datadir / "case" / "my_analysis.xlsx").write_text("x")
    with pytest.raises(FileExistsError, match="my_analysis.xlsx"):
        ensure_datasets(datadir)
    assert (datadir / "case" / "my_analysis.xlsx").exists()


def test_ensure_command_line(datadir):
    cmd = [sys.executable, "-m", "rmlib.datasets", "--ensure", "--dir", str(datadir)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "case: ok" in done.stdout
    (datadir / "cdnow" / "CDNOW_master.txt").unlink()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "CDNOW_master.txt missing" in done.stderr


def test_load_case_without_data_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("RMLIB_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="make setup"):
        datasets.load_case()


def test_data_command_line_reports_bad_arguments(tmp_path, capsys):
    assert data_main(["--customers", "0", "--out", str(tmp_path / "x")]) == 2
    assert "`n_customers` must be an integer >= 1" in capsys.readouterr().err
    assert (
        data_main(["--start", "2024-05-01", "--end", "2024-01-01", "--out", str(tmp_path / "y")])
        == 2
    )
    assert "`end` must be at least 4 weeks after `start`" in capsys.readouterr().err
    assert data_main(["--customers", "50", "--out", str(tmp_path / "z")]) == 0
    assert "written to" in capsys.readouterr().out
    assert data_main(["--customers", "50", "--out", str(tmp_path / "z")]) == 2
    assert "pass overwrite=True" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        data_main(["--locale", "de_DE", "--out", str(tmp_path / "w")])
