"""The project's own promises: the README's commands, CI running them, pinned dependencies."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", section, flags=re.S)
    return [line.strip() for b in blocks for line in b.splitlines() if line.strip()]


def test_quick_start_has_exactly_two_one_line_commands():
    commands = _quick_start_commands()
    assert len(commands) == 2, commands
    assert commands[0] == "pip install -r requirements.txt && streamlit run app.py"
    assert "requirements-dev.txt" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = _quick_start_commands()[1]
    run_lines = [ln.strip() for ln in ci.splitlines() if "pytest" in ln and not ln.startswith("#")]
    assert run_lines, "no pytest line in .ci/run"
    # .ci/run may quieten pip with -q; otherwise the command is the README's.
    assert run_lines[-1].replace("pip install -q ", "pip install ") == test_command
    assert "apt-get update" in ci and "apt-get install -y chromium" in ci
    lines = [ln.strip() for ln in ci.splitlines()]
    lint = [lines.index("ruff check ."), lines.index("ruff format --check .")]
    assert max(lint) < lines.index(run_lines[-1]), "ruff must run before the tests"


def test_runtime_dependencies_are_pinned():
    lines = [
        ln.split("#")[0].strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()
    ]
    reqs = [ln for ln in lines if ln]
    names = {re.split(r"[=<>!~]", r)[0].lower() for r in reqs}
    assert {
        "streamlit",
        "numpy",
        "scikit-learn",
        "scipy",
        "plotly",
        "pillow",
        "opentsne",
        "kneed",
    } <= names
    assert all("==" in r for r in reqs), reqs
    assert re.search(r"^streamlit==1\.67\.", "\n".join(reqs), flags=re.M)


def test_engine_never_imports_streamlit():
    for path in (ROOT / "kmcore").glob("*.py"):
        assert "streamlit" not in path.read_text(), path.name
