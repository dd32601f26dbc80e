#!/usr/bin/env python3
"""End-to-end: a legacy .xls that LibreOffice wrote from realistic generated data past 65,536
rows loads to the same answers as the same data's CSV files (and sqlite3's counts).

`caseql generate --cases 70000 --seed 3 --profile realistic`, the cases' rows shuffled, are
written with openpyxl (/usr/bin/python3) as a workbook of two sheets, 提案 and 建议 (an .xls
sheet holds at most 65,536 rows; a workbook's sheets of cases are read as one list when their
names name kinds, README "DATASET"), with date columns as
date cells (one in the Chinese custom format yyyy"年"m"月"d"日), whole numbers as numbers and
the rest as text, and converted to Excel 97–2003 by `soffice --headless --convert-to xls`: so
the .xls holds LibreOffice's shared-string table across CONTINUE records, RK/MULRK and NUMBER
cells and its FORMAT/XF records. A folder of that book.xls with the generated units.csv and
events.csv is then asked what the CSV folder is asked. Skipped (said) without soffice.

    python3 Tests/e2e/test_xls_large.py
"""

import csv
import io
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
SYSPY = "/usr/bin/python3"

WRITER = r'''
import csv, datetime, re, sys
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
day = re.compile(r"^\d{4}-\d{2}-\d{2}$")
whole = re.compile(r"^-?[1-9]\d{0,8}$|^0$")
kinds = []
for k in range(len(header)):
    values = [r[k] for r in body if k < len(r) and r[k] != ""]
    if values and all(day.match(v) for v in values): kinds.append("date")
    elif values and all(whole.match(v) for v in values): kinds.append("int")
    else: kinds.append("text")
dates = [k for k, kind in enumerate(kinds) if kind == "date"]
chinese = dates[-1] if dates else -1
wb = Workbook(write_only=True)
kind = header.index("kind")
for name, value in (("提案", "proposal"), ("建议", "suggestion")):
    part = [r for r in body if r[kind] == value]
    ws = wb.create_sheet(name)
    ws.append(header)
    for r in part:
        cells = []
        for k, v in enumerate(r):
            if v == "": cells.append(None); continue
            if kinds[k] == "date":
                c = WriteOnlyCell(ws, value=datetime.date(int(v[:4]), int(v[5:7]), int(v[8:10])))
                c.number_format = 'yyyy"年"m"月"d"日"' if k == chinese else "yyyy-mm-dd"
                cells.append(c)
            elif kinds[k] == "int": cells.append(int(v))
            else: cells.append(v)
        ws.append(cells)
wb.save(out)
print(",".join(kinds))
'''


def answer(ds, query):
    p = run([ds, "--no-cache", "--csv", "-c", query], timeout=600)
    return p.returncode, p.stdout, p.stderr


def test_a_large_libreoffice_xls_answers_as_its_csv():
    if not shutil.which("soffice"):
        R.check(True, "soffice is not installed: the large .xls test is skipped")
        return
    gen = os.path.join(TMP, "gen")
    subprocess.run([binary(), "generate", "--cases", "70000", "--seed", "3", "--profile", "realistic", "--out", gen],
                   check=True, capture_output=True)
    with open(os.path.join(gen, "cases.csv"), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    R.check(len(body) == 70000, "70,000 cases generated", str(len(body)))
    random.Random(12).shuffle(body)
    shuffled = os.path.join(TMP, "shuffled.csv")
    with open(shuffled, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header] + body)
    xlsx = os.path.join(TMP, "cases.xlsx")
    p = subprocess.run([SYSPY, "-c", WRITER, shuffled, xlsx], capture_output=True, text=True, timeout=900)
    R.check(p.returncode == 0, "openpyxl writes the two-sheet workbook", p.stderr[-2000:])
    kinds = p.stdout.strip().split(",")
    R.check("date" in kinds and "int" in kinds and "text" in kinds, "it holds date cells, numbers and text", p.stdout)
    lo = os.path.join(TMP, "lo")
    subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", lo, xlsx], capture_output=True, timeout=900,
                   env=dict(os.environ, HOME=os.path.join(TMP, "lohome")))
    xls = os.path.join(lo, "cases.xls")
    if not R.check(os.path.exists(xls), "LibreOffice wrote cases.xls"):
        return
    with open(xls, "rb") as f:
        R.check(f.read(8) == bytes.fromhex("d0cf11e0a1b11ae1"), "it is a compound file (BIFF8), not an .xlsx renamed")
    folder = os.path.join(TMP, "xls-dataset")
    os.makedirs(folder)
    # Named book.xls, not cases.xls: a dataset's cases.* is read from its first sheet only.
    shutil.copy(xls, os.path.join(folder, "book.xls"))
    for name in os.listdir(gen):
        if name != "cases.csv":
            shutil.copy(os.path.join(gen, name), os.path.join(folder, name))
    queries = ["select * from cases order by id",
               "count cases group by unit",
               "count cases group by status",
               "select id, days_open, overdue from cases order by id limit 500",
               "select count(*) from events"]
    for q in queries:
        want, got = answer(gen, q), answer(folder, q)
        R.check(want[0] == 0 and got[0] == 0, "%s: both load (exit 0)" % q, want[2][-1500:] + got[2][-1500:])
        R.check(got[1] == want[1], "%s: the .xls answers as the CSV does (%d lines)" % (q, want[1].count("\n")),
                "first difference at line %s" % next((i for i, (a, b) in enumerate(zip(got[1].splitlines(), want[1].splitlines())) if a != b), "end"))
    # sqlite3 over the shuffled CSV: the number of cases and of distinct ids.
    db = sqlite3.connect(":memory:")
    db.execute("create table c (%s)" % ",".join('"%s"' % h for h in header))
    db.executemany("insert into c values (%s)" % ",".join("?" * len(header)), body)
    total, distinct = db.execute('select count(*), count(distinct "%s") from c' % header[0]).fetchone()
    code, out, err = answer(folder, "select count(*) as n, count(distinct id) as d from cases")
    R.check(code == 0 and out.strip().splitlines()[-1] == "%d,%d" % (total, distinct),
            "sqlite3 counts the same cases and ids (%d, %d)" % (total, distinct), out + err[-1500:])


R.case(test_a_large_libreoffice_xls_answers_as_its_csv)
R.finish()
