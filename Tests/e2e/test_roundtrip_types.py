#!/usr/bin/env python3
"""End-to-end: every value the loader accepts is written in a form it reads back to the same
value. A generated dataset (every column type: text, enumerations, dates, numbers, yes/no,
lists, and extra columns kept as text), with values that spreadsheets and CSV treat specially
put in (a leading = + - @, an apostrophe before one, quotes, commas, line breaks, tabs,
emoji, full-width punctuation), is exported to CSV and to .xlsx, table by table; caseql reads
each folder back to the same rows, and independent readers (Python's csv, openpyxl under
/usr/bin/python3) read the same values caseql prints.

    python3 Tests/e2e/test_roundtrip_types.py
"""

import csv
import datetime
import io
import json
import os
import random
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
ASOF = "2020-12-31"
QUERIES = {"cases": "select * from cases order by id",
           "units": "select * from units order by name",
           "events": "select * from events order by case_id, date, action, unit, note"}

# Values that CSV writers and spreadsheets treat specially.
AWKWARD = ["=1+1", "+86 138 0000", "-负号开头", "@提及", "'=已有保护", "''=两个撇号", "'普通撇号", "含\"引号\"的",
           "逗号,在中间", "两行\n文字", "制表\t在中间", "全角，标点；", "😀 表情", "末尾撇号'", "=HYPERLINK(\"x\")", "0012"]


def awkward_dataset():
    """A generated dataset with awkward values in a text field, a list and two extra columns."""
    ds = os.path.join(TMP, "ds")
    subprocess.run([binary(), "generate", "--cases", "1500", "--seed", "12", "--out", ds], check=True, capture_output=True)
    rng = random.Random(12)
    path = os.path.join(ds, "cases.csv")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    title, cosigners = header.index("title"), header.index("cosigners")
    header += ["备注", "联系电话"]
    for i, r in enumerate(rows[1:]):
        if i % 7 == 0:
            r[title] = AWKWARD[i // 7 % len(AWKWARD)] + " 关于第%d件" % i   # titles stay distinct
        if i % 11 == 0 and r[cosigners]:
            r[cosigners] = r[cosigners] + ";=列表项"
        note = AWKWARD[rng.randrange(len(AWKWARD))] if i % 3 else ""
        r += [note, "0371-%08d" % rng.randrange(10 ** 8) if i % 2 else ""]
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return ds


def caseql_rows(ds, table, *extra):
    p = run([ds, "--no-cache", "--csv", "--asof", ASOF] + list(extra) + ["-c", QUERIES[table]])
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return list(csv.reader(io.StringIO(p.stdout)))


def export(ds, folder, ext):
    os.makedirs(folder)
    shutil.copy(os.path.join(ds, "manifest.json"), folder)
    for table in QUERIES:
        p = run([ds, "--no-cache", "--asof", ASOF, "-c", ".export %s/%s.%s %s" % (folder, table, ext, QUERIES[table])])
        R.eq(p.returncode, 0, "caseql exports %s as .%s" % (table, ext))


def unguard(v):
    """What the formula guard shows: a cell that would run as a formula with one apostrophe more."""
    s = v.lstrip("'")
    return "'" + v if s[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def first_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "row %d:\n got  %r\n want %r" % (i, g, w)
    return "%d rows against %d" % (len(got), len(want))


def test_every_type_round_trips():
    ds = awkward_dataset()
    want = {t: caseql_rows(ds, t) for t in QUERIES}
    R.check(len(want["cases"]) == 1501 and "备注" in want["cases"][0] and "联系电话" in want["cases"][0],
            "the awkward dataset loads with its extra columns", str(want["cases"][0]))
    titles = {r[want["cases"][0].index("title")] for r in want["cases"][1:]}
    R.check(any(t.startswith("'=1+1") for t in titles) and any("\n" in t for t in titles),
            "awkward titles are in the store (printed with the formula guard)")
    for ext in ("csv", "xlsx"):
        folder = os.path.join(TMP, "out-" + ext)
        export(ds, folder, ext)
        for t in QUERIES:
            got = caseql_rows(folder, t)
            R.check(got == want[t], "the .%s export of %s reads back to the same rows" % (ext, t), first_difference(got, want[t]))

    # Python's csv reads the exported files (BOM, CRLF, guard) to the values caseql prints.
    for t in QUERIES:
        with open(os.path.join(TMP, "out-csv", t + ".csv"), encoding="utf-8-sig", newline="") as f:
            got = list(csv.reader(f))
        R.check(got == want[t], "Python's csv reads %s.csv to the values caseql prints" % t, first_difference(got, want[t]))

    # openpyxl reads the workbooks: dates as date cells, numbers as numbers, yes/no as booleans,
    # text as text (not guarded: a workbook cell is never run as a formula).
    script = r'''
import datetime, json, sys, openpyxl
out = {}
for t in ("cases", "units", "events"):
    ws = openpyxl.load_workbook("%s/%s.xlsx" % (sys.argv[1], t)).worksheets[0]
    out[t] = [[[type(c.value).__name__, c.value.date().isoformat() if isinstance(c.value, datetime.datetime) else c.value]
               for c in row] for row in ws.iter_rows()]
print(json.dumps(out))
'''
    p = subprocess.run(["/usr/bin/python3", "-c", script, os.path.join(TMP, "out-xlsx")], capture_output=True, text=True)
    R.check(p.returncode == 0, "openpyxl reads the workbooks", p.stderr[-2000:])
    if p.returncode != 0:
        return
    books = json.loads(p.stdout)
    for t in QUERIES:
        header = want[t][0]
        sheet = books[t]
        R.eq([v for _, v in sheet[0]], header, "openpyxl: %s.xlsx has caseql's header" % t)
        wrong = []
        for r, (row, expected) in enumerate(zip(sheet[1:], want[t][1:])):
            for k, ((kind, v), e) in enumerate(zip(row, expected)):
                if v is None:
                    shown, ok_type = "", True
                elif kind == "bool":
                    shown, ok_type = ("true" if v else "false"), True
                elif kind in ("int", "float"):
                    shown, ok_type = (str(int(v)) if float(v).is_integer() else str(v)), True
                elif kind == "datetime":
                    shown, ok_type = v, True
                else:
                    shown, ok_type = unguard(v), not (len(e) == 10 and e[4] == "-" and e[7] == "-" and e[:4].isdigit())
                if shown != e or not ok_type:
                    wrong.append("%s row %d %s: %s %r, caseql prints %r" % (t, r + 2, header[k], kind, v, e))
        R.check(not wrong and len(sheet) == len(want[t]), "openpyxl: every cell of %s.xlsx holds the value caseql prints, dates as dates" % t,
                "\n".join(wrong[:10]) + " (%d rows against %d)" % (len(sheet), len(want[t])))


R.case(test_every_type_round_trips)
R.finish()
