"""Shared pytest set-up: headless plotting and the notebook timing report."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """List how long each notebook took to run (recorded by tests/test_notebooks.py)."""
    rows = []
    for key in ("passed", "failed"):
        for report in terminalreporter.stats.get(key, []):
            for name, value in getattr(report, "user_properties", []):
                if name == "notebook_seconds" and report.when == "call":
                    rows.append((value, report.nodeid, key))
    if rows:
        terminalreporter.section("notebook run times")
        for seconds, nodeid, outcome in sorted(rows, reverse=True):
            terminalreporter.write_line(f"{seconds:7.1f} s  {outcome:6}  {nodeid}")
