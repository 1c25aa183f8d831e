"""Code a dishonest submission could run while it is being graded.

Kept apart from :mod:`rmlib.grading.submissions` because it is code *for the
student's kernel*: :func:`steal_solution_code` returns the text of a cell
that looks for the instructor's ``source/`` folder by path from where it runs
(``source/`` in its own folder and in every parent, i.e. ``../source``,
``../../source``, ...) and in and just below every folder named by an
environment variable, then executes the reference solution it finds.

It does not scan the whole filesystem or ``/proc``: code running as the
grading user can read whatever that user can, and only operating-system
isolation (a container or a separate user, see ``assignments/README.md``)
stops that.
"""

from __future__ import annotations

__all__ = ["steal_solution_code"]

_TEMPLATE = """import json as _json, os as _os, pathlib as _pl, re as _re
_stolen = None
_here = _pl.Path.cwd()
_places = [(p, "source/*/*.ipynb") for p in (_here, *_here.parents)]
for _v in _os.environ.values():
    for _part in _v.split(_os.pathsep):
        if _part.startswith("/") and _part != "/" and _os.path.isdir(_part):
            _places += [(_pl.Path(_part), "source/*/*.ipynb"),
                        (_pl.Path(_part), "*/source/*/*.ipynb")]
for _base, _pattern in _places:
    for _nb in sorted(_base.glob(_pattern)):
        try:
            _cells = _json.loads(_nb.read_text()).get("cells", [])
        except Exception:
            continue
        for _c in _cells:
            if _c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == GRADE_ID:
                _src = _c["source"]
                _stolen = "".join(_src) if isinstance(_src, list) else _src
    if _stolen:
        break
STOLEN_FROM_SOURCE = _stolen is not None
if _stolen:
    exec(_re.sub(r"(?m)^[ \\t]*### (BEGIN|END) SOLUTION[ \\t]*$", "", _stolen))"""


def steal_solution_code(grade_id: str) -> str:
    """Cell code that finds the source notebook and runs the solution of ``grade_id``.

    After it runs, ``STOLEN_FROM_SOURCE`` says whether the source was found.

    >>> "GRADE_ID" in steal_solution_code("p1")
    False
    """
    return _TEMPLATE.replace("GRADE_ID", repr(grade_id))
