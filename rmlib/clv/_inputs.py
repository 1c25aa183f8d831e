"""Input checks shared by the CLV models: per-customer arrays, summaries, penalties.

Every model method and :func:`rmlib.clv.discounted_clv` turn their
``frequency``, ``recency``, ``T`` and ``monetary_value`` arguments into
validated 1-D float arrays here (clear errors naming the argument and a fix),
and wrap results back into a Series, an array or a float shaped like the input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rmlib._validate import check_in_range, first_labels


def _values(values: Any, arg: str) -> tuple[np.ndarray, pd.Index | None]:
    """A numeric, finite, non-negative float array from a Series, array, list or scalar.

    Returns the array (0-d for a scalar) and the Series' index (or None).
    """
    index = values.index if isinstance(values, pd.Series) else None
    if isinstance(values, pd.DataFrame):
        raise TypeError(
            f"`{arg}` must be one column (a Series, array or number), got a DataFrame; "
            f"pass e.g. summary[{arg!r}]."
        )
    if isinstance(values, pd.Series):
        dtype = values.dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            raise TypeError(
                f"`{arg}` must be numeric, got dtype {dtype}. Convert it with pd.to_numeric(...)."
            )
        arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":
            raise TypeError(
                f"`{arg}` must be numeric, got {type(values).__name__} of dtype {raw.dtype}. "
                f"Pass numbers, e.g. a column of rmlib.rfm.clv_summary(...)."
            )
        arr = raw.astype(np.float64)
    if arr.ndim > 1:
        raise ValueError(f"`{arg}` must be one-dimensional, got shape {arr.shape}.")
    if arr.ndim == 1 and arr.size == 0:
        raise ValueError(f"`{arg}` is empty; pass at least one customer.")
    bad = ~np.isfinite(arr)
    if bad.any():
        where = _first_positions(bad, index)
        raise ValueError(
            f"`{arg}` has {int(bad.sum())} missing or infinite value(s) (first at {where}). "
            f"Drop or fill those customers first, e.g. summary.dropna()."
        )
    neg = arr < 0
    if neg.any():
        where = _first_positions(neg, index)
        raise ValueError(
            f"`{arg}` has {int(neg.sum())} negative value(s) (first at {where}); counts, "
            f"times and amounts must be >= 0. Check how the summary was built "
            f"(rmlib.rfm.clv_summary gives valid values)."
        )
    return arr, index


def _first_positions(mask: np.ndarray, index: pd.Index | None) -> str:
    """Where the first offending customers are: Series labels, else array positions."""
    mask = np.atleast_1d(mask)
    if index is None:
        return f"position {first_labels(np.arange(mask.size), mask)}"
    return f"index {first_labels(index, mask)}"


def _common(named: dict[str, Any]) -> tuple[dict[str, np.ndarray], pd.Index | None, bool]:
    """Validate several per-customer inputs and broadcast them to one shape.

    Returns the arrays (1-D), the shared Series index (or None) and whether all
    inputs were scalars (then results are returned as floats).
    """
    arrays, index, index_from = {}, None, None
    for arg, values in named.items():
        arr, idx = _values(values, arg)
        arrays[arg] = arr
        if idx is not None:
            if index is None:
                index, index_from = idx, arg
            elif not idx.equals(index):
                raise ValueError(
                    f"`{arg}` and `{index_from}` are Series with different indexes; pass "
                    f"columns of one DataFrame (e.g. summary[{arg!r}] and "
                    f"summary[{index_from!r}]) or align them first."
                )
    scalar = all(a.ndim == 0 for a in arrays.values())
    sizes = {arg: a.size for arg, a in arrays.items() if a.ndim == 1}
    if len(set(sizes.values())) > 1:
        shown = ", ".join(f"{arg}={n}" for arg, n in sizes.items())
        raise ValueError(
            f"per-customer inputs must have the same length, got {shown}. "
            f"Pass columns of one summary table."
        )
    n = next(iter(sizes.values())) if sizes else 1
    out = {arg: np.broadcast_to(np.atleast_1d(a), (n,)) for arg, a in arrays.items()}
    return out, index, scalar


def _check_frequency(x: np.ndarray, index: pd.Index | None) -> None:
    frac = x != np.round(x)
    if frac.any():
        where = _first_positions(frac, index)
        raise ValueError(
            f"`frequency` must hold whole numbers of repeat purchases, found "
            f"{int(frac.sum())} non-integer value(s) (first at {where}). Pass the "
            f"`frequency` column of rmlib.rfm.clv_summary, not a rate or an average."
        )


def _rfm_inputs(frequency, recency, T, **more) -> tuple:
    """Validated ``frequency, recency, T`` (and ``more`` per-customer inputs) as 1-D arrays.

    Returns the arrays in that order, then the shared Series index (or None)
    and whether every input was a scalar.
    """
    arrs, index, scalar = _common({"frequency": frequency, "recency": recency, "T": T, **more})
    _check_rfm(arrs["frequency"], arrs["recency"], arrs["T"], index)
    return (*arrs.values(), index, scalar)


def _spend_inputs(frequency, monetary_value) -> tuple:
    """Validated ``frequency, monetary_value`` as 1-D arrays, the index and the scalar flag."""
    arrs, index, scalar = _common({"frequency": frequency, "monetary_value": monetary_value})
    _check_frequency(arrs["frequency"], index)
    return arrs["frequency"], arrs["monetary_value"], index, scalar


def _check_rfm(x, t_x, T, index) -> None:
    """Consistency of frequency, recency and T (each already finite and >= 0)."""
    _check_frequency(x, index)
    late = t_x > T * (1 + 1e-12)
    if late.any():
        where = _first_positions(late, index)
        raise ValueError(
            f"`recency` is larger than `T` for {int(late.sum())} customer(s) (first at "
            f"{where}). Recency (first to last purchase) cannot exceed T (first purchase "
            f"to the end of observation): make sure both use the same time unit and the "
            f"same observation end, e.g. build them with rmlib.rfm.clv_summary."
        )
    odd = (x == 0) & (t_x > 0)
    if odd.any():
        where = _first_positions(odd, index)
        raise ValueError(
            f"`recency` must be 0 for customers with `frequency` 0 (no repeat purchase), "
            f"found {int(odd.sum())} with recency > 0 (first at {where}). Recency is the "
            f"time from the first to the last purchase; build the summary with "
            f"rmlib.rfm.clv_summary."
        )


def _check_t(t: Any) -> np.ndarray:
    """Forecast horizon(s) ``t``: a non-negative number or array of them."""
    return _values(t, "t")[0]


def _wrap(values: np.ndarray, index: pd.Index | None, scalar: bool, name: str):
    if scalar:
        return float(values[0])
    if index is not None:
        return pd.Series(values, index=index, name=name)
    return values


def _check_penalizer(penalizer: Any) -> float:
    return check_in_range(
        penalizer, "penalizer", 0, hint="Use 0 for plain maximum likelihood, e.g. 0.001 to shrink."
    )
