"""The menu's commands as scripts of LibreOffice's Python script provider.

Address: ``vnd.sun.star.script:xlgrade.oxt|python|xlgrade_menu_script.py$<command>?language=Python&location=user:uno_packages``
(``share:uno_packages`` when installed for all users). Each takes the document (default: the
one the script runs for), runs the command through the menu component ``org.xlgrade.Menu``
without dialogs, and returns its message. The tests invoke these on an opened document: a
caller outside LibreOffice cannot hold the component itself (its types are not in the caller's
type library), and dispatching the menu's URL on a hidden document in headless mode is not safe.
"""

import uno


def _run(command, doc, argument=""):
    ctx = uno.getComponentContext()
    if doc is None:
        doc = XSCRIPTCONTEXT.getDocument()  # noqa: F821  (provided by the script provider)
    menu = ctx.ServiceManager.createInstanceWithContext("org.xlgrade.Menu", ctx)
    return menu.run(command, doc, argument)


def monthly(doc=None, *args):
    return _run("monthly", doc)


def new_workbook(doc=None, path="", *args):
    return _run("new", doc, path)


def rules(doc=None, *args):
    return _run("rules", doc)


def complaints(doc=None, *args):
    return _run("complaints", doc)


def export_masked(doc=None, path="", *args):
    return _run("export_masked", doc, path)


def about(doc=None, *args):
    return _run("about", doc)


g_exportedScripts = (monthly, new_workbook, rules, complaints, export_masked, about)
