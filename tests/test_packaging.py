"""Dependency lists cannot drift: pyproject, environment.yml and the lock agree."""

from __future__ import annotations

import re
import tomllib

import pytest
from _nbrun import ROOT
from packaging.requirements import Requirement
from packaging.version import Version

# conda-forge names that differ from the PyPI ones.
CONDA_NAMES = {"matplotlib": "matplotlib-base"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + list(meta["optional-dependencies"]["dev"])
    return {_norm(r.name): r for r in map(Requirement, reqs)}


def environment_requirements() -> tuple[dict[str, str], list[str]]:
    """Conda packages (name -> specifier) and the pip section of environment.yml."""
    conda, pip, in_pip, section = {}, [], False, ""
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line.startswith((" ", "-")):
            section = line.split(":", 1)[0]
            continue
        if section != "dependencies":
            continue
        if line.strip() == "- pip:":
            in_pip = True
            continue
        m = re.match(r"^(\s*)- (.+)$", line)
        if not m:
            in_pip = False
            continue
        if in_pip and len(m.group(1)) > 2:
            pip.append(m.group(2).strip())
            continue
        in_pip = False
        spec = m.group(2).strip()
        name = re.match(r"[A-Za-z0-9_.-]+", spec).group(0)
        conda[_norm(name)] = spec[len(name) :]
    return conda, pip


def lock_pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[_norm(name)] = Version(version)
    return pins


def test_environment_yml_matches_pyproject():
    """Same packages with the same version ranges in both files."""
    conda, pip = environment_requirements()
    reqs = pyproject_requirements()
    expected = {_norm(CONDA_NAMES.get(n, n)): str(r.specifier) for n, r in reqs.items()}
    got = {n: s for n, s in conda.items() if n not in {"python", "pip"}}
    assert set(got) == set(expected), (
        f"only in environment.yml: {sorted(set(got) - set(expected))}; "
        f"only in pyproject.toml: {sorted(set(expected) - set(got))}"
    )
    for name, spec in expected.items():
        assert sorted(got[name].split(",")) == sorted(spec.split(",")), name
    assert "-e ." in pip, "environment.yml must install the project in editable mode"
    assert conda["python"].startswith(">=3.11")


def test_lock_pins_every_dependency_within_its_range():
    pins = lock_pins()
    for name, req in pyproject_requirements().items():
        assert name in pins, f"{name} is not pinned in constraints.txt; run `make lock`"
        assert pins[name] in req.specifier, (
            f"constraints.txt pins {name}=={pins[name]}, outside {req}"
        )


@pytest.mark.parametrize("name", ["jupyterlab", "notebook", "ipywidgets", "nbgrader", "ipykernel"])
def test_jupyter_side_ranges_have_upper_bounds(name):
    """A new upstream major release cannot reach a class mid-term."""
    req = pyproject_requirements()[name]
    assert any(s.operator in {"<", "<=", "=="} for s in req.specifier), str(req)


def test_faker_is_pinned_exactly():
    """The shipped datasets depend on Faker's output, which changes between releases."""
    req = pyproject_requirements()["faker"]
    assert [s.operator for s in req.specifier] == ["=="]


def test_installed_versions_match_the_lock():
    """The environment running the tests is the locked one (as `make setup` builds it)."""
    import importlib.metadata as md

    pins = lock_pins()
    for name in pyproject_requirements():
        assert Version(md.version(name)) == pins[name], name


def test_locked_packages_install_on_the_oldest_supported_python():
    """Every pinned package accepts the oldest Python that pyproject.toml admits (3.11.0).

    A lock made on a newer 3.11.x can pin a release that refuses older ones (soupsieve 3
    needs 3.11.5; Debian 12 ships 3.11.2), and `make setup` then fails there with a
    resolution error. tools/lock-bounds.txt keeps `make lock` away from such releases.
    """
    import importlib.metadata as md

    from packaging.specifiers import SpecifierSet

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    oldest = min(
        (Version(s.version) for s in SpecifierSet(requires) if s.operator in {">=", "=="}),
        default=None,
    )
    assert oldest is not None, f"requires-python {requires!r} has no lower bound"
    checked, refused = [], []
    for name, version in lock_pins().items():
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue  # benchmark-only extras are not installed by `make setup`
        if Version(dist.version) != version:
            continue  # test_installed_versions_match_the_lock reports drift
        needs = dist.metadata.get("Requires-Python")
        if needs and not SpecifierSet(needs).contains(oldest, prereleases=True):
            refused.append(f"{name}=={version} (Requires-Python {needs})")
        checked.append(name)
    assert len(checked) >= len(pyproject_requirements()), checked
    assert not refused, (
        f"constraints.txt pins releases that refuse Python {oldest}: {refused}; pin an older "
        f"release (add a bound to tools/lock-bounds.txt and run `make lock`)"
    )
