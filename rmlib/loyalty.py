"""How loyal are the customers? NPS, satisfaction, share of wallet, loyalty matrix, pyramid.

Chapter 4 sorts the ways of assessing loyalty (оценка лояльности) into three families,
and this module computes one or more measures from each:

* **attitudinal** -- what customers say: the Net Promoter Score (:func:`nps`) and a
  satisfaction index (:func:`satisfaction_index`) from survey answers, and each
  customer's mean answer (:func:`customer_attitude`);
* **behavioural** -- what customers do: the share of their category spending that
  comes to us (:func:`share_of_wallet`); retention, repeat purchases and RFM live in
  :mod:`rmlib.retention` and :mod:`rmlib.rfm`;
* **combined** -- attitude against behaviour, the four cells of Dick and Basu's
  loyalty matrix (:func:`loyalty_matrix`).

:func:`profitability_pyramid` then groups customers by the profit they bring (the
customer pyramid of Zeithaml, Rust and Lemon), the scale on which the textbook asks
how to raise the loyalty of the second and third groups.

Net Promoter Score (индекс потребительской лояльности, NPS)
    Reichheld (2003) asks "How likely is it that you would recommend us to a friend or
    colleague?" on a 0-10 scale. Scores 9-10 are *promoters*, 7-8 *passives* and 0-6
    *detractors*; the NPS is the share of promoters minus the share of detractors, in
    points from -100 to +100. Its standard error follows from the multinomial
    distribution of the three groups: with shares :math:`p_P` and :math:`p_D` of
    :math:`n` answers, :math:`\\mathrm{Var}(\\hat p_P - \\hat p_D) =
    (p_P + p_D - (p_P - p_D)^2)/n`. The interval is the normal approximation
    ``nps +/- z * se`` cut to [-100, 100]; it is rough for small samples and for
    shares near 0 or 1 (a sample of only promoters gets a zero-width interval).

Satisfaction index (индекс удовлетворённости)
    ``method="mean"`` (default) rescales the mean answer on a ``low``-``high`` scale
    linearly to 0-100, ``100 * (mean - low) / (high - low)``, the rescaling the American
    Customer Satisfaction Index uses to report on a 0-100 scale (Fornell et al., 1996);
    on the 1-5 CSAT scale a mean of 4 gives 75. ``method="top2"`` is the share of
    satisfied answers (4 or 5 on a 1-5 scale, "top two boxes"), also in 0-100.

The loyalty matrix (Dick & Basu, 1994)
    Relative attitude (high or low) against repeat patronage (high or low) gives four
    cells. The seed pages of the course name the families of methods but not the four
    cells, so the Russian names below are the ones common in Russian marketing texts:

    ==================  ==================================  ========  =========
    class               Russian                             attitude  behaviour
    ==================  ==================================  ========  =========
    true loyalty        истинная лояльность                 high      high
    latent loyalty      латентная (скрытая) лояльность      high      low
    spurious loyalty    ложная лояльность                   low       high
    no loyalty          отсутствие лояльности               low       low
    ==================  ==================================  ========  =========

    A value counts as *high* when it is at least the threshold; the default threshold
    is the column's median.

The customer pyramid (Zeithaml, Rust & Lemon, 2001)
    Customers ranked by profit fall into tiers: *platinum* (the most profitable few),
    *gold*, *iron* (enough volume to fill capacity, little profit) and *lead* (customers
    who cost more than they bring). The default shares, 5% / 15% / 30% / 50% from the
    top, are those the case's ground truth uses for ``value_tier``; pass your own.

Written with pandas, NumPy and SciPy (for the normal quantile): each measure is a
count or a mean per group, which pandas does directly; no marketing-analytics package
adds anything but a dependency.

Examples
--------
>>> answers = pd.Series([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])
>>> r = nps(answers)
>>> r.nps, r.promoters, r.detractors
(20.0, 0.5, 0.3)
>>> satisfaction_index([5, 4, 4, 3, 2])
65.0
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from rmlib._validate import (
    check_confidence,
    check_customer_frame,
    check_customer_values,
    check_frame,
    check_in_range,
    check_no_missing,
    check_numeric,
    check_numeric_values,
    check_one_of,
    check_unique_ids,
    first_labels,
    renamed,
)

__all__ = [
    "DEFAULT_TIERS",
    "LOYALTY_CLASSES",
    "LOYALTY_CLASSES_RU",
    "NPS_GROUPS",
    "LoyaltyMatrix",
    "NPSResult",
    "ProfitabilityPyramid",
    "customer_attitude",
    "loyalty_matrix",
    "nps",
    "nps_group",
    "profitability_pyramid",
    "satisfaction_index",
    "share_of_wallet",
]

#: The three NPS groups, from the lowest scores up (keys of :attr:`NPSResult.counts`).
NPS_GROUPS: tuple[str, ...] = ("detractors", "passives", "promoters")

#: Dick & Basu's four loyalty classes, in the order of :attr:`LoyaltyMatrix.table`
#: (the keys :func:`rmlib.plots.loyalty_matrix` expects).
LOYALTY_CLASSES: tuple[str, ...] = (
    "true loyalty",
    "latent loyalty",
    "spurious loyalty",
    "no loyalty",
)

#: Russian names of the four loyalty classes.
LOYALTY_CLASSES_RU: dict[str, str] = {
    "true loyalty": "истинная лояльность",
    "latent loyalty": "латентная (скрытая) лояльность",
    "spurious loyalty": "ложная лояльность",
    "no loyalty": "отсутствие лояльности",
}

#: Default tiers of the customer pyramid: name -> share of customers, most profitable first.
DEFAULT_TIERS: dict[str, float] = {"platinum": 0.05, "gold": 0.15, "iron": 0.30, "lead": 0.50}

_NPS_COLUMNS = (
    "nps",
    "promoters",
    "passives",
    "detractors",
    "n",
    "se",
    "ci_low",
    "ci_high",
    "confidence",
)


# ---------------------------------------------------------------------------
# input handling
# ---------------------------------------------------------------------------


def _list_series(values: Any, arg: str, expected: str = "one-dimensional") -> pd.Series:
    """A list, tuple or array of values as a Series (float64 when empty)."""
    if np.ndim(values) != 1:
        raise ValueError(f"`{arg}` must be {expected}, got shape {np.shape(values)}.")
    values = values if isinstance(values, np.ndarray) else list(values)
    return pd.Series(values, dtype="float64" if len(values) == 0 else None)


def _as_series(data: Any, col: str, arg: str) -> pd.Series:
    """One column of a DataFrame, a Series, or a list/array as a Series (never a view)."""
    if isinstance(data, pd.DataFrame):
        check_frame(data, arg, [col])
        return data[col]
    if isinstance(data, pd.Series):
        s = data
    elif isinstance(data, (list, tuple, np.ndarray)):
        s = _list_series(data, arg)
    else:
        raise TypeError(
            f"`{arg}` must be a DataFrame with a column {col!r}, a Series or a list of "
            f"numbers; got {type(data).__name__}."
        )
    if len(s) == 0:
        raise ValueError(f"`{arg}` is empty; pass at least one value.")
    return s


def _scores(data: Any, col: str, arg: str, low: float, high: float, question: str) -> pd.Series:
    """Validated answers on a ``low``-``high`` scale of whole numbers, as a float Series."""
    s = _as_series(data, col, arg)
    if isinstance(data, pd.DataFrame):
        what, expr = f"column {col!r} of `{arg}`", f"{arg}[{col!r}]"
    else:
        what, expr = f"`{arg}`", arg
    v = check_numeric_values(s, expr, what)
    outside = (v < low) | (v > high)
    if outside.any():
        bad = v[outside][:3].tolist()
        raise ValueError(
            f"{what} has {int(outside.sum())} answer(s) outside {low:g}-{high:g} (first: "
            f"{', '.join(f'{b:g}' for b in bad)} at index {first_labels(s.index, outside)}). "
            f"{question}"
        )
    fractional = v != np.round(v)
    if fractional.any():
        raise ValueError(
            f"{what} has {int(fractional.sum())} answer(s) that are not whole numbers (first: "
            f"{v[fractional][0]:g}). Survey answers are whole points on the scale; pass the "
            f"raw answers, not averages."
        )
    return pd.Series(v, index=s.index)


def _nps_scores(data: Any, score_col: str) -> pd.Series:
    """0-10 answers; warns when they all lie in 1-5 (a satisfaction scale given by mistake)."""
    scores = _scores(data, score_col, "data", 0, 10, _NPS_HINT)
    if len(scores) >= 5 and scores.min() >= 1 and scores.max() <= 5:
        warnings.warn(
            f"all {len(scores)} answers given to NPS lie between 1 and 5: are they 1-5 "
            f"satisfaction scores? NPS needs the 0-10 'would you recommend' answers (the "
            f"surveys' 'nps' column); on them every answer up to 6 is a detractor. For 1-5 "
            f"answers use satisfaction_index(...).",
            UserWarning,
            stacklevel=3,
        )
    return scores


def _groupers(data: Any, by: Any, arg: str) -> list[pd.Series]:
    """The checked ``by`` column(s) of ``data``, ready for ``groupby``."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"`by` needs `{arg}` as a DataFrame holding the group column(s); got "
            f"{type(data).__name__}. Pass the survey table, e.g. {arg}=case.surveys."
        )
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValueError("`by` is empty; give a column name such as by='channel'.")
    check_frame(data, arg, keys)
    for k in keys:
        check_no_missing(data, arg, k)
    return [data[k] for k in keys]


# ---------------------------------------------------------------------------
# Net Promoter Score
# ---------------------------------------------------------------------------


_NPS_HINT = (
    "The NPS question is answered 0-10; check that you passed the 'recommend' item "
    "(the case's surveys['nps']), not CSAT on 1-5 or a percentage."
)


@dataclass(frozen=True)
class NPSResult:
    """A Net Promoter Score with its three shares and a confidence interval.

    Attributes
    ----------
    nps : float
        Promoters' share minus detractors' share, in points (-100 to 100).
    promoters, passives, detractors : float
        Shares of answers 9-10, 7-8 and 0-6 (they add up to 1).
    n : int
        Number of answers.
    se : float
        Standard error of the NPS, in points (multinomial).
    ci_low, ci_high : float
        Normal-approximation confidence interval, in points, within [-100, 100].
    confidence : float
        Confidence level of the interval.
    """

    nps: float
    promoters: float
    passives: float
    detractors: float
    n: int
    se: float
    ci_low: float
    ci_high: float
    confidence: float

    @property
    def counts(self) -> dict[str, int]:
        """Answers per group, keyed as :func:`rmlib.plots.nps_breakdown` expects."""
        return {g: int(round(getattr(self, g) * self.n)) for g in NPS_GROUPS}

    def to_series(self) -> pd.Series:
        """The result as a float Series (one row of :func:`nps` with ``by=``)."""
        return pd.Series(asdict(self), dtype="float64")


def nps_group(data: Any, score_col: str = "nps") -> pd.Series:
    """Each answer's NPS group: ``"promoter"`` (9-10), ``"passive"`` (7-8), ``"detractor"`` (0-6).

    Parameters
    ----------
    data : DataFrame, Series or list
        Survey answers: a DataFrame with ``score_col``, or the scores themselves.
    score_col : str
        Column of 0-10 answers (the case's ``surveys`` table calls it ``"nps"``).

    Returns
    -------
    Series of str, on the index of the answers.

    Examples
    --------
    >>> nps_group([10, 8, 2]).tolist()
    ['promoter', 'passive', 'detractor']
    """
    scores = _nps_scores(data, score_col)
    out = np.where(scores >= 9, "promoter", np.where(scores >= 7, "passive", "detractor"))
    return pd.Series(out, index=scores.index, name="nps_group", dtype="str")


def _nps_from_counts(
    promoters: np.ndarray, passives: np.ndarray, detractors: np.ndarray, z: float
) -> dict[str, np.ndarray]:
    n = promoters + passives + detractors
    p_p, p_0, p_d = promoters / n, passives / n, detractors / n
    diff = p_p - p_d
    se = 100 * np.sqrt(np.maximum(p_p + p_d - diff**2, 0.0) / n)
    score = 100 * diff
    return {
        "nps": score,
        "promoters": p_p,
        "passives": p_0,
        "detractors": p_d,
        "n": n,
        "se": se,
        "ci_low": np.maximum(score - z * se, -100.0),
        "ci_high": np.minimum(score + z * se, 100.0),
    }


def _z(confidence: Any) -> float:
    return float(stats.norm.ppf(0.5 + check_confidence(confidence) / 2))


def nps(
    data: Any,
    score_col: str = "nps",
    *,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> NPSResult | pd.DataFrame:
    """Net Promoter Score (Reichheld, 2003): promoters' share minus detractors' share.

    Parameters
    ----------
    data : DataFrame, Series or list
        Survey answers: a DataFrame with ``score_col`` (e.g. ``case.surveys``) or the
        0-10 scores themselves. Every answer must be a whole number from 0 to 10.
    score_col : str
        Column holding the answers when ``data`` is a DataFrame.
    by : str or list of str, optional
        Column(s) of ``data`` to compute the score for each group of.
    confidence : float
        Level of the confidence interval, in (0, 1).

    Returns
    -------
    NPSResult
        Without ``by``: the score in points (-100 to 100), the shares of promoters
        (9-10), passives (7-8) and detractors (0-6), ``n``, the standard error and the
        interval; ``.counts`` gives the answers per group for
        :func:`rmlib.plots.nps_breakdown`.
    DataFrame
        With ``by``: one row per group (sorted), columns ``nps, promoters, passives,
        detractors, n, se, ci_low, ci_high, confidence``: the fields of the result
        without ``by``, so a row can go to :func:`rmlib.plots.nps_breakdown` with its
        interval and level.

    Examples
    --------
    >>> r = nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])
    >>> r.nps, r.passives, r.n, r.counts
    (20.0, 0.2, 10, {'detractors': 3, 'passives': 2, 'promoters': 5})
    >>> round(r.se, 1), round(r.ci_low, 1), round(r.ci_high, 1)
    (27.6, -34.0, 74.0)
    >>> surveys = pd.DataFrame({"channel": ["app", "app", "sms", "sms"], "nps": [10, 6, 9, 9]})
    >>> nps(surveys, by="channel")[["nps", "n"]]
               nps  n
    channel
    app        0.0  2
    sms      100.0  2
    """
    z = _z(confidence)
    scores = _nps_scores(data, score_col)
    promoter = (scores >= 9).to_numpy()
    detractor = (scores <= 6).to_numpy()
    passive = ~(promoter | detractor)
    if by is None:
        out = _nps_from_counts(
            np.array([promoter.sum()], float),
            np.array([passive.sum()], float),
            np.array([detractor.sum()], float),
            z,
        )
        values = {k: float(v[0]) for k, v in out.items()}
        values["n"] = int(values["n"])
        return NPSResult(**values, confidence=float(confidence))
    groupers = _groupers(data, by, "data")
    flags = pd.DataFrame(
        {"promoters": promoter, "passives": passive, "detractors": detractor},
        index=data.index,
        dtype="float64",
    )
    grouped = flags.groupby(groupers, sort=True, observed=True).sum()
    out = _nps_from_counts(
        grouped["promoters"].to_numpy(),
        grouped["passives"].to_numpy(),
        grouped["detractors"].to_numpy(),
        z,
    )
    out["confidence"] = np.full(len(grouped), float(confidence))
    table = pd.DataFrame(out, index=grouped.index)[list(_NPS_COLUMNS)]
    table["n"] = table["n"].astype("int64")
    return table


# ---------------------------------------------------------------------------
# satisfaction index
# ---------------------------------------------------------------------------


def _check_scale(scale: Any, example: str) -> tuple[float, float]:
    """(lowest, highest) answer of a survey scale, as floats."""
    if (
        not isinstance(scale, (tuple, list))
        or len(scale) != 2
        or not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in scale)
        or not all(math.isfinite(x) for x in scale)
        or not scale[0] < scale[1]
    ):
        raise ValueError(
            f"`scale` must be (lowest, highest) answer with lowest < highest, e.g. {example}; "
            f"got {scale!r}."
        )
    return float(scale[0]), float(scale[1])


def satisfaction_index(
    data: Any,
    score_col: str = "csat",
    *,
    method: str = "mean",
    scale: tuple[int, int] = (1, 5),
    satisfied_from: int | None = None,
    by: str | Sequence[str] | None = None,
) -> float | pd.Series:
    """Customer satisfaction on a 0-100 index.

    Parameters
    ----------
    data : DataFrame, Series or list
        Survey answers: a DataFrame with ``score_col`` (e.g. ``case.surveys``) or the
        answers themselves, whole numbers on ``scale``.
    score_col : str
        Column holding the answers when ``data`` is a DataFrame.
    method : {"mean", "top2"}
        ``"mean"``: the mean answer rescaled linearly so that ``scale[0]`` is 0 and
        ``scale[1]`` is 100 (the 0-100 reporting of the ACSI, Fornell et al., 1996).
        ``"top2"``: percentage of satisfied answers, those of at least
        ``satisfied_from``.
    scale : (int, int)
        Lowest and highest possible answer (1-5 for the case's CSAT).
    satisfied_from : int, optional
        Lowest answer that counts as satisfied for ``"top2"``; default ``scale[1] - 1``
        (4 on a 1-5 scale).
    by : str or list of str, optional
        Column(s) of ``data`` to compute the index for each group of.

    Returns
    -------
    float, or a Series named ``"satisfaction_index"`` with one value per group.

    Examples
    --------
    >>> satisfaction_index([5, 4, 4, 3, 2])
    65.0
    >>> satisfaction_index([5, 4, 4, 3, 2], method="top2")
    60.0
    >>> satisfaction_index([10, 1], scale=(1, 10))
    50.0
    """
    check_one_of(method, "method", ["mean", "top2"])
    low, high = _check_scale(scale, "(1, 5)")
    if satisfied_from is None:
        cut = high - 1
    else:
        cut = check_in_range(
            satisfied_from,
            "satisfied_from",
            low,
            high,
            hint=f"It is an answer on the scale {low:g}-{high:g}.",
        )
    hint = (
        f"Satisfaction answers here are on {low:g}-{high:g}; check that you passed the CSAT "
        f"item (the case's surveys['csat']), not the 0-10 NPS item, or set scale=(low, high)."
    )
    scores = _scores(data, score_col, "data", low, high, hint)
    if method == "mean":
        points = 100 * (scores - low) / (high - low)
    else:
        points = 100 * (scores >= cut).astype("float64")
    if by is None:
        return float(points.mean())
    out = points.groupby(_groupers(data, by, "data"), sort=True, observed=True).mean()
    return out.rename("satisfaction_index")


# ---------------------------------------------------------------------------
# attitude per customer
# ---------------------------------------------------------------------------


def customer_attitude(
    surveys: pd.DataFrame,
    score_col: str = "nps",
    *,
    customer_col: str = "customer_id",
    scale: tuple[int, int] = (0, 10),
) -> pd.Series:
    """Each customer's attitude: the mean of their answers to one survey question.

    A customer who answered several surveys gets the mean of their answers; customers
    who never answered do not appear. This is the *attitude* axis of
    :func:`loyalty_matrix`, to join with a behaviour measure per customer (such as
    :func:`rmlib.retention.purchase_counts`).

    Parameters
    ----------
    surveys : DataFrame
        One row per answer, with ``customer_col`` and ``score_col`` (the case's
        ``surveys`` table). Not modified.
    score_col : str
        The question: ``"nps"`` (likelihood to recommend, 0-10, the default) or
        ``"csat"`` (satisfaction, 1-5, with ``scale=(1, 5)``).
    customer_col : str
        Column of customer ids (none missing).
    scale : (int, int)
        Lowest and highest possible answer; every answer must be a whole number on it.

    Returns
    -------
    Series
        Mean answer per customer, indexed by customer id (sorted) and named
        ``score_col``.

    Examples
    --------
    >>> surveys = pd.DataFrame({"customer_id": [7, 3, 7, 3, 5], "nps": [10, 2, 7, 5, 9]})
    >>> customer_attitude(surveys)
    customer_id
    3    3.5
    5    9.0
    7    8.5
    Name: nps, dtype: float64
    """
    low, high = _check_scale(scale, "(0, 10)")
    check_customer_frame(surveys, "surveys", customer_col, [score_col])
    if score_col == customer_col:
        raise ValueError(
            f"`score_col` and `customer_col` are both {score_col!r}; pass the column of "
            f"answers as score_col, e.g. score_col='nps'."
        )
    question = (
        f"Answers here are on {low:g}-{high:g}: check that you passed the right question "
        f"(the case's surveys['nps'] is on 0-10, surveys['csat'] on 1-5) or set "
        f"scale=(low, high)."
    )
    scores = _scores(surveys, score_col, "surveys", low, high, question)
    ids = pd.Index(surveys[customer_col].to_numpy(), name=customer_col)
    return scores.groupby(ids, sort=True).mean().rename(score_col)


# ---------------------------------------------------------------------------
# share of wallet
# ---------------------------------------------------------------------------


def _money(x: Any, arg: str) -> tuple[np.ndarray, pd.Index | None, bool]:
    """Values of a number, list, array or Series as floats; its index if it is a Series."""
    scalar = isinstance(x, numbers.Real) and not isinstance(x, bool)
    if isinstance(x, pd.Series):
        s = x
    elif scalar or isinstance(x, (list, tuple, np.ndarray)):
        s = _list_series([x] if scalar else x, arg, "a number or one-dimensional")
    else:
        raise TypeError(
            f"`{arg}` must be a number, a list/array or a Series of roubles; got "
            f"{type(x).__name__}."
        )
    if len(s) == 0:
        raise ValueError(f"`{arg}` is empty; pass at least one customer's spending.")
    v = check_numeric_values(s, arg)
    neg = v < 0
    if neg.any():
        raise ValueError(
            f"`{arg}` has {int(neg.sum())} negative value(s) (first at index "
            f"{first_labels(s.index, neg)}); spending is in roubles, >= 0."
        )
    return v, (s.index if isinstance(x, pd.Series) else None), scalar


def share_of_wallet(
    spend_with_us: Any, total_category_spend: Any
) -> float | np.ndarray | pd.Series:
    """Share of a customer's spending in the category that comes to us (доля кошелька).

    Parameters
    ----------
    spend_with_us : float, list, array or Series
        What each customer spent with us, roubles.
    total_category_spend : float, list, array or Series
        What each customer spent in the whole category (the "wallet"), roubles, > 0,
        at least ``spend_with_us``. Two Series must share the same index.

    Returns
    -------
    float for two numbers, a Series (on the inputs' index) if either is a Series, else
    a NumPy array; each share in [0, 1].

    Examples
    --------
    >>> share_of_wallet(3_000, 12_000)
    0.25
    >>> share_of_wallet(pd.Series([500.0, 800.0], index=[7, 9]), pd.Series([1000.0, 800.0], index=[7, 9]))
    7    0.5
    9    1.0
    Name: share_of_wallet, dtype: float64
    """
    spend, s_index, s_scalar = _money(spend_with_us, "spend_with_us")
    wallet, w_index, w_scalar = _money(total_category_spend, "total_category_spend")
    if len(spend) != len(wallet):
        raise ValueError(
            f"`spend_with_us` has {len(spend)} value(s) but `total_category_spend` has "
            f"{len(wallet)}; give one wallet per customer."
        )
    if s_index is not None and w_index is not None and not s_index.equals(w_index):
        raise ValueError(
            "`spend_with_us` and `total_category_spend` are Series with different indexes; "
            "align them first, e.g. total_category_spend.reindex(spend_with_us.index)."
        )
    index = s_index if s_index is not None else w_index
    shown = index if index is not None else pd.RangeIndex(len(spend))
    zero = wallet <= 0
    if zero.any():
        raise ValueError(
            f"`total_category_spend` has {int(zero.sum())} value(s) of 0 (first at index "
            f"{first_labels(shown, zero)}); a share of an empty wallet is undefined. Drop customers "
            f"with no spending in the category first."
        )
    over = spend > wallet
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise ValueError(
            f"`spend_with_us` exceeds `total_category_spend` for {int(over.sum())} customer(s) "
            f"(first at index {first_labels(shown, over)}: {spend[i]:g} > {wallet[i]:g} roubles). The "
            f"wallet must include what is spent with us; check the wallet estimate and that "
            f"both cover the same period."
        )
    share = spend / wallet
    if s_scalar and w_scalar:
        return float(share[0])
    if index is not None:
        return pd.Series(share, index=index, name="share_of_wallet")
    return share


# ---------------------------------------------------------------------------
# loyalty matrix
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoyaltyMatrix:
    """Dick & Basu classes per customer and a table of the four cells.

    Attributes
    ----------
    classes : Series
        Ordered categorical, one loyalty class per customer (index: the input's index,
        or its ``id_col``).
    table : DataFrame
        Indexed by :data:`LOYALTY_CLASSES`: ``customers``, ``share`` (of customers),
        ``mean_attitude``, ``mean_behaviour`` (NaN for an empty cell).
    attitude_threshold, behaviour_threshold : float
        The thresholds used: at or above is "high".
    """

    classes: pd.Series
    table: pd.DataFrame
    attitude_threshold: float
    behaviour_threshold: float


def _threshold(value: Any, arg: str, values: np.ndarray) -> float:
    if value is None:
        return float(np.median(values))
    x = check_in_range(value, arg)
    if not math.isfinite(x):
        raise ValueError(f"`{arg}` must be a finite number, got {x}.")
    return x


def loyalty_matrix(
    df: pd.DataFrame,
    attitude_col: str,
    behaviour_col: str,
    attitude_threshold: float | None = None,
    behaviour_threshold: float | None = None,
    *,
    id_col: str | None = None,
) -> LoyaltyMatrix:
    """Dick & Basu's loyalty matrix: relative attitude against repeat patronage.

    Parameters
    ----------
    df : DataFrame
        One row per customer with an attitude measure (e.g. mean NPS answer or
        satisfaction) and a behaviour measure (e.g. purchases per year, repeat
        purchases, share of wallet).
    attitude_col, behaviour_col : str
        The two measures' columns (numbers, no missing values).
    attitude_threshold, behaviour_threshold : float, optional
        A value at or above the threshold is "high". Default: the column's median.
    id_col : str, optional
        Column of customer ids to index the classes by; default the index of ``df``.

    Returns
    -------
    LoyaltyMatrix
        ``.classes`` per customer (true, latent, spurious or no loyalty), ``.table`` of
        counts and shares per class (its ``customers`` column is what
        :func:`rmlib.plots.loyalty_matrix` draws) and the thresholds used.

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": [1, 2, 3, 4], "nps": [10, 9, 3, 5],
    ...                           "purchases": [12, 1, 8, 2]})
    >>> m = loyalty_matrix(customers, "nps", "purchases", 9, 5, id_col="customer_id")
    >>> m.classes.tolist()
    ['true loyalty', 'latent loyalty', 'spurious loyalty', 'no loyalty']
    >>> m.table[["customers", "share"]]
                      customers  share
    loyalty
    true loyalty              1   0.25
    latent loyalty            1   0.25
    spurious loyalty          1   0.25
    no loyalty                1   0.25
    """
    cols = [attitude_col, behaviour_col] + ([id_col] if id_col is not None else [])
    check_frame(df, "df", cols)
    att = check_numeric(df, "df", attitude_col)
    beh = check_numeric(df, "df", behaviour_col)
    a_cut = _threshold(attitude_threshold, "attitude_threshold", att)
    b_cut = _threshold(behaviour_threshold, "behaviour_threshold", beh)
    if id_col is not None:
        check_no_missing(df, "df", id_col)
        index = check_unique_ids(
            df,
            "df",
            id_col,
            f"give one row per customer, e.g. aggregate with df.groupby({id_col!r}).mean().",
        )
    else:
        index = df.index.copy()
    high_a, high_b = att >= a_cut, beh >= b_cut
    codes = np.where(high_a, np.where(high_b, 0, 1), np.where(high_b, 2, 3))
    dtype = pd.CategoricalDtype(list(LOYALTY_CLASSES), ordered=True)
    classes = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=index, name="loyalty")
    counts = np.bincount(codes, minlength=4)
    sums_a = np.bincount(codes, weights=att, minlength=4)
    sums_b = np.bincount(codes, weights=beh, minlength=4)
    nonempty = counts > 0
    safe = np.where(nonempty, counts, 1)
    table = pd.DataFrame(
        {
            "customers": counts.astype("int64"),
            "share": counts / len(codes),
            "mean_attitude": np.where(nonempty, sums_a / safe, np.nan),
            "mean_behaviour": np.where(nonempty, sums_b / safe, np.nan),
        },
        index=pd.Index(list(LOYALTY_CLASSES), name="loyalty"),
    )
    return LoyaltyMatrix(classes, table, a_cut, b_cut)


# ---------------------------------------------------------------------------
# profitability pyramid
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfitabilityPyramid:
    """Customer tiers by profit and a table of the tiers.

    Attributes
    ----------
    tiers : Series
        Ordered categorical tier per customer, indexed by customer id, most
        profitable tier first in the categories.
    table : DataFrame
        One row per tier, most profitable first: ``customers``, ``customer_share``,
        ``profit``, ``profit_share`` (of total profit; NaN when the total is not
        positive), ``mean_profit``, ``min_profit`` and ``loss_making`` (customers with
        profit below zero).
    """

    tiers: pd.Series
    table: pd.DataFrame


def _check_tiers(tiers: Any) -> dict[str, float]:
    if not isinstance(tiers, Mapping) or len(tiers) < 2:
        raise TypeError(
            "`tiers` must be a dict of tier name -> share of customers with at least two "
            "tiers, most profitable first, e.g. {'platinum': 0.05, 'gold': 0.15, "
            f"'iron': 0.3, 'lead': 0.5}}; got {tiers!r}."
        )
    out = {}
    for name, share in tiers.items():
        out[str(name)] = check_in_range(
            share,
            f"tiers[{name!r}]",
            0,
            1,
            low_inclusive=False,
            hint="Each tier's share of customers is a fraction, e.g. 0.05 for 5%.",
        )
    total = sum(out.values())
    if abs(total - 1) > 1e-9:
        raise ValueError(
            f"the shares in `tiers` must add up to 1 (every customer in one tier); they add "
            f"up to {total:g}. Adjust the last tier to take the rest."
        )
    return out


def _profit_per_customer(data: Any, customer_col: str, margin_col: str) -> pd.Series:
    if isinstance(data, pd.DataFrame):
        check_customer_frame(data, "profit", customer_col, [margin_col])
        check_numeric(data, "profit", margin_col)
        return data.groupby(customer_col, sort=True)[margin_col].sum().astype("float64")
    return check_customer_values(_as_series(data, margin_col, "profit"), "profit", "margin_col")


def profitability_pyramid(
    profit: Any,
    tiers: Mapping[str, float] | None = None,
    *,
    method: str = "rank",
    losses_last: bool = True,
    customer_col: str = "customer_id",
    margin_col: str = "margin",
    profit_col: str | None = None,
) -> ProfitabilityPyramid:
    """The customer pyramid: tiers of customers by the profit they bring.

    Parameters
    ----------
    profit : Series, DataFrame or list
        Profit per customer: a Series indexed by customer id, a DataFrame with
        ``customer_col`` and ``margin_col`` (rows are added up per customer, so a
        transaction log with a margin column works), or a list (customers 0, 1, ...).
        Negative profit (a loss-making customer) is allowed.
    tiers : dict, optional
        Tier name -> share of customers, most profitable tier first; shares in (0, 1]
        adding up to 1. Default :data:`DEFAULT_TIERS` (platinum 5%, gold 15%, iron 30%,
        lead 50%).
    method : {"rank", "quantile"}
        ``"rank"``: customers ranked by profit (ties by ascending id); the top tier is
        the first ``ceil(share * n)`` of them, the next tier the next ones up to the
        rounded-up running share, and so on, so tier sizes match the shares as closely
        as whole customers allow. ``"quantile"``: a customer is in a tier when their
        profit is above the profit quantile at one minus the running share (ties stay
        together in the lower tier), as the case's ``truth.value_tier`` is built.
    losses_last : bool
        If True, every customer with negative profit goes to the last tier whatever
        their rank: a customer who costs money is "lead" (Zeithaml, Rust & Lemon).
    customer_col, margin_col : str
        Columns used when ``profit`` is a DataFrame: the margin of each row is
        the profit it brings.
    profit_col : str, optional
        Former name of ``margin_col`` (deprecated: one name for the margin
        column across rmlib).

    Returns
    -------
    ProfitabilityPyramid
        ``.tiers`` per customer and ``.table`` per tier.

    Examples
    --------
    >>> profit = pd.Series([900.0, 400.0, 300.0, 100.0, 50.0, 20.0, 10.0, 0.0, -30.0, -80.0],
    ...                    index=range(1, 11))
    >>> pyr = profitability_pyramid(profit, {"platinum": 0.1, "gold": 0.2, "iron": 0.3,
    ...                                      "lead": 0.4})
    >>> pyr.tiers.tolist()[:4]
    ['platinum', 'gold', 'gold', 'iron']
    >>> pyr.table[["customers", "profit", "profit_share", "loss_making"]]
              customers  profit  profit_share  loss_making
    tier
    platinum          1   900.0      0.538922            0
    gold              2   700.0      0.419162            0
    iron              3   170.0      0.101796            0
    lead              4  -100.0     -0.059880            2
    """
    shares = _check_tiers(DEFAULT_TIERS if tiers is None else tiers)
    check_one_of(method, "method", ["rank", "quantile"])
    if not isinstance(losses_last, bool):
        raise TypeError(f"`losses_last` must be True or False, got {losses_last!r}.")
    margin_col = renamed(
        "profitability_pyramid",
        "profit_col",
        profit_col,
        "margin_col",
        margin_col,
        "margin",
        "the margin column is `margin_col` across rmlib",
    )
    values = _profit_per_customer(profit, customer_col, margin_col)
    v = values.to_numpy()
    n = len(v)
    names = list(shares)
    running = np.cumsum(list(shares.values()))
    running[-1] = 1.0
    codes = np.full(n, len(names) - 1, dtype=np.int64)
    if method == "rank":
        try:
            order_index = values.index.argsort(kind="stable")
        except TypeError:  # ids of mixed types cannot be ordered: keep the given order
            order_index = np.arange(n)
        by_id = v[order_index]
        order = order_index[np.argsort(-by_id, kind="stable")]
        bounds = np.ceil(np.round(running * n, 9)).astype(np.int64)
        rank_codes = np.searchsorted(bounds, np.arange(n), side="right")
        codes[order] = np.minimum(rank_codes, len(names) - 1)
    else:
        cuts = np.quantile(v, np.round(1 - running[:-1], 12))
        for k in range(len(names) - 2, -1, -1):
            codes[v > cuts[k]] = k
    if losses_last:
        codes[v < 0] = len(names) - 1
    dtype = pd.CategoricalDtype(names, ordered=True)
    tier_s = pd.Series(
        pd.Categorical.from_codes(codes, dtype=dtype), index=values.index, name="tier"
    )
    k = len(names)
    counts = np.bincount(codes, minlength=k)
    total = float(v.sum())
    profit_by = np.bincount(codes, weights=v, minlength=k)
    nonempty = counts > 0
    mins = np.full(k, np.nan)
    np.fmin.at(mins, codes, v)
    table = pd.DataFrame(
        {
            "customers": counts.astype("int64"),
            "customer_share": counts / n,
            "profit": profit_by,
            "profit_share": profit_by / total if total > 0 else np.full(k, np.nan),
            "mean_profit": np.where(nonempty, profit_by / np.where(nonempty, counts, 1), np.nan),
            "min_profit": mins,
            "loss_making": np.bincount(codes, weights=(v < 0), minlength=k).astype("int64"),
        },
        index=pd.Index(names, name="tier"),
    )
    return ProfitabilityPyramid(tier_s, table)
