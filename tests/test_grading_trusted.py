"""The pieces of trusted grading that need no kernel: answers as data, the checks, the data guard."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rmlib
from rmlib import datasets
from rmlib.grading import answers
from rmlib.grading.sandbox import Box, Limits, choose_mode
from rmlib.grading.trusted import (
    CALLABLE,
    HIDDEN_FAILED,
    StudentFunction,
    TrustedChecks,
    free_names,
    hidden_lines,
    raise_as,
    visible_source,
)


def roundtrip(obj):
    return answers.decode(json.loads(json.dumps(answers.encode(obj))))


# ----------------------------------------------------------------------------- answers
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
plain = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=5),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_plain_values_survive_the_trip(value):
    assert roundtrip(value) == value


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(dtype=st.sampled_from(["int64", "float64", "bool"]), shape=hnp.array_shapes()))
def test_numpy_arrays_survive_the_trip(array):
    back = roundtrip(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=0, max_size=30),
    st.sampled_from(["int", "str", "date"]),
)
def test_series_survive_the_trip(values, index_kind):
    index = {
        "int": list(range(len(values))),
        "str": [f"c{i}" for i in range(len(values))],
        "date": pd.date_range("2024-01-01", periods=len(values)),
    }[index_kind]
    series = pd.Series(values, index=index, name="amount", dtype=float)
    pd.testing.assert_series_equal(roundtrip(series), series, check_freq=False)


def test_case_tables_survive_the_trip():
    case = datasets.load_case()
    for table in (case.transactions.head(300), case.customers.head(300)):
        pd.testing.assert_frame_equal(roundtrip(table), table)
    grouped = case.transactions.groupby(["customer_id", "channel"])["amount"].sum().head(50)
    pd.testing.assert_series_equal(roundtrip(grouped), grouped)


def test_objects_that_lie_about_equality_arrive_as_their_plain_value():
    class Any(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    assert type(roundtrip(Any(0.0))) is float and roundtrip(Any(0.0)) != 1.0


def test_objects_that_are_not_data_equal_nothing_and_say_what_to_do():
    back = roundtrip(object())
    assert isinstance(back, answers.Unexportable)
    assert back != back and back != 0
    assert "convert your answer" in repr(back)


@pytest.mark.parametrize(
    "payload",
    [
        {"__t": "ndarray", "dtype": "|V8", "shape": [1], "v": [0]},
        {"__t": "frame", "index": {"__t": "pickle"}, "columns": [], "data": []},
        {"__t": "mystery"},
        ["ok", {"__t": "np", "dtype": "object", "v": "__import__('os')"}],
    ],
)
def test_decoding_refuses_anything_but_plain_data(payload):
    with pytest.raises(ValueError):
        answers.decode(payload)


# ------------------------------------------------------------------------------ trusted
CELL = '"""doc"""\n_ = f(1)\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS'


def test_hidden_regions_are_cut_out_for_the_kernel():
    assert visible_source(CELL) == '"""doc"""\n_ = f(1)'
    assert hidden_lines(CELL) == {3, 4, 5}


def test_free_names_are_what_a_test_needs_from_the_student():
    assert free_names(CELL) == {"f"}
    assert free_names("import numpy as np\nx = np.ones(3)\nassert (x == y).all()") == {"y"}
    assert free_names("def g(a):\n    return a + b\n[i for i in range(3)]") == {"b"}


def _checks(setup, values, functions=None):
    functions = functions or {}

    def fetch(names):
        out = {n: values[n] for n in names if n in values}
        out.update({n: CALLABLE for n in names if n in functions})
        return out

    def call(name, args, kwargs):
        return functions[name](*args, **kwargs)

    return TrustedChecks(setup, fetch, call)


def test_a_check_passes_on_a_right_answer_and_fails_neutrally_in_hidden_code():
    checks = _checks([("setup", "base = 2")], {}, {"f": lambda x: base_twice(x)})
    assert checks.check("t", CELL.replace("f(2) == 4", "f(2) == 2 * base")).passed
    wrong = _checks([("setup", "base = 2")], {}, {"f": lambda x: x})
    verdict = wrong.check("t", CELL)
    assert not verdict.passed and verdict.evalue == HIDDEN_FAILED and verdict.line == ""


def base_twice(x):
    return 2 * x


def test_a_visible_failure_shows_its_message_and_line():
    checks = _checks([], {"total": 3})
    verdict = checks.check("t", 'assert total == 4, "total should be 4"')
    assert not verdict.passed
    assert verdict.evalue == "total should be 4"
    assert verdict.line == 'assert total == 4, "total should be 4"'


def test_a_missing_answer_is_named():
    verdict = _checks([], {}).check("t", "assert total == 4")
    assert verdict.ename == "NameError" and "'total' is not defined" in verdict.evalue


def test_student_exceptions_keep_their_builtin_class():
    with pytest.raises(ValueError, match="bad"):
        raise_as("ValueError", "bad")
    with pytest.raises(Exception, match="MyError: odd") as info:
        raise_as("MyError", "odd")
    assert type(info.value).__name__ == "StudentError"
    with pytest.raises(Exception) as info:  # a name that is a builtin but not an exception
        raise_as("print", "x")
    assert type(info.value).__name__ == "StudentError"
    assert "your function f" in repr(StudentFunction("f", lambda *a: None))


def test_the_setup_runs_once_and_each_submission_gets_its_own_copy():
    setup = [("setup", "import pandas as pd\nframe = pd.DataFrame({'a': [1, 2]})")]
    first = _checks(setup, {})
    first.namespace["frame"].loc[0, "a"] = 99
    second = _checks(setup, {})
    assert second.namespace["frame"].loc[0, "a"] == 1


def test_a_broken_setup_fails_every_test_with_the_reason():
    verdict = _checks([("setup", "1 / 0")], {}).check("t", "assert True")
    assert verdict.ename == "GraderError" and "ZeroDivisionError" in verdict.evalue


# ---------------------------------------------------------------------- data guard
@pytest.fixture
def data_copy(tmp_path):
    base = tmp_path / "datasets"
    shutil.copytree(datasets.data_dir(), base)
    return base


def test_shipped_data_matches_its_checksums():
    assert datasets.verify_datasets() == []
    names = set(datasets.shipped_checksums())
    assert "case/transactions.csv" in names and "cdnow/CDNOW_master.txt" in names


@pytest.mark.slow
def test_changed_case_files_are_reported_and_restored(data_copy):
    (data_copy / "case" / "transactions.csv").write_text("customer_id\n1\n")
    (data_copy / "case" / "customers.csv").rename(data_copy / "case" / "customers.gone")
    assert datasets.verify_datasets(base=data_copy) == [
        "case/customers.csv",
        "case/transactions.csv",
    ]
    restored = datasets.verify_and_restore(base=data_copy)
    assert restored == ["case/customers.csv", "case/transactions.csv"]
    assert datasets.verify_datasets(base=data_copy) == []


def test_changed_cdnow_files_stop_grading_with_a_fix(data_copy):
    with open(data_copy / "cdnow" / "CDNOW_sample.txt", "a") as fh:
        fh.write("1 1 19970101 1 1.0\n")
    with pytest.raises(RuntimeError, match="git checkout -- datasets/"):
        datasets.verify_and_restore(base=data_copy)


# -------------------------------------------------------------------------- sandbox
def test_unknown_sandbox_mode_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="'auto' or one of root, userns, none"):
        choose_mode("docker")


def test_the_kernel_environment_names_nothing_of_the_grader(monkeypatch):
    monkeypatch.setenv("SECRET_COURSE_PATH", "/srv/course")
    box = Box("none", ["/srv/course"], Limits())
    try:
        env = box.env()
        assert "SECRET_COURSE_PATH" not in env
        assert not any("/srv/course" in v for v in env.values())
        assert env["RMLIB_DATA_DIR"] == str(box.data) and env["HOME"] == str(box.work)
        spec = box.spec()
        assert spec["hide"] == ["/srv/course"]
        assert spec["root"].startswith(str(box.root) + "/")
        assert spec["limits"]["memory_bytes"] == 4096 * 1024 * 1024
    finally:
        box.cleanup()
    assert not box.root.exists()


_LOOK_AROUND = r"""
import ctypes, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
seen = {
    "top": sorted(os.listdir("/")),
    "decoy": os.path.exists(sys.argv[1]),
    "remount": libc.mount(None, sys.prefix.encode(), None, 32 | 4096, None),
    "umount": libc.umount2(os.environ["HOME"].encode(), 2),
    "caps": [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0],
}
for where in (sys.prefix, os.environ["RMLIB_DATA_DIR"]):
    try:
        open(os.path.join(where, "planted"), "w").close()
        seen[where] = "written"
    except OSError:
        seen[where] = "refused"
open(os.path.join(os.environ["HOME"], "scratch"), "w").close()
print(json.dumps(seen))
"""


@pytest.mark.parametrize("mode", ["root", "userns"])
def test_the_kernel_sees_an_allow_list_of_the_machine_and_cannot_change_it(mode, tmp_path):
    """A copy of the course anywhere else on the machine does not exist for the kernel."""
    import subprocess

    from rmlib.grading.sandbox import capabilities

    if not capabilities()[mode]:
        pytest.skip(f"sandbox mode {mode} does not work on this machine")
    decoy = tmp_path / "elsewhere" / "source" / "a1" / "a1.ipynb"
    decoy.parent.mkdir(parents=True)
    decoy.write_text("{}")
    box = Box(mode, [str(tmp_path / "course")], Limits())
    try:
        cmd = box.wrap([sys.executable, "-c", _LOOK_AROUND, str(decoy)])
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        seen = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        box.cleanup()
    allowed = {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "proc", "dev"}
    allowed |= {Path(p).parts[1] for p in (sys.prefix, sys.base_prefix, str(box.root))}
    allowed.add(Path(rmlib.__file__).resolve().parts[1])
    assert set(seen["top"]) <= allowed, seen["top"]
    assert seen["decoy"] is False
    assert seen["remount"] == -1 and seen["umount"] == -1
    assert int(seen["caps"], 16) == 0
    assert seen[sys.prefix] == "refused" and seen[str(box.data)] == "refused"
