"""The fixed names of the LibreOffice extension: identifier, UNO types, files inside the .oxt.

Calc calls a function of this add-in ``org.xlgrade.Cells.ABCGRADE`` (service name + method);
the .xcu's CompatibilityName maps it to and from the plain Excel name ``ABCGRADE``.
"""

EXTENSION_ID = "org.xlgrade.calc"  # description.xml identifier; `unopkg remove` takes it
OXT_NAME = "xlgrade.oxt"
MODULE = ("org", "xlgrade")  # IDL module path
INTERFACE = "XCells"  # org.xlgrade.XCells: one method per cell function
SERVICE = "org.xlgrade.Cells"  # service = implementation name = getServiceName()
INTERFACE_FULL = ".".join(MODULE + (INTERFACE,))
ADDIN_SERVICE = "com.sun.star.sheet.AddIn"  # what Calc enumerates to find add-ins

MENU_INTERFACE = "XMenu"  # org.xlgrade.XMenu: run(command, document, argument)
MENU_SERVICE = "org.xlgrade.Menu"  # the menu/toolbar component (service: URLs)

# Paths inside the .oxt.
COMPONENT_FILE = "xlgrade_cells.py"  # the Python UNO component, at the root
TYPES_FILE = "xlgrade_cells.rdb"  # the compiled type library
XCU_FILE = "CalcAddIns.xcu"  # function descriptions for the Function Wizard
MENU_COMPONENT_FILE = "xlgrade_menu.py"  # the menu component, at the root
ADDONS_FILE = "Addons.xcu"  # the 客户分级 menu and toolbar
MENU_MODULE = "xlgrademenu"  # the menu's logic without UNO (pythonpath/)
SCRIPTS_DIR = "python"  # scripts of the Python script provider
MENU_SCRIPT = "xlgrade_menu_script.py"  # the menu's commands as scripts (python/)
MENU_SETTINGS = "xlgrade_menu.json"  # sheet names, version, recorded xlgrade (pythonpath/)
VENDOR_PACKAGE = "xlgradecells"  # xlgrade.cells, copied under pythonpath/
BRIDGE_MODULE = "xlgradeaddin"  # UNO values <-> registry values (pythonpath/)

MINIMUM_LO = (25, 2)  # the first version seen to map CompatibilityName
