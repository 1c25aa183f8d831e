"""Assignment 4 (loyalty): each common mistake loses points on its own part.

The fast tests run the assignment's own cells in this process — the setup, one answer done
the right way or a mistaken way, then the part's visible and hidden test cells — on the
variants of three students, and show that every mistake fails the hidden
test while the reference answer passes. The slow test submits one simulated student per
mistake through the real nbgrader pipeline (one autograde for all of them) and checks the
points.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from _graded_term import grade_students

ROOT = Path(__file__).resolve().parent.parent
A = "ch04_loyalty"
SOURCE = ROOT / "assignments" / "source" / A / f"{A}.ipynb"

_SHOPPER_ANSWERS = 'shopper_answers = surveys[surveys["customer_id"].map(segment_of) == "B2C"]\n'
_P1_WINDOW = (
    'first = tx.groupby("customer_id")["timestamp"].min()\n'
    "end_of_window = first + pd.Timedelta(weeks=26)\n"
    'complete = end_of_window[end_of_window <= tx["timestamp"].max()].index\n'
    'in_window = tx["timestamp"] < tx["customer_id"].map(end_of_window)\n'
    'margin_26w = tx[in_window].groupby("customer_id")["margin"].sum()\n'
    'e = card.set_index("customer_id")\n'
    "e = e[e.index.isin(complete)]\n"
    'e["margin"] = margin_26w.reindex(e.index, fill_value=0.0)\n'
)
_P3_BEHAVIOUR = (
    _SHOPPER_ANSWERS + 'attitude = shopper_answers.set_index("customer_id")["nps"]\n'
    'bought_2024 = tx[tx["timestamp"].dt.year == 2024].groupby("customer_id").size()\n'
    "behaviour = bought_2024.reindex(attitude.index, fill_value=0)\n"
)
_P3_CELLS = (
    "loyalty_cell = pd.Series(np.where(high_a, np.where(high_b, 'true', 'latent'), "
    "np.where(high_b, 'spurious', 'none')), index=attitude.index)\n"
)


def _reward_cost(*, breakage: str, gold: str, silver: str, check_tiers: bool) -> str:
    tiers = (
        "    if silver > gold:\n        raise ValueError('silver above gold')\n"
        if check_tiers
        else ""
    )
    return (
        "def reward_cost(spend, reward_rate, silver, gold, breakage):\n"
        "    if not 0 <= reward_rate <= 1 or not 0 <= breakage <= 1:\n"
        "        raise ValueError('rate or breakage outside [0, 1]')\n"
        f"{tiers}"
        "    s = np.asarray(spend, dtype=float)\n"
        "    if (s < 0).any():\n"
        "        raise ValueError('negative spend')\n"
        f"    m = np.where({gold}, 2.0, np.where({silver}, 1.5, 1.0))\n"
        f"    return float((s * reward_rate * m).sum() * {breakage})\n"
    )


#: mistake -> (answer cell, mistaken code, the test cell that must fail)
MISTAKES = {
    # Part 1: the card against the control group
    "members_against_non_members": (
        "p1_answer",
        _P1_WINDOW + 'means = e.groupby("enrolled")["margin"].mean()\n'
        "uplift = means[True] - means[False]\n"
        'take_up = e.loc[e["group"] == "treatment", "enrolled"].mean()\n'
        'card_effect = {"uplift": uplift, "per_member": uplift / take_up}',
        "p1_hidden",
    ),
    "library_default_of_52_weeks": (
        "p1_answer",
        "out = relationship.program_outcomes(tx, card)\n"
        'uplift = relationship.program_uplift(out, outcome_col="margin").uplift\n'
        'treated = out.index[out["group"] == "treatment"]\n'
        'take_up = card.set_index("customer_id").loc[treated, "enrolled"].mean()\n'
        'card_effect = {"uplift": uplift, "per_member": uplift / take_up}',
        "p1_hidden",
    ),
    "take_up_over_all_shoppers": (
        "p1_answer",
        _P1_WINDOW + 'means = e.groupby("group")["margin"].mean()\n'
        'uplift = means["treatment"] - means["control"]\n'
        'card_effect = {"uplift": uplift, "per_member": uplift / card["enrolled"].mean()}',
        "p1_hidden",
    ),
    "incomplete_windows_kept": (
        "p1_answer",
        _P1_WINDOW.replace("e = e[e.index.isin(complete)]\n", "")
        + 'means = e.groupby("group")["margin"].mean()\n'
        'uplift = means["treatment"] - means["control"]\n'
        'take_up = e.loc[e["group"] == "treatment", "enrolled"].mean()\n'
        'card_effect = {"uplift": uplift, "per_member": uplift / take_up}',
        "p1_hidden",
    ),
    # Part 2: NPS by city
    "corporate_answers_pooled": (
        "p2_answer",
        'city = surveys["customer_id"].map(customers.set_index("customer_id")["city"])\n'
        "nps_by_city = 100 * ((surveys['nps'] >= 9).groupby(city).mean() "
        "- (surveys['nps'] <= 6).groupby(city).mean())",
        "p2_hidden",
    ),
    "passives_left_out": (
        "p2_answer",
        _SHOPPER_ANSWERS
        + 'city = shopper_answers["customer_id"].map(customers.set_index("customer_id")["city"])\n'
        "p = (shopper_answers['nps'] >= 9).groupby(city).sum()\n"
        "d = (shopper_answers['nps'] <= 6).groupby(city).sum()\n"
        "nps_by_city = 100 * (p - d) / (p + d)",
        "p2_hidden",
    ),
    "eight_counted_as_promoter": (
        "p2_answer",
        _SHOPPER_ANSWERS
        + 'city = shopper_answers["customer_id"].map(customers.set_index("customer_id")["city"])\n'
        "nps_by_city = 100 * ((shopper_answers['nps'] >= 8).groupby(city).mean() "
        "- (shopper_answers['nps'] <= 6).groupby(city).mean())",
        "p2_hidden",
    ),
    "mean_answer_instead_of_nps": (
        "p2_answer",
        _SHOPPER_ANSWERS
        + 'city = shopper_answers["customer_id"].map(customers.set_index("customer_id")["city"])\n'
        "nps_by_city = shopper_answers['nps'].groupby(city).mean()",
        "p2_hidden",
    ),
    # Part 3: Dick and Basu's cells
    "mean_where_the_median_was_asked": (
        "p3_answer",
        _P3_BEHAVIOUR
        + "high_a = attitude >= 9\nhigh_b = behaviour >= behaviour.mean()\n"
        + _P3_CELLS,
        "p3_hidden",
    ),
    "strictly_above_the_median": (
        "p3_answer",
        _P3_BEHAVIOUR
        + "high_a = attitude >= 9\nhigh_b = behaviour > behaviour.median()\n"
        + _P3_CELLS,
        "p3_hidden",
    ),
    "shoppers_without_2024_purchases_dropped": (
        "p3_answer",
        _P3_BEHAVIOUR
        + "behaviour = behaviour[behaviour > 0]\nattitude = attitude.loc[behaviour.index]\n"
        "high_a = attitude >= 9\nhigh_b = behaviour >= behaviour.median()\n" + _P3_CELLS,
        "p3_hidden",
    ),
    "passives_counted_as_high_attitude": (
        "p3_answer",
        _P3_BEHAVIOUR
        + "high_a = attitude >= 7\nhigh_b = behaviour >= behaviour.median()\n"
        + _P3_CELLS,
        "p3_hidden",
    ),
    # Part 4: the cost of tiers
    "breakage_paid_instead_of_kept": (
        "p4_answer",
        _reward_cost(breakage="breakage", gold="s >= gold", silver="s >= silver", check_tiers=True),
        "p4_hidden",
    ),
    "silver_above_gold_computed": (
        "p4_answer",
        _reward_cost(
            breakage="(1 - breakage)", gold="s >= gold", silver="s >= silver", check_tiers=False
        ),
        "p4_hidden",
    ),
    "thresholds_strictly_above": (
        "p4_answer",
        _reward_cost(
            breakage="(1 - breakage)", gold="s > gold", silver="s > silver", check_tiers=True
        ),
        "p4_hidden",
    ),
    # Self-check q3: a before/after comparison on the card's own group
    "before_after_on_the_treatment_group": (
        "q_answer",
        'q1 = "c"\nq2 = "b"\n'
        'ids = card.loc[card["group"] == "treatment", "customer_id"]\n'
        't = tx[tx["customer_id"].isin(ids)]\n'
        'y = t.groupby(t["timestamp"].dt.year)["margin"].sum()\n'
        "q3 = y[2024] / y[2023] - 1",
        "q3_check",
    ),
}


def _cells() -> dict[str, str]:
    nb = nbformat.read(SOURCE, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nb.cells
        if c.cell_type == "code" and "nbgrader" in c.metadata
    }


CELLS = _cells()


def _run(answer_id: str, answer: str, test_ids: list[str]) -> None:
    """Setup, the answer, then the test cells (hidden part included), in one namespace."""
    ns: dict = {}
    exec(CELLS["setup"], ns)
    exec(answer, ns)
    for tid in test_ids:
        exec(CELLS[tid], ns)


def _tests_of(answer_id: str) -> list[str]:
    part = answer_id.split("_")[0]
    if part == "q":
        return ["q1_check", "q2_check", "q3_check"]
    return [f"{part}_visible", f"{part}_hidden"]


@pytest.fixture(params=["v1", "v2", "v3"])
def variant(request, monkeypatch):
    """A student's variant of the case, for load_case(A) in every cell."""
    monkeypatch.setenv("RMLIB_STUDENT", request.param)
    return request.param


def test_the_mistake_list_covers_every_code_part():
    assert {cell for cell, _, _ in MISTAKES.values()} == {
        "p1_answer",
        "p2_answer",
        "p3_answer",
        "p4_answer",
        "q_answer",
    }


@pytest.mark.parametrize(
    "answer_id", ["p1_answer", "p2_answer", "p3_answer", "p4_answer", "q_answer"]
)
def test_reference_answer_passes_its_tests(variant, answer_id):
    _run(answer_id, CELLS[answer_id], _tests_of(answer_id))


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_fails_the_deciding_test(variant, mistake):
    answer_id, code, deciding = MISTAKES[mistake]
    with pytest.raises(AssertionError):
        _run(answer_id, code, [deciding])


# ---------------------------------------------------------------------------- end to end
#: Each mistake is handed in by two students, so it is graded on two variants of the data.
VARIANTS = ("v1", "v2")


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    edits = {
        f"{m}_{v}": [(cell, code)] for m, (cell, code, _) in MISTAKES.items() for v in VARIANTS
    }
    return grade_students(tmp_path_factory, A, edits, workers=2)


@pytest.mark.slow
@pytest.mark.xdist_group("grading-ch04")
def test_reference_student_gets_every_autograded_point(graded):
    course, points = graded
    scores = course.cell_scores(A, "reference")
    assert {c: scores[c] for c in points} == points


@pytest.mark.slow
@pytest.mark.xdist_group("grading-ch04")
@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_loses_points_on_its_part_only(graded, mistake):
    course, points = graded
    _, _, deciding = MISTAKES[mistake]
    for v in VARIANTS:  # two students, so two variants of the data
        scores = course.cell_scores(A, f"{mistake}_{v}")
        # the deciding test gives nothing for the mistake
        assert scores[deciding] == 0, f"{mistake} {v}: {scores}"
        assert sum(scores[c] for c in points) < sum(points.values())
        part = deciding.split("_")[0]
        if part.startswith("q"):
            others = {c: scores[c] for c in points if c != deciding}
        else:
            others = {c: scores[c] for c in points if not c.startswith((part + "_", "q"))}
        assert others == {c: points[c] for c in others}, f"{mistake} {v}: {others}"
