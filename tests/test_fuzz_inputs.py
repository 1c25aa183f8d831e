"""Every public analytics function fed the inputs students really pass.

Each function is called on a small valid case (the baseline), then on
mutated copies of its inputs: missing and renamed columns, missing ids,
negative / missing / infinite / text amounts, dates as strings in several
forms (ДД.ММ.ГГГГ included) and with time zones, empty and one-row tables,
nullable and categorical dtypes, a Series or a polars-like frame in place of
a DataFrame, out-of-range parameters. Every outcome is classified:

* ``ok``: a valid input gave the baseline's answer, or an error/warning
  named the argument or column involved;
* ``mutated``: an input was changed by the call;
* ``unclear``: an exception that does not name what was wrong (e.g. a raw
  pandas error), or a missing-column message whose suggested fix fails;
* ``silent``: an invalid input returned a result without an error or a
  warning, or an equivalent input (a date in another form) returned a
  different answer.

The test asserts there are no ``mutated``, ``unclear`` or ``silent`` cases.
``python tests/test_fuzz_inputs.py`` prints the counts per class.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rmlib import clv, loyalty, pareto, relationship, retention, rfm

# ----------------------------------------------------------------------------- base data


def _tx() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3, 3, 3, 4, 4, 5, 6],
            "timestamp": pd.to_datetime(
                [
                    "2023-01-05 10:00",
                    "2023-03-01 12:00",
                    "2023-02-10 09:00",
                    "2023-01-20 18:00",
                    "2023-06-11 11:00",
                    "2024-02-01 08:00",
                    "2023-04-04 13:00",
                    "2024-05-05 14:00",
                    "2023-07-07 15:00",
                    "2024-03-03 16:00",
                ]
            ),
            "amount": [100.0, 50.0, 70.0, 30.0, 20.0, 90.0, 10.0, 60.0, 40.0, 80.0],
            "margin": [25.0, -5.0, 14.0, 6.0, 4.0, 18.0, 2.0, 12.0, 8.0, 16.0],
        }
    )


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6],
            "segment": ["B2C", "B2B", "B2C", "B2C", "B2B", "B2C"],
            "status": ["active", "active", "former", "active", "former", "active"],
            "manager_id": [7, 8, 7, 7, 8, 7],
        }
    )


def _surveys() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6],
            "nps": [10, 9, 3, 7, 6, 8],
            "csat": [5, 4, 2, 4, 3, 5],
            "purchases": [2, 1, 3, 2, 1, 1],
            "region": ["east", "east", "west", "west", "east", "west"],
        }
    )


def _assignment() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6], "group": ["treatment", "control"] * 3})


def _departures() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [3, 5], "reason": ["price", "moved"]})


def _contacts() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [1, 1, 4, 6]})


def _employees() -> pd.DataFrame:
    return pd.DataFrame(
        {"employee_id": [7, 8], "name": ["Ann", "Bob"], "role": ["account_manager"] * 2}
    )


def _outcomes() -> pd.DataFrame:
    return pd.DataFrame(
        {"group": ["treatment"] * 4 + ["control"] * 4, "repeat_purchases": [1, 2, 3, 4, 0, 1, 1, 2]}
    )


def _rfm() -> pd.DataFrame:
    return rfm.rfm_table(_tx(), observation_end="2024-06-30")


def _scores() -> pd.DataFrame:
    return rfm.rfm_scores(_rfm(), bins=5)


def _segmented() -> pd.DataFrame:
    return rfm.rfm_segments(_scores())


def _groups() -> pd.DataFrame:
    return pd.DataFrame(
        {"customers": [4_850, 150], "margin_per_transaction": [514.0, 33_117.0]},
        index=pd.Index(["B2C", "B2B"], name="segment"),
    )


def _summary() -> pd.DataFrame:
    return rfm.clv_summary(_tx(), observation_end="2024-06-30")


_RFM = rfm
_BG = clv.BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
_GG = clv.GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)

# ----------------------------------------------------------------------------- specs


@dataclass
class Frame:
    """One DataFrame argument: how to build it and what its columns mean."""

    make: Callable[[], pd.DataFrame]
    required: tuple[str, ...]  # columns the function reads (renaming one must fail clearly)
    id_col: str | None = None
    date_col: str | None = None
    amounts: tuple[str, ...] = ()  # numeric columns that must be >= 0
    signed: tuple[str, ...] = ()  # numeric columns that may be negative
    empty_ok: bool = False
    series_ok: bool = False  # a Series of values per customer is a valid input too
    structural: bool = True  # the function takes the frame itself (not columns of it)


@dataclass
class Spec:
    name: str
    call: Callable[..., Any]
    frames: dict[str, Frame]
    bad_params: dict[str, list[Any]] = field(default_factory=dict)
    date_params: tuple[str, ...] = ()
    dates_value: str = "2024-07-05"  # day <= 12: read month first, it would be 7 May


def _tx_frame(amounts=("amount",), signed=(), dated=True) -> Frame:
    required = ("customer_id", "timestamp") if dated else ("customer_id",)
    return Frame(
        _tx,
        required + tuple(amounts) + tuple(signed),
        "customer_id",
        "timestamp" if dated else None,
        tuple(amounts),
        tuple(signed),
    )


def _bind(func: Callable[..., Any], arg: str) -> Callable[..., Any]:
    """``func`` called with its frame passed as keyword ``arg`` (the name in its messages)."""

    def call(**kw: Any) -> Any:
        return func(kw.pop(arg), **kw)

    return call


_RET_KW = {"period": ["Z", 3, None]}
_UNIT_KW = {"unit": ["week", 1]}

SPECS = [
    Spec(
        "rfm.clv_summary",
        lambda transactions, **kw: rfm.clv_summary(transactions, **kw),
        {"transactions": _tx_frame()},
        {"freq": ["M", 7]},
        ("observation_end",),
    ),
    Spec(
        "rfm.rfm_table",
        lambda transactions, **kw: rfm.rfm_table(transactions, **kw),
        {"transactions": _tx_frame()},
        {},
        ("observation_end",),
    ),
    Spec(
        "rfm.calibration_holdout_summary",
        lambda transactions, **kw: rfm.calibration_holdout_summary(
            transactions, kw.pop("calibration_end", "2023-12-31"), **kw
        ),
        {"transactions": _tx_frame()},
        {"calibration_end": ["2030-01-01", 20231231, "12-31-2023"]},
        ("observation_end",),
    ),
    Spec(
        "rfm.rfm_scores",
        lambda rfm, **kw: _RFM.rfm_scores(rfm, **kw),
        {
            "rfm": Frame(
                _rfm,
                ("recency", "frequency", "monetary"),
                amounts=("recency", "frequency", "monetary"),
            )
        },
        {"bins": [1, 2.5, np.inf, "5"]},
    ),
    Spec(
        "rfm.rfm_segments",
        lambda scores, **kw: rfm.rfm_segments(scores, **kw),
        {"scores": Frame(_scores, ("R", "F", "M"))},
    ),
    Spec(
        "rfm.segment_summary",
        lambda segmented, **kw: rfm.segment_summary(segmented, **kw),
        {
            "segmented": Frame(
                _segmented,
                ("recency", "frequency", "monetary", "segment"),
                amounts=("recency", "frequency", "monetary"),
            )
        },
    ),
    Spec(
        "rfm.score_matrix",
        lambda scores, **kw: rfm.score_matrix(scores, **kw),
        {"scores": Frame(_scores, ("R", "F"))},
        {"agg": ["median!", 3]},
    ),
    *[
        Spec(
            f"retention.{f.__name__}",
            _bind(f, "transactions"),
            {"transactions": _tx_frame(amounts=())},
            dict(_RET_KW),
            ("observation_end",),
            "2024-12-05",
        )
        for f in (
            retention.cohort_table,
            retention.retention_matrix,
            retention.retention_table,
            retention.retention_rate,
            retention.churn_rate,
        )
    ],
    *[
        Spec(
            f"retention.{f.__name__}",
            _bind(f, "transactions"),
            {"transactions": _tx_frame(amounts=(), dated=False)},
            dict(_UNIT_KW),
        )
        for f in (
            retention.purchase_counts,
            retention.repeat_purchase_rate,
            retention.in_relationship,
        )
    ],
    *[
        Spec(
            f"retention.{f.__name__}",
            _bind(f, "transactions"),
            {"transactions": _tx_frame(amounts=())},
            dict(_UNIT_KW),
        )
        for f in (retention.interpurchase_times, retention.interpurchase_summary)
    ],
    *[
        Spec(
            f"pareto.{f.__name__}",
            _bind(f, "values"),
            {
                "values": Frame(
                    _tx, ("customer_id", "amount"), "customer_id", None, ("amount",), series_ok=True
                )
            },
            bad,
        )
        for f, bad in (
            (pareto.gini, {}),
            (pareto.lorenz_curve, {}),
            (pareto.pareto_table, {}),
            (pareto.top_share, {"top": [20, -0.1, np.inf, np.nan]}),
            (pareto.customer_share_needed, {"value_share": [80, np.inf]}),
            (pareto.abc_classes, {"a": [80, np.inf], "b": [2.0]}),
            (pareto.abc_summary, {"a": [np.nan]}),
        )
    ],
    Spec(
        "loyalty.nps",
        lambda data, **kw: loyalty.nps(data, **kw),
        {"data": Frame(_surveys, ("nps",), signed=("nps",), series_ok=True)},
        {"confidence": [95, 1.0, np.inf]},
    ),
    Spec(
        "loyalty.nps_group",
        lambda data, **kw: loyalty.nps_group(data, **kw),
        {"data": Frame(_surveys, ("nps",), signed=("nps",), series_ok=True)},
    ),
    Spec(
        "loyalty.satisfaction_index",
        lambda data, **kw: loyalty.satisfaction_index(data, **kw),
        {"data": Frame(_surveys, ("csat",), signed=("csat",))},
        {"method": ["median"], "scale": [(5, 1), (1, np.inf)]},
    ),
    Spec(
        "loyalty.customer_attitude",
        lambda surveys, **kw: loyalty.customer_attitude(surveys, **kw),
        {"surveys": Frame(_surveys, ("customer_id", "nps"), "customer_id", signed=("nps",))},
    ),
    Spec(
        "loyalty.loyalty_matrix",
        lambda df, **kw: loyalty.loyalty_matrix(df, "nps", "purchases", id_col="customer_id", **kw),
        {
            "df": Frame(
                _surveys,
                ("customer_id", "nps", "purchases"),
                "customer_id",
                signed=("nps", "purchases"),
            )
        },
        {"attitude_threshold": [np.inf, np.nan, "9"]},
    ),
    Spec(
        "loyalty.profitability_pyramid",
        lambda profit, **kw: loyalty.profitability_pyramid(profit, **kw),
        {
            "profit": Frame(
                _tx, ("customer_id", "margin"), "customer_id", signed=("margin",), series_ok=True
            )
        },
        {"method": ["quantile!"]},
    ),
    Spec(
        "relationship.program_outcomes",
        lambda transactions, assignment, **kw: relationship.program_outcomes(
            transactions, assignment, **kw
        ),
        {
            "transactions": _tx_frame(amounts=(), signed=("margin",)),
            "assignment": Frame(_assignment, ("customer_id", "group"), "customer_id"),
        },
        {"weeks": [0, -4, np.inf, np.nan, "52"]},
        ("observation_end",),
        "2024-12-05",
    ),
    Spec(
        "relationship.program_uplift",
        lambda df, **kw: relationship.program_uplift(df, **kw),
        {"df": Frame(_outcomes, ("group", "repeat_purchases"), signed=("repeat_purchases",))},
        {"confidence": [95, np.inf, np.nan]},
    ),
    Spec(
        "relationship.margin_by_group",
        lambda transactions, customers, **kw: relationship.margin_by_group(
            transactions, customers, **kw
        ),
        {
            "transactions": _tx_frame(amounts=(), signed=("margin",), dated=False),
            "customers": Frame(_customers, ("customer_id", "segment"), "customer_id"),
        },
    ),
    Spec(
        "relationship.churn_reasons",
        lambda departures, transactions, **kw: relationship.churn_reasons(
            departures, transactions, **kw
        ),
        {
            "departures": Frame(
                _departures, ("customer_id", "reason"), "customer_id", empty_ok=True
            ),
            "transactions": _tx_frame(amounts=(), signed=("margin",), dated=False),
        },
    ),
    Spec(
        "relationship.contacts_per_customer",
        lambda customers, contacts, **kw: relationship.contacts_per_customer(
            customers, contacts, **kw
        ),
        {
            "customers": Frame(_customers, ("customer_id", "status"), "customer_id"),
            "contacts": Frame(_contacts, ("customer_id",), "customer_id", empty_ok=True),
        },
    ),
    Spec(
        "relationship.recommend_levels",
        lambda groups, **kw: relationship.recommend_levels(groups, **kw),
        {
            "groups": Frame(
                _groups,
                ("customers", "margin_per_transaction"),
                amounts=("customers", "margin_per_transaction"),
            )
        },
        {"customer_cuts": [(100_000, 1000), (1000, np.inf)]},
    ),
    Spec(
        "clv.discounted_clv",
        lambda summary, **kw: clv.discounted_clv(
            _BG,
            _GG,
            summary["frequency"],
            summary["recency"],
            summary["T"],
            summary["monetary_value"],
            **kw,
        ),
        {
            "summary": Frame(
                _summary,
                ("frequency", "recency", "T", "monetary_value"),
                amounts=("frequency", "recency", "T", "monetary_value"),
                structural=False,
            )
        },
        {
            "horizon": [np.inf, 0, -52, np.nan],
            "period_length": [1e-9, 0, np.inf],
            "discount_rate": [15, -1, np.inf, np.nan],
            "margin_rate": [25, np.inf],
            "units_per_year": [0, np.inf],
        },
    ),
    Spec(
        "clv.BetaGeoModel.fit",
        lambda summary, **kw: clv.BetaGeoModel(**kw).fit(
            summary["frequency"], summary["recency"], summary["T"]
        ),
        {
            "summary": Frame(
                _summary,
                ("frequency", "recency", "T"),
                amounts=("frequency", "recency", "T"),
                structural=False,
            )
        },
        {"penalizer": [-1, np.inf, np.nan]},
    ),
]

# ----------------------------------------------------------------------------- mutations


class FakePolarsFrame:
    """Stands in for a polars DataFrame (polars is not a dependency of the course)."""

    __module__ = "polars.dataframe.frame"

    def __init__(self, df: pd.DataFrame) -> None:
        self._df = df

    def to_pandas(self) -> pd.DataFrame:
        return self._df.copy()


FakePolarsFrame.__name__ = FakePolarsFrame.__qualname__ = "DataFrame"


@dataclass
class Case:
    spec: Spec
    label: str
    frames: dict[str, Any]
    params: dict[str, Any]
    kind: str  # "invalid": must error/warn; "same": must equal the baseline or error clearly;
    # "any": anything but an unclear error or a mutation
    names: tuple[str, ...]  # what a clear message must mention (any of)


def _date_forms(ts: pd.Timestamp) -> dict[str, Any]:
    return {
        "ДД.ММ.ГГГГ": ts.strftime("%d.%m.%Y"),
        "dd/mm/yyyy": ts.strftime("%d/%m/%Y"),
        "iso": ts.strftime("%Y-%m-%d"),
        "datetime.date": ts.date(),
        "aware UTC": pd.Timestamp(ts.strftime("%Y-%m-%d")).tz_localize("UTC"),
    }


def _cases(spec: Spec):
    base = {name: f.make() for name, f in spec.frames.items()}

    def with_frame(name, df):
        return {**base, name: df}

    for name, f in spec.frames.items():
        df = base[name]
        for col in f.required if f.structural else ():
            yield Case(
                spec,
                f"{name}: no column {col!r}",
                with_frame(name, df.drop(columns=col)),
                {},
                "invalid",
                (col,),
            )
            renamed = df.rename(columns={col: f"{col}_x"})
            yield Case(
                spec, f"{name}: {col!r} renamed", with_frame(name, renamed), {}, "invalid", (col,)
            )
        if f.structural:
            series_kind = "any" if f.series_ok else "invalid"
            yield Case(
                spec, f"{name}: Series", with_frame(name, df.iloc[:, -1]), {}, series_kind, (name,)
            )
            yield Case(
                spec,
                f"{name}: polars",
                with_frame(name, FakePolarsFrame(df)),
                {},
                "invalid",
                (name,),
            )
            yield Case(
                spec,
                f"{name}: list",
                with_frame(name, df.to_numpy().tolist()),
                {},
                "invalid",
                (name,),
            )
            empty_kind = "any" if f.empty_ok else "invalid"
            yield Case(
                spec, f"{name}: empty", with_frame(name, df.iloc[:0]), {}, empty_kind, (name,)
            )
        yield Case(spec, f"{name}: one row", with_frame(name, df.iloc[:1]), {}, "any", (name,))
        if f.id_col:
            c = f.id_col
            nan_id = df.assign(**{c: df[c].astype("float64").where(df.index != 0)})
            yield Case(spec, f"{name}: NaN id", with_frame(name, nan_id), {}, "invalid", (c,))
            yield Case(
                spec,
                f"{name}: Int64 ids",
                with_frame(name, df.astype({c: "Int64"})),
                {},
                "same",
                (c,),
            )
            cat = df.astype({c: "category"})
            yield Case(spec, f"{name}: categorical ids", with_frame(name, cat), {}, "same", (c,))
            if len(spec.frames) > 1:
                yield Case(
                    spec,
                    f"{name}: text ids",
                    with_frame(name, df.astype({c: str})),
                    {},
                    "invalid",
                    (c,),
                )
        for col in f.amounts + f.signed:
            for label, value in (("NaN", np.nan), ("inf", np.inf), ("-inf", -np.inf)):
                bad = df.astype({col: "float64"})
                bad.loc[bad.index[0], col] = value
                yield Case(
                    spec, f"{name}: {col} {label}", with_frame(name, bad), {}, "invalid", (col,)
                )
            text = df.astype({col: str})
            yield Case(
                spec, f"{name}: {col} as text", with_frame(name, text), {}, "invalid", (col,)
            )
            nullable = df.astype({col: "Float64"})
            yield Case(
                spec, f"{name}: {col} Float64", with_frame(name, nullable), {}, "same", (col,)
            )
        for col in f.amounts:
            neg = df.astype({col: "float64"})
            neg.loc[neg.index[-1], col] = -abs(float(neg[col].iloc[-1])) - 1
            yield Case(
                spec, f"{name}: {col} negative", with_frame(name, neg), {}, "invalid", (col,)
            )
        if f.date_col:
            c = f.date_col
            for label, fmt in (
                ("ISO strings", "%Y-%m-%d %H:%M"),
                ("ДД.ММ.ГГГГ strings", "%d.%m.%Y %H:%M"),
            ):
                yield Case(
                    spec,
                    f"{name}: dates as {label}",
                    with_frame(name, df.assign(**{c: df[c].dt.strftime(fmt)})),
                    {},
                    "invalid",
                    (c,),
                )
            aware = df.assign(**{c: df[c].dt.tz_localize("Europe/Moscow")})
            yield Case(spec, f"{name}: tz-aware dates", with_frame(name, aware), {}, "same", (c,))
            nat = df.assign(**{c: df[c].where(df.index != 0)})
            yield Case(spec, f"{name}: NaT date", with_frame(name, nat), {}, "invalid", (c,))
    for param, values in spec.bad_params.items():
        for value in values:
            yield Case(spec, f"{param}={value!r}", base, {param: value}, "invalid", (param,))
    for param in spec.date_params:
        ts = pd.Timestamp(spec.dates_value)
        for label, value in _date_forms(ts).items():
            yield Case(spec, f"{param} {label}", base, {param: value}, "same", (param,))
        for label, value in (
            ("int YYYYMMDD", int(ts.strftime("%Y%m%d"))),
            ("mm-dd-yyyy", ts.strftime("%m-%d-%Y")),
            ("two-digit year", ts.strftime("%d.%m.%y")),
            ("text", "soon"),
        ):
            yield Case(spec, f"{param} {label}", base, {param: value}, "invalid", (param,))
        # the data's own last moment, tz-aware, must be accepted as the end (tz mixes)
        frame_name = next(n for n, f in spec.frames.items() if f.date_col)
        dcol = spec.frames[frame_name].date_col
        aware = base[frame_name].assign(
            **{dcol: base[frame_name][dcol].dt.tz_localize("Europe/Moscow")}
        )
        last_utc = aware[dcol].max().tz_convert("UTC")
        yield Case(
            spec,
            f"{param} tz-aware last purchase (other zone)",
            {**base, frame_name: aware},
            {param: last_utc},
            "any",
            (param,),
        )


def _baseline(spec: Spec, params: dict) -> Any:
    frames = {name: f.make() for name, f in spec.frames.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if spec.date_params and set(params) & set(spec.date_params):
            return spec.call(**frames, **{k: pd.Timestamp(spec.dates_value) for k in params})
        return spec.call(**frames)


def _plain(x: Any) -> Any:
    if hasattr(x, "to_series") and not isinstance(x, (pd.Series, pd.DataFrame)):
        return x.to_series()
    if hasattr(x, "__dataclass_fields__"):
        return {k: _plain(getattr(x, k)) for k in x.__dataclass_fields__}
    if isinstance(x, (clv.BetaGeoModel,)):
        return pd.Series(x.params_)
    if isinstance(x, (pd.Series, pd.DataFrame)):
        x = x.copy()
        if isinstance(x.index, pd.CategoricalIndex):
            x.index = pd.Index(np.asarray(x.index))
        if isinstance(x, pd.DataFrame):
            for c in x.columns:
                if isinstance(x[c].dtype, pd.CategoricalDtype):
                    x[c] = x[c].astype(object)
        return x
    return x


def _same(a: Any, b: Any) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(
                a,
                b,
                check_dtype=False,
                check_index_type=False,
                check_column_type=False,
                check_categorical=False,
                check_names=False,
            )
        elif isinstance(a, pd.Series):
            pd.testing.assert_series_equal(
                a,
                b,
                check_dtype=False,
                check_index_type=False,
                check_categorical=False,
                check_names=False,
            )
        elif isinstance(a, (float, int, np.floating, np.integer)) or a is None:
            return (a is None and b is None) or bool(np.isclose(a, b, equal_nan=True))
        else:
            return repr(a) == repr(b)
    except (AssertionError, TypeError, ValueError):
        return False
    return True


def _snapshot(frames: dict) -> dict:
    return {
        k: (v.copy(deep=True) if isinstance(v, (pd.DataFrame, pd.Series)) else v)
        for k, v in frames.items()
    }


def _unchanged(before: dict, after: dict) -> bool:
    for k, v in before.items():
        w = after[k]
        if isinstance(v, pd.DataFrame):
            try:
                pd.testing.assert_frame_equal(v, w)
            except AssertionError:
                return False
    return True


_FIX = re.compile(r"\(\.\.\., (\w+)='([^'<]+)'\)")
_RENAME = re.compile(r"(\w+)\.rename\(columns=\{'([^'<]+)': '([^']+)'\}\)")


def _fix_works(case: Case, message: str) -> bool:
    """Execute the fixes a missing-column message suggests; each must get past that column."""
    col = case.names[0]
    tried = False
    for param, value in _FIX.findall(message):
        tried = True
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                case.spec.call(**case.frames, **{param: value})
        except TypeError as exc:
            if "unexpected keyword" in str(exc) or "got an unexpected" in str(exc):
                return False
        except Exception as exc:
            if f"no column {col!r}" in str(exc):
                return False
    for arg, old, new in _RENAME.findall(message):
        tried = True
        frames = dict(case.frames)
        if arg not in frames:
            return False
        frames[arg] = frames[arg].rename(columns={old: new})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                case.spec.call(**frames)
        except Exception as exc:
            if f"no column {new!r}" in str(exc):
                return False
    return tried or "rename(columns={'<the column that holds it>'" in message


def classify(case: Case) -> tuple[str, str]:
    before = _snapshot(case.frames)
    result, error, warned = None, None, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = case.spec.call(**case.frames, **case.params)
        except Exception as exc:
            error = exc
        warned = [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    if not _unchanged(before, case.frames):
        return "mutated", ""
    if error is not None:
        msg = str(error)
        named = any(n in msg for n in case.names) or any(f"`{n}`" in msg for n in case.spec.frames)
        if case.kind == "any":  # a legitimate refusal of a small table: it must name something
            named = named or re.search(r"`\w+`|column '", msg) is not None
        if not isinstance(error, (ValueError, TypeError)) or not named:
            return "unclear", f"{type(error).__name__}: {msg[:200]}"
        if "has no column" in msg and not _fix_works(case, msg):
            return "unclear", f"fix does not work: {msg[:200]}"
        return "ok", ""
    if case.kind == "invalid":
        if warned:
            return "ok", ""
        return "silent", f"returned {type(result).__name__} without an error"
    if case.kind == "same":
        if not _same(result, _baseline(case.spec, case.params)):
            return "silent", "a different answer than the baseline"
        return "ok", ""
    if isinstance(result, pd.DataFrame):
        numbers = result.select_dtypes("number").to_numpy(dtype="float64", na_value=np.nan)
        if np.isinf(numbers).any():
            return "silent", "infinite values in the result"
    return "ok", ""


def run_all() -> tuple[Counter, list[tuple[str, str, str, str]]]:
    counts: Counter = Counter()
    problems = []
    for spec in SPECS:
        for case in _cases(spec):
            outcome, detail = classify(case)
            counts[outcome] += 1
            if outcome != "ok":
                problems.append((outcome, spec.name, case.label, detail))
    return counts, problems


@pytest.fixture(scope="module")
def fuzz_results():
    return run_all()


def test_enough_cases_ran(fuzz_results):
    counts, _ = fuzz_results
    assert sum(counts.values()) > 700 and len(SPECS) >= 35


@pytest.mark.parametrize("outcome", ["mutated", "unclear", "silent"])
def test_no_bad_outcome(fuzz_results, outcome):
    _, problems = fuzz_results
    found = [p[1:] for p in problems if p[0] == outcome]
    assert not found, f"{len(found)} {outcome} case(s), e.g.:\n" + "\n".join(map(str, found[:15]))


def test_baselines_are_valid():
    for spec in SPECS:
        _baseline(spec, {})


if __name__ == "__main__":
    c, p = run_all()
    print(dict(c))
    for row in p[: int(sys.argv[1]) if len(sys.argv) > 1 else 40]:
        print(row)
