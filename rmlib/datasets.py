"""Bundled datasets: the case company's default data and the real CDNOW log.

``load_*`` functions read files shipped in the repository's ``datasets/``
folder; nothing is downloaded at run time. ``python -m rmlib.datasets --ensure``
(run by ``make setup``) regenerates the case folder if any of its files is
missing and checks that the CDNOW files are there.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

__all__ = [
    "DEFAULT_CASE_ARGS",
    "STUDENT_ENV",
    "ensure_variant",
    "remembered_variants",
    "student_id",
    "variant_args",
    "variant_folder",
    "data_dir",
    "ensure_datasets",
    "load_case",
    "load_cdnow",
    "shipped_checksums",
    "verify_and_restore",
    "verify_datasets",
]

#: Arguments of :func:`rmlib.data.generate_case` that made ``datasets/case``.
DEFAULT_CASE_ARGS = {
    "n_customers": 5000,
    "start": "2023-01-01",
    "end": "2024-12-31",
    "locale": "ru_RU",
    "random_state": 42,
}
CDNOW_FILES = ("CDNOW_sample.txt", "CDNOW_master.txt")


def data_dir() -> Path:
    """Folder holding the shipped datasets.

    ``RMLIB_DATA_DIR`` overrides it; otherwise it is the ``datasets/`` folder
    of the source tree this package was installed from (``pip install -e .``).
    """
    env = os.environ.get("RMLIB_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "datasets"


def _require(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"dataset file {path} is missing. Run `make setup` from the course folder "
            f"(it regenerates the data), or set RMLIB_DATA_DIR to the folder holding it."
        )
    return path


def load_cdnow(kind: str = "sample") -> pd.DataFrame:
    """The CDNOW transaction log, one row per log line.

    Parameters
    ----------
    kind : {"sample", "master"}
        ``"sample"``: the 1/10 sample of Fader, Hardie & Lee (2,357 customers,
        6,919 lines); ``"master"``: the full log (23,570 customers).

    Returns
    -------
    DataFrame with ``customer_id`` (int), ``date`` (datetime64), ``cds``
    (number of CDs bought) and ``amount`` (US dollars).

    Examples
    --------
    >>> cdnow = load_cdnow()
    >>> cdnow.shape, cdnow["customer_id"].nunique()
    ((6919, 4), 2357)
    """
    if kind == "sample":
        path = _require(data_dir() / "cdnow" / "CDNOW_sample.txt")
        names = ["master_id", "customer_id", "date", "cds", "amount"]
        header = 0
    elif kind == "master":
        path = _require(data_dir() / "cdnow" / "CDNOW_master.txt")
        names = ["customer_id", "date", "cds", "amount"]
        header = 1  # the copy in lifetimes starts with a header line
    else:
        raise ValueError(f"`kind` must be 'sample' or 'master'; got {kind!r}.")
    df = pd.read_csv(
        path, sep=r"\s+", header=None, skiprows=header, names=names, dtype={"date": str}
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df[["customer_id", "date", "cds", "amount"]]


def _case_files() -> list[str]:
    from rmlib.data import schema

    return [f"{n}.csv" for n in schema.TABLE_NAMES] + ["meta.json", "README.md"]


#: Environment variable naming the student whose data variant ``load_case(assignment)`` gives.
STUDENT_ENV = "RMLIB_STUDENT"
#: Environment variable naming the folder where generated variants are kept.
VARIANTS_ENV = "RMLIB_VARIANTS_DIR"


def student_id() -> str:
    """Who the data is for: ``RMLIB_STUDENT`` if set, else the id nbgrader records.

    nbgrader files a submission under the login name (or, for the ``jovyan`` login of
    containers on JupyterHub, under ``JUPYTERHUB_USER``); using the same rule lets a
    student's notebook and the grader agree on the variant without anyone typing an id.
    """
    if os.environ.get(STUDENT_ENV):
        return os.environ[STUDENT_ENV]
    try:
        import pwd

        login = pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):  # Windows, or a uid without a passwd entry
        login = os.environ.get("USERNAME") or os.environ.get("USER") or "student"
    if login == "jovyan":
        return os.environ.get("JUPYTERHUB_USER", login)
    return login


def variant_args(student: str, assignment: str) -> dict:
    """How one student's variant of an assignment's data is made.

    The seed comes from a hash of ``(student, assignment)``: the same pair always
    gives the same data, another student or assignment other data. The keys are
    :func:`rmlib.data.generate_case`'s arguments for the buying customers, then
    ``never_bought`` (registered customers who never bought, 3-8 % as many as the buyers)
    and ``return_share`` (share of purchases with a return, 3-7 %) for
    :func:`rmlib.data.add_nonbuyers_and_returns`. The variants are built so that
    common mistakes change the answer: neither the buyers (4,001-5,999) nor all
    customers on file are a multiple of 5, so "the top 20 %" is never a whole
    number of customers; dividing by every customer on file instead of the buying
    ones gives another rate; and revenue without the refunds is too high.

    >>> args = variant_args("ivanova", "ch03_key_customers")
    >>> args == variant_args("ivanova", "ch03_key_customers")
    True
    >>> args["n_customers"] % 5 != 0, (args["n_customers"] + args["never_bought"]) % 5 != 0
    (True, True)
    >>> args["never_bought"] > 0 and args["return_share"] > 0
    True
    """
    for name, value in (("student", student), ("assignment", assignment)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"`{name}` must be a non-empty string; got {value!r}.")
    digest = hashlib.sha256(f"{student}\n{assignment}".encode()).digest()
    seed = int.from_bytes(digest[:4], "big")
    n_customers = 4001 + int.from_bytes(digest[4:6], "big") % 1999
    if n_customers % 5 == 0:
        n_customers += 1
    never_bought = round(n_customers * (0.03 + 0.05 * digest[6] / 255))
    while (n_customers + never_bought) % 5 == 0:
        never_bought += 1
    return_share = round(0.03 + 0.04 * digest[7] / 255, 4)
    return {
        **DEFAULT_CASE_ARGS,
        "n_customers": n_customers,
        "random_state": seed,
        "never_bought": never_bought,
        "return_share": return_share,
    }


#: Bumped whenever :func:`variant_args` or the way a variant is made changes, so
#: that a variant kept on disk by an older version is never read as a current one.
VARIANT_VERSION = 2


def variant_folder(student: str, assignment: str) -> Path:
    """Where a variant is looked for first (shipped with the grading data) and kept."""
    args = variant_args(student, assignment)
    key = f"v{VARIANT_VERSION}-{args['random_state']:08x}-{args['n_customers']}"
    shipped = data_dir() / "variants" / key
    if shipped.exists():
        return shipped
    base = os.environ.get(VARIANTS_ENV) or os.path.join(
        os.path.expanduser("~"), ".cache", "rmlib", "variants"
    )
    return Path(base) / key


def load_case(assignment: str | None = None, *, student: str | None = None):
    """The case company's data as a :class:`rmlib.data.Case`.

    Without ``assignment``: the shipped default case (``datasets/case``), the one
    every chapter uses. With ``assignment``: the student's own variant of it for
    that graded assignment — the same story and columns, other customers and
    numbers — generated on first use (about a second) and kept on disk. The
    student is :func:`student_id` unless ``student`` is given; the grader sets it.

    Every call reads the files afresh, so changing the tables you get back
    never changes what the next call returns.

    Examples
    --------
    >>> case = load_case()
    >>> len(case.customers), case.meta["arguments"]["random_state"]
    (5000, 42)
    >>> case.transactions.columns[:3].tolist()
    ['transaction_id', 'customer_id', 'timestamp']
    >>> mine = load_case("ch03_key_customers", student="ivanova")
    >>> args = variant_args("ivanova", "ch03_key_customers")
    >>> len(mine.customers) == args["n_customers"] + args["never_bought"]
    True
    >>> mine.transactions["customer_id"].nunique() == args["n_customers"]
    True
    """
    from rmlib.data import read_case

    if assignment is None:
        folder = data_dir() / "case"
        for name in _case_files()[:-2]:
            _require(folder / name)
        return read_case(folder)
    folder = ensure_variant(student or student_id(), assignment)
    if _REMEMBERED is None:
        return read_case(folder)
    key = str(folder)
    if key not in _REMEMBERED:
        while len(_REMEMBERED) >= 2:
            _REMEMBERED.pop(next(iter(_REMEMBERED)))
        _REMEMBERED[key] = read_case(folder)
    return copy.deepcopy(_REMEMBERED[key])


#: Variants already read by this process, while :func:`remembered_variants` is active.
_REMEMBERED: dict | None = None


@contextlib.contextmanager
def remembered_variants():
    """Within this block, ``load_case(assignment)`` reads each variant's files only once.

    Later calls get a deep copy of what the first read returned, so they still
    never see changes made to an earlier result. For a process that loads the same
    variant many times over (the grader's checks); a student's kernel never uses it.

    >>> with remembered_variants():
    ...     a = load_case("ch03_key_customers", student="ivanova")
    ...     a.transactions["amount"] = 0.0
    ...     bool(load_case("ch03_key_customers", student="ivanova").transactions["amount"].sum() > 0)
    True
    """
    global _REMEMBERED
    outer = _REMEMBERED
    _REMEMBERED = {} if outer is None else outer
    try:
        yield
    finally:
        _REMEMBERED = outer


def ensure_variant(student: str, assignment: str) -> Path:
    """The folder of a student's variant, generated (atomically) if it is not there yet."""
    from rmlib.data import add_nonbuyers_and_returns, generate_case
    from rmlib.data._case import _replace_dir

    folder = variant_folder(student, assignment)
    if all((folder / f).exists() for f in _case_files()[:-1]):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    args = variant_args(student, assignment)
    extra = {k: args.pop(k) for k in ("never_bought", "return_share")}
    case = add_nonbuyers_and_returns(
        generate_case(**args), **extra, random_state=args["random_state"]
    )
    with tempfile.TemporaryDirectory(prefix=".variant.", dir=folder.parent) as tmp:
        written = case.write(Path(tmp) / "case", format="csv")
        if not folder.exists():
            _replace_dir(written, folder)
    return folder


def ensure_datasets(base: Path | str | None = None) -> list[str]:
    """Make sure the shipped datasets are complete; regenerate the case if needed.

    The case folder (``case/``) is regenerated with :data:`DEFAULT_CASE_ARGS`
    when any of its files is missing (the result is byte-identical to the
    committed files). The CDNOW files cannot be regenerated: if one is missing,
    a FileNotFoundError says how to restore it.

    Parameters
    ----------
    base : path, optional
        The datasets folder; default :func:`data_dir`.

    Returns
    -------
    list of str
        One line per dataset saying what was found or done.
    """
    from rmlib.data import generate_case
    from rmlib.data._case import _replace_dir

    base = Path(base) if base is not None else data_dir()
    report = []
    cdnow = base / "cdnow"
    missing = [f for f in CDNOW_FILES if not (cdnow / f).exists()]
    if missing:
        raise FileNotFoundError(
            f"CDNOW data file(s) {', '.join(missing)} missing from {cdnow}. They are part of "
            f"the course repository and cannot be regenerated: restore them from git "
            f"(git checkout -- datasets/cdnow) or clone the repository again."
        )
    report.append(f"cdnow: ok ({', '.join(CDNOW_FILES)})")
    case_dir = base / "case"
    expected = _case_files()
    absent = [f for f in expected if not (case_dir / f).exists()]
    if not absent:
        report.append(f"case: ok ({len(expected)} files in {case_dir})")
        return report
    if case_dir.exists():
        strangers = sorted(p.name for p in case_dir.iterdir() if p.name not in expected)
        if strangers:
            raise FileExistsError(
                f"{case_dir} lacks {', '.join(absent)} but also holds files that are not part "
                f"of the case ({', '.join(strangers)}); move them elsewhere, then run "
                f"`python -m rmlib.datasets --ensure` again."
            )
    case = generate_case(**DEFAULT_CASE_ARGS)
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".case.", dir=base) as tmp:
        written = case.write(Path(tmp) / "case", format="csv")
        _replace_dir(written, case_dir)
    report.append(f"case: regenerated {case_dir} (missing: {', '.join(absent)})")
    return report


CHECKSUMS = Path(__file__).resolve().parent / "resources" / "datasets.sha256"


def shipped_checksums() -> dict[str, str]:
    """SHA-256 of every shipped data file, by path relative to the datasets folder."""
    out = {}
    for line in CHECKSUMS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            out[name.strip()] = digest
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_datasets(names=("case", "cdnow"), base: Path | str | None = None) -> list[str]:
    """Shipped files of the datasets ``names`` that are missing or differ from their checksum.

    Examples
    --------
    >>> verify_datasets()
    []
    """
    base = Path(base) if base is not None else data_dir()
    changed = []
    for name, digest in shipped_checksums().items():
        if name.split("/")[0] not in names:
            continue
        path = base / name
        if not path.is_file() or path.is_symlink() or _sha256(path) != digest:
            changed.append(name)
    return changed


def verify_and_restore(names=("case", "cdnow"), base: Path | str | None = None, *, log=None):
    """Check the shipped data before grading; regenerate changed case files, report the rest.

    Grading must never run on data that a submission changed. Case files that
    are missing or differ from their checksums are regenerated (the generator is
    deterministic, so they come back byte for byte); a changed CDNOW file
    cannot be regenerated and raises.

    Returns
    -------
    list of str
        The files that were restored (empty when everything was intact).

    Raises
    ------
    RuntimeError
        If a CDNOW file changed, or a case file is still wrong after regenerating.
    """
    from rmlib.data import generate_case

    base = Path(base) if base is not None else data_dir()
    changed = verify_datasets(names, base)
    if not changed:
        return []
    bad = [n for n in changed if not n.startswith("case/")]
    if bad:
        raise RuntimeError(
            f"shipped data changed: {', '.join(bad)}. Grading stopped; restore them with "
            "`git checkout -- datasets/` and grade again."
        )
    if log is not None:
        log.warning("Shipped data changed (%s); restoring it before grading", ", ".join(changed))
    with tempfile.TemporaryDirectory(prefix=".case.", dir=base) as tmp:
        fresh = generate_case(**DEFAULT_CASE_ARGS).write(Path(tmp) / "case", format="csv")
        for name in changed:
            target = base / name
            if target.is_symlink() or target.is_dir():
                target.unlink() if target.is_symlink() else shutil.rmtree(target)
            os.replace(fresh / Path(name).name, target)
    still = verify_datasets(names, base)
    if still:
        raise RuntimeError(f"could not restore the shipped data: {', '.join(still)}")
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m rmlib.datasets --ensure``: check and repair the shipped datasets."""
    parser = argparse.ArgumentParser(
        prog="python -m rmlib.datasets", description="Check the course's shipped datasets."
    )
    parser.add_argument(
        "--ensure",
        action="store_true",
        help="regenerate datasets/case if any file is missing; fail if CDNOW is missing",
    )
    parser.add_argument("--dir", default=None, help="datasets folder (default: the shipped one)")
    args = parser.parse_args(argv)
    if not args.ensure:
        parser.print_help()
        return 0
    try:
        lines = ensure_datasets(args.dir)
    except (FileNotFoundError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
