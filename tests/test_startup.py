"""A server process starts through one explicit call (ui.startup.start), not import effects."""

from __future__ import annotations

import ast

from tests.conftest import ROOT


def test_no_ui_module_does_work_when_imported():
    """Module-level statements of ui/ may define things, never call them (memory set-up and
    the map warm-up ran as import effects before)."""
    calls = []
    for path in sorted((ROOT / "ui").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                calls.append(f"{path.name}:{node.lineno}: {ast.unparse(node)[:60]}")
    assert calls == []


def test_start_runs_once_per_process():
    from ui import startup

    startup.start()  # True here, or False if a page run in this process did it already
    assert startup.start() is False
