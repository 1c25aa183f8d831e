"""Same arguments give byte-identical files, across processes; the shipped case is reproducible."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rmlib.data import generate_case, schema
from rmlib.data._card import data_card
from rmlib.datasets import DEFAULT_CASE_ARGS, data_dir


def _run_cli(out: Path, fmt: str, hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    cmd = [sys.executable, "-m", "rmlib.data", "--customers", "400", "--seed", "3"]
    cmd += ["--format", fmt, "--out", str(out)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stdout


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_two_processes_write_identical_bytes(tmp_path, fmt):
    _run_cli(tmp_path / "a", fmt, "1")
    _run_cli(tmp_path / "b", fmt, "2")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(a) == len(schema.TABLE_NAMES) + 2
    assert a == b


def test_shipped_case_equals_regeneration_byte_for_byte(tmp_path):
    shipped = data_dir() / "case"
    out = generate_case(**DEFAULT_CASE_ARGS).write(tmp_path / "case")
    fresh = _files(out)
    assert fresh.keys() == _files(shipped).keys()
    for name, content in fresh.items():
        assert (shipped / name).read_bytes() == content, f"{name} differs from regeneration"


def test_shipped_card_is_the_generated_card():
    shipped = data_dir() / "case"
    meta = generate_case(**DEFAULT_CASE_ARGS).meta
    card = (shipped / "README.md").read_text(encoding="utf-8")
    assert card == data_card(meta, "csv")
    assert schema.schema_markdown() in card
    assert "--customers 5000 --seed 42" in card


def test_recorded_arguments_match_the_defaults():
    import json

    meta = json.loads((data_dir() / "case" / "meta.json").read_text(encoding="utf-8"))
    assert meta["arguments"] == DEFAULT_CASE_ARGS
    import inspect

    sig = inspect.signature(generate_case)
    for key, value in DEFAULT_CASE_ARGS.items():
        assert sig.parameters[key].default == value


def test_shipped_case_stays_small():
    total = sum(p.stat().st_size for p in (data_dir() / "case").iterdir())
    assert total < 5_000_000
