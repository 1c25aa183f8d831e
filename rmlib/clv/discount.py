"""Discounted CLV per customer from a fitted BG/NBD and Gamma-Gamma pair."""

from __future__ import annotations

import math

import numpy as np

from rmlib._validate import check_discount_rate, check_in_range, renamed
from rmlib.clv._inputs import _rfm_inputs, _wrap
from rmlib.clv.bgnbd import BetaGeoModel, _check_unit, _guard
from rmlib.clv.gammagamma import GammaGammaModel

# Most discounting steps of discounted_clv (a horizon of 100 years of weeks is 5,200).
_MAX_STEPS = 100_000


def discounted_clv(
    bgnbd: BetaGeoModel,
    gg: GammaGammaModel,
    frequency,
    recency,
    T,
    monetary_value,
    horizon: float = 52.0,
    discount_rate: float = 0.10,
    period_length: float = 52.0 / 12,
    margin_rate: float = 1.0,
    units_per_year: float = 52.0,
    *,
    period: float | None = None,
    margin: float | None = None,
):
    """Discounted customer lifetime value over a horizon, per customer.

    The horizon is cut into periods of length ``period_length``; the value is ::

        CLV = margin_rate * E[spend] * sum_k (E[Y(s_k)] - E[Y(s_{k-1})]) / (1 + d)**(s_k / units_per_year)

    where ``s_k = min(k * period_length, horizon)`` are the period ends,
    ``E[Y(s)]`` the BG/NBD expected purchases by time ``s``
    (:meth:`BetaGeoModel.expected_purchases`), ``E[spend]`` the Gamma-Gamma
    expected spend per purchase (:meth:`GammaGammaModel.expected_spend`)
    and ``d`` the *yearly* discount rate: the money of each period is
    discounted from the period's end, so with the defaults (a model fitted
    in weeks, 52-week horizon, months of 52/12 weeks) it is 12 monthly
    cash flows discounted at ``(1 + d)**(1/12) - 1`` a month.

    Parameters
    ----------
    bgnbd : BetaGeoModel
        A fitted purchase model.
    gg : GammaGammaModel
        A fitted spend model.
    frequency, recency, T, monetary_value : Series, array, list or number
        The customers' summary, as in :func:`rmlib.rfm.clv_summary` (the time
        unit of the data the models were fitted on).
    horizon : float, default 52
        Length of the future to value, in the models' time unit (52 weeks = a year).
    discount_rate : float, default 0.10
        Yearly discount rate, > -1 (0.10 for 10% a year).
    period_length : float, default 52/12
        Length of one discounting step in the models' time unit (a month of
        weeks by default). The last step ends at ``horizon``.
    margin_rate : float, default 1.0
        Share of the spend that is profit, in [0, 1]; 1 values revenue.
    units_per_year : float, default 52
        Time units in a year (52 for weeks, 365 for days, 12 for months).
    period, margin
        Former names of ``period_length`` and ``margin_rate`` (deprecated:
        elsewhere in rmlib ``period`` is a calendar code such as ``"M"`` and
        ``margin`` an amount of money).

    Returns
    -------
    Series, ndarray or float
        CLV per customer, in the money unit of ``monetary_value``, shaped like
        the inputs (a Series named ``"clv"`` with the input's index when given
        Series).

    Examples
    --------
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)
    >>> round(discounted_clv(bg, gg, 2, 30.43, 38.86, 22.35, discount_rate=0.0), 2)
    38.44
    >>> round(discounted_clv(bg, gg, 2, 30.43, 38.86, 22.35, discount_rate=0.15), 2)
    35.85
    """
    if not isinstance(bgnbd, BetaGeoModel):
        raise TypeError(
            f"`bgnbd` must be a fitted BetaGeoModel, got {type(bgnbd).__name__}; "
            f"fit one with BetaGeoModel().fit(frequency, recency, T)."
        )
    if not isinstance(gg, GammaGammaModel):
        raise TypeError(
            f"`gg` must be a fitted GammaGammaModel, got {type(gg).__name__}; "
            f"fit one with GammaGammaModel().fit(frequency, monetary_value)."
        )
    bgnbd._require_fit()
    gg._require_fit()
    period_length = renamed("discounted_clv", "period", period, "period_length", period_length,
                            52.0 / 12, "in rmlib `period` is a calendar code such as 'M'")  # fmt: skip
    margin_rate = renamed("discounted_clv", "margin", margin, "margin_rate", margin_rate, 1.0,
                          "in rmlib `margin` is money, a share of spend is `margin_rate`")  # fmt: skip
    h = check_in_range(
        horizon, "horizon", 0, low_inclusive=False, hint="E.g. 52 for a year of weeks."
    )
    step = check_in_range(
        period_length,
        "period_length",
        0,
        low_inclusive=False,
        hint="E.g. 52/12 for months of weeks.",
    )
    d = check_discount_rate(discount_rate)
    mrg = check_in_range(
        margin_rate, "margin_rate", 0, 1, hint="The margin rate is a share of spend: 0.25 for 25%."
    )
    upy = check_in_range(
        units_per_year, "units_per_year", 0, low_inclusive=False, hint="E.g. 52 for weeks."
    )
    x, t_x, T_, m, index, scalar = _rfm_inputs(frequency, recency, T, monetary_value=monetary_value)
    _check_unit(bgnbd, T_)
    spend = gg.expected_spend(x, m)
    p_alive = bgnbd._p_alive(x, t_x, T_)  # the same at every period end
    n_steps = max(1, math.ceil(h / step - 1e-9))
    if n_steps > _MAX_STEPS:
        raise ValueError(
            f"`horizon` / `period_length` = {h:g} / {step:g} makes {n_steps:,} discounting "
            f"steps (at most {_MAX_STEPS:,}): `period_length` is one discounting step in the "
            f"models' time unit, e.g. period_length=52/12 for months when the models were "
            f"fitted in weeks."
        )
    ends = np.minimum(np.arange(1, n_steps + 1) * step, h)
    total = np.zeros(len(x))
    previous = np.zeros(len(x))
    for s in ends:
        cum = bgnbd._purchases(float(s), x, T_, p_alive)
        total += (cum - previous) / (1 + d) ** (s / upy)
        previous = cum
    _guard(bgnbd, previous, bgnbd._bound(float(ends[-1]), x, t_x), "expected purchases")
    return _wrap(mrg * spend * total, index, scalar, "clv")
