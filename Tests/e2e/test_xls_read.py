#!/usr/bin/env python3
"""End-to-end: a legacy Excel 97–2003 workbook (.xls, BIFF8) loads as its CSV twin does, through
caseql's own BIFF8 reader. fixtures/book.xls was written by xlwt (fixtures/make_xls.py): sheets 案件/单位/办理记录,
date cells, a date-time cell, a serial number and text dates in date columns, a boolean cell,
quotes, a comma and a line break in a cell, shared strings.

    python3 Tests/e2e/test_xls_read.py
"""

import csv
import io
import os
import shutil
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
BOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "book.xls")

TWIN = {"cases.csv": "编号,类别,主办单位,交办日期,办理期限,办理状态,附议人,重点督办,案由,年度\n"
                     "A-1,提案,教育局,2020-03-01,2020-06-01,已办结,张三;李四,是,\"关于\"\"午餐\"\", 课后\n服务\",2020\n"
                     "A-2,建议,财政局,2020-03-01,2020-06-01,办理中,王五、赵六,否,  留空格  ,2020\n"
                     "A-3,建议,财政局,2020-03-05,,已交办,,否,&<>,2020\n",
        "units.csv": "单位名称,接待日,影像资料\n教育局,2020-05-01,是\n",
        "events.csv": "编号,日期,单位,动作\nA-1,2020-03-02,教育局,签收\n"}


def rows(ds, query):
    p = run([ds, "--no-cache", "--csv", "-c", query])
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return list(csv.reader(io.StringIO(p.stdout)))


def test_xls_as_its_csv_twin():
    twin = os.path.join(TMP, "twin")
    os.makedirs(twin)
    for name, text in TWIN.items():
        with open(os.path.join(twin, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    folder = os.path.join(TMP, "folder")
    os.makedirs(folder)
    shutil.copy(BOOK, os.path.join(folder, "data.xls"))
    for ds, what in ((BOOK, "a single .xls path"), (folder, "a folder holding one .xls workbook")):
        for q in ("select * from cases", "select * from units", "select * from events"):
            got, want = rows(ds, q), rows(twin, q)
            R.check(got == want, "%s: %s as its CSV twin" % (what, q), "got  %r\nwant %r" % (got, want))


def test_cases_xls_and_a_damaged_one():
    folder = os.path.join(TMP, "cases-xls")
    os.makedirs(folder)
    shutil.copy(BOOK, os.path.join(folder, "cases.xls"))
    p = run([folder, "--no-cache", "-c", "count cases"])
    R.check(p.returncode == 0 and "3" in p.stdout, "a dataset's cases.xls loads (its 案件 sheet)", p.stdout + p.stderr)
    # Not a workbook: a damaged OLE2 file is refused with a message, not a crash.
    with open(BOOK, "rb") as f:
        head = f.read(600)
    bad = os.path.join(TMP, "bad.xls")
    with open(bad, "wb") as f:
        f.write(head)
    p = run([bad, "--no-cache", "-c", "count cases"])
    R.check(p.returncode == 1 and "bad.xls" in p.stderr and "Excel 97–2003" in p.stderr,
            "a damaged .xls is refused with a message", p.stderr)


R.case(test_xls_as_its_csv_twin)
R.case(test_cases_xls_and_a_damaged_one)
R.finish()
