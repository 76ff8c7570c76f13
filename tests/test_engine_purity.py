"""The engine is pure: importing it must not pull in file or spreadsheet libraries."""

import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("openpyxl", "xlwings", "python_calamine", "uno")


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
