"""Each assignment's common mistakes lose points, on every student's variant of the data.

For every mistake below, two students (so two variants of the case) hand in the reference
solution with that one answer done the mistaken way. After one parallel autograde per
assignment, each of them must score below full marks on the part the mistake is in, and
exactly full marks on every other autograded part (self-check items aside: some reuse a
part's result).

The variants are what make several of these mistakes visible: each has registered customers
who never bought (so dividing by every customer on file gives another rate), refunds in
``returns`` (so revenue without them is too high), and a number of buyers that is not a
multiple of 5 (so rounding the top 20 % down drops a customer).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _graded_term import grade_students

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-mistakes")]

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("v1", "v2")

#: assignment -> mistake -> (answer cell, mistaken code)
MISTAKES = {
    "ch01_relationships": {
        "more_than_two": (
            "p1_answer",
            'purchases = tx.groupby("customer_id").size()\n'
            "in_relationship = sorted(purchases[purchases > 2].index)",
        ),
        "percent_not_share": ("p2_answer", "repeat_rate = (purchases >= 2).mean() * 100"),
        "everyone_on_file": (
            "p2_answer",
            'repeat_rate = len(in_relationship) / case.customers["customer_id"].nunique()',
        ),
        "median_of_medians": (
            "p3_answer",
            'ordered = tx.sort_values(["customer_id", "timestamp"])\n'
            'per_customer = ordered.groupby("customer_id")["timestamp"].apply('
            "lambda s: s.diff().median())\n"
            "median_gap_days = float(per_customer.mean() / pd.Timedelta(days=1))",
        ),
        "refunds_forgotten": (
            "p4_answer",
            'is_repeat = tx["customer_id"].map(purchases >= 2)\n'
            "revenue_split = pd.Series({'one-time': tx.loc[~is_repeat, 'amount'].sum(), "
            "'repeat': tx.loc[is_repeat, 'amount'].sum()})",
        ),
    },
    "ch02_stakeholders": {
        # The five S.C.O.P.E. groups in the right order, but suppliers counted again
        # among the partners (the sum no longer matches the partner table).
        "suppliers_counted_as_partners": (
            "p1_answer",
            'kind = partners["kind"]\n'
            "stakeholder_counts = pd.Series({'suppliers': int((kind == 'supplier').sum()), "
            "'consumers': len(customers), "
            "'owners': int(kind.isin(['bank', 'investor']).sum()), "
            "'partners': int(kind.isin(['distributor', 'logistics', 'agency', 'supplier']).sum()), "
            "'employees': len(employees)})",
        ),
        "spearman_not_pearson": (
            "p3_answer",
            'satisfaction_corr = store_satisfaction["staff_satisfaction"].corr('
            'store_satisfaction["customer_csat"], method="spearman")',
        ),
    },
    "ch03_key_customers": {
        "gross_not_net": (
            "p1_answer",
            'gross = tx.groupby("customer_id")["amount"].sum().sort_values(ascending=False)\n'
            "n_top = math.ceil(round(0.2 * len(gross), 9))\n"
            "top20_share = gross.iloc[:n_top].sum() / gross.sum()",
        ),
        "floor_not_ceiling": (
            "p1_answer",
            "ranked = revenue.sort_values(ascending=False)\n"
            "n_top = int(0.2 * len(ranked))\n"
            "top20_share = ranked.iloc[:n_top].sum() / ranked.sum()",
        ),
        "gini_unsorted": (
            "p2_answer",
            "def gini(values):\n"
            "    x = np.asarray(values, dtype=float)\n"
            "    if x.size == 0 or (x < 0).any() or x.sum() == 0:\n"
            "        raise ValueError('bad input')\n"
            "    n = x.size\n"
            "    i = np.arange(1, n + 1)\n"
            "    return float(2 * (i * x).sum() / (n * x.sum()) - (n + 1) / n)\n\n\n"
            "revenue_gini = gini(revenue)",
        ),
        "abc_share_before_the_customer": (
            "p3_answer",
            'ranked = revenue.sort_index().sort_values(ascending=False, kind="stable")\n'
            "cum_share = ranked.cumsum().shift(fill_value=0) / ranked.sum()\n"
            "abc = pd.Series(np.where(cum_share <= 0.80, 'A', np.where(cum_share <= 0.95, "
            "'B', 'C')), index=ranked.index)",
        ),
        "margin_per_customer_of_all_years": (
            "p5_answer",
            'segment_of = customers.set_index("customer_id")["segment"]\n'
            'year = tx["timestamp"].dt.year\n'
            "rows = {}\n"
            'for seg in ["B2C", "B2B"]:\n'
            '    mine = tx["customer_id"].map(segment_of) == seg\n'
            '    bought_2023 = set(tx.loc[mine & (year == 2023), "customer_id"])\n'
            '    bought_2024 = set(tx.loc[mine & (year == 2024), "customer_id"])\n'
            "    r = len(bought_2023 & bought_2024) / len(bought_2023)\n"
            '    m = tx.loc[mine, "margin"].sum() / len(bought_2024)\n'
            '    rows[seg] = {"retention": r, "margin": m, '
            '"clv": clv(m, r, 0.10, ACQUISITION_COST[seg])}\n'
            "segment_clv = pd.DataFrame(rows).T",
        ),
    },
}


def _part(cell: str) -> str:
    return cell.split("_")[0]


@pytest.fixture(scope="session", params=sorted(MISTAKES))
def graded(request, tmp_path_factory):
    a = request.param
    edits = {f"{m}_{v}": [edit] for m, edit in MISTAKES[a].items() for v in VARIANTS}
    course, points = grade_students(tmp_path_factory, a, edits, reference=False, workers=2)
    return a, course, points


def test_every_mistake_loses_points_on_its_part_only(graded):
    a, course, points = graded
    for mistake, (cell, _) in MISTAKES[a].items():
        part = _part(cell)
        for v in VARIANTS:
            scores = course.cell_scores(a, f"{mistake}_{v}")
            got = sum(scores[c] or 0 for c in points if _part(c) == part)
            full = sum(p for c, p in points.items() if _part(c) == part)
            assert got < full, f"{a}: {mistake} on variant {v} kept all {full} points of {part}"
            others = {c: scores[c] for c in points if _part(c) != part and not c.startswith("q")}
            assert others == {c: points[c] for c in others}, f"{a}: {mistake} {v}: {others}"
