"""The 客户分级 / Customer grading menu and toolbar of Calc (Python UNO component).

Addons.xcu points every entry at ``service:org.xlgrade.Menu?<command>``: LibreOffice creates
this service and calls ``trigger(command)`` (XJobExecutor) with the current document; messages
and questions go to message boxes. ``run(command, document, argument)`` (org.xlgrade.XMenu)
does the same for a document passed explicitly, without dialogs, and returns the message:
the tests call it on an opened document. The logic without UNO is in ``xlgrademenu``.

Commands: ``monthly`` (月度重算), ``new`` (新建工作簿), ``rules`` (打开规则), ``complaints``
(投诉到期检查), ``about`` (关于).
"""

from datetime import datetime

import uno
import unohelper
import xlgrademenu as M
from com.sun.star.beans import PropertyValue
from com.sun.star.lang import XServiceInfo
from com.sun.star.task import XJobExecutor
from org.xlgrade import XMenu

SERVICE = "org.xlgrade.Menu"


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


class Menu(unohelper.Base, XJobExecutor, XMenu, XServiceInfo):
    def __init__(self, ctx):
        self.ctx = ctx

    # -- XServiceInfo --
    def getImplementationName(self):
        return SERVICE

    def supportsService(self, name):
        return name == SERVICE

    def getSupportedServiceNames(self):
        return (SERVICE,)

    # -- entry points --
    def trigger(self, command):
        """From the menu or toolbar: the current document, with dialogs."""
        desktop = self._desktop()
        doc = desktop.getCurrentComponent()
        argument = ""
        if command == "new":
            argument = self._ask_new_path()
            if not argument:
                return
        message = self._dispatch(command, doc, argument, interactive=True)
        if message:
            self._show(message, doc)

    def run(self, command, document, argument):
        """For a document given explicitly, no dialogs (unsaved changes are saved); the message."""
        return self._dispatch(command, document, argument, interactive=False)

    # -- commands --
    def _dispatch(self, command, doc, argument, interactive):
        cfg = M.settings()
        lang = self._lang(doc, cfg)
        if command == "about":
            return M.say(lang, "about", version=cfg["version"], python=cfg.get("python") or M.say(lang, "about_none"))
        if command == "new":
            return self._new(cfg, lang, argument)
        if doc is None or not hasattr(doc, "getSheets"):
            return M.say(lang, "no_sheet", sheet=cfg["sheets"]["summary"][lang])
        if command == "monthly":
            return self._monthly(cfg, lang, doc, interactive)
        if command == "rules":
            return self._show_sheet(doc, cfg["sheets"]["rules"][lang], lang, "rules_opened")
        if command == "complaints":
            return self._complaints(cfg, lang, doc)
        raise ValueError(f"unknown menu command {command!r}")

    def _monthly(self, cfg, lang, doc, interactive):
        url = doc.getURL()
        if not url:
            return M.say(lang, "not_saved")
        path = uno.fileUrlToSystemPath(url)
        if not path.lower().endswith((".xlsx", ".xlsm")):
            return M.say(lang, "not_xlsx", name=path)
        if doc.isModified():
            if interactive and not self._ask_yes(M.say(lang, "ask_store"), doc):
                return M.say(lang, "cancelled")
            doc.store()
        hidden = any(a.Name == "Hidden" and a.Value for a in doc.getArgs())
        doc.close(True)
        ok, line = M.run_job(cfg, lang, "recalc", path)
        reopened = self._desktop().loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", hidden),))
        if reopened is not None and hasattr(reopened, "getSheets"):
            self._activate(reopened, cfg["sheets"]["summary"][lang])
        return line

    def _new(self, cfg, lang, path):
        ok, line = M.run_job(cfg, lang, "new", path, "--lang", lang)
        if not ok:
            return line
        self._desktop().loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, ())
        return M.say(lang, "new_done", path=path)

    def _complaints(self, cfg, lang, doc):
        name = cfg["sheets"]["complaints"][lang]
        sheets = doc.getSheets()
        if not sheets.hasByName(name):
            return M.say(lang, "no_sheet", sheet=name)
        sheet = sheets.getByName(name)
        cur = sheet.createCursor()
        cur.gotoEndOfUsedArea(False)
        end = cur.getRangeAddress()
        data = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow).getDataArray()
        time_header = cfg["complaint_columns"]["complaint_time"][lang]
        for i, row in enumerate(data[:10]):
            if time_header in row:
                rows = [tuple(None if v == "" else v for v in r) for r in data[i + 1 :]]
                return M.complaint_check(rows, list(row), lang, cfg, datetime.now())
        return M.say(lang, "no_sheet", sheet=time_header)

    # -- UNO helpers --
    def _desktop(self):
        return self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def _lang(self, doc, cfg):
        if doc is not None and hasattr(doc, "getSheets"):
            return M.workbook_lang(doc.getSheets().getElementNames(), cfg)
        return "zh"

    def _activate(self, doc, name):
        sheets = doc.getSheets()
        if not sheets.hasByName(name):
            return False
        controller = doc.getCurrentController()
        if controller is not None:
            controller.setActiveSheet(sheets.getByName(name))
        return True

    def _show_sheet(self, doc, name, lang, key):
        if not self._activate(doc, name):
            return M.say(lang, "no_sheet", sheet=name)
        return M.say(lang, key, sheet=name)

    def _box(self, doc, kind, buttons, message):
        frame = doc.getCurrentController().getFrame() if doc is not None and doc.getCurrentController() else None
        if frame is None:
            return None
        toolkit = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit", self.ctx)
        box = toolkit.createMessageBox(frame.getContainerWindow(), kind, buttons, "xlgrade", message)
        return box.execute()

    def _show(self, message, doc):
        from com.sun.star.awt.MessageBoxType import INFOBOX

        self._box(doc, INFOBOX, 1, message)  # BUTTONS_OK

    def _ask_yes(self, message, doc):
        from com.sun.star.awt.MessageBoxType import QUERYBOX

        return self._box(doc, QUERYBOX, 3, message) == 2  # BUTTONS_YES_NO; RESULT_YES

    def _ask_new_path(self):
        picker = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.ui.dialogs.FilePicker", self.ctx)
        picker.initialize((uno.getConstantByName("com.sun.star.ui.dialogs.TemplateDescription.FILESAVE_SIMPLE"),))
        picker.appendFilter("Excel 2007-365 (.xlsx)", "*.xlsx")
        if picker.execute() != 1:
            return ""
        files = picker.getSelectedFiles()
        if not files:
            return ""
        path = uno.fileUrlToSystemPath(files[0])
        return path if path.lower().endswith(".xlsx") else path + ".xlsx"


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Menu, SERVICE, (SERVICE,))
