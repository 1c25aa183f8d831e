"""Customer lifetime value: the retention formula and the BG/NBD + Gamma-Gamma models.

Two ways of valuing a customer live here.

* **Retention-based CLV** (contractual thinking, chapter 3 of the course):
  a customer who is kept from one period to the next with probability
  ``retention`` brings ``margin`` per period while they stay.
  :func:`retention_clv` gives the discounted value, over an endless or a
  finite horizon, minus the acquisition cost; :func:`retention_value_curve`
  gives the cumulative value period by period (for payback charts) and
  :func:`payback_period` the period in which it stops being negative.
* **Probabilistic models for non-contractual settings** (retail, where
  nobody tells you they have left): :class:`BetaGeoModel` (BG/NBD) for the
  number of purchases, :class:`GammaGammaModel` for the spend per purchase,
  and :func:`discounted_clv`, which combines them into a discounted value
  per customer over a horizon.

The models take the per-customer summary of :func:`rmlib.rfm.clv_summary`:
``frequency`` (number of repeat purchases), ``recency`` (time from the
first to the last purchase), ``T`` (time from the first purchase to the end
of the observation period) and ``monetary_value`` (mean spend of the repeat
purchases). The models have no time unit of their own: the unit of
``recency`` and ``T`` (weeks with ``freq="W"``) is the unit of every time
argument and of the rate parameter ``alpha``.

What lives where
----------------
The package is cut the way the models are: one model per module, input
preparation and numerics apart. Everything is re-exported here, so
``from rmlib.clv import ...`` works as before.

- :mod:`rmlib.clv.simple`: retention-based CLV (:func:`retention_clv`,
  :func:`retention_value_curve`, :func:`payback_period`);
- :mod:`rmlib.clv.bgnbd`: :class:`BetaGeoModel`, its likelihood and
  :func:`holdout_check`;
- :mod:`rmlib.clv.gammagamma`: :class:`GammaGammaModel` and its likelihood;
- :mod:`rmlib.clv.discount`: :func:`discounted_clv`, which combines the two;
- :mod:`rmlib.clv._fit`: the shared optimiser, standard errors, convergence
  checks (:class:`ConvergenceWarning`) and the models' base class;
- :mod:`rmlib.clv._inputs`: validation of the per-customer inputs;
- :mod:`rmlib.clv._special`: the hypergeometric numerics of BG/NBD.

Why written here
----------------
The reference Python implementation, ``lifetimes``, is archived and partly
broken on current pandas and scipy; ``pymc-marketing`` is heavy (a full
probabilistic-programming stack, hundreds of MB) and its current releases
need a newer Python than the course's. The models are short, so they are
written with numpy and scipy only: log-likelihoods vectorised with
``gammaln``/``betaln`` (special functions evaluated once per distinct
purchase count), analytic gradients, parameters optimised on the log scale
with L-BFGS-B and polished with Newton steps, standard errors from the
Hessian. ``benchmarks/bench_clv.py`` compares speed and estimates with
``lifetimes``.

References
----------
- Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your
  customers" the easy way: an alternative to the Pareto/NBD model.
  *Marketing Science* 24(2), 275-284. (BG/NBD; equations 6, 7, 10.)
- Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using
  iso-value curves for customer base analysis. *Journal of Marketing
  Research* 42(4), 415-430. (Gamma-Gamma spend model.)
- Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of
  monetary value. Note at brucehardie.com/notes/025.
- Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2008, note 008 at
  brucehardie.com). Computing P(alive) using the BG/NBD model.

Published checks
----------------
Both models reproduce the published CDNOW fits (``tests/test_clv.py``). The
input is the summary of the 2,357-customer CDNOW sample over the 39-week
calibration period, 1 January to 30 September 1997, in weeks:

- BG/NBD (FHL 2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
  log-likelihood -9582.4;
- Gamma-Gamma (Fader & Hardie 2013): the 946 customers with at least one
  repeat purchase *in the calibration period*, each with the mean amount of
  those repeat purchases: p = 6.25, q = 3.74, gamma (``v`` here) = 15.44,
  log-likelihood -4055.92. The full 78 weeks (1,139 repeat buyers) give
  p = 4.68, q = 4.19, v = 24.39 instead.

Examples
--------
>>> from rmlib.datasets import load_cdnow
>>> from rmlib.rfm import clv_summary
>>> cal = load_cdnow().query("date <= '1997-09-30'")
>>> s = clv_summary(cal, date_col="date", observation_end="1997-09-30")
>>> bg = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
>>> {k: round(v, 3) for k, v in bg.params_.items()}
{'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
>>> round(bg.log_likelihood_, 1)
-9582.4
>>> gg = GammaGammaModel().fit(s["frequency"], s["monetary_value"])
>>> gg.n_customers_, {k: round(v, 2) for k, v in gg.params_.items()}
(946, {'p': 6.25, 'q': 3.74, 'v': 15.44})

Expected value of each customer over the next year (52 weeks), at a 10%
yearly discount rate, discounted month by month:

>>> clv = discounted_clv(bg, gg, s["frequency"], s["recency"], s["T"], s["monetary_value"])
>>> round(float(clv.sum()))
72205
"""

# The likelihoods (private) stay importable from here: tests check their gradients.
from rmlib.clv._fit import ConvergenceWarning
from rmlib.clv.bgnbd import BetaGeoModel, holdout_check
from rmlib.clv.bgnbd import _BGNBDLikelihood as _BGNBDLikelihood
from rmlib.clv.discount import discounted_clv
from rmlib.clv.gammagamma import GammaGammaModel
from rmlib.clv.gammagamma import _GGLikelihood as _GGLikelihood
from rmlib.clv.simple import payback_period, retention_clv, retention_value_curve

__all__ = [
    "BetaGeoModel",
    "ConvergenceWarning",
    "GammaGammaModel",
    "discounted_clv",
    "holdout_check",
    "payback_period",
    "retention_clv",
    "retention_value_curve",
]
