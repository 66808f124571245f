"""The house's rules, checked on the source: a newcomer can guess where a thing lives.

- kmcore (the engine) never imports streamlit or ui;
- ui/results computes and keeps results and never draws: it uses Streamlit only to
  cache, and imports nothing from ui but itself and the settings;
- ui imports the engine as ``kmcore``, never its private modules (names with _).
"""

from __future__ import annotations

import ast

from tests.conftest import ROOT


def _imports(path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            out += [base + a.name if not node.module else base for a in node.names]
    return out


def test_the_engine_never_imports_streamlit_or_ui():
    bad = [
        f"{p.name}: {m}"
        for p in sorted((ROOT / "kmcore").glob("*.py"))
        for m in _imports(p)
        if m.split(".")[0] in ("streamlit", "ui")
    ]
    assert bad == []


def test_results_never_draw():
    bad = []
    for p in sorted((ROOT / "ui" / "results").glob("*.py")):
        for m in _imports(p):
            if m.startswith("..") and not m.startswith("..settings"):
                bad.append(f"{p.name} imports {m}")
        for node in ast.walk(ast.parse(p.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "st"
                and node.attr not in ("cache_resource", "cache_data")
            ):
                bad.append(f"{p.name}:{node.lineno} st.{node.attr}")
    assert bad == []


def test_ui_reaches_the_engine_only_through_public_names():
    bad = [
        f"{p.relative_to(ROOT)}: {m}"
        for folder in ("ui", "pages")
        for p in sorted((ROOT / folder).rglob("*.py"))
        for m in _imports(p)
        if m.startswith("kmcore.") and m.split(".")[1].startswith("_")
    ]
    assert bad == []
