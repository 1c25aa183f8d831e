"""Heatmaps: the RFM grid and cohort retention, one annotated cell per value.

Both use the ``cividis`` colour map (:data:`rmlib.plots.SEQUENTIAL_CMAP`) and
write each cell's value in black or white, whichever reads better on it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from rmlib._validate import renamed
from rmlib.plots._common import (
    _PERIOD_IS_A_CODE,
    SEQUENTIAL_CMAP,
    _finish,
    _get_ax,
    _text_colour,
)

__all__ = ["cohort_heatmap", "rfm_heatmap"]


def _check_matrix(matrix: Any, arg: str) -> np.ndarray:
    """A non-empty, all-numeric DataFrame as a float array."""
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(f"`{arg}` must be a pandas DataFrame, got {type(matrix).__name__}.")
    if matrix.size == 0:
        raise ValueError(f"`{arg}` is empty; pass a table with at least one cell.")
    bad = [c for c in matrix.columns if not pd.api.types.is_numeric_dtype(matrix[c])]
    if bad:
        raise TypeError(f"`{arg}` must be numeric; column {bad[0]!r} is {matrix[bad[0]].dtype}.")
    return matrix.to_numpy(dtype=float)


def _heatmap(
    matrix: pd.DataFrame,
    arg: str,
    *,
    ax: Axes,
    fmt: str,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar_label: str = "",
) -> Axes:
    """Draw a labelled heatmap of a numeric DataFrame with each cell annotated."""
    values = _check_matrix(matrix, arg)
    image = ax.imshow(
        np.ma.masked_invalid(values), cmap=SEQUENTIAL_CMAP, vmin=vmin, vmax=vmax, aspect="auto"
    )
    cmap, norm = image.get_cmap(), image.norm
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(
                j,
                i,
                format(v, fmt),
                ha="center",
                va="center",
                fontsize=8,
                color=_text_colour(cmap(norm(v))),
            )
    ax.set_xticks(np.arange(values.shape[1]), [str(c) for c in matrix.columns])
    ax.set_yticks(np.arange(values.shape[0]), [str(r) for r in matrix.index])
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label(colorbar_label)
    return ax


def rfm_heatmap(
    matrix: pd.DataFrame,
    *,
    value_label: str = "customers",
    fmt: str = ".0f",
    ax: Axes | None = None,
) -> Axes:
    """RFM heatmap: recency score (rows) against frequency score (columns).

    Parameters
    ----------
    matrix : DataFrame
        Index = recency scores (1–5), columns = frequency scores (1–5), values =
        what to show per cell (e.g. number of customers or mean monetary value in
        roubles), as aggregated by :mod:`rmlib.rfm`.
    value_label : str
        What the cells hold, with its unit, for the colour bar
        (e.g. ``"mean monetary value (roubles)"``).
    fmt : str
        Format of the cell annotations.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> m = pd.DataFrame([[5, 1], [2, 8]], index=[1, 2], columns=[1, 2])
    >>> ax = rfm_heatmap(m)
    >>> [t.get_text() for t in ax.texts]
    ['5', '1', '2', '8']
    """
    ax = _get_ax(ax, figsize=(6.0, 5.0))
    _heatmap(matrix, "matrix", ax=ax, fmt=fmt, colorbar_label=value_label)
    return _finish(
        ax,
        f"RFM grid: {value_label}",
        xlabel="frequency score (5 = buys most often)",
        ylabel="recency score (5 = bought most recently)",
        hide=(),
    )


def cohort_heatmap(
    retention: pd.DataFrame,
    *,
    unit: str = "months",
    ax: Axes | None = None,
    period: str | None = None,
) -> Axes:
    """Cohort retention heatmap: each row a cohort, each column periods since joining.

    Parameters
    ----------
    retention : DataFrame
        Index = cohorts (e.g. month of first purchase), columns = periods since
        the first purchase (0, 1, 2, ...), values = share of the cohort still
        buying, in [0, 1] (missing where the period lies beyond the data), as
        returned by :mod:`rmlib.retention`.
    unit : str
        Unit of the columns (``"weeks"``, ``"months"``), for the axis label.
    ax : matplotlib Axes, optional
    period : str, optional
        Former name of ``unit`` (deprecated: in rmlib ``period`` is a calendar
        code such as ``"M"``).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> r = pd.DataFrame({0: [1.0, 1.0], 1: [0.4, 0.5], 2: [0.3, float("nan")]},
    ...                  index=["2024-01", "2024-02"])
    >>> ax = cohort_heatmap(r)
    >>> [t.get_text() for t in ax.texts]
    ['100%', '40%', '30%', '100%', '50%']
    """
    unit = renamed("cohort_heatmap", "period", period, "unit", unit, "months", _PERIOD_IS_A_CODE)
    finite = _check_matrix(retention, "retention")
    finite = finite[np.isfinite(finite)]
    if finite.size and (finite.min() < 0 or finite.max() > 1 + 1e-9):
        raise ValueError(
            "`retention` must hold shares in [0, 1], found values from "
            f"{finite.min():g} to {finite.max():g}. Write 0.4 for 40%."
        )
    ax = _get_ax(ax, figsize=(8.0, 5.0))
    _heatmap(
        retention,
        "retention",
        ax=ax,
        fmt=".0%",
        vmin=0,
        vmax=1,
        colorbar_label="share of cohort still buying (%)",
    )
    ax.images[0].colorbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return _finish(
        ax,
        "Cohort retention",
        xlabel=f"{unit} since first purchase",
        ylabel="cohort (first purchase)",
        hide=(),
    )
