"""Writes ``excel-forms.xlsx``: a small xlgrade workbook in the XML forms Excel writes.

Run from the repository root: ``python tests/files/make_excel_forms.py`` (it overwrites
``tests/files/excel-forms.xlsx``). Every part is written here as literal XML -- no openpyxl,
no xlgrade -- so the file is an independent input for xlgrade's reader and part-by-part writer.
The forms in it, each as Excel 2016+ writes it:

- shared strings with rich-text runs (``<si><r><rPr>..</rPr><t>..</t></r>..</si>``), one with
  a phonetic run (``<rPh>``, East Asian reading hints, not part of the cell's text) and one
  with ``xml:space="preserve"`` around a space;
- shared formulas: a master ``<f t="shared" ref=".." si="0">`` and followers
  ``<f t="shared" si="0"/>``, each with its cached value (ledger amount = quantity x 100,
  the customer summary's order counts);
- inline strings (``t="inlineStr"`` ``<is><t>``, and ``<is>`` with runs);
- ``x14`` / ``x15`` extension lists (``<extLst><ext uri=..>``): a cross-sheet list validation
  on the customer summary (``x14:dataValidations``) and ``x15:workbookPr`` in workbook.xml;
- an ``externalLink`` part pointing at the Excel add-in (``xlgrade.xlam``) and grade formulas
  calling ``[1]!ABCGRADE(..)`` through it (Microsoft 817578);
- ``mc:Ignorable="x14ac xr"`` and ``x14ac:dyDescent`` on rows, tables with autoFilter.

The sheets are the ones xlgrade reads (customer summary, ledger, complaints; names and headers
of the Chinese workbook); the derived sheets are absent, as in a workbook staff made themselves.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent / "excel-forms.xlsx"

CUSTOMERS = "客户归类汇总表"
LEDGER = "客户业绩统计及信用评估表"
COMPLAINTS = "客户投诉管理卡"
ADDIN = r"file:///C:\Users\li\AppData\Roaming\Microsoft\Excel\XLSTART\xlgrade.xlam"

DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
X15 = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# (customer id, company as rich-text runs, industry, salesperson)
CUSTOMER_ROWS = [
    ("KH0001", [("青岛", True), ("嘉禾汽配", False), ("集团有限公司", False)], "汽配", "张伟"),
    ("KH0002", [("佛山天成", True), ("化工股份有限公司", False)], "化工", "王芳"),
    ("KH0003", [("Acme", True), (" Trading", False)], "贸易", "李娜"),  # the run starts with a space
    ("KH0004", None, "机械", "张伟"),  # company typed as an inline string
]
INLINE_COMPANY = "杭州恒远机械有限公司"
# (customer id, customer name, quantity, delivery date); the amount is quantity x 100 (a shared formula)
LEDGER_ROWS = [
    ("KH0001", "青岛嘉禾汽配集团有限公司", 200, dt.date(2026, 5, 6)),
    ("KH0001", "青岛嘉禾汽配集团有限公司", 300, dt.date(2026, 6, 3)),
    ("KH0001", "青岛嘉禾汽配集团有限公司", 250, dt.date(2026, 7, 8)),
    ("KH0001", "青岛嘉禾汽配集团有限公司", 250, dt.date(2026, 8, 5)),
    ("KH0001", "青岛嘉禾汽配集团有限公司", 300, dt.date(2026, 9, 9)),
    ("KH0001", "青岛嘉禾汽配集团有限公司", 200, dt.date(2026, 10, 14)),
    ("KH0002", "佛山天成化工股份有限公司", 50, dt.date(2026, 7, 1)),
    ("KH0002", "佛山天成化工股份有限公司", 50, dt.date(2026, 8, 1)),
    ("KH0002", "佛山天成化工股份有限公司", 50, dt.date(2026, 9, 1)),
    ("KH0002", "佛山天成化工股份有限公司", 50, dt.date(2026, 10, 1)),
    ("KH0003", "Acme Trading", 8, dt.date(2026, 10, 20)),
    ("KH0004", "杭州恒远机械有限公司", 2, dt.date(2026, 10, 25)),
]
COMPLAINT_ROWS = [  # (no, customer id, time, subject as an inline string)
    ("TS001", "KH0002", dt.datetime(2026, 10, 9, 14, 30), "包装破损"),
    ("TS002", "KH0003", dt.datetime(2026, 10, 21, 9, 5), "送货延误 2 天"),
]

EXCEL_GRADES = {"KH0001": "A", "KH0002": "B", "KH0003": "C", "KH0004": "C"}  # the add-in's results, cached
CUSTOMER_HEADERS = ["客户编号", "公司名称", "所属行业", "责任业务员", "订单次数", "累计金额", "客户等级"]
LEDGER_HEADERS = ["客户编号", "客户名称", "提货量", "提货日期", "货物价款"]
COMPLAINT_HEADERS = ["投诉编号", "客户编号", "投诉时间", "投诉主题", "客户等级", "优先级", "应处理期限", "状态"]

STYLE_DATE, STYLE_DATETIME, STYLE_MONEY = 1, 2, 3


def serial(value: dt.date) -> float:
    """An Excel date serial (1900 system)."""
    epoch = dt.datetime(1899, 12, 30)
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    return (moment - epoch) / dt.timedelta(days=1)


def col(n: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n - 1]


class Strings:
    """The shared-string table, as Excel writes it (plain and rich-text items)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}
        self.count = 0

    def plain(self, text: str) -> int:
        self.count += 1
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(f"<si><t>{escape(text)}</t></si>")
        return self.index[text]

    def rich(self, runs: list[tuple[str, bool]], phonetic: str | None = None) -> int:
        self.count += 1
        xml = "".join(
            "<r>"
            + (
                '<rPr><b/><sz val="11"/><color theme="1"/><rFont val="等线"/><family val="3"/>'
                '<charset val="134"/><scheme val="minor"/></rPr>'
                if bold
                else '<rPr><sz val="11"/><color theme="1"/><rFont val="等线"/><family val="3"/>'
                '<charset val="134"/><scheme val="minor"/></rPr>'
            )
            + (f'<t xml:space="preserve">{escape(text)}</t>' if text != text.strip() else f"<t>{escape(text)}</t>")
            + "</r>"
            for text, bold in runs
        )
        if phonetic:
            xml += f'<rPh sb="0" eb="2"><t>{escape(phonetic)}</t></rPh><phoneticPr fontId="1" type="noConversion"/>'
        self.items.append(f"<si>{xml}</si>")
        return len(self.items) - 1

    def xml(self) -> str:
        return (
            f'{DECL}<sst xmlns="{MAIN}" count="{self.count}" uniqueCount="{len(self.items)}">'
            + "".join(self.items)
            + "</sst>"
        )


def row(r: int, cells: list[str], spans: str) -> str:
    return f'<row r="{r}" spans="{spans}" x14ac:dyDescent="0.25">{"".join(cells)}</row>'


def styled(style: int) -> str:
    return f' s="{style}"' if style else ""


def s(ref: str, index: int, style: int = 0) -> str:
    return f'<c r="{ref}"{styled(style)} t="s"><v>{index}</v></c>'


def n(ref: str, value: float, style: int = 0) -> str:
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return f'<c r="{ref}"{styled(style)}><v>{text}</v></c>'


def inline(ref: str, text: str, runs: bool = False) -> str:
    body = (
        f"<r><t>{escape(text[:2])}</t></r><r><rPr><b/></rPr><t>{escape(text[2:])}</t></r>"
        if runs
        else f"<t>{escape(text)}</t>"
    )
    return f'<c r="{ref}" t="inlineStr"><is>{body}</is></c>'


def worksheet(rows: list[str], last: str, widths: list[float], *, extra: str = "", ext: str = "") -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    return (
        f'{DECL}<worksheet xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x14ac xr" '
        f'xmlns:x14ac="{X14AC}" xmlns:xr="{XR}" xr:uid="{{00000000-0001-0000-0000-000000000000}}">'
        f'<dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="14.25" x14ac:dyDescent="0.2"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f'{extra}<tableParts count="1"><tablePart r:id="rId1"/></tableParts>{ext}</worksheet>'
    )


def table(tid: int, name: str, ref: str, headers: list[str]) -> str:
    columns = "".join(f'<tableColumn id="{i}" name="{escape(h)}"/>' for i, h in enumerate(headers, 1))
    return (
        f'{DECL}<table xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="xr xr3" xmlns:xr="{XR}" '
        'xmlns:xr3="http://schemas.microsoft.com/office/spreadsheetml/2016/revision3" '
        f'id="{tid}" name="{name}" displayName="{name}" ref="{ref}" totalsRowShown="0">'
        f'<autoFilter ref="{ref}"/><tableColumns count="{len(headers)}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    )


def rels(*items: tuple[str, str, str] | tuple[str, str, str, str]) -> str:
    body = "".join(
        f'<Relationship Id="{i[0]}" Type="{i[1]}" Target="{escape(i[2])}"'
        + (f' TargetMode="{i[3]}"' if len(i) > 3 else "")
        + "/>"
        for i in items
    )
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    return f'{DECL}<Relationships xmlns="{ns}">{body}</Relationships>'


def build() -> dict[str, str]:
    sst = Strings()
    parts: dict[str, str] = {}

    # ---- customer summary: rich text, inline strings, shared formulas, [1]!ABCGRADE, x14 extLst
    rows = [row(1, [s(f"{col(i)}1", sst.plain(h)) for i, h in enumerate(CUSTOMER_HEADERS, 1)], "1:7")]
    orders = {cid: sum(1 for c, *_ in LEDGER_ROWS if c == cid) for cid, *_ in CUSTOMER_ROWS}
    volume = {cid: sum(q * 100 for c, _, q, _ in LEDGER_ROWS if c == cid) for cid, *_ in CUSTOMER_ROWS}
    last_ledger = len(LEDGER_ROWS) + 1
    for r, (cid, runs, industry, person) in enumerate(CUSTOMER_ROWS, start=2):
        first = r == 2
        cells = [
            inline(f"A{r}", cid) if cid == "KH0004" else s(f"A{r}", sst.plain(cid)),
            inline(f"B{r}", INLINE_COMPANY, runs=True)
            if runs is None
            else s(f"B{r}", sst.rich(runs, phonetic="qingdao" if cid == "KH0001" else None)),
            s(f"C{r}", sst.plain(industry)),
            s(f"D{r}", sst.plain(person)),
        ]
        ledger_ids = f"'{LEDGER}'!$A$2:$A${last_ledger}"
        amounts = f"'{LEDGER}'!$E$2:$E${last_ledger}"
        if first:
            cells.append(
                f'<c r="E{r}"><f t="shared" ref="E2:E5" si="0">COUNTIF({ledger_ids},A2)</f><v>{orders[cid]}</v></c>'
            )
            cells.append(
                f'<c r="F{r}" s="{STYLE_MONEY}"><f t="shared" ref="F2:F5" si="1">'
                f"SUMIF({ledger_ids},A2,{amounts})</f><v>{volume[cid]}</v></c>"
            )
        else:
            cells.append(f'<c r="E{r}"><f t="shared" si="0"/><v>{orders[cid]}</v></c>')
            cells.append(f'<c r="F{r}" s="{STYLE_MONEY}"><f t="shared" si="1"/><v>{volume[cid]}</v></c>')
        cells.append(
            f'<c r="G{r}" t="str"><f>[1]!ABCGRADE(E{r},F{r},5,100000,3,10000,"A; B; C")</f>'
            f"<v>{EXCEL_GRADES[cid]}</v></c>"
        )
        rows.append(row(r, cells, "1:7"))
    ext = (
        f'<extLst><ext xmlns:x14="{X14}" uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}">'
        f'<x14:dataValidations count="1" xmlns:xm="{XM}"><x14:dataValidation type="list" allowBlank="1" '
        'showInputMessage="1" showErrorMessage="1" xr:uid="{6E7A1C2B-0000-4000-8000-000000000001}">'
        f"<x14:formula1><xm:f>'{COMPLAINTS}'!$B$2:$B$3</xm:f></x14:formula1><xm:sqref>D2:D5</xm:sqref>"
        "</x14:dataValidation></x14:dataValidations></ext></extLst>"
    )
    parts["xl/worksheets/sheet1.xml"] = worksheet(rows, "G5", [10, 28, 10, 12, 10, 14, 10], ext=ext)
    parts["xl/tables/table1.xml"] = table(1, "Customers", "A1:G5", CUSTOMER_HEADERS)

    # ---- ledger: dates as serials, the amount a shared formula (quantity x 100)
    rows = [row(1, [s(f"{col(i)}1", sst.plain(h)) for i, h in enumerate(LEDGER_HEADERS, 1)], "1:5")]
    for r, (cid, name, qty, day) in enumerate(LEDGER_ROWS, start=2):
        f = '<f t="shared" ref="E2:E13" si="0">C2*100</f>' if r == 2 else '<f t="shared" si="0"/>'
        rows.append(
            row(
                r,
                [
                    s(f"A{r}", sst.plain(cid)),
                    s(f"B{r}", sst.plain(name)),
                    n(f"C{r}", qty),
                    n(f"D{r}", serial(day), STYLE_DATE),
                    f'<c r="E{r}" s="{STYLE_MONEY}">{f}<v>{qty * 100}</v></c>',
                ],
                "1:5",
            )
        )
    parts["xl/worksheets/sheet2.xml"] = worksheet(rows, f"E{last_ledger}", [10, 28, 10, 12, 14])
    parts["xl/tables/table2.xml"] = table(2, "Ledger", f"A1:E{last_ledger}", LEDGER_HEADERS)

    # ---- complaints: the subject typed as inline strings, computed columns empty
    rows = [row(1, [s(f"{col(i)}1", sst.plain(h)) for i, h in enumerate(COMPLAINT_HEADERS, 1)], "1:8")]
    for r, (no, cid, when, subject) in enumerate(COMPLAINT_ROWS, start=2):
        rows.append(
            row(
                r,
                [
                    s(f"A{r}", sst.plain(no)),
                    s(f"B{r}", sst.plain(cid)),
                    n(f"C{r}", serial(when), STYLE_DATETIME),
                    inline(f"D{r}", subject),
                ],
                "1:4",
            )
        )
    parts["xl/worksheets/sheet3.xml"] = worksheet(rows, "H3", [10, 10, 18, 20, 10, 8, 18, 10])
    parts["xl/tables/table3.xml"] = table(3, "Complaints", "A1:H3", COMPLAINT_HEADERS)

    parts["xl/sharedStrings.xml"] = sst.xml()
    for i in (1, 2, 3):
        parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = rels(("rId1", f"{REL}/table", f"../tables/table{i}.xml"))

    # ---- the link to the add-in (what Excel writes for [1]!ABCGRADE)
    parts["xl/externalLinks/externalLink1.xml"] = (
        f'{DECL}<externalLink xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x14" xmlns:x14="{X14}">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        '<definedNames><definedName name="ABCGRADE"/></definedNames></externalBook></externalLink>'
    )
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = rels(
        ("rId1", f"{REL}/externalLinkPath", ADDIN, "External")
    )

    # ---- workbook, styles, package
    sheets = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate((CUSTOMERS, LEDGER, COMPLAINTS), 1)
    )
    parts["xl/workbook.xml"] = (
        f'{DECL}<workbook xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x15 xr xr6 xr10 xr2" '
        f'xmlns:x15="{X15}" xmlns:xr="{XR}" '
        'xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" '
        'xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" '
        'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2">'
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>'
        '<workbookPr defaultThemeVersion="166925"/>'
        '<bookViews><workbookView xWindow="-110" yWindow="-110" windowWidth="25820" windowHeight="15500"/>'
        f"</bookViews><sheets>{sheets}</sheets>"
        '<externalReferences><externalReference r:id="rId7"/></externalReferences>'
        '<calcPr calcId="191029"/>'
        '<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" xmlns:x15="' + X15 + '">'
        '<x15:workbookPr chartTrackingRefBase="1"/></ext></extLst></workbook>'
    )
    parts["xl/_rels/workbook.xml.rels"] = rels(
        ("rId1", f"{REL}/worksheet", "worksheets/sheet1.xml"),
        ("rId2", f"{REL}/worksheet", "worksheets/sheet2.xml"),
        ("rId3", f"{REL}/worksheet", "worksheets/sheet3.xml"),
        ("rId5", f"{REL}/styles", "styles.xml"),
        ("rId6", f"{REL}/sharedStrings", "sharedStrings.xml"),
        ("rId7", f"{REL}/externalLink", "externalLinks/externalLink1.xml"),
    )
    parts["xl/styles.xml"] = (
        f'{DECL}<styleSheet xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="x14ac x16r2 xr" xmlns:x14ac="{X14AC}" '
        'xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main" xmlns:xr="' + XR + '">'
        '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy/m/d\\ h:mm"/></numFmts>'
        '<fonts count="2" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/><name val="等线"/>'
        '<family val="2"/><charset val="134"/><scheme val="minor"/></font>'
        '<font><sz val="9"/><name val="等线"/><family val="3"/><charset val="134"/><scheme val="minor"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"><alignment vertical="center"/>'
        '</xf></cellStyleXfs><cellXfs count="4">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"><alignment vertical="center"/></xf>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1">'
        '<alignment vertical="center"/></xf>'
        '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1">'
        '<alignment vertical="center"/></xf>'
        '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1">'
        '<alignment vertical="center"/></xf></cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" '
        'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
    )
    parts["docProps/core.xml"] = (
        f'{DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>li</dc:creator>'
        "<cp:lastModifiedBy>li</cp:lastModifiedBy>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-02T08:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-11-02T08:30:00Z</dcterms:modified></cp:coreProperties>'
    )
    parts["docProps/app.xml"] = (
        f'{DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>Microsoft Excel</Application><AppVersion>16.0300</AppVersion></Properties>"
    )
    parts["_rels/.rels"] = rels(
        (
            "rId3",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
            "docProps/app.xml",
        ),
        (
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
        ),
        ("rId1", f"{REL}/officeDocument", "xl/workbook.xml"),
    )
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = {
        "/xl/workbook.xml": f"{ct}.sheet.main+xml",
        "/xl/styles.xml": f"{ct}.styles+xml",
        "/xl/sharedStrings.xml": f"{ct}.sharedStrings+xml",
        "/xl/externalLinks/externalLink1.xml": f"{ct}.externalLink+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    }
    for i in (1, 2, 3):
        overrides[f"/xl/worksheets/sheet{i}.xml"] = f"{ct}.worksheet+xml"
        overrides[f"/xl/tables/table{i}.xml"] = f"{ct}.table+xml"
    parts["[Content_Types].xml"] = (
        f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{k}" ContentType="{v}"/>' for k, v in overrides.items())
        + "</Types>"
    )
    return parts


ORDER = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]


def main() -> Path:
    parts = build()
    names = ORDER + sorted(set(parts) - set(ORDER))
    with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as z:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, parts[name].encode("utf-8"))
    return OUT


if __name__ == "__main__":
    print(main())
