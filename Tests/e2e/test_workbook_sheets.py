#!/usr/bin/env python3
"""End-to-end: which sheets of a workbook are the cases, as offices lay them out.

A workbook whose cases sheet is not named 案件/cases is read from its first visible sheet; cases
on more sheets than that one (建议 on one sheet, 提案 on the next), or in several workbooks of
one folder, are read as one list, each sheet's kind from its name (or its workbook's) when it has
no kind column, never left out without a word; an id on two sheets is an error naming both.
Hidden sheets (drop-down lists) are not "the first sheet"; notes and summary sheets do not count
as cases. An .xls (BIFF8) has no note of formulas or merged ranges lost: caseql reads them itself.

    python3 Tests/e2e/test_workbook_sheets.py
"""

import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, fresh, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "producers")

MAKE = r'''
import os, sys, openpyxl
out, layout = sys.argv[1], sys.argv[2]
w = openpyxl.Workbook()
def sheet(title, rows, hidden=False, first=False):
    s = w.active if first else w.create_sheet(title)
    s.title = title
    for r in rows:
        s.append(r)
    if hidden:
        s.sheet_state = "hidden"
head = ["编号", "案由", "主办单位"]
if layout == "two-kinds":
    # The second sheet's header differs (提案号, a satisfaction column the first has not).
    sheet("人大代表建议", [head, ["J-1", "关于甲的建议", "教育局"], ["J-2", "关于乙的建议", "民政局"]], first=True)
    sheet("政协委员提案", [["提案号", "主办单位", "案由", "满意度"]] + [["T-%d" % i, "教育局", "关于丙的提案", "满意"] for i in (1, 2, 3)])
    sheet("说明", [["填表说明"], ["本表由各承办单位填报"]])
elif layout == "numbered-each":
    # Each sheet numbers its cases from 1: the ids clash.
    sheet("人大代表建议", [head, ["1", "关于甲的建议", "教育局"], ["2", "关于乙的建议", "民政局"]], first=True)
    sheet("政协委员提案", [head] + [[str(i), "关于丙的提案", "教育局"] for i in (1, 2, 3)])
elif layout == "no-ids":
    sheet("建议", [["案由", "主办单位"], ["关于甲的建议", "教育局"], ["关于乙的建议", "民政局"]], first=True)
    sheet("提案", [["案由", "主办单位"]] + [["关于丙的提案", "教育局"] for i in (1, 2, 3)])
elif layout == "kind-column":
    # A kind column wins over the sheet's name.
    sheet("人大代表建议", [head + ["类别"], ["J-1", "关于甲的建议", "教育局", "政协提案"]], first=True)
    sheet("政协委员提案", [head] + [["T-1", "关于丙的提案", "教育局"]])
elif layout == "plain":
    sheet("Sheet1", [head] + [["%s-%d" % (os.environ.get("PREFIX", "X"), i), "关于丙的提案", "教育局"] for i in (1, 2)], first=True)
elif layout == "with-units":
    sheet("案件", [head, ["U-%s" % os.environ.get("PREFIX", "X"), "关于甲的建议", "教育局"]], first=True)
    sheet("单位", [["单位名称"], ["教育局"]])
elif layout == "notes-and-summary":
    sheet("2020年建议", [head, ["J-1", "关于甲的建议", "教育局"], ["J-2", "关于乙的建议", "民政局"]], first=True)
    sheet("汇总", [["单位", "件数"], ["教育局", 1], ["民政局", 1]])
    sheet("说明", [["填表说明"], ["本表由各承办单位填报"]])
elif layout == "hidden-first":
    sheet("字典", [["单位"], ["教育局"], ["民政局"]], hidden=True, first=True)
    sheet("2020年建议", [head, ["J-1", "关于甲的建议", "教育局"]])
elif layout == "title-row":
    # A title row above the header, and rows whose trailing cells are empty (open cases have no
    # satisfaction yet): 40,000 of them, so that the sheet (over 4 MiB of XML) is read in blocks.
    rows = [["2020年建议办理一览表"], head + ["办理状态", "满意度"]]
    for i in range(40000):
        rows.append(["A-%d" % i, "关于第%d件的建议" % i, "#N/A" if i == 30000 else "教育局"] + (["closed", "satisfied"] if i % 2 else []))
    sheet("案件", rows, first=True)
elif layout == "named":
    sheet("人大代表建议", [head, ["J-1", "关于甲的建议", "教育局"]], first=True)
    sheet("案件", [head] + [["T-%d" % i, "关于丙的提案", "教育局"] for i in (1, 2, 3)])
w.save(out)
'''


def book(path, layout, prefix="X"):
    p = subprocess.run(["/usr/bin/python3", "-c", MAKE, path, layout], capture_output=True, text=True,
                       env=dict(os.environ, PREFIX=prefix))
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return path


def count(path, *extra):
    return run(["--no-cache", path, "--kind", "suggestion", "--csv", "--no-headers"] + list(extra) + ["-c", "count cases"])


def test_cases_on_two_sheets_are_one_list():
    path = book(os.path.join(TMP, "two.xlsx"), "two-kinds")
    p = run(["--no-cache", path, "--csv", "--no-headers", "-c", "select id, kind, title, unit, satisfaction from cases order by id"])
    R.eq((p.returncode, p.stdout.replace("\r", "").splitlines()),
         (0, ["J-1,suggestion,关于甲的建议,教育局,", "J-2,suggestion,关于乙的建议,民政局,",
              "T-1,proposal,关于丙的提案,教育局,satisfied", "T-2,proposal,关于丙的提案,教育局,satisfied", "T-3,proposal,关于丙的提案,教育局,satisfied"]),
         "cases on two sheets (headers in another order, a column only one has): one list, kinds by the sheets' names")
    R.check("cases read as one list from 2 sheets or files" in p.stderr and "人大代表建议: 2" in p.stderr and "政协委员提案: 3" in p.stderr and "sheet 说明 not read" in p.stderr,
            "a note names each sheet and its count, and the notes sheet as not read", p.stderr)
    p = count(path)
    R.eq((p.returncode, p.stdout.strip()), (0, "5"), "--kind does not override the kind a sheet's name gives")
    p = run(["--no-cache", "--labels", path, "-c", "count cases"])
    R.check("案件由 2 个工作表或文件合为一个列表" in p.stderr and "人大代表建议：2 件" in p.stderr, "the note in Chinese under --labels", p.stderr)


def test_ids_on_two_sheets_clash():
    p = count(book(os.path.join(TMP, "numbered.xlsx"), "numbered-each"))
    R.check(p.returncode == 1 and 'numbered.xlsx:政协委员提案!A2: id: duplicate id "1" (first at 人大代表建议!A2)' in p.stderr,
            "each sheet numbered from 1: the duplicate at its cell, naming the other sheet, exit 1", "exit %d: %s" % (p.returncode, p.stderr))


def test_sheets_without_ids_are_numbered_in_turn():
    p = run(["--no-cache", book(os.path.join(TMP, "noids.xlsx"), "no-ids"), "--csv", "--no-headers", "-c", "select id, kind from cases"])
    R.eq(p.stdout.replace("\r", "").splitlines(), ["1,suggestion", "2,suggestion", "3,proposal", "4,proposal", "5,proposal"],
         "no ids on either sheet: numbered 1..5 across them; 建议/提案 sheets give the kinds")


def test_a_kind_column_wins_over_the_sheet_name():
    p = run(["--no-cache", book(os.path.join(TMP, "kindcol.xlsx"), "kind-column"), "--csv", "--no-headers", "-c", "select id, kind from cases"])
    R.eq(p.stdout.replace("\r", "").splitlines(), ["J-1,proposal", "T-1,proposal"], "the kind column says 政协提案 on the 人大代表建议 sheet")


def test_notes_and_summary_sheets_are_not_cases():
    p = count(book(os.path.join(TMP, "notes.xlsx"), "notes-and-summary"))
    R.eq((p.returncode, p.stdout.strip()), (0, "2"), "a notes sheet and a summary sheet beside the cases: 2 cases")


def test_hidden_first_sheet_is_skipped():
    p = count(book(os.path.join(TMP, "hidden.xlsx"), "hidden-first"))
    R.eq((p.returncode, p.stdout.strip()), (0, "1"), "a hidden drop-down sheet first: the visible sheet's 1 case")


def test_a_sheet_named_cases_is_the_one():
    p = count(book(os.path.join(TMP, "named.xlsx"), "named"))
    R.eq((p.returncode, p.stdout.strip()), (0, "3"), "a sheet named 案件 is read whatever comes first")


def test_workbooks_in_a_folder_are_one_list():
    folder = fresh(TMP, "twobooks")
    book(os.path.join(folder, "建议.xlsx"), "plain", prefix="J")
    book(os.path.join(folder, "提案.xlsx"), "plain", prefix="T")
    p = run(["--no-cache", folder, "--csv", "--no-headers", "-c", "select id, kind from cases order by id"])
    R.eq((p.returncode, p.stdout.replace("\r", "").splitlines()), (0, ["J-1,suggestion", "J-2,suggestion", "T-1,proposal", "T-2,proposal"]),
         "建议.xlsx and 提案.xlsx in one folder: one list, kinds by the workbooks' names")
    # A snapshot of the folder notices a change to the second workbook.
    env = dict(os.environ, XDG_CACHE_HOME=fresh(TMP, "twobooks-cache"))
    run([folder, "-c", "count cases"], env=env)
    book(os.path.join(folder, "提案.xlsx"), "named")
    p = run([folder, "--csv", "--no-headers", "-c", "count cases"], env=env)
    R.eq(p.stdout.strip(), "5", "the second workbook changed: read again, not the snapshot's 4")
    folder = fresh(TMP, "twounits")
    book(os.path.join(folder, "a.xlsx"), "with-units", prefix="A")
    book(os.path.join(folder, "b.xlsx"), "with-units", prefix="B")
    p = count(folder)
    R.check(p.returncode == 1 and "two workbooks here have a units sheet" in p.stderr and "a.xlsx" in p.stderr and "b.xlsx" in p.stderr,
            "two workbooks with a units sheet: refused, both named", "exit %d: %s" % (p.returncode, p.stderr))


def test_a_folders_cases_workbook_reads_every_case_sheet():
    # cases.xlsx in a dataset folder, its cases on two sheets (建议, 提案) and none named cases:
    # both are read, as the workbook alone is (its first sheet alone was read, silently).
    folder = fresh(TMP, "casesbook")
    book(os.path.join(folder, "cases.xlsx"), "two-kinds")
    p = run(["--no-cache", folder, "--csv", "--no-headers", "-c", "select kind, count from cases group by kind order by kind"])
    R.eq((p.returncode, p.stdout.replace("\r", "").splitlines()), (0, ["suggestion,2", "proposal,3"]),
         "a folder's cases.xlsx with cases on two sheets: both read")
    R.check("cases read as one list from 2 sheets or files" in p.stderr, "the note names both sheets", p.stderr)


def test_xls_says_what_libfreexl_cannot_read():
    # caseql reads formulas' values and merged ranges itself (test_xls_formulas.py): no note.
    p = run(["--no-cache", os.path.join(HERE, "libreoffice-7.4-cases.xls"), "-c", "count cases"])
    R.check(p.returncode == 0 and "libfreexl" not in p.stderr and "formula" not in p.stderr and "merged" not in p.stderr,
            "a BIFF8 .xls load has no note that formula cells and merged ranges come back empty", p.stderr)


def test_xlsx_saved_as_xls():
    # An .xlsx under the old .xls name (some systems export so) is read by its bytes.
    folder = fresh(TMP, "asxls")
    import shutil
    shutil.copy(os.path.join(HERE, "libreoffice-7.4-cases.xlsx"), os.path.join(folder, "cases.xls"))
    for path, what in ((os.path.join(folder, "cases.xls"), "a single path"), (folder, "a folder's cases.xls")):
        p = count(path)
        R.eq((p.returncode, p.stdout.strip()), (0, "39"), "an .xlsx named .xls is read (%s)" % what)


def test_title_row_above_the_header():
    path = book(os.path.join(TMP, "title.xlsx"), "title-row")
    p = count(path)
    R.eq((p.returncode, p.stdout.strip()), (0, "40000"),
         "a title row above the header: rows with empty trailing cells load (a sheet read in blocks)", )
    p = run(["--no-cache", path, "--kind", "suggestion", "--csv", "--no-headers", "-c", "count cases where status is empty"])
    R.eq(p.stdout.strip(), "20000", "the open cases' empty status stays empty")
    # openpyxl writes "#N/A" as an error cell (t="e"), here in a later block of the sheet.
    p = run(["--no-cache", path, "--kind", "suggestion", "--csv", "--no-headers", "-c", "count cases where unit is empty"])
    R.check(p.stdout.strip() == "1" and "C30003 #N/A" in p.stderr and "spreadsheet error" in p.stderr,
            "an error cell (#N/A) in a block read later is read as empty and named in a note", p.stdout + p.stderr)


R.case(test_cases_on_two_sheets_are_one_list)
R.case(test_ids_on_two_sheets_clash)
R.case(test_sheets_without_ids_are_numbered_in_turn)
R.case(test_a_kind_column_wins_over_the_sheet_name)
R.case(test_notes_and_summary_sheets_are_not_cases)
R.case(test_hidden_first_sheet_is_skipped)
R.case(test_a_sheet_named_cases_is_the_one)
R.case(test_workbooks_in_a_folder_are_one_list)
R.case(test_a_folders_cases_workbook_reads_every_case_sheet)
R.case(test_xls_says_what_libfreexl_cannot_read)
R.case(test_xlsx_saved_as_xls)
R.case(test_title_row_above_the_header)
R.finish()
