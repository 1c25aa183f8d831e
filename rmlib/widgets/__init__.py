"""Interactive explorers for the workbook (ipywidgets 8, JupyterLab 4).

Each explorer is an :class:`ipywidgets.VBox` holding its controls, a result
panel and, where useful, a figure. The explorers only connect the analytics
modules to :mod:`rmlib.plots`: every figure is drawn by a function of
:mod:`rmlib.plots`, and every number they show comes from an analytics
function:

=========================  ==================================================
explorer                   numbers from
=========================  ==================================================
ParetoExplorer             :func:`rmlib.pareto.pareto_table`, ``top_share``,
                           ``abc_summary``
CLVCalculator              :func:`rmlib.clv.retention_clv`,
                           ``retention_value_curve``, ``payback_period``
RelationshipLevelChooser   :func:`rmlib.relationship.recommend_level`
LoyaltyProgramSimulator    :func:`rmlib.relationship.program_economics`
LoyaltyMatrixExplorer      :func:`rmlib.loyalty.loyalty_matrix`
RFMExplorer                :func:`rmlib.rfm.rfm_scores`, ``rfm_segments``,
                           ``segment_summary``, ``score_matrix``
ReadinessAssessment        :func:`rmlib.relationship.pyramid_readiness`
Customer360Explorer        :func:`rmlib.crm.customer_360`
=========================  ==================================================

Driving an explorer from code
    Set a control's value (``explorer.controls["retention"].value = 0.8``);
    the explorer's ``observe`` handlers recompute, so ``explorer.result``
    (a plain dict) and ``explorer.output.value`` (the HTML shown) update at
    once. ``explorer.ax`` is the axes of its figure.

Where widgets cannot render
    A widget is stored in a notebook as a reference to live kernel state
    (``application/vnd.jupyter.widget-view+json``). JupyterLab draws it;
    a static page (nbconvert HTML without saved widget state, GitHub,
    a PDF) cannot and falls back to the next representation in the output.
    Every explorer therefore adds a ``text/html`` and a ``text/plain``
    representation to its display bundle: a clear message that the
    explorer needs a running kernel, plus its current result.

The figure inside an explorer is a PNG rendered into an
:class:`ipywidgets.Image` from a :class:`matplotlib.figure.Figure`
created without :mod:`pyplot`, so no stray figure is shown by the
notebook's inline backend and nothing depends on a GUI.

The package
    :mod:`rmlib.widgets._base` holds :class:`Explorer` (controls, result panel,
    figure and the static fallback above) and the small helpers the explorers
    share; the explorers are grouped by topic: :mod:`rmlib.widgets.value`
    (Pareto/ABC, CLV, RFM), :mod:`rmlib.widgets.relationship` (relationship
    level, loyalty program, loyalty matrix) and :mod:`rmlib.widgets.crm`
    (implementation readiness, customer 360). Import them from here:
    ``from rmlib import widgets; widgets.ParetoExplorer(...)``.
"""

from __future__ import annotations

from rmlib.widgets._base import Explorer
from rmlib.widgets.crm import Customer360Explorer, ReadinessAssessment
from rmlib.widgets.relationship import (
    LoyaltyMatrixExplorer,
    LoyaltyProgramSimulator,
    RelationshipLevelChooser,
)
from rmlib.widgets.value import CLVCalculator, ParetoExplorer, RFMExplorer

__all__ = [
    "CLVCalculator",
    "Customer360Explorer",
    "Explorer",
    "LoyaltyMatrixExplorer",
    "LoyaltyProgramSimulator",
    "ParetoExplorer",
    "RFMExplorer",
    "ReadinessAssessment",
    "RelationshipLevelChooser",
]
