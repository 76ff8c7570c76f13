"""The engine is pure: importing it must not pull in file or spreadsheet libraries."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

FORBIDDEN = ("openpyxl", "xlwings", "python_calamine", "fastexcel", "uno")


def test_importing_the_engine_loads_no_io_library():
    code = (
        "import sys, xlgrade.engine, xlgrade.engine.rules;"
        f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_engine_sources_do_not_open_files():
    engine = Path(__file__).parents[1] / "xlgrade" / "engine"
    for path in engine.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("open(", "read_csv", "read_excel", "to_csv", "to_excel", "Path("):
            assert word not in text, f"{path.name} uses {word}"


ADAPTERS = ("xlgrade.io", "xlgrade.workbook", "xlgrade.job", "xlgrade.addins", "xlgrade.lo", "xlgrade.cli")


def _imported(tree: ast.AST) -> list[str]:
    """Every module an ``import`` or ``from ... import`` names, at any depth (lazy imports too)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            names += [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return names


def test_the_engine_imports_no_adapter():
    """The engine package imports nothing from the adapters (xlgrade.io, the workbook, the job):
    an adapter hands it what it needs (the figure SQL's runner: engine.figures rule 8)."""
    engine = Path(__file__).parents[1] / "xlgrade" / "engine"
    found = {
        f"{path.name}: {name}"
        for path in sorted(engine.glob("*.py"))
        for name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if name.startswith(ADAPTERS)
    }
    assert not found
    # the scan sees a lazy import: this very shape is what figures.of_ledger had
    lazy = ast.parse("def f():\n    from xlgrade.io.duckfigures import figures_of_frame\n")
    assert "xlgrade.io.duckfigures" in _imported(lazy)


def test_figures_without_a_runner_say_what_to_do(monkeypatch):
    """The engine runs no SQL itself (rule 8 of engine/figures.py): with no runner handed over
    or installed, asking for figures is one clear error, an XlgradeError and a RuntimeError."""
    import pandas as pd

    from xlgrade.engine import RuleBook, figures, frames
    from xlgrade.errors import NoFigureRunnerError, XlgradeError

    monkeypatch.setattr(figures, "_installed", [])
    ledger = frames.prepare_ledger(
        pd.DataFrame({"customer_id": ["C1"], "date": [pd.Timestamp("2026-10-01")], "amount": [5.0]})
    )
    with pytest.raises(NoFigureRunnerError, match=r"duckfigures\.install\(\)") as raised:
        figures.of_frame(ledger, RuleBook(), "2026-10-31")
    assert isinstance(raised.value, XlgradeError) and isinstance(raised.value, RuntimeError)
