"""What every figure shares: the palette, axes and labels, checks of what is drawn.

The colour-blind-safe palette (:data:`OKABE_ITO`, :data:`CATEGORICAL`,
:data:`SEQUENTIAL_CMAP`) and the emphasis colours taken from it; the axes a
figure draws on (:func:`_get_ax`) and its finishing touches (:func:`_finish`);
rouble tick labels; and the checks that turn an analytics result, a mapping or
a column into the numbers a figure draws, with an error naming the argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import Polygon

from rmlib._validate import check_in_range

#: The Okabe–Ito palette: eight colours that stay distinct for the common
#: forms of colour-vision deficiency. ``grey`` is a neutral added for
#: "no emphasis" elements (passives, inactive levels).
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

#: Order in which categories (groups, segments, classes) take colours.
CATEGORICAL: tuple[str, ...] = tuple(
    OKABE_ITO[k]
    for k in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "sky_blue",
        "reddish_purple",
        "yellow",
        "black",
    )
)

#: Colour map for heatmaps and shaded levels (perceptually uniform, colour-blind safe).
SEQUENTIAL_CMAP = "cividis"

# Emphasis colours used across figures.
_MAIN = OKABE_ITO["blue"]
_ACCENT = OKABE_ITO["orange"]
_ALERT = OKABE_ITO["vermillion"]
_GOOD = OKABE_ITO["bluish_green"]
_NEUTRAL = OKABE_ITO["grey"]


def _get_ax(ax: Any, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    """Return ``ax``, or a fresh axes when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(
            f"`ax` must be a matplotlib Axes or None, got {type(ax).__name__}. "
            f"Create one with `fig, ax = plt.subplots()` or leave `ax` out."
        )
    return ax


def _roubles(x: float, _pos: Any = None) -> str:
    """Tick label for an amount in roubles: thousands separated by thin spaces."""
    return f"{x:,.0f}".replace(",", "\u2009")


def _amounts(*values: float) -> list[str]:
    """Numbers for a title, in one format: whole (thin-space thousands) once any is >= 100."""
    if max(abs(v) for v in values) >= 100:
        return [_roubles(v) for v in values]
    return [f"{v:.2f}" for v in values]


def _as_share_mapping(values: Any, arg: str) -> pd.Series:
    """Turn a dict/Series of non-negative numbers into a float Series, checking it."""
    if isinstance(values, Mapping):
        s = pd.Series(dict(values), dtype=float)
    elif isinstance(values, pd.Series):
        s = values.astype(float)
    else:
        raise TypeError(f"`{arg}` must be a dict or pandas Series, got {type(values).__name__}.")
    if s.isna().any():
        raise ValueError(f"`{arg}` has missing values at {list(s.index[s.isna()])}.")
    if (s < 0).any():
        raise ValueError(f"`{arg}` has negative values at {list(s.index[s < 0])}; need >= 0.")
    return s


def _text_colour(face: Any) -> str:
    """Black or white, whichever reads better on ``face``."""
    r, g, b = (int(to_hex(face)[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _finish(
    ax: Axes,
    title: str,
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    hide: Sequence[str] = ("top", "right"),
) -> Axes:
    """Label the axes, set the title, hide the frame lines in ``hide``; return ``ax``."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    if hide:
        ax.spines[list(hide)].set_visible(False)
    return ax


def _cell(ax: Axes, col: float, row: float, face: Any, label: str) -> None:
    """A unit square with its lower-left corner at (``col``, ``row``), white-edged."""
    ax.add_patch(
        Polygon(
            [(col, row), (col + 1, row), (col + 1, row + 1), (col, row + 1)],
            facecolor=face,
            edgecolor="white",
            linewidth=2,
            label=label,
        )
    )


def _fields(
    result: Any, arg: str, required: Sequence[str], optional: Sequence[str], made_by: str
) -> dict[str, float | None]:
    """Named numbers of an analytics result (dataclass, dict or Series), as floats.

    ``required`` fields must be there; ``optional`` ones are None when absent.
    """
    if isinstance(result, Mapping | pd.Series):
        have = list(result.keys())

        def get(key: str) -> Any:
            return result[key] if key in have else None

    elif hasattr(result, required[0]):
        have = [k for k in (*required, *optional) if hasattr(result, k)]

        def get(key: str) -> Any:
            return getattr(result, key, None)

    else:
        raise TypeError(
            f"`{arg}` must be the result of {made_by} (or a dict/Series with "
            f"{', '.join(map(repr, required))}), got {type(result).__name__}."
        )
    missing = [k for k in required if get(k) is None]
    if missing:
        shown = ", ".join(map(repr, have)) or "(none)"
        raise ValueError(
            f"`{arg}` has no {missing[0]!r}. It has: {shown}. Pass the result of {made_by}."
        )
    out: dict[str, float | None] = {}
    for key in (*required, *optional):
        value = get(key)
        out[key] = None if value is None else check_in_range(value, f"{arg}[{key!r}]")
    return out


def _numeric_column(df: pd.DataFrame, arg: str, col: str) -> np.ndarray:
    """``df[col]`` as floats, rejecting non-numeric or missing values."""
    if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
        raise TypeError(f"column {col!r} of `{arg}` must be numeric, got dtype {df[col].dtype}.")
    if df[col].isna().any():
        raise ValueError(f"column {col!r} of `{arg}` has missing values; drop or fill them.")
    return df[col].to_numpy(dtype=float)


def _shares(df: pd.DataFrame, arg: str, col: str) -> np.ndarray:
    """A column of shares in [0, 1]; hints at percentages passed by mistake."""
    v = _numeric_column(df, arg, col)
    if (v < 0).any() or (v > 1 + 1e-9).any():
        raise ValueError(
            f"column {col!r} of `{arg}` must hold shares in [0, 1], found values from "
            f"{v.min():g} to {v.max():g}. Write shares as fractions: 0.8, not 80."
        )
    return v


# Why the axis-label argument is called ``unit`` (its old name was ``period``).
_PERIOD_IS_A_CODE = "in rmlib `period` is a calendar code such as 'M'; a label is a `unit`"
