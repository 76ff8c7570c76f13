"""docs/rules.md: its rule reference table is generated from the rule book (xlgrade.rulesdoc)."""

import re

import pytest

from xlgrade import rulesdoc
from xlgrade.engine.rules import RuleBook


def test_committed_page_equals_the_generated_one():
    page = rulesdoc.DOCS_PATH.read_text(encoding="utf-8")
    assert page == rulesdoc.render(page), "rule book changed: run python -m xlgrade.rulesdoc"


def test_the_table_has_one_row_per_rule_with_both_meanings():
    table = rulesdoc.render_table()
    for spec in RuleBook.specs():
        rows = [line for line in table.splitlines() if line.startswith(f"| `{spec.key}`")]
        assert len(rows) == 1, spec.key
        assert spec.zh.replace("|", "\\|") in rows[0] and spec.en.replace("|", "\\|") in rows[0]
        assert ("★" in rows[0]) == spec.prominent


def test_defaults_read_as_staff_type_them():
    specs = {s.key: s for s in RuleBook.specs()}
    assert rulesdoc.default_text(specs["threshold.a_volume_over"]) == "`100000`"
    assert rulesdoc.default_text(specs["pareto.a_share"]) == "`0.8` (80 %)"
    assert rulesdoc.default_text(specs["scorecard.units_min"]) == "`10; 5; 3; 2; 1`"
    assert rulesdoc.allowed_text(specs["threshold.window_months"]) == "whole number ≥ 0"
    assert rulesdoc.allowed_text(specs["rfm.split"]) == "one of `mean` (平均值 / mean), `median` (中位数 / median)"


def test_prose_states_no_default_by_hand_next_to_a_rule_key():
    """Defaults live in the generated table only: outside it, a rule key is not followed by "= value"."""
    page = rulesdoc.DOCS_PATH.read_text(encoding="utf-8")
    prose = page[: page.index(rulesdoc.BEGIN)] + page[page.index(rulesdoc.END) :]
    keys = "|".join(re.escape(s.key) for s in RuleBook.specs())
    assert not re.findall(rf"`(?:{keys})`\s*(?:=|\(default\s*[\d`])", prose)
    for spec in RuleBook.specs():
        assert f"`{spec.key}`" in page


def test_main_rewrites_only_the_block(tmp_path, monkeypatch):
    path = tmp_path / "rules.md"
    path.write_text(f"# intro\n\n{rulesdoc.BEGIN}\nstale\n{rulesdoc.END}\n\nafter\n", encoding="utf-8")
    monkeypatch.setattr(rulesdoc, "DOCS_PATH", path)
    assert rulesdoc.main([]) == 0
    text = path.read_text(encoding="utf-8")
    assert text == f"# intro\n\n{rulesdoc.render_table()}\n\nafter\n"
    path.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="markers"):
        rulesdoc.main([])
