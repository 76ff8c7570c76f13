"""The 客户分级 / Customer grading menu's logic, without UNO (standard library only).

Copied into the extension's ``pythonpath/``; the component ``xlgrade_menu.py`` does the UNO
parts (documents, sheets, dialogs) and calls these functions. The settings come from
``pythonpath/xlgrade_menu.json``, written when the extension is built: sheet and column names
of both workbook languages (from xlgrade's schema), the xlgrade version and, when built by
``xlgrade install libreoffice``, the Python of the xlgrade installation that runs the monthly
job (LibreOffice's own Python has no pandas).
"""

import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta

SETTINGS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "xlgrade_menu.json")
EPOCH = datetime(1899, 12, 30)  # spreadsheet serial day 0
JOB_TIMEOUT = 1800  # seconds the monthly job may take

TEXT = {
    "zh": {
        "not_saved": "请先把工作簿保存为 .xlsx 文件,再运行月度重算。",
        "not_xlsx": "月度重算只处理 .xlsx 工作簿:{name}",
        "ask_store": "工作簿有未保存的修改。保存后运行月度重算吗?",
        "cancelled": "已取消月度重算。",
        "no_xlgrade": "找不到 xlgrade:请在安装了 xlgrade 的电脑上运行 xlgrade install libreoffice。",
        "job_failed": "月度重算失败:{why}",
        "no_sheet": "工作簿中没有“{sheet}”工作表。",
        "rules_opened": "已打开“{sheet}”工作表:修改“值”一列即可调整规则。",
        "complaints_none": "没有超期或 24 小时内到期的未回复投诉。",
        "complaints_overdue": "{n} 件投诉已超期未回复:{items}",
        "complaints_soon": "{n} 件投诉将在 24 小时内到期:{items}",
        "priority": "优先级",
        "about": "xlgrade {version} 客户分级函数(LibreOffice 扩展);月度重算使用:{python}",
        "about_none": "未记录(请运行 xlgrade install libreoffice)",
        "new_done": "已新建工作簿:{path}",
        "export_not_saved": "请先把工作簿保存为 .xlsx 文件,再导出脱敏副本。",
        "export_not_xlsx": "导出脱敏副本只处理 .xlsx 工作簿:{name}",
        "export_ask_store": "工作簿有未保存的修改。保存后导出脱敏副本吗?",
        "export_cancelled": "已取消导出脱敏副本。",
        "export_failed": "导出脱敏副本失败:{why}",
        "masked_suffix": "-脱敏",
    },
    "en": {
        "not_saved": "Save the workbook as an .xlsx file first, then run the monthly recalculation.",
        "not_xlsx": "The monthly recalculation works on .xlsx workbooks only: {name}",
        "ask_store": "The workbook has unsaved changes. Save it and run the monthly recalculation?",
        "cancelled": "Monthly recalculation cancelled.",
        "no_xlgrade": "xlgrade not found: run xlgrade install libreoffice on a computer where xlgrade is installed.",
        "job_failed": "The monthly recalculation failed: {why}",
        "no_sheet": 'The workbook has no sheet "{sheet}".',
        "rules_opened": 'Opened the "{sheet}" sheet: edit its value column to change a rule.',
        "complaints_none": "No unanswered complaint is overdue or due within 24 hours.",
        "complaints_overdue": "{n} unanswered complaints are overdue: {items}",
        "complaints_soon": "{n} complaints are due within 24 hours: {items}",
        "priority": "priority",
        "about": "xlgrade {version} customer grading functions (LibreOffice extension); monthly job runs with: {python}",
        "about_none": "not recorded (run xlgrade install libreoffice)",
        "new_done": "New workbook: {path}",
        "export_not_saved": "Save the workbook as an .xlsx file first, then export the masked copy.",
        "export_not_xlsx": "The masked copy works on .xlsx workbooks only: {name}",
        "export_ask_store": "The workbook has unsaved changes. Save it and export the masked copy?",
        "export_cancelled": "Masked copy cancelled.",
        "export_failed": "The masked copy failed: {why}",
        "masked_suffix": "-masked",
    },
}


def settings():
    with open(SETTINGS_FILE, encoding="utf-8") as f:
        return json.load(f)


def say(lang, key, **values):
    return TEXT["en" if lang == "en" else "zh"][key].format(**values)


def workbook_lang(sheet_names, cfg):
    """ "en" when the workbook has the English summary sheet and not the Chinese one, else "zh"."""
    names = set(sheet_names)
    sheets = cfg["sheets"]
    if sheets["summary"]["en"] in names and sheets["summary"]["zh"] not in names:
        return "en"
    return "zh"


def job_command(cfg, *args):
    """The command that runs xlgrade (the recorded installation's Python, else xlgrade on PATH)."""
    python = cfg.get("python")
    if python and os.path.isfile(python):
        return [python, "-m", "xlgrade", *args]
    found = shutil.which("xlgrade")
    return [found, *args] if found else None


def job_env():
    """A clean environment: LibreOffice's own PYTHONPATH / PYTHONHOME must not leak into xlgrade."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": os.environ.get("LANG", "C.UTF-8")}
    for key in (
        "HOME",
        "USERPROFILE",
        "SYSTEMROOT",
        "TEMP",
        "TMP",
        "TMPDIR",
        "APPDATA",
        "LOCALAPPDATA",
        "USER",
        "USERNAME",
        "LOGNAME",
    ):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def masked_copy_path(path, lang):
    """The masked copy the save dialog proposes for workbook ``path``: beside it, ``<name>-脱敏.xlsx``."""
    stem, suffix = os.path.splitext(path)
    return stem + say(lang, "masked_suffix") + suffix


def run_job(cfg, lang, *args, failed="job_failed"):
    """Run ``xlgrade ARGS``; (ok, the one line to show; a failure as the ``failed`` text says)."""
    cmd = job_command(cfg, *args)
    if cmd is None:
        return False, say(lang, "no_xlgrade")
    try:
        r = subprocess.run(
            cmd, capture_output=True, text=True, encoding="utf-8", errors="replace", env=job_env(), timeout=JOB_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, say(lang, failed, why=str(exc))
    out = [ln.strip() for ln in r.stdout.splitlines() if ln.strip()]
    err = [ln.strip() for ln in r.stderr.splitlines() if ln.strip()]
    if r.returncode == 0:
        return True, out[-1] if out else ""
    why = err[-1] if err else (out[-1] if out else f"exit status {r.returncode}")
    if why.startswith("xlgrade: "):
        why = why[len("xlgrade: ") :]
    return False, say(lang, failed, why=why)


def serial_to_datetime(x):
    return EPOCH + timedelta(days=float(x))


def complaint_check(rows, header, lang, cfg, now):
    """The message of 投诉到期检查 for the complaints sheet's ``rows`` under ``header``.

    Unanswered (no reply time) complaints whose due time (written by the monthly job) is past
    ``now`` are overdue; those due within 24 hours are listed as due soon. Each list is in the
    work-queue order the job wrote (处理顺序; rows without one last, in sheet order) and names
    each complaint's priority level (优先级) when the sheet has it.
    """
    cols = cfg["complaint_columns"]
    pick = {}
    for key in ("complaint_no", "customer_name", "reply_time", "due", "priority", "queue"):
        name = cols[key][lang] if key in cols else None
        pick[key] = header.index(name) if name in header else None
    if pick["due"] is None:
        return say(lang, "no_sheet", sheet=cols["due"][lang])
    overdue, soon = [], []
    for row in rows:
        cell = lambda key, row=row: row[pick[key]] if pick[key] is not None and pick[key] < len(row) else None  # noqa: E731
        due, replied = cell("due"), cell("reply_time")
        if not isinstance(due, float) or replied not in (None, ""):
            continue
        when = serial_to_datetime(due)
        label = " ".join(str(v) for v in (cell("complaint_no"), cell("customer_name")) if v not in (None, ""))
        level = cell("priority")
        level = "" if level in (None, "") else f", {say(lang, 'priority')} {level}"
        queue = cell("queue")
        order = queue if isinstance(queue, (int, float)) and not isinstance(queue, bool) else float("inf")
        item = (order, len(overdue) + len(soon), f"{label} ({when:%Y-%m-%d %H:%M}{level})")
        if when < now:
            overdue.append(item)
        elif when < now + timedelta(days=1):
            soon.append(item)
    parts = []
    sep = ";" if lang == "zh" else "; "
    if overdue:
        items = sep.join(text for _, _, text in sorted(overdue))
        parts.append(say(lang, "complaints_overdue", n=len(overdue), items=items))
    if soon:
        parts.append(say(lang, "complaints_soon", n=len(soon), items=sep.join(text for _, _, text in sorted(soon))))
    return ("\n" if parts else "").join(parts) or say(lang, "complaints_none")
