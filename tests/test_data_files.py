"""Writing a case table by table (what ``python -m rmlib.data`` does for big runs)."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pyarrow.parquet as pq
import pytest

from rmlib.data import _case as case_module
from rmlib.data import _generate as gen
from rmlib.data import generate_case, read_case, schema
from rmlib.data.__main__ import main
from rmlib.data._generate import generate_case_files


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    "kwargs, fmt",
    [
        ({"n_customers": 300, "random_state": 2}, "csv"),
        ({"n_customers": 300, "random_state": 2}, "parquet"),
        (
            {"n_customers": 120, "start": "2021-02-01", "end": "2021-05-31", "locale": "en_US"},
            "csv",
        ),
        ({"n_customers": 1, "random_state": 9}, "parquet"),
    ],
)
def test_files_are_byte_identical_to_writing_the_case(tmp_path, kwargs, fmt):
    written = generate_case(**kwargs).write(tmp_path / "whole", format=fmt)
    meta = generate_case_files(tmp_path / "streamed", format=fmt, **kwargs)
    assert _files(tmp_path / "streamed") == _files(written)
    assert meta == read_case(written).meta
    assert meta["rows"] == {n: len(df) for n, df in read_case(written).tables().items()}


def test_each_table_is_emitted_once_and_dropped_after_it(tmp_path):
    """The generator keeps no reference to a table it has handed over."""
    seen, alive_refs = [], {}

    def emit(name, df):
        gc.collect()
        seen.append((name, sorted(k for k, ref in alive_refs.items() if ref() is not None)))
        alive_refs[name] = weakref.ref(df)

    meta = gen._generate(400, "2023-01-01", "2024-12-31", "ru_RU", 5, False, emit)
    names = [name for name, _ in seen]
    assert sorted(names) == sorted(schema.TABLE_NAMES)
    assert names[0] == "transactions"  # the biggest table goes first
    assert all(still == [] for _, still in seen), seen
    assert meta == generate_case(400, random_state=5).meta


def test_bad_arguments_fail_before_any_folder_is_made(tmp_path):
    out = tmp_path / "case"
    with pytest.raises(ValueError, match="n_customers"):
        generate_case_files(out, n_customers=0)
    with pytest.raises(ValueError, match="`end` must be at least 4 weeks after `start`"):
        generate_case_files(out, n_customers=10, start="2024-01-01", end="2024-01-10")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="already exists and is not empty"):
        generate_case_files(tmp_path / "taken", n_customers=10)
    with pytest.raises(ValueError, match="`format` must be one of"):
        generate_case_files(out, n_customers=10, format="xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_failure_midway_leaves_nothing_half_written(tmp_path, monkeypatch):
    out = tmp_path / "case"
    old = generate_case_files(out, n_customers=50, random_state=1)
    snapshot = _files(out)
    real = pd.DataFrame.to_csv
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", flaky)
    with pytest.raises(OSError, match="No space left"):
        generate_case_files(out, n_customers=60, random_state=2, overwrite=True)
    assert _files(out) == snapshot  # the old case is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]  # no temporary folder left
    assert old["arguments"]["n_customers"] == 50


def test_cli_reports_the_rows_it_wrote(tmp_path, capsys):
    out = tmp_path / "cli"
    args = ["--customers", "200", "--seed", "4", "--out", str(out), "--format", "parquet"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    case = read_case(out)
    rows = ", ".join(f"{n}={len(df):,}" for n, df in case.tables().items())
    assert printed.startswith(f"Case({rows}) written to {out} in ")
    pd.testing.assert_frame_equal(
        case.interactions, generate_case(200, random_state=4).interactions, check_exact=True
    )
    assert main(args) == 2  # the folder exists now and --overwrite was not given
    assert "pass overwrite=True" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_big_tables_are_written_in_slices_without_changing_them(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(case_module, "PART_ROWS", 500)
    case = generate_case(300, random_state=3)
    assert len(case.transactions) > 1000 and len(case.interactions) > 500
    written = case.write(tmp_path / "whole", format=fmt)
    generate_case_files(tmp_path / "sliced", n_customers=300, random_state=3, format=fmt)
    assert _files(tmp_path / "sliced") == _files(written)
    back = read_case(tmp_path / "sliced")
    for name, df in case.tables().items():
        pd.testing.assert_frame_equal(getattr(back, name), df, check_exact=True)
    for name in ("transactions", "interactions"):
        file = tmp_path / "sliced" / f"{name}.{fmt}"
        n = len(getattr(case, name))
        if fmt == "csv":  # one header, and the same text as writing the table in one go
            whole = getattr(case, name).to_csv(index=False, lineterminator="\n")
            assert file.read_text(encoding="utf-8") == whole
        else:  # one row group per slice
            assert pq.ParquetFile(file).metadata.num_row_groups == -(-n // 500)


def test_table_parts_empty_table_keeps_its_header(tmp_path):
    case = generate_case(50, random_state=1)
    empty = case.surveys.iloc[:0]
    for fmt in ("csv", "parquet"):
        with case_module.CaseFolder(tmp_path / fmt, fmt) as folder:
            for name, df in case.tables().items():
                folder.add(name, empty if name == "surveys" else df)
            out = folder.finish(case.meta)
        back = read_case(out).surveys
        assert len(back) == 0 and list(back.columns) == schema.columns("surveys")
