"""The xlgrade cell functions as a LibreOffice Calc add-in (Python UNO component).

Runs inside LibreOffice's own Python. The extension's ``pythonpath/`` holds the registry
(``xlgradecells``, a copy of xlgrade.cells) and the value bridge (``xlgradeaddin``); the type
library declares ``org.xlgrade.XCells`` with one method per registry function, so this class
gets one method per function, made from the registry itself: no signature is written here.

Calc finds the add-in by the service ``com.sun.star.sheet.AddIn`` and reads the function
descriptions from CalcAddIns.xcu under this component's own service name (it does not
implement XAddIn, which would make Calc ignore the .xcu).
"""

import unohelper
import xlgradeaddin
from com.sun.star.lang import XServiceInfo, XServiceName
from com.sun.star.uno import RuntimeException
from org.xlgrade import XCells
from xlgradecells import FUNCTIONS

SERVICE = "org.xlgrade.Cells"
SERVICES = (SERVICE, "com.sun.star.sheet.AddIn")


def _value_error(message):
    # Calc shows #VALUE! for any exception of an add-in call except IllegalArgumentException
    # (that one is Err:502); see docs/libreoffice.md.
    return RuntimeException(message, None)


class Cells(unohelper.Base, XCells, XServiceName, XServiceInfo):
    def __init__(self, ctx):
        self.ctx = ctx

    def getServiceName(self):
        return SERVICE

    def getImplementationName(self):
        return SERVICE

    def supportsService(self, name):
        return name in SERVICES

    def getSupportedServiceNames(self):
        return SERVICES


def _method(function):
    def method(self, *values):
        return xlgradeaddin.call(function, values, _value_error)

    method.__name__ = function.name
    method.__doc__ = function.en
    return method


for _function in FUNCTIONS:
    setattr(Cells, _function.name, _method(_function))

g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Cells, SERVICE, SERVICES)
