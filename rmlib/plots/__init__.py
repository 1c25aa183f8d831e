"""Figures for the relationship marketing workbook.

Every function here draws one kind of figure on a matplotlib ``Axes``:

* it takes ``ax=None`` and creates a figure only when no axes are given;
* it draws only through ``ax`` and returns it, so figures can be combined;
* axes are labelled with their units (roubles, %, weeks);
* colours come from one colour-blind-safe palette, :data:`OKABE_ITO`
  (Okabe & Ito, 2008), and heatmaps use the ``cividis`` colour map, which
  reads the same for people with colour-vision deficiency;
* it draws what the analytics modules (:mod:`rmlib.pareto`,
  :mod:`rmlib.retention`, :mod:`rmlib.loyalty`, :mod:`rmlib.relationship`,
  :mod:`rmlib.rfm`, :mod:`rmlib.clv`) return and never computes a metric of
  its own: a share, a Gini coefficient or a CLV is passed in, or taken from
  the analytics function that computes it.

The figures are plain matplotlib: no plotting library does the course's
conceptual diagrams (ladder, grid, pyramid, stakeholder map), and the data
figures are a few bars and lines that matplotlib draws directly.

What lives where
----------------
The package is cut by the kind of figure; everything is re-exported here, so
``from rmlib import plots; plots.pareto_chart(...)`` works as before.

- :mod:`rmlib.plots.diagrams`: the conceptual diagrams (:func:`relationship_ladder`,
  :func:`implementation_pyramid`, :func:`stakeholder_map`, :func:`kotler_grid`);
- :mod:`rmlib.plots.value`: where customer value lies (:func:`pareto_chart`,
  :func:`lorenz_curve`, :func:`abc_classes`, :func:`profitability_pyramid`,
  :func:`clv_distribution`, :func:`clv_by_segment`, :func:`cumulative_clv`);
- :mod:`rmlib.plots.loyalty`: loyalty and loyalty programs (:func:`nps_breakdown`,
  :func:`loyalty_matrix`, :func:`program_uplift`, :func:`program_economics`);
- :mod:`rmlib.plots.heatmaps`: :func:`rfm_heatmap` and :func:`cohort_heatmap`;
- :mod:`rmlib.plots._common`: the palette (:data:`OKABE_ITO`, :data:`CATEGORICAL`,
  :data:`SEQUENTIAL_CMAP`) and what every figure shares (axes, titles and labels,
  rouble ticks, checks of the values drawn).
"""

from rmlib.plots._common import CATEGORICAL, OKABE_ITO, SEQUENTIAL_CMAP
from rmlib.plots.diagrams import (
    implementation_pyramid,
    kotler_grid,
    relationship_ladder,
    stakeholder_map,
)
from rmlib.plots.heatmaps import cohort_heatmap, rfm_heatmap

# Where each loyalty class sits on the matrix (private) stays importable from here:
# a test checks that it places every class of rmlib.loyalty.
from rmlib.plots.loyalty import _LOYALTY_CELLS as _LOYALTY_CELLS
from rmlib.plots.loyalty import loyalty_matrix, nps_breakdown, program_economics, program_uplift
from rmlib.plots.value import (
    abc_classes,
    clv_by_segment,
    clv_distribution,
    cumulative_clv,
    lorenz_curve,
    pareto_chart,
    profitability_pyramid,
)

# The course's relationship constants live in rmlib.relationship, the single source;
# they are re-exported here because the figures are drawn from them.
from rmlib.relationship import (
    CUSTOMER_BANDS,
    KOTLER_GRID,
    MARGIN_BANDS,
    PYRAMID_LEVELS,
    RELATIONSHIP_LEVELS,
)

__all__ = [
    "CATEGORICAL",
    "CUSTOMER_BANDS",
    "KOTLER_GRID",
    "MARGIN_BANDS",
    "OKABE_ITO",
    "PYRAMID_LEVELS",
    "RELATIONSHIP_LEVELS",
    "SEQUENTIAL_CMAP",
    "abc_classes",
    "clv_by_segment",
    "clv_distribution",
    "cohort_heatmap",
    "cumulative_clv",
    "implementation_pyramid",
    "kotler_grid",
    "lorenz_curve",
    "loyalty_matrix",
    "nps_breakdown",
    "pareto_chart",
    "program_economics",
    "program_uplift",
    "profitability_pyramid",
    "relationship_ladder",
    "rfm_heatmap",
    "stakeholder_map",
]
