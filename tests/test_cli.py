"""The command-line contract of `xlgrade grade` (issue 2), run in-process and once as a process."""

import json
import re
import subprocess
import sys

import openpyxl
import pytest

from xlgrade.cli import main


def write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return str(path)


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def grades(out):
    return {r["customer_id"]: r for r in json.loads(out)}


THRESHOLD = """customer_id,date,amount
C2,2026-01-05,2500
C2,2026-01-06,2500
C2,2026-01-07,2500
C2,2026-01-08,2500.01
C1,2026-01-01,20000
C1,2026-01-02,20000
C1,2026-01-03,20000
C1,2026-01-04,20000
C1,2026-01-05,20000
C1,2026-01-06,20000.01
C3,2026-02-01,100000
C1,2026-12-01,999999
"""


def test_threshold_json_contract(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", THRESHOLD)
    code, out, err = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["customer_id"] for r in rows] == ["C1", "C2", "C3"]  # sorted, one each
    by_id = grades(out)
    assert (by_id["C1"]["grade"], by_id["C1"]["orders"], by_id["C1"]["volume"]) == ("A", 6, 120000.01)
    assert (by_id["C2"]["grade"], by_id["C2"]["orders"]) == ("B", 4)
    assert by_id["C3"]["grade"] == "C"  # one order only
    assert all(r["explanation"] for r in rows)


def test_default_method_is_threshold_and_as_of_cuts_later_lines(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", THRESHOLD)
    _, out, _ = run(capsys, "grade", ledger, "--as-of", "2026-12-31", "--format", "json")
    assert grades(out)["C1"]["volume"] == pytest.approx(1_119_999.01)  # the December line counts now


def test_pareto_json_has_value_and_share_before(tmp_path, capsys):
    ledger = write(
        tmp_path / "l.csv",
        "customer_id,date,amount\nX,2026-01-01,70\nY,2026-01-01,10\n"
        "Z,2026-01-01,9\nW,2026-01-01,6\nV,2026-01-01,5\nR,2026-01-01,-3\n",
    )
    code, out, _ = run(capsys, "grade", ledger, "--method", "pareto", "--as-of", "2026-06-30", "--format", "json")
    by_id = grades(out)
    assert {k: v["grade"] for k, v in by_id.items()} == {"R": "C", "V": "C", "W": "B", "X": "A", "Y": "A", "Z": "B"}
    assert by_id["Z"]["share_before"] == pytest.approx(0.8)
    assert by_id["X"]["value"] == 70 and by_id["R"]["share_before"] is None


def test_scorecard_with_customers_and_chinese_headers(tmp_path, capsys):
    ledger = write(
        tmp_path / "l.csv", '客户编号,提货日期,货物价款,提货量\nK1,2026年3月1日,"1,000",120\nK2,2026/3/1,¥1000,120\n'
    )
    customers = write(
        tmp_path / "c.csv", "客户编号,公司名称,渠道覆盖,忠诚度,发展前景\nK1,甲公司,10,10,0\nK2,乙公司,10,9,0\n"
    )
    code, out, err = run(
        capsys,
        "grade",
        ledger,
        "--method",
        "scorecard",
        "--customers",
        customers,
        "--as-of",
        "2026-06-30",
        "--format",
        "json",
    )
    assert code == 0, err
    by_id = grades(out)
    assert (by_id["K1"]["grade"], by_id["K1"]["score"]) == ("VIP客户", 90)
    assert (by_id["K2"]["grade"], by_id["K2"]["score"]) == ("骨干客户", 89)


def test_scorecard_needs_a_quantity_column(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", "customer_id,date,amount\nK1,2026-03-01,5\n")
    code, _, err = run(capsys, "grade", ledger, "--method", "scorecard")
    assert code == 2
    assert "l.csv" in err and "quantity" in err and "提货量" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("method,field", [("composite", "score"), ("credit", "score"), ("rfm", "monetary")])
def test_other_methods_run(tmp_path, capsys, method, field):
    ledger = write(
        tmp_path / "l.csv",
        "customer_id,date,amount,profit,paid_date,paid_amount\n"
        "A,2026-01-01,100,10,2026-01-20,100\nB,2026-02-01,50,20,,\n",
    )
    code, out, err = run(capsys, "grade", ledger, "--method", method, "--as-of", "2026-06-30", "--format", "json")
    assert code == 0, err
    assert all(field in r for r in json.loads(out))


def test_unusable_rows_are_listed_on_stderr_and_the_rest_graded(tmp_path, capsys):
    ledger = write(
        tmp_path / "l.csv",
        'customer_id,date,amount\nC1,2026/3/5,"1,200"\nC2,3/5/2026,100\n'
        ",2026-01-01,5\nC3,2026-01-01,lots\n\nC4,2026-01-01,12万\n",
    )
    code, out, err = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--format", "json")
    assert code == 0
    assert set(grades(out)) == {"C1", "C4"}
    assert "row 3, column date: '3/5/2026'" in err
    assert "row 4, column customer_id" in err
    assert "row 5, column amount: 'lots'" in err
    assert "row 6" in err  # the blank row is mentioned too
    assert grades(out)["C4"]["volume"] == 120_000


def test_missing_required_column_exits_2_naming_file_row_and_column(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", "customer_id,date\nC1,2026-01-01\n")
    code, out, err = run(capsys, "grade", ledger)
    assert code == 2 and out == ""
    line = err.strip()
    assert "\n" not in line and "l.csv" in line and "row 1" in line and "amount" in line


def test_no_usable_rows_exits_2(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", "customer_id,date,amount\nC1,someday,5\n")
    code, _, err = run(capsys, "grade", ledger)
    assert code == 2 and "no usable ledger rows" in err


def test_missing_file_and_bad_date_exit_2(tmp_path, capsys):
    assert run(capsys, "grade", tmp_path / "nope.csv")[0] == 2
    with pytest.raises(SystemExit) as exc:
        main(["grade", "x.csv", "--as-of", "2026-02-30"])
    assert exc.value.code == 2


def test_xlsx_with_a_title_row_and_gbk_csv(tmp_path, capsys):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "客户业绩统计及信用评估表"
    ws.append(["客户业绩统计及信用评估表"])  # merged title row above the header
    ws.merge_cells("A1:C1")
    ws.append(["客户编号", "提货日期", "货物价款"])
    for i in range(6):
        ws.append(["K1", f"2026-01-0{i + 1}", "20,000.50"])
    book.save(tmp_path / "l.xlsx")
    code, out, err = run(capsys, "grade", tmp_path / "l.xlsx", "--as-of", "2026-06-30", "--format", "json")
    assert code == 0, err
    assert grades(out)["K1"]["grade"] == "A"
    gbk = tmp_path / "g.csv"
    gbk.write_bytes("客户编号,提货日期,货物价款\n甲1,2026-01-01,5\n".encode("gbk"))
    code, out, _ = run(capsys, "grade", gbk, "--as-of", "2026-06-30", "--format", "json")
    assert code == 0 and "甲1" in grades(out)


def test_rules_file_changes_the_grades_and_bad_rules_exit_2(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", THRESHOLD)
    rules = write(tmp_path / "r.toml", "[threshold]\na_volume_over = 200000\n")
    _, out, _ = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--format", "json", "--rules", rules)
    assert grades(out)["C1"]["grade"] == "B"
    bad = write(tmp_path / "bad.toml", "[threshold]\nb_volume_over = 500000\n")
    code, _, err = run(capsys, "grade", ledger, "--rules", bad)
    assert code == 2 and "threshold.b_volume_over" in err
    table = write(tmp_path / "r.csv", "key,value\nthreshold.a_orders_over,10\n")
    _, out, _ = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--format", "json", "--rules", table)
    assert grades(out)["C1"]["grade"] == "B"


def test_measure_option(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", "customer_id,date,amount,quantity\nA,2026-01-01,10,90\nB,2026-01-01,90,10\n")
    _, out, _ = run(
        capsys,
        "grade",
        ledger,
        "--method",
        "pareto",
        "--measure",
        "quantity",
        "--as-of",
        "2026-06-30",
        "--format",
        "json",
    )
    assert {k: v["grade"] for k, v in grades(out).items()} == {"A": "A", "B": "B"}  # B: 90 % before it
    _, out, _ = run(capsys, "grade", ledger, "--method", "pareto", "--as-of", "2026-06-30", "--format", "json")
    assert {k: v["grade"] for k, v in grades(out).items()} == {"A": "B", "B": "A"}  # by amount instead


def test_manual_override_with_reason(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", THRESHOLD)
    customers = write(tmp_path / "c.csv", "customer_id,manual_grade,override_reason\nC3,A,战略合作\nC2,A,\n")
    code, out, err = run(capsys, "grade", ledger, "--customers", customers, "--as-of", "2026-06-30", "--format", "json")
    by_id = grades(out)
    assert (by_id["C3"]["grade"], by_id["C3"]["computed_grade"], by_id["C3"]["differs"]) == ("A", "C", True)
    assert by_id["C2"]["grade"] == "B"  # no reason: not applied, reported
    assert "c.csv, row 3, column manual_grade" in err


def test_table_has_a_totals_line_per_grade_and_english(tmp_path, capsys):
    ledger = write(tmp_path / "l.csv", THRESHOLD)
    _, out, _ = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--lang", "en")
    assert "A: 6 orders > 5 and 120,000.01 > 100,000" in out
    lines = out.splitlines()
    totals = [ln for ln in lines if ln.split() and ln.split()[0] in ("A", "B", "C", "total") and "%" in ln]
    assert [ln.split()[0] for ln in totals] == ["A", "B", "C", "total"]
    _, out, _ = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--format", "csv")
    assert out.splitlines()[0].startswith("\ufeffcustomer_id,grade,explanation,orders,volume")  # BOM: Excel zh


def test_runs_as_a_module(tmp_path):
    ledger = write(tmp_path / "l.csv", THRESHOLD)
    done = subprocess.run(
        [sys.executable, "-m", "xlgrade", "grade", ledger, "--as-of", "2026-06-30", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 3


def test_rules_command_prints_a_loadable_book(tmp_path, capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "[threshold]" in out
    from xlgrade.engine.rules import RuleBook

    assert RuleBook.from_toml(out) == RuleBook()


# ---- help in both languages (issue 11 item 4) ------------------------------------------------
@pytest.mark.parametrize(
    "env,argv,lang",
    [
        ({"LANG": "zh_CN.UTF-8"}, ["--help"], "zh"),
        ({"LANG": "en_US.UTF-8"}, ["--help"], "en"),
        ({}, ["recalc", "--help"], "en"),
        ({"LANG": "C.UTF-8"}, ["recalc", "--help", "--lang", "zh"], "zh"),
        ({"LANG": "zh_CN.UTF-8"}, ["grade", "--help", "--lang=en"], "en"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, ["new", "--help"], "zh"),
    ],
)
def test_help_in_the_language_of_lang_or_the_locale(monkeypatch, capsys, env, argv, lang):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    if lang == "zh":
        assert out.startswith("用法: xlgrade") and "显示本帮助并退出" in out and "show this help" not in out
    else:
        assert out.startswith("usage: xlgrade") and "show this help message and exit" in out
        assert "用法" not in out and "显示本帮助" not in out


def test_every_help_text_exists_in_both_languages():
    from xlgrade.clihelp import HELP

    for key in HELP.keys():
        zh, en = HELP.pair(key)
        assert zh and en and zh != en, key
        assert re.search(r"[\u4e00-\u9fff]", zh), key


CJK = re.compile(r"[\u2e80-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
EVERY_METHOD_LEDGER = (
    "customer_id,date,amount,quantity,profit,paid_date,paid_amount\n"
    + "".join(f"A,2026-0{m}-01,90000,40,9000,2026-0{m}-20,90000\n" for m in range(1, 8))
    + "B,2026-02-01,5000,3,500,,\nB,2026-05-01,7000,2,-900,2026-07-30,7000\nC,2025-03-01,800,1,80,2025-03-02,800\n"
)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize("method", ["threshold", "pareto", "scorecard", "composite", "credit", "rfm"])
def test_grade_in_english_prints_no_chinese(tmp_path, capsys, method, fmt):
    """`grade --lang en` shows the English labels a workbook in English shows (VIP, excellent,
    champions ...), never the engine's Chinese ones; zh keeps them."""
    from xlgrade.engine import METHODS
    from xlgrade.engine.rules import RuleBook

    ledger = write(tmp_path / "l.csv", EVERY_METHOD_LEDGER)
    args = ["grade", ledger, "--method", method, "--as-of", "2026-07-31", "--format", fmt]
    code, out, err = run(capsys, *args, "--lang", "en")
    assert code == 0, err
    assert not CJK.search(out), out
    english = set(METHODS[method].grade_labels(RuleBook(), "en")) | {RuleBook().credit.no_record_label_en}
    if fmt == "json":
        assert {r["grade"] for r in json.loads(out)} <= english
    code, out, err = run(capsys, *args)
    assert code == 0, err
    if fmt == "json":
        assert {r["grade"] for r in json.loads(out)} <= set(METHODS[method].grade_labels(RuleBook(), "zh")) | {
            RuleBook().credit.no_record_label
        }


def test_grade_of_a_file_does_not_hash_the_ledger_for_a_cache(tmp_path, capsys, monkeypatch):
    """One grade of one ledger: nothing asks for its figures again, so the figure cache's hash
    of every line (0.07-0.1 s for 171,000 lines) is not computed and nothing is kept."""
    import pandas as pd

    from xlgrade.engine import figures

    ledger = write(tmp_path / "l.csv", THRESHOLD)
    figures._RECENT.clear()
    monkeypatch.setattr(pd.util, "hash_pandas_object", lambda *a, **k: pytest.fail("the ledger was hashed"))
    code, out, err = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--format", "json")
    assert code == 0, err
    assert grades(out)["C1"]["grade"] == "A" and figures._RECENT == {}


def test_grade_imports_no_cell_function(tmp_path):
    """The grade path imports the cells package's formatting and explanations only, not the
    registry of cell functions (their arguments, defaults and texts: about 15 ms a command)."""
    ledger = write(tmp_path / "l.csv", THRESHOLD)
    code = (
        "import contextlib, io, sys\n"
        "from xlgrade.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['grade', {ledger!r}, '--as-of', '2026-06-30']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('xlgrade.cells')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "['xlgrade.cells',",
        "'xlgrade.cells.explain',",
        "'xlgrade.cells.model',",
        "'xlgrade.cells.text']",
    ]
