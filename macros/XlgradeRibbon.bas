Attribute VB_Name = "XlgradeRibbon"
' The ribbon tab of xlgrade.xlam: one Sub per button of customUI.xml, each calling one
' function of the Python module xlgrade.addins.excel.actions through xlwings' RunPython;
' and the callbacks that give the tab, its groups and buttons their texts in the language of
' the active workbook (xlgrade/addins/excel/ribbon.py says every text once; the build writes
' them into the sheet xlgrade.conf of this add-in, key in column D, Chinese in E, English in F).
' Keep this file ASCII: the VBA project's code page turns other characters into ?.
Option Explicit

Private Const TEXT_SHEET As String = "xlgrade.conf"
Private Const TEXT_KEY_COLUMN As Long = 4
Private Const LANG_SHEET_KEY As String = "lang.sheet"
Private Const SUPERTIP_SUFFIX As String = ".supertip"

Private XlgradeRibbonUI As IRibbonUI
Private XlgradeEvents As XlgradeAppEvents

' customUI onLoad: keep the ribbon to invalidate, and follow the application's workbook events.
Sub XlgradeRibbonLoad(ribbon As IRibbonUI)
    Set XlgradeRibbonUI = ribbon
    Set XlgradeEvents = New XlgradeAppEvents
    Set XlgradeEvents.App = Application
End Sub

' Ask Excel to call the get* callbacks again (another workbook became active).
Sub XlgradeRefreshRibbon()
    If Not XlgradeRibbonUI Is Nothing Then XlgradeRibbonUI.Invalidate
End Sub

' getLabel of the tab, the groups and the buttons.
Sub XlgradeGetLabel(control As IRibbonControl, ByRef label)
    label = XlgradeText(control.Id, XlgradeLang())
End Sub

' getScreentip of the buttons: the label.
Sub XlgradeGetScreentip(control As IRibbonControl, ByRef screentip)
    screentip = XlgradeText(control.Id, XlgradeLang())
End Sub

' getSupertip of the buttons.
Sub XlgradeGetSupertip(control As IRibbonControl, ByRef supertip)
    supertip = XlgradeText(control.Id & SUPERTIP_SUFFIX, XlgradeLang())
End Sub

' The text of key in lang ("en", else Chinese) from the table of this add-in's sheet
' xlgrade.conf: from row 2 down to the first empty key; the key itself when absent.
' XlgradeText and XlgradeLang are Public so that LibreOffice's Basic can run them as cell
' functions in the tests (tests/test_addin_excel_xlam.py); Excel lists them as user functions.
Function XlgradeText(ByVal key As String, ByVal lang As String) As String
    Dim sht As Object, r As Long
    XlgradeText = key
    On Error GoTo Done
    Set sht = ThisWorkbook.Worksheets(TEXT_SHEET)
    r = 2
    Do While CStr(sht.Cells(r, TEXT_KEY_COLUMN).Value) <> ""
        If CStr(sht.Cells(r, TEXT_KEY_COLUMN).Value) = key Then
            If lang = "en" Then
                XlgradeText = CStr(sht.Cells(r, TEXT_KEY_COLUMN + 2).Value)
            Else
                XlgradeText = CStr(sht.Cells(r, TEXT_KEY_COLUMN + 1).Value)
            End If
            Exit Function
        End If
        r = r + 1
    Loop
Done:
End Function

' The active workbook's language, as xlgrade.addins.excel.actions.workbook_lang decides it:
' "en" when it has a sheet named as the English summary sheet and none named as the Chinese
' one, else "zh" (also when no workbook is active).
Function XlgradeLang() As String
    Dim wb As Object
    XlgradeLang = "zh"
    On Error GoTo Done
    Set wb = ActiveWorkbook
    If wb Is Nothing Then Exit Function
    If XlgradeHasSheet(wb, XlgradeText(LANG_SHEET_KEY, "en")) And _
       Not XlgradeHasSheet(wb, XlgradeText(LANG_SHEET_KEY, "zh")) Then XlgradeLang = "en"
Done:
End Function

Private Function XlgradeHasSheet(wb As Object, ByVal name As String) As Boolean
    Dim sht As Object
    For Each sht In wb.Sheets
        If sht.Name = name Then
            XlgradeHasSheet = True
            Exit Function
        End If
    Next sht
End Function

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

Sub OnExportMasked(control As IRibbonControl)
    RunPython "import xlgrade.addins.excel.actions as xlgrade_actions; xlgrade_actions.export_masked()"
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
