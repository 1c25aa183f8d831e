"""Store notebooks clean: no outputs, no execution counts, no machine metadata.

Usage::

    python tools/nbclean.py notebooks/*.ipynb          # rewrite in place
    python tools/nbclean.py --check notebooks/*.ipynb  # report, exit 1 if dirty

The same rules back the hygiene test (``tests/test_notebook_hygiene.py``), so
what this tool writes is exactly what the test accepts.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import nbformat

# The only notebook-level metadata a committed notebook may carry.
CANONICAL_KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}
CANONICAL_LANGUAGE_INFO = {"name": "python"}
ALLOWED_NOTEBOOK_KEYS = {"kernelspec", "language_info"}
# Cell metadata that carries meaning for the course (nbgrader, collapsed cells, tags).
ALLOWED_CELL_KEYS = {"tags", "nbgrader", "editable", "deletable", "jupyter"}


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """Everything that keeps ``nb`` from being stored clean, as readable lines."""
    found = []
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        found.append(f"nbformat {nb.nbformat}.{nb.nbformat_minor} has no cell ids (need 4.5)")
    extra = set(nb.metadata) - ALLOWED_NOTEBOOK_KEYS
    if extra:
        found.append(f"machine-specific notebook metadata: {sorted(extra)}")
    if nb.metadata.get("kernelspec") != CANONICAL_KERNELSPEC:
        found.append(
            f"kernelspec is {dict(nb.metadata.get('kernelspec', {}))}, "
            f"expected {CANONICAL_KERNELSPEC}"
        )
    if dict(nb.metadata.get("language_info", {})) != CANONICAL_LANGUAGE_INFO:
        found.append("language_info carries interpreter details; keep only {'name': 'python'}")
    seen = set()
    for i, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not cid:
            found.append(f"cell {i} has no id")
        elif cid in seen:
            found.append(f"cell {i} repeats id {cid!r}")
        seen.add(cid)
        extra = set(cell.get("metadata", {})) - ALLOWED_CELL_KEYS
        if extra:
            found.append(f"cell {i} has metadata {sorted(extra)}")
        if cell.cell_type == "code":
            if cell.get("outputs"):
                found.append(f"cell {i} has outputs")
            if cell.get("execution_count") is not None:
                found.append(f"cell {i} has an execution count")
        if "attachments" in cell and not cell["attachments"]:
            found.append(f"cell {i} has an empty attachments field")
    return found


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` cleaned in place (also returned for chaining)."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict(
        {"kernelspec": dict(CANONICAL_KERNELSPEC), "language_info": dict(CANONICAL_LANGUAGE_INFO)}
    )
    seen: set[str] = set()
    for i, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not cid or cid in seen:
            digest = hashlib.sha1(f"{i}\n{cell.source}".encode()).hexdigest()[:8]
            cid = f"c{digest}"
            while cid in seen:
                cid = f"c{hashlib.sha1(cid.encode()).hexdigest()[:8]}"
            cell["id"] = cid
        seen.add(cid)
        cell.metadata = nbformat.from_dict(
            {k: v for k, v in cell.get("metadata", {}).items() if k in ALLOWED_CELL_KEYS}
        )
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if dirty")
    args = parser.parse_args(argv)
    dirty = 0
    for path in args.paths:
        nb = nbformat.read(path, as_version=4)
        found = problems(nb)
        if not found:
            continue
        dirty += 1
        if args.check:
            print(f"{path}:\n  " + "\n  ".join(found))
        else:
            nbformat.write(clean(nb), path)
            print(f"cleaned {path}")
    return 1 if (dirty and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
