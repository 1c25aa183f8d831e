"""Special-function numerics of the BG/NBD expectations.

The conditional expected purchases of BG/NBD need
``(a+b+x-1)/(a-1) * [1 - (1-z)**(a-1) * 2F1(a+b-1-r, a-1; a+b+x-1; z)]``.
Here it is evaluated with scipy's ``hyp2f1``, bridging the removable
singularities at ``a = 1`` and ``a + b = 1`` and falling back on Gauss's
series where ``hyp2f1`` returns NaN.
"""

from __future__ import annotations

import numpy as np
from scipy import special

# Within this distance of a = 1 (0/0) or of a + b = 1 (a 2F1 with third argument 0 for customers
# without repeat purchases) the BG/NBD expectations are interpolated.
_A_NEAR_ONE = 1e-5
# Most terms of Gauss's series summed before giving up (NaN, then a clear error).
_SERIES_TERMS = 100_000


def _bgnbd_bracket(r, a, b, x, z) -> np.ndarray:
    """``(a+b+x-1)/(a-1) * [1 - (1-z)**(a-1) * 2F1(a+b-1-r, a-1; a+b+x-1; z)]``.

    Two removable singularities are bridged by linear interpolation across a
    width of ``2 * _A_NEAR_ONE``: ``a = 1`` (0/0) and, for customers without
    repeat purchases, ``a + b = 1`` (the 2F1's third argument is 0 there).
    """
    h = _A_NEAR_ONE
    if abs(a - 1.0) < h:
        lo, hi = _bracket_near_ab1(r, 1.0 - h, b, x, z), _bracket_near_ab1(r, 1.0 + h, b, x, z)
        return lo + (a - (1.0 - h)) / (2 * h) * (hi - lo)
    return _bracket_near_ab1(r, a, b, x, z)


def _bracket_near_ab1(r, a, b, x, z) -> np.ndarray:
    h = _A_NEAR_ONE
    if abs(a + b - 1.0) < h:
        b_lo = 1.0 - a - h
        lo, hi = _bracket(r, a, b_lo, x, z), _bracket(r, a, b_lo + 2 * h, x, z)
        return lo + (b - b_lo) / (2 * h) * (hi - lo)
    return _bracket(r, a, b, x, z)


def _bracket(r, a, b, x, z) -> np.ndarray:
    c = a + b + x - 1
    f = special.hyp2f1(a + b - 1 - r, a - 1, c, z)
    bad = ~np.isfinite(f)
    if np.any(bad):  # scipy's hyp2f1 returns NaN in a few corners (e.g. a - 1 ~ -1e-5, z ~ 0.9)
        c_b, z_b, f = np.broadcast_arrays(c, z, f)
        f = f.copy()
        f[bad] = _hyp2f1_series(a + b - 1 - r, a - 1, c_b[bad], z_b[bad])
    with np.errstate(over="ignore", invalid="ignore"):
        inner = -np.expm1((a - 1) * np.log1p(-z)) - np.exp((a - 1) * np.log1p(-z)) * (f - 1)
        value = c / (a - 1) * inner
    return np.where(np.isnan(value), np.nan, np.maximum(value, 0.0))


def _hyp2f1_series(A: float, B: float, C: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Gauss's series for 2F1(A, B; C; z), 0 <= z < 1, summed until the terms vanish."""
    total = np.ones_like(z)
    term = np.ones_like(z)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(_SERIES_TERMS):
            term = term * ((A + k) * (B + k) / ((C + k) * (k + 1)) * z)
            total = total + term
            done = np.abs(term) <= 1e-17 * np.abs(total)
            if np.all(done | ~np.isfinite(total)):
                break
        else:  # not converged within the budget: no value rather than a wrong one
            total = np.where(done, total, np.nan)
    return np.where(np.isfinite(total), total, np.nan)
