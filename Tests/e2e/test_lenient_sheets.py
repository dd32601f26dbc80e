#!/usr/bin/env python3
"""End-to-end: what a lenient load of workbooks and kind-named lists writes and says.

- A rejects file reloads to the rows it holds with every value the load gave them: the kind a
  sheet's name, a file's name, --kind or a section heading gave rows of a list without a kind
  column is written in a column 类别 (read back with Python's csv), also under a two-row header
  whose group is the last columns, and in a file read in two parts (a section heading's kind
  carried into the second part). The rejects file, corrected and renamed so that its name names
  no kind, loads to the same kinds.
- A duplicate's "(first at …)" names the first one's cell in a sheet (建议!A7), its line and
  column in a CSV file (7:3), and the sheet or file before across a list read from several.
- The summary's per-list lines name the sheet when a workbook gives several lists, in English
  and under --labels.

    python3 Tests/e2e/test_lenient_sheets.py
"""

import csv
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, fresh, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()

MAKE = r'''
import json, sys, openpyxl
spec = json.loads(sys.argv[2])
wb = openpyxl.Workbook()
wb.remove(wb.active)
for s in spec:
    ws = wb.create_sheet(s["title"])
    for r, row in enumerate(s["rows"], start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(row=r, column=c, value=v)
    for m in s.get("merges", []):
        ws.merge_cells(m)
wb.save(sys.argv[1])
'''


def book(path, sheets):
    subprocess.run(["/usr/bin/python3", "-c", MAKE, path, json.dumps(sheets)], check=True)
    return path


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return path


def query(path, q, *extra):
    p = run(["--no-cache"] + list(extra) + [path, "--csv", "--no-headers", "-c", q])
    return p, p.stdout.replace("\r", "").splitlines()


HEAD = ["编号", "案由", "主办单位", "交办日期"]
BAD = "2020-13-45"   # not a date: the row is rejected


def fixed(rows, column):
    """The rows with every bad date in `column` made a good one."""
    return [r if i == 0 or r[column] != BAD else r[:column] + ["2020-03-01"] + r[column + 1:] for i, r in enumerate(rows)]


def test_rejects_of_sheets_named_for_their_kind():
    d = fresh(TMP, "named")
    path = book(os.path.join(d, "book.xlsx"), [
        {"title": "人大代表建议", "rows": [HEAD, ["J-1", "关于一", "教育局", "2020-03-01"], ["J-2", "关于二", "教育局", BAD]]},
        {"title": "政协委员提案", "rows": [HEAD, ["T-1", "关于三", "民政局", BAD], ["T-2", "关于四", "民政局", "2020-03-02"]]},
    ])
    p, out = query(path, "select id, kind from cases order by id", "--lenient")
    R.eq((p.returncode, out), (0, ["J-1,suggestion", "T-2,proposal"]), "--lenient: the good rows load with their sheets' kinds")
    for sheet, rid, kind in [("人大代表建议", "J-2", "suggestion"), ("政协委员提案", "T-1", "proposal")]:
        rejects = os.path.join(d, "book.%s.rejects.csv" % sheet)
        rows = read_csv(rejects)
        R.eq(rows[0], HEAD + ["类别"], "%s: the rejects file's header has a kind column after the header's last" % sheet)
        R.eq([r[0] for r in rows[1:]], [rid], "%s: the rejected row is in it" % sheet)
        R.eq(rows[1][-1], sheet, "%s: with the kind its sheet's name gave it" % sheet)
        # Corrected, under a name that names no kind: loads to the same kind.
        again = write_csv(os.path.join(d, "again-%s.csv" % rid), fixed(rows, 3))
        p, out = query(again, "select id, kind from cases")
        R.eq((p.returncode, out), (0, ["%s,%s" % (rid, kind)]), "%s: the corrected rejects file loads to the same kind" % sheet)


def test_rejects_of_a_file_named_for_its_kind_and_of_kind_option():
    d = fresh(TMP, "filekind")
    path = write_csv(os.path.join(d, "2020年提案.csv"), [HEAD, ["T-1", "关于一", "教育局", "2020-03-01"], ["T-2", "关于二", "教育局", BAD]])
    p, out = query(path, "select id, kind from cases", "--lenient")
    R.eq((p.returncode, out), (0, ["T-1,proposal"]), "a file named 提案: its kind")
    rows = read_csv(os.path.join(d, "2020年提案.rejects.csv"))
    R.eq(rows, [HEAD + ["类别"], ["T-2", "关于二", "教育局", BAD, "政协委员提案"]], "its rejects file holds the kind its name gave")
    path = write_csv(os.path.join(d, "cases.csv"), [HEAD, ["M-1", "关于一", "教育局", BAD]])
    p, out = query(path, "count cases", "--lenient", "--kind", "议案")
    rows = read_csv(os.path.join(d, "cases.rejects.csv"))
    R.eq(rows[1][-1] if len(rows) > 1 else None, "议案", "--kind: the rejects file holds the kind --kind gave")
    # A list with a kind column: the rejects file is the rows as they are, no column added.
    path = write_csv(os.path.join(d, "withkind.csv"), [HEAD + ["类别"], ["K-1", "关于一", "教育局", BAD, "提案"], ["K-2", "关于二", "教育局", "2020-03-01", "建议"]])
    p, out = query(path, "count cases", "--lenient")
    R.eq(read_csv(os.path.join(d, "withkind.rejects.csv")), [HEAD + ["类别"], ["K-1", "关于一", "教育局", BAD, "提案"]],
         "a list with its own kind column: the rejects file adds nothing")


def test_rejects_under_section_headings_and_a_group_header():
    d = fresh(TMP, "sections")
    head = [["序号", "建议号", "案由", "主办单位", "办理情况", None], [None, None, None, None, "交办日期", "办结日期"]]
    body = [["一、人大代表建议"], [1, "J-1", "关于一", "教育局", "2020-03-01", "2020-05-01"], [2, "J-2", "关于二", "教育局", BAD, "2020-05-02"],
            ["二、政协委员提案"], [1, "T-1", "关于三", "民政局", BAD, "2020-05-03"], [2, "T-2", "关于四", "民政局", "2020-03-04", "2020-05-04"]]
    path = book(os.path.join(d, "list.xlsx"), [{"title": "Sheet1", "rows": head + body,
                                                "merges": ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"]}])
    p, out = query(path, "select id, kind from cases order by id", "--lenient")
    R.eq((p.returncode, out), (0, ["J-1,suggestion", "T-2,proposal"]), "section headings give kinds under a two-row header (group last)")
    rows = read_csv(os.path.join(d, "list.rejects.csv"))
    R.eq(rows[:2], [["序号", "建议号", "案由", "主办单位", "办理情况", "", "类别"], ["", "", "", "", "交办日期", "办结日期", ""]],
         "the header's rows widened to the header's width, then the kind column")
    R.eq([(r[1], r[-1]) for r in rows[2:]], [("J-2", "人大代表建议"), ("T-1", "政协委员提案")], "each rejected row with its heading's kind")
    again = write_csv(os.path.join(d, "again.csv"), fixed(rows, 4))
    p, out = query(again, "select id, kind, assigned_on, closed_on from cases order by id")
    R.eq((p.returncode, out), (0, ["J-2,suggestion,2020-03-01,2020-05-02", "T-1,proposal,2020-03-01,2020-05-03"]),
         "the corrected rejects file loads to the same kinds and dates")


def test_rejects_of_a_file_read_in_two_parts():
    # Over 16 MB: read in two parts. The second part begins under the first part's last
    # heading: its rejected rows there take that heading's kind.
    d = fresh(TMP, "parts")
    path = os.path.join(d, "big.csv")
    n = 90000
    want = {}
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("编号,案由,主办单位,交办日期,备注\n")
        f.write("一、人大代表建议,,,,\n")
        for i in range(n):
            if i == n // 3:
                f.write("二、政协委员提案,,,,\n")
            kind = "人大代表建议" if i < n // 3 else "政协委员提案"
            bad = i % 9000 == 4500
            if bad:
                want["C-%d" % i] = kind
            f.write("C-%d,关于第%d件的建议事项,单位%d,%s,%s\n" % (i, i, i % 50, BAD if bad else "2020-03-01", "备" * 60))
    assert os.path.getsize(path) > 16 << 20
    p, out = query(path, "count cases", "--lenient")
    R.eq((p.returncode, out), (0, [str(n - len(want))]), "a file of %d MB with headings: the good rows load" % (os.path.getsize(path) >> 20))
    rows = read_csv(os.path.join(d, "big.rejects.csv"))
    R.eq(rows[0][-1], "类别", "its rejects file has the kind column")
    R.eq({r[0]: r[-1] for r in rows[1:]}, want, "each rejected row has its heading's kind, in both parts")


def test_duplicates_name_the_first_cell():
    d = fresh(TMP, "dups")
    rows = [HEAD] + [["J-%d" % i, "关于%d" % i, "教育局", "2020-03-01"] for i in range(1, 9)]
    rows.append(["J-6", "又一件", "教育局", "2020-03-01"])
    path = book(os.path.join(d, "dup.xlsx"), [{"title": "建议", "rows": rows}])
    p, _ = query(path, "count cases")
    R.check(p.returncode == 1 and 'dup.xlsx:建议!A10: id: duplicate id "J-6" (first at 建议!A7)' in p.stderr,
            "a duplicate in a sheet names the first one's cell", p.stderr)
    p, _ = query(path, "count cases", "--labels")
    R.check('dup.xlsx:建议!A10: id: 编号 "J-6" 重复（首次出现在 建议!A7）' in p.stderr, "… under --labels", p.stderr)
    # In a CSV file whose id is its third column: line and column, as the duplicate's own.
    path = write_csv(os.path.join(d, "cases.csv"), [["案由", "主办单位", "编号"], ["关于一件", "教育局", "C-1"],
                                                    ["关于二的建议", "民政局", "C-2"], ["关于三", "教育局", "C-1"]])
    p, _ = query(path, "count cases")
    R.check(p.returncode == 1 and 'cases.csv:4:9: id: duplicate id "C-1" (first at 2:10)' in p.stderr,
            "a duplicate in a CSV file names the first one's line and column", p.stderr)
    # Across sheets, and across files of a folder.
    path = book(os.path.join(d, "two.xlsx"), [{"title": "建议", "rows": [HEAD, ["J-1", "关于一", "教育局", "2020-03-01"], ["J-9", "关于二", "教育局", "2020-03-01"]]},
                                               {"title": "补充建议", "rows": [HEAD, ["J-9", "关于三", "教育局", "2020-03-01"]]}])
    p, _ = query(path, "count cases")
    R.check(p.returncode == 1 and 'two.xlsx:补充建议!A2: id: duplicate id "J-9" (first at 建议!A3)' in p.stderr,
            "an id on two sheets: the first one's cell on the sheet before", p.stderr)
    # Under --lenient the later one is rejected, with the kind its sheet's name gave it.
    p, out = query(path, "select id from cases order by id", "--lenient")
    R.eq((p.returncode, out), (0, ["J-1", "J-9"]), "--lenient: the later J-9 rejected")
    R.eq(read_csv(os.path.join(d, "two.补充建议.rejects.csv")), [HEAD + ["类别"], ["J-9", "关于三", "教育局", "2020-03-01", "人大代表建议"]],
         "… into its sheet's rejects file with the kind the sheet's name gave it")
    folder = fresh(TMP, "folder")
    write_csv(os.path.join(folder, "建议.csv"), [HEAD, ["J-1", "关于一", "教育局", "2020-03-01"], ["X-1", "关于二", "教育局", "2020-03-01"]])
    write_csv(os.path.join(folder, "提案.csv"), [HEAD, ["T-1", "关于三", "教育局", "2020-03-01"], ["X-1", "关于四", "教育局", "2020-03-01"]])
    p, _ = query(folder, "count cases")
    R.check(p.returncode == 1 and '提案.csv:3:1: id: duplicate id "X-1" (first at 建议.csv:3:1)' in p.stderr,
            "an id in two files of a folder: the first one's file, line and column", p.stderr)


def test_summary_names_the_sheet():
    d = fresh(TMP, "summary")
    path = book(os.path.join(d, "both.xlsx"), [
        {"title": "建议", "rows": [HEAD, ["J-1", "关于一", "教育局", "2020-03-01"], ["J-2", "关于二", "教育局", BAD]]},
        {"title": "提案", "rows": [HEAD, ["T-1", "关于三", "民政局", BAD], ["T-2", "关于四", "民政局", "2020-03-02"], ["T-3", "关于五", "民政局", "2020-03-02"]]},
    ])
    p = run(["--no-cache", "--lenient", path, "-c", "count cases"])
    lines = [l.strip() for l in p.stderr.splitlines()]
    R.check(any(l.startswith("both.xlsx:建议: 1 row loaded, 1 rejected") for l in lines)
            and any(l.startswith("both.xlsx:提案: 2 rows loaded, 1 rejected") for l in lines),
            "each sheet's line of the summary names its sheet", p.stderr)
    p = run(["--no-cache", "--lenient", "--labels", path, "-c", "count cases"])
    lines = [l.strip() for l in p.stderr.splitlines()]
    R.check(any(l.startswith("both.xlsx:建议：已加载 1 行，拒收 1 行") for l in lines)
            and any(l.startswith("both.xlsx:提案：已加载 2 行，拒收 1 行") for l in lines),
            "… and under --labels", p.stderr)


R.case(test_rejects_of_sheets_named_for_their_kind)
R.case(test_rejects_of_a_file_named_for_its_kind_and_of_kind_option)
R.case(test_rejects_under_section_headings_and_a_group_header)
R.case(test_rejects_of_a_file_read_in_two_parts)
R.case(test_duplicates_name_the_first_cell)
R.case(test_summary_names_the_sheet)
R.finish()
