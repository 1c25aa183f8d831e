"""Input checks shared by every public entry point of :mod:`rmlib`.

Students will pass the library everything, so each public function validates
its arguments here, once, at the door. Every message says which argument or
column is wrong, what was expected, what was found and how to fix it.
Checks never modify what they are given.

One meaning per name
    An argument's name means the same thing in every function of :mod:`rmlib`;
    where a function used another spelling, the old one still works for now, with
    a :class:`DeprecationWarning` that names the new one (:func:`renamed`), and
    giving both is an error. The column arguments that hold money:

    * ``amount_col`` -- the money of each row of a transaction log, in roubles,
      that the function adds up per customer (default ``"amount"``, what the
      customer paid; pass ``"margin"`` to count margin instead). Used by
      :mod:`rmlib.pareto` (was ``value_col``) and :mod:`rmlib.rfm`.
    * ``margin_col`` -- the margin (gross profit) of each row of a transaction
      log, in roubles; it may be negative (default ``"margin"``). Used by
      :mod:`rmlib.relationship` and :func:`rmlib.loyalty.profitability_pyramid`
      (was ``profit_col``).
    * ``value_col`` -- a customer value already computed, in roubles: a CLV per
      segment or a cumulative discounted value (:func:`rmlib.plots.clv_by_segment`,
      :func:`rmlib.plots.cumulative_clv`, :func:`rmlib.clv.payback_period`).
    * ``monetary_col`` -- the M column of an RFM table (money per customer);
      ``unit_margin_col`` -- margin per unit (transaction or item) of a group.

    A column of labels is named after them: :func:`rmlib.plots.kotler_grid`
    reads ``customers_band_col`` and ``margin_band_col`` (were ``customers_col``
    and ``margin_col``; a band such as ``"low"`` is not money). The other renames:
    ``period`` is a calendar code (``"M"``), so a length of time is
    ``period_length`` and an axis label ``unit``; ``margin`` is money, so a share
    of spend is ``margin_rate``; the last day observed is ``observation_end``
    (was ``as_of``).
"""

from __future__ import annotations

import difflib
import inspect
import numbers
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rmlib._dates import align_to, datetime_fix, parse_date, parse_period, wall_clock

__all__ = [
    "align_to",
    "check_matching_ids",
    "parse_period",
    "wall_clock",
    "CHAPTER_CODE",
    "check_chapter_code",
    "check_columns",
    "check_confidence",
    "check_customer_frame",
    "check_customer_values",
    "check_datetime_column",
    "check_discount_rate",
    "check_frame",
    "check_in_range",
    "check_no_missing",
    "check_nonnegative",
    "check_numeric",
    "check_numeric_values",
    "check_one_of",
    "check_positive_int",
    "check_probability",
    "check_random_state",
    "check_timestamp",
    "check_unique_ids",
    "first_labels",
]


def _available(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    return ", ".join(repr(c) for c in cols) if cols else "(none)"


def first_labels(labels: Iterable[Any], mask: Any = None) -> list:
    """Up to three labels (those where ``mask`` is true, if given) as plain Python values.

    For messages that point at the first offending rows or customers.

    >>> first_labels(pd.Index([10, 11, 12, 13]), [False, True, True, True])
    [11, 12, 13]
    >>> first_labels(np.array([7, 8, 9, 10, 11]))
    [7, 8, 9]
    """
    if mask is not None:
        labels = labels[np.asarray(mask)]
    return [x.item() if hasattr(x, "item") else x for x in list(labels)[:3]]


def _is_number_dtype(values: Any) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _require_numbers(values: pd.Series, what: str, expr: str, note: str = "") -> None:
    if not _is_number_dtype(values):
        raise TypeError(
            f"{what} must hold numbers{note}, got dtype {values.dtype}. "
            f"Convert it with pd.to_numeric({expr})."
        )


def _finite_floats(values: pd.Series, what: str, expr: str, where: str) -> np.ndarray:
    """Float values of a numeric Series; raise if any is missing or infinite."""
    v = values.to_numpy(dtype="float64", na_value=np.nan)
    for bad, problem, fix in (
        (np.isnan(v), "missing", f". Drop or fill them first, e.g. {expr}.dropna()."),
        (np.isinf(v), "infinite", "; every value must be finite."),
    ):
        if bad.any():
            raise ValueError(
                f"{what} has {int(bad.sum())} {problem} value(s) (first {where} "
                f"{first_labels(values.index, bad)}){fix}"
            )
    return v


def _reject_rows(df: pd.DataFrame, arg: str, column: str, mask: Any, what: str, fix: str) -> None:
    """Raise if any row of ``mask`` is true, counting them and naming the first."""
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        raise ValueError(
            f"column {column!r} of `{arg}` has {int(mask.sum())} {what} "
            f"(first at index {first_labels(df.index, mask)}){fix}"
        )


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

    >>> check_frame(pd.DataFrame({"amount": [1]}), "data", ["amount_rub"])
    Traceback (most recent call last):
    ...
    ValueError: `data` has no column 'amount_rub'. Available columns: 'amount'. If 'amount' holds it, rename it: data.rename(columns={'amount': 'amount_rub'}).
    >>> check_frame(pd.Series([1.0], name="amount"), "data")
    Traceback (most recent call last):
    ...
    TypeError: `data` must be a pandas DataFrame, got a pandas Series (one column, 'amount'). Pass the whole table, or make one: data.reset_index() (the index becomes a column).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(_not_a_frame_message(df, arg))
    check_columns(df, arg, columns)
    if not allow_empty and len(df) == 0:
        raise ValueError(f"`{arg}` is empty (0 rows); pass a DataFrame with at least one row.")
    return df


def _not_a_frame_message(df: Any, arg: str) -> str:
    """Why ``df`` is not a pandas DataFrame, and the call that makes it one."""
    kind = type(df)
    module = kind.__module__.split(".")[0]
    start = f"`{arg}` must be a pandas DataFrame, got "
    if isinstance(df, pd.Series):
        name = "" if df.name is None else f", {df.name!r}"
        return (
            f"{start}a pandas Series (one column{name}). Pass the whole table, or make one: "
            f"{arg}.reset_index() (the index becomes a column)."
        )
    if module in ("polars", "pyarrow", "modin", "dask", "pyspark"):
        fix = f"{arg}.to_pandas()" if module != "dask" else f"{arg}.compute()"
        return f"{start}a {module} {kind.__name__}. Convert it first: {fix}."
    if isinstance(df, (dict, list, np.ndarray)):
        return f"{start}{kind.__name__}. Build one first: pd.DataFrame({arg})."
    return (
        f"{start}{kind.__module__}.{kind.__qualname__}. Build one with pd.DataFrame(...) or "
        f"load one with rmlib.datasets."
    )


def _calling_parameter(column: str, arg: str) -> tuple[str, str | None]:
    """The public rmlib function being called, and its argument that names ``column``.

    Walks out from this check to the outermost rmlib frame (the function the
    user called) and looks for a parameter of it whose value is ``column`` (a
    keyword argument such as ``customer_col`` that the user may pass). Returns
    the function's name and the parameter (None if it has none).
    """
    frame, outer = inspect.currentframe(), None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("rmlib.") and not module.startswith(
            ("rmlib._validate", "rmlib._dates")
        ):
            outer = frame
        elif outer is not None:
            break
        frame = frame.f_back
    if outer is None:
        return "", None
    code = outer.f_code
    names = code.co_varnames[code.co_posonlyargcount : code.co_argcount + code.co_kwonlyargcount]
    func = getattr(code, "co_qualname", code.co_name)
    for name in names:
        value = outer.f_locals.get(name)
        if isinstance(value, str) and value == column and name != arg:
            return func, name
    return func, None


def missing_column_message(df: pd.DataFrame, arg: str, column: str) -> str:
    """Message for a column missing from ``df``, with a fix that works for the function called.

    The fix renames the likeliest column (the closest name) to ``column``,
    and, when the function called has a keyword argument naming this column
    (e.g. ``customer_col``), shows that call too.
    """
    func, param = _calling_parameter(column, arg)
    names = [str(c) for c in df.columns]
    close = difflib.get_close_matches(str(column), names, n=1, cutoff=0.5)
    if not close:  # a name containing the other ('customer' in 'customer_id') is a good guess too
        close = [c for c in names if c and (c in str(column) or str(column) in c)][:1]
    head = f"`{arg}` has no column {column!r}. Available columns: {_available(df)}. "
    if close:
        other = close[0]
        rename = f"{arg}.rename(columns={{{other!r}: {column!r}}})"
        if param:
            return (
                head + f"If {other!r} holds it, name it: {func}(..., {param}={other!r}), "
                f"or rename it: {rename}."
            )
        return head + f"If {other!r} holds it, rename it: {rename}."
    rename = f"{arg}.rename(columns={{'<the column that holds it>': {column!r}}})"
    if param:
        return (
            head + f"Name the column that holds it: {func}(..., {param}='<its name>'), "
            f"or rename that column: {rename}."
        )
    return head + f"Add it, or rename the column that holds it: {rename}."


def check_columns(df: pd.DataFrame, arg: str, columns: Iterable[str]) -> None:
    """Raise a ValueError naming the first column of ``columns`` missing from ``df``."""
    for col in columns:
        if col not in df.columns:
            raise ValueError(missing_column_message(df, arg, col))


def check_no_missing(df: pd.DataFrame, arg: str, column: str) -> None:
    """Raise if ``df[column]`` has missing values, saying how many and where."""
    _reject_rows(
        df,
        arg,
        column,
        df[column].isna(),
        "missing value(s)",
        f". Drop or fill them first, e.g. {arg}.dropna(subset=[{column!r}]).",
    )


def check_nonnegative(df: pd.DataFrame, arg: str, column: str) -> None:
    """Raise if ``df[column]`` is not numeric, has NaN, or has negative values."""
    if not _is_number_dtype(df[column]):
        raise TypeError(
            f"column {column!r} of `{arg}` must be numeric, got dtype {df[column].dtype}. "
            f"Convert it with pd.to_numeric({arg}[{column!r}])."
        )
    check_no_missing(df, arg, column)
    values = df[column].to_numpy(dtype="float64", na_value=np.nan)
    _reject_rows(
        df,
        arg,
        column,
        values < 0,
        "negative value(s)",
        "; amounts must be >= 0. Remove returns/refunds or net them out per purchase first.",
    )
    _reject_rows(
        df, arg, column, np.isinf(values), "infinite value(s)", "; every value must be finite."
    )


def check_numeric(df: pd.DataFrame, arg: str, column: str) -> np.ndarray:
    """Float values of ``df[column]``: numbers, none missing or infinite; negatives allowed.

    For quantities that may be below zero (margin, profit, an outcome), where
    :func:`check_nonnegative` would be too strict.

    >>> check_numeric(pd.DataFrame({"margin": [120, -30]}), "transactions", "margin")
    array([120., -30.])
    >>> check_numeric(pd.DataFrame({"margin": ["120"]}), "transactions", "margin")
    Traceback (most recent call last):
    ...
    TypeError: column 'margin' of `transactions` must hold numbers, got dtype str. Convert it with pd.to_numeric(transactions['margin']).
    """
    _require_numbers(df[column], f"column {column!r} of `{arg}`", f"{arg}[{column!r}]")
    check_no_missing(df, arg, column)
    values = df[column].to_numpy(dtype="float64", na_value=np.nan)
    _reject_rows(
        df, arg, column, np.isinf(values), "infinite value(s)", "; every value must be finite."
    )
    return values


def check_numeric_values(values: pd.Series, expr: str, what: str | None = None) -> np.ndarray:
    """Float values of a Series: numbers, none missing or infinite; negatives allowed.

    ``expr`` is how the caller's code names the values (``"spend"``,
    ``"surveys['nps']"``), used in the fixes; ``what`` names them in the
    messages (default: ``expr`` in backticks).

    >>> check_numeric_values(pd.Series([4.0, None]), "answers")
    Traceback (most recent call last):
    ...
    ValueError: `answers` has 1 missing value(s) (first at index [1]). Drop or fill them first, e.g. answers.dropna().
    """
    what = f"`{expr}`" if what is None else what
    _require_numbers(values, what, expr)
    return _finite_floats(values, what, expr, "at index")


def check_customer_frame(
    df: Any,
    arg: str,
    customer_col: str,
    columns: Iterable[str | None] = (),
    *,
    date_col: str | None = None,
) -> pd.DataFrame:
    """Check a table keyed by customer: a non-empty DataFrame, no missing customer ids.

    ``df`` must hold ``customer_col`` (without missing values), ``date_col`` if
    given (real datetimes, none missing) and every column of ``columns``
    (``None`` entries are skipped, for optional columns). The columns are
    looked up in that order, so the first missing one is reported. Returns
    ``df`` itself, like :func:`check_frame`.

    >>> tx = pd.DataFrame({"customer_id": [1, None], "amount": [5.0, 7.0]})
    >>> check_customer_frame(tx, "transactions", "customer_id", ["amount"])
    Traceback (most recent call last):
    ...
    ValueError: column 'customer_id' of `transactions` has 1 missing value(s) (first at index [1]). Drop or fill them first, e.g. transactions.dropna(subset=['customer_id']).
    """
    dated = [] if date_col is None else [date_col]
    cols = [customer_col, *dated, *(c for c in columns if c is not None)]
    check_frame(df, arg, cols)
    check_no_missing(df, arg, customer_col)
    if date_col is not None:
        check_datetime_column(df, arg, date_col)
    return df


def check_unique_ids(
    df: pd.DataFrame, arg: str, column: str, fix: str = "give one row per customer."
) -> pd.Index:
    """The ids in ``df[column]`` as an Index named ``column``; raise if an id repeats.

    ``fix`` ends the message: what to do about the repeated ids.

    >>> check_unique_ids(pd.DataFrame({"customer_id": [4, 5, 4]}), "customers", "customer_id")
    Traceback (most recent call last):
    ...
    ValueError: column 'customer_id' of `customers` repeats customer ids (first: [4, 4]); give one row per customer.
    """
    ids = pd.Index(df[column].to_numpy(), name=column)
    if ids.has_duplicates:
        raise ValueError(
            f"column {column!r} of `{arg}` repeats customer ids (first: "
            f"{first_labels(ids, ids.duplicated(keep=False))}); {fix}"
        )
    return ids


def check_customer_values(values: pd.Series, arg: str, column_arg: str = "amount_col") -> pd.Series:
    """Check a Series of one number per customer (indexed by customer id).

    The ids must be present and unique; the values numbers, none missing or
    infinite (negatives are allowed: callers that need ``>= 0`` check it).
    ``column_arg`` names the argument that picks the value column when a
    transaction log is passed instead, for the fix in the message. Returns a
    new float64 Series with the same index and name.

    >>> check_customer_values(pd.Series([5, 7], index=[3, 3]), "profit", "margin_col")
    Traceback (most recent call last):
    ...
    ValueError: `profit` has repeated customer ids in its index (first: [3, 3]); give one value per customer, e.g. profit.groupby(level=0).sum(), or pass the transaction log with customer_col=... and margin_col=...
    """
    _require_numbers(values, f"`{arg}`", arg, " (one value per customer, e.g. roubles)")
    missing_id = values.index.isna()
    if missing_id.any():
        raise ValueError(
            f"the index of `{arg}` (the customer ids) has {int(missing_id.sum())} missing "
            f"id(s). Drop those rows first, e.g. {arg}[{arg}.index.notna()]."
        )
    if values.index.has_duplicates:
        dup = values.index.duplicated(keep=False)
        raise ValueError(
            f"`{arg}` has repeated customer ids in its index (first: "
            f"{first_labels(values.index, dup)}); give one value per customer, e.g. "
            f"{arg}.groupby(level=0).sum(), or pass the transaction log with "
            f"customer_col=... and {column_arg}=..."
        )
    v = _finite_floats(values, f"`{arg}`", arg, "for customer(s)")
    return pd.Series(v, index=values.index.copy(), name=values.name)


def check_datetime_column(df: pd.DataFrame, arg: str, column: str) -> None:
    """Raise if ``df[column]`` is not a datetime column or has missing dates."""
    if not pd.api.types.is_datetime64_any_dtype(df[column]):
        expr = f"{arg}[{column!r}]"
        raise TypeError(
            f"column {column!r} of `{arg}` must hold datetimes, got dtype {df[column].dtype}. "
            f"Convert it with {expr} = {datetime_fix(df[column], expr)}."
        )
    check_no_missing(df, arg, column)


def check_timestamp(value: Any, arg: str, dates: pd.Series | None = None) -> pd.Timestamp:
    """Return ``value`` as a Timestamp, or raise naming ``arg``.

    Strings are read by :func:`rmlib._dates.parse_date`: ISO year first,
    ``ДД.ММ.ГГГГ`` and ``dd/mm/yyyy`` day first, ambiguous forms and numbers
    refused. With ``dates`` (the date column it will be compared with) the
    result is a naive Timestamp on that column's wall clock
    (:func:`rmlib._dates.align_to`).

    >>> check_timestamp("2024-12-31", "observation_end")
    Timestamp('2024-12-31 00:00:00')
    >>> check_timestamp("31.12.2024", "observation_end")
    Timestamp('2024-12-31 00:00:00')
    """
    ts = parse_date(value, arg)
    return ts if dates is None else align_to(ts, dates)


def _id_kind(values: Any) -> str:
    """'number', 'text' or 'other': what kind of customer ids ``values`` holds."""
    values = pd.Series(np.asarray(values, dtype=object)).dropna()
    if values.empty:
        return "other"
    first = values.iloc[0]
    if isinstance(first, numbers.Number) and not isinstance(first, bool):
        return "number"
    if isinstance(first, str):
        return "text"
    return "other"


def check_matching_ids(
    ids: Any,
    arg: str,
    column: str,
    other_ids: Any,
    other_arg: str,
    other_column: str | None = None,
) -> None:
    """Raise if the ids of two tables are of different kinds (numbers in one, text in the other).

    Then no id can match, and a plain "customers not found" list (or zeros)
    would hide the cause. ``other_column`` defaults to ``column``; ``""``
    means the index of ``other_arg``.

    >>> check_matching_ids([1, 2], "assignment", "customer_id", ["1", "2"], "transactions")
    Traceback (most recent call last):
    ...
    TypeError: column 'customer_id' of `assignment` holds numbers (e.g. 1) but column 'customer_id' of `transactions` holds text (e.g. '1'), so no id can match. Make them the same type, e.g. assignment['customer_id'].astype(str) or transactions['customer_id'].astype(int).
    """
    other_column = column if other_column is None else other_column
    kinds = _id_kind(ids), _id_kind(other_ids)
    if set(kinds) != {"number", "text"}:
        return
    words = {"number": "numbers", "text": "text"}
    ex = pd.Series(np.asarray(ids, dtype=object)).dropna().iloc[0]
    ex_other = pd.Series(np.asarray(other_ids, dtype=object)).dropna().iloc[0]

    def where(a: str, c: str) -> tuple[str, str]:
        return (
            (f"column {c!r} of `{a}`", f"{a}[{c!r}]")
            if c
            else (f"the index of `{a}`", f"{a}.index")
        )

    (w, a), (w_other, b) = where(arg, column), where(other_arg, other_column)
    to_text, to_number = (a, b) if kinds[0] == "number" else (b, a)
    raise TypeError(
        f"{w} holds {words[kinds[0]]} (e.g. {ex!r}) but {w_other} holds {words[kinds[1]]} "
        f"(e.g. {ex_other!r}), so no id can match. Make them the same type, e.g. "
        f"{to_text}.astype(str) or {to_number}.astype(int)."
    )


def _check_real(value: Any, arg: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{arg}` must be a number, got {type(value).__name__} {value!r}.")
    if value != value:
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
    if np.isinf(x):
        raise ValueError(
            f"`{arg}` must be a finite number, got {x:g}." + (f" {hint}" if hint else "")
        )
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


def check_confidence(value: Any, arg: str = "confidence") -> float:
    """A confidence level strictly between 0 and 1.

    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    ValueError: `confidence` must be in (0, 1), got 95. Write it as a fraction, e.g. 0.95.
    """
    return check_in_range(
        value,
        arg,
        0,
        1,
        low_inclusive=False,
        high_inclusive=False,
        hint="Write it as a fraction, e.g. 0.95.",
    )


def check_discount_rate(value: Any, arg: str = "discount_rate") -> float:
    """A discount rate per period, above -1 and at most 1 (0.1 for 10%).

    A rate above 1 (more than 100% a period) is almost always a percentage
    written as a number (15 meant as 15%), so it is refused.

    >>> check_discount_rate(-1)
    Traceback (most recent call last):
    ...
    ValueError: `discount_rate` must be in (-1, 1], got -1. Write rates as fractions: 0.1 for 10%; a rate of -1 or less makes no sense.
    >>> check_discount_rate(15)
    Traceback (most recent call last):
    ...
    ValueError: `discount_rate` must be in (-1, 1], got 15. Write rates as fractions: 0.15 for 15%.
    """
    x = _check_real(value, arg)
    hint = "Write rates as fractions: 0.1 for 10%; a rate of -1 or less makes no sense."
    if x > 1:
        hint = f"Write rates as fractions: {x / 100:g} for {x:g}%."
    return check_in_range(value, arg, -1, 1, low_inclusive=False, hint=hint)


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


#: A chapter's code, as quiz banks and glossary files are named: ``ch`` and two digits.
CHAPTER_CODE = re.compile(r"^ch\d{2}$")


def check_chapter_code(chapter: Any, arg: str = "chapter") -> str:
    """Return ``chapter`` if it is a chapter code such as ``"ch03"``.

    >>> check_chapter_code("3")
    Traceback (most recent call last):
    ...
    ValueError: `chapter` must look like 'ch03' (ch + two digits), got '3'.
    """
    if not isinstance(chapter, str) or not CHAPTER_CODE.match(chapter):
        raise ValueError(f"`{arg}` must look like 'ch03' (ch + two digits), got {chapter!r}.")
    return chapter


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


def renamed(func: str, old: str, old_value: Any, new: str, new_value: Any, default: Any, why: str):
    """The value of an argument renamed from ``old`` to ``new`` (one meaning per name).

    ``old`` still works for now, with a :class:`DeprecationWarning` that says
    the new name and ``why``; giving both is an error naming both.

    >>> renamed("f", "period", None, "period_length", 4.0, 4.0, "a length")
    4.0
    """
    if old_value is None:
        return new_value
    if new_value is not default and new_value != default:
        raise TypeError(f"{func}() got both `{old}` and `{new}`; pass only `{new}=`.")
    warnings.warn(
        f"`{func}({old}=...)` is now `{func}({new}=...)`: {why}. "
        f"The old name still works but will be removed.",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value
