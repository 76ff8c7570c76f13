"""Print layout computed by xlgrade (pagelayout.py), widths from content (widths.py) and the
worksheet edits they need (page set-up, manual breaks, widening columns that keep their style)."""

from __future__ import annotations

import re

from xlgrade.schema import model
from xlgrade.schema.sheets import COMPARISON
from xlgrade.workbook import pagelayout, widths
from xlgrade.workbook.sheetxml import Worksheet

SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><cols><col min="1" max="3" width="9" style="4" customWidth="1"/>'
    '</cols><sheetData/><pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    '<pageSetup orientation="landscape" paperSize="9" fitToHeight="0" fitToWidth="1"/><drawing r:id="rId1"/></worksheet>'
)


def test_a_table_that_fits_gets_no_column_break():
    breaks, scale = pagelayout.column_blocks([10.0] * 10, keys=2, group=2)
    assert breaks == [] and scale == 100


def test_a_wide_table_prints_in_whole_groups_at_a_readable_scale():
    w = [12.0, 30.0, 9.0, 7.0] + [15.0, 15.0, 15.0, 10.0] * 13  # the comparison's shape
    breaks, scale = pagelayout.column_blocks(w, keys=4, group=4)
    assert breaks and all((b - 4) % 4 == 0 for b in breaks)  # never inside a month
    per_page = breaks[0] - 4
    assert all(b2 - b1 == per_page for b1, b2 in zip(breaks, breaks[1:]))
    assert scale >= pagelayout.MIN_SCALE and 10.5 * scale / 100 >= 8
    widest = w[:4] + w[4 : 4 + per_page]
    assert pagelayout.columns_points(widest) * scale / 100 <= pagelayout.usable()[0]


def test_set_page_layout_writes_scale_and_breaks_in_schema_order():
    xml = pagelayout.set_page_layout(SHEET, scale=82, row_breaks=[28, 66], col_breaks=[12])
    assert 'scale="82"' in xml and '<pageSetUpPr fitToPage="0"/>' in xml
    assert '<rowBreaks count="2" manualBreakCount="2"><brk id="28" max="16383" man="1"/>' in xml
    assert xml.index("<pageSetup") < xml.index("<rowBreaks") < xml.index("<colBreaks") < xml.index("<drawing")
    again = pagelayout.set_page_layout(xml, row_breaks=[])
    assert "rowBreaks" not in again and "<colBreaks" in again


def test_widen_cols_keeps_each_columns_style():
    xml = Worksheet(SHEET).widen_cols(SHEET, {2: 20.0, 1: 3.0, 5: 12.0})
    cols = re.findall(r"<col [^>]*/>", xml)
    assert cols[1] == '<col min="2" max="2" width="20" style="4" customWidth="1"/>'
    assert 'min="1" max="1" width="9" style="4"' in cols[0] and 'min="3" max="3" width="9" style="4"' in cols[2]
    assert cols[3] == '<col min="5" max="5" width="12" customWidth="1"/>'
    assert Worksheet(xml).col_widths(xml) == {1: 9.0, 2: 20.0, 3: 9.0, 5: 12.0}


def test_widths_from_content():
    # money reads with separators and cents, wider than its declared width: widened
    w, wraps = widths.column_width(model.MONEY, [12345678.9], declared=10)
    assert w >= len("12,345,678.90") and not wraps
    # a year without separators; CJK counts double
    assert widths.shown(2026, model.ORDINAL) == "2026" and widths.text_width("公司") == 4
    # long text is capped and wraps
    w, wraps = widths.column_width(model.TEXT, ["x" * 200], declared=12)
    assert w == widths.TEXT_MAX and wraps
    # a header wraps: its longest word must fit
    assert widths.column_width(model.INTEGER, [1], declared=4, header="Collection rate")[0] >= len("Collection")


def test_the_comparison_prints_in_column_blocks():
    assert COMPARISON.print_keys == 4 and COMPARISON.print_group == 4
    assert COMPARISON.column("year").type == model.ORDINAL and COMPARISON.column("m1_this").type == model.AMOUNT


def _summary():
    from xlgrade.job.outputs import Block, Chart, Summary

    def block(key, n, chart):
        rows = tuple((f"K{i:03d}", float(1000 - i)) for i in range(n))
        return Block(
            key, key, ("id", "value"), ("text", "money"), rows, chart=Chart("column", key, 0, (1,)) if chart else None
        )

    blocks = (
        block("a", 5, True),
        block("b", 20, False),
        block("c", 12, True),
        block("long", 90, True),
        block("d", 3, True),
    )
    return Summary("t", "s", blocks, grade_order=())


def test_summary_pages_break_between_blocks_never_inside_a_chart():
    from xlgrade.workbook.styles import ROLES
    from xlgrade.workbook.summarysheet import SAFETY, SummaryLayout

    layout = SummaryLayout("汇总", dict.fromkeys(ROLES, 0), _summary())
    assert layout.row_breaks and layout.pages == len(layout.row_breaks) + 1
    bottom = max(layout.last_row, layout.charts_bottom)
    edges = [0, *layout.row_breaks, bottom]
    page = pagelayout.usable()[1] * SAFETY * 100 / layout.scale
    for top, end in zip(edges, edges[1:]):  # every page holds what the layout put on it
        assert sum(layout.heights[r] for r in range(top + 1, end + 1)) <= page
    for chart in layout.charts:
        first, last = chart.anchor[0], chart.anchor[0] + chart.size[1] - 1
        assert not [b for b in layout.row_breaks if first <= b < last], (first, last)
    # a block that fits the rest of a page is not split: the short blocks start and end on one page
    keys = ("a", "b", "c", "long", "d")
    tops = sorted(r for (r, c), cell in layout.cells.items() if c == 1 and cell.value in keys)
    ends = [t - 2 for t in tops[1:]] + [bottom]
    for key, top, end in zip(keys, tops, ends):
        inside = [b for b in layout.row_breaks if top <= b < end]
        assert (inside != []) == (key == "long"), (key, top, end, inside)
