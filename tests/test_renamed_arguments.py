"""One meaning per name: arguments renamed so that a name means the same thing everywhere.

``period`` is a calendar code ("M", "Y") in rmlib.retention, so the discounting step of
``clv.discounted_clv`` is ``period_length`` and the axis label of two figures is ``unit``;
``margin`` is money in ``clv.retention_clv``, so a share of spend is ``margin_rate``; the
day an RFM table describes is ``observation_end``, as in ``rfm.clv_summary``. The old
names still work, with a warning that names the new one, and give the same result.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from rmlib import clv, plots, rfm

BG = clv.BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
GG = clv.GammaGammaModel.from_params(p=6.25, q=3.74, v=15.44)
CUSTOMER = (2, 30.43, 38.86, 22.35)
LOG = pd.DataFrame(
    {
        "customer_id": [7, 7, 9],
        "timestamp": pd.to_datetime(["2024-03-01", "2024-03-20", "2024-02-10"]),
        "amount": [100.0, 80.0, 500.0],
    }
)


@pytest.mark.parametrize(
    "old, new",
    [({"period": 26}, {"period_length": 26}), ({"margin": 0.3}, {"margin_rate": 0.3})],
)
def test_discounted_clv_old_names_warn_and_agree(old, new):
    with pytest.warns(DeprecationWarning, match=f"is now `discounted_clv\\({next(iter(new))}="):
        before = clv.discounted_clv(BG, GG, *CUSTOMER, **old)
    assert before == clv.discounted_clv(BG, GG, *CUSTOMER, **new)


def test_both_names_at_once_are_refused_with_both_named():
    with pytest.raises(TypeError, match="both `period` and `period_length`"):
        clv.discounted_clv(BG, GG, *CUSTOMER, period=26, period_length=13)


def test_rfm_table_as_of_is_observation_end():
    with pytest.warns(DeprecationWarning, match=r"rfm_table\(observation_end=\.\.\.\)"):
        old = rfm.rfm_table(LOG, as_of="2024-03-31")
    assert old.equals(rfm.rfm_table(LOG, observation_end="2024-03-31"))
    assert old.equals(rfm.rfm_table(LOG, "2024-03-31"))  # positional use is unchanged


@pytest.mark.parametrize(
    "draw, data, label",
    [
        (plots.cohort_heatmap, pd.DataFrame({0: [1.0], 1: [0.5]}, index=["2024-01"]), "weeks"),
        (
            plots.cumulative_clv,
            pd.DataFrame({"period": [0, 1], "cumulative_value": [-5.0, 3.0]}),
            "months",
        ),
    ],
)
def test_figure_unit_replaces_period(draw, data, label):
    with pytest.warns(DeprecationWarning, match="is now .*unit="):
        ax = draw(data, period=label)
    assert ax.get_xlabel().startswith(label)
    assert draw(data, unit=label).get_xlabel() == ax.get_xlabel()
    plt.close("all")
