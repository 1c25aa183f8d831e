"""Chapter 4's explorers and figure: the program simulator, the loyalty matrix, the pyramid.

The simulator must explain contradictory tiers in place and never leave a chart of
earlier settings beside the message; breakage is one of its controls. The loyalty-matrix
explorer shows the numbers of :func:`rmlib.loyalty.loyalty_matrix`; the pyramid figure
draws the shares of :func:`rmlib.loyalty.profitability_pyramid`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from rmlib import loyalty, plots, relationship, widgets


@pytest.fixture
def spend():
    return pd.Series(np.linspace(5_000, 100_000, 40))


def test_silver_above_gold_is_explained_and_the_chart_is_hidden(spend):
    ex = widgets.LoyaltyProgramSimulator(spend)
    assert ex.image.value[:4] == b"\x89PNG"
    ex.controls["gold"].value = 30_000.0
    ex.controls["silver"].value = 60_000.0
    assert ex.result == {} and ex.error
    # the message says what is wrong and which slider to move, with the numbers
    assert "must not be below the silver threshold" in ex.output.value
    assert "Move the gold slider to at least 60,000" in ex.output.value
    # no stale chart beside the message
    assert ex.image.value == b""
    # the static fallback shows the message, not an empty or stale result
    bundle = ex._repr_mimebundle_()
    assert "Cannot compute: the gold threshold" in bundle["text/plain"]
    assert "must not be below the silver threshold" in bundle["text/html"]
    # fixing the settings brings the numbers and the chart back
    ex.controls["gold"].value = 80_000.0
    assert ex.error is None and ex.result["reward_cost"] > 0
    assert ex.image.value[:4] == b"\x89PNG"
    assert "Cannot compute" not in ex._repr_mimebundle_()["text/plain"]


def test_equal_thresholds_are_allowed(spend):
    ex = widgets.LoyaltyProgramSimulator(spend)
    ex.controls["gold"].value = 50_000.0
    ex.controls["silver"].value = 50_000.0
    assert ex.error is None and ex.result["silver_members"] == 0


def test_breakage_is_a_control_and_cuts_the_reward_cost(spend):
    ex = widgets.LoyaltyProgramSimulator(spend, breakage=0.1)
    assert ex.controls["breakage"].value == pytest.approx(0.1)
    cost = ex.result["reward_cost"]
    ex.controls["breakage"].value = 0.5
    v = ex.values()
    assert ex.result["reward_cost"] == pytest.approx(cost * 0.5 / 0.9)
    assert ex.result == relationship.program_economics(
        spend,
        v["reward_rate"],
        silver=v["silver"],
        gold=v["gold"],
        participation=v["participation"],
        uplift=v["uplift"],
        breakage=0.5,
        margin_rate=0.25,
    )
    # the explorer's default breakage still applies when simulate() is called without it
    assert ex.simulate(0.03, 10_000, 50_000, 0.4, 0.08) == ex.simulate(
        0.03, 10_000, 50_000, 0.4, 0.08, breakage=0.1
    )


def test_simulate_refuses_silver_above_gold_directly(spend):
    ex = widgets.LoyaltyProgramSimulator(spend)
    with pytest.raises(ValueError, match="silver slider below 20,000"):
        ex.simulate(0.03, 40_000, 20_000, 0.4, 0.08)


# --- loyalty-matrix explorer -----------------------------------------------------------


@pytest.fixture
def answers():
    return pd.DataFrame(
        {"nps": [10, 9, 3, 5, 10, 0, 7], "purchases": [12, 1, 8, 2, 9, 1, 4]},
        index=pd.Index([11, 12, 13, 14, 15, 16, 17], name="customer_id"),
    )


def test_matrix_explorer_numbers_are_the_analytics_numbers(answers):
    ex = widgets.LoyaltyMatrixExplorer(answers)
    # default cut-offs: a promoter's 9 and the median of purchases (4)
    assert ex.values() == {"attitude": 9.0, "behaviour": 4.0}
    want = loyalty.loyalty_matrix(answers, "nps", "purchases", 9, 4).table["customers"]
    assert ex.result == {k: int(v) for k, v in want.items()}
    assert ex.result == {
        "true loyalty": 2,
        "latent loyalty": 1,
        "spurious loyalty": 2,
        "no loyalty": 2,
    }
    ex.controls["behaviour"].value = 9.0
    assert ex.result["true loyalty"] == 2 and ex.result["spurious loyalty"] == 0
    assert "2 (29%)" in ex.output.value
    texts = [t.get_text() for t in ex.ax.texts]
    assert any(t.startswith("true loyalty\n2 customers") for t in texts)
    assert "high from 9" in ex.ax.get_ylabel() + ex.ax.get_xlabel()


def test_matrix_explorer_rejects_a_bad_frame_at_once(answers):
    with pytest.raises(ValueError, match="'visits'"):
        widgets.LoyaltyMatrixExplorer(answers, behaviour_col="visits")
    bad = answers.assign(nps=answers["nps"].astype(float).where(answers["nps"] > 0))
    with pytest.raises(ValueError, match="nps"):
        widgets.LoyaltyMatrixExplorer(bad)
    assert answers["nps"].tolist() == [10, 9, 3, 5, 10, 0, 7]  # input not modified


def test_matrix_explorer_static_fallback(answers):
    bundle = widgets.LoyaltyMatrixExplorer(answers)._repr_mimebundle_()
    assert "true loyalty: 2" in bundle["text/plain"]
    assert "attitude=9" in bundle["text/plain"]


# --- pyramid figure ----------------------------------------------------------------------


def test_pyramid_figure_draws_the_shares():
    profit = pd.Series([900.0, 400.0, 300.0, 100.0, 50.0, 20.0, 10.0, 0.0, -30.0, -200.0])
    pyr = loyalty.profitability_pyramid(
        profit, {"platinum": 0.1, "gold": 0.2, "iron": 0.3, "lead": 0.4}
    )
    ax = plots.profitability_pyramid(pyr)
    widths = [p.get_width() for p in ax.patches]
    table = pyr.table.iloc[::-1]
    assert widths[:4] == pytest.approx(-table["customer_share"].to_numpy())
    # a loss-making tier gets no profit bar but keeps its (negative) label
    assert table.loc["lead", "profit_share"] < 0
    assert widths[4] == 0 and widths[5:] == pytest.approx(table["profit_share"].to_numpy()[1:])
    labels = [t.get_text() for t in ax.texts]
    assert f"{table.loc['lead', 'profit_share']:.0%}" in labels
    assert ax.get_xlabel().endswith("%") and ax.get_title()
    plt.close(ax.figure)


def test_pyramid_figure_accepts_the_table_and_an_axes():
    pyr = loyalty.profitability_pyramid(pd.Series(np.arange(1.0, 41.0)))
    fig, ax = plt.subplots()
    assert plots.profitability_pyramid(pyr.table, ax=ax) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["lead", "iron", "gold", "platinum"]
    plt.close(fig)


def test_pyramid_figure_bad_input():
    with pytest.raises(TypeError, match="profitability_pyramid"):
        plots.profitability_pyramid([1, 2, 3])
    with pytest.raises(ValueError, match="profit_share"):
        plots.profitability_pyramid(pd.DataFrame({"customer_share": [1.0]}))


def test_static_fallback_shows_the_current_chart_and_none_after_an_error(spend):
    ex = widgets.LoyaltyProgramSimulator(spend)
    html = ex._repr_mimebundle_()["text/html"]
    assert "<img alt='Loyalty program simulator' src='data:image/png;base64," in html
    ex.controls["gold"].value = 10_000.0
    ex.controls["silver"].value = 90_000.0
    html = ex._repr_mimebundle_()["text/html"]
    assert "data:image/png" not in html and "Cannot compute" in html


def test_chapter_4_bank_quotes_the_textbook_questions():
    """The first five open questions of ch04 are the textbook's, quoted and attributed."""
    from rmlib.quiz import load_bank, load_textbook_questions

    bank = load_bank("ch04")
    textbook = load_textbook_questions()["questions"]
    for q, tq in zip(bank.open_questions[:5], textbook, strict=True):
        assert f"«{tq['ru']}»" in q.prompt and tq["en"] in q.prompt
        assert "Martyshev" in q.prompt and "Маркетинг отношений" in q.prompt
        assert q.guidance and q.guidance != tq["guidance"]
