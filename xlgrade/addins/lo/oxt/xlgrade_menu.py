"""The 客户分级 / Customer grading menu and toolbar of Calc (Python UNO component).

Addons.xcu points every entry at ``service:org.xlgrade.Menu?<command>``: LibreOffice creates
this service and calls ``trigger(command)`` (XJobExecutor) with the current document; messages
and questions go to message boxes. ``run(command, document, argument)`` (org.xlgrade.XMenu)
does the same for a document passed explicitly, without dialogs, and returns the message:
the tests call it on an opened document. The logic without UNO is in ``xlgrademenu``.

Commands: ``monthly`` (月度重算), ``new`` (新建工作簿), ``rules`` (打开规则), ``complaints``
(投诉到期检查), ``export_masked`` (导出脱敏副本: a save dialog asks for the copy's path, then
``xlgrade export-masked``; like 月度重算 it closes the workbook while xlgrade writes its run log and
reopens it), ``about`` (关于).
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
            argument = self._ask_save_path()
            if not argument:
                return
        if command == "export_masked" and doc is not None and hasattr(doc, "getURL") and doc.getURL():
            lang = self._lang(doc, M.settings())
            argument = self._ask_save_path(M.masked_copy_path(uno.fileUrlToSystemPath(doc.getURL()), lang))
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
        if command == "export_masked":
            return self._export_masked(cfg, lang, doc, argument, interactive)
        raise ValueError(f"unknown menu command {command!r}")

    def _saved_path(self, lang, doc, interactive, prefix=""):
        """(path of the saved workbook, None) or (None, the message why not): unsaved changes are
        stored (after asking, with dialogs)."""
        url = doc.getURL()
        if not url:
            return None, M.say(lang, prefix + "not_saved")
        path = uno.fileUrlToSystemPath(url)
        if not path.lower().endswith((".xlsx", ".xlsm")):
            return None, M.say(lang, prefix + "not_xlsx", name=path)
        if doc.isModified():
            if interactive and not self._ask_yes(M.say(lang, prefix + "ask_store"), doc):
                return None, M.say(lang, prefix + "cancelled")
            doc.store()
        return path, None

    def _closed_run(self, cfg, lang, doc, *args, failed="job_failed"):
        """Close the workbook (xlgrade refuses a file open in Calc), run ``xlgrade ARGS``, reopen it."""
        url = doc.getURL()
        hidden = any(a.Name == "Hidden" and a.Value for a in doc.getArgs())
        doc.close(True)
        ok, line = M.run_job(cfg, lang, *args, failed=failed)
        reopened = self._desktop().loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", hidden),))
        return reopened, line

    def _monthly(self, cfg, lang, doc, interactive):
        path, why = self._saved_path(lang, doc, interactive)
        if path is None:
            return why
        reopened, line = self._closed_run(cfg, lang, doc, "recalc", path)
        if reopened is not None and hasattr(reopened, "getSheets"):
            self._activate(reopened, cfg["sheets"]["summary"][lang])
        return line

    def _export_masked(self, cfg, lang, doc, target, interactive):
        """导出脱敏副本: ``xlgrade export-masked BOOK TARGET``; the dialog has asked about overwriting."""
        path, why = self._saved_path(lang, doc, interactive, prefix="export_")
        if path is None:
            return why
        target = target or M.masked_copy_path(path, lang)
        force = ("--force",) if interactive else ()
        _, line = self._closed_run(cfg, lang, doc, "export-masked", path, target, *force, failed="export_failed")
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

    def _ask_save_path(self, proposed=""):
        """A save dialog for an .xlsx file (it asks before replacing one); "" when cancelled."""
        import os

        picker = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.ui.dialogs.FilePicker", self.ctx)
        picker.initialize((uno.getConstantByName("com.sun.star.ui.dialogs.TemplateDescription.FILESAVE_SIMPLE"),))
        picker.appendFilter("Excel 2007-365 (.xlsx)", "*.xlsx")
        if proposed:
            picker.setDisplayDirectory(uno.systemPathToFileUrl(os.path.dirname(proposed)))
            picker.setDefaultName(os.path.basename(proposed))
        if picker.execute() != 1:
            return ""
        files = picker.getSelectedFiles()
        if not files:
            return ""
        path = uno.fileUrlToSystemPath(files[0])
        return path if path.lower().endswith(".xlsx") else path + ".xlsx"


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Menu, SERVICE, (SERVICE,))
