"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

:class:`BetaGeoModel` (fit, P(alive), expected purchases, simulation), its
likelihood :class:`_BGNBDLikelihood`, the guards that refuse numerically
failed predictions or a summary in another time unit, and
:func:`holdout_check`, the calibration/holdout check of the fitted model.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from rmlib._validate import (
    check_frame,
    check_numeric,
    check_positive_int,
    check_random_state,
    first_labels,
)
from rmlib.clv._fit import _Fitted, _minimise, _penalised
from rmlib.clv._inputs import _check_penalizer, _check_t, _common, _rfm_inputs, _wrap
from rmlib.clv._special import _bgnbd_bracket

# Fits on more customers than this start from a fit on an evenly spaced subsample this big.
_SUBSAMPLE = 50_000
# A summary whose median T differs from the fitted one by this factor or more is likely in
# another time unit (days vs weeks: 7, weeks vs months: 4.3).
_UNIT_RATIO = 4.0


def _guard(model, values: np.ndarray, bound: np.ndarray, what: str) -> np.ndarray:
    """Raise if BG/NBD predictions are not finite or exceed what the model allows.

    ``bound`` is an upper limit that holds for any parameters: purchases by
    time ``t`` cannot exceed ``t`` times the posterior mean rate
    ``(r + x) / (alpha + t_x)`` (dropping out only lowers them). A value
    beyond it is a numerical failure of the formula, not a prediction.
    """
    bad = ~np.isfinite(values) | (values > bound * (1 + 1e-6) + 1e-9)
    if bad.any():
        shown = ", ".join(f"{k}={v:.4g}" for k, v in model.params_.items())
        raise ValueError(
            f"{type(model).__name__} ({shown}) cannot compute {what} for {int(bad.sum())} "
            f"customer(s) (first at position {first_labels(np.arange(bad.size), bad)}): the "
            f"parameters are at the edge of what the formula can evaluate, which usually means "
            f"the fit had too little data (e.g. very few repeat buyers). Refit on more "
            f"customers or with a small penalty, e.g. BetaGeoModel(penalizer=0.001)."
        )
    return values


def _check_unit(model, T_: np.ndarray) -> None:
    """Warn if ``T`` looks like it is in another time unit than the data of the fit."""
    fitted = getattr(model, "median_T_", None)
    if fitted is None or T_.size < 2 or not fitted > 0:
        return
    median = float(np.median(T_))
    ratio = median / fitted
    if ratio >= _UNIT_RATIO or 0 < ratio <= 1 / _UNIT_RATIO:
        warnings.warn(
            f"the median `T` of these customers ({median:.4g}) is {ratio:.3g} times the median T "
            f"of the data {type(model).__name__} was fitted on ({fitted:.4g}): are they in "
            f"another time unit (e.g. days vs weeks)? Build both summaries with the same "
            f"clv_summary(..., freq=...).",
            UserWarning,
            stacklevel=3,
        )


class BetaGeoModel(_Fitted):
    """The BG/NBD ("beta-geometric / negative binomial") model of repeat purchasing.

    While a customer is alive they buy as a Poisson process with rate
    ``lambda``; after each repeat purchase they leave for good with
    probability ``p``. Across customers ``lambda ~ Gamma(shape r, rate
    alpha)`` and ``p ~ Beta(a, b)`` (Fader, Hardie & Lee 2005).

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty ``penalizer * (r**2 + (alpha / max(T))**2 + a**2 + b**2)``
        added to the *mean* negative log-likelihood per customer; ``alpha`` is
        measured in units of the longest ``T`` so that the penalty does not
        depend on the time unit. This is the convention of ``lifetimes``
        (which rescales time so that the longest ``T`` is 1), so the same
        value gives the same estimates there. Use a small value (e.g. 0.001)
        when the fit drifts to extreme values because few customers have
        repeat purchases.

    Attributes
    ----------
    params_ : dict
        ``{"r", "alpha", "a", "b"}``, in the time unit of the data.
    log_likelihood_ : float
        Maximised total log-likelihood (sum over customers, without the penalty).
    standard_errors_ : dict
        Standard errors of ``params_`` on the natural scale: the inverse of the
        numerical Hessian of the negative log-likelihood (penalty included)
        in log-parameters, transformed by the delta method. NaN when that
        Hessian is not positive definite.
    n_customers_ : int
        Number of customers the model was fitted on.
    converged_ : bool
        True if the optimiser reached an interior optimum with a vanishing
        gradient; if not, ``fit`` warns with a :class:`ConvergenceWarning`.

    Examples
    --------
    Fit on the CDNOW calibration summary (see the module example) or on any
    ``frequency, recency, T``; predict for one customer or for many:

    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(bg.prob_alive(frequency=2, recency=30.43, T=38.86), 3)
    0.727
    >>> round(bg.expected_purchases(39, frequency=2, recency=30.43, T=38.86), 3)
    1.226
    """

    _names = ("r", "alpha", "a", "b")
    _fit_call = "frequency, recency, T"

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    # -- fitting --------------------------------------------------------------------------
    def fit(self, frequency, recency, T) -> BetaGeoModel:
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency : Series, array or list of int
            Number of repeat purchases per customer (>= 0).
        recency : Series, array or list of float
            Time from the first to the last purchase (0 if ``frequency`` is 0).
        T : Series, array or list of float
            Time from the first purchase to the end of observation (>= recency).

        Returns
        -------
        BetaGeoModel
            ``self``, fitted.

        Raises
        ------
        TypeError
            If an input is not numeric.
        ValueError
            If an input is empty, missing, infinite or negative, ``frequency``
            is not whole, ``recency > T``, recency is positive for a customer
            without repeat purchases, the inputs differ in length, or
            ``penalizer`` is negative.
        """
        pen = _check_penalizer(self.penalizer)
        x, t_x, T_, _, _ = _rfm_inputs(frequency, recency, T)
        if not np.any(x > 0):
            raise ValueError(
                "`frequency` is 0 for every customer: with no repeat purchases the purchase "
                "rate and the dropout cannot be estimated. Use a longer observation period "
                "or more customers."
            )
        if not np.any(T_ > 0):
            raise ValueError(
                "`T` is 0 for every customer: nobody has been observed for any time after "
                "their first purchase, so there is nothing to fit. Use a later observation end."
            )
        nll = _BGNBDLikelihood(x, t_x, T_)
        n = len(x)
        # the penalty sees alpha in units of the longest T, so it does not depend on the unit
        scale = np.array([1.0, 1.0 / float(T_.max()), 1.0, 1.0])
        fun_grad = _penalised(nll, n, pen, scale)
        rate = max(float(x.sum()), 1.0) / max(float(T_.sum()), 1e-12)
        theta0 = np.log([1.0, 1.0 / rate, 1.0, 1.0])
        start = None
        if n > _SUBSAMPLE:  # a start from an evenly spaced subsample: far fewer full passes
            every = n // _SUBSAMPLE
            sub = _BGNBDLikelihood(x[::every], t_x[::every], T_[::every])
            start = _penalised(sub, sub.n, pen, scale)
        theta, hess, converged = _minimise(fun_grad, theta0, n, start)
        self.median_T_ = float(np.median(T_))
        return self._store_fit(nll, theta, hess, n, converged)

    # -- predictions ----------------------------------------------------------------------
    def _logit_dead(self, x, t_x, T_) -> np.ndarray:
        """log of the odds that the customer has left: ``-logit P(alive)``; -inf when x = 0."""
        r, alpha, a, b = self._require_fit()
        out = np.full(x.shape, -np.inf)
        pos = x > 0
        xp = x[pos]
        out[pos] = (
            np.log(a)
            - np.log(b + xp - 1)
            + (r + xp) * (np.log(alpha + T_[pos]) - np.log(alpha + t_x[pos]))
        )
        return out

    def prob_alive(self, frequency, recency, T):
        """Probability that each customer is still alive at the end of observation.

        ``P(alive) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))**(r + x))``
        (Fader, Hardie & Lee 2005, note 008): a customer without repeat
        purchases is alive for sure in BG/NBD (nobody leaves before their
        first repeat purchase).

        Parameters
        ----------
        frequency, recency, T : Series, array, list or number
            As in :meth:`fit`.

        Returns
        -------
        Series, ndarray or float
            A Series with the input's index when given Series, a float when
            given numbers, else an array. Values in [0, 1].

        Examples
        --------
        >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> bg.prob_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3)
        array([1.   , 0.727, 0.124])
        """
        self._require_fit()
        x, t_x, T_, index, scalar = _rfm_inputs(frequency, recency, T)
        _check_unit(self, T_)
        p = _guard(self, self._p_alive(x, t_x, T_), np.ones(len(x)), "P(alive)")
        return _wrap(p, index, scalar, "prob_alive")

    def _p_alive(self, x, t_x, T_) -> np.ndarray:
        """P(alive) of validated customers (arrays)."""
        return special.expit(-self._logit_dead(x, t_x, T_))

    def _purchases(self, t: float, x, T_, p_alive) -> np.ndarray:
        """E[Y(t)] of validated customers whose P(alive) is known (see :meth:`expected_purchases`)."""
        r, alpha, a, b = self._require_fit()
        return _bgnbd_bracket(r, a, b, x, t / (alpha + T_ + t)) * p_alive

    def expected_purchases(self, t, frequency, recency, T):
        """Expected number of purchases in the next ``t`` time units, per customer.

        FHL 2005, eq. 10: ``E[Y(t) | x, t_x, T] =
        (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))**(r + x)
        * 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))] * P(alive)``.

        Computed in Euler's transformed form ``(1 - z)**(a - 1) * 2F1(a + b - 1 - r,
        a - 1; a + b + x - 1; z)`` with ``z = t / (alpha + T + t)``, whose series
        terms shrink as ``x`` grows; the untransformed form multiplies a huge
        hypergeometric value by a tiny power and overflows (NaN) for very
        frequent buyers. At ``a = 1`` the formula is 0/0; within 1e-5 of it the
        value is interpolated linearly between ``a = 1 - 1e-5`` and
        ``a = 1 + 1e-5`` (relative error about 1e-10).

        Parameters
        ----------
        t : float
            Length of the forecast period (>= 0), in the time unit of the data.
        frequency, recency, T : Series, array, list or number
            As in :meth:`fit`.

        Returns
        -------
        Series, ndarray or float
            Shaped like the inputs (see :meth:`prob_alive`); >= 0, and
            non-decreasing in ``t``.

        Examples
        --------
        >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(bg.expected_purchases(39, 0, 0.0, 38.86), 4)
        0.1951
        """
        self._require_fit()
        t_ = _check_t(t)
        if t_.ndim != 0:
            raise ValueError(
                f"`t` must be one number (a forecast length), got shape {t_.shape}; call "
                f"the method once per horizon."
            )
        x, t_x, T_, index, scalar = _rfm_inputs(frequency, recency, T)
        _check_unit(self, T_)
        value = self._purchases(float(t_), x, T_, self._p_alive(x, t_x, T_))
        _guard(self, value, self._bound(float(t_), x, t_x), "expected purchases")
        return _wrap(value, index, scalar, "expected_purchases")

    def _bound(self, t: float, x, t_x) -> np.ndarray:
        """Most purchases by time ``t`` any customer can be expected to make (see _guard)."""
        r, alpha, _, _ = self._require_fit()
        return t * (r + x) / (alpha + t_x)

    def simulate(self, T, random_state=None) -> pd.DataFrame:
        """Simulate customers from the model: their summary and whether they are alive.

        Each customer draws ``lambda ~ Gamma(r, rate alpha)`` and
        ``p ~ Beta(a, b)``; over ``(0, T]`` they would buy ``N ~ Poisson(lambda
        T)`` times if they never left, and they leave at their ``K``-th repeat
        purchase, ``K ~ Geometric(p)``; so ``frequency = min(N, K)`` and the
        last purchase is the ``frequency``-th of ``N`` uniform times on
        ``(0, T]``, i.e. ``recency = T * Beta(frequency, N - frequency + 1)``.
        Exact and vectorised (no per-purchase loop).

        Parameters
        ----------
        T : Series, array, list or number
            Observation length of each customer (> 0 for useful data).
        random_state : int or numpy.random.Generator
            Seed or generator; required, so that results are reproducible.

        Returns
        -------
        DataFrame
            ``frequency`` (int), ``recency``, ``T`` and ``alive`` (bool: still a
            customer at ``T``), one row per customer (index of ``T`` if a Series).

        Examples
        --------
        >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> sim = bg.simulate([39.0] * 100_000, random_state=1)
        >>> refit = BetaGeoModel().fit(sim["frequency"], sim["recency"], sim["T"])
        >>> {k: round(v, 1) for k, v in refit.params_.items()}
        {'r': 0.2, 'alpha': 4.5, 'a': 0.8, 'b': 2.3}
        """
        r, alpha, a, b = self._require_fit()
        if random_state is None:
            raise ValueError("`random_state` is required: pass an int seed or a Generator.")
        rng = check_random_state(random_state)
        arrs, index, _ = _common({"T": T})
        T_ = np.array(arrs["T"])
        n = len(T_)
        lam = rng.gamma(r, 1 / alpha, n)
        p = np.clip(rng.beta(a, b, n), 1e-300, 1.0)
        n_events = rng.poisson(lam * T_)
        k_death = rng.geometric(p)
        x = np.minimum(n_events, k_death)
        t_x = np.zeros(n)
        pos = x > 0
        t_x[pos] = T_[pos] * rng.beta(x[pos], n_events[pos] - x[pos] + 1)
        return pd.DataFrame(
            {"frequency": x.astype(np.int64), "recency": t_x, "T": T_, "alive": n_events < k_death},
            index=index,
        )

    def expected_purchases_new(self, t):
        """Expected number of repeat purchases of a new customer in ``t`` time units.

        FHL 2005, eq. 7: ``E[X(t)] = (a + b - 1) / (a - 1) * [1 - (alpha / (alpha
        + t))**r * 2F1(r, b; a + b - 1; t / (alpha + t))]``, computed like
        :meth:`expected_purchases` (it is that formula at ``x = t_x = T = 0``).

        Parameters
        ----------
        t : float or array of float
            Time since the first purchase (>= 0).

        Returns
        -------
        float or ndarray
            Shaped like ``t``.

        Examples
        --------
        >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> bg.expected_purchases_new([0, 39, 78]).round(3)
        array([0.   , 1.197, 1.861])
        """
        r, alpha, a, b = self._require_fit()
        t_ = _check_t(t)
        tt = np.atleast_1d(t_)
        value = _bgnbd_bracket(r, a, b, np.zeros(tt.shape), tt / (alpha + tt))
        _guard(self, value, tt * r / alpha, "expected purchases")
        return float(value[0]) if t_.ndim == 0 else value


class _BGNBDLikelihood:
    """Negative BG/NBD log-likelihood (FHL 2005, eq. 6) and its gradient in log-parameters.

    Per customer, with ``d = log(a / (b + x - 1)) + (r + x) log((alpha + T) / (alpha + t_x))``
    (``-inf`` when ``x = 0``)::

        LL = lnG(r + x) - lnG(r) + r ln(alpha) - (r + x) ln(alpha + T)
             + lnB(a, b + x) - lnB(a, b) + log(1 + exp(d))

    Special functions depend on the customer only through ``x``, so they are
    evaluated once per distinct ``x`` and gathered; the repeat buyers are
    stored first, so their rows are a contiguous slice (no copies per call).
    """

    def __init__(self, x, t_x, T_):
        order = np.argsort(x == 0, kind="stable")
        x, t_x, T_ = x[order], t_x[order], T_[order]
        self.n_pos = int(np.count_nonzero(x > 0))
        self.ux, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
        self.counts = counts.astype(np.float64)
        self.x, self.T = x, T_
        p = slice(0, self.n_pos)
        self.xp, self.tx_p, self.inv_p = x[p], t_x[p], inv[p]
        self.n = len(x)

    def __call__(self, theta):
        r, alpha, a, b = np.exp(theta)
        ux, c, n, k = self.ux, self.counts, self.n, self.n_pos
        # terms that depend only on x, per distinct x, weighted by counts
        per_x = (
            special.gammaln(r + ux)
            - special.gammaln(r)
            + special.betaln(a, b + ux)
            - special.betaln(a, b)
        )
        dig_rx = special.digamma(r + ux) - special.digamma(r)
        dig_abx = special.digamma(a + b) - special.digamma(a + b + ux)
        dig_bx = special.digamma(b + ux) - special.digamma(b)
        ll = float(c @ per_x) + n * r * np.log(alpha)
        g_r = float(c @ dig_rx) + n * np.log(alpha)
        g_alpha = n * r / alpha
        g_a = float(c @ dig_abx)
        g_b = float(c @ (dig_bx + dig_abx))

        x = self.x
        log_aT = np.log(alpha + self.T)
        inv_aT = 1.0 / (alpha + self.T)
        ll -= r * float(log_aT.sum()) + float(x @ log_aT)
        g_r -= float(log_aT.sum())
        g_alpha -= r * float(inv_aT.sum()) + float(x @ inv_aT)
        if k == 0:
            return -ll, -np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])

        # repeat buyers: the "left after the last purchase" term, through d
        xp = self.xp
        rxp = r + xp
        log_ratio = log_aT[:k] - np.log(alpha + self.tx_p)
        lab = np.log(a) - np.log(b + ux - 1, where=ux > 0, out=np.zeros_like(ux))
        d = lab[self.inv_p] + rxp * log_ratio
        ll += float(np.sum(np.maximum(d, 0.0) + np.log1p(np.exp(-np.abs(d)))))
        w = special.expit(d)
        g_r += float(w @ log_ratio)
        g_alpha += float((w * rxp) @ (inv_aT[:k] - 1.0 / (alpha + self.tx_p)))
        g_a += float(w.sum()) / a
        w_by_x = np.bincount(self.inv_p, weights=w, minlength=len(ux))
        g_b -= float(w_by_x[ux > 0] @ (1.0 / (b + ux[ux > 0] - 1)))

        grad = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
        return -ll, -grad


def holdout_check(
    bgnbd: BetaGeoModel, summary: pd.DataFrame, max_frequency: int = 7
) -> pd.DataFrame:
    """Predicted against actual holdout purchases, by number of calibration repeat purchases.

    The check of Fader, Hardie & Lee (2005, fig. 4): group the customers by
    ``frequency`` in the calibration period (the last group is
    ``max_frequency`` and more) and compare the mean number of purchases they
    made in the holdout with the mean the model expects
    (:meth:`BetaGeoModel.expected_purchases` over ``duration_holdout``).

    Parameters
    ----------
    bgnbd : BetaGeoModel
        Fitted on the calibration columns of ``summary``.
    summary : DataFrame
        From :func:`rmlib.rfm.calibration_holdout_summary`. Not modified.
    max_frequency : int, default 7
        Customers with this many calibration repeat purchases or more form the last group.

    Returns
    -------
    DataFrame
        Indexed by ``frequency`` (the last label is e.g. ``"7+"``), then ``"all"``:
        ``customers``, ``actual`` and ``predicted`` (mean holdout purchases per
        customer) and ``actual_total``, ``predicted_total``.

    Examples
    --------
    >>> from rmlib.datasets import load_cdnow
    >>> from rmlib.rfm import calibration_holdout_summary
    >>> s = calibration_holdout_summary(load_cdnow(), "1997-09-30", date_col="date")
    >>> bg = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
    >>> check = holdout_check(bg, s)
    >>> check.loc["all", ["actual_total", "predicted_total"]].round(0).tolist()
    [1882.0, 1653.0]
    """
    if not isinstance(bgnbd, BetaGeoModel):
        raise TypeError(
            f"`bgnbd` must be a fitted BetaGeoModel, got {type(bgnbd).__name__}; "
            f"fit one with BetaGeoModel().fit(s['frequency'], s['recency'], s['T'])."
        )
    cols = ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"]
    check_frame(summary, "summary", cols)
    top = check_positive_int(max_frequency, "max_frequency")
    duration = check_numeric(summary, "summary", "duration_holdout")
    if np.ptp(duration) > 1e-9:
        raise ValueError(
            "column 'duration_holdout' of `summary` differs between customers; build the "
            "summary with rmlib.rfm.calibration_holdout_summary (one holdout for everyone)."
        )
    actual = check_numeric(summary, "summary", "frequency_holdout")
    predicted = np.asarray(
        bgnbd.expected_purchases(
            float(duration[0]), summary["frequency"], summary["recency"], summary["T"]
        ),
        dtype=np.float64,
    )
    freq = summary["frequency"].to_numpy()
    labels = np.where(freq >= top, f"{top}+", freq.astype(np.int64).astype(str))
    order = [str(k) for k in range(top)] + [f"{top}+"]
    per = pd.DataFrame({"group": labels, "actual": actual, "predicted": predicted})
    g = per.groupby("group")
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "actual": g["actual"].mean(),
            "predicted": g["predicted"].mean(),
            "actual_total": g["actual"].sum(),
            "predicted_total": g["predicted"].sum(),
        }
    ).reindex([k for k in order if k in set(labels)])
    out.loc["all"] = [
        len(per),
        actual.mean(),
        predicted.mean(),
        actual.sum(),
        predicted.sum(),
    ]
    out["customers"] = out["customers"].astype(np.int64)
    out.index.name = "frequency"
    return out
