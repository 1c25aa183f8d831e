"""Input checks shared by every public entry point of :mod:`rmlib`.

Students will pass the library everything, so each public function validates
its arguments here, once, at the door. Every message says which argument or
column is wrong, what was expected, what was found and how to fix it.
Checks never modify what they are given.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "check_columns",
    "check_datetime_column",
    "check_frame",
    "check_in_range",
    "check_no_missing",
    "check_nonnegative",
    "check_one_of",
    "check_positive_int",
    "check_probability",
    "check_random_state",
    "check_timestamp",
]


def _available(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    return ", ".join(repr(c) for c in cols) if cols else "(none)"


def check_frame(
    df: Any,
    arg: str,
    columns: Sequence[str] = (),
    *,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Check that ``df`` is a non-empty DataFrame holding ``columns``.

    Returns ``df`` itself (not a copy), so callers can write
    ``df = check_frame(df, "transactions", ["customer_id"])``.

    >>> check_frame(pd.DataFrame({"a": [1]}), "data", ["b"])
    Traceback (most recent call last):
    ...
    ValueError: `data` has no column 'b'. Available columns: 'a'. Pass the right column name (e.g. b_col='...') or rename the column.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"`{arg}` must be a pandas DataFrame, got {type(df).__name__}. "
            f"Build one with pd.DataFrame(...) or load it with rmlib.datasets."
        )
    check_columns(df, arg, columns)
    if not allow_empty and len(df) == 0:
        raise ValueError(f"`{arg}` is empty (0 rows); pass a DataFrame with at least one row.")
    return df


def check_columns(df: pd.DataFrame, arg: str, columns: Iterable[str]) -> None:
    """Raise a ValueError naming every column of ``columns`` missing from ``df``."""
    for col in columns:
        if col not in df.columns:
            raise ValueError(
                f"`{arg}` has no column {col!r}. Available columns: {_available(df)}. "
                f"Pass the right column name (e.g. {col}_col='...') or rename the column."
            )


def check_no_missing(df: pd.DataFrame, arg: str, column: str) -> None:
    """Raise if ``df[column]`` has missing values, saying how many and where."""
    missing = df[column].isna()
    if missing.any():
        first = list(df.index[missing][:3])
        raise ValueError(
            f"column {column!r} of `{arg}` has {int(missing.sum())} missing value(s) "
            f"(first at index {first}). Drop or fill them first, e.g. "
            f"{arg}.dropna(subset=[{column!r}])."
        )


def check_nonnegative(df: pd.DataFrame, arg: str, column: str) -> None:
    """Raise if ``df[column]`` is not numeric, has NaN, or has negative values."""
    if not pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_bool_dtype(df[column]):
        raise TypeError(
            f"column {column!r} of `{arg}` must be numeric, got dtype {df[column].dtype}. "
            f"Convert it with pd.to_numeric({arg}[{column!r}])."
        )
    check_no_missing(df, arg, column)
    negative = df[column] < 0
    if negative.any():
        first = list(df.index[negative][:3])
        raise ValueError(
            f"column {column!r} of `{arg}` has {int(negative.sum())} negative value(s) "
            f"(first at index {first}); amounts must be >= 0. Remove returns/refunds "
            f"or net them out per purchase first."
        )


def check_datetime_column(df: pd.DataFrame, arg: str, column: str) -> None:
    """Raise if ``df[column]`` is not a datetime column or has missing dates."""
    if not pd.api.types.is_datetime64_any_dtype(df[column]):
        raise TypeError(
            f"column {column!r} of `{arg}` must hold datetimes, got dtype {df[column].dtype}. "
            f"Convert it with {arg}[{column!r}] = pd.to_datetime({arg}[{column!r}])."
        )
    check_no_missing(df, arg, column)


def check_timestamp(value: Any, arg: str) -> pd.Timestamp:
    """Return ``value`` as a Timestamp, or raise naming ``arg``.

    >>> check_timestamp("2024-12-31", "observation_end")
    Timestamp('2024-12-31 00:00:00')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        raise ValueError(f"`{arg}` is missing; pass a date such as '2024-12-31'.")
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"`{arg}` must be a date such as '2024-12-31', got {value!r} ({exc})."
        ) from None
    if ts is pd.NaT:
        raise ValueError(f"`{arg}` must be a date such as '2024-12-31', got {value!r}.")
    return ts


def _check_real(value: Any, arg: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{arg}` must be a number, got {type(value).__name__} {value!r}.")
    if np.isnan(value):
        raise ValueError(f"`{arg}` must be a number, got NaN.")
    return float(value)


def check_in_range(
    value: Any,
    arg: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    hint: str = "",
) -> float:
    """Return ``value`` as float if it lies in the interval, else raise naming ``arg``.

    >>> check_in_range(1.5, "retention", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: `retention` must be in [0, 1], got 1.5.
    """
    x = _check_real(value, arg)
    ok_low = low is None or (x >= low if low_inclusive else x > low)
    ok_high = high is None or (x <= high if high_inclusive else x < high)
    if not (ok_low and ok_high):
        left = "(-inf" if low is None else ("[" if low_inclusive else "(") + f"{low:g}"
        right = "inf)" if high is None else f"{high:g}" + ("]" if high_inclusive else ")")
        msg = f"`{arg}` must be in {left}, {right}, got {x:g}."
        raise ValueError(msg + (f" {hint}" if hint else ""))
    return x


def check_probability(value: Any, arg: str) -> float:
    """A rate or share in [0, 1]; hints at percentages passed by mistake.

    >>> check_probability(80, "retention_rate")
    Traceback (most recent call last):
    ...
    ValueError: `retention_rate` must be in [0, 1], got 80. Write rates as fractions: 0.8, not 80.
    """
    return check_in_range(value, arg, 0, 1, hint="Write rates as fractions: 0.8, not 80.")


def check_positive_int(value: Any, arg: str, minimum: int = 1) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``.

    >>> check_positive_int(0, "n_customers")
    Traceback (most recent call last):
    ...
    ValueError: `n_customers` must be an integer >= 1, got 0.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{arg}` must be an integer, got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ValueError(f"`{arg}` must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_one_of(value: Any, arg: str, options: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``options``.

    >>> check_one_of("M", "freq", ["D", "W"])
    Traceback (most recent call last):
    ...
    ValueError: `freq` must be one of 'D', 'W'; got 'M'.
    """
    if value not in options:
        shown = ", ".join(repr(o) for o in options)
        raise ValueError(f"`{arg}` must be one of {shown}; got {value!r}.")
    return value


def check_random_state(random_state: Any) -> np.random.Generator:
    """Turn ``random_state`` (int or Generator) into a Generator.

    Randomness in rmlib flows only through this argument: no global RNG.

    >>> bool(check_random_state(42).integers(10) == check_random_state(42).integers(10))
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"`random_state` must be >= 0, got {random_state}.")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "`random_state` must be an int seed or a numpy.random.Generator, "
        f"got {type(random_state).__name__} {random_state!r}."
    )
