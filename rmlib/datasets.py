"""Bundled datasets: the case company's default data and the real CDNOW log.

``load_*`` functions read files shipped in the repository's ``datasets/``
folder; nothing is downloaded at run time.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["data_dir", "load_cdnow"]


def data_dir() -> Path:
    """Folder holding the shipped datasets.

    ``RMLIB_DATA_DIR`` overrides it; otherwise it is the ``datasets/`` folder
    of the source tree this package was installed from (``pip install -e .``).
    """
    env = os.environ.get("RMLIB_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "datasets"


def _require(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"dataset file {path} is missing. Run `make setup` from the course folder "
            f"(it regenerates the data), or set RMLIB_DATA_DIR to the folder holding it."
        )
    return path


def load_cdnow(kind: str = "sample") -> pd.DataFrame:
    """The CDNOW transaction log, one row per log line.

    Parameters
    ----------
    kind : {"sample", "master"}
        ``"sample"``: the 1/10 sample of Fader, Hardie & Lee (2,357 customers,
        6,919 lines); ``"master"``: the full log (23,570 customers).

    Returns
    -------
    DataFrame with ``customer_id`` (int), ``date`` (datetime64), ``cds``
    (number of CDs bought) and ``amount`` (US dollars).

    Examples
    --------
    >>> cdnow = load_cdnow()
    >>> cdnow.shape, cdnow["customer_id"].nunique()
    ((6919, 4), 2357)
    """
    if kind == "sample":
        path = _require(data_dir() / "cdnow" / "CDNOW_sample.txt")
        names = ["master_id", "customer_id", "date", "cds", "amount"]
    elif kind == "master":
        path = _require(data_dir() / "cdnow" / "CDNOW_master.txt")
        names = ["customer_id", "date", "cds", "amount"]
    else:
        raise ValueError(f"`kind` must be 'sample' or 'master'; got {kind!r}.")
    df = pd.read_csv(path, sep=r"\s+", header=None, names=names, dtype={"date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df[["customer_id", "date", "cds", "amount"]]
