"""UNO worker: run by the SYSTEM python (``/usr/bin/python3``), never by the project's venv.

Only the system python can ``import uno`` (Debian's python3-uno), so :mod:`xlgrade.lo.harness`
starts this script as a subprocess and talks to it in JSON lines:

    stdin   {"id": 1, "cmd": "open", "args": {"path": "/abs/book.xlsx"}}
    stdout  {"id": 1, "ok": true, "result": ...}
            {"id": 1, "ok": false, "error": "...", "type": "...", "traceback": "..."}

The first line the worker writes is ``{"ready": true}`` once it is connected to soffice, or
``{"ready": false, "error": ...}``. Stdlib and uno only: this file must not import xlgrade.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback

import uno  # noqa: F401  (needs /usr/bin/python3 with python3-uno)
import unohelper
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.table.CellContentType import EMPTY as CELL_EMPTY
from com.sun.star.task import XInteractionHandler
from com.sun.star.ucb import XCommandEnvironment

APPROVE = "com.sun.star.task.XInteractionApprove"


class Approver(unohelper.Base, XInteractionHandler):
    """Answers the extension manager's questions without a dialog by approving them ("install
    this extension for the user?"). pyuno cannot read the request itself (getRequest() fails
    with SystemError), so every question with an Approve answer is approved; the harness checks
    the LibreOffice version before installing."""

    def __init__(self):
        self.asked = 0

    def handle(self, request):
        self.asked += 1
        for cont in request.getContinuations():
            if cont.queryInterface(uno.getTypeByName(APPROVE)) is not None:
                cont.select()
                return


class CommandEnv(unohelper.Base, XCommandEnvironment):
    """No dialogs: questions go to :class:`Approver`, no progress."""

    def __init__(self):
        self.handler = Approver()

    def getInteractionHandler(self):
        return self.handler

    def getProgressHandler(self):
        return None


FORMULA = 16  # com.sun.star.sheet.CellFlags.FORMULA
RESULT_ERROR = 4  # com.sun.star.sheet.FormulaResult.ERROR


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def file_url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


def col_letters(col):
    s = ""
    col += 1
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def a1(col, row):
    return f"{col_letters(col)}{row + 1}"


class Worker:
    def __init__(self, ctx):
        self.ctx = ctx
        smgr = ctx.ServiceManager
        self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        self.docs = {}
        self.next_doc = 1

    # ---- helpers ------------------------------------------------------------------------
    def doc(self, args):
        try:
            return self.docs[args["doc"]]
        except KeyError:
            raise ValueError(f"no open document {args.get('doc')!r} (closed already?)") from None

    def sheet(self, doc, name):
        sheets = doc.getSheets()
        if isinstance(name, int):
            if not 0 <= name < sheets.getCount():
                raise ValueError(f"no sheet #{name}; the workbook has {sheets.getCount()}")
            return sheets.getByIndex(name)
        if not sheets.hasByName(name):
            raise ValueError(f"no sheet {name!r}; sheets are {list(sheets.getElementNames())}")
        return sheets.getByName(name)

    # ---- commands -----------------------------------------------------------------------
    def cmd_ping(self, args):
        return "pong"

    def cmd_open(self, args):
        path = args["path"]
        if not os.path.isfile(path):
            raise FileNotFoundError(path)
        # "macros": let the document's macros run (MacroExecutionMode 4, ALWAYS_EXECUTE_NO_WARN);
        # "filter": a filter given explicitly (an .xlam is not recognised by type detection).
        props = (
            prop("Hidden", True),
            prop("MacroExecutionMode", 4 if args.get("macros") else 0),
            prop("UpdateDocMode", 0),
            prop("ReadOnly", False),
        )
        if args.get("filter"):
            props += (prop("FilterName", args["filter"]),)
        doc = self.desktop.loadComponentFromURL(file_url(path), "_blank", 0, props)
        if doc is None or not hasattr(doc, "getSheets"):
            if doc is not None:
                doc.close(True)
            raise ValueError(f"LibreOffice could not open {path} as a spreadsheet")
        if args.get("recalculate", True):
            doc.calculateAll()
        key = self.next_doc
        self.next_doc += 1
        self.docs[key] = doc
        return key

    def cmd_recalculate(self, args):
        # The seconds calculateAll took, measured here: no pipe or JSON in the figure (bench).
        doc = self.doc(args)
        t0 = time.perf_counter()
        doc.calculateAll()
        return time.perf_counter() - t0

    def cmd_sheet_names(self, args):
        return list(self.doc(args).getSheets().getElementNames())

    def cmd_errors(self, args):
        doc = self.doc(args)
        names = args.get("sheets")
        if names is None:
            names = list(doc.getSheets().getElementNames())
        limit = args.get("limit")
        out, texts = [], {}
        for name in names:
            sheet = self.sheet(doc, name)
            sheet_name = sheet.getName()
            # Only the formula cells whose result is an error: one call, however many formulas.
            ranges = sheet.queryFormulaCells(RESULT_ERROR)
            for addr in ranges.getRangeAddresses():
                # Each UNO call is a round trip to soffice: a block's formulas come in one call,
                # and the text of an error code is asked once (LibreOffice shows one per code).
                if addr.StartRow == addr.EndRow and addr.StartColumn == addr.EndColumn:
                    cells = [
                        (addr.StartColumn, addr.StartRow, sheet.getCellByPosition(addr.StartColumn, addr.StartRow))
                    ]
                    formulas = [[cells[0][2].getFormula()]]
                else:
                    rng = sheet.getCellRangeByPosition(addr.StartColumn, addr.StartRow, addr.EndColumn, addr.EndRow)
                    formulas = rng.getFormulaArray()
                    cells = [
                        (addr.StartColumn + c, addr.StartRow + r, rng.getCellByPosition(c, r))
                        for r in range(len(formulas))
                        for c in range(len(formulas[r]))
                    ]
                for col, row, cell in cells:
                    if limit is not None and len(out) >= limit:
                        return out
                    code = cell.getError()
                    if not code:
                        continue
                    if code not in texts:
                        texts[code] = cell.getString()
                    out.append(
                        {
                            "sheet": sheet_name,
                            "cell": a1(col, row),
                            "formula": formulas[row - addr.StartRow][col - addr.StartColumn],
                            "error_code": code,
                            "text": texts[code],
                        }
                    )
        return out

    def cmd_formula_count(self, args):
        doc = self.doc(args)
        sheet = self.sheet(doc, args["sheet"])
        n = 0
        for addr in sheet.queryContentCells(FORMULA).getRangeAddresses():
            n += (addr.EndRow - addr.StartRow + 1) * (addr.EndColumn - addr.StartColumn + 1)
        return n

    def cmd_used_range(self, args):
        sheet = self.sheet(self.doc(args), args["sheet"])
        cur = sheet.createCursor()
        cur.gotoStartOfUsedArea(False)
        cur.gotoEndOfUsedArea(True)
        a = cur.getRangeAddress()
        return f"{a1(a.StartColumn, a.StartRow)}:{a1(a.EndColumn, a.EndRow)}"

    def cmd_page_breaks(self, args):
        """The sheet's pages as LibreOffice lays them out for print: the first row (0-based) of
        every page but the first, and each drawing object's (first row, last row) it covers."""
        sheet = self.sheet(self.doc(args), args["sheet"])
        rows = sorted({int(b.Position) for b in sheet.getRowPageBreaks() if b.Position > 0})

        def row_at(y):  # the row whose top is at or above y (binary search over cell tops)
            lo, hi = 0, 1048575
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if sheet.getCellByPosition(0, mid).Position.Y <= y:
                    lo = mid
                else:
                    hi = mid - 1
            return lo

        shapes = []
        page = sheet.getDrawPage()
        for i in range(page.getCount()):
            shape = page.getByIndex(i)
            y, h = shape.Position.Y, shape.Size.Height
            shapes.append([row_at(y), row_at(y + max(h, 1) - 1)])
        return {"rows": rows, "shapes": shapes}

    def cmd_get(self, args):
        sheet = self.sheet(self.doc(args), args["sheet"])
        rng = sheet.getCellRangeByName(args["range"])
        data = rng.getDataArray()
        out = []
        for r, row in enumerate(data):
            vals = []
            for c, v in enumerate(row):
                if v == "" or v is None:  # empty, an empty string, or an error result (void)
                    cell = rng.getCellByPosition(c, r)
                    if cell.getError():
                        v = cell.getString()
                    elif cell.getType() == CELL_EMPTY:
                        v = None
                    else:
                        v = ""
                vals.append(v)
            out.append(vals)
        return out

    def cmd_get_formula(self, args):
        sheet = self.sheet(self.doc(args), args["sheet"])
        return sheet.getCellRangeByName(args["cell"]).getCellByPosition(0, 0).getFormula()

    def cmd_set(self, args):
        doc = self.doc(args)
        sheet = self.sheet(doc, args["sheet"])
        cell = sheet.getCellRangeByName(args["cell"]).getCellByPosition(0, 0)
        kind, value = args["kind"], args["value"]
        if kind == "number":
            cell.setValue(value)
        elif kind == "string":
            cell.setString(value)
        elif kind == "formula":
            cell.setFormula(value)
        elif kind == "empty":
            cell.setString("")
        else:
            raise ValueError(f"unknown kind {kind!r}")
        if args.get("recalculate", True):
            doc.calculateAll()
        return None

    def cmd_store(self, args):
        """Save a copy of the document (``storeToURL``) with a filter, e.g. the .xlsx one."""
        doc = self.doc(args)
        doc.storeToURL(file_url(args["path"]), (prop("FilterName", args["filter"]), prop("Overwrite", True)))
        return None

    def cmd_export_pdf(self, args):
        doc = self.doc(args)
        name = args.get("sheet")
        data = []
        if name is not None:
            # Selection = the sheet object: exactly that sheet's pages, with its print ranges and
            # page style (hiding the other sheets is not enough: a hidden sheet with a print
            # range is still exported).
            data.append(prop("Selection", self.sheet(doc, name)))
        filt = (
            prop("FilterName", "calc_pdf_Export"),
            prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue", tuple(data))),
        )
        doc.storeToURL(file_url(args["path"]), filt)
        return None

    def extension_manager(self):
        return self.ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")

    def cmd_add_extension(self, args):
        """Install an .oxt into this soffice's user profile (the profile it was started with),
        through the extension manager: works as root, where unopkg refuses."""
        em = self.extension_manager()
        env = CommandEnv()
        try:
            pkg = em.addExtension(file_url(args["path"]), (), "user", None, env)
        except Exception as e:
            # (pyuno cannot read a DeploymentException's Cause: it raises SystemError)
            raise RuntimeError(f"{getattr(e, 'Message', e)} ({args['path']})") from None
        if pkg is None:
            raise RuntimeError(f"the extension manager did not install {args['path']}")
        return {"identifier": pkg.getIdentifier().Value, "version": pkg.getVersion()}

    def cmd_remove_extension(self, args):
        em = self.extension_manager()
        ident = args["identifier"]
        for pkg in em.getDeployedExtensions("user", None, CommandEnv()):
            if pkg is not None and pkg.getIdentifier().Value == ident:
                em.removeExtension(ident, pkg.getName(), "user", None, CommandEnv())
                return True
        return False

    def cmd_extensions(self, args):
        em = self.extension_manager()
        return [
            {"identifier": p.getIdentifier().Value, "version": p.getVersion()}
            for p in em.getDeployedExtensions("user", None, CommandEnv())
            if p is not None
        ]

    def cmd_script(self, args):
        """Invoke a script through the script provider (``vnd.sun.star.script:...`` URL) with the
        open document as its first argument, e.g. an extension's menu command; its result.
        A script that closes the document (the monthly job) drops it from the open ones."""
        smgr = self.ctx.ServiceManager
        factory = smgr.createInstanceWithContext("com.sun.star.script.provider.MasterScriptProviderFactory", self.ctx)
        provider = factory.createScriptProvider("")
        doc = self.doc(args)
        script = provider.getScript(args["url"])
        result = script.invoke((doc, *args.get("args", ())), (), ())
        result = result[0] if isinstance(result, tuple) else result
        if args.get("closes_document"):
            self.docs.pop(args["doc"], None)
        return result

    def cmd_active_sheet(self, args):
        return self.doc(args).getCurrentController().getActiveSheet().getName()

    def cmd_opened(self, args):
        """Active sheet of every spreadsheet soffice has open on ``path`` (also those a script
        opened); ``close``: close them."""
        url = file_url(args["path"])
        out = []
        comps = self.desktop.getComponents().createEnumeration()
        while comps.hasMoreElements():
            comp = comps.nextElement()
            if hasattr(comp, "getSheets") and comp.getURL() == url:
                out.append(comp.getCurrentController().getActiveSheet().getName())
                if args.get("close"):
                    comp.close(True)
        return out

    def cmd_config_names(self, args):
        """Element names of a configuration node, e.g. /org.openoffice.Office.Addons/AddonUI/OfficeMenuBar."""
        smgr = self.ctx.ServiceManager
        provider = smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", self.ctx)
        node = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess", (prop("nodepath", args["path"]),)
        )
        return list(node.getElementNames())

    def cmd_close(self, args):
        doc = self.docs.pop(args["doc"], None)
        if doc is not None:
            try:
                doc.close(True)
            except Exception:
                doc.dispose()
        return None

    def cmd_shutdown(self, args):
        for key in list(self.docs):
            self.cmd_close({"doc": key})
        try:
            self.desktop.terminate()
        except Exception:
            pass  # soffice goes away while answering: that is the point
        return None


def connect(uno_url, timeout):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            return resolver.resolve(uno_url)
        except NoConnectException as e:
            last = e
            time.sleep(0.2)
    raise TimeoutError(f"could not connect to soffice at {uno_url} within {timeout:g} s: {last}")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--uno-url", required=True)
    ap.add_argument("--connect-timeout", type=float, default=60.0)
    opts = ap.parse_args(argv)

    # The protocol owns the real stdout; anything else printed goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    sys.stdout = sys.stderr
    inp = sys.stdin

    def send(obj):
        out.write(json.dumps(obj, ensure_ascii=True) + "\n")
        out.flush()

    try:
        worker = Worker(connect(opts.uno_url, opts.connect_timeout))
    except Exception as e:
        send({"ready": False, "error": f"{type(e).__name__}: {e}"})
        return 2
    send({"ready": True, "pid": os.getpid()})

    for line in inp:
        line = line.strip()
        if not line:
            continue
        req_id = None
        try:
            req = json.loads(line)
            req_id = req.get("id")
            cmd = req["cmd"]
            fn = getattr(worker, "cmd_" + cmd, None)
            if fn is None:
                raise ValueError(f"unknown command {cmd!r}")
            result = fn(req.get("args") or {})
            send({"id": req_id, "ok": True, "result": result})
            if cmd == "shutdown":
                break
        except Exception as e:  # report and keep serving
            send(
                {
                    "id": req_id,
                    "ok": False,
                    "type": type(e).__name__,
                    "error": getattr(e, "Message", "") or str(e) or repr(e),
                    "traceback": traceback.format_exc(),
                }
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
