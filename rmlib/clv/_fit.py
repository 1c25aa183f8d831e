"""Fitting machinery shared by the CLV models.

Maximum likelihood on log-parameters (L-BFGS-B, then damped Newton steps with
a numerical Hessian), standard errors by the delta method, the convergence
verdict (:class:`ConvergenceWarning`) and :class:`_Fitted`, the base class
that stores a fit, builds a model from known parameters and summarises it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from rmlib._validate import check_in_range

# Log-parameters are kept in [-_LOG_BOUND, _LOG_BOUND] (about 1e-13 .. 1e13) during fitting.
_LOG_BOUND = 30.0
# Largest standard error of a log-parameter (relative standard error) for a fit to count as
# converged: beyond it the data do not pin the parameter down.
_MAX_LOG_SE = 5.0


class ConvergenceWarning(UserWarning):
    """A model fit ended on a boundary, on a flat ridge (a parameter the data do not pin
    down) or without a vanishing gradient (``converged_`` False)."""


def _warn_if_not_converged(model) -> None:
    if model.converged_:
        return
    shown = ", ".join(f"{k}={v:.4g}" for k, v in model.params_.items())
    name = type(model).__name__
    warnings.warn(
        f"{name} did not converge to an interior optimum ({shown}): the data carry too "
        f"little information for some parameter (e.g. few repeat buyers, or no sign of "
        f"customers leaving). Use more customers or a small penalty, e.g. "
        f"{name}(penalizer=0.001).",
        ConvergenceWarning,
        stacklevel=4,  # the user's call of fit (fit -> _store_fit -> here)
    )


def _penalised(nll, n: int, pen: float, scale: Any = 1.0):
    """Objective for :func:`_minimise`: mean negative log-likelihood plus an L2 penalty.

    ``nll(theta)`` gives the total over ``n`` customers and its gradient; the
    penalty is ``pen * sum((exp(theta) * scale)**2)``.
    """

    def fun_grad(theta):
        value, grad = nll(theta)
        p = np.exp(theta) * scale
        return value / n + pen * np.sum(p**2), grad / n + 2 * pen * p**2

    return fun_grad


def _minimise(fun_grad, theta0: np.ndarray, n: int, start_fun_grad=None):
    """Minimise a smooth mean objective of log-parameters; Newton steps finish the job.

    ``fun_grad(theta)`` returns the value and the gradient of the *mean*
    objective over ``n`` customers. L-BFGS-B finds the neighbourhood of the
    optimum (on ``start_fun_grad``, the same objective on a subsample, when
    given: it is much cheaper and lands within a few standard errors), then
    damped Newton steps with a numerical Hessian converge on the full data.
    If Newton cannot proceed (Hessian not positive definite, optimum on a
    bound), L-BFGS-B on the full data takes over.

    Returns the optimum, the numerical Hessian there and whether the optimum
    is interior with a Newton decrement below 1e-9 on the total scale
    (parameter error far below one standard error).
    """
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(theta0)

    def lbfgs(f, start, ftol):
        return optimize.minimize(
            f,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 5000, "ftol": ftol, "gtol": 1e-9},
        ).x

    theta = lbfgs(start_fun_grad or fun_grad, theta0, 1e-12)
    theta, hess, ok = _newton(fun_grad, theta, n)
    if not ok:
        theta = lbfgs(fun_grad, theta, 1e-15)
        theta, hess, ok = _newton(fun_grad, theta, n)
    at_bound = bool(np.any(np.abs(theta) >= _LOG_BOUND - 1e-6))
    return theta, hess, ok and not at_bound


def _newton(fun_grad, theta: np.ndarray, n: int, max_iter: int = 50):
    """Damped Newton iterations; the Hessian is recomputed only when progress slows.

    Returns the final point, the Hessian there and whether it converged.
    """
    value, grad = fun_grad(theta)
    hess, fresh = _hessian(fun_grad, theta), True
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.full_like(grad, np.nan)
        decrement = float(grad @ step)
        if not (np.all(np.isfinite(step)) and decrement > 0):
            if fresh:
                return theta, hess, False
            hess, fresh = _hessian(fun_grad, theta), True
            continue
        if n * decrement < 1e-9:
            if not fresh:
                hess = _hessian(fun_grad, theta)
            return theta, hess, True
        t, moved = 1.0, False
        for _ in range(40):
            cand = np.clip(theta - t * step, -_LOG_BOUND, _LOG_BOUND)
            c_value, c_grad = fun_grad(cand)
            if np.isfinite(c_value) and c_value <= value - 1e-4 * t * decrement:
                moved = True
                break
            t /= 2
        if not moved:
            if fresh:
                return theta, hess, n * decrement < 1e-6
            hess, fresh = _hessian(fun_grad, theta), True
            continue
        theta, value, new_grad = cand, float(c_value), c_grad
        slow = t < 1 or float(np.abs(new_grad).max()) > 0.25 * float(np.abs(grad).max())
        grad = new_grad
        if slow:
            hess, fresh = _hessian(fun_grad, theta), True
        else:
            fresh = False
    return theta, _hessian(fun_grad, theta), False


def _hessian(fun_grad, theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference Hessian from the analytic gradient, symmetrised."""
    k = len(theta)
    hess = np.empty((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = h
        hess[:, j] = (fun_grad(theta + e)[1] - fun_grad(theta - e)[1]) / (2 * h)
    return (hess + hess.T) / 2


def _standard_errors(hess_total: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Natural-scale standard errors from the Hessian of the total negative LL in logs.

    The covariance of the log-parameters is the inverse Hessian; the delta
    method gives ``se(p) = p * se(log p)``. NaN if the Hessian is not positive
    definite (the likelihood is flat in some direction).
    """
    try:
        np.linalg.cholesky(hess_total)
        cov = np.linalg.inv(hess_total)
    except np.linalg.LinAlgError:
        return np.full(len(params), np.nan)
    return params * np.sqrt(np.diag(cov))


class _Fitted:
    """Shared bits of the two models: not-fitted errors, summaries, construction from params."""

    _names: tuple[str, ...] = ()
    _fit_call = ""

    def _require_fit(self) -> np.ndarray:
        if not hasattr(self, "params_"):
            raise RuntimeError(
                f"this {type(self).__name__} is not fitted yet: call "
                f".fit({self._fit_call}) first, or build one with "
                f"{type(self).__name__}.from_params(...)."
            )
        return np.array([self.params_[k] for k in self._names])

    def _store_fit(self, nll, theta: np.ndarray, hess: np.ndarray, n: int, converged: bool):
        """Set the fitted attributes from the optimum ``theta`` (log-parameters); return self."""
        params = np.exp(theta)
        self.params_ = dict(zip(self._names, map(float, params), strict=True))
        self.log_likelihood_ = -float(nll(theta)[0])
        se = _standard_errors(hess * n, params)
        self.standard_errors_ = dict(zip(self._names, map(float, se), strict=True))
        self.n_customers_ = int(n)
        # An optimum on a flat ridge (a parameter known only to within a factor of e^5 or
        # worse, or no finite standard error at all) is not an estimate: say so.
        identified = bool(np.all(np.isfinite(se)) and np.all(se / params < _MAX_LOG_SE))
        self.converged_ = bool(converged) and identified
        _warn_if_not_converged(self)
        return self

    @classmethod
    def from_params(cls, **params: float):
        """A model with given parameters (e.g. a known truth), ready to predict.

        Every parameter must be given, as a positive number; the fit statistics
        (``log_likelihood_``, ``standard_errors_``) are then NaN.
        """
        missing = [k for k in cls._names if k not in params]
        extra = [k for k in params if k not in cls._names]
        if missing or extra:
            raise ValueError(
                f"{cls.__name__}.from_params needs exactly the parameters "
                f"{', '.join(cls._names)}; missing: {missing or 'none'}, unknown: "
                f"{extra or 'none'}."
            )
        model = cls()
        model.params_ = {
            k: check_in_range(params[k], k, 0, low_inclusive=False) for k in cls._names
        }
        model.log_likelihood_ = float("nan")
        model.standard_errors_ = {k: float("nan") for k in cls._names}
        model.n_customers_ = 0
        model.converged_ = False
        return model

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% confidence intervals.

        The intervals are computed on the log scale and transformed back
        (``exp(log p +- 1.96 se(log p))``), so they stay positive.
        """
        p = self._require_fit()
        se = np.array([self.standard_errors_[k] for k in self._names])
        half = 1.959963984540054 * se / p
        return pd.DataFrame(
            {
                "estimate": p,
                "std_error": se,
                "ci_lower_95": p * np.exp(-half),
                "ci_upper_95": p * np.exp(half),
            },
            index=pd.Index(list(self._names), name="parameter"),
        )

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}(penalizer={getattr(self, 'penalizer', 0.0)!r})"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"<{type(self).__name__}: {shown}; {self.n_customers_} customers>"
