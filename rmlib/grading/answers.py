"""Answers as plain data: how a graded value leaves the student's kernel.

The grader never trusts an object from the student's kernel. A graded answer
is turned into JSON there (:func:`encode`) and rebuilt on the grader's side
(:func:`decode`) only from plain types: ``None``, ``bool``, ``int``,
``float``, ``str``, lists, tuples, sets, dicts, numpy arrays and scalars,
pandas ``Series``, ``DataFrame``, ``Index`` and timestamps. Functions are
not moved at all: they are named, and the grader calls them back in the
kernel (:func:`call`) with plain arguments. Anything else arrives as an
:class:`Unexportable` marker that equals nothing, so a test on it fails with a
message saying what to hand in instead. No pickle, no ``eval``.

The kernel side is the two functions :func:`publish` and :func:`call`; they
send their result as one ``display_data`` message of the MIME type
:data:`MIME`, which the grader reads from the kernel's output channel.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MIME", "Unexportable", "call", "decode", "encode", "publish"]

MIME = "application/vnd.rmlib.answer+json"
MAX_BYTES = 64 * 1024 * 1024
_NUMPY_KINDS = set("biufcMmOU")


class Unexportable:
    """Stands in for an answer the grader cannot take as data (it equals nothing)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return (
            f"<an object of type {self.type_name}: the grader takes numbers, text, lists, "
            "dicts, numpy arrays and pandas tables; convert your answer to one of them>"
        )

    def __eq__(self, other):
        return False

    __hash__ = object.__hash__


# ------------------------------------------------------------------------------- encode
def _scalar(x):
    if isinstance(x, float) and not math.isfinite(x):
        return {"__t": "float", "v": repr(x)}
    return x


def _array(values: np.ndarray) -> list:
    if values.dtype.kind in "Mm":
        return [None if pd.isna(v) else str(v) for v in values.astype(str)]
    if values.dtype.kind == "O":
        return [encode(v) for v in values.tolist()]
    return [_scalar(v) for v in values.tolist()]


def _index(index: pd.Index) -> dict:
    if isinstance(index, pd.MultiIndex):
        return {
            "__t": "multiindex",
            "names": [encode(n) for n in index.names],
            "levels": [_index(index.get_level_values(i)) for i in range(index.nlevels)],
        }
    return {"__t": "index", "name": encode(index.name), **_column(pd.Series(index))}


#: pandas extension dtypes an answer keeps (values travel as plain objects).
EXTENSION_DTYPES = {"category", "str", "string", "boolean", "Float32", "Float64"} | {
    f"{u}Int{b}" for u in ("", "U") for b in (8, 16, 32, 64)
}


def _dtype(dtype) -> str:
    if isinstance(dtype, np.dtype):
        return dtype.str
    name = (
        "str" if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA else str(dtype)
    )
    return name if name in EXTENSION_DTYPES else "object"


def _column(series: pd.Series) -> dict:
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return {"dtype": "tz", "tz": str(dtype.tz), "v": _array(utc.to_numpy())}
    if isinstance(dtype, np.dtype):
        values = series.to_numpy()
    else:  # extension dtypes: plain objects, missing values as None
        values = np.asarray(series.astype(object).where(series.notna(), None), dtype=object)
    return {"dtype": _dtype(dtype), "v": _array(values)}


def encode(obj: Any) -> Any:
    """``obj`` as JSON-ready plain data (see the module docstring for what is kept).

    >>> encode((1, 2.5, "a"))
    {'__t': 'tuple', 'v': [1, 2.5, 'a']}
    """
    if obj is None or type(obj) in (bool, int, str):
        return obj
    if type(obj) is float:
        return _scalar(obj)
    if isinstance(obj, np.generic):
        kind = obj.dtype.kind
        if kind in "biuf":
            return {"__t": "np", "dtype": obj.dtype.str, "v": _scalar(obj.item())}
    if isinstance(obj, (bool, int, float, str)):  # subclasses: keep the plain value only
        base = next(t for t in (bool, int, float, str) if isinstance(obj, t))
        return encode(base(obj))
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [encode(v) for v in obj]
        if isinstance(obj, list):
            return items
        return {"__t": "tuple" if isinstance(obj, tuple) else "set", "v": items}
    if isinstance(obj, dict):
        return {"__t": "dict", "v": [[encode(k), encode(v)] for k, v in obj.items()]}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in _NUMPY_KINDS:
            return {"__t": "unexportable", "type": f"numpy array of {obj.dtype}"}
        return {"__t": "ndarray", "dtype": obj.dtype.str, "shape": list(obj.shape),
                "v": _array(obj.reshape(-1))}  # fmt: skip
    if isinstance(obj, pd.DataFrame):
        return {
            "__t": "frame",
            "index": _index(obj.index),
            "columns": _index(obj.columns),
            "data": [_column(obj.iloc[:, i]) for i in range(obj.shape[1])],
        }
    if isinstance(obj, pd.Series):
        return {"__t": "series", "name": encode(obj.name), "index": _index(obj.index),
                "data": _column(obj)}  # fmt: skip
    if isinstance(obj, pd.Index):
        return _index(obj)
    if isinstance(obj, (pd.Timestamp, dt.datetime, dt.date)):
        return {"__t": "timestamp", "v": pd.Timestamp(obj).isoformat()}
    if isinstance(obj, (pd.Timedelta, dt.timedelta)):
        return {"__t": "timedelta", "v": pd.Timedelta(obj).isoformat()}
    if obj is pd.NaT:
        return {"__t": "nat"}
    return {"__t": "unexportable", "type": type(obj).__name__}


# ------------------------------------------------------------------------------- decode
def _plain_dtype(text: str) -> np.dtype | str:
    if text in EXTENSION_DTYPES:
        return text
    dtype = np.dtype(text)
    if dtype.kind not in _NUMPY_KINDS:
        raise ValueError(f"unexpected dtype {text!r}")
    return dtype


def _values(spec: dict) -> np.ndarray:
    dtype = _plain_dtype(spec["dtype"])
    raw = spec["v"]
    if not isinstance(raw, list):
        raise ValueError("values must be a list")
    if isinstance(dtype, np.dtype) and dtype.kind in "Mm":
        return np.array([np.datetime64("NaT") if v is None else v for v in raw], dtype=dtype)
    if isinstance(dtype, np.dtype) and dtype.kind not in "OU":
        return np.array([decode(v) for v in raw], dtype=dtype)
    if isinstance(dtype, np.dtype) and dtype.kind == "U":
        return np.array([str(decode(v)) for v in raw], dtype=dtype)
    out = np.empty(len(raw), dtype=object)
    out[:] = [decode(v) for v in raw]
    return out


def _decode_index(spec: dict) -> pd.Index:
    if spec.get("__t") == "multiindex":
        levels = [_decode_index(level) for level in spec["levels"]]
        return pd.MultiIndex.from_arrays(levels, names=[decode(n) for n in spec["names"]])
    return pd.Index(_decode_column(spec), name=decode(spec["name"]))


def _decode_column(spec: dict) -> pd.Series:
    text = spec["dtype"]
    if text in EXTENSION_DTYPES:
        return pd.Series(_values({"dtype": "|O", "v": spec["v"]}), dtype=object).astype(text)
    if text == "tz":
        utc = pd.to_datetime(pd.Series(spec["v"], dtype=object), utc=True)
        return utc.dt.tz_convert(str(spec["tz"]))
    values = _values(spec)
    return pd.Series(values, dtype=values.dtype)


def decode(data: Any) -> Any:
    """Rebuild a value made by :func:`encode` (plain types only; never runs code).

    Raises ValueError on anything that :func:`encode` would not have made.

    >>> decode(encode({"a": [1, 2], (1, "x"): 3.5}))
    {'a': [1, 2], (1, 'x'): 3.5}
    """
    try:
        return _decode(data)
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"malformed answer data ({type(exc).__name__}: {exc})") from None


def _decode(data: Any) -> Any:
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        raise ValueError(f"unexpected {type(data).__name__} in an exported answer")
    kind = data.get("__t")
    if kind == "float":
        return float(data["v"])
    if kind == "np":
        dtype = _plain_dtype(data["dtype"])
        if not isinstance(dtype, np.dtype) or dtype.kind not in "biuf":
            raise ValueError(f"unexpected scalar dtype {data['dtype']!r}")
        return dtype.type(decode(data["v"]))
    if kind == "tuple":
        return tuple(decode(v) for v in data["v"])
    if kind == "set":
        return {decode(v) for v in data["v"]}
    if kind == "dict":
        return {_hashable(decode(k)): decode(v) for k, v in data["v"]}
    if kind == "ndarray":
        return _values(data).reshape([int(n) for n in data["shape"]])
    if kind in ("index", "multiindex"):
        return _decode_index(data)
    if kind == "series":
        col = _decode_column(data["data"])
        col.index = _decode_index(data["index"])
        col.name = decode(data["name"])
        return col
    if kind == "frame":
        cols = [_decode_column(c) for c in data["data"]]
        frame = pd.concat(cols, axis=1) if cols else pd.DataFrame(index=range(0))
        frame.columns = _decode_index(data["columns"])
        frame.index = _decode_index(data["index"])
        return frame
    if kind == "timestamp":
        return pd.Timestamp(data["v"])
    if kind == "timedelta":
        return pd.Timedelta(data["v"])
    if kind == "nat":
        return pd.NaT
    if kind == "unexportable":
        return Unexportable(str(data.get("type", "?")))
    raise ValueError(f"unknown kind {kind!r} in an exported answer")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


def loads(text: str) -> Any:
    """Parse and decode one exported payload (JSON text or an already parsed object)."""
    data = json.loads(text) if isinstance(text, str) else text
    return decode(data)


# -------------------------------------------------------------------- the kernel's side
def _send(nonce: str, payload: dict) -> None:
    from IPython.display import display

    text = json.dumps(payload)
    if len(text) > MAX_BYTES:
        text = json.dumps({"error": "too-large", "message": "the answer is larger than 64 MB"})
    display({MIME: {"nonce": nonce, "payload": text}}, raw=True)


def publish(nonce: str, names: list[str], namespace: dict) -> None:
    """Send the values of ``names`` in ``namespace`` (missing names are left out)."""
    values = {}
    for name in names:
        if name not in namespace:
            continue
        value = namespace[name]
        if (
            callable(value)
            and not isinstance(value, (type, np.ufunc))
            and not hasattr(value, "__array__")
        ):
            values[name] = {"__t": "callable"}
            continue
        try:
            values[name] = encode(value)
        except Exception as exc:  # any failure is the answer's, reported as such
            values[name] = {"__t": "unexportable", "type": f"{type(value).__name__} ({exc})"}
    _send(nonce, {"values": values})


def call(nonce: str, name: str, arguments: str, namespace: dict) -> None:
    """Call ``namespace[name](*args, **kwargs)`` and send the result or the exception."""
    try:
        spec = json.loads(arguments)
        args, kwargs = decode(spec["args"]), decode(spec["kwargs"])
        result = namespace[name](*args, **kwargs)
        payload = {"result": encode(result)}
    except Exception as exc:  # the student's exception is the answer
        payload = {"raised": type(exc).__name__, "message": str(exc)[:2000]}
    _send(nonce, payload)
