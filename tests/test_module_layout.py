"""The library's packages keep their public names and their import boundaries.

``rmlib.clv``, ``rmlib.quiz`` and ``rmlib.relationship`` are packages cut by topic;
notebooks, assignments and tests import from the package, so every name that was
importable from the single module stays importable from the same place. The quiz
banks are plain data: loading them must not import ipywidgets.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent

# Every name importable from these modules before they became packages (public API
# plus the private names other modules and tests import).
NAMES = {
    "rmlib.clv": [
        "BetaGeoModel",
        "ConvergenceWarning",
        "GammaGammaModel",
        "discounted_clv",
        "holdout_check",
        "payback_period",
        "retention_clv",
        "retention_value_curve",
        "_BGNBDLikelihood",
        "_GGLikelihood",
    ],
    "rmlib.quiz": [
        "ITEM_TYPES",
        "Bank",
        "CheckResult",
        "Item",
        "OpenQuestion",
        "Option",
        "Quiz",
        "QuizBankError",
        "QuizQuestion",
        "available_banks",
        "load_bank",
        "open_questions",
        "quiz",
        "validate_bank",
        "REREAD_BELOW",
        "ReviewItem",
        "ReviewQuiz",
        "all_open_questions",
        "chapter_scores",
        "draw_review",
        "load_textbook_questions",
        "reread_advice",
        "review_chapters",
        "review_items",
        "review_quiz",
        "textbook_questions",
    ],
    # rmlib.quiz.bank was one module; it is now the loading part and re-exports the rest.
    "rmlib.quiz.bank": [
        "ITEM_TYPES",
        "Bank",
        "CheckResult",
        "Item",
        "OpenQuestion",
        "Option",
        "QuizBankError",
        "available_banks",
        "load_bank",
        "open_questions",
        "validate_bank",
    ],
    "rmlib.relationship": [
        "CUSTOMER_BANDS",
        "CUSTOMER_CUTS",
        "KOTLER_GRID",
        "LEVEL_NAMES_RU",
        "MARGIN_BANDS",
        "MARGIN_CUTS",
        "PYRAMID_LEVELS",
        "PYRAMID_LEVELS_RU",
        "RELATIONSHIP_LEVELS",
        "TIER_MULTIPLIERS",
        "UpliftResult",
        "churn_reasons",
        "contacts_per_customer",
        "customers_per_manager",
        "margin_by_group",
        "program_balance",
        "program_economics",
        "program_outcomes",
        "program_roi",
        "program_uplift",
        "pyramid_readiness",
        "recommend_level",
        "recommend_levels",
        "relationship_roi",
    ],
}


@pytest.mark.parametrize("module", sorted(NAMES))
def test_names_stay_importable(module):
    mod = importlib.import_module(module)
    missing = [name for name in NAMES[module] if not hasattr(mod, name)]
    assert missing == []
    # REREAD_BELOW was importable but never in __all__; everything else public was.
    public = {n for n in NAMES[module] if not n.startswith("_")} - {"REREAD_BELOW"}
    assert public == set(mod.__all__)
    for name in mod.__all__:
        assert getattr(mod, name) is not None


def _modules_after(code: str) -> set[str]:
    """Names in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "code",
    [
        "import rmlib.quiz.bank",
        "import rmlib.quiz.items",
        "import rmlib.quiz.marking",
        "import rmlib.quiz.schema",
        "import rmlib.quiz.review",
        "from rmlib.quiz import load_bank, draw_review, QuizBankError\nload_bank('ch01')",
    ],
)
def test_quiz_banks_do_not_import_ipywidgets(code):
    loaded = _modules_after(code)
    assert "rmlib.quiz.bank" in loaded
    assert "ipywidgets" not in loaded
    assert "rmlib.quiz.widget" not in loaded


def test_quiz_bank_names_are_the_package_objects():
    """A name re-exported from rmlib.quiz.bank is the same object as in rmlib.quiz."""
    bank, quiz = importlib.import_module("rmlib.quiz.bank"), importlib.import_module("rmlib.quiz")
    assert all(getattr(bank, name) is getattr(quiz, name) for name in NAMES["rmlib.quiz.bank"])


def test_quiz_widget_is_imported_on_first_use():
    """The check above can fail: asking for the widget does import ipywidgets."""
    loaded = _modules_after("from rmlib.quiz import quiz")
    assert {"ipywidgets", "rmlib.quiz.widget"} <= loaded


def test_subpackages_are_shipped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    found = set(find_packages(where=str(ROOT), include=include))
    assert {"rmlib", "rmlib.clv", "rmlib.quiz", "rmlib.relationship", "rmlib.data"} <= found


# rmlib.plots was one module; it is a package cut by kind of figure. Every public name
# stays in rmlib.plots and is the object its submodule (or rmlib.relationship) defines.
PLOTS_NAMES = {
    "rmlib.plots._common": ["CATEGORICAL", "OKABE_ITO", "SEQUENTIAL_CMAP"],
    "rmlib.plots.diagrams": [
        "implementation_pyramid",
        "kotler_grid",
        "relationship_ladder",
        "stakeholder_map",
    ],
    "rmlib.plots.heatmaps": ["cohort_heatmap", "rfm_heatmap"],
    "rmlib.plots.loyalty": [
        "loyalty_matrix",
        "nps_breakdown",
        "program_economics",
        "program_uplift",
    ],
    "rmlib.plots.value": [
        "abc_classes",
        "clv_by_segment",
        "clv_distribution",
        "cumulative_clv",
        "lorenz_curve",
        "pareto_chart",
        "profitability_pyramid",
    ],
    "rmlib.relationship": [
        "CUSTOMER_BANDS",
        "KOTLER_GRID",
        "MARGIN_BANDS",
        "PYRAMID_LEVELS",
        "RELATIONSHIP_LEVELS",
    ],
}


def test_plots_names_are_the_submodule_objects():
    plots = importlib.import_module("rmlib.plots")
    assert sorted(plots.__all__) == sorted(n for names in PLOTS_NAMES.values() for n in names)
    for module, names in PLOTS_NAMES.items():
        mod = importlib.import_module(module)
        assert [n for n in names if getattr(plots, n) is not getattr(mod, n)] == []
        if module.startswith("rmlib.plots.") and module != "rmlib.plots._common":
            assert sorted(mod.__all__) == names
    # Private, read by tests/test_plots.py: where each loyalty class sits on the matrix.
    loyalty_figures = importlib.import_module("rmlib.plots.loyalty")
    assert plots._LOYALTY_CELLS is loyalty_figures._LOYALTY_CELLS


def test_analytics_do_not_import_matplotlib_but_plots_do():
    analytics = "clv", "loyalty", "pareto", "relationship", "retention", "rfm"
    loaded = _modules_after("\n".join(f"import rmlib.{m}" for m in analytics))
    assert {f"rmlib.{m}" for m in analytics} <= loaded
    assert "matplotlib" not in loaded
    assert {"matplotlib", "rmlib.plots.value"} <= _modules_after("from rmlib import plots")


def test_plots_package_is_shipped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    assert "rmlib.plots" in set(find_packages(where=str(ROOT), include=include))


# rmlib.widgets was one module; its explorers now live in submodules by topic and the
# package re-exports them. Every public name it had, and where each is defined:
WIDGETS_NAMES = {
    "rmlib.widgets._base": ["Explorer"],
    "rmlib.widgets.value": ["CLVCalculator", "ParetoExplorer", "RFMExplorer"],
    "rmlib.widgets.relationship": [
        "LoyaltyMatrixExplorer",
        "LoyaltyProgramSimulator",
        "RelationshipLevelChooser",
    ],
    "rmlib.widgets.crm": ["Customer360Explorer", "ReadinessAssessment"],
}


def test_widgets_names_are_the_submodule_objects():
    widgets = importlib.import_module("rmlib.widgets")
    public = sorted(name for names in WIDGETS_NAMES.values() for name in names)
    assert sorted(widgets.__all__) == public
    for module, names in WIDGETS_NAMES.items():
        sub = importlib.import_module(module)
        assert sorted(sub.__all__) == sorted(names)
        for name in names:
            assert getattr(widgets, name) is getattr(sub, name)
            assert getattr(sub, name).__module__ == module
        assert all(issubclass(getattr(sub, n), widgets.Explorer) for n in names)
    # The package keeps the overview, including the fallback without a kernel.
    assert "Where widgets cannot render" in widgets.__doc__
    assert "explorer needs a running kernel" in widgets.__doc__


def test_widgets_package_is_shipped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    assert "rmlib.widgets" in set(find_packages(where=str(ROOT), include=include))
