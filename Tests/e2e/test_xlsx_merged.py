#!/usr/bin/env python3
"""End-to-end: merged cells in a workbook, as offices make them (openpyxl under /usr/bin/python3
writes the workbooks). A unit's name merged down over its cases gives every one of those cases
that unit; merges in the title and the two-row header (a title across the sheet, a group of
columns, header cells merged down) still read as the header they are.

    python3 Tests/e2e/test_xlsx_merged.py
"""

import csv
import io
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()


def rows(ds, query, *extra):
    p = run([ds, "--csv", "--no-cache"] + list(extra) + ["-c", query])
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return list(csv.reader(io.StringIO(p.stdout)))


# Rows 1–3: a title merged across, a header of two rows (编号, 类别, 主办单位, 办理状态 and 案由
# merged down over both; 办理日期 a group over 交办日期 and 办理期限). Then cases whose 主办单位 is
# merged down over runs of rows (C4:C6, C7:C8, C10:C12), one run of one row left unmerged
# (row 9), and a 类别 merged across into the next column's empty cell is not a thing offices
# do, so 类别 merges down too (B4:B8).
MERGED = r'''
import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "案件"
ws["A1"] = "2020年建议提案办理情况"
ws.merge_cells("A1:G1")
for col, name in zip("ABCFG", ["编号", "类别", "主办单位", "办理状态", "案由"]):
    ws[col + "2"] = name
    ws.merge_cells("%s2:%s3" % (col, col))
ws["D2"] = "办理日期"
ws.merge_cells("D2:E2")
ws["D3"] = "交办日期"
ws["E3"] = "办理期限"
data = [
    ("M-1", "建议", "教育局", "2020-03-01", "2020-06-01", "已办结", "关于课后服务"),
    ("M-2", None, None, "2020-03-02", "2020-06-02", "办理中", "关于校车"),
    ("M-3", None, None, "2020-03-03", "2020-06-03", "已交办", "关于午餐"),
    ("M-4", None, "财政局", "2020-03-04", "2020-06-04", "已办结", "关于补贴"),
    ("M-5", None, None, "2020-03-05", "2020-06-05", "办理中", "关于预算"),
    ("M-6", "提案", "卫健委", "2020-03-06", "2020-06-06", "已办结", "关于社区医院"),
    ("M-7", "提案", "交通局", "2020-03-07", "2020-06-07", "已办结", "关于公交"),
    ("M-8", "提案", None, "2020-03-08", "2020-06-08", "办理中", "关于停车"),
    ("M-9", "提案", None, "2020-03-09", "2020-06-09", STATUS9, "关于路灯"),
]
for r, row in enumerate(data, start=4):
    for col, v in zip("ABCDEFG", row):
        if v is not None:
            ws["%s%d" % (col, r)] = v
for rng in ("C4:C6", "C7:C8", "C10:C12", "B4:B8"):
    ws.merge_cells(rng)
wb.save(sys.argv[1])
'''

TWIN = ("编号,类别,主办单位,交办日期,办理期限,办理状态,案由\n"
        "M-1,建议,教育局,2020-03-01,2020-06-01,已办结,关于课后服务\n"
        "M-2,建议,教育局,2020-03-02,2020-06-02,办理中,关于校车\n"
        "M-3,建议,教育局,2020-03-03,2020-06-03,已交办,关于午餐\n"
        "M-4,建议,财政局,2020-03-04,2020-06-04,已办结,关于补贴\n"
        "M-5,建议,财政局,2020-03-05,2020-06-05,办理中,关于预算\n"
        "M-6,提案,卫健委,2020-03-06,2020-06-06,已办结,关于社区医院\n"
        "M-7,提案,交通局,2020-03-07,2020-06-07,已办结,关于公交\n"
        "M-8,提案,交通局,2020-03-08,2020-06-08,办理中,关于停车\n"
        "M-9,提案,交通局,2020-03-09,2020-06-09,办理中,关于路灯\n")


def workbook(path, status9="办理中"):
    script = MERGED.replace("STATUS9", repr(status9))
    p = subprocess.run(["/usr/bin/python3", "-c", script, path], capture_output=True, text=True)
    R.check(p.returncode == 0, "openpyxl wrote the workbook", p.stderr)


def test_unit_merged_over_its_cases():
    path = os.path.join(TMP, "merged.xlsx")
    workbook(path)
    twin = os.path.join(TMP, "twin.csv")
    with open(twin, "w", encoding="utf-8", newline="") as f:
        f.write(TWIN)
    for q in ("select * from cases", "select unit, count from cases group by unit order by unit"):
        got, want = rows(path, q), rows(twin, q)
        R.check(got == want, "merged cells: %s as the CSV twin with every unit filled in" % q, "got  %r\nwant %r" % (got, want))
    p = run([path, "--no-cache", "-c", "count cases"])
    R.check("header of two rows" in p.stderr and "2020年建议提案办理情况" in p.stderr,
            "the merged title and the two-row header still read as title and header", p.stderr)


def test_error_in_filled_row_names_its_cell():
    path = os.path.join(TMP, "bad.xlsx")
    workbook(path, status9="已完成")
    p = run([path, "--no-cache", "-c", "count cases"])
    R.check(p.returncode == 1 and 'bad.xlsx:案件!F12: status: "已完成" is not a status' in p.stderr,
            "an error below filled merges names the sheet's own cell", p.stderr)


R.case(test_unit_merged_over_its_cases)
R.case(test_error_in_filled_row_names_its_cell)
R.finish()
