#!/usr/bin/env python3
"""End-to-end: what a load says of a workbook's faults, in English and under --labels in Chinese,
checked to the letter (openpyxl under /usr/bin/python3 writes the workbooks):

- a stray value far right of the header (XFD2) is named at its cell, and the rows beside it,
  widened to it with empty cells, are not "too many fields";
- a problem of a whole row names a cell (案件!A4), never a row reference (案件!4:4);
- a cell past XFD is a damaged workbook, said with the sheet and the cell;
- a truncated .xlsx is called truncated, with how to get a good copy;
- dates with the year last (3/5/2020) are said to be ambiguous, with both meanings and the forms
  that are read; eight digits (20200305, as Chinese offices' systems write) are read as
  yyyymmdd in date columns where they are a real day, and said plainly where they are not.

    python3 Tests/e2e/test_workbook_wording.py
"""

import csv
import io
import os
import subprocess
import sys
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
HEADER = ["编号", "类别", "主办单位", "交办日期", "办理状态", "案由"]

MAKE = r'''
import json, sys, openpyxl
spec = json.loads(sys.argv[2])
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "案件"
for row in spec["rows"]:
    ws.append(row)
for ref, value in spec.get("cells", {}).items():
    ws[ref] = value
wb.save(sys.argv[1])
'''


def book(name, rows, cells=None):
    import json
    path = os.path.join(TMP, name)
    subprocess.run(["/usr/bin/python3", "-c", MAKE, path, json.dumps({"rows": rows, "cells": cells or {}})], check=True)
    return path


def load(path, *extra, query="count cases"):
    return run(["--no-cache", path] + list(extra) + ["-c", query])


def lines(p):
    """The messages, the temporary folder left out of paths."""
    return [l.replace(TMP + os.sep, "") for l in p.stderr.splitlines() if l.strip()]


def case(i, date="2020-03-01"):
    return ["W-%d" % i, "建议", "教育局", date, "办理中", "关于%d" % i]


def test_stray_value_past_the_header():
    path = book("stray.xlsx", [HEADER] + [case(i) for i in range(1, 4)], {"XFD2": "备注"})
    p = load(path)
    R.eq((p.returncode, lines(p)), (1, [
        'caseql: stray.xlsx:案件!XFD2: too many fields: expected 6, found 16384 (a value past the header\'s last column: "备注")']),
        "a stray value at XFD2: one error at its cell; the rows beside it load")
    p = load(path, "--labels")
    R.eq(lines(p), ['caseql: stray.xlsx:案件!XFD2: 字段太多：应为 6 个，实有 16384 个（表头最后一列之后有值："备注"）'],
         "… and under --labels in Chinese")
    p = load(path, "--lenient", "--csv")
    R.check(p.returncode == 0 and p.stdout.split() == ["count", "2"], "--lenient loads the two other rows", p.stdout + p.stderr)


def test_stray_value_far_down():
    # Past the rows that set a sheet's width: the stray row alone is named, at its cell.
    rows = [HEADER] + [case(i) for i in range(1, 61)]
    p = load(book("late-stray.xlsx", rows, {"H50": "多余"}))
    R.eq(lines(p), ['caseql: late-stray.xlsx:案件!H50: too many fields: expected 6, found 8 (a value past the header\'s last column: "多余")'],
         "a stray value at H50 is named at H50")


def test_rows_of_a_sheet_are_its_rows():
    # A title in row 2 and the header in row 4 (rows 1 and 3 empty): a problem of the whole
    # header names its first cell, and every position is the sheet's row, not a line of CSV.
    path = book("rows.xlsx", [[], ["2020年建议"], [], ["类别", "主办单位", "交办日期"], ["建议", "教育局", "2020-03-01"]])
    p = load(path)
    R.eq(lines(p), ["caseql: rows.xlsx:案件!A4: missing a column for title (案由) or id (编号) (the header, row 4: 类别, 主办单位, 交办日期)"],
         "a problem of the header row names its cell (案件!A4, not 案件!4:4) and its row")
    p = load(path, "--labels")
    R.eq(lines(p), ["caseql: rows.xlsx:案件!A4: 缺少列：title (案由) 或 id (编号)（表头，第 4 行：类别, 主办单位, 交办日期）"],
         "… and under --labels in Chinese")
    path = book("dup.xlsx", [[], ["2020年建议"], [], ["编号", "案由", "交办日期"], ["D-1", "关于一", "2020-03-01"],
                             [], ["合计"], ["D-1", "关于二", "2020-03-02"]])
    p = load(path)
    R.eq(lines(p), ['caseql: dup.xlsx:案件!A8: id: duplicate id "D-1" (first at 案件!A5)'], "a duplicate names its first occurrence's cell")
    p = load(path, "--labels")
    R.eq(lines(p), ['caseql: dup.xlsx:案件!A8: id: 编号 "D-1" 重复（首次出现在 案件!A5）'], "… and under --labels in Chinese")
    p = load(path, "--lenient")
    notes = [l for l in lines(p) if "header is on" in l or "not a case" in l]
    R.eq(notes, ['  note: dup.xlsx: the header is on row 4; 1 row above it skipped ("2020年建议")',
                 "  note: dup.xlsx: 1 row is not a case, skipped: a total (合计) (row 7)"],
         "notes say the header's and a skipped row's rows in the sheet")


def test_past_xfd():
    src = book("wide.xlsx", [HEADER, case(1)], {"XFD2": "x"})
    path = os.path.join(TMP, "past-xfd.xlsx")
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'r="XFD2"', b'r="XFE2"')
            o.writestr(info, data)
    p = load(path)
    R.eq((p.returncode, lines(p)), (1, [
        "caseql: past-xfd.xlsx: the workbook is damaged: it has a cell at 案件!XFE2, past column XFD, the last of the 16,384 "
        "a sheet has in Excel and WPS; open it in Excel or WPS and save it again"]),
        "a cell past XFD: the sheet and the cell named")
    p = load(path, "--labels")
    R.eq(lines(p), ["caseql: past-xfd.xlsx: 工作簿已损坏：单元格 案件!XFE2 超出了 XFD 列（Excel 和 WPS 工作表最多 16,384 列）；"
                    "请用 Excel 或 WPS 打开后重新保存"], "… and under --labels in Chinese")


def test_truncated_xlsx():
    src = book("whole.xlsx", [HEADER] + [case(i) for i in range(1, 20)])
    with open(src, "rb") as f:
        data = f.read()
    for name, cut in (("half.xlsx", data[: len(data) // 2]), ("tail.xlsx", data[:-40])):
        path = os.path.join(TMP, name)
        with open(path, "wb") as f:
            f.write(cut)
        p = load(path)
        R.eq((p.returncode, lines(p)), (1, [
            "caseql: %s: the workbook is truncated: it ends before its ZIP directory (an unfinished download or copy); "
            "get a complete copy (download it or ask for it again, or open it in Excel or WPS and save it again) and load that" % name]),
            "%s: called truncated, with how to get a good copy" % name)
    p = load(os.path.join(TMP, "half.xlsx"), "--labels")
    R.eq(lines(p), ["caseql: half.xlsx: 工作簿不完整：文件在 ZIP 目录之前就结束了（下载或复制没有完成）；"
                    "请取得完整的副本（重新下载或重新索取，或用 Excel 或 WPS 打开后重新保存）再加载"], "… and under --labels in Chinese")


def test_dates():
    rows = [HEADER, case(1, "3/5/2020"), case(2, "25/3/2020"), case(3, "20201345")]
    for name, path in (("xlsx", book("dates.xlsx", rows)), ("csv", None)):
        if path is None:
            path = os.path.join(TMP, "dates.csv")
            with open(path, "w", encoding="utf-8", newline="") as f:
                csv.writer(f, lineterminator="\n").writerows(rows)
        p = load(path)
        where = ["dates.xlsx:案件!D2", "dates.xlsx:案件!D3", "dates.xlsx:案件!D4"] if name == "xlsx" else \
            ["dates.csv:2:12", "dates.csv:3:12", "dates.csv:4:12"]
        R.eq(lines(p), [
            'caseql: %s: assigned_on: "3/5/2020" is ambiguous: with the year last it is 2020-03-05 (month/day/year) or '
            '2020-05-03 (day/month/year); write the year first: yyyy-mm-dd, yyyy/m/d, yyyy年m月d日 or yyyymmdd' % where[0],
            '%s: assigned_on: "25/3/2020" is not a date caseql reads (the year last); write the year first: '
            '2020-03-25, 2020/3/25, 2020年3月25日 or 20200325' % where[1],
            '%s: assigned_on: "20201345" is not a date (eight digits are read as yyyymmdd, and 2020-13-45 is no day)' % where[2],
            "3 errors: nothing was loaded (use --lenient to load the good rows)"], "%s: dates with the year last, and eight digits that are no day" % name)
        p = load(path, "--labels")
        R.eq(lines(p)[:3], [
            'caseql: %s: assigned_on: "3/5/2020" 有歧义：年份在后，可能是 2020-03-05（月/日/年）或 2020-05-03（日/月/年）；'
            '请把年份写在前面：yyyy-mm-dd、yyyy/m/d、yyyy年m月d日 或 yyyymmdd' % where[0],
            '%s: assigned_on: "25/3/2020" 不是可读取的日期（年份在后）；请把年份写在前面：2020-03-25、2020/3/25、2020年3月25日 或 20200325' % where[1],
            '%s: assigned_on: "20201345" 不是日期（八位数字按 yyyymmdd 读取，2020-13-45 不是有效日期）' % where[2]],
            "%s: … and under --labels in Chinese" % name)


def test_eight_digit_dates():
    # As text and as a number cell; 20200229 is a real day (a leap year).
    path = book("compact.xlsx", [HEADER, case(1, "20200305"), case(2, 20200229), case(3, "2020-03-07")])
    p = load(path, "--csv", query="select id, assigned_on from cases")
    R.eq((p.returncode, p.stdout.splitlines()), (0, ["id,assigned_on", "W-1,2020-03-05", "W-2,2020-02-29", "W-3,2020-03-07"]),
         "20200305 in a date column is 2020-03-05, as text and as a number")
    p = load(path, "--csv", query="select id from cases where assigned_on = 2020-03-05")
    R.eq(p.stdout.splitlines(), ["id", "W-1"], "… and is queried as that day")


R.case(test_stray_value_past_the_header)
R.case(test_stray_value_far_down)
R.case(test_rows_of_a_sheet_are_its_rows)
R.case(test_past_xfd)
R.case(test_truncated_xlsx)
R.case(test_dates)
R.case(test_eight_digit_dates)
R.finish()
