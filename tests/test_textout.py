"""Terminal tables: a wide (CJK) character takes two columns, any other one."""

from xlgrade.textout import width


def test_width_counts_wide_characters_twice():
    assert width("ABC 1,000") == 9
    assert width("阈值 ABC") == 8
    assert width("ＡＢ") == 4  # full-width Latin is wide too
    assert width("") == 0
