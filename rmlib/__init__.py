"""rmlib: the helper library of the Relationship Marketing workbook.

The library is cut by what it does:

* data generation and loading: :mod:`rmlib.data`, :mod:`rmlib.datasets`;
* analytics, one module per topic (no plotting, no widgets);
* figures (:mod:`rmlib.plots`), explorers (:mod:`rmlib.widgets`) and
  self-check quizzes (:mod:`rmlib.quiz`).

Importing :mod:`rmlib` is cheap and has no side effects; import the
submodule you need, e.g. ``from rmlib import pareto``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rmlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
