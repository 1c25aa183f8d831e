"""Points nbgrader tools started from the repository root at the course in ``assignments/``.

``make lab`` opens JupyterLab here, and its Formgrader looks for this file in the
folder the server starts in. All settings live in ``assignments/nbgrader_config.py``.
"""

import os

load_subconfig(  # noqa: F821 (provided by nbgrader when it loads this file)
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignments", "nbgrader_config.py")
)

# The Assignments tab fetches into the student's own folder, work/ (git-ignored, made by
# `make lab`), not into the repository.
get_config().Exchange.assignment_dir = os.path.join(  # noqa: F821 (provided by nbgrader)
    os.path.dirname(os.path.abspath(__file__)), "work"
)
