Attribute VB_Name = "XlgradeRibbon"
' The ribbon tab of xlgrade.xlam: one Sub per button of customUI.xml, each calling one
' function of the Python module xlgrade.addins.excel.actions through xlwings' RunPython.
' Keep this file ASCII: the VBA project's code page turns other characters into ?.
Option Explicit

Sub OnMonthly(control As IRibbonControl)
    RunPython "import xlgrade.addins.excel.actions as xlgrade_actions; xlgrade_actions.monthly()"
End Sub

Sub OnNewWorkbook(control As IRibbonControl)
    RunPython "import xlgrade.addins.excel.actions as xlgrade_actions; xlgrade_actions.new_workbook()"
End Sub

Sub OnOpenRules(control As IRibbonControl)
    RunPython "import xlgrade.addins.excel.actions as xlgrade_actions; xlgrade_actions.open_rules()"
End Sub

Sub OnPrintCard(control As IRibbonControl)
    RunPython "import xlgrade.addins.excel.actions as xlgrade_actions; xlgrade_actions.print_card()"
End Sub

Sub OnComplaintCheck(control As IRibbonControl)
    RunPython "import xlgrade.addins.excel.actions as xlgrade_actions; xlgrade_actions.complaint_check()"
End Sub

Sub OnRulesHelp(control As IRibbonControl)
    RunPython "import xlgrade.addins.excel.actions as xlgrade_actions; xlgrade_actions.rules_help()"
End Sub

Sub OnAbout(control As IRibbonControl)
    RunPython "import xlgrade.addins.excel.actions as xlgrade_actions; xlgrade_actions.about()"
End Sub

' A pure-VBA function (no Python, no DLL): proves the add-in's VBA loads and computes.
Function XLGRADESELFTEST(x As Double) As Double
    XLGRADESELFTEST = 2 * x + 1
End Function
