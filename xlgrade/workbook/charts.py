"""Native Excel charts as DrawingML text: a Pareto (bars + cumulative line on a 0-100 % axis,
with the A share as a dashed level line),
clustered columns and a pie, each referencing sheet ranges (with cached values for viewers
that do not recalculate), and the drawing anchor that places a chart over cells.

Pure text generation; :func:`xlgrade.workbook.drawings.set_charts` puts the parts in the
package.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
KINDS = ("pareto", "column", "pie")
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Series:
    """One data series: ``values`` is a range ("'汇总'!$C$6:$C$9"); the name a cell or a text."""

    values: str
    name: str = ""
    name_ref: str | None = None
    cache: tuple[Any, ...] = ()  # the values, as last written


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # "pareto", "column" or "pie"
    title: str
    categories: str  # range of the category labels
    series: tuple[Series, ...]  # pareto: the bars; column: one per series; pie: the first
    line: Series | None = None  # pareto: cumulative share (0-1) on the secondary axis
    category_cache: tuple[Any, ...] = ()
    anchor: tuple[int, int] = (1, 10)  # top-left cell (row, column), 1-based
    size: tuple[int, int] = (8, 16)  # columns and rows covered
    number_format: str = "#,##0"  # primary value axis
    guide: Series | None = None  # pareto: a level (0-1, the same in every row) on the line's axis

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if not self.series:
            raise ValueError("a chart needs at least one series")
        if self.kind == "pareto" and self.line is None:
            raise ValueError("a pareto chart needs its cumulative line")


def _esc(text: Any) -> str:
    return (
        _INVALID.sub("", str(text))
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _str_cache(values: Sequence[Any]) -> str:
    pts = "".join(
        f'<c:pt idx="{i}"><c:v>{_esc(v)}</c:v></c:pt>' for i, v in enumerate(values) if v is not None and v == v
    )
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{pts}</c:strCache>'


def _num(v: Any) -> str | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if math.isnan(f) or math.isinf(f):
        return None
    return repr(f) if not f.is_integer() else str(int(f))


def _num_cache(values: Sequence[Any], fmt: str = "General") -> str:
    pts = []
    for i, v in enumerate(values):
        n = _num(v)
        if n is not None:
            pts.append(f'<c:pt idx="{i}"><c:v>{n}</c:v></c:pt>')
    return (
        f'<c:numCache><c:formatCode>{_esc(fmt)}</c:formatCode><c:ptCount val="{len(values)}"/>'
        f"{''.join(pts)}</c:numCache>"
    )


def _tx(s: Series) -> str:
    if s.name_ref:
        return f"<c:tx><c:strRef><c:f>{_esc(s.name_ref)}</c:f>{_str_cache([s.name])}</c:strRef></c:tx>"
    if s.name:
        return f"<c:tx><c:v>{_esc(s.name)}</c:v></c:tx>"
    return ""


def _cat(spec: ChartSpec) -> str:
    return f"<c:cat><c:strRef><c:f>{_esc(spec.categories)}</c:f>{_str_cache(spec.category_cache)}</c:strRef></c:cat>"


def _val(s: Series, fmt: str = "General") -> str:
    return f"<c:val><c:numRef><c:f>{_esc(s.values)}</c:f>{_num_cache(s.cache, fmt)}</c:numRef></c:val>"


def _title(text: str, size: int = 1200) -> str:
    return (
        "<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
        f'<a:defRPr sz="{size}" b="1"/></a:pPr><a:r><a:rPr lang="zh-CN" sz="{size}" b="1"/>'
        f'<a:t>{_esc(text)}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>'
    )


def _cat_ax(ax: int, cross: int, *, delete: bool = False, pos: str = "b") -> str:
    return (
        f'<c:catAx><c:axId val="{ax}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="{int(delete)}"/><c:axPos val="{pos}"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{cross}"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
    )


def _val_ax(
    ax: int,
    cross: int,
    fmt: str,
    *,
    pos: str = "l",
    gridlines: bool = True,
    bounds: tuple[float, float] | None = None,
    crosses: str = "autoZero",
) -> str:
    scaling = '<c:orientation val="minMax"/>'
    if bounds:
        scaling += f'<c:max val="{bounds[1]}"/><c:min val="{bounds[0]}"/>'
    grid = "<c:majorGridlines/>" if gridlines else ""
    return (
        f'<c:valAx><c:axId val="{ax}"/><c:scaling>{scaling}</c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{pos}"/>{grid}<c:numFmt formatCode="{_esc(fmt)}" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{cross}"/><c:crosses val="{crosses}"/><c:crossBetween val="between"/></c:valAx>'
    )


def _guide_ser(spec: ChartSpec) -> str:
    """The guide level as a second, dashed line on the 0-100 % axis."""
    g = spec.guide
    if g is None:
        return ""
    return (
        f'<c:ser><c:idx val="2"/><c:order val="2"/>{_tx(g)}'
        '<c:spPr><a:ln w="19050"><a:solidFill><a:srgbClr val="C00000"/></a:solidFill>'
        '<a:prstDash val="dash"/></a:ln></c:spPr><c:marker><c:symbol val="none"/></c:marker>'
        f'{_cat(spec)}{_val(g, "0%")}<c:smooth val="0"/></c:ser>'
    )


def _bar_ser(i: int, s: Series, spec: ChartSpec) -> str:
    return (
        f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>{_tx(s)}<c:invertIfNegative val="0"/>'
        f"{_cat(spec)}{_val(s)}</c:ser>"
    )


def chart_xml(spec: ChartSpec) -> str:
    """The chart part (xl/charts/chartN.xml) of ``spec``."""
    legend_pos = "r" if spec.kind == "pie" else "b"
    if spec.kind == "pie":
        s = spec.series[0]
        plot = (
            '<c:pieChart><c:varyColors val="1"/>'
            f'<c:ser><c:idx val="0"/><c:order val="0"/>{_tx(s)}'
            '<c:dLbls><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr><c:showLegendKey val="0"/>'
            '<c:showVal val="0"/><c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="1"/>'
            '<c:showBubbleSize val="0"/><c:showLeaderLines val="1"/></c:dLbls>'
            f'{_cat(spec)}{_val(s)}</c:ser><c:firstSliceAng val="0"/></c:pieChart>'
        )
    elif spec.kind == "column":
        sers = "".join(_bar_ser(i, s, spec) for i, s in enumerate(spec.series))
        plot = (
            f'<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>{sers}'
            '<c:gapWidth val="150"/><c:axId val="10"/><c:axId val="100"/></c:barChart>'
            + _cat_ax(10, 100)
            + _val_ax(100, 10, spec.number_format)
        )
    else:  # pareto
        bar, line = spec.series[0], spec.line
        assert line is not None
        plot = (
            '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
            f'{_bar_ser(0, bar, spec)}<c:gapWidth val="60"/><c:axId val="10"/><c:axId val="100"/></c:barChart>'
            '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
            f'<c:ser><c:idx val="1"/><c:order val="1"/>{_tx(line)}'
            '<c:marker><c:symbol val="circle"/><c:size val="5"/></c:marker>'
            f'{_cat(spec)}{_val(line, "0.0%")}<c:smooth val="0"/></c:ser>{_guide_ser(spec)}'
            '<c:marker val="1"/><c:axId val="20"/><c:axId val="200"/></c:lineChart>'
            + _cat_ax(10, 100)
            + _val_ax(100, 10, spec.number_format)
            + _cat_ax(20, 200, delete=True)
            + _val_ax(200, 20, "0%", pos="r", gridlines=False, bounds=(0, 1), crosses="max")
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{NS_C}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">'
        '<c:date1904 val="0"/><c:lang val="zh-CN"/><c:roundedCorners val="0"/>'
        f'<c:chart>{_title(spec.title)}<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>{plot}</c:plotArea>'
        f'<c:legend><c:legendPos val="{legend_pos}"/><c:overlay val="0"/></c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        '<c:spPr><a:solidFill><a:schemeClr val="bg1"/></a:solidFill><a:ln><a:noFill/></a:ln></c:spPr>'
        "</c:chartSpace>"
    )


def anchor_xml(spec: ChartSpec, rel_id: str, shape_id: int, name: str, *, declare_ns: bool = False) -> str:
    """A two-cell anchor placing the chart ``rel_id`` over ``spec.size`` cells from ``spec.anchor``."""
    row, col = spec.anchor
    cols, rows = spec.size
    ns = f' xmlns:xdr="{NS_XDR}" xmlns:a="{NS_A}"' if declare_ns else ""
    return (
        f'<xdr:twoCellAnchor{ns} editAs="oneCell">'
        f"<xdr:from><xdr:col>{col - 1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row - 1}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{col - 1 + cols}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row - 1 + rows}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:to>"
        f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{shape_id}" name="{_esc(name)}"/>'
        '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
        '</xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart xmlns:c="{NS_C}" xmlns:r="{NS_R}" r:id="{rel_id}"/></a:graphicData></a:graphic>'
        "</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>"
    )
