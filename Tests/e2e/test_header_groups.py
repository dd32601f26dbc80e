#!/usr/bin/env python3
"""End-to-end: a header of two rows, a merged group over sub-headers, read wherever the group is
(first, in the middle, last, two of them, three columns wide, a group in a group: three rows), from a header that starts in
column C or under a title, with header cells padded by CRLF, U+00A0 and U+3000; in .xlsx written
by openpyxl (/usr/bin/python3), in .xlsx and .xls written by LibreOffice from it (`soffice
--headless --convert-to`), and in the spelling WPS uses (every element under a namespace prefix).
Each load's rows are compared with what the sheet holds, read with openpyxl. A row that does not
fit names its cell (建议!A3), never a row range (3:3).

    python3 Tests/e2e/test_header_groups.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, run, tempdir  # noqa: E402

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

READ = r'''
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(json.dumps([[("" if v is None else str(v)) for v in row] for row in wb[sys.argv[2]].iter_rows(values_only=True)], ensure_ascii=False))
'''


def book(path, sheets):
    subprocess.run(["/usr/bin/python3", "-c", MAKE, path, json.dumps(sheets)], check=True)
    return path


def cells(path, sheet):
    """The sheet's rows as openpyxl reads them (every value as text)."""
    out = subprocess.run(["/usr/bin/python3", "-c", READ, path, sheet], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def libreoffice(src, fmt):
    """The workbook converted by LibreOffice: .xls (BIFF8) or .xlsx in its own spelling."""
    out = os.path.join(os.path.dirname(src), "lo-" + fmt)
    os.makedirs(out, exist_ok=True)
    subprocess.run(["soffice", "--headless", "-env:UserInstallation=file://" + os.path.join(TMP, "lo-profile"),
                    "--convert-to", fmt, "--outdir", out, src], check=True, capture_output=True, timeout=180)
    return os.path.join(out, os.path.splitext(os.path.basename(src))[0] + "." + fmt)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def wps(src, dst):
    """The workbook with every element of the spreadsheet namespace under the prefix x: (as
    WPS and some exporters write it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/") and info.filename.endswith(".xml") and "rels" not in info.filename:
                text = data.decode("utf-8")
                if ('xmlns="%s"' % MAIN) in text:
                    text = text.replace('xmlns="%s"' % MAIN, 'xmlns:x="%s"' % MAIN)
                    text = re.sub(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s/>])", r"<\1x:\2", text)
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return dst


def rows(path, query):
    p = run(["--no-cache", path, "--csv", "-c", query])
    return p, p.stdout.replace("\r", "").splitlines()


# Each layout: the header's two rows, the merges, and the fields each column is read as
# ("" for a column caseql keeps as text or that names no field).
CASES = [
    ["J-101", "关于甲的建议", "教育局", "2020-06-01", "2020-06-10"],
    ["J-102", "关于乙的建议", "民政局", "2020-06-02", "2020-06-12"],
]
QUERY = "select id, title, unit, replied_on, closed_on from cases order by id"
WANT = ["id,title,unit,replied_on,closed_on"] + [",".join(c) for c in CASES]


def layout(name):
    """(rows, merges) of a sheet with the group where `name` says, and the data under it."""
    # Column order of the cases' values: id, title, unit, replied, closed.
    if name == "last":
        head = [["序号", "建议号", "案由", "主办单位", "办理情况", None],
                [None, None, None, None, "答复日期", "办结日期"]]
        merges = ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"]
        body = [[i + 1] + c for i, c in enumerate(CASES)]
    elif name == "first":
        head = [["办理情况", None, "建议号", "案由", "主办单位"],
                ["答复日期", "办结日期", None, None, None]]
        merges = ["A1:B1", "C1:C2", "D1:D2", "E1:E2"]
        body = [[c[3], c[4], c[0], c[1], c[2]] for c in CASES]
    elif name == "two":
        head = [["建议号", "基本情况", None, "办理情况", None],
                [None, "案由", "主办单位", "答复日期", "办结日期"]]
        merges = ["A1:A2", "B1:C1", "D1:E1"]
        body = [list(c) for c in CASES]
    elif name == "wide-last":
        # Three columns under the last group, the last of them holding no field.
        head = [["建议号", "案由", "主办单位", "办理情况", None, None],
                [None, None, None, "答复日期", "办结日期", "答复文号"]]
        merges = ["A1:A2", "B1:B2", "C1:C2", "D1:F1"]
        body = [c + ["文%d" % i] for i, c in enumerate(CASES)]
    elif name == "from-c":
        # The header starts in column C, under a title merged across it; the group is last.
        head = [[None, None, "2020年建议办理情况一览表", None, None, None, None],
                [None, None, "建议号", "案由", "主办单位", "办理情况", None],
                [None, None, None, None, None, "答复日期", "办结日期"]]
        merges = ["C1:G1", "C2:C3", "D2:D3", "E2:E3", "F2:G2"]
        body = [[None, None] + c for c in CASES]
    elif name == "padded":
        # Header cells with a line break (CRLF), no-break and ideographic spaces; group last.
        head = [["建议号", "案\u3000由", "主办\r\n单位", "办理\u00a0情况", None],
                [None, None, None, "答复\r\n日期", "\u00a0办结日期\u3000"]]
        merges = ["A1:A2", "B1:B2", "C1:C2", "D1:E1"]
        body = [list(c) for c in CASES]
    elif name == "three":
        # A header of three rows: 办理情况 over 答复 (over 答复日期 | 答复文号) and 办结日期.
        head = [["建议号", "案由", "主办单位", "办理情况", None, None],
                [None, None, None, "答复", None, "办结日期"],
                [None, None, None, "答复日期", "答复文号", None]]
        merges = ["A1:A3", "B1:B3", "C1:C3", "D1:F1", "D2:E2", "F2:F3"]
        body = [c[:4] + ["文%d" % i, c[4]] for i, c in enumerate(CASES)]
    else:
        raise ValueError(name)
    return head + body, merges


LAYOUTS = ["last", "first", "two", "wide-last", "from-c", "padded", "three"]


def test_groups_anywhere_xlsx():
    for name in LAYOUTS:
        rows_, merges = layout(name)
        path = book(os.path.join(TMP, "G_%s.xlsx" % name), [{"title": "建议", "rows": rows_, "merges": merges}])
        # The sheet as an independent reader sees it: the group's covered cell is empty.
        sheet = cells(path, "建议")
        R.check(len(sheet) == len(rows_), "%s: openpyxl reads the sheet back (%d rows)" % (name, len(sheet)))
        p, out = rows(path, QUERY)
        R.eq((p.returncode, out), (0, WANT), "%s: a two-row header with the group %s loads every row" % (name, name))
        depth = "3" if name == "three" else "two"
        R.check(("a header of %s rows" % depth) in p.stderr, "%s: the note says the header is %s rows" % (name, depth), p.stderr)


def test_group_last_in_libreoffice_files():
    rows_, merges = layout("last")
    src = book(os.path.join(TMP, "Q_group_last.xlsx"), [{"title": "建议", "rows": rows_, "merges": merges}])
    for fmt in ["xls", "xlsx"]:
        path = libreoffice(src, fmt)
        p, out = rows(path, QUERY)
        R.eq((p.returncode, out), (0, WANT), "LibreOffice .%s: the group as the last columns loads every row" % fmt)
    for name in ["two", "from-c", "first", "three"]:
        rows_, merges = layout(name)
        src = book(os.path.join(TMP, "L_%s.xlsx" % name), [{"title": "建议", "rows": rows_, "merges": merges}])
        p, out = rows(libreoffice(src, "xls"), QUERY)
        R.eq((p.returncode, out), (0, WANT), "LibreOffice .xls, group %s: every row" % name)


def test_group_last_wps_spelling():
    for name in ["last", "wide-last", "from-c"]:
        rows_, merges = layout(name)
        src = book(os.path.join(TMP, "W_%s.xlsx" % name), [{"title": "建议", "rows": rows_, "merges": merges}])
        path = wps(src, os.path.join(TMP, "W_%s.wps.xlsx" % name))
        p, out = rows(path, QUERY)
        R.eq((p.returncode, out), (0, WANT), "namespace-prefixed (WPS) sheet, group %s: every row" % name)


def test_a_row_that_does_not_fit_names_a_cell():
    # A value right of the group's last column: an error at its cell, never at 3:3.
    rows_, merges = layout("last")
    rows_[2] = rows_[2] + ["多出的值"]
    path = book(os.path.join(TMP, "Q_stray.xlsx"), [{"title": "建议", "rows": rows_, "merges": merges}])
    p, _ = rows(path, "count cases")
    R.check(p.returncode == 1 and "Q_stray.xlsx:建议!G3: too many fields" in p.stderr and "3:3" not in p.stderr,
            "a value past the group's last column is named at its cell (建议!G3)", p.stderr)
    p = run(["--no-cache", "--labels", path, "-c", "count cases"])
    R.check(p.returncode == 1 and "Q_stray.xlsx:建议!G3: 字段太多" in p.stderr, "… and under --labels", p.stderr)


def test_group_last_in_csv():
    # The same header saved as CSV (the covered cell an empty field, or left off the first row).
    for first in ["序号,建议号,案由,主办单位,办理情况,", "序号,建议号,案由,主办单位,办理情况"]:
        path = os.path.join(TMP, "group_last.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(first + "\r\n,,,,答复日期,办结日期\r\n")
            for i, c in enumerate(CASES):
                f.write("%d,%s\r\n" % (i + 1, ",".join(c)))
        p, out = rows(path, QUERY)
        R.eq((p.returncode, out), (0, WANT), "CSV, header row %r: the group as the last columns loads" % first)


def test_a_group_with_one_sub_header():
    # 办理情况 over D:E with only E's sub-header (办结日期) written: the header is five wide.
    rows_ = [["建议号", "案由", "主办单位", "办理情况", None], [None, None, None, None, "办结日期"]] + [c[:3] + ["已办结", c[4]] for c in CASES]
    path = book(os.path.join(TMP, "lone.xlsx"), [{"title": "建议", "rows": rows_, "merges": ["A1:A2", "B1:B2", "C1:C2", "D1:E1"]}])
    for p_ in [path, libreoffice(path, "xls")]:
        p, out = rows(p_, "select id, status, closed_on from cases order by id")
        R.eq((p.returncode, out), (0, ["id,status,closed_on"] + ["%s,closed,%s" % (c[0], c[4]) for c in CASES]),
             "%s: a group with one sub-header under its last column: every column read" % os.path.basename(p_))


R.case(test_groups_anywhere_xlsx)
R.case(test_a_group_with_one_sub_header)
R.case(test_group_last_in_libreoffice_files)
R.case(test_group_last_wps_spelling)
R.case(test_a_row_that_does_not_fit_names_a_cell)
R.case(test_group_last_in_csv)
R.finish()
