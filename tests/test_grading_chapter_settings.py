"""Assignments agree with their chapters, and the mistakes that come from the chapter lose points.

Assignment 2 part 1 sorts the case's parties into chapter 2's five S.C.O.P.E. groups;
assignment 3 part 5 asks for other CLV inputs than chapter 3's worked example, and part 7
measures each arm on its own. A student who follows the chapter where the assignment asks
for something else, or who pools what should be measured per arm, must lose points on that
part and only there — graded through the real pipeline, one autograde per assignment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _graded_term import grade_students

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-chapter-settings")]

ROOT = Path(__file__).resolve().parent.parent

_P5 = (
    'segment_of = customers.set_index("customer_id")["segment"]\n'
    'year = tx["timestamp"].dt.year\n'
    "rows = {{}}\n"
    'for seg in ["B2C", "B2B"]:\n'
    '    mine = tx["customer_id"].map(segment_of) == seg\n'
    '    bought_2023 = set(tx.loc[mine & (year == 2023), "customer_id"])\n'
    '    bought_2024 = set(tx.loc[mine & (year == 2024), "customer_id"])\n'
    "    r = len(bought_2023 & bought_2024) / len(bought_2023)\n"
    '    m = tx.loc[mine & (year == {y}), "margin"].sum() / len(bought_{y})\n'
    '    rows[seg] = {{"retention": r, "margin": m, "clv": {value}}}\n'
    "segment_clv = pd.DataFrame(rows).T"
)
_P7 = (
    'arm = customers.set_index("customer_id")["segment"].reindex(revenue.index)\n'
    "pooled_abc = pareto.abc_classes(revenue)\n"
    "rows = {{}}\n"
    'for seg in ["B2C", "B2B"]:\n'
    "    mine = revenue[arm == seg].sort_values(ascending=False)\n"
    "    n_top = math.ceil(round(0.2 * len(mine), 9))\n"
    "    rows[seg] = {{\n"
    '        "revenue_share": mine.sum() / revenue.sum(),\n'
    '        "top20_share": {top},\n'
    '        "gini": pareto.gini(mine),\n'
    '        "in_pooled_a": {in_a},\n'
    "    }}\n"
    "arm_concentration = pd.DataFrame(rows).T"
)
_IN_A = 'float((pooled_abc.reindex(mine.index) == "A").mean())'
_TOP = "mine.iloc[:n_top].sum() / mine.sum()"

#: assignment -> mistake -> (answer cell, mistaken code)
MISTAKES = {
    "ch02_stakeholders": {
        "four_groups_of_the_old_assignment": (
            "p1_answer",
            'is_supplier = partners["kind"] == "supplier"\n'
            "stakeholder_counts = pd.Series({'consumers': len(customers), "
            "'personnel': len(employees), 'partners': int((~is_supplier).sum()), "
            "'suppliers': int(is_supplier.sum())})",
        ),
        "banks_and_investors_as_partners": (
            "p1_answer",
            'kind = partners["kind"]\n'
            "stakeholder_counts = pd.Series({'suppliers': int((kind == 'supplier').sum()), "
            "'consumers': len(customers), 'owners': 0, "
            "'partners': int(kind.isin(['distributor', 'logistics', 'agency', 'bank', "
            "'investor']).sum()), 'employees': len(employees)})",
        ),
    },
    "ch03_key_customers": {
        "chapter_margin_of_2023": (
            "p5_answer",
            _P5.format(y=2023, value="clv(m, r, 0.10, ACQUISITION_COST[seg])"),
        ),
        "chapter_discount_rate": (
            "p5_answer",
            _P5.format(y=2024, value="clv(m, r, 0.15, ACQUISITION_COST[seg])"),
        ),
        "chapter_ten_year_horizon": (
            "p5_answer",
            _P5.format(
                y=2024, value="retention_clv(m, r, 0.10, ACQUISITION_COST[seg], horizon=10)"
            ),
        ),
        "arm_share_of_the_chain_total": (
            "p7_answer",
            _P7.format(top="mine.iloc[:n_top].sum() / revenue.sum()", in_a=_IN_A),
        ),
        "arm_members_of_the_pooled_top": (
            "p7_answer",
            _P7.format(
                top="mine[mine.index.isin(revenue.sort_values(ascending=False)"
                ".index[: math.ceil(0.2 * len(revenue))])].sum() / mine.sum()",
                in_a=_IN_A,
            ),
        ),
        "class_a_composition_not_share_of_arm": (
            "p7_answer",
            _P7.format(
                top=_TOP,
                in_a='float((arm.reindex(pooled_abc.index)[pooled_abc == "A"] == seg).mean())',
            ),
        ),
    },
}


#: Mistakes whose visible test already fails, so the student learns of them before grading.
CAUGHT_BY_VISIBLE_TEST = set(MISTAKES["ch02_stakeholders"]) | set(
    MISTAKES["ch03_key_customers"]
) - {"class_a_composition_not_share_of_arm"}


@pytest.fixture(scope="session", params=sorted(MISTAKES))
def graded(request, tmp_path_factory):
    a = request.param
    edits = {m: [edit] for m, edit in MISTAKES[a].items()}
    course, points = grade_students(tmp_path_factory, a, edits, workers=2)
    return a, course, points


def _part(cell: str) -> str:
    return cell.split("_")[0]


def test_reference_solution_gets_every_autograded_point(graded):
    a, course, points = graded
    scores = course.cell_scores(a, "reference")
    assert {c: scores[c] for c in points} == points


def test_each_mistake_loses_points_on_its_part_only(graded):
    a, course, points = graded
    for mistake, (cell, _) in MISTAKES[a].items():
        part = _part(cell)
        scores = course.cell_scores(a, mistake)
        got = sum(scores[c] or 0 for c in points if _part(c) == part)
        full = sum(p for c, p in points.items() if _part(c) == part)
        assert got < full, f"{a}: {mistake} kept all {full} points of {part}"
        if mistake in CAUGHT_BY_VISIBLE_TEST:
            # The student is told before handing in: the visible test fails too.
            assert scores[f"{part}_visible"] == 0, f"{a}: {mistake} passed the visible test"
        others = {c: scores[c] for c in points if _part(c) != part and not c.startswith("q")}
        assert others == {c: points[c] for c in others}, f"{a}: {mistake}: {others}"
