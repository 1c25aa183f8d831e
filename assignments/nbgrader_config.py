"""nbgrader configuration of the Relationship Marketing course.

Run every ``nbgrader`` command from this folder (``assignments/``). The
pipeline below is stock nbgrader with three preprocessors from
``rmlib.grading.preprocessors`` (see that module for why each exists):

* ``RestoreCellMetadata`` puts back test cells a student deleted, re-typed or
  re-labelled, before nbgrader restores their code from the gradebook;
* ``SandboxedExecute`` runs the student's kernel in a jailed, throw-away sandbox and
  decides every test cell outside it, in the grader's own process;
* ``HideHiddenTests`` keeps hidden tests out of the feedback students receive.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from rmlib.grading.preprocessors import HideHiddenTests, RestoreCellMetadata, SandboxedExecute

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = os.environ.get("RM_COURSE_ID", "relationship-marketing")
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Where students fetch and submit. On a multi-user server every user must be able to
# read and write it (see README.md); a course on one machine can keep the default,
# .exchange/ next to this folder (git-ignored; `make setup` and `make lab` create it).
c.Exchange.root = os.environ.get("RM_EXCHANGE_ROOT") or os.path.join(
    os.path.dirname(c.CourseDirectory.root), ".exchange"
)

# Every released notebook starts with the course header.
c.IncludeHeaderFooter.header = os.path.join(c.CourseDirectory.root, "source", "header.ipynb")

# Seconds one cell may run while grading; a cell that runs longer is interrupted,
# marked as failed, and grading goes on with the next cell.
c.Execute.timeout = int(os.environ.get("RM_CELL_TIMEOUT", "30"))
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120
c.SandboxedExecute.max_kernel_deaths = 3
# Seconds for grading one whole notebook (re-runs and checks included).
c.SandboxedExecute.notebook_timeout = int(os.environ.get("RM_NOTEBOOK_TIMEOUT", "180"))

c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    RestoreCellMetadata,
    DeduplicateIds,
    OverwriteKernelspec,
    OverwriteCells,
    CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    SandboxedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, HideHiddenTests]
