"""The Gamma-Gamma model of the spend per purchase (Fader & Hardie 2013).

:class:`GammaGammaModel` (fit on the repeat buyers' mean spends, expected
spend per customer) and its likelihood :class:`_GGLikelihood`.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from rmlib.clv._fit import _Fitted, _minimise, _penalised
from rmlib.clv._inputs import _check_penalizer, _first_positions, _spend_inputs, _wrap


class GammaGammaModel(_Fitted):
    """The Gamma-Gamma model of the spend per purchase.

    Each amount a customer pays is ``Gamma(shape p, rate nu)``, so the
    customer's mean spend is ``p / nu``; across customers ``nu ~ Gamma(shape
    q, rate v)``. The population mean of the mean spend is ``p v / (q - 1)``
    (finite when ``q > 1``). Fader & Hardie call ``v`` gamma. The model
    assumes spend is independent of how often a customer buys; check that the
    correlation of ``frequency`` and ``monetary_value`` among repeat buyers is
    weak before trusting it.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty ``penalizer * (p**2 + q**2 + v**2)`` added to the mean
        negative log-likelihood (as in ``lifetimes``).

    Attributes
    ----------
    params_ : dict
        ``{"p", "q", "v"}``; ``v`` is in money units.
    log_likelihood_ : float
        Maximised total log-likelihood of the repeat buyers' mean spends.
    standard_errors_ : dict
        As for :class:`BetaGeoModel`.
    n_customers_ : int
        Number of customers the model was fitted on (the repeat buyers).
    converged_ : bool

    Examples
    --------
    >>> gg = GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)
    >>> round(gg.population_mean_spend(), 2)
    35.22
    >>> gg.expected_spend([0, 1, 10], [0.0, 20.0, 20.0]).round(2)
    array([35.22, 24.64, 20.64])
    """

    _names = ("p", "q", "v")
    _fit_call = "frequency, monetary_value"

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    def fit(self, frequency, monetary_value) -> GammaGammaModel:
        """Fit by maximum likelihood on the customers with at least one repeat purchase.

        Customers with ``frequency == 0`` carry no information about spend
        (``monetary_value`` of :func:`rmlib.rfm.clv_summary` averages the
        *repeat* purchases only) and are left out of the fit; their
        predictions come from :meth:`expected_spend`, which gives them the
        population mean.

        Parameters
        ----------
        frequency : Series, array or list of int
            Number of repeat purchases per customer.
        monetary_value : Series, array or list of float
            Mean spend of the repeat purchases (> 0 for repeat buyers).

        Returns
        -------
        GammaGammaModel
            ``self``, fitted.

        Raises
        ------
        TypeError
            If an input is not numeric.
        ValueError
            If an input is empty, missing, infinite or negative, ``frequency``
            is not whole, no customer has a repeat purchase, or a repeat buyer
            has a mean spend of 0.
        """
        pen = _check_penalizer(self.penalizer)
        x, m, index, _ = _spend_inputs(frequency, monetary_value)
        rep = x > 0
        if not rep.any():
            raise ValueError(
                "`frequency` is 0 for every customer: the Gamma-Gamma model is fitted on "
                "repeat buyers (frequency > 0) only, and there are none. Use a longer "
                "observation period or fit on more customers."
            )
        zero = rep & (m <= 0)
        if zero.any():
            where = _first_positions(zero, index)
            raise ValueError(
                f"`monetary_value` is 0 for {int(zero.sum())} repeat buyer(s) (first at "
                f"{where}); the Gamma-Gamma model needs a positive mean spend. Leave out "
                f"purchases with a zero amount (e.g. free items) before building the summary, "
                f"or drop those customers."
            )
        x, m = x[rep], m[rep]
        nll = _GGLikelihood(x, m)
        n = len(x)
        # start: p = 1, q = 2 and v such that the population mean p v / (q - 1) is the mean of m
        theta0 = np.log([1.0, 2.0, float(np.mean(m))])
        theta, hess, converged = _minimise(_penalised(nll, n, pen), theta0, n)
        return self._store_fit(nll, theta, hess, n, converged)

    def population_mean_spend(self) -> float:
        """Mean spend per purchase across customers, ``p v / (q - 1)`` (inf if ``q <= 1``)."""
        p, q, v = self._require_fit()
        return float(p * v / (q - 1)) if q > 1 else float("inf")

    def expected_spend(self, frequency, monetary_value):
        """Expected mean spend per purchase of each customer, given their history.

        ``E[M | x, m_x] = p (v + x m_x) / (p x + q - 1)``: a weighted average of
        the population mean ``p v / (q - 1)`` and the customer's own mean
        ``m_x``, with more weight on ``m_x`` the more purchases it rests on.
        For ``frequency == 0`` it is the population mean (``monetary_value`` is
        ignored there and may be 0).

        Parameters
        ----------
        frequency : Series, array, list or number
            Number of repeat purchases.
        monetary_value : Series, array, list or number
            Mean spend of the repeat purchases.

        Returns
        -------
        Series, ndarray or float
            Shaped like the inputs (see :meth:`BetaGeoModel.prob_alive`).

        Raises
        ------
        ValueError
            On bad inputs (see :meth:`fit`), or if the fitted ``q <= 1`` and a
            customer has too few purchases for a finite expectation.
        """
        p, q, v = self._require_fit()
        x, m, index, scalar = _spend_inputs(frequency, monetary_value)
        denom = p * x + q - 1
        if np.any(denom <= 0):
            raise ValueError(
                f"the fitted q = {q:.4g} is <= 1, so the population mean spend is infinite and "
                f"the expected spend of customers with few purchases (first at "
                f"{_first_positions(denom <= 0, index)}) is undefined. The spend data are "
                f"too heavy-tailed for this model: check for outliers or fit with a penalizer."
            )
        value = p * (v + x * m) / denom
        return _wrap(value, index, scalar, "expected_spend")


class _GGLikelihood:
    """Negative Gamma-Gamma log-likelihood of the repeat buyers' mean spends, gradient in logs.

    Per customer with ``x`` repeat purchases of mean ``m`` (Fader & Hardie 2013)::

        LL = lnG(p x + q) - lnG(p x) - lnG(q) + q ln v + (p x - 1) ln m + p x ln x
             - (p x + q) ln(v + m x)
    """

    def __init__(self, x, m):
        self.ux, counts = np.unique(x, return_counts=True)
        self.counts = counts.astype(np.float64)
        self.x = x
        self.mx = m * x
        self.n = len(x)
        log_m = np.log(m)
        self.const = float(np.sum(-log_m))
        self.sx_log = float(x @ (log_m + np.log(x)))

    def __call__(self, theta):
        p, q, v = np.exp(theta)
        ux, c, n, x = self.ux, self.counts, self.n, self.x
        px = p * ux
        ll = float(c @ (special.gammaln(px + q) - special.gammaln(px))) - n * special.gammaln(q)
        ll += n * q * np.log(v) + p * self.sx_log + self.const
        log_vmx = np.log(v + self.mx)
        ll -= float((p * x + q) @ log_vmx)
        dig_pq = special.digamma(px + q)
        g_p = float((c * ux) @ (dig_pq - special.digamma(px))) + self.sx_log - float(x @ log_vmx)
        g_q = float(c @ dig_pq) - n * special.digamma(q) + n * np.log(v) - float(log_vmx.sum())
        g_v = n * q / v - float(np.sum((p * x + q) / (v + self.mx)))
        grad = np.array([g_p * p, g_q * q, g_v * v])
        return -ll, -grad
