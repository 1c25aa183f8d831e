"""The :class:`Case` container and reading/writing a case folder.

A case folder holds one file per table (``customers.csv`` ... or ``.parquet``),
``meta.json`` (arguments and true population parameters) and ``README.md``
(the data card). Writing goes to a hidden temporary folder beside the target,
which is renamed into place only when every file is written, so a crash or a
full disk never leaves a half-written dataset behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rmlib.data import schema

__all__ = ["FORMATS", "PART_ROWS", "Case", "CaseFolder", "TableParts", "read_case"]

FORMATS = ("csv", "parquet")
# Tables are written in slices of this many rows: one Parquet row group each (pyarrow's
# default row-group length, so a table written whole or in slices gives the same bytes).
PART_ROWS = 1024 * 1024
# pandas 3 parses floats exactly by default (and deprecates the option); pandas 2 needs it.
_FLOAT_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


@dataclass(frozen=True)
class TableParts:
    """A table handed over as row slices rather than as one DataFrame.

    ``part(lo, hi)`` returns rows ``lo`` to ``hi - 1`` as a DataFrame in the
    schema's dtypes. :meth:`CaseFolder.add` writes such a table one slice of
    :data:`PART_ROWS` rows at a time, so a table of ten million rows never has
    to exist in memory as a whole; :meth:`frame` builds the whole table.

    Examples
    --------
    >>> parts = TableParts(5, lambda lo, hi: pd.DataFrame({"x": range(lo, hi)}))
    >>> parts.frame()["x"].tolist()
    [0, 1, 2, 3, 4]
    """

    n_rows: int
    part: Callable[[int, int], pd.DataFrame]

    def frame(self) -> pd.DataFrame:
        """The whole table as one DataFrame."""
        return self.part(0, self.n_rows)


@dataclass(eq=False, repr=False)
class Case:
    """The case company's data: ten tables and the generator's metadata.

    Attributes are DataFrames whose columns are defined in
    :mod:`rmlib.data.schema`; ``meta`` is a dict (the arguments used and the
    true population parameters, also saved as ``meta.json``).

    Examples
    --------
    >>> from rmlib.data import generate_case
    >>> case = generate_case(n_customers=100, random_state=0)
    >>> list(case.tables())[:3]
    ['customers', 'transactions', 'returns']
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    returns: pd.DataFrame
    stores: pd.DataFrame
    employees: pd.DataFrame
    partners: pd.DataFrame
    surveys: pd.DataFrame
    interactions: pd.DataFrame
    loyalty: pd.DataFrame
    truth: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in schema order."""
        return {name: getattr(self, name) for name in schema.TABLE_NAMES}

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v):,}" for k, v in self.tables().items())
        return f"Case({rows})"

    def write(self, path, format: str = "csv", *, overwrite: bool = False) -> Path:
        """Write the case to the folder ``path`` (created; replaced only with ``overwrite``).

        Parameters
        ----------
        path : str or Path
            Target folder. Its parent is created if needed.
        format : {"csv", "parquet"}
            File format of the tables. CSV is UTF-8 with ``\\n`` line ends.
        overwrite : bool, default False
            Replace an existing case folder (one holding ``meta.json``).

        Returns
        -------
        Path of the written folder.

        Examples
        --------
        >>> import tempfile
        >>> from rmlib.data import generate_case, read_case
        >>> case = generate_case(n_customers=100, random_state=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     out = case.write(Path(tmp) / "case")
        ...     sorted(p.name for p in out.iterdir())[:3]
        ['README.md', 'customers.csv', 'employees.csv']
        """
        with CaseFolder(path, format, overwrite=overwrite) as folder:
            for name, df in self.tables().items():
                folder.add(name, df)
            folder.finish(self.meta)
        return folder.path


class CaseFolder:
    """A case folder being written one table at a time (used by :meth:`Case.write`).

    Tables go to a hidden temporary folder beside ``path``; :meth:`finish`
    writes ``meta.json`` and the data card and only then moves the folder into
    place. Leaving the ``with`` block without :meth:`finish` (an error, a
    Ctrl-C) deletes the temporary folder, so no half-written case is left
    behind. Writing table by table lets a caller free each table as soon as it
    is on disk, which is how ``python -m rmlib.data`` keeps a million-customer
    run small (see :func:`rmlib.data._generate.generate_case_files`).

    Parameters
    ----------
    path : str or Path
        Target folder. Its parent is created if needed.
    format : {"csv", "parquet"}
        File format of the tables.
    overwrite : bool, default False
        Replace an existing case folder (one holding ``meta.json``).

    Examples
    --------
    >>> import tempfile
    >>> from rmlib.data import generate_case
    >>> case = generate_case(n_customers=50, random_state=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with CaseFolder(Path(tmp) / "case", "csv") as folder:
    ...         for name, df in case.tables().items():
    ...             folder.add(name, df)
    ...         out = folder.finish(case.meta)
    ...     read_case(out).truth.equals(case.truth)
    True
    """

    def __init__(self, path, format: str = "csv", *, overwrite: bool = False) -> None:
        if format not in FORMATS:
            raise ValueError(
                f"`format` must be one of {', '.join(map(repr, FORMATS))}; got {format!r}."
            )
        path = Path(path)
        if path.exists():
            if not path.is_dir():
                raise FileExistsError(
                    f"`path` {path} is a file, not a folder; pass a folder path for the case."
                )
            if any(path.iterdir()):
                if not overwrite:
                    raise FileExistsError(
                        f"`path` {path} already exists and is not empty; pass overwrite=True "
                        f"to replace it (or --overwrite on the command line), or choose "
                        f"another folder."
                    )
                if not (path / "meta.json").exists():
                    raise FileExistsError(
                        f"`path` {path} is a non-empty folder that does not hold a case "
                        f"(no meta.json), so it will not be replaced; choose another folder."
                    )
        self.path, self.format = path, format
        self._tmp: Path | None = None
        self._written: list[str] = []

    def __enter__(self) -> CaseFolder:
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=parent))
        except OSError as exc:
            raise PermissionError(
                f"cannot write the case to `path` {self.path}: {exc.strerror or exc}. "
                f"Choose a folder you can write to."
            ) from None
        self._tmp = tmp
        try:
            os.chmod(tmp, 0o755)
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._discard()  # after finish() the folder has been moved and nothing is left

    def _discard(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def add(self, name: str, table: pd.DataFrame | TableParts) -> None:
        """Write table ``name`` (one of the schema's tables) to the folder.

        ``table`` is a DataFrame or a :class:`TableParts`. Either way it is
        written in slices of :data:`PART_ROWS` rows (one Parquet row group
        each; CSV with the header once), so the bytes do not depend on which
        was passed.
        """
        if self._tmp is None:
            raise RuntimeError("CaseFolder.add() must be called inside its `with` block.")
        schema.columns(name)  # unknown names fail here, listing the tables
        if isinstance(table, pd.DataFrame):
            frame = table
            table = TableParts(len(frame), lambda lo, hi: frame.iloc[lo:hi])
        target = self._tmp / f"{name}.{self.format}"
        slices = [
            (lo, min(lo + PART_ROWS, table.n_rows)) for lo in range(0, table.n_rows, PART_ROWS)
        ]
        slices = slices or [(0, 0)]  # an empty table still gets its header / schema
        if self.format == "csv":
            with open(target, "w", encoding="utf-8", newline="") as f:
                for lo, hi in slices:
                    table.part(lo, hi).to_csv(f, index=False, header=lo == 0, lineterminator="\n")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            writer = None
            try:
                for lo, hi in slices:
                    arrow = pa.Table.from_pandas(table.part(lo, hi), preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(target, arrow.schema, compression="snappy")
                    writer.write_table(arrow, row_group_size=PART_ROWS)
                    del arrow
            finally:
                if writer is not None:
                    writer.close()
        self._written.append(name)

    def finish(self, meta: dict) -> Path:
        """Write ``meta.json`` and the data card, then move the folder into place."""
        from rmlib.data._card import data_card

        if self._tmp is None:
            raise RuntimeError("CaseFolder.finish() must be called inside its `with` block.")
        missing = [n for n in schema.TABLE_NAMES if n not in self._written]
        if missing:
            raise ValueError(f"cannot finish the case folder: tables {missing} were not written.")
        text = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (self._tmp / "meta.json").write_text(text, encoding="utf-8")
        (self._tmp / "README.md").write_text(data_card(meta, self.format), encoding="utf-8")
        _replace_dir(self._tmp, self.path)
        self._tmp = None
        return self.path


def _replace_dir(tmp: Path, path: Path) -> None:
    """Move the finished folder ``tmp`` to ``path``, swapping out an old one if present."""
    if not path.exists():
        os.replace(tmp, path)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
    old.rmdir()
    os.replace(path, old)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.replace(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _read_table(file: Path, name: str, format: str) -> pd.DataFrame:
    spec = schema.dtypes(name)
    if format == "parquet":
        df = pd.read_parquet(file)
    else:
        dates = [c for c, d in spec.items() if d.startswith("datetime64")]
        plain = {c: d for c, d in spec.items() if c not in dates}
        df = pd.read_csv(
            file,
            dtype=plain,
            parse_dates=dates,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8",
            **_FLOAT_EXACT,
        )
    return schema.conform(df, name)


def read_case(path) -> Case:
    """Read a case folder written by :meth:`Case.write` (CSV or Parquet).

    Dtypes are restored from :mod:`rmlib.data.schema`, so a case read back
    equals the case written.

    Examples
    --------
    >>> import tempfile
    >>> from rmlib.data import generate_case
    >>> case = generate_case(n_customers=100, random_state=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     again = read_case(case.write(Path(tmp) / "case", format="parquet"))
    >>> again.transactions.equals(case.transactions)
    True
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(
            f"`path` {path} is not a folder. Pass the folder a case was written to, e.g. "
            f"'datasets/case', or make one with `python -m rmlib.data --out DIR`."
        )
    for format in FORMATS:
        files = {n: path / f"{n}.{format}" for n in schema.TABLE_NAMES}
        if all(f.exists() for f in files.values()):
            break
    else:
        found = sorted(p.name for p in path.iterdir()) or ["(nothing)"]
        need = ", ".join(f"{n}.csv" for n in schema.TABLE_NAMES)
        raise FileNotFoundError(
            f"`path` {path} does not hold a complete case: it needs {need} (or the same "
            f".parquet files); found {', '.join(found)}. Regenerate it with "
            f"`python -m rmlib.data --out {path}`."
        )
    meta_file = path / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
    tables = {n: _read_table(f, n, format) for n, f in files.items()}
    return Case(**tables, meta=meta)
