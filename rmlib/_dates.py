"""The one date parser of :mod:`rmlib`: every date argument goes through :func:`parse_date`.

The course is read in Russian, where dates are written day first
(``ДД.ММ.ГГГГ``: ``05.03.2025`` is the 5th of March), while pandas reads
``"05.03.2025"`` month first (3 May) without a word. So strings are read by
their shape, never guessed:

* ISO ``2025-03-05`` (optionally with a time and a UTC offset), and the
  year-first ``2025/03/05``, ``2025.03.05``: year, month, day;
* ``05.03.2025`` and ``05/03/2025`` (optionally with ``HH:MM[:SS]``): day
  first, as in Russia and most of Europe;
* anything else that could be read two ways is refused with a message:
  ``05-03-2025`` (day or month first?), two-digit years (``05.03.25``);
* numbers are refused: pandas reads ``20241231`` as nanoseconds since 1970.

Dates and datetimes (``datetime.date``, ``numpy.datetime64``,
``pd.Timestamp``) are taken as they are.

Time zones: a date is compared with a date column on the column's wall
clock. :func:`align_to` converts a zone-aware date to the zone of zone-aware
data, reads a naive date as wall time in the data's zone, and drops the zone
of a zone-aware date compared with naive data (its own wall time);
:func:`wall_clock` gives a date column as naive wall-clock times.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["align_to", "datetime_fix", "parse_date", "parse_period", "wall_clock"]

_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
#: Year first, any of - / . as separator (ISO and its variants): never ambiguous.
_YEAR_FIRST = re.compile(
    r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME + r"(?:\s*(Z|[+-]\d{2}:?\d{2}))?$"
)
#: Day first with a dot or a slash and a four-digit year: ДД.ММ.ГГГГ, dd/mm/yyyy.
_DAY_FIRST = re.compile(r"^(\d{1,2})([./])(\d{1,2})\2(\d{4})" + _TIME + r"$")
#: Shapes that could be read two ways: refused.
_AMBIGUOUS = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{2}|\d{4})(?:[ T].*)?$")
_EXAMPLE = "'2025-03-05' (ISO) or '05.03.2025' (day first)"


def _bad(arg: str, value: Any, why: str) -> ValueError:
    return ValueError(f"`{arg}` must be a date such as {_EXAMPLE}, got {value!r}: {why}.")


def _build(arg: str, value: str, y, mo, d, hh=None, mi=None, ss=None, order="") -> pd.Timestamp:
    try:
        return pd.Timestamp(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    except ValueError:
        raise _bad(
            arg, value, f"there is no day {int(d)} in month {int(mo)} of {int(y)}{order}"
        ) from None


def _parse_string(value: str, arg: str) -> pd.Timestamp:
    s = value.strip()
    m = _YEAR_FIRST.match(s)
    if m:
        y, _, mo, d, hh, mi, ss, zone = m.groups()
        if zone is None and "." not in s[:10] and "/" not in s[:10]:
            ts = pd.Timestamp(s)  # plain ISO: pandas reads it exactly (fractions of seconds too)
            if ts is not pd.NaT:
                return ts
        if zone is None:
            return _build(arg, value, y, mo, d, hh, mi, ss, " (read as year-month-day)")
        try:
            return pd.Timestamp(s)
        except ValueError as exc:
            raise _bad(arg, value, str(exc)) from None
    m = _DAY_FIRST.match(s)
    if m:
        d, _, mo, y, hh, mi, ss = m.groups()
        return _build(
            arg,
            value,
            y,
            mo,
            d,
            hh,
            mi,
            ss,
            " (read day first, ДД.ММ.ГГГГ; for month first write the ISO form YYYY-MM-DD)",
        )
    if _AMBIGUOUS.match(s):
        raise _bad(
            arg,
            value,
            "it can be read day first or month first (or has a two-digit year), so it is not "
            "guessed; write it with a four-digit year as " + _EXAMPLE,
        )
    if re.search(r"[A-Za-z]{3}", s) and not re.search(r"[А-Яа-я]", s):
        try:  # month names ('5 March 2025', 'Mar 5, 2025') are unambiguous
            ts = pd.Timestamp(s)
        except ValueError:
            ts = pd.NaT
        if ts is not pd.NaT:
            return ts
    raise _bad(arg, value, "this form of date is not recognised")


def parse_date(value: Any, arg: str) -> pd.Timestamp:
    """Return ``value`` as a Timestamp (zone-aware if it carries one), or raise naming ``arg``.

    >>> parse_date("05.03.2025", "as_of")
    Timestamp('2025-03-05 00:00:00')
    >>> parse_date("2025-03-05", "as_of") == parse_date("05/03/2025", "as_of")
    True
    >>> parse_date("05-03-2025", "as_of")
    Traceback (most recent call last):
    ...
    ValueError: `as_of` must be a date such as '2025-03-05' (ISO) or '05.03.2025' (day first), got '05-03-2025': it can be read day first or month first (or has a two-digit year), so it is not guessed; write it with a four-digit year as '2025-03-05' (ISO) or '05.03.2025' (day first).
    >>> parse_date(20241231, "observation_end")
    Traceback (most recent call last):
    ...
    TypeError: `observation_end` must be a date, got the number 20241231; numbers are not read as dates (pandas would take it as nanoseconds since 1970). Write it as a string: '2024-12-31'.
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        raise ValueError(f"`{arg}` is missing; pass a date such as {_EXAMPLE}.")
    if isinstance(value, bool):
        raise TypeError(f"`{arg}` must be a date such as {_EXAMPLE}, got {value!r}.")
    if isinstance(value, numbers.Number) or (
        isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"
    ):
        digits = str(value)
        example = ", e.g. '2024-12-31'"
        if re.fullmatch(r"\d{8}", digits):
            example = f": '{digits[:4]}-{digits[4:6]}-{digits[6:]}'"
        raise TypeError(
            f"`{arg}` must be a date, got the number {value!r}; numbers are not read as dates "
            f"(pandas would take it as nanoseconds since 1970). Write it as a string{example}."
        )
    if isinstance(value, str):
        return _parse_string(value, arg)
    if isinstance(value, (pd.Timestamp, _dt.date, np.datetime64)):
        ts = pd.Timestamp(value)
        if ts is pd.NaT:
            raise ValueError(f"`{arg}` is missing (NaT); pass a date such as {_EXAMPLE}.")
        return ts
    raise TypeError(
        f"`{arg}` must be a date (a string such as {_EXAMPLE}, a datetime.date or a "
        f"pd.Timestamp), got {type(value).__name__} {value!r}."
    )


def parse_period(value: Any, arg: str, freq: str) -> pd.Period:
    """A period of ``freq``: a year ``'2023'``, a month ``'2023-05'``, a quarter ``'2023Q2'``,
    or any date :func:`parse_date` reads (the period that contains it).

    >>> parse_period("2023", "start", "Y")
    Period('2023', 'Y-DEC')
    >>> parse_period("15.05.2023", "start", "M")
    Period('2023-05', 'M')
    """
    if isinstance(value, pd.Period):
        return value.asfreq(freq) if value.freqstr != freq else value
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}(?:-\d{1,2}|[Qq][1-4])?\s*", value):
        return pd.Period(value.strip().upper(), freq)
    if (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool)
        and 1900 <= value <= 2200
    ):
        return pd.Period(str(int(value)), freq)
    try:
        ts = parse_date(value, arg)
    except (TypeError, ValueError) as exc:
        msg = str(exc).replace(
            "must be a date such as", "must be a period such as '2023', '2023-05' or a date such as"
        )
        raise type(exc)(msg) from None
    if ts.tz is not None:
        ts = ts.tz_localize(None)
    return pd.Period(ts, freq)


def wall_clock(dates: pd.Series) -> pd.Series:
    """A datetime Series as naive wall-clock times (a zone-aware one keeps its local times)."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        return dates.dt.tz_localize(None)
    return dates


def align_to(ts: pd.Timestamp, dates: pd.Series) -> pd.Timestamp:
    """``ts`` as a naive Timestamp on the wall clock of the date column ``dates``.

    >>> aware = pd.Series(pd.to_datetime(["2024-12-31 23:00"]).tz_localize("Europe/Moscow"))
    >>> align_to(pd.Timestamp("2024-12-31 20:00", tz="UTC"), aware)
    Timestamp('2024-12-31 23:00:00')
    >>> align_to(pd.Timestamp("2024-12-31 23:00"), aware)
    Timestamp('2024-12-31 23:00:00')
    """
    zone = getattr(dates.dtype, "tz", None)
    if ts.tz is not None and zone is not None:
        ts = ts.tz_convert(zone)
    return ts.tz_localize(None) if ts.tz is not None else ts


def datetime_fix(values: pd.Series, expr: str) -> str:
    """The call that turns a column of date strings into datetimes, for error messages.

    Picks the format of the first string (day first for ``05.03.2025``).

    >>> datetime_fix(pd.Series(["05.03.2025", "06.03.2025"]), "tx['date']")
    "pd.to_datetime(tx['date'], format='%d.%m.%Y')"
    >>> datetime_fix(pd.Series(["2025-03-05 10:00"]), "tx['date']")
    "pd.to_datetime(tx['date'])"
    """
    first = next((x for x in values if isinstance(x, str)), None)
    if first is None:
        return f"pd.to_datetime({expr})"
    s = first.strip()
    m = _DAY_FIRST.match(s)
    if m:
        sep = m.group(2)
        fmt = f"%d{sep}%m{sep}%Y"
        if m.group(5) is not None:
            fmt += " %H:%M" + (":%S" if m.group(7) is not None else "")
        return f"pd.to_datetime({expr}, format={fmt!r})"
    if _YEAR_FIRST.match(s) and s[4] == "-":
        return f"pd.to_datetime({expr})"
    return f"pd.to_datetime({expr}, format='...') with the format of its dates, e.g. '%d.%m.%Y'"
